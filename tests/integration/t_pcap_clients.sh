#!/usr/bin/env bash
# tlsdiag pcap on captures of real clients failing: tcpdump on loopback
# while curl, openssl s_client and gnutls-cli meet a self-signed server (TLS
# 1.2 and 1.3) and while curl presents a certificate from a CA the server
# does not trust.  pcap names the server's fault as check does (SELF_SIGNED)
# and the client's view beside it (CLIENT_REJECTED_CERT with the alert,
# CLIENT_ALERT, CLIENT_CERT_REJECTED).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd curl gnutls-cli tcpdump

# ---- a self-signed server
make_self_signed app.test
start_s_server_cert "$T/app.test.pem" "$T/app.test.key"
SELF=$PORT SELF_PID=$BG_PID
CAP="$T/self.pcap"
start_capture "$CAP" -i lo "tcp port $SELF"
curl -sS --max-time 5 --tls-max 1.2 "https://127.0.0.1:$SELF/" >/dev/null 2>&1          # stream 0
curl -sS --max-time 5 "https://127.0.0.1:$SELF/" >/dev/null 2>&1                         # stream 1: TLS 1.3
echo | timeout 5 openssl s_client -connect "127.0.0.1:$SELF" -tls1_2 -verify_return_error \
    >/dev/null 2>&1                                                                       # stream 2
timeout 5 gnutls-cli --port "$SELF" 127.0.0.1 </dev/null >/dev/null 2>&1                 # stream 3: TLS 1.3
curl -sSk --max-time 5 "https://127.0.0.1:$SELF/" >/dev/null 2>&1                        # stream 4: works
stop_capture

CASE=check
run_check --sni app.test "127.0.0.1:$SELF"
assert_finding SELF_SIGNED

CASE=pcap
run_pcap "$CAP"
assert_exit 1
assert_jq '.summary.handshakes == 5 and .summary.failed == 4' "5 handshakes, 4 failed"
assert_jq '.summary.by_root_cause.SELF_SIGNED == 2' "SELF_SIGNED is the root cause of the two TLS 1.2 failures"
assert_jq '.summary.by_server[0].server == "127.0.0.1:'"$SELF"'" and .summary.by_server[0].failed == 4' \
    "counted by server"
assert_jq '[.connections[].stream] == [0, 1, 2, 3, 4]' "every connection listed, in order"
assert_jq '(.summary.by_client | map(.handshakes) | add) == 5 and (.summary.by_client | length) >= 3' \
    "handshakes counted by client fingerprint (curl, s_client, gnutls-cli at least)"
assert_jq '[.summary.by_client[] | select(.looks_like == "curl-openssl3")][0].handshakes == 2' \
    "curl's two TLS 1.3 hellos (default and -k) under one fingerprint"

CASE="curl TLS 1.2"
pcap_conn '.stream == 0'
assert_root_cause SELF_SIGNED
assert_finding CLIENT_REJECTED_CERT
assert_finding_text CLIENT_REJECTED_CERT 'unknown_ca\(48\)'
assert_jq '[.findings[] | select(.id == "CLIENT_REJECTED_CERT")][0].symptom_of == 0' \
    "the rejection follows from the self-signed chain"
assert_jq '[.ladder[] | select(.from == "server" and .kind == "handshake") | .message] ==
    ["ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"]' "the server's TLS 1.2 flight, message by message"
assert_jq '[.ladder[] | select(.kind == "alert")][0] | .from == "client" and .alert == "unknown_ca"' \
    "the ladder shows the client's alert"
assert_jq '.ladder[0].kind == "syn" and .ladder[1].kind == "syn-ack"' "the ladder starts at the SYN"
assert_jq '[.findings[] | .fix, .verify] | all(. != null)' "each finding has a fix and a verify command"

CASE="curl TLS 1.3"
pcap_conn '.stream == 1'
assert_jq '.fingerprint.ja3 | test("^[0-9a-f]{32}$")' "JA3 is an MD5 in hex"
assert_jq '.fingerprint.ja4 | test("^t13i[0-9]{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$")' \
    "JA4: TLS 1.3, no SNI (an address), h2 first in ALPN"
assert_jq '[.fingerprint.looks_like[].id] | index("curl-openssl3") != null' "the client looks like curl on OpenSSL 3"
assert_root_cause CLIENT_REJECTED_CERT
assert_finding_text CLIENT_REJECTED_CERT 'unknown_ca'
assert_jq '[.ladder[] | select(.kind == "encrypted" and .from == "server")] | length == 1' \
    "the encrypted part of the TLS 1.3 flight is one rung"
assert_no_finding SELF_SIGNED

CASE="s_client TLS 1.2"
pcap_conn '.stream == 2'
assert_root_cause SELF_SIGNED
assert_finding CLIENT_REJECTED_CERT

CASE="gnutls-cli TLS 1.3"
pcap_conn '.stream == 3'
assert_jq '[.fingerprint.looks_like[].id] | all(. != "curl-openssl3" and . != "openssl-3")' \
    "gnutls-cli is not named as an OpenSSL client"
assert_jq '.fingerprint.looks_like != [] or (.fingerprint.text | startswith("unknown client (nearest profile: "))' \
    "below the threshold no name is given, only the nearest with its score"
assert_jq '.verdict == "fail"' "gnutls-cli's refusal is a failure"
assert_jq '[.findings[].id] | any(. == "CLIENT_ALERT" or . == "CLIENT_REJECTED_CERT")' \
    "the client's side is named"

CASE="curl -k"
pcap_conn '.stream == 4'
assert_jq '.verdict == "ok" and (.findings | length == 0)' "a client that accepted the chain: no finding"

