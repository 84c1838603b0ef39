#!/usr/bin/env bash
# CLIENT_CERT_REQUIRED: openssl s_server -Verify 1 (TLS 1.2), requiring a
# client certificate from the test CA; the CA's name must be listed.  With
# --cert the certificate is sent; to a server that never asks it is not, and
# no CLIENT_CERT_REQUIRED is reported.
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

# The same client certificate against a server that never asks for one:
# it is not sent, and there is nothing about mutual TLS to report.
make_leaf_signed_by ca client eku=clientAuth
CASE="--cert, server asks"
run_check --cert "$T/client.pem" --key "$T/client.key" --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding CLIENT_CERT_REQUIRED
assert_jq '.observations.handshake_client_cert.client_cert_requested == true' "the server asked for it"
assert_jq '.observations.handshake_client_cert.client_cert_sent == true' "it was sent"
stop_all

CASE="--cert, server does not ask"
start_s_server -no_tls1_3
run_check --cert "$T/client.pem" --key "$T/client.key" --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_no_finding CLIENT_CERT_REQUIRED
assert_jq '.observations.handshake_client_cert.completed == true' "the handshake with --cert completes"
assert_jq '.observations.handshake_client_cert.client_cert_requested == false' "the server did not ask"
assert_jq '.observations.handshake_client_cert.client_cert_sent == false' "so the certificate was not sent"
run_check_text() { "$TLSDIAG" check -v --no-color --timeout 2 "$@" 2>&1; }
assert_true "the text report says it was not sent" grep -q 'Client cert  *not requested: the --cert given was not sent' \
    <<<"$(run_check_text --cert "$T/client.pem" --key "$T/client.key" --ca-file "$T/ca.pem" "127.0.0.1:$PORT")"
finish
