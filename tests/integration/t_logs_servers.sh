#!/usr/bin/env bash
# tlsdiag logs on the logs real nginx, Apache httpd and HAProxy write while
# bad clients connect: TLS 1.0 only, no SNI, clients that do not trust the
# server's CA, no client certificate, plain HTTP.  The summary must count
# what the test sent, by cause and by client; the same log gzipped, on
# standard input and as a journald export counts the same.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx haproxy curl /usr/sbin/apache2

tls10() { echo | timeout 5 openssl s_client -connect "127.0.0.1:$1" -servername app.test -tls1 -cipher 'DEFAULT@SECLEVEL=0' >/dev/null 2>&1; }
plain() { curl -s --max-time 3 -H 'Host: app.test' "http://127.0.0.1:$1/" >/dev/null 2>&1; }
untrusting() { curl -s --max-time 3 --resolve "app.test:$1:127.0.0.1" "https://app.test:$1/" >/dev/null 2>&1; }
nosni() { echo | timeout 5 openssl s_client -connect "127.0.0.1:$1" -noservername >/dev/null 2>&1; }
nocert() { curl -s --max-time 3 --cacert "$T/ca.pem" --resolve "app.test:$1:127.0.0.1" "https://app.test:$1/" >/dev/null 2>&1; }
# times N CLIENT PORT
times() {
    local i
    for ((i = 0; i < $1; i++)); do "$2" "$3"; done
}

make_leaf app.test

# nginx: a default server that rejects handshakes without a known name,
# app.test on the same port, and app.test requiring a client certificate
# on another.
PA=$(free_port tcp)
PB=$(free_port tcp)
start_nginx <<NG
    server {
        listen 127.0.0.1:$PA ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen 127.0.0.1:$PA ssl;
        server_name app.test;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $T/app.test-chain.pem;
        ssl_certificate_key $T/app.test.key;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$PB ssl;
        server_name app.test;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $T/app.test-chain.pem;
        ssl_certificate_key $T/app.test.key;
        ssl_client_certificate $T/ca.pem;
        ssl_verify_client on;
        location / { return 200 "ok\n"; }
    }
NG
wait_port "$PA" # the one bare connection: "client closed connection while SSL handshaking"
times 3 tls10 "$PA"
times 2 plain "$PA"
times 4 untrusting "$PA"
times 2 nosni "$PA"
times 2 nocert "$PB"
sleep 0.5
NGINX_LOG="$NGINX_DIR/logs/error.log"

CASE=nginx
run_logs "$NGINX_LOG"
assert_exit 1
assert_jq '.failures == 14' "14 failed handshakes (13 sent, 1 bare connection)"
assert_count CLIENT_INCOMPATIBLE 3
assert_count NOT_TLS 2
assert_count CLIENT_REJECTED_CERT 4
assert_count SNI_REQUIRED 2
assert_count CLIENT_CERT_REQUIRED 2
assert_count CLIENT_ALERT 1
assert_jq '.clients == [{"client": "127.0.0.1", "count": 14}]' "all from 127.0.0.1"
assert_jq '[.causes[] | select(.id == "CLIENT_REJECTED_CERT") | .top_clients[0]] == [{"client": "127.0.0.1", "count": 4}]' \
    "the top client of a cause"
assert_jq '[.causes[] | select(.id == "CLIENT_INCOMPATIBLE") | .fix | length > 0] == [true]' "each cause has its fix"
assert_jq '(.per_minute | map(.count) | add) == 14' "the per-minute counts add up"
assert_jq '.first_seen != null and .last_seen >= .first_seen' "first and last seen"

CASE=nginx-gzip
gzip -c "$NGINX_LOG" >"$T/error.log.gz"
run_logs "$T/error.log.gz"
assert_jq '.failures == 14' "the gzip file counts the same"
assert_count CLIENT_REJECTED_CERT 4

CASE=nginx-stdin
echo "\$ tlsdiag logs --json - < error.log"
"$TLSDIAG" logs --json - <"$NGINX_LOG" >"$OUT"
assert_jq '.failures == 14' "standard input counts the same"

