#!/bin/sh
# snemu probe with no mode: the intra- vs inter-node table on the default
# preset, as JSON too; inter-node adds less than 1 us and loses less than
# 3% of 16 MiB bandwidth, as published for CloudMatrix384.
. "${SNEMU_SRCDIR:-.}/tests/tools/probe_lib.sh"
need_python

probe --json s.json >s.txt
cat s.txt
grep -q "^inter-node minus intra-node latency at 8 B" s.txt ||
	fail "no latency comparison line"
check s.json "[(t['kind'], t['scope']) for t in j['tests']] ==
	[('lat', 'intra-node'), ('lat', 'inter-node'),
	 ('bw', 'intra-node'), ('bw', 'inter-node')]
	and [r['bytes'] for r in j['tests'][0]['results']] ==
	[8, 512, 4096, 65536, 1 << 20, 16 << 20]" "not the default table"
# One segment (up to the 4 KiB mtu): exactly the model. Larger messages
# are sprayed from where the source's rotation stands, which can cost one
# more 4 KiB segment time on a link (146 ns at 28 GB/s).
check s.json "all(r['t_min_ns'] == r['model_ns'] if r['bytes'] <= 4096
		else 0 <= r['t_min_ns'] - r['model_ns'] <= 146
	for t in j['tests'][:2] for r in t['results'])" \
	"a minimum one-way latency is off the model"
check s.json "0 < j['tests'][1]['results'][0]['t_min_ns']
	- j['tests'][0]['results'][0]['t_min_ns'] < 1000" \
	"inter-node does not add between 0 and 1 us"
check s.json "j['tests'][3]['results'][-1]['bw_average_mb_per_sec'] >=
	0.97 * j['tests'][2]['results'][-1]['bw_average_mb_per_sec']" \
	"inter-node 16 MiB bandwidth is more than 3% below intra-node"
exit 0
