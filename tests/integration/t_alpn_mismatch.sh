#!/usr/bin/env bash
# ALPN_MISMATCH, with --alpn h2:
#   - nginx without http2 (it speaks http/1.1 only): since 1.21.4 it answers
#     a hello offering only h2 with the fatal alert no_application_protocol
#     (120): an h2-only client (gRPC) fails;
#   - openssl s_server without -alpn: the handshake completes, no protocol
#     is selected, so h2 is not what the client gets.
# And a control: nginx checked with --alpn http/1.1 selects it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test
NGINX_PORT=$PORT
start_s_server_cert app.test app.test -cert_chain "$T/inter.pem"
S_PORT=$PORT

assert_true "nginx, ALPN h2 only: alert no_application_protocol (120)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$NGINX_PORT -servername app.test -alpn h2 2>&1 | grep -q 'alert number 120'"
assert_true "nginx, ALPN h2,http/1.1: http/1.1 selected" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$NGINX_PORT -servername app.test -alpn h2,http/1.1 2>&1 | grep -q 'ALPN protocol: http/1.1'"
assert_true "s_server, ALPN h2: handshake without ALPN" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$S_PORT -servername app.test -alpn h2 2>&1 | grep -q 'No ALPN negotiated'"

CASE="nginx, --alpn h2"
run_check --alpn h2 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$NGINX_PORT"
assert_finding ALPN_MISMATCH
assert_severity ALPN_MISMATCH fail
assert_exit 1
assert_finding_text ALPN_MISMATCH 'no_application_protocol|120'
assert_jq '.observations.handshake.completed == false' "the handshake fails"
assert_jq '.observations.handshake.alert_received.code == 120' "alert 120 received"
assert_no_finding SERVER_ALERT

CASE="s_server, --alpn h2"
run_check --alpn h2 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$S_PORT"
assert_finding ALPN_MISMATCH
assert_finding_text ALPN_MISMATCH 'h2'
assert_jq '.observations.handshake.completed == true and .observations.handshake.alpn == null' \
    "the handshake completes with no protocol selected"

CASE="nginx, --alpn http/1.1 (control)"
run_check --alpn http/1.1 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$NGINX_PORT"
assert_no_finding ALPN_MISMATCH
assert_jq '.observations.handshake.alpn == "http/1.1"' "http/1.1 selected"
assert_no_fail
finish
