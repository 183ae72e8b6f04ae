#!/bin/sh
# SIGINT (Ctrl-C) to the launcher stops the run cleanly: exit 130, no rank
# left.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
timeout -k 10 600 "$SNEMU" run -n 64 -- "$PROGS/prog_spin" "$T/pids" \
	>"$T/out" 2>"$T/err" &
BG=$!
wait_files 64
kill -INT "$(cat "$T/pids/launcher")"
wait "$BG"
rc=$?
BG=
expect_rc 130
expect_text 'interrupted by SIGINT'
expect_text 'killed 64 ranks still alive'
expect_no_ranks
exit 0
