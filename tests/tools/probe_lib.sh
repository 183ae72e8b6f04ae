# Sourced by the snemu probe tests: a scratch folder, failure and skip
# helpers, and a JSON reader (python3; tests that need it skip without).
: "${SNEMU:?SNEMU must point to the snemu binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snemu-probe-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need_python() {
	python3 -c 'import json, zlib, struct' 2>/dev/null || {
		echo "SKIP: python3 with json is needed to read the JSON"
		exit 77
	}
}

# probe ARGS...: run snemu probe, keep stdout in out.txt; must succeed.
probe() {
	"$SNEMU" probe "$@" >out.txt 2>err.txt ||
		fail "snemu probe $* exited $?: $(cat err.txt)"
	cat out.txt
}

# check FILE.json PYTHON-EXPR [MESSAGE]: fail unless the expression, with
# j bound to the parsed JSON, is true. The expression may print details.
check() {
	python3 - "$1" "$2" <<'PY' || fail "${3:-$2}"
import json, sys
j = json.load(open(sys.argv[1]))
ok = eval("(" + sys.argv[2] + "\n)")
if not ok:
    print("check failed:", sys.argv[2], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