CASE=nginx-since
run_logs --since "$(date -d '+1 hour' '+%Y-%m-%d %H:%M')" "$NGINX_LOG"
assert_exit 0
assert_jq '.failures == 0 and .input.before_since == 14' "nothing from the future"
run_logs --since 1h "$NGINX_LOG"
assert_jq '.failures == 14' "everything from the last hour"

CASE=journald-export
# the same lines as `journalctl -o export` writes them
awk '{ printf "__REALTIME_TIMESTAMP=%d000000\n_COMM=nginx\nMESSAGE=%s\n\n", systime(), $0 }' "$NGINX_LOG" >"$T/journal.export"
run_logs "$T/journal.export"
assert_jq '.failures == 14' "the journald export counts the same"
assert_count SNI_REQUIRED 2

# Apache httpd requiring a client certificate.
start_apache_tls "$T/app.test-chain.pem" app.test "SSLCACertificateFile $T/ca.pem
    SSLVerifyClient require" # its bare connection: AH02006, "connection was closed"
times 2 tls10 "$PORT"
times 1 plain "$PORT"
times 3 untrusting "$PORT"
times 2 nocert "$PORT"
sleep 0.5
CASE=apache
run_logs "$APACHE_LOG"
assert_count CLIENT_INCOMPATIBLE 2
assert_count NOT_TLS 1
assert_count CLIENT_REJECTED_CERT 3
assert_count CLIENT_CERT_REQUIRED 2
assert_count CLIENT_ALERT 1
assert_jq '.failures == 9 and .clients == [{"client": "127.0.0.1", "count": 9}]' \
    "9 failures (8 sent, 1 bare connection), the client of each pair of Apache lines found"
stop_bg "$BG_PID"

# HAProxy logging to standard output; it says "SSL handshake failure" with
# no reason, so those failures have no cause, but they are counted.
HP=$(free_port tcp)
cat "$T/app.test-chain.pem" "$T/app.test.key" >"$T/haproxy.pem"
HAPROXY_GLOBAL="log stdout format raw local0 info" start_haproxy <<CFG
frontend fe
    mode http
    log global
    option httplog
    bind 127.0.0.1:$HP ssl crt $T/haproxy.pem ssl-min-ver TLSv1.2
    http-request return status 200 content-type text/plain string ok
CFG
HAPROXY_LOG=$BG_LOG
wait_port "$HP" # its bare connection: "Connection closed during SSL handshake"
times 2 tls10 "$HP"
times 2 untrusting "$HP"
times 1 plain "$HP"
sleep 0.5
CASE=haproxy
run_logs "$HAPROXY_LOG"
assert_count none "$(grep -c 'SSL handshake failure' "$HAPROXY_LOG")"
assert_count none 5
assert_count CLIENT_ALERT 1
assert_jq '.failures == 6' "6 failures (5 sent, 1 bare connection)"

CASE=follow
# --follow: the summary comes as the log grows, and once more when stopped
: >"$T/growing.log"
start_bg "$TLSDIAG" logs --json --follow --interval 0.2 "$T/growing.log"
FOLLOW_PID=$BG_PID
FOLLOW_LOG=$BG_LOG
sleep 0.5
head -n 5 "$NGINX_LOG" >>"$T/growing.log"
sleep 1
tail -n +6 "$NGINX_LOG" >>"$T/growing.log"
sleep 1
kill -INT "$FOLLOW_PID"
for _ in $(seq 50); do kill -0 "$FOLLOW_PID" 2>/dev/null || break; sleep 0.1; done
# the documents printed, one after another; the last counts every line
sed 1d "$FOLLOW_LOG" | jq -s '.' >"$OUT" 2>/dev/null || echo '[]' >"$OUT"
assert_jq 'length >= 2' "a summary while lines came in, and a last one"
assert_jq '.[-1].failures == 14' "the last summary counts the whole log"
assert_jq '.[0].failures < 14' "the first came before the log was whole"

CASE=all
run_logs "$NGINX_LOG" "$APACHE_LOG" "$HAPROXY_LOG"
assert_jq '.input.files == 3' "three files"
assert_count CLIENT_REJECTED_CERT 7
assert_jq '.failures == 29' "the three logs together"
finish
