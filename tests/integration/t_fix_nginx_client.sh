#!/usr/bin/env bash
# Fix advice for CLIENT_INCOMPATIBLE, applied: nginx speaking only TLS 1.3
# fails the Java 8 profile.  The test takes the nginx directive from the
# advice of Java 8's finding, puts it into the config, restarts nginx and
# checks again: Java 8 gets through and its finding is gone; the finding's
# verify command (an s_client line imitating Java 8) fails against the
# faulty server and succeeds against the fixed one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
need_clients java-8
make_leaf server
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/server-chain.pem;
        ssl_certificate_key $T/server.key;
        ssl_protocols TLSv1.3;
        location / { return 200 "ok\n"; }
    }
NGX
NGINX_PID=$BG_PID
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "nginx refuses TLS 1.2" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Cipher is (NONE)'"

CASE=faulty
run_check --client java-8 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_client java-8 fail
assert_client_reason java-8 version
cp "$OUT" "$T/before.json"
verify=$(client_finding_field java-8 verify)
[ -n "$verify" ] || die "the CLIENT_INCOMPATIBLE finding about java-8 has no verify command"
run_verify_cmd java-8 "$verify"
assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
# fix_directive reads the first CLIENT_INCOMPATIBLE: with --client java-8 it is Java 8's.
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE")] | length == 1' "one CLIENT_INCOMPATIBLE (java-8)"
fix_directive nginx CLIENT_INCOMPATIBLE "$T/before.json"
assert_true "the nginx advice is an ssl_protocols directive with TLSv1.2" grep -qE '^ssl_protocols .*TLSv1\.2' <<<"$FIX_DIRECTIVE"

CASE=fixed
nginx_apply "$NGINX_DIR/nginx.conf" "$FIX_DIRECTIVE"
restart_nginx "$PORT"
run_check --client java-8 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_client java-8 ok
assert_no_finding CLIENT_INCOMPATIBLE
assert_jq 'vsupported("TLS 1.3")' "TLS 1.3 still supported"
run_verify_cmd java-8 "$verify"
_ASSERTS=$((_ASSERTS + 1))
if [ "$VERIFY_RC" = 0 ] && grep -qE 'Cipher is [A-Z]' "$T/verify.out" && ! grep -q 'Cipher is (NONE)' "$T/verify.out"; then
    _pass "the java-8 verify command completes a handshake against the fixed server"
else
    _fail "expected the java-8 verify command to complete a handshake" "$(tail -n 12 "$T/verify.out")"
fi
finish
