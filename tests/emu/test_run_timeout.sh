#!/bin/sh
# Nothing hangs without a word: --timeout stops a run that keeps going
# (exit 4), the watchdog one in which nothing moves, whether a rank is
# stopped by SIGSTOP or spins in program code (exit 5); both say what
# every rank was doing, in the summary and the report, and leave nothing
# behind. Bad values are usage errors.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
# A ring that never ends, stopped by --timeout.
run_snemu run -n 4 --timeout 2 --report "$T/r.json" -- \
	"$PROGS/prog_spin" "$T/pids"
expect_rc 4
expect_text 'TIMEOUT: still running after --timeout 2 s (wall)'
expect_text 'the launcher killed 4 ranks still alive'
[ "$(json_run status "$T/r.json")" = timeout ] || fail "report status"
grep -q '"failure": {"timeout_s": 2, "blocked": ' "$T/r.json" ||
	fail "report failure"
expect_no_ranks

# A rank stopped by SIGSTOP: the others wait for it, nothing moves.
rm -f "$T"/pids/*
timeout -k 10 600 "$SNEMU" run -n 4 --watchdog 2 --report "$T/r.json" -- \
	"$PROGS/prog_spin" "$T/pids" >"$T/out" 2>"$T/err" &
BG=$!
wait_files 4
start=$(date +%s)
kill -STOP "$(cat "$T/pids/2")"
wait "$BG"
rc=$?
BG=
expect_rc 5
[ $(($(date +%s) - start)) -le 10 ] || fail "the watchdog took over 10 s"
expect_text 'STALLED: no event and no rank moved for --watchdog 2 s (wall)'
expect_text 'rank 2: running, not waiting'
expect_text 'recv from '
[ "$(json_run status "$T/r.json")" = stalled ] || fail "report status"
grep -q '"failure": {"watchdog_s": 2, "blocked": ' "$T/r.json" ||
	fail "report failure"
expect_no_ranks

# A rank that spins in program code.
rm -f "$T"/pids/*
run_snemu run -n 3 --watchdog 1 -- "$PROGS/prog_spin" "$T/pids" busy
expect_rc 5
expect_text 'rank 1: running, not waiting'
expect_text 'rank 0: recv from 2, tag 0'
expect_no_ranks

# --watchdog 0 never fires: the ring runs until --timeout. On a terminal
# (script gives it one) the status line after 5 s is a line of its own.
if command -v script >/dev/null; then
	timeout 60 script -q -e -c "'$SNEMU' run -n 2 --watchdog 0 --timeout 7 -- '$PROGS/prog_spin' '$T/pids'" \
		"$T/tty" >/dev/null 2>&1
	rc=$?
	expect_rc 4
	grep -q '^snemu: \[5 s\] 2 ranks running, virtual clocks ' "$T/tty" ||
		fail "no status line of its own on the terminal"
else
	run_snemu run -n 2 --watchdog 0 --timeout 2 -- "$PROGS/prog_spin" \
		"$T/pids"
	expect_rc 4
fi

for bad in "--timeout 0" "--timeout -1" "--timeout 1.5" "--watchdog -1" \
	"--watchdog x"; do
	# shellcheck disable=SC2086
	run_snemu run -n 2 $bad -- "$PROGS/prog_spin" "$T/pids"
	expect_rc 2
	expect_text "wants whole seconds"
done
exit 0
