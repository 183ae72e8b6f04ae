#!/bin/sh
# MPI on snemu adds no virtual time: an MPI ping-pong takes the native
# one's time to the nanosecond (inside a node and across nodes); mpirun's
# -np works as -n.
. "$(dirname "$0")/../emu/lib.sh"

for n in 2 16; do
	run_snemu run -np "$n" -- "$SNEMU_TESTS/mpi/timing_pingpong"
	expect_rc 0
	grep -qx 'No Errors' "$T/out" || fail "ping-pong at $n ranks"
done
exit 0
