#!/usr/bin/env bash
# tlsdiag explain on what real clients print against faulty servers: curl,
# openssl s_client, gnutls-cli, wget and python3 each meet the fault, and
# the answer must rank the server's real fault first, or among the first two
# (with the deciding check named) where the text alone cannot tell.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx curl wget gnutls-cli

PY_CLIENT='import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2] or None)
urllib.request.urlopen(sys.argv[1], context=ctx, timeout=5)'

# clients PORT NAME [CAFILE]: each client's output against 127.0.0.1:PORT
# into $T/NAME.CLIENT.txt (the system's trust store when no CAFILE).
clients() {
    local port=$1 name=$2 ca=${3:-} url="https://127.0.0.1:$1/"
    curl -sS --max-time 5 ${ca:+--cacert "$ca"} "$url" >"$T/$name.curl.txt" 2>&1
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" ${ca:+-CAfile "$ca"} -verify_return_error -verify_ip 127.0.0.1 \
        >"$T/$name.s_client.txt" 2>&1
    timeout 5 gnutls-cli --port "$port" ${ca:+--x509cafile "$ca"} 127.0.0.1 </dev/null >"$T/$name.gnutls.txt" 2>&1
    timeout 10 wget -O /dev/null --tries=1 --timeout=5 ${ca:+--ca-certificate="$ca"} "$url" >"$T/$name.wget.txt" 2>&1
    "$PYTHON" -c "$PY_CLIENT" "$url" "$ca" >"$T/$name.python.txt" 2>&1
}

# expect NAME ID N CLIENT...: for each client's text, ID among the first N.
expect() {
    local name=$1 id=$2 n=$3 c
    shift 3
    for c in "$@"; do
        CASE="$name/$c"
        run_explain "$T/$name.$c.txt"
        assert_cause "$id" "$n"
    done
    CASE=""
}

ALL=(curl s_client gnutls wget python)

# fault ID N CLIENT...: the clients against the server with that fault
# (start_fault), each text ranking ID among the first N.
fault() {
    local name=$1
    shift
    start_fault "$name"
    clients "$PORT" "$name" "$FAULT_CA"
    expect "$name" "$@"
}

fault untrusted UNTRUSTED_CA 2 "${ALL[@]}"
fault incomplete CHAIN_INCOMPLETE 2 "${ALL[@]}"
fault expired CERT_EXPIRED 1 "${ALL[@]}"

# --check on a text that names the server: narrowed to the one cause the
# live check confirms, with its evidence.
curl -v --max-time 5 --cacert "$T/root.pem" "https://127.0.0.1:$PORT/" >"$T/expired.curl-v.txt" 2>&1
CASE=check
run_explain "$T/expired.curl-v.txt" --check --ca-file "$T/root.pem"
assert_exit 0
assert_jq '.target.host == "127.0.0.1" and .target.port == '"$PORT" "the target is read from curl -v"
assert_jq '[.candidates[].id] == ["CERT_EXPIRED"]' "narrowed to CERT_EXPIRED"
assert_jq '.check.confirmed == "CERT_EXPIRED" and (.check.evidence | length > 0)' "the check's evidence is given"
assert_jq '.candidates[0].why | test("confirmed by tlsdiag check")' "the why says it was confirmed"
assert_jq '.software.name == "curl"' "curl wrote it"
CASE=""

# A certificate for another name, reached by IP address.
fault hostname HOSTNAME_MISMATCH 2 "${ALL[@]}"
# wget (GnuTLS) says only "not trusted" and "doesn't have a known issuer":
# a self-signed leaf and an unknown root read the same there.
fault self SELF_SIGNED 2 curl s_client gnutls python
expect self SELF_SIGNED 3 wget
# GnuTLS (gnutls-cli, wget) still completes a TLS 1.0 handshake; OpenSSL 3
# clients stop at its MD5/SHA-1 signature.
fault tls10 PROTOCOL_TOO_OLD 2 curl s_client python
fault nocipher NO_SHARED_CIPHER 2 "${ALL[@]}"
fault plain NOT_TLS 1 curl s_client python wget
expect plain NOT_TLS 2 gnutls
# TLS 1.3: the alert comes after the client's Finished, so s_client, which
# reads nothing, and wget, which reports a broken session, show no cause.
fault nocert CLIENT_CERT_REQUIRED 2 curl gnutls python
stop_bg "$FAULT_PID"

# A client certificate from a CA the server does not trust.
make_root stranger "tlsdiag Stranger Root"
make_leaf_signed_by stranger client.test eku=clientAuth
start_s_server -no_tls1_3 -Verify 1 -verify_return_error -CAfile "$T/ca.pem"
curl -sS --max-time 5 --cacert "$T/ca.pem" --cert "$T/client.test.pem" --key "$T/client.test.key" \
    "https://127.0.0.1:$PORT/" >"$T/badcert.curl.txt" 2>&1
echo | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$T/ca.pem" -cert "$T/client.test.pem" \
    -key "$T/client.test.key" >"$T/badcert.s_client.txt" 2>&1
expect badcert CLIENT_CERT_REJECTED 1 curl s_client
stop_bg "$BG_PID"

# What a server's log says of a client that rejected the server's chain.
start_nginx_tls "$T/untrusted.pem" app.test
curl -sS --max-time 5 --cacert "$T/ca.pem" "https://127.0.0.1:$PORT/" >/dev/null 2>&1
grep -m1 'alert' "$NGINX_DIR/logs/error.log" >"$T/nginx-client-alert.txt"
CASE=nginx-log
run_explain "$T/nginx-client-alert.txt"
assert_cause CLIENT_REJECTED_CERT 1
assert_jq '.writer == "server" and .software.name == "nginx"' "nginx wrote it, on the server's side"
assert_jq '.alert.sent_by == "client"' "the client sent the alert"
finish
