#!/usr/bin/env bash
# Checks through Squid (HTTP CONNECT): a healthy origin through an open port
# and, with Basic credentials, through a port that asks for them (the
# htpasswd file made with openssl passwd, checked by basic_ncsa_auth); then
# PROXY_FAILURE for what the proxy refuses: 407 without or with wrong
# credentials, 403 for a port its ACL denies, 503 for an origin it cannot
# reach; a port that is no proxy and never answers (a timeout at the proxy)
# against a silent origin behind a working proxy (HANDSHAKE_TIMEOUT, not
# PROXY_FAILURE); a proxy port nothing listens on; --proxy-env with
# https_proxy and no_proxy.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd /usr/sbin/squid
make_leaf localhost
cp "$T/localhost.pem" "$T/server.pem"
cp "$T/localhost.key" "$T/server.key"
start_s_server -cert_chain "$T/ca.pem"
ORIGIN=$PORT
start_fake silent
SILENT=$PORT
# A port that takes connections and never says a word, whatever it is sent
# (fake_tls.py's silent mode hangs up on what is not a ClientHello).
MUTE=$(free_port tcp)
start_bg "$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$MUTE"
wait_port "$MUTE" 10 || die "the mute listener did not start"
CLOSED=$(free_port tcp)
DENIED=$(free_port tcp)
OPEN=$(free_port tcp)
AUTH=$(free_port tcp)

start_squid <<EOF
http_port 127.0.0.1:$OPEN name=open
http_port 127.0.0.1:$AUTH name=authp
auth_param basic program /usr/lib/squid/basic_ncsa_auth $T/squid/htpasswd
auth_param basic realm tlsdiag-test
acl authp myportname authp
acl authed proxy_auth REQUIRED
acl SSL_ports port $ORIGIN $CLOSED $SILENT
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access allow authp authed
http_access deny authp
http_access allow localhost
http_access deny all
connect_timeout 5 seconds
EOF
SQUID_PID=$BG_PID
squid_htpasswd alice s3cret
wait_port "$OPEN" 20 "$SQUID_PID" || die "squid did not start: $(tail -5 "$SQUID_DIR/cache.log")"
wait_port "$AUTH" 5 "$SQUID_PID" || die "squid's second port is not up"
assert_true "s_client reaches the origin through Squid" bash -c \
    "openssl s_client -connect localhost:$ORIGIN -proxy 127.0.0.1:$OPEN -CAfile '$T/ca.pem' -verify_return_error </dev/null >/dev/null 2>&1"

connects() { grep -c "CONNECT localhost:$1 " "$SQUID_DIR/access.log" 2>/dev/null || echo 0; }

CASE=healthy
run_check --ca-file "$T/ca.pem" --proxy "http://127.0.0.1:$OPEN" "localhost:$ORIGIN"
assert_no_finding PROXY_FAILURE
assert_no_fail
assert_exit 0
assert_jq '.observations.proxy.scheme == "http" and .observations.proxy.tunnels > 5 and .observations.proxy.refused == 0' \
    "the tunnels opened"
assert_jq '.observations.proxy.target_resolved_by_proxy' "the target is left to the proxy to resolve"
assert_jq '.observations.handshake.outcome == "hello"' "the full handshake went through the proxy"
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and .severity != "info")] | length == 0' \
    "no client at the level fails through the proxy"
n=$(connects "$ORIGIN")
assert_true "every connection went through Squid ($n CONNECTs logged)" \
    test "$n" -ge "$(jq '.observations.connections' "$OUT")"

# Another finding's verify command goes through the proxy too: s_client's
# -proxy, run here, shows the leaf Squid tunnelled to.
CASE=verify-through
run_check --ca-file "$T/ca.pem" --warn-days 3650 --proxy "http://127.0.0.1:$OPEN" "localhost:$ORIGIN"
assert_finding CERT_EXPIRING_SOON
assert_jq '[.findings[] | select(.id == "CERT_EXPIRING_SOON") | .verify][0] | test("s_client -connect localhost:'"$ORIGIN"' -proxy 127.0.0.1:'"$OPEN"' ")' \
    "s_client goes through -proxy"
before=$(connects "$ORIGIN")
run_verify CERT_EXPIRING_SOON
assert_true "the verify command printed the leaf it got through Squid" grep -q "subject=CN = localhost" "$T/verify.out"
assert_true "Squid logged its CONNECT" test "$(connects "$ORIGIN")" -gt "$before"

CASE=credentials
run_check --ca-file "$T/ca.pem" --proxy "http://alice:s3cret@127.0.0.1:$AUTH" "localhost:$ORIGIN"
assert_no_finding PROXY_FAILURE
assert_no_fail
assert_jq '.observations.proxy.credentials and .observations.proxy.url == "http://127.0.0.1:'"$AUTH"'"' \
    "the URL is reported without the password"
assert_true "the password appears nowhere in the report" bash -c "! grep -q s3cret '$OUT'"

