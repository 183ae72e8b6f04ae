#!/bin/sh
# gen-wrapper.sh IN OUT ENV COMPILER CPPFLAGS LIBS: write compiler wrapper
# OUT (named after itself) from template IN.
set -eu
in=$1 out=$2
mkdir -p "$(dirname "$out")"
sed -e "s|@NAME@|$(basename "$out")|" -e "s|@ENV@|$3|" \
	-e "s|@COMPILER@|$4|" -e "s|@CPPFLAGS@|$5|" -e "s|@LIBS@|$6|" \
	"$in" >"$out.tmp"
chmod +x "$out.tmp"
mv "$out.tmp" "$out"
