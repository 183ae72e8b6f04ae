#!/bin/sh
# MPI on snemu adds no virtual time: an MPI ping-pong, and one-sided put,
# get and fetch-and-op, take the native calls' time to the nanosecond
# (inside a node and across nodes); an
# MPI_Allreduce with each algorithm of SNEMU_MPI_ALLREDUCE, blocking or
# not, takes `snemu coll --op allreduce --algo A`'s time; mpirun's -np
# works as -n; a bad algorithm name stops the run with its name.
. "$(dirname "$0")/../emu/lib.sh"

for n in 2 16; do
	run_snemu run -np "$n" -- "$SNEMU_TESTS/mpi/timing_pingpong"
	expect_rc 0
	grep -qx 'No Errors' "$T/out" || fail "ping-pong at $n ranks"
	run_snemu run -np "$n" -- "$SNEMU_TESTS/mpi/timing_rma"
	expect_rc 0
	grep -qx 'No Errors' "$T/out" || fail "one-sided at $n ranks"
done

# mpi_time A N COUNT [nonblocking]: the MPI figure, in $t
mpi_time() {
	algo=$1 n=$2 count=$3
	shift 3
	SNEMU_MPI_ALLREDUCE=$algo run_snemu run -n "$n" -- \
		"$SNEMU_TESTS/mpi/timing_allreduce" "$count" "$@"
	expect_rc 0
	t=$(sed -n 's/^time_us //p' "$T/out")
	[ -n "$t" ] || fail "MPI_Allreduce $algo at $n ranks: no time"
}

# 16 ranks: two nodes (topo is a real two-level ring); 1 MiB and 4 KiB
for algo in ring rhd topo; do
	for n in 5 16; do
		for count in 1024 262144; do
			run_snemu coll --op allreduce --algo "$algo" -n "$n" \
				-b $((count * 4)) --json "$T/coll.json"
			expect_rc 0
			want=$(sed -n 's/.*"time_us": \([0-9.]*\).*/\1/p' \
				"$T/coll.json")
			mpi_time "$algo" "$n" "$count"
			[ "$t" = "$want" ] || fail "MPI_Allreduce $algo" \
				"$n ranks $count floats: $t us, snemu coll $want us"
			mpi_time "$algo" "$n" "$count" nonblocking
			[ "$t" = "$want" ] || fail "MPI_Iallreduce $algo" \
				"$n ranks $count floats: $t us, snemu coll $want us"
			echo "ok: allreduce $algo, $n ranks, $count floats:" \
				"$want us"
		done
	done
done

SNEMU_MPI_ALLREDUCE=bogus run_snemu run -n 2 -- \
	"$SNEMU_TESTS/mpi/timing_allreduce" 4
[ "$rc" -ne 0 ] || fail "SNEMU_MPI_ALLREDUCE=bogus: exit status 0"
grep -q 'SNEMU_MPI_ALLREDUCE=bogus: not an algorithm (tree, ring, rhd, topo)' \
	"$T/err" || fail "SNEMU_MPI_ALLREDUCE=bogus: no error naming it"
exit 0
