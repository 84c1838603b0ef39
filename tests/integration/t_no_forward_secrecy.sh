#!/usr/bin/env bash
# NO_FORWARD_SECRECY: openssl s_server with only RSA key exchange suites
# (AES128-GCM-SHA256, AES256-SHA) and no TLS 1.3.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server
start_s_server -no_tls1_3 -cipher 'AES128-GCM-SHA256:AES256-SHA'
assert_true "s_server refuses ECDHE" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -cipher 'ECDHE:DHE' 2>&1 | grep -q 'alert'"
run_check "127.0.0.1:$PORT"
assert_finding NO_FORWARD_SECRECY
assert_severity NO_FORWARD_SECRECY warn
assert_no_finding NO_SHARED_CIPHER
assert_jq 'vsuites("TLS 1.2") | has_code(156; ["TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0x009c"
assert_jq 'vsuites("TLS 1.2") | has_code(53; ["TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"])' \
    "TLS 1.2 suites include 0x0035"
assert_jq '(vsuites("TLS 1.2") | length) == 2' "exactly two TLS 1.2 suites"
assert_jq 'vsupported("TLS 1.3") | not' "TLS 1.3 not supported"
finish
