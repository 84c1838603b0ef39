#!/usr/bin/env bash
# tlsdiag scan --html FILE: the page of a small fleet on loopback (a healthy
# nginx, an expired certificate, a server whose certificate holds <script>
# in its subject and names, a closed port).  The page is valid (tidy),
# Chromium renders it with one row per target, each linked to its section,
# the root causes as a bar chart, the markup from the certificate as text,
# and no request leaves it.  --format html prints the same page instead of
# the lines; with --state, the page holds this run's targets only.
# The screenshots stay in tests/tmp/logs/.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx jq tidy
assert_true "headless Chromium is installed (Debian package chromium: scripts/deps.sh test)" test -n "$CHROMIUM"
[ -n "$CHROMIUM" ] || finish
start_request_trap

make_leaf app
make_ca_tree
make_leaf_signed_by inter old.test "start=$(date_from_now -400)" "end=$(date_from_now -3)"
cat "$T/old.test.pem" "$T/inter.pem" >"$T/old.test-chain.pem"
# The subject and the name are the certificate's owner's to choose.
cat >"$T/xss.ext" <<'X'
subjectAltName=DNS:<script>alert(2)</script>.test
X
{
    openssl req -new -newkey rsa:2048 -nodes -keyout "$T/xss.key" -out "$T/xss.csr" \
        -subj "/O=tlsdiag tests/CN=<script>alert(1)<\/script>" &&
        openssl x509 -req -in "$T/xss.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 30 -sha256 \
            -extfile "$T/xss.ext" -out "$T/xss.pem"
} 2>"$T/openssl.err" || die "openssl failed: $(cat "$T/openssl.err")"
cat "$T/ca.pem" "$T/root.pem" >"$T/trust.pem"

OK=$(free_port tcp)
OLD=$(free_port tcp)
XSS=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$OK ssl;
        ssl_certificate $T/app-chain.pem; ssl_certificate_key $T/app.key;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$OLD ssl;
        ssl_certificate $T/old.test-chain.pem; ssl_certificate_key $T/old.test.key;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$XSS ssl;
        ssl_certificate $T/xss.pem; ssl_certificate_key $T/xss.key;
        location / { return 200 "ok\n"; }
    }
NGX
for p in $OK $OLD $XSS; do wait_port "$p" 10 || die "nginx did not listen on $p"; done
CLOSED=$(free_port tcp)
LIST="$T/fleet.txt"
printf '# the fleet\n127.0.0.1:%s sni=app\n127.0.0.1:%s sni=old.test\n127.0.0.1:%s\n127.0.0.1:%s\n' \
    "$OK" "$OLD" "$XSS" "$CLOSED" >"$LIST"
scan() { timeout -k 5 120 "$TLSDIAG" scan --profile quick --ca-file "$T/trust.pem" --timeout 2 --deadline 20 "$@"; }

CASE=json
scan --json "$LIST" >"$T/fleet.jsonl" 2>"$T/json.err"
RC=$?
assert_exit 1
TARGETS=$(jq -s 'map(select(.target)) | length' "$T/fleet.jsonl")
assert_true "four targets in the JSON lines ($TARGETS)" test "$TARGETS" = 4
CAUSES=$(jq -r 'select(.summary) | .summary.root_causes | keys[]' "$T/fleet.jsonl" | sort)
echo "  root causes: $(echo $CAUSES)"
assert_true "the expired certificate and the closed port are root causes" bash -c \
    "grep -qx CERT_EXPIRED <<<'$CAUSES' && grep -qx CONNECT_REFUSED <<<'$CAUSES'"

CASE=page
PAGE="$T/fleet.html"
echo "\$ tlsdiag scan --html $PAGE $LIST"
scan --html "$PAGE" "$LIST" >"$T/text.txt" 2>"$T/err.txt"
RC=$?
assert_exit 1
assert_true "the text lines still go to standard output" grep -q "CERT_EXPIRED" "$T/text.txt"
assert_true "the page was written" test -s "$PAGE"
tidy_clean "$PAGE"
assert_self_contained "$PAGE"
assert_true "the certificate's <script> is text" grep -q 'class="subject">CN=\\&lt;script\\&gt;alert(1)' "$PAGE"
assert_true "no <script> from the certificate is markup" bash -c "! grep -q '<script>alert' '$PAGE'"

