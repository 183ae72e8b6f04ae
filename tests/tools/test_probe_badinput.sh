#!/bin/sh
# snemu probe: bad input is refused with a message naming the value, exit
# status 2, and nothing is launched (no output files appear).
. "${SNEMU_SRCDIR:-.}/tests/tools/probe_lib.sh"

# bad EXPECTED-TEXT ARGS...: exit 2, stderr contains the text.
bad() {
	want=$1
	shift
	"$SNEMU" probe "$@" >out.txt 2>err.txt
	st=$?
	[ "$st" -eq 2 ] || fail "snemu probe $*: exit $st, expected 2"
	grep -qF -- "$want" err.txt ||
		fail "snemu probe $*: stderr lacks '$want': $(cat err.txt)"
	[ ! -s out.txt ] || fail "snemu probe $*: printed on stdout"
}

bad "rank 384 is not an endpoint" lat --src 0 --dst 384
bad "--src 'x'" lat --src x
bad "both rank 3" bw --src 3 --dst 3
bad "size 0" lat --sizes 0
bad "size 0" --sizes 8:0
bad "size 2G is out of range" bw --sizes 2G
bad "'8,,16'" lat --sizes 8,,16
bad "'abc' is not a size" matrix --size abc
bad "unknown mode 'latency'" latency
bad "rank 400 is not an endpoint" matrix --ranks 0-400
bad "'0-8-9'" matrix --ranks 0-8-9
bad "rank 5 is listed twice" matrix --ranks 0-7,5
bad "--senders 400" incast --senders 400
bad "rank 0 is the receiver" incast --dst 0 --ranks 0-3
bad "-n 500" alltoall -n 500
bad "--window does not apply to mode lat" lat --window 8
bad "unknown option '--bogus'" lat --bogus
bad "nosuch" --preset nosuch
bad "no-such-file.cfg" --topo no-such-file.cfg
bad "m.jpg" matrix --image m.jpg
bad "does not exist" lat --json no/such/dir/x.json
# Memory: 384 endpoints x 2 buffers of 1 GiB is more than any test host.
bad "more than half of this host's memory" matrix --size 1G

# A message the fabric model cannot hold (16 Mi segments of 1 B) is
# refused at the call, with a message naming it and the limit.
sed -e 's/^mtu = .*/mtu = 1;/' -e 's/^nodes = .*/nodes = 1;/' \
	"${SNEMU_SRCDIR:-.}/topology/presets/cloudmatrix384.cfg" >mtu1.cfg
"$SNEMU" probe --topo mtu1.cfg lat --sizes 32M --iters 1 >out.txt 2>err.txt &&
	fail "32M at mtu 1: the run did not fail"
grep -qF "rank 0: 33554432 B to rank 1: more than 16777216 segments of 1 B (the config's mtu)" \
	err.txt || fail "32M at mtu 1: no message naming the limit: $(cat err.txt)"

ls ./*.csv ./*.png ./*.json 2>/dev/null | grep -q . &&
	fail "an output file was written: $(ls)"

"$SNEMU" probe --help >out.txt 2>err.txt || fail "--help exited $?"
grep -q "^usage: snemu probe" out.txt || fail "--help prints no usage"
for m in lat bw matrix incast alltoall; do
	grep -q "^  $m " out.txt || fail "--help does not describe $m"
done
exit 0
