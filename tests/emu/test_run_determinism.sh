#!/bin/sh
# Same program, config and N: byte-identical reports and output, even when
# the host is busy. The second run shares the CPUs with a busy loop.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 384 --report "$T/a.json" -- "$PROGS/prog_mixed"
expect_rc 0
grep '^mixed' "$T/out" >"$T/a.out" || fail "no fingerprint"

sh -c 'while :; do :; done' &
BG=$!
run_snemu run -n 384 --report "$T/b.json" -- "$PROGS/prog_mixed"
kill "$BG"
expect_rc 0
grep '^mixed' "$T/out" >"$T/b.out" || fail "no fingerprint"

cmp "$T/a.json" "$T/b.json" || fail "reports differ"
cmp "$T/a.out" "$T/b.out" || fail "program output differs"
[ "$(json_run makespan_ns "$T/a.json")" -gt 0 ] || fail "no makespan"
exit 0
