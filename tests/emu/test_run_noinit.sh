#!/bin/sh
# A program not started by snemu run: snemu_init fails with -ENXIO.
. "$(dirname "$0")/lib.sh"

env -u SNEMU_FD -u SNEMU_RANK "$PROGS/prog_ring" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1
expect_text "snemu_init: .* (-6)"
exit 0
