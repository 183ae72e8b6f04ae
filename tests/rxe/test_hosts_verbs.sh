#!/bin/sh
# Inside the soft-RoCE guest (make check-rxe): runs over 2 hosts with
# --net verbs on rxe0, each host a snemu run of its own (the mesh over
# loopback, the streams over RC queue pairs), against one host: the same
# report but for its "hosts" line, and every byte checked by the programs.
. "$(dirname "$0")/../emu/lib.sh"

ibv_devices 2>/dev/null | grep -q rxe || fail "no rxe device in the guest"
PORT=7100

# verbs NAME ARGS...: snemu run ARGS on hosts 0 and 1 over verbs.
verbs() {
	name=$1
	shift
	PORT=$((PORT + 1))
	pids=
	for h in 0 1; do
		timeout -k 10 600 "$SNEMU" run -q --hosts 2 --host-index "$h" \
			--rendezvous "127.0.0.1:$PORT" --token v --net verbs \
			--report "$T/$name.$h.json" "$@" \
			>"$T/$name.$h.out" 2>"$T/$name.$h.err" &
		pids="$pids $!"
	done
	h=0
	for p in $pids; do
		wait "$p" || { cat "$T/$name.$h.err" >&2;
			fail "$name: host $h exited $?"; }
		grep -v '^  "hosts": ' "$T/$name.$h.json" |
			cmp -s - "$T/$name.json" ||
			fail "$name: host $h's report differs from one host's"
		h=$((h + 1))
	done
}

# one NAME ARGS...: the 1-host run to compare with.
one() {
	name=$1
	shift
	run_snemu run -q --report "$T/$name.json" "$@"
	expect_rc 0
}

one ring -n 16 -- "$PROGS/prog_ring" 5
verbs ring -n 16 -- "$PROGS/prog_ring" 5
one a2a -n "${SNEMU_RXE_RANKS:-64}" -- "$PROGS/prog_alltoall"
verbs a2a -n "${SNEMU_RXE_RANKS:-64}" -- "$PROGS/prog_alltoall"
# 1 MiB messages: many ring slots each, credits going back and forth.
one big -n 16 -- "$PROGS/prog_alltoall" 1048576
verbs big -n 16 -- "$PROGS/prog_alltoall" 1048576
exit 0
