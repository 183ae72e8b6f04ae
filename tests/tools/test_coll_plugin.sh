#!/bin/sh
# --plugin: the example library passes the checker; a library with bugs
# is caught (#wrong > 0 or a deadlock, non-zero exit); what a plugin lacks
# is refused.
. "$SNEMU_SRCDIR/tests/tools/coll_lib.sh"

[ -f "$EXAMPLE_PLUGIN" ] || { echo "no $EXAMPLE_PLUGIN" >&2; exit 99; }
[ -f "$WRONG_PLUGIN" ] || { echo "no $WRONG_PLUGIN" >&2; exit 99; }

for n in 3 8 48; do
	for op in allreduce allgather broadcast alltoall; do
		coll_ok --plugin "$EXAMPLE_PLUGIN" --op $op -n $n \
			-d bfloat16 -b 100 -e 100K -f 31 --root 1
	done
done
coll_ok --plugin "$EXAMPLE_PLUGIN" --op allreduce -n 8 -d int8 -b 1M
grep -q '^# snemu coll: allreduce, plugin example, 8 ranks' "$tmp/out" ||
	fail "header does not name the plugin"

# wrong data: reported per size, summed, and the exit status says so
for op in allreduce allgather; do
	coll_fails 1 --plugin "$WRONG_PLUGIN" --op $op -n 8 -b 1K -e 64K
	grep -q '^# Out of bounds values : [1-9][0-9]* FAILED$' "$tmp/out" ||
		fail "$op: wrong plugin not caught"
	awk '!/^#/ && $9 == 0 { bad = 1 } END { exit bad }' "$tmp/out" ||
		fail "$op: a size of the wrong plugin shows #wrong 0"
done
# an error returned by the plugin
coll_fails 1 --plugin "$WRONG_PLUGIN" --op allreduce -n 4 -d int8 -b 64
grep -q '^# error: rank 0: ' "$tmp/out" || fail "plugin error not shown"

# an error on one rank only: the others wait for it, the run is stopped,
# and the error is named with its rank (never "OK")
coll_fails 1 --plugin "$WRONG_PLUGIN" --op allgather -n 4 -d int8 -b 64
grep -q '^# error: rank 1: Input/output error (the others waited for it: the run was stopped)$' \
	"$tmp/out" || fail "one rank's plugin error not shown"
grep -q '^# Out of bounds values : 0 FAILED$' "$tmp/out" ||
	fail "a stopped run said OK"

# a deadlock: the engine finds it, the launcher names it, the run fails
coll_fails 1 --plugin "$WRONG_PLUGIN" --op broadcast -n 8 --root 2 -b 1K
grep -qi 'deadlock' "$tmp/err" || fail "deadlock not reported"
grep -q '^# 1 of 1 sizes did not finish$' "$tmp/out" || fail "unfinished size"

# refused before anything runs
coll_fails 2 --plugin "$EXAMPLE_PLUGIN" --op reduce_scatter -n 4
grep -q 'does not support reduce_scatter' "$tmp/err" || fail "unsupported"
coll_fails 2 --plugin "$EXAMPLE_PLUGIN" --op dispatch -n 4
coll_fails 2 --plugin "$tmp/none.so" --op allreduce -n 4
coll_fails 2 --plugin "$EXAMPLE_PLUGIN" --algo ring --op allreduce -n 4
finish
