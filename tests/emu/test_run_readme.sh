#!/bin/sh
# README's "Your own program", exactly as written: the program in it,
# built with its pkg-config line from the build folder (the uninstalled
# .pc files), runs on 16 ranks; an MPI program builds with snemu-mpi the
# same way. Both find their libraries at run time with no environment.
. "$(dirname "$0")/lib.sh"

build=$(dirname "$SNEMU")
command -v pkg-config >/dev/null || { echo "SKIP: no pkg-config"; exit 77; }
# The indented block from "#include <snemu.h>" to its closing brace.
sed -n '/^    #include <snemu.h>$/,/^    }$/s/^    //p' \
	"$SNEMU_SRCDIR/README.md" >"$T/prog.c"
grep -q snemu_finalize "$T/prog.c" || fail "no program found in README.md"
cmd=$(sed -n 's/^    \(cc prog.c \$(pkg-config .*\)$/\1/p' \
	"$SNEMU_SRCDIR/README.md")
[ -n "$cmd" ] || fail "no cc line in README.md"
(cd "$T" && PKG_CONFIG_PATH=$build sh -c "$cmd") >"$T/out" 2>"$T/err" ||
	fail "README's cc line failed: $cmd"
run_snemu run -n 16 -- "$T/prog"
expect_rc 0
expect_text '16 ranks on cloudmatrix384 (2 nodes): ok'

cat >"$T/mpi.c" <<'C'
#include <mpi.h>
int main(int argc, char **argv)
{
	int n;

	MPI_Init(&argc, &argv);
	MPI_Comm_size(MPI_COMM_WORLD, &n);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Finalize();
	return n != 4;
}
C
# shellcheck disable=SC2046
cc "$T/mpi.c" $(PKG_CONFIG_PATH=$build pkg-config --cflags --libs \
	snemu-mpi) -o "$T/mpi" 2>"$T/err" || fail "snemu-mpi's pkg-config"
run_snemu run -n 4 -- "$T/mpi"
expect_rc 0
exit 0
