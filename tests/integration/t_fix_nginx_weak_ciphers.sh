#!/usr/bin/env bash
# Fix advice for WEAK_CIPHERS_ENABLED, applied: nginx (TLS 1.2 and 1.3)
# whose ssl_ciphers list also holds NULL-SHA256 (no encryption; this
# OpenSSL has no 3DES, RC4 or DES).  The test takes the ssl_ciphers
# directive from the finding's fix text, puts it into the config, restarts
# nginx, checks again (the finding is gone) and runs the finding's verify
# command from the first report against the fixed server.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_leaf server
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/server-chain.pem;
        ssl_certificate_key $T/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:@SECLEVEL=0;
        location / { return 200 "ok\n"; }
    }
NGX
NGINX_PID=$BG_PID
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "nginx accepts NULL-SHA256" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'NULL-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Cipher is NULL-SHA256'"

CASE=faulty
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding WEAK_CIPHERS_ENABLED
assert_finding_text WEAK_CIPHERS_ENABLED 'NULL'
cp "$OUT" "$T/before.json"
run_verify WEAK_CIPHERS_ENABLED "$T/before.json"
assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
fix_directive nginx WEAK_CIPHERS_ENABLED "$T/before.json"
assert_true "the nginx advice is an ssl_ciphers directive with a list" grep -qE '^ssl_ciphers [A-Za-z0-9-]+' <<<"$FIX_DIRECTIVE"

CASE=fixed
nginx_apply "$NGINX_DIR/nginx.conf" "$FIX_DIRECTIVE"
restart_nginx "$PORT"
assert_true "nginx no longer accepts NULL-SHA256" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'NULL-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Cipher is (NONE)'"
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_no_finding WEAK_CIPHERS_ENABLED
assert_no_finding WEAK_CIPHERS_ONLY
assert_no_fail
assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])' \
    "TLS 1.2 suites still include 0xc02f"
assert_verify_ok WEAK_CIPHERS_ENABLED "$T/before.json"
finish
