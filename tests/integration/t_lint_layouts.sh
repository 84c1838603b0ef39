#!/usr/bin/env bash
# tlsdiag lint on the layouts nginx is really installed with: Debian's
# nginx.conf including conf.d/*.conf (here empty: a note) and
# sites-enabled/* (a symlink into sites-available/), a server block
# including certbot's options-ssl-nginx.conf (an old one, with TLS 1.0 and
# 1.1); the same configuration read from `nginx -T` output; and an include
# loop (a clear error, exit 2).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
PORT=$(free_port tcp)
D="$T/etc-nginx"
LE="$T/letsencrypt"
mkdir -p "$D/conf.d" "$D/sites-available" "$D/sites-enabled" "$D/logs" "$D/tmp" "$LE/live/app.test"
cat "$T/app.test.pem" "$T/inter.pem" >"$LE/live/app.test/fullchain.pem"
cp "$T/app.test.key" "$LE/live/app.test/privkey.pem"
# certbot's options-ssl-nginx.conf as older certbot releases wrote it
cat >"$LE/options-ssl-nginx.conf" <<'NGX'
ssl_session_cache shared:le_nginx_SSL:10m;
ssl_session_timeout 1440m;
ssl_session_tickets off;

ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
ssl_prefer_server_ciphers off;

ssl_ciphers "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:@SECLEVEL=0";
NGX
cat >"$D/sites-available/app" <<NGX
server {
    listen 127.0.0.1:$PORT ssl;
    server_name app.test;
    ssl_certificate $LE/live/app.test/fullchain.pem; # managed by Certbot
    ssl_certificate_key $LE/live/app.test/privkey.pem; # managed by Certbot
    include $LE/options-ssl-nginx.conf; # managed by Certbot
    location / { return 200 "ok\n"; }
}
NGX
ln -s ../sites-available/app "$D/sites-enabled/app"
# Debian's nginx.conf: the test's usual one, with Debian's two includes
NGINX_NAME=etc-nginx write_nginx_conf <<'NGX'
    include conf.d/*.conf;
    include sites-enabled/*;
NGX

CASE=files
run_lint --ca-file "$T/root.pem" "$D/nginx.conf"
OPTS="$LE/options-ssl-nginx.conf"
assert_located LEGACY_PROTOCOL_ENABLED "$OPTS" "$(line_of "$OPTS" ssl_protocols)"
assert_jq '.files | length == 3' "nginx.conf, the site through its symlink and certbot's options"
assert_jq '.files | any(endswith("/sites-enabled/app"))' "the site read through sites-enabled/"
assert_jq '.notes | any(.text | test("conf.d/\\*.conf matches no file"))' "the empty conf.d/*.conf glob is a note"
assert_jq '.servers[0].session_tickets.value == "off" and (.servers[0].session_tickets.location.file | endswith("options-ssl-nginx.conf"))' \
    "session tickets off, from certbot's file"
assert_jq '.servers[0].session_cache.value == "shared:le_nginx_SSL:10m"' "the session cache"
assert_no_finding CHAIN_INCOMPLETE
cp "$OUT" "$T/files.json"

CASE=nginx-T
nginx -T -p "$D" -c "$D/nginx.conf" -e "$D/logs/error.log" 2>/dev/null >"$T/dump.txt"
echo "$ nginx -T | tlsdiag lint --json -"
"$TLSDIAG" lint --json --ca-file "$T/root.pem" - <"$T/dump.txt" >"$OUT" 2>"$T/err.txt"
RC=$?
assert_exit 0
assert_located LEGACY_PROTOCOL_ENABLED "$OPTS" "$(line_of "$OPTS" ssl_protocols)"
assert_jq '.from_nginx_T == true' "read as nginx -T output"
assert_true "the same findings at the same places as from the files" bash -c \
    "diff <(jq -c '[.findings[] | {id, location}]' '$T/files.json') <(jq -c '[.findings[] | {id, location}]' '$OUT')"

CASE=loop
mkdir -p "$T/loop"
printf 'events {}\nhttp { include a.conf; }\n' >"$T/loop/nginx.conf"
printf 'include b.conf;\n' >"$T/loop/a.conf"
printf 'server { listen 8443; }\ninclude a.conf;\n' >"$T/loop/b.conf"
run_lint "$T/loop/nginx.conf"
assert_exit 2
assert_true "the error names the loop" grep -q "include loop: .*a.conf -> .*b.conf -> .*a.conf" "$T/err.txt"

CASE=missing
run_lint "$T/no-such/nginx.conf"
assert_exit 2
assert_true "the error names the file" grep -q "no-such/nginx.conf" "$T/err.txt"
finish
