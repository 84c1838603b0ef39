#!/usr/bin/env bash
# TLS13_MISSING: servers without TLS 1.3.
#   1. openssl s_server -no_tls1_3 (TLS 1.2 only)
#   2. nginx with ssl_protocols TLSv1.2 (before 1.23.4, nginx's default list
#      did not include TLSv1.3 either)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

CASE=s_server
start_s_server -no_tls1_3
assert_true "s_server refuses TLS 1.3" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_3 2>&1 | grep -q 'alert protocol version'"
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding TLS13_MISSING
assert_no_finding PROTOCOL_TOO_OLD
assert_no_finding VERSION_INTOLERANCE
assert_no_fail
assert_exit 0
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_jq 'vsupported("TLS 1.3") | not' "TLS 1.3 not supported"
stop_bg "$BG_PID"

CASE=nginx
need_cmd nginx
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/server-chain.pem;
        ssl_certificate_key $T/server.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "nginx refuses TLS 1.3" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_3 2>&1 | grep -q 'alert protocol version'"
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding TLS13_MISSING
assert_no_fail
assert_exit 0
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_jq 'vsupported("TLS 1.3") | not' "TLS 1.3 not supported"
finish
