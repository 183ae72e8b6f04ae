#!/bin/sh
# Non-blocking completion is deterministic: MPI programs that test, wait
# for some or any, and cancel while receives are still open give the same
# report every time, even when the host is busy. The timing they depend
# on differs from run to run, so each runs several times, every other one
# sharing the CPUs with a busy loop.
. "$(dirname "$0")/../emu/lib.sh"
MPI=$SNEMU_TESTS/mpi
RUNS=6

# same PROG N: RUNS reports of PROG at N ranks, all the same.
same() {
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		if [ $((i % 2)) -eq 1 ]; then
			sh -c 'while :; do :; done' &
			BG=$!
		fi
		run_snemu run -q -n "$2" --report "$T/$1.$i.json" -- "$MPI/$1"
		[ -z "$BG" ] || kill "$BG"
		BG=
		expect_rc 0
		[ "$i" -eq 0 ] || cmp -s "$T/$1.0.json" "$T/$1.$i.json" ||
			fail "$1 at $2 ranks: run $i's report differs from run 0's"
		i=$((i + 1))
	done
	echo "ok: $1 at $2 ranks, $RUNS runs"
}

same waitsome 8
same coll_nonblocking 8
same p2p_nonblocking 8
same cancel 4
same probe 4
exit 0
