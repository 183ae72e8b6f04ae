#!/bin/sh
# Rank 0 waits in a barrier, rank r > 0 receives from r + 1 (mod n) with
# tag r % 5: the launcher must stop the run (exit 3) and the report must
# give each rank's wait.
. "$(dirname "$0")/lib.sh"

n=384
run_snemu run -n $n --report "$T/r.json" -- "$PROGS/prog_deadlock"
expect_rc 3
expect_text 'DEADLOCK: 384 ranks blocked'
expect_text 'rank 0: barrier'
expect_text 'ranks 1-383: recv from rank+1 (mod 384), tag 0\.\.4'
[ "$(json_run status "$T/r.json")" = deadlock ] || fail "report status"
grep -q '^    {"rank": 0, .*"wait": {"op": "barrier"' "$T/r.json" ||
	fail "rank 0's wait"
r=1
while [ $r -lt $n ]; do
	grep -q "^    {\"rank\": $r, .*\"wait\": {\"op\": \"recv\", \"src\": $(((r + 1) % n)), \"tag\": $((r % 5)), " \
		"$T/r.json" || fail "rank $r's wait is not in the report"
	r=$((r + 1))
done
[ "$(grep -c '"state": "blocked"' "$T/r.json")" = $n ] ||
	fail "not every rank blocked"
exit 0
