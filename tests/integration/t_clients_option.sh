#!/usr/bin/env bash
# --client: `--client list` lists the profiles; `--client ID` (repeatable)
# limits the simulation to those clients; an unknown id is a usage error
# (exit 2, one line on stderr, nothing on stdout).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_clients java-8 openssl-3
CASE=list
"$TLSDIAG" check --client list >"$T/list.txt" 2>"$T/list.err"
RC=$?
assert_exit 0
assert_true "--client list prints at least 30 lines" test "$(grep -c . "$T/list.txt")" -ge 30
assert_true "--client list names java-8" grep -qE '^java-8([[:space:]]|$)' "$T/list.txt"
assert_true "--client list prints nothing on stderr" test ! -s "$T/list.err"
assert_true "the ids are unique" test "$(awk 'NF { print $1 }' "$T/list.txt" | sort | uniq -d | wc -l)" -eq 0

CASE=nosuch
timeout 10 "$TLSDIAG" check --client nosuch 127.0.0.1:1 >"$T/nosuch.out" 2>"$T/nosuch.err"
RC=$?
cp "$T/nosuch.err" "$T/err.txt"
assert_exit 2
assert_true "exactly one line on stderr" test "$(wc -l <"$T/nosuch.err")" -eq 1
assert_true "stderr names the unknown client" grep -q 'nosuch' "$T/nosuch.err"
assert_true "nothing on stdout" test ! -s "$T/nosuch.out"

make_leaf server
# shellcheck disable=SC2119  # the default s_server: no options
start_s_server

CASE=one
run_check --client java-8 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq '.clients | length == 1 and .[0].id == "java-8"' ".clients holds java-8 only"
assert_jq '.clients[0].result == "ok"' "java-8 gets through a default s_server"

CASE=two
run_check --client java-8 --client openssl-3 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq '[.clients[].id] | sort == ["java-8", "openssl-3"]' ".clients holds java-8 and openssl-3"
finish
