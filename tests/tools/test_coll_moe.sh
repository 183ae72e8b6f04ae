#!/bin/sh
# MoE dispatch and combine, direct and one-sided: every received token and
# every combined value is exact, for uniform and skewed routing, experts
# per rank of 1, of several and of none, repeated iterations (the
# one-sided signals count on), and at the full 384.
. "$SNEMU_SRCDIR/tests/tools/coll_lib.sh"

for algo in direct onesided; do
	for op in dispatch combine; do
		a="--algo $algo --op $op"
		coll_ok $a -n 2 --topk 2
		coll_ok $a -n 3 --topk 3 --tokens 33 --hidden 1000
		coll_ok $a -n 8
		coll_ok $a -n 8 --tokens 0
		coll_ok $a -n 8 --tokens 16 -i 3
		coll_ok $a -n 48 --experts 96 --topk 6 --skew 1.2 --hidden 2048
		coll_ok $a -n 48 --experts 40 --tokens 64 --seed 7 --hidden 999
		coll_ok $a -n 384 --tokens 16 --hidden 1024
	done
done

# the load line: uniform is balanced, Zipf is not
"$SNEMU" coll --op dispatch -n 48 --hidden 128 >"$tmp/u" || fail uniform
"$SNEMU" coll --op dispatch -n 48 --hidden 128 --skew 1.5 >"$tmp/z" ||
	fail skewed
u=$(sed -n 's/.*(max\/mean \([0-9.]*\)).*/\1/p' "$tmp/u")
z=$(sed -n 's/.*(max\/mean \([0-9.]*\)).*/\1/p' "$tmp/z")
awk -v u="$u" -v z="$z" 'BEGIN { exit !(u < 1.5 && z > 5) }' ||
	fail "expert load max/mean: uniform $u, Zipf $z"
finish
