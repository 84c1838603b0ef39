#!/usr/bin/env bash
# tlsdiag pcap --html FILE: one self-contained page for a capture recorded
# here (tcpdump on loopback): a server whose self-signed certificate has the
# subject CN=<script>alert(1)</script>; curl (TLS 1.2) rejects it, openssl
# s_client sends the SNI <script>alert(2)</script> and rejects it, curl -k
# works.  The page is valid (tidy), Chromium renders it with a section per
# failed connection, the client's alert as the red rung, the markup from the
# capture as text, and no request leaves it (a trap stands in as the proxy
# for every URL; a page with an image URL shows the trap catches one).
# The screenshots stay in tests/tmp/logs/.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd curl tcpdump tidy
assert_true "headless Chromium is installed (Debian package chromium: scripts/deps.sh test)" test -n "$CHROMIUM"
[ -n "$CHROMIUM" ] || finish
start_request_trap

CASE="trap"
printf '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><img alt="x" src="http://192.0.2.1/x.png"></body></html>\n' \
    >"$T/fetches.html"
chromium_run --dump-dom "file://$T/fetches.html" >/dev/null 2>&1
sleep 0.3
assert_true "the trap sees a page's request" bash -c "grep -q '^request: .*192.0.2.1' '$TRAP_LOG'"
assert_true "... and counts it as the page's" test "$(page_requests | grep -c 192.0.2.1)" -ge 1

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -keyout "$T/xss.key" -out "$T/xss.pem" \
    -subj "/O=tlsdiag tests/CN=<script>alert(1)<\/script>" -addext "subjectAltName=DNS:app.test" 2>"$T/openssl.err" ||
    die "openssl req failed: $(cat "$T/openssl.err")"
start_s_server_cert "$T/xss.pem" "$T/xss.key"
SRV_PID=$BG_PID
CAP="$T/xss.pcap"
start_capture "$CAP" -i lo "tcp port $PORT"
curl -sS --max-time 5 --tls-max 1.2 "https://127.0.0.1:$PORT/" >/dev/null 2>&1                       # stream 0
echo | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -servername '<script>alert(2)</script>' \
    -tls1_2 -verify_return_error >/dev/null 2>&1                                                      # stream 1
curl -sSk --max-time 5 "https://127.0.0.1:$PORT/" >/dev/null 2>&1                                     # stream 2: works
stop_capture
stop_bg "$SRV_PID"

CASE=json
run_pcap "$CAP"
assert_jq '.summary.handshakes == 3 and .summary.failed == 2' "3 handshakes, 2 failed"
FAILED=$(jq '.summary.failed' "$OUT")
CLIENTS=$(jq '.summary.by_client | length' "$OUT")
JA4=$(jq -r '.connections[0].fingerprint.ja4' "$OUT")
# The captured SNI is the sender's to choose: no command to paste holds it
# when a shell would read it as more than a word.
assert_jq '[.connections[].findings[]?.verify // empty | select(contains("<script>") or contains("alert("))] | length == 0' \
    "no verify command carries the captured <script> SNI"
assert_jq '[.connections[].findings[]? | select(.id == "SELF_SIGNED") | .verify] | length > 0' \
    "the self-signed chain still has a verify command"

CASE=page
PAGE="$T/xss.html"
echo "\$ tlsdiag pcap --html $PAGE $CAP"
"$TLSDIAG" pcap --html "$PAGE" "$CAP" >"$T/text.txt" 2>"$T/err.txt"
RC=$?
assert_exit 1
assert_true "the text report still goes to standard output" grep -q "3 TLS handshakes in 3 TCP connections, 2 failed" "$T/text.txt"
assert_true "the page was written" test -s "$PAGE"
tidy_clean "$PAGE"
assert_self_contained "$PAGE"
assert_true "the certificate's <script> is text" grep -q 'CN=\\&lt;script\\&gt;alert(1)' "$PAGE"
assert_true "the SNI's <script> is text" grep -q '<code class="sni">&lt;script&gt;alert(2)&lt;/script&gt;</code>' "$PAGE"
assert_true "no <script> from the capture is markup" bash -c "! grep -q '<script>alert' '$PAGE'"
assert_true "the root causes are a chart linked to the first connection" grep -q '<a href="#conn-0">SELF_SIGNED</a>' "$PAGE"

render_page "$PAGE" xss
assert_true "the DOM has the verdict FAIL" grep -q 'id="verdict"><strong>FAIL</strong>' "$DOM"
got=$(grep -c '<section class="conn"' "$DOM")
assert_true "a section per failed connection ($FAILED in the JSON, $got in the DOM)" test "$got" = "$FAILED"
assert_true "the working connection has no section" bash -c "! grep -q 'id=\"conn-2\"' '$DOM'"
assert_true "each section names its root cause with a copyable verify command" bash -c \
    "[ \$(grep -c 'data-copy=\"c[0-9]*-verify-' '$DOM') -ge $FAILED ] && grep -q '<code class=\"id\">SELF_SIGNED</code>' '$DOM'"
assert_true "the client's alert is the red rung" bash -c \
    "grep -A4 '<g class=\"step broken\" data-label=\"Alert\"' '$DOM' | grep -q 'unknown_ca(48)' && grep -q 'stroke=\"#b00020\"' '$DOM'"
assert_true "one red rung per failed connection" test "$(grep -c '<g class="step broken"' "$DOM")" = "$FAILED"
assert_true "the only script element is the page's own" test "$(grep -c '<script' "$DOM")" = 1
got=$(sed -n '/<table id="clients">/,/<\/table>/p' "$DOM" | grep -c '<tr><td><code>')
assert_true "a row per client fingerprint ($CLIENTS in the JSON, $got in the DOM)" test "$CLIENTS" -gt 0 -a "$got" = "$CLIENTS"
assert_true "stream 0's section names its JA4 ($JA4)" bash -c \
    "sed -n '/id=\"conn-0\"/,/<\/section>/p' '$DOM' | grep -q 'JA4 <code>$JA4</code>'"
assert_true "the DOM shows the markup as text" grep -q '&lt;script&gt;alert(2)&lt;/script&gt;' "$DOM"

CASE=verbose
"$TLSDIAG" pcap --format html -v "$CAP" >"$T/all.html" 2>/dev/null
assert_true "--format html prints the page to standard output" bash -c \
    "head -c 15 '$T/all.html' | grep -q '<!DOCTYPE html>' && tail -n 1 '$T/all.html' | grep -q '</html>'"
assert_true "-v lists the working connection too" test "$(grep -c '<section class="conn"' "$T/all.html")" = 3
tidy_clean "$T/all.html"

CASE=usage
"$TLSDIAG" pcap --json --html "$T/x.html" "$CAP" >/dev/null 2>"$T/err.txt"
RC=$?
assert_exit 2
assert_true "--json with --html says why" grep -q -- "--html FILE lists connections that JSON lines do not keep" "$T/err.txt"
"$TLSDIAG" pcap --format xml "$CAP" >/dev/null 2>"$T/err.txt"
RC=$?
assert_exit 2
finish
