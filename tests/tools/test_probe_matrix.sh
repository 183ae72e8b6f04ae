#!/bin/sh
# snemu probe matrix: every ordered pair measured with real messages; the
# CSV is N x N with a zero diagonal, consistent with the routes (intra-node
# pairs equal, inter-node pairs equal, inter > intra) and with the JSON;
# the PNG is valid (signature, IHDR, CRCs, zlib stream) and so is the SVG.
# Then the full 384-endpoint matrix.
. "${SNEMU_SRCDIR:-.}/tests/tools/probe_lib.sh"
need_python

# check_matrix CSV JSON N: the CSV against the routes and the JSON.
check_matrix() {
	python3 - "$@" <<'PY' || fail "matrix $1 is not consistent"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
n = int(sys.argv[3])
ranks = [int(x) for x in rows[0][1:]]
assert len(rows) == n + 1 and len(ranks) == n, "not %d x %d" % (n, n)
assert ranks == j["ranks"]
intra, inter = set(), set()
for i, row in enumerate(rows[1:]):
    assert int(row[0]) == ranks[i] and len(row) == n + 1
    for k, v in enumerate(row[1:]):
        v = float(v)
        assert v == j["latency_usec"][i][k]
        if i == k:
            assert v == 0
        elif ranks[i] // 8 == ranks[k] // 8:
            intra.add(v)
        else:
            inter.add(v)
print("intra-node:", sorted(intra), "inter-node:", sorted(inter))
assert len(intra) == 1 and len(inter) == 1, "pairs of one scope differ"
assert min(inter) > max(intra)
assert j["late_receives"] == 0
assert all(s["pairs_off_model"] == 0 for s in j["scopes"])
PY
}

probe matrix --ranks 0-15,16-383:8 --json m.json --csv m.csv --image m.png \
	>m.txt
check_matrix m.csv m.json 62
grep -q "^3782 ordered pairs" m.txt || fail "pair count not printed"
grep -q "^5 slowest pairs" m.txt || fail "no slowest pairs"

python3 - <<'PY' || fail "m.png is not a valid PNG"
import struct, zlib
b = open("m.png", "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
off, idat, w = 8, b"", 0
while off < len(b):
    n, = struct.unpack(">I", b[off:off + 4])
    typ, data = b[off + 4:off + 8], b[off + 8:off + 8 + n]
    crc, = struct.unpack(">I", b[off + 8 + n:off + 12 + n])
    assert zlib.crc32(typ + data) == crc, "bad CRC in " + typ.decode()
    if typ == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", data[:10])
        assert depth == 8 and ctype == 3
    idat += data if typ == b"IDAT" else b""
    off += 12 + n
assert typ == b"IEND" and off == len(b)
raw = zlib.decompress(idat)  # checks the Adler-32 too
assert len(raw) == h * (w + 1) and w >= 62 * 8 and h >= 62 * 8
print("PNG %d x %d, %d bytes" % (w, h, len(b)))
PY

# 64 KiB messages hold shared L1-L2 links for 2.3 us: only the stagger
# between the pairs of a round keeps them from queueing behind each other.
probe matrix --ranks 0-31 --size 64K --json big.json --csv big.csv \
	--image big.png >/dev/null
check_matrix big.csv big.json 32

probe matrix --ranks 0-9 --size 4K --csv s.csv --image s.svg >/dev/null
head -c 5 s.svg | grep -q "<svg" || fail "s.svg is not SVG"
tail -1 s.svg | grep -q "</svg>" || fail "s.svg is cut short"
[ "$(wc -l <s.csv)" -eq 11 ] || fail "s.csv is not 10 x 10"

# All 384 endpoints: 147072 ordered pairs.
start=$(date +%s)
probe matrix --json full.json --csv full.csv --image full.png >full.txt
echo "384 x 384 matrix: $(($(date +%s) - start)) s wall"
check_matrix full.csv full.json 384
exit 0
