#!/usr/bin/env bash
# CHAIN_INCOMPLETE: nginx sending the leaf without the intermediate that
# signed it.  Three ways:
#   - the leaf's AIA caIssuers URL points at a local HTTP server holding the
#     intermediate (DER): the path completes with it, "browsers cope";
#   - the same server checked with --no-aia: nothing is fetched;
#   - a second leaf whose AIA URL points at a closed local port: the fetch
#     fails and the path stays incomplete.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx curl
make_ca_tree root inter
mkdir -p "$T/aia"
cp "$T/inter.der" "$T/aia/inter.der"
start_http_dir "$T/aia"
AIA_URL="http://127.0.0.1:$HTTP_PORT/inter.der"
CLOSED_PORT=$(free_port tcp)
DEAD_URL="http://127.0.0.1:$CLOSED_PORT/inter.der"
make_leaf_signed_by inter app.test "aia=$AIA_URL"
make_leaf_signed_by inter dead.test "aia=$DEAD_URL" "sans=DNS:app.test,DNS:dead.test,IP:127.0.0.1"
PORT=$(free_port tcp)
PORT2=$(free_port tcp)
# the leaves alone, without inter.pem
start_nginx <<NGX
    ssl_protocols TLSv1.2 TLSv1.3;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/app.test.pem;
        ssl_certificate_key $T/app.test.key;
    }
    server {
        listen 127.0.0.1:$PORT2 ssl;
        ssl_certificate $T/dead.test.pem;
        ssl_certificate_key $T/dead.test.key;
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
wait_port "$PORT2" 10 || die "nginx did not start"

assert_true "s_client with the root as anchor: unable to get local issuer certificate" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'unable to get local issuer certificate'"
assert_true "only the leaf is sent" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -showcerts 2>&1 | grep -c '^ [0-9] s:' | grep -qx 1"
assert_true "the leaf's AIA caIssuers is $AIA_URL" bash -c \
    "openssl x509 -in '$T/app.test.pem' -noout -text | grep -qF 'CA Issuers - URI:$AIA_URL'"
assert_true "the AIA URL serves the intermediate, which completes the path" bash -c \
    "curl -sf --max-time 5 -o '$T/fetched.der' '$AIA_URL' && openssl x509 -inform DER -in '$T/fetched.der' -out '$T/fetched.pem' \
        && openssl verify -CAfile '$T/root.pem' -untrusted '$T/fetched.pem' '$T/app.test.pem' | grep -q ': OK'"
assert_true "nothing listens on the dead AIA port" bash -c \
    "! curl -s --max-time 3 -o /dev/null '$DEAD_URL'"
aia_gets() { grep -c 'GET /inter.der' "$HTTP_LOG"; }

CASE="AIA reachable"
before=$(aia_gets)
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_INCOMPLETE
assert_severity CHAIN_INCOMPLETE fail
assert_exit 1
assert_finding_text CHAIN_INCOMPLETE 'AIA|authority information access|caIssuers'
assert_finding_text CHAIN_INCOMPLETE 'tlsdiag Test Intermediate inter'
assert_jq '.observations.handshake.chain | length == 1' "one certificate sent"
assert_jq '.observations.trust.path.verdict == "incomplete chain"' "path verdict: incomplete chain"
assert_jq '.observations.trust.path.missing_issuer | test("CN=tlsdiag Test Intermediate inter")' \
    "missing_issuer names the intermediate"
assert_jq ".observations.trust.path.missing_issuer_aia == \"$AIA_URL\"" "missing_issuer_aia is the leaf's AIA URL"
assert_jq ".observations.trust.aia.url == \"$AIA_URL\" and .observations.trust.aia.fetched == true" "the AIA URL was fetched"
assert_jq '.observations.trust.path_with_aia.verdict == "ok"' "with the fetched intermediate the path is ok (browsers cope)"
assert_jq '.observations.trust.path_with_aia.used_extra == true' "... using the fetched certificate"
assert_true "the HTTP server saw the fetch" test "$(aia_gets)" -gt "$before"
assert_no_finding UNTRUSTED_CA
assert_no_finding CHAIN_ORDER

CASE="--no-aia"
before=$(aia_gets)
run_check --no-aia --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_INCOMPLETE
assert_severity CHAIN_INCOMPLETE fail
assert_jq '.observations.trust.path.verdict == "incomplete chain"' "path verdict: incomplete chain"
assert_jq '.observations.trust.aia.fetched != true' "nothing fetched"
assert_jq '.observations.trust.path_with_aia.verdict != "ok"' "no path completed through AIA"
assert_true "the HTTP server saw no request" test "$(aia_gets)" -eq "$before"

CASE="AIA unreachable"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT2"
assert_finding CHAIN_INCOMPLETE
assert_severity CHAIN_INCOMPLETE fail
assert_exit 1
assert_jq '.observations.trust.path.verdict == "incomplete chain"' "path verdict: incomplete chain"
assert_jq ".observations.trust.path.missing_issuer_aia == \"$DEAD_URL\"" "missing_issuer_aia is the dead URL"
assert_jq '.observations.trust.aia.fetched == false and (.observations.trust.aia.error | type == "string")' \
    "the fetch failed, with a reason"
assert_jq '.observations.trust.path_with_aia.verdict != "ok"' "no path completed through AIA"
finish
