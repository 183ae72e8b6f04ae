# Helpers for the snemu coll tests; source it. Needs SNEMU, SNEMU_TESTS
# (set by make check).
set -u
: "${SNEMU:?run through make check}"
: "${SNEMU_TESTS:?run through make check}"
EXAMPLE_PLUGIN=$SNEMU_TESTS/../tools/coll/.libs/example_plugin.so
WRONG_PLUGIN=$SNEMU_TESTS/tools/.libs/coll_wrong_plugin.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# coll_ok ARGS...: snemu coll ARGS must pass its own check.
coll_ok() {
	if ! "$SNEMU" coll "$@" >"$tmp/out" 2>"$tmp/err"; then
		fail "snemu coll $* exited $?"
		cat "$tmp/out" "$tmp/err" >&2
	elif ! grep -q '^# Out of bounds values : 0 OK$' "$tmp/out"; then
		fail "snemu coll $*: no clean check"
		cat "$tmp/out" >&2
	fi
}

# coll_fails STATUS ARGS...: snemu coll ARGS must exit with STATUS.
coll_fails() {
	want=$1
	shift
	"$SNEMU" coll "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -eq "$want" ] || {
		fail "snemu coll $*: exit $st, wanted $want"
		cat "$tmp/out" "$tmp/err" >&2
	}
}

finish() {
	[ "$failures" -eq 0 ] || exit 1
	exit 0
}
