#!/usr/bin/env bash
# WEAK_CIPHERS_ENABLED: strong and weak suites side by side.
#   1. openssl s_server: ECDHE-RSA-AES128-GCM-SHA256 and NULL-SHA256 (no
#      encryption; this OpenSSL has no 3DES/RC4/DES)
#   2. gnutls-serv: ECDHE-RSA AES-128-GCM and RSA 3DES-CBC
# gnutls-serv listens on every address: run in a private network namespace.
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

CASE=s_server-null
start_s_server -no_tls1_3 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:@SECLEVEL=0'
assert_true "s_server accepts NULL-SHA256" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -cipher 'NULL-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Cipher *: NULL-SHA256'"
run_check "127.0.0.1:$PORT"
assert_finding WEAK_CIPHERS_ENABLED
assert_severity WEAK_CIPHERS_ENABLED warn
assert_no_finding WEAK_CIPHERS_ONLY
assert_finding_text WEAK_CIPHERS_ENABLED 'NULL'
assert_jq 'vsuites("TLS 1.2") | has_code(59; ["TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256"])' \
    "TLS 1.2 suites include 0x003b"
assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0xc02f"
assert_jq '(vsuites("TLS 1.2") | length) == 2' "exactly two TLS 1.2 suites"
stop_bg "$BG_PID"

CASE=gnutls-3des
need_cmd gnutls-serv
start_gnutls 'NONE:+VERS-TLS1.2:+AES-128-GCM:+3DES-CBC:+ECDHE-RSA:+RSA:+AEAD:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL'
run_check "127.0.0.1:$PORT"
assert_finding WEAK_CIPHERS_ENABLED
assert_severity WEAK_CIPHERS_ENABLED warn
assert_no_finding WEAK_CIPHERS_ONLY
assert_finding_text WEAK_CIPHERS_ENABLED '3DES|DES-CBC3|SWEET32'
assert_jq 'vsuites("TLS 1.2") | has_code(10; ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"])' \
    "TLS 1.2 suites include 0x000a"
assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0xc02f"
finish
