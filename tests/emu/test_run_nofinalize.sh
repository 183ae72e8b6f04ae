#!/bin/sh
# A rank that exits 0 without snemu_finalize is a failure.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 16 --report "$T/r.json" -- "$PROGS/prog_fail" nofinalize 5
expect_rc 1
expect_text 'FAILED: rank 5 (node 0) exited without calling snemu_finalize'
grep -q '"cause": "exited without calling snemu_finalize"' "$T/r.json" ||
	fail "report cause"
exit 0
