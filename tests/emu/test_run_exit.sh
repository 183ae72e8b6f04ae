#!/bin/sh
# A rank that exits with status 3 is a failure; a program that cannot be
# executed is named with the reason.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 16 -- "$PROGS/prog_fail" exit 9 3
expect_rc 1
expect_text 'FAILED: rank 9 (node 1) exited with status 3'

printf 'not a program\n' >"$T/notexec"
chmod +x "$T/notexec"
run_snemu run -n 2 -- "$T/notexec"
expect_rc 1
expect_text "cannot run $T/notexec: Exec format error"
exit 0
