#!/usr/bin/env bash
# RESUMPTION_BROKEN: nginx with `ssl_session_cache none; ssl_session_tickets
# off;`: it tells clients sessions may be reused (a session ID in TLS 1.2, a
# stateful ticket in TLS 1.3) but stores nothing, so no resumption ever
# works.  Control: nginx with its defaults (tickets on) resumes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
cat_pem app.test inter >"$T/served.pem"
NGINX_NAME=broken start_nginx_tls "$T/served.pem" app.test "ssl_session_cache none; ssl_session_tickets off;"
BROKEN_PORT=$PORT
NGINX_NAME=good start_nginx_tls "$T/served.pem" app.test
GOOD_PORT=$PORT

# resume PORT VERSION: "NEW-then-STATE" of a fresh and a resumed handshake
resume_try() {
    local port=$1 v=$2
    (sleep 0.5) | timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername app.test "$v" \
        -sess_out "$T/sess$port$v" >"$T/first$port$v.txt" 2>&1
    (sleep 0.5) | timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername app.test "$v" \
        -sess_in "$T/sess$port$v" >"$T/second$port$v.txt" 2>&1
}
for v in -tls1_2 -tls1_3; do
    resume_try "$BROKEN_PORT" "$v"
    resume_try "$GOOD_PORT" "$v"
done
assert_true "broken, TLS 1.2: a session ID is issued" \
    grep -qE '^ +Session-ID: [0-9A-F]{64}' "$T/first$BROKEN_PORT-tls1_2.txt"
assert_true "broken, TLS 1.2: offering it again gives a new session" grep -q '^New, TLSv1.2' "$T/second$BROKEN_PORT-tls1_2.txt"
assert_true "broken, TLS 1.3: a ticket is issued" grep -q 'TLS session ticket:' "$T/first$BROKEN_PORT-tls1_3.txt"
assert_true "broken, TLS 1.3: offering it gives a new session" grep -q '^New, TLSv1.3' "$T/second$BROKEN_PORT-tls1_3.txt"
assert_true "control, TLS 1.2: resumed" grep -q '^Reused, TLSv1.2' "$T/second$GOOD_PORT-tls1_2.txt"
assert_true "control, TLS 1.3: resumed" grep -q '^Reused, TLSv1.3' "$T/second$GOOD_PORT-tls1_3.txt"

CASE="session cache none, tickets off"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$BROKEN_PORT"
assert_finding RESUMPTION_BROKEN
assert_jq '.observations.handshake.ticket == true or .observations.handshake.session_id == true' \
    "the first handshake offered a ticket or session ID"
assert_jq '.observations.handshake_resume.completed == true and .observations.handshake_resume.resumed == false' \
    "the second handshake completed without resuming"
assert_no_finding INCONSISTENT_BACKENDS

CASE="defaults (control)"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$GOOD_PORT"
assert_no_finding RESUMPTION_BROKEN
assert_jq '.observations.handshake_resume.resumed == true' "the second handshake resumed"
assert_no_fail
finish
