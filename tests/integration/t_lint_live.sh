#!/usr/bin/env bash
# tlsdiag lint --live: the configuration against the running nginx.  Its
# defaults (no ssl_protocols) as the linked OpenSSL makes them agree with
# what check sees; a configuration edited without a reload (another
# certificate, other versions) gives CONFIG_LIVE_MISMATCH at those lines;
# a restart clears it; a stopped nginx gives one at the listen line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
make_leaf_signed_by inter renewed sans="DNS:app.test,DNS:localhost,IP:127.0.0.1"
cat "$T/app.test.pem" "$T/inter.pem" >"$T/app.test-full.pem"
cat "$T/renewed.pem" "$T/inter.pem" >"$T/renewed-full.pem"
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name app.test;
        ssl_certificate $T/app.test-full.pem;
        ssl_certificate_key $T/app.test.key;
        location / { return 200 "ok\n"; }
    }
NGX
NGINX_PID=$BG_PID
wait_port "$PORT" 10 || die "nginx did not start"
CONF="$NGINX_DIR/nginx.conf"

CASE=defaults
run_lint --live --ca-file "$T/root.pem" "$CONF"
assert_no_finding CONFIG_LIVE_MISMATCH
assert_jq '.servers[0].protocols.default == true' "nginx's default ssl_protocols applies"
assert_jq '.servers[0].versions | index("TLSv1") == null' "TLS 1.0 is not negotiable at OpenSSL's security level, whatever the default says"
assert_exit_consistent

CASE=edited
sed -i -e "s|ssl_certificate $T/app.test-full.pem;|ssl_certificate $T/renewed-full.pem;|" \
    -e "s|ssl_certificate_key $T/app.test.key;|ssl_certificate_key $T/renewed.key;\n        ssl_protocols TLSv1.3;|" "$CONF"
assert_true "nginx -t accepts the edited configuration" nginx_test "$CONF"
run_lint --live --ca-file "$T/root.pem" "$CONF"
assert_located CONFIG_LIVE_MISMATCH "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"
assert_located CONFIG_LIVE_MISMATCH "$CONF" "$(line_of "$CONF" ssl_protocols)"
assert_finding_text CONFIG_LIVE_MISMATCH 'accepted: TLSv1.2;'
assert_severity CONFIG_LIVE_MISMATCH fail
assert_exit 1
run_lint --live=127.0.0.1 --ca-file "$T/root.pem" "$CONF"
assert_located CONFIG_LIVE_MISMATCH "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"

CASE=reloaded
restart_nginx "$PORT"
run_lint --live --ca-file "$T/root.pem" "$CONF"
assert_no_finding CONFIG_LIVE_MISMATCH
assert_exit 0

CASE=stopped
stop_bg "$NGINX_PID"
run_lint --live --ca-file "$T/root.pem" "$CONF"
assert_located CONFIG_LIVE_MISMATCH "$CONF" "$(line_of "$CONF" listen)"
assert_finding_text CONFIG_LIVE_MISMATCH 'No TLS handshake completes'
finish
