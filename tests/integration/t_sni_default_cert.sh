#!/usr/bin/env bash
# SNI_DEFAULT_CERT: nginx whose default server holds the certificate of
# default.test, and whose app.test server has the right one: a client that
# sends SNI app.test is fine, one that sends none gets default.test's.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter default.test "sans=DNS:default.test"
make_leaf_signed_by inter app.test "sans=DNS:app.test"
cat_pem default.test inter >"$T/default-served.pem"
cat_pem app.test inter >"$T/app-served.pem"
PORT=$(free_port tcp)
start_nginx <<NGX
    ssl_protocols TLSv1.2 TLSv1.3;
    server {
        listen 127.0.0.1:$PORT ssl default_server;
        server_name default.test;
        ssl_certificate $T/default-served.pem;
        ssl_certificate_key $T/default.test.key;
    }
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name app.test;
        ssl_certificate $T/app-served.pem;
        ssl_certificate_key $T/app.test.key;
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "SNI app.test: the app.test certificate, valid for the name" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -verify_hostname app.test -CAfile '$T/root.pem' 2>&1 \
        | grep -q 'Verify return code: 0 (ok)'"
assert_true "no SNI: the default.test certificate" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -noservername 2>&1 | grep -q '^subject=.*CN = default.test'"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding SNI_DEFAULT_CERT
assert_finding_text SNI_DEFAULT_CERT 'default\.test'
assert_jq '.observations.handshake.chain[0].subject | test("CN=app\\.test")' "with SNI: the app.test certificate"
assert_jq '.observations.handshake_no_sni.chain[0].subject | test("CN=default\\.test")' "without SNI: the default.test certificate"
assert_jq '.observations.handshake_no_sni.completed == true' "the handshake without SNI completes"
assert_no_finding HOSTNAME_MISMATCH
assert_no_finding SNI_REQUIRED
assert_no_finding UNTRUSTED_CA
finish
