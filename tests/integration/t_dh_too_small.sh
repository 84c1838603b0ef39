#!/usr/bin/env bash
# DH_TOO_SMALL: openssl s_server with DHE only and a 1024-bit group (the
# RFC 2409 Oakley group 2 prime), which OpenSSL clients at their default
# security level refuse.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server
make_dh1024 "$T/dh1024.pem"
start_s_server -no_tls1_3 -cipher 'DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0' -dhparam "$T/dh1024.pem"
assert_true "s_server uses a 1024-bit DH group" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -cipher 'DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Server Temp Key: DH, 1024 bits'"
assert_true "a default OpenSSL client refuses it" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT 2>&1 | grep -q 'dh key too small'"
run_check "127.0.0.1:$PORT"
assert_finding DH_TOO_SMALL
assert_finding_text DH_TOO_SMALL '1024'
assert_exit_consistent
assert_jq '.observations.dh_bits.min == 1024' "dh_bits.min is 1024"
assert_jq 'vsuites("TLS 1.2") | has_code(158; ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0x009e"
finish
