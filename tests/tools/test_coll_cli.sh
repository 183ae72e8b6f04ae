#!/bin/sh
# snemu coll as a command: nccl-tests style output, JSON results and
# report, and clear refusals of bad arguments.
. "$SNEMU_SRCDIR/tests/tools/coll_lib.sh"

# the nccl-tests layout
coll_ok --op allreduce -n 8 -b 1K -e 4K --json "$tmp/r.json" \
	--report "$tmp/rep.json"
head -1 "$tmp/out" | grep -q '^# snemu coll: allreduce, algorithm ring, 8 ranks on 1 node of cloudmatrix384, 392.0 GB/s per endpoint$' ||
	fail "header line: $(head -1 "$tmp/out")"
grep -q '^#       size         count      type   redop    root     time   algbw   busbw #wrong$' "$tmp/out" ||
	fail "column header"
[ "$(grep -c '^ .* float     sum      -1 ' "$tmp/out")" -eq 3 ] ||
	fail "expected 3 size lines"
grep -q '^# Avg bus bandwidth    : [0-9.]*$' "$tmp/out" || fail "avg line"
# busbw = algbw * 2 (n - 1) / n for all-reduce
awk '!/^#/ { if ($8 - $7 * 1.75 > 0.02 || $7 * 1.75 - $8 > 0.02) bad = 1 }
	END { exit bad }' "$tmp/out" || fail "busbw factor"
grep -q '"op": "allreduce"' "$tmp/r.json" || fail "json op"
[ "$(grep -c '"time_us"' "$tmp/r.json")" -eq 3 ] || fail "json rows"
grep -q '"utilization"' "$tmp/rep.json" ||
	fail "the report has no link figures"

# topo on nodes it cannot slice evenly says what it runs instead
coll_ok --op allreduce --algo topo -n 12 -b 1K
grep -q '^# topo needs whole nodes (12 ranks do not fill them evenly): it runs ring$' \
	"$tmp/out" || fail "topo fallback not said"
coll_ok --op allreduce --algo topo -n 16 -b 1K
grep -q '^# topo needs' "$tmp/out" && fail "topo fallback said for whole nodes"

# MoE dispatch moves bf16 rows, whatever the element type says
coll_ok --op dispatch -n 4 --tokens 4 --hidden 16 --topk 2 --json "$tmp/d.json"
grep -q '"type": "bfloat16"' "$tmp/d.json" || fail "dispatch json type"

# a single rank, a broadcast root, the types
coll_ok --op allreduce -n 1 -b 4 -e 64
coll_ok --op broadcast -n 5 --root 4 -b 1M -d int32
grep -q ' int32    none       4 ' "$tmp/out" || fail "broadcast root column"

# refusals: exit 2, before anything runs
coll_fails 2
coll_fails 2 --op nope
coll_fails 2 --op allreduce -n 0
coll_fails 2 --op allreduce -n 385
coll_fails 2 --op allreduce -d double
coll_fails 2 --op allreduce -n 8 --root 8
coll_fails 2 --op allreduce -b 1X
coll_fails 2 --op allreduce -b 2M -e 1M
coll_fails 2 --op allreduce --algo tree
coll_fails 2 --op dispatch -n 4 --experts 4 --topk 5
coll_fails 2 --op allreduce --preset nosuch
# strtoull would take these as 2^64 - 1 and 2^64 - 2
coll_fails 2 --op allreduce -f -2
coll_fails 2 --op dispatch -n 4 --seed -1
coll_fails 2 --op dispatch -n 4 --seed 18446744073709551616
coll_fails 2 --op allreduce -e 64G
grep -q 'memory' "$tmp/err" || fail "memory guard message"
"$SNEMU" coll --help | grep -q -- '--plugin' || fail "--help"
finish
