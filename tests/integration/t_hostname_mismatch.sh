#!/usr/bin/env bash
# HOSTNAME_MISMATCH: one nginx, two names.  app.test is served a certificate
# for other.test only; a.b.example.test is served one for *.example.test,
# a wildcard that stands for one label and so almost, but not, covers it.
# Both chains are otherwise valid (the test's root is the anchor).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter other.test "sans=DNS:other.test,DNS:www.other.test"
make_leaf_signed_by inter wild "cn=*.example.test" "sans=DNS:*.example.test"
cat_pem other.test inter >"$T/other-served.pem"
cat_pem wild inter >"$T/wild-served.pem"
PORT=$(free_port tcp)
start_nginx <<NGX
    ssl_protocols TLSv1.2 TLSv1.3;
    server {
        listen 127.0.0.1:$PORT ssl default_server;
        server_name app.test;
        ssl_certificate $T/other-served.pem;
        ssl_certificate_key $T/other.test.key;
    }
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name a.b.example.test;
        ssl_certificate $T/wild-served.pem;
        ssl_certificate_key $T/wild.key;
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "s_client -verify_hostname app.test: hostname mismatch (error 62)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -verify_hostname app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 62 '"
assert_true "s_client -verify_hostname a.b.example.test: hostname mismatch (error 62)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername a.b.example.test -verify_hostname a.b.example.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 62 '"
assert_true "the same chain verifies for other.test" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -verify_hostname other.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)'"

CASE="other name"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding HOSTNAME_MISMATCH
assert_severity HOSTNAME_MISMATCH fail
assert_exit 1
assert_finding_text HOSTNAME_MISMATCH 'other\.test'
assert_jq '.observations.handshake.chain[0].sans | index("DNS:other.test") != null' "the leaf's SANs are other.test's"
assert_jq '.observations.trust.path.verdict == "ok"' "the path itself verifies (only the name is wrong)"
assert_no_finding NO_SAN
assert_no_finding UNTRUSTED_CA
assert_no_finding CHAIN_INCOMPLETE

CASE="wildcard one label short"
run_check --sni a.b.example.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding HOSTNAME_MISMATCH
assert_severity HOSTNAME_MISMATCH fail
assert_finding_text HOSTNAME_MISMATCH '\*\.example\.test'
assert_finding_text HOSTNAME_MISMATCH 'one label|single label|one level|wildcard'
assert_jq '.observations.handshake.chain[0].sans == ["DNS:*.example.test"]' "the leaf has the wildcard SAN"
assert_jq '.observations.trust.path.verdict == "ok"' "the path itself verifies"
finish
