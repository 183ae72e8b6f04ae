#!/bin/sh
# Every MPI test program at the rank counts it is meant for, under
# `snemu run`: each must print "No Errors" and exit 0.
. "$(dirname "$0")/../emu/lib.sh"
MPI=$SNEMU_TESTS/mpi

# check PROG N...: run PROG at each N.
check() {
	prog=$1
	shift
	for n in "$@"; do
		run_snemu run -n "$n" -- "$MPI/$prog"
		[ "$rc" -eq 0 ] && grep -qx 'No Errors' "$T/out" ||
			fail "$prog at $n ranks: exit status $rc"
		echo "ok: $prog at $n ranks"
	done
}

for prog in env coll_basic coll_inplace coll_nonblocking; do
	check $prog 1 2 3 4 8 48
done
for prog in errhandler p2p_order p2p_nonblocking probe cancel sendrecv; do
	check $prog 2 3 4 8 48
done
check comm_split 1 2 3 8
check type_derived 1 2 3 8
check type_free 2 3 8
check get_elements 2 3
check errhandler_free 1 2 3
check waitsome 2 3 8
check pack 1 2 3
check win_fence 1 2 3 4 8 48
check win_create 2 4
check win_lock 2 3 4 8
check win_pscw 2 3 4 8
check win_accumulate 2 3 4 8
check win_dynamic 2 4
check win_req 2 4
check win_attr 1 2 4
# a call outside MPI_Init..MPI_Finalize aborts the run, saying when it was
# made (and no rank before MPI_Init, where there is none)
for when in before after; do
	run_snemu run -n 2 -- "$MPI/outside_init" $when
	[ "$rc" -ne 0 ] || fail "outside_init $when: exit status 0"
	grep -q "MPI_Comm_rank on MPI_COMM_WORLD: called $when MPI_" "$T/err" ||
		fail "outside_init $when: no message saying so"
	! grep -q 'rank -[0-9]' "$T/err" ||
		fail "outside_init $when: a negative rank in the message"
	echo "ok: outside_init $when"
done
# the whole machine (coll_basic: 20 s wall on 2 idle cores, 35 s busy)
check env 384
check coll_basic 384
check p2p_nonblocking 384
exit 0
