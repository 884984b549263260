#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Use an installed mmtwin the way a user would (CI runs this; so can you):
#   make install PREFIX=$tmp/x, then with PKG_CONFIG_PATH=$tmp/x/lib/pkgconfig
#   - pkg-config --cflags --libs mmtwin, and the version it reports;
#   - boot.c  (C11), linked statically (-static, pkg-config --static);
#   - boot.cc (C++11), against libmmtwin.so with an rpath;
#   - boot.c again against the .so, found through LD_LIBRARY_PATH;
#   - the installed binary, man page (man -l, groff -ww) and completion;
#   - make install DESTDIR=... PREFIX=/usr, and make uninstall.
# Needs make, a C and a C++ compiler, pkg-config and bash; man and groff are
# used when present.  CC and CXX choose the compilers (gcc, g++); KEEP=1
# keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."

CC=${CC:-gcc}
CXX=${CXX:-g++}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmtwin-install.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
	trap 'echo "kept $tmp"' EXIT
else
	trap 'rm -rf "$tmp"' EXIT
fi
prefix=$tmp/x
fail() { echo "install test: $*" >&2; exit 1; }

echo "== make install PREFIX=$prefix"
make -s -j2 install PREFIX="$prefix" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "make install failed"; }
(cd "$prefix" && find . \( -type f -o -type l \) | sort | while read -r f; do
	if [ -L "$f" ]; then echo "  $f -> $(readlink "$f")"; else echo "  $f"; fi
done)

echo "== pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --exists --print-errors mmtwin || fail "pkg-config finds no mmtwin"
version=$(sed -n 's/.*define MMTWIN_VERSION "\(.*\)"/\1/p' include/mmtwin/mmtwin.h)
[ "$(pkg-config --modversion mmtwin)" = "$version" ] ||
	fail "pkg-config --modversion: $(pkg-config --modversion mmtwin), expected $version"
libdir=$(pkg-config --variable=libdir mmtwin)
[ "$libdir" = "$prefix/lib" ] || fail "libdir $libdir, expected $prefix/lib"
echo "  --modversion:      $(pkg-config --modversion mmtwin)"
echo "  --cflags --libs:   $(pkg-config --cflags --libs mmtwin)"
echo "  --static --libs:   $(pkg-config --static --libs mmtwin)"

echo "== every installed header compiles on its own, in C11 and C++11"
for h in "$prefix"/include/mmtwin/*.h; do
	n=$(basename "$h")
	printf '#include <mmtwin/%s>\n' "$n" >"$tmp/h.c"
	"$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only \
		-I"$prefix/include" "$tmp/h.c" || fail "$n alone does not compile as C"
	"$CXX" -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only \
		-x c++ -I"$prefix/include" "$tmp/h.c" || fail "$n alone does not compile as C++"
done
echo "  $(ls "$prefix"/include/mmtwin | wc -l) headers"

echo "== C, static: $CC -static \$(pkg-config --static --cflags --libs mmtwin)"
# shellcheck disable=SC2046  # pkg-config's output is a list of words
"$CC" -std=c11 -Wall -Wextra -Werror -pedantic tests/install/boot.c \
	-o "$tmp/boot-static" -static $(pkg-config --static --cflags --libs mmtwin)
if readelf -d "$tmp/boot-static" 2>/dev/null | grep -q NEEDED; then
	fail "boot-static needs shared libraries"
fi
"$tmp/boot-static"

echo "== C++, shared: $CXX \$(pkg-config --cflags --libs mmtwin) -Wl,-rpath,$libdir"
# shellcheck disable=SC2046
"$CXX" -std=c++11 -Wall -Wextra -Werror -pedantic tests/install/boot.cc \
	-o "$tmp/boot-shared" $(pkg-config --cflags --libs mmtwin) -Wl,-rpath,"$libdir"
readelf -d "$tmp/boot-shared" | grep -q 'NEEDED.*\[libmmtwin\.so\.0\]' ||
	fail "boot-shared does not need libmmtwin.so.0"
env -u LD_LIBRARY_PATH "$tmp/boot-shared"

echo "== C, shared, LD_LIBRARY_PATH=$libdir"
# shellcheck disable=SC2046
"$CC" -std=c11 -Wall -Wextra -Werror tests/install/boot.c -o "$tmp/boot-ldpath" \
	$(pkg-config --cflags --libs mmtwin)
LD_LIBRARY_PATH=$libdir "$tmp/boot-ldpath"
LD_LIBRARY_PATH=$libdir ldd "$tmp/boot-ldpath" | grep libmmtwin

echo "== the installed binary"
"$prefix/bin/mmtwin" --version
[ "$("$prefix/bin/mmtwin" --version)" = "mmtwin $version" ] || fail "--version"
out=$("$prefix/bin/mmtwin" show meminfo --arch x86_32 --mem 2G)
echo "${out%%$'\n'*}"

echo "== the man page"
page=$prefix/share/man/man1/mmtwin.1
[ -s "$page" ] || fail "no $page"
if command -v man >/dev/null; then
	warn=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) || fail "man -l failed"
	[ -z "$warn" ] || fail "man -l warns: $warn"
	[ "$(MANPATH=$prefix/share/man man -w mmtwin)" = "$page" ] ||
		fail "man -w mmtwin does not find $page"
	echo "  man -l: no warnings; $(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l) lines"
else
	echo "  (no man: not rendered)"
fi
if command -v groff >/dev/null; then
	warn=$(groff -man -ww -z "$page" 2>&1) || fail "groff failed"
	[ -z "$warn" ] || fail "groff -ww warns: $warn"
	echo "  groff -man -ww -z: no warnings"
fi

echo "== the bash completion"
comp=$prefix/share/bash-completion/completions/mmtwin
bash --norc --noprofile -c "source '$comp' && complete -p mmtwin"
got=$(PATH=$prefix/bin:$PATH bash --norc --noprofile -c "source '$comp'
	COMP_WORDS=(mmtwin show ''); COMP_CWORD=2; _mmtwin
	echo \${COMPREPLY[*]}")
echo "  mmtwin show <TAB>: $got"
case " $got " in *" meminfo "*" fixmap-slots "*) ;; *) fail "completion of show";; esac

echo "== make install DESTDIR=$tmp/dest PREFIX=/usr"
make -s install DESTDIR="$tmp/dest" PREFIX=/usr >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "make install DESTDIR failed"; }
grep -qx 'prefix=/usr' "$tmp/dest/usr/lib/pkgconfig/mmtwin.pc" || fail "DESTDIR in mmtwin.pc"
[ -x "$tmp/dest/usr/bin/mmtwin" ] && [ -L "$tmp/dest/usr/lib/libmmtwin.so.0" ] ||
	fail "DESTDIR tree"
echo "  ok"

echo "== make uninstall PREFIX=$prefix"
make -s uninstall PREFIX="$prefix" >/dev/null
left=$(find "$prefix" \( -type f -o -type l \))
[ -z "$left" ] || fail "left after uninstall: $left"
echo "  ok"
echo "install test: passed"
