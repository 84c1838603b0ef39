#!/usr/bin/env bash
# NO_SHARED_GROUP: key exchange impossible for a modern client because no
# group overlaps.
#   1. openssl s_server -tls1_3 -groups ffdhe2048: a TLS 1.3 client offering
#      x25519/secp256r1/secp384r1 shares no group with it
#   2. openssl s_server, TLS 1.2 ECDHE only, on brainpoolP256r1 only
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

CASE=tls13-ffdhe2048
start_s_server -tls1_3 -groups ffdhe2048
assert_true "s_server refuses x25519/P-256/P-384" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -groups X25519:P-256:P-384 2>&1 | grep -q 'alert'"
assert_true "s_server accepts ffdhe2048" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -groups ffdhe2048 2>&1 | grep -q 'Server Temp Key: DH, 2048 bits'"
run_check "127.0.0.1:$PORT"
assert_finding NO_SHARED_GROUP
assert_severity NO_SHARED_GROUP fail
assert_exit 1
assert_finding_text NO_SHARED_GROUP 'ffdhe2048'
assert_jq '.observations.groups | has_code(256; ["ffdhe2048"])' "groups include ffdhe2048"
assert_jq '(.observations.groups | length) == 1' "exactly one group"
assert_no_finding NO_SHARED_CIPHER
stop_bg "$BG_PID"

CASE=tls12-brainpool
start_s_server -no_tls1_3 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups brainpoolP256r1
assert_true "s_server refuses the default client" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT 2>&1 | grep -q 'alert'"
assert_true "s_server accepts brainpoolP256r1" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -groups brainpoolP256r1 2>&1 | grep -q 'Server Temp Key: ECDH, brainpoolP256r1'"
run_check "127.0.0.1:$PORT"
assert_finding NO_SHARED_GROUP
assert_severity NO_SHARED_GROUP fail
assert_exit 1
assert_jq '.observations.groups | has_code(26; ["brainpoolP256r1", "brainpoolP256r1tls13"])' \
    "groups include brainpoolP256r1 (26)"
assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0xc02f"
finish
