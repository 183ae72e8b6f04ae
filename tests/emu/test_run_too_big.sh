#!/bin/sh
# A run whose segment cannot hold its tables is refused before anything
# starts: what is too big, by how much, the limit (it crashed the launcher).
. "$(dirname "$0")/lib.sh"

cat >"$T/wide.cfg" <<'CFG'
nodes = 5000;
endpoints = { per_node = 8; };
switches = { l1 = { count = 2; }; l2 = { per_plane = 1; }; };
links = { ep_l1 = { bandwidth = 10.0; }; l1_l2 = { bandwidth = 10.0; }; };
CFG
TIMEOUT=60 run_snemu run -n 32000 --topo "$T/wide.cfg" -- "$PROGS/prog_ring" 1
expect_rc 2
expect_text "-n 32000 on wide does not fit: the fabric's tables need 86.6 GiB"
expect_text "22.6 GiB over the limit of 64 GiB; at most -n 27180 fit"
grep -q 'ring:' "$T/out" && fail "a rank ran"
exit 0