CASE=407
run_check --ca-file "$T/ca.pem" --proxy "http://127.0.0.1:$AUTH" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_severity PROXY_FAILURE fail
assert_exit 1
assert_jq '.root_cause.id == "PROXY_FAILURE"' "the proxy is the root cause"
assert_jq '.observations.proxy.first_refusal.code == 407 and (.observations.proxy.first_refusal.proxy_authenticate | test("Basic realm=\"tlsdiag-test\""))' \
    "407 with Squid's Proxy-Authenticate"
assert_finding_text PROXY_FAILURE '407 Proxy Authentication Required.*wants credentials'
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .fix][0] | test("USER:PASS@")' "the fix is about the credentials"
assert_true "the verify command goes through the proxy" bash -c \
    "jq -r '.findings[] | select(.id == \"PROXY_FAILURE\") | .verify' '$OUT' | grep -q -- '-x http://127.0.0.1:$AUTH'"
for id in CONNECT_REFUSED HANDSHAKE_TIMEOUT NOT_TLS; do assert_no_finding "$id"; done

# What curl says against the same port, explained.
CASE=explain-curl
curl -sS -x "http://127.0.0.1:$AUTH" --cacert "$T/ca.pem" -o /dev/null "https://localhost:$ORIGIN/" 2>"$T/curl.err"
assert_true "curl fails on Squid's 407" grep -q "407" "$T/curl.err"
run_explain "$T/curl.err"
assert_cause PROXY_FAILURE

CASE=wrong-password
run_check --ca-file "$T/ca.pem" --proxy "http://alice:nope@127.0.0.1:$AUTH" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_finding_text PROXY_FAILURE 'does not accept the credentials'
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .verify][0] | test("--proxy-user alice")' \
    "the verify command names the user, never the password"

CASE=403
run_check --ca-file "$T/ca.pem" --proxy "http://127.0.0.1:$OPEN" "localhost:$DENIED"
assert_finding PROXY_FAILURE
assert_jq '.observations.proxy.first_refusal.code == 403' "Squid's ACL answers 403"
assert_finding_text PROXY_FAILURE '403 Forbidden.*access rules'
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .fix][0] | test("SSL_ports") and test("no_proxy")' \
    "the fix names the ACL and no_proxy"

CASE=unreachable-origin
run_check --ca-file "$T/ca.pem" --proxy "http://127.0.0.1:$OPEN" "localhost:$CLOSED"
assert_finding PROXY_FAILURE
assert_jq '.observations.proxy.first_refusal.code == 503' "Squid answers 503 for a refused origin"
assert_finding_text PROXY_FAILURE 'could not reach the server'
assert_no_finding CONNECT_REFUSED

CASE=silent-behind
run_check --timeout 1 --proxy "http://127.0.0.1:$OPEN" "localhost:$SILENT"
assert_finding HANDSHAKE_TIMEOUT
assert_no_finding PROXY_FAILURE
assert_finding_text HANDSHAKE_TIMEOUT 'opened the tunnel'
assert_jq '.observations.proxy.tunnels > 0' "the tunnels opened before the silence"

CASE=silent-proxy
run_check --timeout 1 --proxy "http://127.0.0.1:$MUTE" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_no_finding HANDSHAKE_TIMEOUT
assert_finding_text PROXY_FAILURE 'did not answer its CONNECT request'
assert_jq '.observations.baseline.outcome == "timeout" and .observations.proxy.tunnels == 0' \
    "the connection timed out before any tunnel"
assert_jq '[.clients[]? | select(.result == "fail")] | length == 0' "no client is judged on the proxy's silence"

CASE=closing-proxy
run_check --timeout 1 --proxy "http://127.0.0.1:$SILENT" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_finding_text PROXY_FAILURE 'hung up on its CONNECT request'
assert_no_finding CLOSED_AFTER_CLIENTHELLO
assert_no_finding CLIENT_INCOMPATIBLE

CASE=no-proxy-there
NOPROXY=$(free_port tcp)
run_check --proxy "http://127.0.0.1:$NOPROXY" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_no_finding CONNECT_REFUSED
assert_finding_text PROXY_FAILURE 'proxy 127.0.0.1:'"$NOPROXY"' cannot be reached'

CASE=proxy-env
before=$(connects "$ORIGIN")
https_proxy="http://127.0.0.1:$OPEN" no_proxy="example.org" run_check --ca-file "$T/ca.pem" --proxy-env "localhost:$ORIGIN"
assert_jq '.observations.proxy.from == "https_proxy" and .observations.proxy.tunnels > 0' "https_proxy was used"
assert_no_fail
after=$(connects "$ORIGIN")
assert_true "the connections went through Squid" test "$after" -gt "$before"
https_proxy="http://127.0.0.1:$OPEN" NO_PROXY=".localhost,10.0.0.0/8" run_check --ca-file "$T/ca.pem" --proxy-env "localhost:$ORIGIN"
assert_jq '.observations.proxy == null and .observations.proxy_bypassed_by == "NO_PROXY"' "NO_PROXY sent the check direct"
assert_true "no connection went through Squid" test "$(connects "$ORIGIN")" -eq "$after"
https_proxy="gopher://x" run_check --proxy-env "localhost:$ORIGIN"
assert_exit 2
finish
