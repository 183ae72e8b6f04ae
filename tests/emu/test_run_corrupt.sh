#!/bin/sh
# A rank that overwrites the fabric's header (nranks = INT_MAX, a wild
# control-block offset) does not take the launcher down: it never reads
# its layout from the segment, it says the run cannot be trusted, writes
# the report and exits 1 (it crashed with SIGSEGV, or ran out of memory).
. "$(dirname "$0")/lib.sh"

run_snemu run -n 4 --report "$T/r.json" -- "$PROGS/prog_corrupt" 2
expect_rc 1
expect_text "FAILED: a rank overwrote the fabric's shared header"
[ "$(json_run status "$T/r.json")" = corrupt ] || fail "report status"
exit 0
