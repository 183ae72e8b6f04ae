#!/bin/sh
# Set up a fresh Debian 12 machine, build snemu, and run it.
#   ./quickstart.sh run    install, build, run the demo job on CloudMatrix384
#   ./quickstart.sh test   install, build, run the whole test suite
# Safe to run again: each step is skipped or redone cleanly.
set -eu
cd "$(dirname "$0")"
mode=${1:-run}
case "$mode" in
run|test) ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

pkgs="build-essential autoconf automake libtool pkg-config git \
liburing-dev libconfig-dev libcmocka-dev libibverbs-dev librdmacm-dev \
clang-format python3"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
missing=
for p in $pkgs; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "== installing:$missing"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

jobs=$(nproc)
build() { # build DIR [configure args...]
	dir=$1; shift
	[ -x configure ] || autoreconf -fi
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || ../configure -q "$@"; } &&
		make -s -j"$jobs")
}

case "$mode" in
run)
	build build
	echo "== ./build/snemu run (the built-in demo on the default preset)"
	exec ./build/snemu run
	;;
test)
	build build --enable-werror
	echo "== make format-check"
	(cd build && make -s format-check)
	echo "== make check"
	(cd build && make -s -j"$jobs" check) || {
		cat build/test-suite.log; exit 1; }
	echo "== make check with ASan + UBSan"
	build build-san --enable-werror --enable-asan --enable-ubsan
	(cd build-san && make -s -j"$jobs" check) || {
		cat build-san/test-suite.log; exit 1; }
	;;
esac
