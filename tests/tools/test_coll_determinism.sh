#!/bin/sh
# Virtual time is deterministic: the same snemu coll command twice prints
# the same bytes (all-reduce, all-to-all, MoE dispatch and combine).
. "$SNEMU_SRCDIR/tests/tools/coll_lib.sh"

# the same command twice gives the same bytes
for args in "--op allreduce --algo topo -n 48 -b 1 -e 1M -f 16" \
	"--op alltoall --algo topo -n 48 -b 1K -e 1M -f 32" \
	"--op dispatch -n 48 --skew 1 --hidden 512" \
	"--op combine -n 16 --experts 64 --hidden 256" \
	"--op alltoall -n 8 -b 4K -e 4K -i 3"; do
	# shellcheck disable=SC2086
	"$SNEMU" coll $args >"$tmp/a" && "$SNEMU" coll $args >"$tmp/b" ||
		fail "snemu coll $args failed"
	cmp -s "$tmp/a" "$tmp/b" || {
		fail "snemu coll $args: two runs differ"
		diff "$tmp/a" "$tmp/b" >&2
	}
done
finish
