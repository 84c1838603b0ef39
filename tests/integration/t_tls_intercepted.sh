#!/usr/bin/env bash
# TLS_INTERCEPTED with a real intercepting proxy: Squid with ssl_bump
# (Debian's squid-openssl) re-signs every certificate with its own CA.
# Through a bumping port whose CA has a name of its own, the chain differs
# from the one the server sends directly (one extra handshake without the
# proxy); through a port whose CA is named like mitmproxy's, the issuer is
# a known interception product's.  --expect-issuer and --pin find it too,
# and neither fires on the server seen directly with the right values.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd /usr/sbin/squid
/usr/sbin/squid -v | grep -q -- '--with-openssl' || die "this Squid is built without OpenSSL: no ssl_bump"
make_leaf localhost
cp "$T/localhost.pem" "$T/server.pem"
cp "$T/localhost.key" "$T/server.key"
start_s_server -cert_chain "$T/ca.pem"
ORIGIN=$PORT
PIN="sha256//$(openssl x509 -in "$T/localhost.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)"

BUMP=$(free_port tcp)
MITM=$(free_port tcp)
# The bumping CAs, and Squid's store of the certificates it makes.
mkdir -p "$T/squid"
bump_ca() {
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "$2" \
        -keyout "$T/squid/$1.key" -out "$T/squid/$1.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
        die "cannot make the CA $1"
}
bump_ca corp "/O=Example Corp/CN=Example Corp Inspection CA"
bump_ca mitm "/O=mitmproxy/CN=mitmproxy"
/usr/lib/squid/security_file_certgen -c -s "$T/squid/ssl_db" -M 4MB >/dev/null || die "cannot make Squid's ssl_db"
chown -R proxy "$T/squid" 2>/dev/null
start_squid <<EOF
http_port 127.0.0.1:$BUMP ssl-bump tls-cert=$T/squid/corp.pem tls-key=$T/squid/corp.key generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
http_port 127.0.0.1:$MITM ssl-bump tls-cert=$T/squid/mitm.pem tls-key=$T/squid/mitm.key generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
sslcrtd_program /usr/lib/squid/security_file_certgen -s $T/squid/ssl_db -M 4MB
sslcrtd_children 3 startup=1 idle=1
acl step1 at_step SslBump1
ssl_bump peek step1
ssl_bump bump all
tls_outgoing_options cafile=$T/ca.pem
http_access allow localhost
http_access deny all
EOF
SQUID_PID=$BG_PID
wait_port "$BUMP" 20 "$SQUID_PID" || die "squid did not start: $(tail -5 "$SQUID_DIR/cache.log")"
wait_port "$MITM" 5 "$SQUID_PID" || die "squid's second port is not up"
assert_true "Squid re-signs the origin's certificate" bash -c \
    "openssl s_client -connect localhost:$ORIGIN -proxy 127.0.0.1:$BUMP </dev/null 2>/dev/null | grep -q 'i:.*Example Corp Inspection CA'"

CASE=direct
run_check --ca-file "$T/ca.pem" --expect-issuer "tlsdiag Test Root" --pin "$PIN" "localhost:$ORIGIN"
assert_no_finding TLS_INTERCEPTED
assert_no_fail

CASE=chain-differs
run_check --ca-file "$T/ca.pem" --proxy "http://127.0.0.1:$BUMP" "localhost:$ORIGIN"
assert_finding TLS_INTERCEPTED
assert_severity TLS_INTERCEPTED warn
assert_jq '.root_cause.id == "TLS_INTERCEPTED"' "the interception is the root cause"
assert_jq '[.findings[] | select(.id == "UNTRUSTED_CA")] | length == 1 and .[0].symptom_of != null' \
    "the untrusted CA follows from it" 2>/dev/null
assert_finding_text TLS_INTERCEPTED 'through the proxy 127.0.0.1:'"$BUMP"' it is issued by another CA'
assert_finding_text TLS_INTERCEPTED "without the proxy the leaf is issued by 'CN=tlsdiag Test Root CA"
assert_jq '.observations.proxy.direct_handshake.outcome == "hello"' "the direct handshake was made"
assert_jq '[.findings[] | select(.id == "TLS_INTERCEPTED") | .fix][0] | test("NODE_EXTRA_CA_CERTS") and test("keytool") and test("REQUESTS_CA_BUNDLE") and test("SSL_CERT_FILE")' \
    "the fix names each runtime's store"

CASE=product
run_check --ca-file "$T/ca.pem" --proxy "http://127.0.0.1:$MITM" "localhost:$ORIGIN"
assert_finding TLS_INTERCEPTED
assert_finding_text TLS_INTERCEPTED 'interception CA of mitmproxy \(debugging proxy\)'
assert_finding_text TLS_INTERCEPTED 'docs.mitmproxy.org'

CASE=expect-issuer
run_check --ca-file "$T/ca.pem" --expect-issuer "tlsdiag Test Root" --proxy "http://127.0.0.1:$BUMP" "localhost:$ORIGIN"
assert_finding TLS_INTERCEPTED
assert_severity TLS_INTERCEPTED fail
assert_finding_text TLS_INTERCEPTED "--expect-issuer 'tlsdiag Test Root' matches no issuer"

CASE=pin
run_check --ca-file "$T/ca.pem" --pin "$PIN" --proxy "http://127.0.0.1:$BUMP" "localhost:$ORIGIN"
assert_finding TLS_INTERCEPTED
assert_severity TLS_INTERCEPTED fail
assert_jq '[.findings[] | select(.id == "TLS_INTERCEPTED") | .verify][0] | test("--pinnedpubkey") and test("-x http://127.0.0.1:'"$BUMP"'")' \
    "the verify command pins the key through the proxy"

CASE=wrong-pin-direct
run_check --ca-file "$T/ca.pem" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" "localhost:$ORIGIN"
assert_finding TLS_INTERCEPTED
assert_true "the evidence names the leaf's real pin" grep -qF "the leaf's key is $PIN" "$OUT"
finish