render_page "$PAGE" fleet
got=$(grep -c '<tr data-cause="[^"]*" class="target">' "$DOM")
assert_true "one row per target ($TARGETS in the JSON, $got in the DOM)" test "$got" = "$TARGETS"
for id in $CAUSES; do
    n=$(jq -r "select(.summary) | .summary.root_causes.$id" "$T/fleet.jsonl")
    assert_true "the bar chart has $id" bash -c \
        "sed -n '/<table class=\"bars\" id=\"causes\">/,/<\/table>/p' '$DOM' | grep -q '>$id<'"
done
bars=$(sed -n '/<table class="bars" id="causes">/,/<\/table>/p' "$DOM" | grep -c '<tr class="bar">')
assert_true "a bar per root cause ($bars)" test "$bars" = "$(echo "$CAUSES" | wc -l)"
for ((i = 0; i < TARGETS; i++)); do
    assert_true "row $i links to its section" bash -c \
        "grep -q '<a href=\"#t-$i\">' '$DOM' && grep -q '<section class=\"conn\" id=\"t-$i\">' '$DOM'"
done
old_row=$(grep -o "<a href=\"#t-[0-9]*\">127.0.0.1:$OLD[^<]*</a>" "$DOM" | head -n 1)
old_sec=$(sed -E 's/.*href="#(t-[0-9]+)".*/\1/' <<<"$old_row")
assert_true "the expired target's row leads to the section naming CERT_EXPIRED ($old_row)" bash -c \
    "[ -n '$old_sec' ] && sed -n '/id=\"$old_sec\"/,/<\/section>/p' '$DOM' | grep -q 'CERT_EXPIRED'"
ok_sec=$(grep -o "<a href=\"#t-[0-9]*\">127.0.0.1:$OK " "$DOM" | sed -E 's/.*href="#(t-[0-9]+)".*/\1/')
assert_true "the healthy target's section ($ok_sec) says ok and offers no fix" bash -c \
    "[ -n '$ok_sec' ] && sed -n '/id=\"$ok_sec\"/,/<\/section>/p' '$DOM' | grep -q '<strong>ok</strong>' &&
     ! sed -n '/id=\"$ok_sec\"/,/<\/section>/p' '$DOM' | grep -q 'class=\"fix\"'"
assert_true "the expiry timeline is drawn" grep -q '<svg[^>]*id="expiry"' "$DOM"
assert_true "the only script element is the page's own" test "$(grep -c '<script' "$DOM")" = 1
assert_true "the DOM shows the certificate's markup as text" grep -q 'class="subject">CN=\\&lt;script\\&gt;alert(1)' "$DOM"

CASE=stdout
scan --format html "$LIST" >"$T/out.html" 2>/dev/null
RC=$?
assert_exit 1
assert_true "--format html prints the page and no lines" bash -c \
    "head -c 15 '$T/out.html' | grep -q '<!DOCTYPE html>' && tail -n 1 '$T/out.html' | grep -q '</html>'"
assert_true "... with a row per target" test "$(grep -c 'class="target">' "$T/out.html")" = "$TARGETS"
tidy_clean "$T/out.html"

CASE=resume
STATE="$T/state"
head -n 3 "$LIST" >"$T/first.txt"
scan --json --state "$STATE" "$T/first.txt" >/dev/null 2>&1
scan --state "$STATE" --html "$T/rest.html" "$LIST" >/dev/null 2>&1
assert_true "a resumed run's page holds only the targets it checked (2)" \
    test "$(grep -c 'class="target">' "$T/rest.html")" = 2
assert_true "... the closed port among them" grep -q "127.0.0.1:$CLOSED" "$T/rest.html"

CASE=usage
scan --html "$T/no-such-dir/x.html" "$LIST" >/dev/null 2>"$T/err.txt"
RC=$?
assert_exit 3
assert_true "an unwritable page is named before any check" grep -q "cannot write $T/no-such-dir/x.html" "$T/err.txt"
scan --format html --html "$T/x.html" "$LIST" >/dev/null 2>"$T/err.txt"
RC=$?
assert_exit 2
assert_true "no page when the run refuses its options" test ! -e "$T/x.html"
scan --format xml "$LIST" >/dev/null 2>"$T/err.txt"
RC=$?
assert_exit 2
assert_true "a bad --format says what is allowed" grep -q -- "--format is text, json or html" "$T/err.txt"
finish
