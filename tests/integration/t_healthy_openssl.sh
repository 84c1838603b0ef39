#!/usr/bin/env bash
# A healthy server for contrast: openssl s_server with its defaults (TLS 1.2
# and 1.3 at security level 1) and a CA-signed certificate.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server
start_s_server -cert_chain "$T/ca.pem"
assert_true "s_server negotiates TLS 1.3" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -CAfile '$T/ca.pem' 2>&1 | grep -q 'New, TLSv1.3, Cipher is'"

run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_no_fail
assert_exit 0
assert_jq 'vsupported("TLS 1.3")' "TLS 1.3 supported"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_jq 'vsupported("SSLv3") | not' "SSLv3 not supported"
assert_jq '.observations.connections > 0' "connections counted"
assert_jq '.observations.secure_renegotiation == true' "secure renegotiation"
assert_jq '.observations.baseline.outcome == "hello" and .observations.baseline.version == "TLS 1.3"' \
    "the baseline hello negotiated TLS 1.3"
for id in TLS13_MISSING NO_FORWARD_SECRECY RENEGOTIATION_INSECURE VERSION_INTOLERANCE \
    NO_SHARED_CIPHER SERVER_ALERT; do
    assert_no_finding "$id"
done
finish
