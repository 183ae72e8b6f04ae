#!/bin/sh
# snemu probe incast and alltoall: with K senders into one NPU each gets
# about 1/K of its ejection bandwidth (within 10%); all-to-all reports
# per-flow bandwidth and latency distributions that respect the model.
. "${SNEMU_SRCDIR:-.}/tests/tools/probe_lib.sh"
need_python

for k in 2 4 8; do
	probe incast --dst 0 --senders $k --size 1M --iters 16 \
		--json "incast$k.json" >"incast$k.txt"
	check "incast$k.json" "len(j['flows']) == $k
		and j['ejection_gb_per_sec'] == 392
		and abs(j['fair_share_gb_per_sec'] - 392 / $k) < 1e-3
		and all(abs(f['bw_gb_per_sec'] / (392 / $k) - 1) <= 0.10
			for f in j['flows'])
		and j['aggregate_gb_per_sec'] <= 392 * 1.001
		and j['latency_usec']['min'] <= j['latency_usec']['p50']
			<= j['latency_usec']['p99'] <= j['latency_usec']['max']" \
		"incast of $k senders: a flow is not within 10% of 392/$k GB/s"
done
# The senders crowd one receiver: the slowest message waits for the others.
check incast8.json "j['latency_usec']['max'] > 8 * j['latency_usec']['min']" \
	"incast: no queueing visible in the latency distribution"

# Senders named by --ranks, across nodes.
probe incast --dst 5 --ranks 0,8,16,24 --size 256K --iters 8 \
	--json ranks.json >/dev/null
check ranks.json "[f['src'] for f in j['flows']] == [0, 8, 16, 24]
	and all(f['scope'] == ('intra-node' if f['src'] == 0 else 'inter-node')
		for f in j['flows'])"

# alltoall: 8 ranks x 7 flows; a rank cannot inject 7 x 64 KiB faster
# than its 392 GB/s allow.
probe alltoall -n 8 --size 64K --json a2a.json >a2a.txt
grep -qF "# Size       Avg Latency(us)" a2a.txt || fail "no OSU header"
check a2a.json "len(j['flows']) == 56
	and j['rank_time_usec']['min'] * 1e3 >= 7 * 65536 / 392
	and j['avg_latency_usec'] >= j['rank_time_usec']['min']
	and j['flow_bw_gb_per_sec']['max'] <= 392
	and j['latency_usec']['p50'] <= j['latency_usec']['max']" \
	"alltoall: results break the model's limits"
exit 0
