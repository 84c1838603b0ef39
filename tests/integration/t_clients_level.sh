#!/usr/bin/env bash
# --clients LEVEL against nginx configured as Mozilla's intermediate profile
# (TLS 1.2 + 1.3, Mozilla's intermediate cipher list, ffdhe2048, X25519,
# P-256, P-384): the end-of-life clients (TLS 1.1 and below: Java 7,
# Android 4.4, the TLS 1.0 device) cannot connect, as expected, so their
# CLIENT_INCOMPATIBLE is info and the verdict stays OK (exit 0).  With
# --clients old they are warnings again; named with --client, one fails the
# check (t_cli_errors has an unknown level).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
EOL="java-7 android-4.4 old-iot"
# shellcheck disable=SC2086  # one id a word
need_clients $EOL java-8 dotnet-win7 chrome
make_leaf server
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$T/ffdhe2048.pem" 2>/dev/null ||
    die "cannot write the ffdhe2048 parameters"
# Mozilla's intermediate ciphers, as its configuration generator writes them.
MOZILLA_INTERMEDIATE=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305
# start_nginx_tls serves TLSv1.2 and TLSv1.3, as the profile has it.
start_nginx_tls server-chain server "ssl_ciphers $MOZILLA_INTERMEDIATE;
        ssl_ecdh_curve X25519:prime256v1:secp384r1;
        ssl_dhparam $T/ffdhe2048.pem;
        ssl_prefer_server_ciphers off;"
assert_true "nginx refuses TLS 1.1" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1 | grep -q 'Cipher is (NONE)'"
assert_true "nginx uses the 2048-bit DH group" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 2>&1 | grep -q 'Server Temp Key: DH, 2048 bits'"

# The default level, intermediate: TLS 1.2 and newer.
CASE=intermediate
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_exit 0
assert_jq '.verdict == "ok"' "verdict ok"
assert_jq '.verdict_text | startswith("OK  ") and (contains("cannot connect") | not)' \
    "the verdict line counts no client"
assert_jq '.observations.clients_level == "intermediate"' "the level is intermediate by default"
for c in $EOL; do
    assert_client "$c" fail
    assert_jq "[.clients[] | select(.id == \"$c\")][0] | .level == \"old\" and .below_level" "$c is below the level"
    assert_jq "[.findings[] | select(.id == \"CLIENT_INCOMPATIBLE\" and .client == \"$c\")] | length == 1 and .[0].severity == \"info\"" \
        "$c: CLIENT_INCOMPATIBLE of severity info"
done
assert_severity CLIENT_INCOMPATIBLE info
assert_finding_text CLIENT_INCOMPATIBLE 'Expected at --clients intermediate, which leaves out end-of-life clients \(TLS 1\.1 and below\)'
# Every client the profile is meant for gets through, .NET on Windows 7 too
# (its DHE-RSA-GCM suites, with the 2048-bit group).
assert_jq '[.clients[] | select(.below_level | not)] | length >= 30 and all(.result == "ok")' \
    "every TLS 1.2+ client gets through"
assert_client dotnet-win7 ok
assert_jq '[.clients[] | select(.id == "dotnet-win7")][0].suite | test("DHE_RSA")' ".NET on Windows 7 negotiates DHE-RSA"
assert_jq '[.findings[] | select(.severity == "warn" or .severity == "fail")] | length == 0' "no warning, no failure"
# The text report: OK, and the clients table says who is shut out, as expected.
"$TLSDIAG" check --no-color --timeout 2 --ca-file "$T/ca.pem" "127.0.0.1:$PORT" >"$T/text.txt" 2>"$T/text.err"
RC=$?
assert_exit 0
assert_true "the text verdict is OK" grep -q '^OK  127\.0\.0\.1:' "$T/text.txt"
assert_true "the clients table notes the end-of-life clients" \
    grep -qF '  3 end-of-life clients (TLS 1.1 and below) cannot connect, as expected' "$T/text.txt"
assert_true "the short report says it once, not as a finding too" bash -c "! grep -q '^\[INFO\] 3 clients fail' '$T/text.txt'"
assert_true "the short report lists no failing clients" bash -c "! grep -q '^Failing clients' '$T/text.txt'"
"$TLSDIAG" check -v --no-color --timeout 2 --ca-file "$T/ca.pem" "127.0.0.1:$PORT" >"$T/textv.txt" 2>"$T/text.err"
assert_true "the long report marks each info finding [INFO]" grep -q '\[INFO\] CLIENT_INCOMPATIBLE  Java 7' "$T/textv.txt"
assert_true "the long report's clients table notes them too" \
    grep -qF '  3 end-of-life clients (TLS 1.1 and below) cannot connect, as expected (--clients intermediate)' "$T/textv.txt"

# --clients old: the server means to serve them too; their failure is a warning.
CASE=old
run_check --clients old --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_exit 0
assert_jq '.verdict == "warn"' "verdict warn"
assert_jq '.observations.clients_level == "old"' "the level is old"
assert_severity CLIENT_INCOMPATIBLE warn
for c in $EOL; do
    assert_client_incompatible "$c"
    assert_jq "[.clients[] | select(.id == \"$c\")][0].below_level == false" "$c is at the level"
done
assert_jq '.verdict_text | contains("; 3 of ") and contains(" simulated clients cannot connect (")' \
    "the verdict line counts the three"

# --clients modern: the end-of-life clients stay info.
CASE=modern
run_check --clients modern --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_exit 0
assert_jq '.verdict == "ok"' "verdict ok"
assert_severity CLIENT_INCOMPATIBLE info
assert_finding_text CLIENT_INCOMPATIBLE 'Expected at --clients modern, which leaves out clients without TLS 1\.3'

# A client the user names is the client in question: its failure fails.
CASE=named
run_check --client java-7 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_exit 1
assert_jq '.verdict == "fail"' "verdict fail"
assert_severity CLIENT_INCOMPATIBLE fail
assert_client_reason java-7 version
assert_jq '.clients[0].below_level == false' "a named client is never below the level"

finish
