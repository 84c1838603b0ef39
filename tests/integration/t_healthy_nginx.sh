#!/usr/bin/env bash
# A healthy server for contrast: nginx with TLS 1.2 + 1.3, modern ECDHE AEAD
# suites and a CA-signed certificate (the CA passed with --ca-file).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_leaf server
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name localhost;
        ssl_certificate $T/server-chain.pem;
        ssl_certificate_key $T/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers off;
        location / { return 200 "healthy\n"; }
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "curl verifies and fetches over TLS" bash -c \
    "curl -s --max-time 5 --cacert '$T/ca.pem' --resolve localhost:$PORT:127.0.0.1 https://localhost:$PORT/ | grep -q healthy"
assert_true "nginx negotiates TLS 1.3" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -CAfile '$T/ca.pem' 2>&1 | grep -q 'New, TLSv1.3, Cipher is'"

run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_no_fail
assert_exit 0
assert_jq 'vsupported("TLS 1.3")' "TLS 1.3 supported"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_jq 'vsupported("TLS 1.1") | not' "TLS 1.1 not supported"
assert_jq '.observations.connections > 0' "connections counted"
assert_jq '.observations.secure_renegotiation == true' "secure renegotiation"
assert_jq '.observations.baseline.outcome == "hello" and .observations.baseline.version == "TLS 1.3"' \
    "the baseline hello negotiated TLS 1.3"
assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0xc02f"
for id in LEGACY_PROTOCOL_ENABLED TLS13_MISSING WEAK_CIPHERS_ENABLED NO_FORWARD_SECRECY \
    RENEGOTIATION_INSECURE VERSION_INTOLERANCE SNI_REQUIRED; do
    assert_no_finding "$id"
done
finish
