#!/bin/sh
# A rank that dies by SIGABRT: the failure names it, the signal and where
# it was.
. "$(dirname "$0")/lib.sh"

run_snemu run -n 32 -- "$PROGS/prog_fail" abort 21
expect_rc 1
expect_text 'FAILED: rank 21 (node 2) killed by SIGABRT'
expect_text 'it was running at'
exit 0
