#!/bin/sh
# Signals to the launcher: SIGTSTP (Ctrl-Z) stops every rank and SIGCONT
# continues them; SIGINT (Ctrl-C) stops the run cleanly, exit 130, no rank
# left; SIGTERM likewise, exit 143.
. "$(dirname "$0")/lib.sh"

# state PID: the process state letter (R, S, T...) from /proc.
state() {
	sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# all_ranks STATES: every rank's state is one of STATES (a grep class).
all_ranks() {
	for f in "$T"/pids/[0-9]*; do
		state "$(cat "$f")" | grep -q "[$1]" || return 1
	done
}

# spin N: start N ranks of prog_spin in the background, wait for them.
spin() {
	rm -rf "$T/pids"
	mkdir "$T/pids"
	timeout -k 10 600 "$SNEMU" run -n "$1" -- "$PROGS/prog_spin" \
		"$T/pids" >"$T/out" 2>"$T/err" &
	BG=$!
	wait_files "$1"
	launcher=$(cat "$T/pids/launcher")
}

# stop_with SIG STATUS NAME: send SIG to the launcher, expect STATUS.
stop_with() {
	kill "-$1" "$launcher"
	wait "$BG"
	rc=$?
	BG=
	expect_rc "$2"
	expect_text "interrupted by $3"
	expect_text 'killed 64 ranks still alive'
	expect_no_ranks
}

spin 64
kill -TSTP "$launcher"
for _ in $(seq 100); do all_ranks T && break; sleep 0.1; done
all_ranks T || fail "Ctrl-Z did not stop every rank"
kill -CONT "$launcher"
for _ in $(seq 100); do all_ranks RS && break; sleep 0.1; done
all_ranks RS || fail "fg did not continue every rank"
stop_with INT 130 SIGINT

spin 64
stop_with TERM 143 SIGTERM
exit 0
