#!/usr/bin/env bash
# SNI_REQUIRED: nginx whose default server rejects handshakes
# (ssl_reject_handshake on) and whose app.test server has the certificate:
# the handshake fails without SNI and works with SNI app.test.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_leaf app.test "DNS:app.test"
start_nginx_sni_only app.test
assert_true "no SNI: handshake rejected" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -noservername 2>&1 | grep -q 'alert'"
assert_true "SNI app.test: handshake works" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test 2>&1 | grep -q 'New, TLSv1.3, Cipher is'"

run_check --sni app.test --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding SNI_REQUIRED
assert_exit_consistent
assert_jq 'vsupported("TLS 1.3")' "TLS 1.3 supported (with SNI)"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported (with SNI)"
assert_jq '.observations.baseline.outcome == "hello" and .observations.baseline.sni == true' "the hello with SNI was answered"
assert_jq '.observations.no_sni.outcome == "alert" and .observations.no_sni.sni == false' "the hello without SNI got an alert"
assert_no_finding SERVER_ALERT
assert_no_finding HOSTNAME_MISMATCH
finish
