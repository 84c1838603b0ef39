#!/usr/bin/env bash
# NO_SHARED_CIPHER: openssl s_server with an ECDSA P-256 certificate but only
# RSA-authenticated suites allowed (-cipher aRSA) and no TLS 1.3: no suite
# can ever be used, every hello gets handshake_failure(40).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server "" ec256
start_s_server -cipher aRSA -no_tls1_3
assert_true "s_server fails every handshake with alert 40" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -cipher 'ALL@SECLEVEL=0' 2>&1 | grep -q 'alert number 40'"

run_check "127.0.0.1:$PORT"
assert_finding NO_SHARED_CIPHER
assert_severity NO_SHARED_CIPHER fail
assert_exit 1
assert_finding_text NO_SHARED_CIPHER 'handshake_failure|40'
# the alert is explained by the specific finding
assert_no_finding SERVER_ALERT
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not reported as supported"
assert_jq '(vsuites("TLS 1.2") | length) == 0' "no TLS 1.2 suite accepted"
finish
