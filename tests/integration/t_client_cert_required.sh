#!/usr/bin/env bash
# CLIENT_CERT_REQUIRED: openssl s_server -Verify 1 (TLS 1.2), requiring a
# client certificate from the test CA; the CA's name must be listed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_ca "tlsdiag mTLS Client CA"
make_leaf server
start_s_server -no_tls1_3 -Verify 1 -CAfile "$T/ca.pem"
assert_true "s_server sends a CertificateRequest" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -msg 2>&1 | grep -q 'CertificateRequest'"

run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding CLIENT_CERT_REQUIRED
assert_finding_text CLIENT_CERT_REQUIRED 'tlsdiag mTLS Client CA'
assert_exit_consistent
assert_jq '.observations.client_cert_request.requested == true' "a CertificateRequest was seen"
assert_jq '.observations.client_cert_request.ca_names == ["CN=tlsdiag mTLS Client CA,O=tlsdiag tests"]' \
    "ca_names lists the CA (RFC 2253)"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
finish
