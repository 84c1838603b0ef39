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

# Every -dev package the library's pkg-config modules come from is a
# build dependency (a module added to the Makefile's PKGS must be added to
# debian/control too).
CASE=control
for p in $("$ROOT/scripts/pc-debs.sh" $(make -C "$ROOT" -s --no-print-directory print-pkgs) | tr -d ,) libev-dev; do
    assert_true "debian/control Build-Depends names $p" \
        bash -c "sed -n '/^Build-Depends:/,/^[A-Z]/p' '$ROOT/debian/control' | grep -qw '$p'"
done

CASE=build
(cd "$T/src/tlsdiag" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
RC=$?
[ "$RC" -eq 0 ] || tail -30 "$T/build.log"
assert_true "dpkg-buildpackage -us -uc -b exits 0" test "$RC" -eq 0
debs=("$T"/src/tlsdiag_*_*.deb)
deb=${debs[0]}
devs=("$T"/src/libtlsdiag-dev_*_*.deb)
dev=${devs[0]}
assert_true "a tlsdiag .deb is built" test -s "$deb"
assert_true "a libtlsdiag-dev .deb is built" test -s "$dev"
assert_true "the unit tests ran in the build" grep -q '\[  PASSED  \]' "$T/build.log"

CASE=lintian
if command -v lintian >/dev/null 2>&1; then
    lintian "$T"/src/tlsdiag_*.changes >"$T/lintian.out" 2>&1
    cat "$T/lintian.out"
    assert_true "lintian reports no error" bash -c "! grep -q '^E:' '$T/lintian.out'"
    assert_true "lintian reports no warning" bash -c "! grep -q '^W:' '$T/lintian.out'"
    assert_true "lintian read both packages" bash -c "! grep -qi 'no such file\|cannot' '$T/lintian.out'"
else
    echo "FAIL: lintian is not installed (scripts/deps.sh test installs it)"
    assert_true "lintian is installed" false
fi

CASE=contents
dpkg-deb -c "$deb" | awk '{print $6}' >"$T/contents"
for f in usr/bin/tlsdiag usr/share/man/man1/tlsdiag.1.gz usr/share/bash-completion/completions/tlsdiag \
    usr/share/zsh/site-functions/_tlsdiag usr/share/doc/tlsdiag/copyright; do
    assert_true "the .deb holds /$f" grep -qx "\./$f" "$T/contents"
done
assert_true "the command's .deb holds no library or header" bash -c "! grep -q 'libtlsdiag\|include/' '$T/contents'"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
dpkg-deb -c "$dev" | awk '{print $6}' >"$T/dev.contents"
for f in "usr/lib/$MA/libtlsdiag.a" usr/include/tlsdiag.h "usr/lib/$MA/pkgconfig/tlsdiag.pc"; do
    assert_true "the -dev .deb holds /$f" grep -qx "\./$f" "$T/dev.contents"
done
assert_true "the -dev package depends on the -dev packages tlsdiag.pc requires ($(dpkg-deb -f "$dev" Depends))" \
    bash -c "dpkg-deb -f '$dev' Depends | grep -q 'libssl-dev' && dpkg-deb -f '$dev' Depends | grep -q 'libjansson-dev' && dpkg-deb -f '$dev' Depends | grep -q 'libev-dev'"
assert_true "Depends names libssl3 and libev4 ($(dpkg-deb -f "$deb" Depends))" \
    grep -q 'libssl3.*libev4\|libev4.*libssl3' <<<"$(dpkg-deb -f "$deb" Depends)"

CASE=run
dpkg -x "$deb" "$T/x"
"$T/x/usr/bin/tlsdiag" --version >"$T/version.out" 2>&1
RC=$?
assert_true "the unpacked tlsdiag --version exits 0 ($(cat "$T/version.out"))" test "$RC" -eq 0
assert_true "it prints the package's version" \
    grep -qx "tlsdiag $(dpkg-deb -f "$deb" Version)" "$T/version.out"

# One check by the unpacked command: a server whose leaf expired ten days ago.
CASE=check
make_ca_tree root inter
make_leaf_signed_by inter app.test "start=$(date_from_now -400)" "end=$(date_from_now -10)"
start_s_server_cert app.test app.test -cert_chain "$T/inter.pem"
TLSDIAG="$T/x/usr/bin/tlsdiag" run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CERT_EXPIRED
assert_no_finding CHAIN_INCOMPLETE
assert_exit 1

CASE=dev
dpkg -x "$dev" "$T/x"
pc="$T/x/usr/lib/$MA/pkgconfig/tlsdiag.pc"
assert_true "the pkg-config file names /usr" grep -qx 'prefix=/usr' "$pc"
assert_true "the pkg-config file names the multiarch libdir" grep -qx "libdir=/usr/lib/$MA" "$pc"
cat >"$T/user.c" <<'C'
#include <stdio.h>
#include <tlsdiag.h>
int main(void)
{
    printf("tlsdiag %s\n", td_version());
    return 0;
}
C
flags=$(PKG_CONFIG_PATH="$T/x/usr/lib/$MA/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/x" \
    pkg-config --cflags --libs --static tlsdiag 2>"$T/pc.err")
assert_true "pkg-config reads the unpacked tlsdiag.pc ($(head -c 200 "$T/pc.err"))" test -n "$flags"
# shellcheck disable=SC2086 # flags is a list of words
cc -o "$T/user" "$T/user.c" $flags >"$T/cc.out" 2>&1
RC=$?
[ "$RC" -eq 0 ] || cat "$T/cc.out"
assert_true "a program builds against the unpacked -dev package" test "$RC" -eq 0
assert_true "it runs and names the package's version" \
    grep -qx "tlsdiag $(dpkg-deb -f "$dev" Version)" <<<"$("$T/user" 2>&1)"

finish
