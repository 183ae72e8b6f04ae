#!/bin/sh
# snemu probe lat on cloudmatrix384: small-message one-way latency measured
# in virtual time equals the model's unloaded time plus the send and recv
# overheads, to the ns; inter-node adds less than 1 us; runs repeat exactly.
. "${SNEMU_SRCDIR:-.}/tests/tools/probe_lib.sh"
need_python

# expect SRC DST SIZE: what `snemu topo --route` prints as the unloaded
# time with overheads, in ns.
expect() {
	"$SNEMU" topo --route "$1" "$2" --size "$3" |
		sed -n 's/.*, \([0-9.]*\) us with send and recv overheads/\1/p' |
		awk '{ printf "%d\n", $1 * 1000 + 0.5 }'
}

for pair in "0 1" "0 8"; do
	set -- $pair
	probe lat --src "$1" --dst "$2" --sizes 8,512 --iters 101 \
		--json "lat$2.json" >"lat$2.txt"
	for size in 8 512; do
		e=$(expect "$1" "$2" $size)
		[ -n "$e" ] || fail "no expectation from snemu topo --route"
		check "lat$2.json" "[r for r in j['tests'][0]['results']
			if r['bytes'] == $size and r['t_min_ns'] == $e
			and r['t_max_ns'] == $e and r['model_ns'] == $e
			and r['samples_identical'] and r['late_receives'] == 0
			and r['iterations'] == 101]" \
			"$1 -> $2, $size B: measured one-way latency is not $e ns"
	done
	grep -q "^# (all 101 samples identical: virtual time is deterministic)" \
		"lat$2.txt" || fail "no determinism note"
	grep -qF " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec]" \
		"lat$2.txt" || fail "no perftest ib_send_lat header"
done
check lat1.json "j['tests'][0]['scope'] == 'intra-node'"
check lat8.json "j['tests'][0]['scope'] == 'inter-node'"

# Published: inter-node adds less than 1 us.
python3 - <<'PY' || fail "inter-node minus intra-node is not in (0, 1) us"
import json
a = json.load(open("lat1.json"))["tests"][0]["results"]
b = json.load(open("lat8.json"))["tests"][0]["results"]
for x, y in zip(a, b):
    d = y["t_min_ns"] - x["t_min_ns"]
    print("%d B: inter - intra = %.0f ns" % (x["bytes"], d))
    assert 0 < d < 1000
PY

# The same run again gives the same figures (only the wall time may move).
probe lat --src 0 --dst 8 --sizes 8,512 --iters 101 --json again.json >/dev/null
check again.json "j['tests'] == json.load(open('lat8.json'))['tests']" \
	"a second run measured something else"

# OSU format: one line per size under the OSU header.
probe lat --src 0 --dst 8 --sizes 8:32 --iters 3 --format osu >osu.txt
grep -qF "# Size          Latency (us)" osu.txt || fail "no OSU header"
[ "$(grep -c '^[0-9]' osu.txt)" -eq 3 ] || fail "OSU: not 3 sizes"
exit 0
