#!/bin/sh
# All-to-all of 384 ranks, 4 KiB per pair, every byte checked by the
# program; the report's traffic matrix must hold every pair. Reports are
# written whole or not at all.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 384 --quiet --report "$T/r.json" -- \
	"$PROGS/prog_alltoall" 4096
expect_rc 0
expect_text 'alltoall: 384 ranks x 4096 bytes ok'
grep -qv '^alltoall' "$T/out" && fail "--quiet printed a summary"
[ "$(json_run bytes "$T/r.json")" -ge $((384 * 383 * 4096)) ] ||
	fail "report bytes"
[ "$(grep -c '^      \[[0-9]*, [0-9]*, 4096\]' "$T/r.json")" = \
	$((384 * 383)) ] || fail "traffic pairs"
ls "$T" | grep -q '^r\.json\.' && fail "a temporary report stayed"
exit 0
