#!/bin/sh
# Users' builds: an autotools MPI project configured with
# CC=snemu-mpicc builds and runs; snemu-mpicc -show and -c behave as
# mpicc's; a C++ program builds with snemu-mpicxx.
. "$(dirname "$0")/../emu/lib.sh"
WRAP=$SNEMU_TESTS/../mpi/build
SRC=$SNEMU_SRCDIR/tests/mpi/project

"$WRAP/snemu-mpicc" -show -O2 x.c >"$T/show" || fail "-show"
grep -q -- '-lsnemu-mpi' "$T/show" && grep -q -- ' x.c' "$T/show" ||
	fail "-show: $(cat "$T/show")"
"$WRAP/snemu-mpicc" -show -c x.c | grep -q -- '-lsnemu-mpi' &&
	fail "-c still links"

mkdir "$T/p"
cp "$SRC/configure.ac" "$SRC/Makefile.am" "$SRC/hello.c" "$T/p/"
(cd "$T/p" && autoreconf -fi && ./configure CC="$WRAP/snemu-mpicc" &&
	make) >"$T/build.log" 2>&1 || { tail -30 "$T/build.log"; fail build; }
run_snemu run -np 4 -- "$T/p/hello"
expect_rc 0
expect_text 'hello from 4 ranks, first on snemu-node0, sum ok'

"$WRAP/snemu-mpicxx" -o "$T/hello_cc" "$SRC/hello.cc" ||
	fail "snemu-mpicxx"
run_snemu run -np 2 -- "$T/hello_cc"
expect_rc 0
expect_text 'hello from C++'
exit 0
