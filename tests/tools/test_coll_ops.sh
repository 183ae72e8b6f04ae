#!/bin/sh
# Every collective and algorithm gives exact data on every rank, for
# sizes that do not divide evenly, at 2, 3, 8, 12 (uneven nodes: the
# two-level algorithms fall back), 48 and 384 ranks.
. "$SNEMU_SRCDIR/tests/tools/coll_lib.sh"

algos="allreduce:ring allreduce:rhd allreduce:topo allgather:ring
reduce_scatter:ring broadcast:tree broadcast:chain alltoall:pairwise
alltoall:topo"

for n in 2 3 8 12 48; do
	case $n in
	3 | 8) types="float bfloat16 int32 int8" ;;
	*) types="float bfloat16" ;;
	esac
	for t in $types; do
		for a in $algos; do
			coll_ok -n $n --op "${a%:*}" --algo "${a#*:}" -d $t \
				--root $((n - 1)) -b 1 -e 300K -f 9
		done
	done
done
# the chain's chunks: a large broadcast from a middle rank
coll_ok -n 8 --op broadcast --algo chain --root 3 -b 3M -e 3M -d int8

# the full supernode: one size that 384 does not divide, bf16 sums
for a in $algos; do
	coll_ok -n 384 --op "${a%:*}" --algo "${a#*:}" -d bfloat16 --root 383 \
		-b 100000 -e 100000
done
finish
