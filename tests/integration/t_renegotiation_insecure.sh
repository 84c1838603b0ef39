#!/usr/bin/env bash
# RENEGOTIATION_INSECURE: servers without RFC 5746 secure renegotiation.
#   1. fake_tls.py noreneg: ServerHello never has renegotiation_info
#   2. gnutls-serv with %DISABLE_SAFE_RENEGOTIATION (also offers TLS 1.3)
# gnutls-serv listens on every address: run in a private network namespace.
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

CASE=fake-noreneg
start_fake noreneg --cert "$T/server.der"
assert_true "OpenSSL sees no secure renegotiation" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Secure Renegotiation IS NOT supported'"
run_check "127.0.0.1:$PORT"
assert_finding RENEGOTIATION_INSECURE
assert_exit_consistent
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_jq '.observations.secure_renegotiation == false' "secure_renegotiation is false"
assert_jq 'vsuites("TLS 1.2") | has_code(156; ["TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0x009c"
stop_bg "$BG_PID"

CASE=gnutls
need_cmd gnutls-serv
start_gnutls 'NORMAL:%DISABLE_SAFE_RENEGOTIATION'
assert_true "OpenSSL sees no secure renegotiation" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -legacy_server_connect 2>&1 | grep -q 'Secure Renegotiation IS NOT supported'"
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding RENEGOTIATION_INSECURE
assert_exit_consistent
assert_jq '.observations.secure_renegotiation == false' "secure_renegotiation is false"
assert_jq 'vsupported("TLS 1.3")' "TLS 1.3 supported"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
finish
