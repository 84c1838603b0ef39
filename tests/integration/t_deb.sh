#!/usr/bin/env bash
# The Debian package: dpkg-buildpackage -b builds a .deb from a copy of the
# tree (it writes into the parent directory, so never in place), the .deb
# holds what `make install` installs, and the unpacked command runs.
# dpkg-buildpackage and debhelper come from scripts/deps.sh test; without
# them the test fails (a package that was not built is not a tested one).
# Nothing here reaches the network.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

if ! command -v dpkg-buildpackage >/dev/null 2>&1 || ! command -v dh >/dev/null 2>&1; then
    echo "FAIL: dpkg-buildpackage or debhelper is not installed (scripts/deps.sh test installs them)"
    exit 1
fi

# The tracked and new files, without the build directories the copy must
# not reuse.
mkdir -p "$T/src/tlsdiag"
(cd "$ROOT" && git ls-files -co --exclude-standard | grep -v '^build' | tar cf - -T -) |
    tar xf - -C "$T/src/tlsdiag"
assert_true "the tree is copied" test -x "$T/src/tlsdiag/debian/rules"

CASE=build
(cd "$T/src/tlsdiag" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
RC=$?
[ "$RC" -eq 0 ] || tail -30 "$T/build.log"
assert_true "dpkg-buildpackage -us -uc -b exits 0" test "$RC" -eq 0
debs=("$T"/src/tlsdiag_*_*.deb)
deb=${debs[0]}
assert_true "a tlsdiag .deb is built" test -s "$deb"
assert_true "the unit tests ran in the build" grep -q '\[  PASSED  \]' "$T/build.log"

CASE=contents
dpkg-deb -c "$deb" | awk '{print $6}' >"$T/contents"
for f in usr/bin/tlsdiag usr/share/man/man1/tlsdiag.1.gz usr/lib/libtlsdiag.a usr/include/tlsdiag.h \
    usr/lib/pkgconfig/tlsdiag.pc usr/share/bash-completion/completions/tlsdiag \
    usr/share/zsh/site-functions/_tlsdiag; do
    assert_true "the .deb holds /$f" grep -qx "\./$f" "$T/contents"
done
assert_true "Depends names libssl3 and libev4 ($(dpkg-deb -f "$deb" Depends))" \
    grep -q 'libssl3.*libev4\|libev4.*libssl3' <<<"$(dpkg-deb -f "$deb" Depends)"

CASE=run
dpkg -x "$deb" "$T/x"
"$T/x/usr/bin/tlsdiag" --version >"$T/version.out" 2>&1
RC=$?
assert_true "the unpacked tlsdiag --version exits 0 ($(cat "$T/version.out"))" test "$RC" -eq 0
assert_true "it prints the package's version" \
    grep -qx "tlsdiag $(dpkg-deb -f "$deb" Version)" "$T/version.out"
assert_true "the pkg-config file names /usr" grep -qx 'prefix=/usr' "$T/x/usr/lib/pkgconfig/tlsdiag.pc"

finish
