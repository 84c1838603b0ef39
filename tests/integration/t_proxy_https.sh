#!/usr/bin/env bash
# Checks through an https:// proxy: Squid (Debian's squid-openssl) with an
# https_port, its certificate made here by a CA of its own, so the proxy's
# trust is apart from the origin's.  Healthy through it with --proxy-cacert
# (the origin's findings as without the proxy); PROXY_FAILURE naming the
# proxy's certificate when its CA is not given, when it has expired, or when
# the name asked for is not the certificate's; --proxy-insecure passing; a 407 inside the TLS
# session from a port that wants credentials; a plain http_port given as
# https:// (the proxy does not answer in TLS); a TLS port that never answers
# (a timeout at the proxy, not the server's HANDSHAKE_TIMEOUT).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd /usr/sbin/squid
start_origin
# Takes a ClientHello and never answers: a TLS proxy gone quiet.
start_fake silent
SILENT=$PORT
# The proxy's own CA and certificate (for 127.0.0.1 only).
make_root proxyca "tlsdiag Test Proxy CA"
make_cert_signed_by proxyca proxy sans=IP:127.0.0.1
make_cert_signed_by proxyca proxyold sans=IP:127.0.0.1 start="$(date_from_now -30)" end="$(date_from_now -1)"
chmod 644 "$T/proxy.key" "$T/proxyold.key"
OPEN=$(free_port tcp)
AUTH=$(free_port tcp)
PLAIN=$(free_port tcp)
OLD=$(free_port tcp)

start_squid <<EOF
https_port 127.0.0.1:$OPEN name=open tls-cert=$T/proxy.pem tls-key=$T/proxy.key
https_port 127.0.0.1:$AUTH name=authp tls-cert=$T/proxy.pem tls-key=$T/proxy.key
http_port 127.0.0.1:$PLAIN name=plain
https_port 127.0.0.1:$OLD name=old tls-cert=$T/proxyold.pem tls-key=$T/proxyold.key
$(squid_rules "$ORIGIN")
EOF
SQUID_PID=$BG_PID
squid_htpasswd alice s3cret
wait_port "$OPEN" 20 "$SQUID_PID" || die "squid did not start: $(tail -5 "$SQUID_DIR/cache.log")"
wait_port "$AUTH" 5 "$SQUID_PID" || die "squid's second port is not up"
wait_port "$PLAIN" 5 "$SQUID_PID" || die "squid's plain port is not up"
wait_port "$OLD" 5 "$SQUID_PID" || die "squid's port with the expired certificate is not up"
# curl through the same port: the tunnel opens and the origin's handshake
# completes; s_server then answers no HTTP (curl's exit 52, empty reply).
rc=0
curl -sSv --proxy-cacert "$T/proxyca.pem" -x "https://127.0.0.1:$OPEN" --cacert "$T/ca.pem" -o /dev/null \
    "https://localhost:$ORIGIN/" 2>"$T/curl.err" || rc=$?
assert_true "curl's tunnel through Squid's https_port opened" grep -q "CONNECT tunnel established, response 200" "$T/curl.err"
assert_true "curl's handshake with the origin completed (exit $rc: no HTTP after it)" test "$rc" = 52

connects() { grep -c "CONNECT localhost:$1 " "$SQUID_DIR/access.log" 2>/dev/null || echo 0; }

CASE=direct
run_check --ca-file "$T/ca.pem" "localhost:$ORIGIN"
cp "$OUT" "$T/direct.json"

CASE=healthy
before=$(connects "$ORIGIN")
run_check --ca-file "$T/ca.pem" --proxy "https://127.0.0.1:$OPEN" --proxy-cacert "$T/proxyca.pem" "localhost:$ORIGIN"
assert_no_finding PROXY_FAILURE
assert_no_fail
assert_exit 0
assert_jq '.observations.proxy.scheme == "https" and .observations.proxy.tls.insecure == false and (.observations.proxy.tls.cacert | endswith("proxyca.pem")) and .observations.proxy.tunnels > 5 and .observations.proxy.refused == 0' \
    "the tunnels opened inside TLS to the proxy"
