#!/bin/sh
# The MoE fidelity table (docs/COLL.md, "Fidelity"): calibrate the
# one-sided dispatch and combine's modeled compute on ONE published point
# (EP8, the CloudMatrix384 serving paper: dispatch 116 us, combine 118 us;
# 128 tokens per rank, hidden 7168, top-8), then predict every other
# published point with the same constants and print the error of each.
#
#   tools/bench/moe_fidelity.sh [SNEMU] [--quick]
#
# --quick leaves out EP256 (minutes of wall time). Exits 1 when the
# constants built into snemu coll are not the ones recomputed here, or
# when a predicted point is off by more than 25%.
set -eu
snemu=${1:-./snemu}
quick=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# time_us of one run: snemu coll ARGS... (the one row of its JSON)
run_us() {
	"$snemu" coll --algo onesided "$@" --json "$tmp/j" >"$tmp/out" 2>&1 ||
		{ cat "$tmp/out" >&2; exit 1; }
	sed -n 's/.*"time_us": \([0-9.]*\).*/\1/p' "$tmp/j"
}

tokens=128 pairs=1024 # 128 tokens x top-8
d8=$(run_us --op dispatch -n 8 --quant-ns 0)
c8=$(run_us --op combine -n 8 --sum-ns 0)
q=$(awk -v t="$d8" -v n=$tokens 'BEGIN { printf "%d", (116 - t) * 1000 / n + 0.5 }')
w=$(awk -v t="$c8" -v n=$pairs 'BEGIN { printf "%d", (118 - t) * 1000 / n + 0.5 }')
echo "EP8 network and issue only: dispatch $d8 us, combine $c8 us"
echo "calibrated: quantize $q ns per token, weighted sum $w ns per row"

"$snemu" coll --op dispatch --algo onesided -n 2 --topk 1 --tokens 1 >"$tmp/h"
built=$(sed -n 's/^# modeled compute: \([0-9]*\) ns per token quantized, \([0-9]*\) ns per weighted row$/\1 \2/p' "$tmp/h")
status=0
if [ "$built" != "$q $w" ]; then
	echo "snemu coll's built-in constants are '$built', not '$q $w':" \
		"update COLL_MOE_QUANT_NS and COLL_MOE_SUM_NS" >&2
	status=1
fi

echo
echo "| op | EP | modeled (us) | published (us) | source | error |"
echo "| --- | --- | --- | --- | --- | --- |"
# op ep published source
while read -r op ep pub src; do
	[ -n "$quick" ] && [ "$ep" -gt 32 ] && continue
	t=$(run_us --op "$op" -n "$ep" --quant-ns "$q" --sum-ns "$w")
	awk -v op="$op" -v ep="$ep" -v t="$t" -v p="$pub" -v s="$src" '
	BEGIN {
		e = (t - p) / p
		printf "| %s | %d | %.1f | %d | %s | %+.1f%% |\n", op, ep, t, p, s, 100 * e
		exit (e > 0.25 || e < -0.25)
	}' || status=1
done <<EOF
dispatch 8 116 serving-paper,calibration
dispatch 256 152 serving-paper
dispatch 8 132 low-latency
dispatch 16 139 low-latency
dispatch 32 153 low-latency
combine 8 118 serving-paper,calibration
combine 256 149 serving-paper
combine 8 126 low-latency
combine 16 135 low-latency
combine 32 151 low-latency
EOF
exit $status
