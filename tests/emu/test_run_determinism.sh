#!/bin/sh
# Same program, config and N: byte-identical reports and program output,
# even when the host is busy. Each workload runs twice, the second time
# sharing the CPUs with a busy loop: a mixed 384-rank program (wildcards,
# polling, waitall, incast, atomics, puts) and the built-in demo.
. "$(dirname "$0")/lib.sh"

# twice NAME ARGS...: run snemu ARGS twice and compare.
twice() {
	name=$1
	shift
	run_snemu run --report "$T/$name.a.json" "$@"
	expect_rc 0
	grep -v '^ \|^snemu:' "$T/out" >"$T/$name.a.out"
	sh -c 'while :; do :; done' &
	BG=$!
	run_snemu run --report "$T/$name.b.json" "$@"
	kill "$BG"
	BG=
	expect_rc 0
	grep -v '^ \|^snemu:' "$T/out" >"$T/$name.b.out"
	cmp "$T/$name.a.json" "$T/$name.b.json" || fail "$name: reports differ"
	cmp "$T/$name.a.out" "$T/$name.b.out" || fail "$name: output differs"
	[ "$(json_run makespan_ns "$T/$name.a.json")" -gt 0 ] ||
		fail "$name: no makespan"
}

twice mixed -n 384 -- "$PROGS/prog_mixed"
grep -q '^mixed: 384 ranks' "$T/mixed.a.out" || fail "no fingerprint"
twice demo
exit 0