assert_jq '.observations.handshake.outcome == "hello"' "the full handshake went through the proxy"
assert_true "the findings are those seen without the proxy" bash -c \
    "diff <(jq -c '[.findings[] | select(.id != \"TLS_INTERCEPTED\") | [.id, .severity]] | sort' '$T/direct.json') \
          <(jq -c '[.findings[] | select(.id != \"TLS_INTERCEPTED\") | [.id, .severity]] | sort' '$OUT')"
assert_jq '[.findings[] | select(.id == "TLS_INTERCEPTED")] | length == 0' "the chain through the proxy is the server's"
n=$(connects "$ORIGIN")
assert_true "every connection went through Squid ($((n - before)) CONNECTs logged)" \
    test "$((n - before))" -ge "$(jq '.observations.connections' "$OUT")"

CASE=untrusted
run_check --ca-file "$T/ca.pem" --proxy "https://127.0.0.1:$OPEN" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_severity PROXY_FAILURE fail
assert_exit 1
assert_jq '.root_cause.id == "PROXY_FAILURE"' "the proxy is the root cause"
assert_finding_text PROXY_FAILURE "proxy's certificate is not trusted"
assert_jq '.observations.proxy.first_refusal.kind == "tls" and .observations.proxy.first_refusal.tls_fault == "untrusted" and .observations.proxy.tunnels == 0' \
    "the refusal is the TLS session's, before any tunnel"
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .fix][0] | test("--proxy-cacert")' \
    "the fix names --proxy-cacert"
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .verify][0] | test("-x https://127.0.0.1:'"$OPEN"'")' \
    "the verify command goes through the https proxy"
for id in CERT_UNTRUSTED CHAIN_INCOMPLETE HANDSHAKE_FAILURE NOT_TLS CLIENT_INCOMPATIBLE; do assert_no_finding "$id"; done
assert_true "Squid saw no CONNECT" test "$(connects "$ORIGIN")" -eq "$n"

CASE=wrong-name
run_check --ca-file "$T/ca.pem" --proxy "https://localhost:$OPEN" --proxy-cacert "$T/proxyca.pem" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_finding_text PROXY_FAILURE "proxy's certificate does not name localhost"

CASE=expired
run_check --ca-file "$T/ca.pem" --proxy "https://127.0.0.1:$OLD" --proxy-cacert "$T/proxyca.pem" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_finding_text PROXY_FAILURE "proxy's certificate is out of its validity period.*expired"
assert_jq '.observations.proxy.first_refusal.tls_fault == "expired"' "the refusal is the expired certificate"
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .fix][0] | test("renew")' "the fix is to renew it"
assert_no_finding CERT_EXPIRED

CASE=insecure
run_check --ca-file "$T/ca.pem" --proxy "https://127.0.0.1:$OPEN" --proxy-insecure "localhost:$ORIGIN"
assert_no_finding PROXY_FAILURE
assert_no_fail
assert_jq '.observations.proxy.tunnels > 5 and .observations.proxy.refused == 0' \
    "the tunnels opened without checking the proxy"

CASE=407
run_check --ca-file "$T/ca.pem" --proxy "https://127.0.0.1:$AUTH" --proxy-cacert "$T/proxyca.pem" "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_jq '.observations.proxy.first_refusal.code == 407' "the 407 came through the TLS session"
assert_finding_text PROXY_FAILURE '407 Proxy Authentication Required.*wants credentials'
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .verify][0] | test("--proxy-cacert")' \
    "the verify command trusts the proxy as the check did"

CASE=credentials
run_check --ca-file "$T/ca.pem" --proxy "https://alice:s3cret@127.0.0.1:$AUTH" --proxy-cacert "$T/proxyca.pem" \
    "localhost:$ORIGIN"
assert_no_finding PROXY_FAILURE
assert_no_fail

CASE=plain-port
run_check --ca-file "$T/ca.pem" --proxy "https://127.0.0.1:$PLAIN" --proxy-insecure "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_finding_text PROXY_FAILURE 'does not answer in TLS'
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .fix][0] | test("http://")' "the fix points to http://"

CASE=silent-proxy
run_check --timeout 1 --proxy "https://127.0.0.1:$SILENT" --proxy-insecure "localhost:$ORIGIN"
assert_finding PROXY_FAILURE
assert_no_finding HANDSHAKE_TIMEOUT
assert_finding_text PROXY_FAILURE 'did not answer its TLS handshake'
assert_jq '.observations.proxy.tunnels == 0' "no tunnel opened"
finish
