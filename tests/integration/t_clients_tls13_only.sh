#!/usr/bin/env bash
# Client simulation against a TLS 1.3-only server (openssl s_server
# -tls1_3): clients whose newest version is TLS 1.2 (Java 8 as shipped,
# OpenSSL 1.0.2) cannot connect and each gets a CLIENT_INCOMPATIBLE
# finding, a warning at the default --clients intermediate and info at
# --clients modern (the level such a server is built for); current browsers
# negotiate TLS 1.3.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_clients java-8 openssl-1.0.2 chrome firefox
make_leaf server
start_s_server -tls1_3
assert_true "s_server refuses TLS 1.2" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Cipher is (NONE)'"
assert_true "s_server speaks TLS 1.3" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_3 2>&1 | grep -q 'New, TLSv1.3'"

run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq '.clients | type == "array" and length >= 30' "a verdict for every profile (>= 30)"
for c in java-8 openssl-1.0.2; do
    assert_client "$c" fail
    assert_client_incompatible "$c"
    assert_client_reason "$c" version
    assert_jq "[.clients[] | select(.id == \"$c\")][0] | (.step | length > 0) and (.reason | test(\"version|TLS 1\\\\.[23]\"; \"i\"))" \
        "$c: a failing step, and a reason about the version"
done
for c in chrome firefox; do
    assert_client "$c" ok
    assert_jq "[.clients[] | select(.id == \"$c\")][0].version | test(\"1\\\\.3|0x0304\")" "$c negotiated TLS 1.3"
done
assert_jq '[.clients[] | select(.result == "ok")] | all(.version | test("1\\.3|0x0304"))' \
    "every client that gets through speaks TLS 1.3"
# shellcheck disable=SC2016  # jq variables
assert_jq '([.clients[] | select(.result == "fail")] | length) as $n | [.findings[] | select(.id == "CLIENT_INCOMPATIBLE")] | length == $n' \
    "one CLIENT_INCOMPATIBLE per failing client"
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE")] | all((.fix | length > 0) and (.verify | length > 0))' \
    "each CLIENT_INCOMPATIBLE carries fix and verify"
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not supported"
# Nothing fails for everyone: the verdict line counts the clients shut out,
# among those the server is meant to serve (not the end-of-life ones below
# the intermediate level).
# shellcheck disable=SC2016  # jq variables
assert_jq '([.clients[] | select(.result == "fail" and (.below_level | not))] | length) as $n | ([.clients[] | select(.below_level | not)] | length) as $m | .verdict_text | contains("; \($n) of \($m) simulated clients cannot connect (")' \
    "the verdict line counts the clients that cannot connect"
assert_jq '.verdict_text | test("Java 8")' "the verdict line names them"
assert_jq '.verdict_text | test("Android 4\\.4|Java 7[^0-9]") | not' "the verdict line leaves out the end-of-life clients"
for c in java-8 openssl-1.0.2; do
    assert_jq "[.findings[] | select(.id == \"CLIENT_INCOMPATIBLE\" and .client == \"$c\")][0].severity == \"warn\"" \
        "$c: a warning at the intermediate level"
done
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and .client == "java-7")][0].severity == "info"' \
    "java-7: info, below the intermediate level"
# The verify line of a CLIENT_INCOMPATIBLE imitates the client: it fails now.
run_verify_cmd java-8 "$(client_finding_field java-8 verify)"
assert_true "the java-8 verify command fails against this server" test "$VERIFY_RC" != 0

# A TLS 1.3-only server is Mozilla's modern profile: asked for that level,
# the TLS 1.2-only clients failing is expected.
CASE=modern
run_check --clients modern --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
for c in java-8 openssl-1.0.2; do
    assert_jq "[.clients[] | select(.id == \"$c\")][0] | .result == \"fail\" and .below_level and .level == \"intermediate\"" \
        "$c fails, below the modern level"
    assert_jq "[.findings[] | select(.id == \"CLIENT_INCOMPATIBLE\" and .client == \"$c\")][0].severity == \"info\"" \
        "$c: info"
done
assert_jq '.verdict_text | contains("Java 8") | not' "the verdict line does not count Java 8"
assert_exit 0
finish
