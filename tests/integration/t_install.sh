#!/usr/bin/env bash
# `make install` into a staging root: every file lands where a packager
# expects it, a program builds against the installed library through
# pkg-config alone, the installed command runs, and the bash completion
# loads.  Nothing here reaches the network.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd pkg-config
need_cmd cc

R=$T/root
CASE=install
make -C "$ROOT" --no-print-directory install DESTDIR="$R" PREFIX=/usr >"$T/install.log" 2>&1
RC=$?
[ "$RC" -eq 0 ] || tail -20 "$T/install.log"
assert_true "make install exits 0" test "$RC" -eq 0

for f in bin/tlsdiag share/man/man1/tlsdiag.1 lib/libtlsdiag.a include/tlsdiag.h \
    lib/pkgconfig/tlsdiag.pc share/bash-completion/completions/tlsdiag \
    share/zsh/site-functions/_tlsdiag; do
    assert_true "installed: /usr/$f" test -s "$R/usr/$f"
done
assert_true "the command is executable" test -x "$R/usr/bin/tlsdiag"
assert_true "tlsdiag.pc names the prefix, not the staging root" \
    grep -qx 'prefix=/usr' "$R/usr/lib/pkgconfig/tlsdiag.pc"

CASE=version
"$R/usr/bin/tlsdiag" --version >"$T/version.out" 2>&1
assert_true "installed tlsdiag --version prints the header's version ($(cat "$T/version.out"))" \
    grep -qx "tlsdiag $(sed -n 's/.*define TLSDIAG_VERSION "\(.*\)"/\1/p' "$ROOT/include/tlsdiag.h")" "$T/version.out"

CASE=pkg-config
export PKG_CONFIG_PATH=$R/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
flags=$(pkg-config --cflags --libs --static tlsdiag 2>"$T/pc.err")
assert_true "pkg-config knows tlsdiag ($(head -c 300 "$T/pc.err"))" test -n "$flags"
for lib in -ltlsdiag -lssl -lcrypto -ljansson -lcares -lz -lsqlite3 -lpq -lev -lm; do
    assert_true "--static --libs has $lib" grep -qw -- "$lib" <<<"$flags"
done
assert_true "--cflags points into the staging root" grep -q -- "-I$R/usr/include" <<<"$flags"
unset PKG_CONFIG_SYSROOT_DIR

cat >"$T/user.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <tlsdiag.h>

int main(void)
{
    td_options *o = td_options_new();
    if (!o)
        return 3;
    int good = td_options_set_target(o, "example.com:8443") == TD_OK;
    int bad = td_options_set_target(o, "example.com:99999") != TD_OK;
    printf("version %s target %s port %s\n", td_version(), good ? "ok" : "refused",
           bad ? "refused" : "accepted");
    td_options_free(o);
    return strcmp(td_version(), TLSDIAG_VERSION) != 0;
}
C
# shellcheck disable=SC2086 # flags is a list of words
cc -std=c11 -o "$T/user" "$T/user.c" $flags >"$T/cc.log" 2>&1
RC=$?
assert_true "a program builds against the installed library ($(head -c 600 "$T/cc.log"))" test "$RC" -eq 0
"$T/user" >"$T/user.out" 2>&1
RC=$?
assert_true "it runs (exit $RC)" test "$RC" -eq 0
assert_true "td_version and td_options_set_target answer ($(cat "$T/user.out"))" \
    grep -qx "version [0-9.]* target ok port refused" "$T/user.out"

CASE=completion
bash -c 'source "$1" && complete -p tlsdiag' _ "$R/usr/share/bash-completion/completions/tlsdiag" \
    >"$T/complete.out" 2>&1
assert_true "the bash completion registers for tlsdiag ($(cat "$T/complete.out"))" \
    grep -q -- '-F _tlsdiag tlsdiag' "$T/complete.out"
# complete_words LINE...: what the completion offers for the last word of LINE
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _tlsdiag; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$R/usr/share/bash-completion/completions/tlsdiag" "$@"
}
assert_true "commands complete" test "$(complete_words tlsdiag "" | sort | tr '\n' ' ')" = "--help --version check diff explain help lint logs merge pcap scan "
assert_true "lint --pro completes to --profile" test "$(complete_words tlsdiag lint --pro)" = "--profile"
assert_true "lint --profile completes its levels" \
    test "$(complete_words tlsdiag lint --profile "" | sort | tr '\n' ' ')" = "intermediate modern old "
assert_true "check --ma completes to --max-connections" test "$(complete_words tlsdiag check --ma)" = "--max-connections"
assert_true "scan --starttls completes its protocols" \
    test "$(complete_words tlsdiag scan --starttls p | tr '\n' ' ')" = "pop3 postgres postgres-direct "
assert_true "check --starttls completes its protocols" grep -qx xmpp-server <(complete_words tlsdiag check --starttls "")
assert_true "--clients completes its levels" test "$(complete_words tlsdiag check --clients "" | tr '\n' ' ')" = "modern intermediate old "
assert_true "explain offers the code kinds" grep -qx x509 <(complete_words tlsdiag explain "")
assert_true "logs --f completes to --follow" test "$(complete_words tlsdiag logs --f)" = "--follow"
assert_true "pcap --fo completes to --format" test "$(complete_words tlsdiag pcap --fo)" = "--format"
assert_true "pcap --format completes its formats" test "$(complete_words tlsdiag pcap --format "" | tr '\n' ' ')" = "text json html "

CASE=uninstall
make -C "$ROOT" --no-print-directory uninstall DESTDIR="$R" PREFIX=/usr >"$T/uninstall.log" 2>&1
assert_true "make uninstall leaves no file behind ($(find "$R" -type f | head -3 | tr '\n' ' '))" \
    test -z "$(find "$R" -type f)"

finish
