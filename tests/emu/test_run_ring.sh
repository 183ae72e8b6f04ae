#!/bin/sh
# A token around the ring of all 384 ranks, with a report.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 384 --report "$T/r.json" -- "$PROGS/prog_ring" 3
expect_rc 0
expect_text 'ring: 384 ranks, 3 rounds ok'
[ "$(json_run status "$T/r.json")" = ok ] || fail "report status"
[ "$(json_run ranks "$T/r.json")" = 384 ] || fail "report ranks"
[ "$(json_run messages "$T/r.json")" = 1152 ] || fail "report messages"
[ "$(grep -c '"state": "done"' "$T/r.json")" = 384 ] || fail "rank states"
exit 0
