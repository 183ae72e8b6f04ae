#!/bin/sh
# Output files are written safely: a report path that cannot be written
# (no folder, a folder, empty) is refused before any rank starts; a report
# appears whole or not at all, as a new file renamed into place, so a
# symlink planted at the path is replaced, never written through (its
# target is untouched); and no temporary file stays behind. The same for
# snemu probe's --csv and --image and snemu coll's --json.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids" "$T/dir"
for bad in "$T/nodir/r.json" "$T/dir" ""; do
	run_snemu run -n 2 --report "$bad" -- "$PROGS/prog_spin" "$T/pids"
	expect_rc 2
	expect_text "--report '$bad': cannot write it"
	[ -z "$(ls "$T/pids")" ] || fail "--report '$bad': a rank started"
done
[ -e "$T/nodir" ] && fail "the report's folder appeared"

echo "precious" >"$T/victim"
# Another user's symlinks where the report and its old temporary went.
ln -s "$T/victim" "$T/r.json"
ln -s "$T/victim" "$T/r.json.tmp"
run_snemu run -n 4 --report "$T/r.json" -- "$PROGS/prog_alltoall"
expect_rc 0
[ "$(cat "$T/victim")" = precious ] || fail "the report went through a symlink"
[ -L "$T/r.json" ] && fail "the symlink is still there"
[ "$(json_run status "$T/r.json")" = ok ] || fail "report status"
rm "$T/r.json.tmp"
ls "$T" | grep -q '^r\.json\.' && fail "a temporary file stayed"

ln -s "$T/victim" "$T/m.csv"
ln -s "$T/victim" "$T/m.svg"
run_snemu probe matrix --ranks 0-3 --csv "$T/m.csv" --image "$T/m.svg"
expect_rc 0
[ "$(cat "$T/victim")" = precious ] || fail "probe wrote through a symlink"
grep -q '^src' "$T/m.csv" || fail "no CSV"
grep -q '<svg' "$T/m.svg" || fail "no SVG"

run_snemu coll --op allreduce -n 4 --json "$T/nodir/c.json"
expect_rc 2
expect_text "--json '$T/nodir/c.json': cannot write it"
ln -s "$T/victim" "$T/c.json"
run_snemu coll --op allreduce -n 4 --json "$T/c.json"
expect_rc 0
[ "$(cat "$T/victim")" = precious ] || fail "coll wrote through a symlink"
ls "$T" | grep -q '\.json\.\|\.csv\.\|\.svg\.' && fail "a temporary file stayed"
exit 0
