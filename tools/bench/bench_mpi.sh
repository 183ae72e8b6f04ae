#!/bin/sh
# The MPI layer's host cost (docs/PERFORMANCE.md, "MPI"): whole-command
# wall time of `snemu run -n N` for the same program on the MPI layer and
# on the native API (tools/bench/mpi_overhead), start-only and with six
# checked all-to-alls of 4 KiB per pair. Runs alternate between the two,
# REPS times each; prints the best and the median of each and the ratio
# of the MPI figure to the native one (goal: under 1.10).
#
#   tools/bench/bench_mpi.sh [SNEMU [PROGRAM [N [REPS]]]]   (from build/)
set -eu
snemu=${1:-./snemu}
prog=${2:-./tools/bench/mpi_overhead}
n=${3:-384}
reps=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

wall() { # wall seconds of one run: API WORK
	s=$(date +%s%N)
	"$snemu" run -q -n "$n" -- "$prog" "$1" "$2" >/dev/null ||
		{ echo "bench_mpi: the $1 $2 run failed" >&2; exit 1; }
	echo "$(($(date +%s%N) - s))" | awk '{printf "%.3f\n", $1 / 1e9}'
}

stat() { # best median of a file of numbers
	sort -n "$1" | awk '{v[NR] = $1} END {printf "%.3f %.3f\n", v[1], v[int((NR + 1) / 2)]}'
}

echo "bench_mpi: $n ranks, $reps runs each, wall seconds of the whole command"
for work in init alltoall; do
	: >"$tmp/native"
	: >"$tmp/mpi"
	for r in $(seq "$reps"); do
		wall native "$work" >>"$tmp/native"
		wall mpi "$work" >>"$tmp/mpi"
	done
	set -- $(stat "$tmp/native") $(stat "$tmp/mpi")
	echo "$work: native best $1 median $2  mpi best $3 median $4" \
		"  mpi/native best $(echo "$3 $1" | awk '{printf "%.2f", $1 / $2}')" \
		"median $(echo "$4 $2" | awk '{printf "%.2f", $1 / $2}')"
done
