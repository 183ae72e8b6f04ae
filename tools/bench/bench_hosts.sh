#!/bin/sh
# Runs over several hosts (docs/PERFORMANCE.md, "Hosts"), two snemu run
# on this machine joined over loopback TCP:
#  - the checked 384-rank all-to-all of 4 KiB per pair (prog_alltoall) on
#    2 hosts against 1 host: whole-command wall time, best and median of
#    REPS alternating runs, and the ratio; and the records the agents sent
#    per engine event;
#  - bulk bandwidth between hosts: 8 ranks of host 0 each send 64
#    messages of 1 MiB to one of host 1 (tools/bench/hosts_stream, timed
#    between two barriers), against a plain TCP stream over loopback of
#    as many bytes in the same run (python3, 1 MiB writes).
#
#   tools/bench/bench_hosts.sh [SNEMU [TESTS [REPS]]]   (from build/)
set -eu
snemu=${1:-./snemu}
tests=${2:-./tests}
reps=${3:-3}
prog=$tests/emu/prog_alltoall
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$((20000 + $$ % 20000))

now() { date +%s%N; }
secs() { echo "$1" | awk '{printf "%.3f\n", $1 / 1e9}'; }

# two N ARGS...: wall ns of a 2-host run (host 1's stderr in $tmp/err1)
two() {
	n=$1
	shift
	port=$((port + 1))
	s=$(now)
	SNEMU_LOG=info "$snemu" run -q -n "$n" --hosts 2 --host-index 0 \
		--rendezvous "127.0.0.1:$port" --token b -- "$@" \
		>"$tmp/out0" 2>"$tmp/err0" &
	p0=$!
	SNEMU_LOG=info "$snemu" run -q -n "$n" --hosts 2 --host-index 1 \
		--rendezvous "127.0.0.1:$port" --token b \
		--report "$tmp/r.json" -- "$@" >/dev/null 2>"$tmp/err1" ||
		{ echo "bench_hosts: host 1 failed" >&2; exit 1; }
	wait "$p0" || { echo "bench_hosts: host 0 failed" >&2; exit 1; }
	echo $(($(now) - s))
}

one() {
	n=$1
	shift
	s=$(now)
	"$snemu" run -q -n "$n" -- "$@" >/dev/null ||
		{ echo "bench_hosts: the 1-host run failed" >&2; exit 1; }
	echo $(($(now) - s))
}

stat() { # best median of a file of ns
	sort -n "$1" | awk '{v[NR] = $1} END {printf "%.3f %.3f\n", v[1] / 1e9, v[int((NR + 1) / 2)] / 1e9}'
}

echo "bench_hosts: 384-rank all-to-all, 4 KiB per pair, $reps runs each"
for i in $(seq "$reps"); do
	one 384 "$prog" >>"$tmp/one"
	two 384 "$prog" >>"$tmp/two"
done
set -- $(stat "$tmp/one") $(stat "$tmp/two")
echo "  1 host:  best $1 s, median $2 s"
echo "  2 hosts: best $3 s, median $4 s"
echo "$1 $3" | awk '{printf "  ratio 2 hosts / 1 host (best): %.2f\n", $2 / $1}'
recs=$(sed -n 's/.*agent of host 1: \([0-9]*\) records.*/\1/p' "$tmp/err1")
events=$(sed -n 's/^  "run": {.*"events": \([0-9]*\).*/\1/p' "$tmp/r.json")
echo "$recs $events" | awk '{printf "  records per engine event: %.3f (each host sends %d, %d events)\n", 2 * $1 / $2, $1, $2}'

# Bulk: 8 senders on host 0, 8 receivers on host 1, 64 x 1 MiB each.
two 16 ./tools/bench/hosts_stream 1 64 >/dev/null
set -- $(sed -n 's/^hosts_stream: \([0-9]*\) bytes in \([0-9]*\) ns/\1 \2/p' "$tmp/out0")
bytes=$1 t=$2
base=$(python3 - "$bytes" <<'PY'
import socket, sys, threading, time
n = int(sys.argv[1]); chunk = b"x" * (1 << 20)
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def sink():
    c, _ = srv.accept(); got = 0
    while got < n:
        got += len(c.recv(1 << 20))
th = threading.Thread(target=sink); th.start()
s = socket.create_connection(srv.getsockname())
t0 = time.perf_counter(); sent = 0
while sent < n:
    s.sendall(chunk); sent += len(chunk)
th.join(); print(int((time.perf_counter() - t0) * 1e9))
PY
)
echo "bench_hosts: $bytes bytes cross the hosts (8 pairs, 1 MiB messages)"
echo "$bytes $t $base" | awk '{printf "  snemu: %.2f GB/s; plain TCP stream: %.2f GB/s; ratio %.2f\n", $1 / $2, $1 / $3, $3 / $2}'
