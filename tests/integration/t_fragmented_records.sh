#!/usr/bin/env bash
# A valid TLS 1.2 first flight cut into 1-byte records (RFC 5246 section
# 6.2.1 allows a handshake message to span any number of records):
# tests/servers/frag_relay.py in front of `openssl s_server -tls1_2`
# re-frames the server's plaintext handshake records, and passes the rest
# through.  OpenSSL completes a handshake through it; tlsdiag must see TLS
# 1.2 supported, and the simulated clients must fare exactly as they do
# against the same server reached directly.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server
start_s_server -tls1_2
UPSTREAM=$PORT
start_frag_relay "$UPSTREAM"

assert_true "openssl s_client -tls1_2 completes a handshake through the relay" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -CAfile '$T/ca.pem' 2>&1 |
     grep -qE 'Verify return code: 0 \(ok\)' "
assert_true "the relay cut a flight into more than 1024 one-byte records" bash -c \
    "awk '/one-byte handshake records/ && \$3 > 1024 { found = 1 } END { exit !found }' '$RELAY_LOG'"

CASE=direct
run_check --ca-file "$T/ca.pem" "127.0.0.1:$UPSTREAM"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
DIRECT_FAILING=$(jq -c '[.clients[]? | select(.result != "ok") | .id] | sort' "$OUT")
echo "  clients failing directly: $DIRECT_FAILING"

CASE=relay
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported through the relay"
assert_jq '.observations.versions["TLS 1.2"].attempt | .outcome == "hello" and .error == null' \
    "the TLS 1.2 hello got a ServerHello, parsed without error"
assert_jq '.observations.versions["TLS 1.2"].attempt.first_bytes_hex | startswith("1603030001")' \
    "it arrived in 1-byte handshake records"
assert_jq '[.. | strings | select(test("records in the first flight|too many pieces"))] | length == 0' \
    "no report text blames the number of records"
assert_jq 'vsuites("TLS 1.2") | length > 0' "TLS 1.2 suites enumerated"
assert_jq "[.clients[]? | select(.result != \"ok\") | .id] | sort == $DIRECT_FAILING" \
    "the same clients fail as without the relay"
assert_jq '[.clients[]? | select(.result == "ok")] | length > 0' "some simulated clients get through"
assert_no_finding VERSION_INTOLERANCE
assert_no_finding SERVER_ALERT
finish
