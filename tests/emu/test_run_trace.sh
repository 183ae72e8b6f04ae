#!/bin/sh
# snemu run --trace: a Chrome trace-event JSON that parses, whose slices
# nest and whose arrows join each send to its receive, one per message of
# the report; the same run gives the same file; --trace-ranks and
# --trace-window make it smaller; a bad path or option fails before any
# rank starts, and nothing is left behind; a deadlocked run is traced too.
. "$(dirname "$0")/lib.sh"
CHECK="$(dirname "$0")/trace_check.py"
python3 -c 'import json' 2>/dev/null || {
	echo "SKIP: python3 is needed to read the trace"
	exit 77
}

# check FILE: trace_check's counts in $T/counts.FILE.
check() {
	python3 "$CHECK" "$T/$1" >"$T/counts.$1" 2>"$T/err" ||
		fail "$1: $(cat "$T/err")"
}

count() { # count FILE KEY
	sed -n "s/^$2 //p" "$T/counts.$1"
}

# 16 ranks all-to-all: 240 messages, plus 4 barrier rounds of 16.
run_snemu run -n 16 --report "$T/r.json" --trace "$T/a.json" -- \
	"$PROGS/prog_alltoall"
expect_rc 0
expect_text "trace .*a.json: [0-9]* events"
check a.json
msgs=$(json_run messages "$T/r.json")
[ "$(count a.json flows)" -eq $((msgs - 64)) ] ||
	fail "$(count a.json flows) arrows, $msgs messages less 64 barrier ones"
[ "$(count a.json calls.snemu_isend)" -eq 240 ] || fail "isend slices"
[ "$(count a.json calls.snemu_irecv)" -eq 240 ] || fail "irecv slices"
[ "$(count a.json calls.snemu_waitall)" -eq 16 ] || fail "waitall slices"
[ "$(count a.json tracks)" -eq 16 ] || fail "not one track per rank"
[ "$(count a.json counters)" -gt 8 ] || fail "no link counters"
grep -q '"name":"wait waitall"' "$T/a.json" || fail "no blocked waits"
grep -q '"name":"rank 9 (node 1)"' "$T/a.json" || fail "no rank names"
[ "$(count a.json t_max_ns)" -eq "$(json_run makespan_ns "$T/r.json")" ] ||
	fail "the trace does not end at the makespan"

# The same run, the same file, and no temporary file left.
run_snemu run -q -n 16 --trace "$T/b.json" -- "$PROGS/prog_alltoall"
expect_rc 0
cmp "$T/a.json" "$T/b.json" || fail "two runs gave different traces"
ls "$T" | grep -q '\.json\.......$' && fail "a temporary file was left"

# Fewer ranks: only theirs, and only the messages among them.
run_snemu run -q -n 16 --trace "$T/c.json" --trace-ranks 0-2,5 -- \
	"$PROGS/prog_alltoall"
expect_rc 0
check c.json
[ "$(count c.json tracks)" -eq 4 ] || fail "--trace-ranks: tracks"
[ "$(count c.json flows)" -eq 12 ] || fail "--trace-ranks: arrows"
[ "$(wc -c <"$T/c.json")" -lt "$(wc -c <"$T/a.json")" ] ||
	fail "--trace-ranks did not make it smaller"

# A window: only what overlaps it.
run_snemu run -q -n 16 --trace "$T/d.json" --trace-window 6us:8000ns -- \
	"$PROGS/prog_alltoall"
expect_rc 0
check d.json
[ "$(wc -c <"$T/d.json")" -lt "$(wc -c <"$T/a.json")" ] ||
	fail "--trace-window did not make it smaller"
python3 - "$T/d.json" <<'PY' || fail "--trace-window: a slice outside it"
import json, sys
for e in json.load(open(sys.argv[1]))["traceEvents"]:
    if e["ph"] == "X":
        t0 = round(float(e["ts"]) * 1000)
        assert t0 <= 8000 and t0 + round(float(e["dur"]) * 1000) >= 6000, e
PY

# Chosen links, by the names the report prints.
link=$(sed -n 's/.*"name": "\(n0\.l1\.0->npu3\.d0\)".*/\1/p' "$T/r.json")
[ -n "$link" ] || link=$(sed -n 's/.*"name": "\([^"]*\)".*/\1/p' \
	"$T/r.json" | head -1)
run_snemu run -q -n 16 --trace "$T/e.json" --trace-links "$link" -- \
	"$PROGS/prog_alltoall"
expect_rc 0
check e.json
[ "$(grep -c '"ph":"C"' "$T/e.json")" -eq \
	"$(grep '"ph":"C"' "$T/e.json" | grep -c "\"name\":\"$link\"")" ] ||
	fail "--trace-links: other links"

# Wildcards, polling, probes, one-sided calls: still nested and joined,
# and the same file when the host is busy (whether a wait blocked the
# process depends on the host; its slice must not).
run_snemu run -q -n 32 --trace "$T/m.json" -- "$PROGS/prog_mixed"
expect_rc 0
check m.json
sh -c 'while :; do :; done' &
BG=$!
run_snemu run -q -n 32 --trace "$T/m2.json" -- "$PROGS/prog_mixed"
kill "$BG"
BG=
expect_rc 0
cmp "$T/m.json" "$T/m2.json" || fail "mixed: two runs gave different traces"

# snemu coll and snemu probe take it too.
run_snemu coll --op alltoall -n 8 -b 4K --trace "$T/coll.json"
expect_rc 0
check coll.json
[ "$(count coll.json flows)" -ge 56 ] || fail "coll: arrows"
run_snemu probe lat --sizes 8:64 --iters 2 --trace "$T/probe.json"
expect_rc 0
check probe.json
[ "$(count probe.json tracks)" -eq 2 ] || fail "probe: tracks"
# ... and refuse what run refuses, before anything runs (exit 2).
for cmd in "coll --op allreduce -n 4" "probe lat"; do
	# shellcheck disable=SC2086
	run_snemu $cmd --trace-ranks 0
	expect_rc 2
	expect_text "need --trace FILE"
	# shellcheck disable=SC2086
	run_snemu $cmd --trace "$T/nodir/t.json"
	expect_rc 2
	expect_text "--trace '$T/nodir/t.json': cannot write it"
done

# A deadlocked run still leaves its trace: where each rank stood.
run_snemu run -n 8 --trace "$T/k.json" -- "$PROGS/prog_deadlock"
expect_rc 3
check k.json
[ "$(count k.json calls.snemu_barrier)" -eq 8 ] || fail "deadlock: barriers"

# Bad paths and options: exit 2 before any rank starts.
bad() { # bad PATTERN ARGS...
	pat=$1
	shift
	run_snemu run -n 4 "$@" -- "$PROGS/prog_alltoall"
	expect_rc 2
	expect_text "$pat"
	grep -q '^alltoall:' "$T/out" && fail "the ranks ran: $*"
	return 0
}
bad "cannot write $T/no/such/dir/t.json: no file name, or its folder does" \
	--trace "$T/no/such/dir/t.json"
bad "cannot write $T: it is a folder" --trace "$T"
bad "rank out of range" --trace "$T/x.json" --trace-ranks 0-4
bad "--trace-ranks '1,,2'" --trace "$T/x.json" --trace-ranks 1,,2
bad "--trace-window '5:2'" --trace "$T/x.json" --trace-window 5:2
bad "no link 'nolink'" --trace "$T/x.json" --trace-links nolink
bad "need --trace FILE" --trace-ranks 0
[ -e "$T/x.json" ] && fail "a bad option left a trace"
ls "$T" | grep -q '\.json\.......$' && fail "a temporary file was left"
exit 0
