#!/usr/bin/env bash
# CLIENT_CERT_REQUIRED over TLS 1.3 (the CertificateRequest is encrypted, so
# only the full handshake sees it), and what happens to a client certificate:
#   - nginx, TLS 1.3 only, ssl_verify_client on: requested, CA listed;
#   - openssl s_server -Verify 1 -verify_return_error, TLS 1.3 only:
#     without a certificate (alert certificate_required), with one from the
#     accepted CA (accepted), and with one from another CA (alert unknown_ca).
# The t_client_cert_required.sh test covers TLS 1.2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
make_root clientca "tlsdiag mTLS Client CA"
make_leaf_signed_by clientca alice eku=clientAuth "sans=email:alice@example.test"
make_root rogue "tlsdiag Rogue CA"
make_leaf_signed_by rogue mallory eku=clientAuth "sans=email:mallory@example.test"
cat_pem app.test inter >"$T/served.pem"

NGINX_PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $T/served.pem;
        ssl_certificate_key $T/app.test.key;
        ssl_verify_client on;
        ssl_client_certificate $T/clientca.pem;
        location / { return 200 "hello \$ssl_client_s_dn\n"; }
    }
NGX
wait_port "$NGINX_PORT" 10 || die "nginx did not start"
start_s_server_cert app.test app.test -cert_chain "$T/inter.pem" -tls1_3 -Verify 1 -verify_return_error -CAfile "$T/clientca.pem"
S_PORT=$PORT

# s_client_wait PORT OUTFILE ARGS...: one TLS 1.3 handshake that stays half a
# second, long enough to read an alert sent after the client's Finished.
s_client_wait() {
    local port=$1 out=$2
    shift 2
    (sleep 0.5) | timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername app.test "$@" >"$out" 2>&1
}
s_client_wait "$NGINX_PORT" "$T/sc-nginx12.txt" -tls1_2
s_client_wait "$NGINX_PORT" "$T/sc-nginx.txt"
s_client_wait "$S_PORT" "$T/sc-none.txt"
s_client_wait "$S_PORT" "$T/sc-alice.txt" -cert "$T/alice.pem" -key "$T/alice.key"
s_client_wait "$S_PORT" "$T/sc-mallory.txt" -cert "$T/mallory.pem" -key "$T/mallory.key"
assert_true "nginx: TLS 1.2 refused" grep -q 'alert protocol version' "$T/sc-nginx12.txt"
assert_true "nginx: asks for a client certificate from the client CA" \
    grep -A1 -q 'Acceptable client certificate CA names' "$T/sc-nginx.txt"
assert_true "nginx: ... listing the client CA" grep -q '^O = tlsdiag tests, CN = tlsdiag mTLS Client CA' "$T/sc-nginx.txt"
assert_true "s_server without a certificate: alert certificate_required (116)" grep -q 'alert number 116' "$T/sc-none.txt"
assert_true "s_server with alice (client CA): TLS 1.3 handshake" grep -q 'New, TLSv1.3' "$T/sc-alice.txt"
assert_true "s_server with alice: no alert" bash -c "! grep -q 'alert number' '$T/sc-alice.txt'"
assert_true "s_server with mallory (rogue CA): alert unknown_ca (48)" grep -q 'alert number 48' "$T/sc-mallory.txt"

CASE="nginx, no certificate"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$NGINX_PORT"
assert_finding CLIENT_CERT_REQUIRED
assert_finding_text CLIENT_CERT_REQUIRED 'tlsdiag mTLS Client CA'
assert_jq '.observations.handshake.version == "TLS 1.3"' "TLS 1.3 handshake"
assert_jq '.observations.handshake.client_cert_requested == true' "the TLS 1.3 CertificateRequest was seen"
assert_jq '.observations.handshake.ca_names | any(test("CN=tlsdiag mTLS Client CA"))' "ca_names lists the client CA"
assert_jq 'vunsupported("TLS 1.2")' "TLS 1.2 refused"

CASE="s_server, no certificate"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$S_PORT"
assert_finding CLIENT_CERT_REQUIRED
assert_finding_text CLIENT_CERT_REQUIRED 'tlsdiag mTLS Client CA'
assert_jq '.observations.handshake.client_cert_requested == true' "the CertificateRequest was seen"
assert_jq '.observations.handshake.alert_received.code == 116' "the server answered certificate_required (116)"
assert_no_finding CHAIN_INCOMPLETE

CASE="s_server, --cert from the client CA"
run_check --cert "$T/alice.pem" --key "$T/alice.key" --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$S_PORT"
assert_finding CLIENT_CERT_REQUIRED
assert_finding_text CLIENT_CERT_REQUIRED 'accepted'
assert_jq '.observations.handshake_client_cert.client_cert_sent == true' "the certificate was sent"
assert_jq '.observations.handshake_client_cert.completed == true' "the handshake with it completes"
assert_jq '.observations.handshake_client_cert | .alert_received == null or .alert_received.code == 0' \
    "no alert but, at most, close_notify"
assert_jq '.observations.handshake_client_cert.client_cert_requested == true' "the server asked for it"
assert_jq '[findings_with("CLIENT_CERT_REQUIRED")[] | select(.severity == "fail")] | length == 0' \
    "an accepted certificate is no failure"

CASE="s_server, --cert from another CA"
run_check --cert "$T/mallory.pem" --key "$T/mallory.key" --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$S_PORT"
assert_finding CLIENT_CERT_REQUIRED
assert_finding_text CLIENT_CERT_REQUIRED 'unknown_ca|unknown ca'
assert_finding_text CLIENT_CERT_REQUIRED 'reject|refuse'
assert_jq '.observations.handshake_client_cert.client_cert_sent == true' "the certificate was sent"
assert_jq '.observations.handshake_client_cert.completed != true' "the handshake with it fails"
assert_jq '.observations.handshake_client_cert.alert_received.code == 48' "alert unknown_ca (48)"
finish
