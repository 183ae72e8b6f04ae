#!/bin/sh
# --compute: by default program code costs nothing (the clock moves by
# exactly what the calls charge); measured[:SCALE] charges SCALE times
# the thread CPU time spent between two calls, and says in the summary
# and the report that the run is not deterministic; bad modes exit 2.
. "$(dirname "$0")/lib.sh"

# compute MODE: run prog_compute on 2 ranks (each burns 20 ms of CPU
# between two calls) with --compute MODE; "CPU VIRTUAL" of rank 0 in $cv.
compute() {
	run_snemu run -n 2 --compute "$1" --report "$T/$1.json" -- \
		"$PROGS/prog_compute"
	expect_rc 0
	cv=$(sed -n 's/^rank 0: cpu \([0-9]*\) ns, virtual \([0-9]*\) ns$/\1 \2/p' \
		"$T/out")
	[ -n "$cv" ] || fail "$1: no figures from rank 0"
}

# ratio_in MODE LO HI: the virtual time over the CPU time is in [LO, HI].
ratio_in() {
	echo "$cv" | awk -v lo="$2" -v hi="$3" '{
		r = $2 / $1
		printf "%s: cpu %d ns, virtual %d ns, x%.3f\n", m, $1, $2, r
		exit !(r >= lo && r <= hi)
	}' m="$1" || fail "$1: virtual/CPU not in [$2, $3]"
}

compute none
[ "${cv#* }" = 0 ] || fail "none: the loop cost $cv ns of virtual time"
grep -q '^  compute' "$T/out" && fail "none: a compute line in the summary"
grep -q '"compute"' "$T/none.json" && fail "none: a compute field"

# The host may be loaded: thread CPU time is not, only the overhead of
# the calls around the loop adds to it (and a noisy host may add more).
compute measured
ratio_in measured 0.8 3
expect_text '^  compute          measured x1.0 (not deterministic: timings depend on this host)$'
grep -q '"compute": {"mode": "measured", "scale": 1, "deterministic": false}' \
	"$T/measured.json" || fail "measured: no compute field"

compute measured:2
ratio_in measured:2 1.6 6
expect_text 'compute          measured x2.0 (not deterministic'
grep -q '"scale": 2,' "$T/measured:2.json" || fail "measured:2: scale"

compute measured:0.5
ratio_in measured:0.5 0.4 1.5
expect_text 'measured x0.5 (not'

for bad in bogus measured:0 measured:-1 measured:abc measured: \
	measured:1.2.3 measured:1e3 measuredx; do
	run_snemu run -n 2 --compute "$bad" --report "$T/bad.json" -- \
		"$PROGS/prog_compute"
	expect_rc 2
	expect_text "--compute wants none, measured or measured:SCALE.*not '$bad'"
	grep -q '^rank' "$T/out" && fail "$bad: the program ran"
	ls "$T" | grep -q '^bad\.json' && fail "$bad: a report was left"
done

run_snemu run --help
expect_text '--compute MODE'
exit 0
