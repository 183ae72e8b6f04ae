#!/bin/sh
# The built-in demo: all 384 NPUs of the default preset, then a ragged run
# (a partial last node), then a model from a file; every check must pass
# and the summary must show.
. "$(dirname "$0")/lib.sh"

run_snemu run
expect_rc 0
expect_text 'snemu demo: 384 ranks on 48 nodes'
expect_text 'all-reduce'
expect_text 'virtual makespan'
expect_text 'busiest links'
grep -q FAILED "$T/out" && fail "a demo check failed"

run_snemu run -n 13 --report "$T/r.json"
expect_rc 0
expect_text 'snemu demo: 13 ranks on 2 nodes'
[ "$(json_run status "$T/r.json")" = ok ] || fail "report status"
grep -q FAILED "$T/out" && fail "a demo check failed"

# A model from a file: the header names it as the summary does.
run_snemu run --topo "$SNEMU_SRCDIR/topology/presets/nvl72.cfg" -n 8
expect_rc 0
expect_text 'snemu demo: 8 ranks on 2 nodes of nvl72, all data checked'
expect_text 'snemu: 8 ranks on nvl72 (2 nodes): ok'
exit 0
