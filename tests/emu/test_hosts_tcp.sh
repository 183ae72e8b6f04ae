#!/bin/sh
# Runs over 2 and 3 hosts, each in its own network namespace (a veth pair
# to a bridge, 10.79.0.0/24), over tcp: the same report, byte for byte, on
# every host and as on one host (but the "hosts" line), with every byte
# checked by the programs; and the failures: a deadlock across hosts, a
# wrong token refused, a host killed mid-run. Skips (77) without root or
# ip netns.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for ip netns"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: no ip (iproute2)"; exit 77; }
TAG=sn$$
ip netns add "${TAG}sw" 2>/dev/null ||
	{ echo "SKIP: ip netns does not work here"; exit 77; }
NETNS="${TAG}sw"

netns_cleanup() {
	for ns in $NETNS; do ip netns del "$ns" 2>/dev/null; done
	cleanup
}
trap netns_cleanup EXIT

# Host h lives in namespace ${TAG}h, at 10.79.0.(h + 1), on the bridge.
ip -n "${TAG}sw" link add br0 type bridge
ip -n "${TAG}sw" link set br0 up
for h in 0 1 2; do
	ns=${TAG}$h
	ip netns add "$ns" || fail "cannot make namespace $ns"
	NETNS="$NETNS $ns"
	ip link add "v$TAG$h" type veth peer name eth0 netns "$ns"
	ip link set "v$TAG$h" netns "${TAG}sw"
	ip -n "${TAG}sw" link set "v$TAG$h" master br0 up
	ip -n "$ns" addr add "10.79.0.$((h + 1))/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
done
PORT=7000
ADDR=10.79.0.1

# hosts H NAME ARGS...: run snemu run ARGS on hosts 0..H-1 at once, each
# in its namespace; host h's report, output and status in $T/NAME.h.*.
hosts() {
	nh=$1 name=$2
	shift 2
	PORT=$((PORT + 1))
	pids=
	for h in $(seq 0 $((nh - 1))); do
		ip netns exec "$TAG$h" timeout -k 10 300 "$SNEMU" run -q \
			--hosts "$nh" --host-index "$h" \
			--rendezvous "$ADDR:$PORT" --token "t$TAG" \
			--report "$T/$name.$h.json" "$@" \
			>"$T/$name.$h.out" 2>"$T/$name.$h.err" &
		pids="$pids $!"
	done
	h=0
	for p in $pids; do
		wait "$p"
		echo $? >"$T/$name.$h.rc"
		h=$((h + 1))
	done
}

# same NAME H RC: every host exited RC and wrote the report of the 1-host
# run $T/NAME.json, but for its "hosts" line.
same() {
	for h in $(seq 0 $(($2 - 1))); do
		[ "$(cat "$T/$1.$h.rc")" -eq "$3" ] ||
			{ cat "$T/$1.$h.err" >&2; fail "$1: host $h exited" \
				"$(cat "$T/$1.$h.rc"), expected $3"; }
		grep -q '^  "hosts": {"count": '"$2"', ' "$T/$1.$h.json" ||
			fail "$1: host $h: no hosts line"
		grep -v '^  "hosts": ' "$T/$1.$h.json" | cmp -s - "$T/$1.json" ||
			fail "$1: host $h's report differs from one host's"
	done
}

# one NAME RC ARGS...: the 1-host run to compare with.
one() {
	name=$1 want=$2
	shift 2
	run_snemu run -q --report "$T/$name.json" "$@"
	expect_rc "$want"
}

# Data checked by the programs; the 384-rank all-to-all also under load.
one ring 0 -n 16 -- "$PROGS/prog_ring" 5
hosts 2 ring -n 16 -- "$PROGS/prog_ring" 5
same ring 2 0

one a2a 0 -n 384 -- "$PROGS/prog_alltoall"
sh -c 'while :; do :; done' &
BG=$!
hosts 2 a2a -n 384 -- "$PROGS/prog_alltoall"
kill "$BG"
BG=
same a2a 2 0
hosts 3 a2a3 -n 384 -- "$PROGS/prog_alltoall"
cp "$T/a2a.json" "$T/a2a3.json"
same a2a3 3 0

# Rendezvous: 1 MiB messages cross the hosts whole.
one big 0 -n 24 -- "$PROGS/prog_alltoall" 1048576
hosts 3 big -n 24 -- "$PROGS/prog_alltoall" 1048576
same big 3 0

# A deadlock across hosts is found, and told the same way, everywhere.
one dead 3 -n 32 -- "$PROGS/prog_deadlock"
hosts 2 dead -n 32 -- "$PROGS/prog_deadlock"
same dead 2 3

# A wrong token is refused; host 0 still runs with the right one.
PORT=$((PORT + 1))
ip netns exec "${TAG}0" timeout 120 "$SNEMU" run -q --hosts 2 \
	--host-index 0 --rendezvous "$ADDR:$PORT" --token right \
	--report "$T/tok.0.json" -n 16 -- "$PROGS/prog_ring" \
	>"$T/tok.0.out" 2>"$T/tok.0.err" &
BG=$!
ip netns exec "${TAG}1" timeout 120 "$SNEMU" run -q --hosts 2 \
	--host-index 1 --rendezvous "$ADDR:$PORT" --token wrong -n 16 -- \
	"$PROGS/prog_ring" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 2
expect_text "refused us: wrong token"
ip netns exec "${TAG}1" timeout 120 "$SNEMU" run -q --hosts 2 \
	--host-index 1 --rendezvous "$ADDR:$PORT" --token right -n 16 -- \
	"$PROGS/prog_ring" >"$T/out" 2>"$T/err" || fail "right token: $?"
wait "$BG" || fail "host 0 with the right token: $?"
BG=

# A host killed mid-run: the other stops within 5 s, names it, exits 6,
# and no rank of either host is left.
mkdir "$T/pids"
PORT=$((PORT + 1))
for h in 0 1; do
	ip netns exec "$TAG$h" "$SNEMU" run -q --hosts 2 --host-index "$h" \
		--rendezvous "$ADDR:$PORT" --token k --report "$T/kill.$h.json" \
		-n 16 -- "$PROGS/prog_spin" "$T/pids" \
		>"$T/kill.$h.out" 2>"$T/kill.$h.err" &
	eval "PID$h=\$!"
done
BG=$PID0 # wait_files watches it
wait_files 16
BG="$PID0 $PID1"
kill -KILL "$PID1"
t0=$(date +%s)
wait "$PID0"
rc=$?
[ $(($(date +%s) - t0)) -le 5 ] || fail "host 0 took more than 5 s to stop"
[ "$rc" -eq 6 ] || fail "host 0 exited $rc after host 1 was killed, not 6"
grep -q "host 1 (ranks 8-15) went away" "$T/kill.0.err" ||
	fail "host 0 does not name host 1: $(cat "$T/kill.0.err")"
grep -q '"failure": {"host": 1, ' "$T/kill.0.json" ||
	fail "the report does not name host 1"
BG=
sleep 1
expect_no_ranks
exit 0