CASE=text
"$TLSDIAG" pcap "$CAP" >"$T/text.txt" 2>&1
assert_true "the text starts with the summary" grep -q "^.*self.pcap: 5 TLS handshakes in 5 TCP connections, 4 failed" "$T/text.txt"
assert_true "the text shows a ladder" grep -q "client -> server  Alert fatal unknown_ca(48)" "$T/text.txt"
assert_true "the text says who the client looks like" grep -q "^  client: looks like curl 7.88+ on OpenSSL 3" "$T/text.txt"
assert_true "and its fingerprints, wrapped to 80 columns" bash -c \
    "grep -A3 '^  client: looks like curl' '$T/text.txt' | tr -s ' \n' ' ' | grep -q 'JA3 [0-9a-f]\{32\}, JA4 t13' &&
     ! grep -A3 '^  client: ' '$T/text.txt' | grep -q '.\{81\}'"
assert_true "the summary counts by client" grep -q "^  by client: JA4 t1" "$T/text.txt"
assert_true "the text names the root cause with its fix" grep -q "root cause: fail SELF_SIGNED" "$T/text.txt"
assert_true "the working connection is left out of the short text" bash -c "! grep -q '^OK ' '$T/text.txt'"
"$TLSDIAG" pcap --verbose "$CAP" >"$T/verbose.txt" 2>&1
assert_true "--verbose lists the working connection too" grep -q "^OK  stream 4" "$T/verbose.txt"

# ---- the same server, asked by name: the chain is judged against the SNI sent
CAP="$T/sni.pcap"
start_capture "$CAP" -i lo "tcp port $SELF"
for name in app.test other.test; do
    curl -sS --max-time 5 --tls-max 1.2 --resolve "$name:$SELF:127.0.0.1" "https://$name:$SELF/" >/dev/null 2>&1
done
stop_capture
CASE="sni app.test"
run_pcap "$CAP"
pcap_conn '.stream == 0'
assert_root_cause SELF_SIGNED
assert_no_finding HOSTNAME_MISMATCH
assert_finding_text CLIENT_REJECTED_CERT 'SNI app\.test'
assert_jq '.findings[0].verify | test("-servername app\\.test")' "the verify command sends the same name"
CASE="sni other.test"
pcap_conn '.stream == 1'
assert_finding HOSTNAME_MISMATCH
assert_finding_text HOSTNAME_MISMATCH 'other\.test'
stop_bg "$SELF_PID"

# ---- a HelloRetryRequest first: s_server takes P-256 only, curl's key
# share is X25519; the second flight is TLS 1.3, its ChangeCipherSpec a dummy
start_s_server_cert "$T/app.test.pem" "$T/app.test.key" -groups P-256
HRR_PID=$BG_PID
CAP="$T/hrr.pcap"
start_capture "$CAP" -i lo "tcp port $PORT"
curl -sS --max-time 5 "https://127.0.0.1:$PORT/" >/dev/null 2>&1
stop_capture
stop_bg "$HRR_PID"
CASE=hrr
run_pcap "$CAP"
pcap_conn '.stream == 0'
assert_jq '[.ladder[] | select(.kind == "handshake") | "\(.from) \(.message)"][0:4] ==
    ["client ClientHello", "server HelloRetryRequest", "client ClientHello", "server ServerHello"]' \
    "the retry and the second ClientHello on the ladder"
assert_root_cause CLIENT_REJECTED_CERT
assert_finding_text CLIENT_REJECTED_CERT 'unknown_ca\(48\)'

# ---- a server that rejects the client's certificate (TLS 1.2)
make_leaf server
make_root stranger "tlsdiag Stranger Root"
make_leaf_signed_by stranger client.test eku=clientAuth
start_s_server -no_tls1_3 -Verify 1 -verify_return_error -CAfile "$T/ca.pem"
MTLS_PID=$BG_PID
CAP="$T/mtls.pcap"
start_capture "$CAP" -i lo "tcp port $PORT"
curl -sS --max-time 5 --cacert "$T/ca.pem" --cert "$T/client.test.pem" --key "$T/client.test.key" \
    "https://127.0.0.1:$PORT/" >/dev/null 2>&1
curl -sS --max-time 5 --cacert "$T/ca.pem" "https://127.0.0.1:$PORT/" >/dev/null 2>&1
stop_capture

CASE=mtls
run_pcap "$CAP"
assert_exit 1
pcap_conn '.stream == 0'
assert_root_cause CLIENT_CERT_REJECTED
assert_finding_text CLIENT_CERT_REJECTED 'the client sent one'
assert_jq '[.ladder[] | select(.from == "client" and .kind == "handshake") | .message] | index("Certificate") != null' \
    "the client's Certificate is on the ladder"
pcap_conn '.stream == 1'
assert_root_cause CLIENT_CERT_REJECTED
assert_finding_text CLIENT_CERT_REJECTED 'sent none'
assert_no_finding CLIENT_REJECTED_CERT
stop_bg "$MTLS_PID"

# ---- the same in TLS 1.3: the server's alert is encrypted; the capture
# says so and does not call the handshake a success
start_s_server -Verify 1 -verify_return_error -CAfile "$T/ca.pem"
CAP="$T/mtls13.pcap"
start_capture "$CAP" -i lo "tcp port $PORT"
curl -sS --max-time 5 --cacert "$T/ca.pem" "https://127.0.0.1:$PORT/" >/dev/null 2>&1
stop_capture
CASE=mtls13
run_pcap "$CAP"
pcap_conn '.stream == 0'
assert_jq '.verdict == "incomplete"' "not a success"
assert_jq '.notes | any(test("encrypted record the size of an alert"))' "the note names the encrypted alert"
finish
