#!/usr/bin/env bash
# Fix advice for PROTOCOL_TOO_OLD, applied: nginx with `ssl_protocols TLSv1;`
# (TLS 1.0 only).  The test takes the nginx directive from the finding's
# fix text, puts it into the server's config, restarts nginx, checks again
# (the finding is gone) and runs the finding's verify command from the
# first report against the fixed server (it completes a handshake).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_leaf server
PORT=$(free_port tcp)
# OpenSSL 3 allows TLS 1.0 only at security level 0 (SHA-1 signatures).
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/server-chain.pem;
        ssl_certificate_key $T/server.key;
        ssl_protocols TLSv1;
        ssl_ciphers DEFAULT:@SECLEVEL=0;
        location / { return 200 "ok\n"; }
    }
NGX
NGINX_PID=$BG_PID
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "nginx speaks TLS 1.0" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1 | grep -q 'Protocol *: TLSv1\$'"
assert_true "nginx refuses TLS 1.2" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Cipher is (NONE)'"

CASE=faulty
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding PROTOCOL_TOO_OLD
assert_exit 1
cp "$OUT" "$T/before.json"
run_verify PROTOCOL_TOO_OLD "$T/before.json"
assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
fix_directive nginx PROTOCOL_TOO_OLD "$T/before.json"
assert_true "the nginx advice is an ssl_protocols directive" grep -q '^ssl_protocols ' <<<"$FIX_DIRECTIVE"

CASE=fixed
nginx_apply "$NGINX_DIR/nginx.conf" "$FIX_DIRECTIVE"
restart_nginx "$PORT"
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_no_finding PROTOCOL_TOO_OLD
assert_no_finding LEGACY_PROTOCOL_ENABLED
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported after the fix"
assert_verify_ok PROTOCOL_TOO_OLD "$T/before.json"
finish
