# Sourced by tests/emu/test_run_*.sh: a scratch directory, runs of snemu
# with timeouts, and checks that a run left nothing behind.
# Needs SNEMU (the snemu binary) and SNEMU_TESTS (the built tests folder).
set -u
: "${SNEMU:?SNEMU must name the snemu binary}"
: "${SNEMU_TESTS:?SNEMU_TESTS must name the built tests folder}"
PROGS=$SNEMU_TESTS/emu
T=$(mktemp -d "${TMPDIR:-/tmp}/snemu-test.XXXXXX") || exit 99
BG=

# A rank of ours still alive? Only processes running one of our programs
# count, so a reused pid cannot fool the check or be killed by mistake.
is_ours() {
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q "$PROGS/prog_"
}

cleanup() {
	for pid in $BG; do kill -KILL "$pid" 2>/dev/null; done
	for f in "$T"/pids/[0-9]*; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		is_ours "$pid" && kill -KILL "$pid"
	done
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	for f in "$T/out" "$T/err"; do
		[ -s "$f" ] && { echo "--- $f" >&2; head -40 "$f" >&2; }
	done
	exit 1
}

# run_snemu ARGS...: snemu with a timeout; stdout in $T/out, stderr in
# $T/err, exit status in $rc. On timeout the launcher gets SIGTERM, and
# SIGKILL 10 s later (its ranks then die by PR_SET_PDEATHSIG).
run_snemu() {
	timeout -k 10 "${TIMEOUT:-600}" "$SNEMU" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"
}

# expect_text PATTERN: a grep pattern the output (stdout or stderr) has.
expect_text() {
	cat "$T/out" "$T/err" | grep -q -- "$1" || fail "no '$1' in the output"
}

# Every rank whose pid the program wrote to $T/pids is gone.
expect_no_ranks() {
	n=0
	for f in "$T"/pids/[0-9]*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		is_ours "$(cat "$f")" && fail "rank $(basename "$f") survived"
	done
	[ "$n" -gt 0 ] || fail "no pid files: the check checked nothing"
}

# wait_files N: wait until the program has written N pid files, while
# the launcher (in the background as $BG) runs.
wait_files() {
	for _ in $(seq 1200); do
		[ "$(ls "$T/pids" | grep -c '^[0-9]')" -ge "$1" ] && return 0
		kill -0 "$BG" 2>/dev/null || fail "snemu ended early"
		sleep 0.1
	done
	fail "the ranks did not start within 120 s"
}

# json_run FIELD FILE: a field of the report's "run" object (one line).
json_run() {
	sed -n 's/^  "run": {.*"'"$1"'": "*\([^,"}]*\).*/\1/p' "$2"
}
