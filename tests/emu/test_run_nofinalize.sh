#!/bin/sh
# A rank that exits 0 without snemu_finalize is a failure; one whose
# snemu_finalize refused (a request pending) is named as such.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 16 --report "$T/r.json" -- "$PROGS/prog_fail" nofinalize 5
expect_rc 1
expect_text 'FAILED: rank 5 (node 0) exited without calling snemu_finalize'
grep -q '"cause": "exited without calling snemu_finalize"' "$T/r.json" ||
	fail "report cause"
run_snemu run -n 4 -- "$PROGS/prog_fail" busy 2
expect_rc 1
expect_text 'FAILED: rank 2 (node 0) exited after snemu_finalize refused (-EBUSY): 1 request not completed'
exit 0
