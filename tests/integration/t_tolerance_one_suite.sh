#!/usr/bin/env bash
# VERSION_INTOLERANCE must not be reported for a tolerant server that
# accepts one unusual suite.  Each server below speaks TLS 1.2 only, with
# suites outside the short fixed lists the tolerance hellos (padded hello,
# GREASE hello) used to carry: DHE only (s_server, 2048-bit group), 3DES
# only (gnutls-serv; the local OpenSSL has no 3DES), ECDSA certificate with
# ECDHE-ECDSA CBC-SHA2 suites only, and CHACHA20 only.  A handshake_failure
# to a hello that shares no suite with the server is no intolerance: the
# tolerance hellos must carry a suite the server was seen to accept, and get
# a ServerHello.
# gnutls-serv listens on every address: run in a private network namespace.
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd gnutls-serv
make_leaf server
make_leaf ecdsa "" ec256
# the RFC 7919 ffdhe2048 group as DH parameters: instant, unlike generating some
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$T/dh2048.pem" 2>"$T/dhparam.err" ||
    die "openssl genpkey -genparam failed"

# check_tolerant SUITE_CODE SUITE_NAME: the report on $PORT (started by the
# caller) has the server's one suite for TLS 1.2, both tolerance hellos
# answered with it, and no VERSION_INTOLERANCE.
check_tolerant() {
    local code=$1 name=$2
    run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_no_finding VERSION_INTOLERANCE
    assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
    assert_jq "vsuites(\"TLS 1.2\") | has_code($code; [\"$name\"])" "TLS 1.2 suites include $name"
    assert_jq '.observations.version_intolerance.futurever.outcome == "hello"' \
        "the GREASE hello gets a ServerHello"
    assert_jq '.observations.version_intolerance.bighello.outcome == "hello"' \
        "the padded hello gets a ServerHello"
    assert_jq '(.root_cause.id // "") != "VERSION_INTOLERANCE"' "the root cause is not VERSION_INTOLERANCE"
}

CASE=dhe
start_s_server -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -dhparam "$T/dh2048.pem"
assert_true "the server refuses ECDHE, plain RSA and DHE-CBC suites" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:DHE-RSA-AES128-SHA' 2>&1 | grep -q 'Cipher is (NONE)'"
assert_true "the server speaks DHE-RSA-AES128-GCM-SHA256 with a 2048-bit group" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Server Temp Key: DH, 2048 bits'"
check_tolerant 158 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
stop_bg "$BG_PID"

CASE=3des
start_gnutls 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL'
assert_true "the server refuses AES suites" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256' 2>&1 | grep -q 'alert'"
check_tolerant 10 TLS_RSA_WITH_3DES_EDE_CBC_SHA
stop_bg "$BG_PID"

CASE=ecdsa
start_s_server_cert ecdsa ecdsa -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384'
assert_true "the server refuses ECDHE-ECDSA GCM and every RSA suite" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:aRSA' 2>&1 | grep -q 'Cipher is (NONE)'"
assert_true "the server speaks an ECDHE-ECDSA CBC-SHA2 suite" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -qE 'Cipher is ECDHE-ECDSA-AES(128-SHA256|256-SHA384)'"
check_tolerant 49187 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
stop_bg "$BG_PID"

CASE=chacha20
start_s_server -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
assert_true "the server refuses AES suites" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA' 2>&1 | grep -q 'Cipher is (NONE)'"
check_tolerant 52392 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
stop_bg "$BG_PID"
finish
