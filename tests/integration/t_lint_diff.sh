#!/usr/bin/env bash
# tlsdiag lint --diff, applied: nginx with certbot's cert.pem instead of
# fullchain.pem, TLS 1.0 and 1.1 on, and a proxy_pass https:// to an
# upstream that refuses hellos without SNI (ssl_reject_handshake in its
# default server).  `tlsdiag check` and curl see the faults live; the
# patch from --diff is applied with patch(1), nginx restarted, and the
# faults are gone live.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
need_cmd patch
need_cmd curl
make_ca_tree root inter
make_leaf_signed_by inter app.test
LIVE="$T/letsencrypt/live/app.test"
mkdir -p "$LIVE"
cp "$T/app.test.pem" "$LIVE/cert.pem"
cp "$T/inter.pem" "$LIVE/chain.pem"
cat "$T/app.test.pem" "$T/inter.pem" >"$LIVE/fullchain.pem"
cp "$T/app.test.key" "$LIVE/privkey.pem"
PORT=$(free_port tcp)
UP=$(free_port tcp)
WEB=$(free_port tcp)
start_nginx <<NGX
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0;
    upstream app.test {
        server 127.0.0.1:$UP;
    }
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name app.test;
        ssl_certificate $LIVE/cert.pem;
        ssl_certificate_key $LIVE/privkey.pem;
        location / { return 200 "tls\n"; }
    }
    server {
        listen 127.0.0.1:$UP ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen 127.0.0.1:$UP ssl;
        server_name app.test;
        ssl_certificate $LIVE/fullchain.pem;
        ssl_certificate_key $LIVE/privkey.pem;
        location / { return 200 "upstream\n"; }
    }
    server {
        listen 127.0.0.1:$WEB;
        location / {
            proxy_pass https://app.test;
        }
    }
NGX
NGINX_PID=$BG_PID
wait_port "$PORT" 10 || die "nginx did not start"
wait_port "$WEB" 10 || die "nginx did not start"
CONF="$NGINX_DIR/nginx.conf"

CASE=faulty
assert_true "the proxy answers 502: the upstream wants SNI" \
    bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$WEB/)\" = 502 ]"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_INCOMPLETE
assert_finding LEGACY_PROTOCOL_ENABLED
run_lint --ca-file "$T/root.pem" "$CONF"
assert_located CHAIN_INCOMPLETE "$CONF" "$(line_of "$CONF" 'ssl_certificate .*/cert.pem')"
assert_located LEGACY_PROTOCOL_ENABLED "$CONF" "$(line_of "$CONF" ssl_protocols)"
assert_located CONFIG_UPSTREAM_NO_SNI "$CONF" "$(line_of "$CONF" proxy_pass)"
assert_jq '.findings[] | select(.id == "CHAIN_INCOMPLETE") | .edit.text | endswith("/fullchain.pem;")' \
    "the edit points ssl_certificate at certbot's fullchain.pem"

"$TLSDIAG" lint --diff --ca-file "$T/root.pem" "$CONF" >"$T/fix.diff"
echo "  the patch:"
sed 's/^/    /' "$T/fix.diff"
assert_true "the patch applies with patch -p0 in the configuration's directory" \
    bash -c "cd '$NGINX_DIR' && patch -p0 <'$T/fix.diff' >'$T/patch.out' 2>&1"
assert_true "nginx -t accepts the patched configuration" nginx_test "$CONF"

CASE=fixed
restart_nginx "$PORT"
wait_port "$WEB" 10 || die "nginx did not restart"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding LEGACY_PROTOCOL_ENABLED
assert_no_fail
assert_true "the proxy answers 200 through the upstream" \
    bash -c "[ \"\$(curl -s http://127.0.0.1:$WEB/)\" = upstream ]"
run_lint --ca-file "$T/root.pem" "$CONF"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding CONFIG_UPSTREAM_NO_SNI
assert_no_finding LEGACY_PROTOCOL_ENABLED
finish
