#!/bin/sh
# The launcher reads --topo once and every rank builds its model from that
# text: editing the file while the ranks attach changes nothing.
. "$(dirname "$0")/lib.sh"

"$SNEMU" topo --preset nvl72 --dump-config >"$T/m.cfg" || fail "dump"
run_snemu run -n 4 --topo "$T/m.cfg" -- "$PROGS/prog_ring" 3
expect_rc 0
want=$(grep 'virtual makespan' "$T/out")
[ -n "$want" ] || fail "no makespan"

# Each rank breaks the file before it attaches.
run_snemu run -n 4 --topo "$T/m.cfg" -- sh -c \
	'echo "nodes = = ;" >"$0"; exec "$1" 3' "$T/m.cfg" "$PROGS/prog_ring"
expect_rc 0
expect_text 'ring: 4 ranks, 3 rounds ok'

# Rank 0 makes the links 1000 times longer while the others wait for it
# to, then each attaches.
"$SNEMU" topo --preset nvl72 --dump-config >"$T/m.cfg" || fail "dump"
run_snemu run -n 4 --topo "$T/m.cfg" -- sh -c \
	'if [ "$SNEMU_RANK" = 0 ]; then
		sed "s/latency = 150;/latency = 150000;/" "$0" >"$0.new" &&
			mv "$0.new" "$0"
	fi
	while ! grep -q "latency = 150000;" "$0"; do sleep 0.1; done
	exec "$1" 3' "$T/m.cfg" "$PROGS/prog_ring"
expect_rc 0
[ "$(grep 'virtual makespan' "$T/out")" = "$want" ] ||
	fail "the edit changed the ranks' model: $(grep makespan "$T/out")"
exit 0
