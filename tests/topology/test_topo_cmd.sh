#!/bin/sh
# snemu topo end to end: summary, --route, --json, --dot, --dump-config,
# and the errors (bad option -> exit 2, bad file -> file:line, exit 2,
# as for snemu run).
set -u
SNEMU=${SNEMU:-./snemu}
srcdir=${SNEMU_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# run EXPECTED_STATUS ARGS...: output in $tmp/out, $tmp/err
run() {
	want=$1
	shift
	"$SNEMU" topo "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "snemu topo $*: exit $got, want $want"
}

# has FILE PATTERN: grep -q with a message
has() {
	grep -q -e "$2" "$tmp/$1" || fail "'$2' not in $1 of the last run"
}

run 0
has out "cloudmatrix384: 48 nodes, 384 endpoints"
has out "switches: 448 (l1: 336 x 200 ns hop, l2: 112 x 200 ns hop)"
has out "directed links: 21504"
has out "endpoint bandwidth: 392.0 GB/s"
has out "inter-node npu0 -> npu8: 448 paths"
has out "16M"

run 0 --preset nvl72
has out "nvl72: 18 nodes, 72 endpoints"
has out "endpoint bandwidth: 900.0 GB/s"

run 0 --topo "$srcdir/topology/presets/cloudmatrix384.cfg"
has out "cloudmatrix384: 48 nodes"

run 0 --route 0 8 --size 4K
has out "448 parallel paths"
has out "npu0.d0->n0.l1.0"
[ "$(grep -c '^  link ' "$tmp/out")" -eq 4 ] || fail "--route 0 8: not 4 hops"
run 0 --route 0 1
[ "$(grep -c '^  link ' "$tmp/out")" -eq 2 ] || fail "--route 0 1: not 2 hops"

run 0 --json --route 0 8
for key in '"name"' '"nodes"' '"endpoints"' '"switches"' '"links"' \
	'"link_classes"' '"endpoint_gbps"' '"bisection_gbps"' '"params"' \
	'"unloaded"' '"route"'; do
	has out "$key"
done
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$tmp/out" >/dev/null || fail "--json is not JSON"
fi

run 0 --links
[ "$(grep -c '^ *[0-9][0-9]*  [a-z]' "$tmp/out")" -eq 21504 ] ||
	fail "--links: not 21504 links"
has out "^ 21503  l2.6.15->n47.l1.6 "
run 0 --json --links --preset nvl72
has out '"link_list"'
has out '"id": 2591, "name": "l1.17->gpu71"'
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$tmp/out" >/dev/null || fail "--links: not JSON"
fi

run 0 --dot --route 0 8
has out '^graph "cloudmatrix384" {'
has out '"npu0" -- "n0.l1.0"'
has out 'color=red'
# the route's 4 links, not their parallel twins on the other die
[ "$(grep -c 'color=red' "$tmp/out")" -eq 4 ] ||
	fail "--dot --route 0 8: $(grep -c 'color=red' "$tmp/out") red edges, want 4"
tail -n 1 "$tmp/out" | grep -q '^}$' || fail "--dot: no closing brace"

# --dot is linear in the model: 200k vertices take well under a second
# (it was nodes x vertices, minutes here).
cat >"$tmp/big.cfg" <<'EOF'
nodes = 20000;
endpoints = { per_node = 8; };
switches = { l1 = { count = 2; }; l2 = { per_plane = 1; }; };
links = { ep_l1 = { bandwidth = 10.0; }; l1_l2 = { bandwidth = 10.0; }; };
EOF
timeout 20 "$SNEMU" topo --topo "$tmp/big.cfg" --dot >"$tmp/out" 2>"$tmp/err" ||
	fail "--dot of 20000 nodes: not done in 20 s"
tail -n 1 "$tmp/out" | grep -q '^}$' || fail "--dot big: no closing brace"
[ "$(grep -c 'subgraph cluster_n' "$tmp/out")" -eq 20000 ] ||
	fail "--dot big: not 20000 clusters"

run 0 --dump-config
has out '^nodes = 48; # int 1\.\.1048576: '
has out '^	per_node = 8; # int 1\.\.4096: '
has out '^		bandwidth = 28\.0; # float 0\.001\.\.100000: '
has out '^		latency = 200; # int 0\.\.1000000000: '

# --dump-config is a config: each preset's dump loads back to the same
# model (summary, JSON, every link, and the dump of the dump).
presets=$("$SNEMU" topo --help | sed -n 's/^presets://p')
[ -n "$presets" ] || fail "no presets in --help"
for p in $presets; do
	"$SNEMU" topo --preset "$p" --dump-config >"$tmp/dumped.cfg" ||
		fail "$p: --dump-config failed"
	for args in "" "--json" "--links" "--dump-config"; do
		# shellcheck disable=SC2086
		"$SNEMU" topo --preset "$p" $args >"$tmp/a" 2>&1
		# shellcheck disable=SC2086
		"$SNEMU" topo --topo "$tmp/dumped.cfg" $args >"$tmp/b" 2>&1 ||
			fail "$p: the dump does not load: $(head -n 1 "$tmp/b")"
		cmp -s "$tmp/a" "$tmp/b" ||
			fail "$p: the dump's model differs ($args)"
	done
done

run 0 --help
has out "usage: snemu topo"

run 2 --bogus
has err "unknown option"
run 2 --size
has err "needs a value"
run 2 --route 0 8 --size 4Q
has err "bad --size"
run 2 --route 0
run 2 --route 0 0
run 2 --route x 1
run 2 --route 0 384
run 2 --json --dot
run 2 --dot --links
run 2 --preset nvl72 --topo x.cfg
run 2 --preset nosuch
has err "no such preset"
run 2 extra

printf 'nodes = 2;\nendpoints = { per_node = 2; };\nswitches = { l1 = { count = 1; }; };\nlinks = { ep_l1 = { bandwidth = -1.0; }; };\n' \
	>"$tmp/bad.cfg"
run 2 --topo "$tmp/bad.cfg"
has err "$tmp/bad.cfg:4: links.ep_l1.bandwidth: "
printf 'nodes = 2;\nendpoints = = {};\n' >"$tmp/syntax.cfg"
run 2 --topo "$tmp/syntax.cfg"
has err "$tmp/syntax.cfg:2: syntax error"
run 2 --topo "$tmp"
has err "not a regular file"
run 2 --topo "$tmp/missing.cfg"
has err "missing.cfg: cannot open"

# A FIFO or a directory, named or included, is refused with file:line,
# never opened by libconfig (it would block, or its scanner exit).
mkfifo "$tmp/fifo"
timeout 10 "$SNEMU" topo --topo "$tmp/fifo" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "--topo FIFO: not exit 2"
has err "$tmp/fifo: cannot open: not a regular file"
printf 'nodes = 2;\n@include "%s"\n' "$tmp/fifo" >"$tmp/incfifo.cfg"
timeout 10 "$SNEMU" topo --topo "$tmp/incfifo.cfg" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "@include FIFO: not exit 2"
has err "$tmp/incfifo.cfg:2: @include \"$tmp/fifo\": cannot open: not a regular"
printf 'nodes = 2;\n\n  @include "%s"\n' "$tmp" >"$tmp/incdir.cfg"
printf '@include "%s"\n' "$tmp/incdir.cfg" >"$tmp/nested.cfg"
run 2 --topo "$tmp/nested.cfg"
has err "$tmp/incdir.cfg:3: @include \"$tmp\": cannot open: not a regular file"
if grep -q flex "$tmp/err"; then fail "@include dir: libconfig's scanner"; fi
# An included file's integers are checked as written too.
printf 'endpoints = { per_node = 4294967298; };\n' >"$tmp/eps.cfg"
printf 'nodes = 2;\n@include "%s"\n' "$tmp/eps.cfg" >"$tmp/inc32.cfg"
run 2 --topo "$tmp/inc32.cfg"
has err "$tmp/eps.cfg:1: endpoints.per_node: 4294967298 does not fit in 32 bits"
# Any error in an included file names that file.
printf 'endpoints = { per_nod = 1; };\n' >"$tmp/typo.cfg"
printf 'nodes = 2;\n@include "%s"\n' "$tmp/typo.cfg" >"$tmp/inctypo.cfg"
run 2 --topo "$tmp/inctypo.cfg"
has err "$tmp/typo.cfg:1: endpoints.per_nod: unknown key"

[ "$fails" -eq 0 ] || exit 1
echo "test_topo_cmd: all passed"
