#!/bin/sh
# A rank killed by SIGKILL in the middle of a run: a clean failure that
# names the rank and the signal; no process of the run and nothing in
# /dev/shm remain.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
ls -A /dev/shm >"$T/shm.before" 2>/dev/null
timeout -k 10 600 "$SNEMU" run -n 384 --report "$T/r.json" -- \
	"$PROGS/prog_spin" "$T/pids" >"$T/out" 2>"$T/err" &
BG=$!
wait_files 384
sleep 0.2
kill -KILL "$(cat "$T/pids/7")"
wait "$BG"
rc=$?
BG=
expect_rc 1
expect_text 'FAILED: rank 7 (node 0) killed by SIGKILL'
expect_text 'killed 383 ranks still alive'
expect_no_ranks
[ "$(json_run status "$T/r.json")" = failed ] || fail "report status"
grep -q '"failure": {"rank": 7, "cause": "killed by SIGKILL"}' "$T/r.json" ||
	fail "report failure"
ls -A /dev/shm >"$T/shm.after" 2>/dev/null
cmp -s "$T/shm.before" "$T/shm.after" || fail "/dev/shm changed"
exit 0
