#!/bin/sh
# Bad arguments and configs: a clear message, exit 2, nothing started.
. "$(dirname "$0")/lib.sh"

bad() { # bad PATTERN ARGS...
	pat=$1
	shift
	run_snemu run "$@"
	expect_rc 2
	expect_text "$pat"
}

bad '-n wants a number of ranks >= 1' -n 0 -- "$PROGS/prog_ring"
bad '-n wants a number' -n abc
bad 'has only 384 endpoints' -n 999 -- "$PROGS/prog_ring"
bad 'no-such-preset' --preset no-such-preset
bad 'exclude each other' --preset cloudmatrix384 --topo x.cfg
bad 'cannot run no-such-program-xyz: No such file' -- no-such-program-xyz
bad 'see .snemu run --help' --no-such-option
printf 'name = "broken";\nnodes = ;\n' >"$T/broken.cfg"
bad "$T/broken.cfg:2:" --topo "$T/broken.cfg"
bad "$T/missing.cfg" --topo "$T/missing.cfg"

run_snemu run --help
expect_rc 0
expect_text 'usage: snemu run'
exit 0
