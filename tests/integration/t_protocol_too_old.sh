#!/usr/bin/env bash
# PROTOCOL_TOO_OLD: servers whose newest version is below TLS 1.2.
#   1. openssl s_server -tls1 (TLS 1.0 only)
#   2. fake_tls.py sslv3 (an SSLv3-only server)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

CASE=s_server-tls1
start_s_server -tls1 -cipher 'DEFAULT@SECLEVEL=0'
assert_true "s_server speaks TLS 1.0" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1 | grep -q 'Protocol *: TLSv1\$'"
run_check "127.0.0.1:$PORT"
assert_finding PROTOCOL_TOO_OLD
assert_severity PROTOCOL_TOO_OLD fail
assert_exit 1
assert_jq 'vsupported("TLS 1.0")' "TLS 1.0 supported"
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not supported"
assert_jq 'vsupported("TLS 1.3") | not' "TLS 1.3 not supported"
assert_no_finding VERSION_INTOLERANCE
stop_bg "$BG_PID"

CASE=fake-sslv3
start_fake sslv3 --cert "$T/server.der"
run_check "127.0.0.1:$PORT"
assert_finding PROTOCOL_TOO_OLD
assert_severity PROTOCOL_TOO_OLD fail
assert_exit 1
assert_jq 'vsupported("SSLv3")' "SSLv3 supported"
assert_jq 'vsupported("TLS 1.0") | not' "TLS 1.0 not supported (the server answers SSLv3)"
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not supported"
assert_jq 'vsuites("SSLv3") | has_code(10; ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "SSL_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"])' \
    "SSLv3 suites include 0x000a"
finish
