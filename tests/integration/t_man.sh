#!/usr/bin/env bash
# Every long option the command parses (the getopt_long tables of
# src/main.c) is documented: as an item of its command's section of the man
# page, in the command's --help, and in the bash and zsh completions.
# Nothing here reaches the network.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

[ -x "$TLSDIAG" ] || die "binary $TLSDIAG is missing (build it with make)"
MAN=$ROOT/docs/tlsdiag.1

# table_options NAME: the long options of src/main.c's NAME_opts table.
table_options() {
    sed -n "/^static const struct option $1_opts\[\] = {/,/^};/p" "$ROOT/src/main.c" |
        sed -n 's/^ *{ *"\([a-z0-9-]*\)",.*/\1/p'
}

# man_items SECTION: the item tags (the line after each .TP) of the man
# page's SECTION, with roff's \- read as -.
man_items() {
    awk -v sec="$1" '/^\.SH/ { on = ($0 == ".SH " sec); next }
        on && prev == ".TP" { print } { prev = $0 }' "$MAN" | sed 's/\\-/-/g'
}

for pair in check:OPTIONS explain:EXPLAIN logs:LOGS pcap:PCAP diff:DIFF lint:LINT scan:SCAN merge:MERGE; do
    cmd=${pair%%:*} sec=${pair#*:}
    CASE=$cmd
    opts=$(table_options "$cmd")
    min=5; [ "$cmd" = merge ] && min=3 # merge has only --json, --warn-days and --help
    assert_true "src/main.c has a ${cmd}_opts table with options" test "$(wc -w <<<"$opts")" -ge "$min"
    man_items "$sec" >"$T/items.$cmd"
    "$TLSDIAG" "$cmd" --help >"$T/help.$cmd" 2>&1
    "$TLSDIAG" help "$cmd" >"$T/help2.$cmd" 2>&1
    assert_true "'tlsdiag help $cmd' is '$cmd --help'" cmp -s "$T/help.$cmd" "$T/help2.$cmd"
    for o in $opts; do
        assert_true "man page, section $sec, has an item for --$o" grep -Eq -- "--$o([^a-z0-9-]|\$)" "$T/items.$cmd"
        assert_true "$cmd --help lists --$o" grep -Eq -- "--$o([^a-z0-9-]|\$)" "$T/help.$cmd"
        assert_true "bash completion offers --$o" grep -Eq -- "--$o([^a-z0-9-]|\$)" "$ROOT/dist/tlsdiag.bash"
        assert_true "zsh completion offers --$o" grep -Eq -- "--$o([^a-z0-9-]|\$)" "$ROOT/dist/_tlsdiag.zsh"
    done
done

finish
