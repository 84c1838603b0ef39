#!/usr/bin/env bash
# tlsdiag pcap --keylog: TLS 1.3 handshakes recorded by tcpdump while curl
# (SSLKEYLOGFILE) and openssl s_client (-keylogfile) fail, opened with the
# keys they logged.  Without the keys the server's certificate, its
# CertificateRequest and its alert are encrypted; with them the same rules
# name the server's fault: SELF_SIGNED from the chain read out of the
# encrypted Certificate, CLIENT_CERT_REJECTED from the decrypted
# certificate_required(116) alert.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd curl tcpdump

# ---- a self-signed TLS 1.3 server, curl refuses it
make_self_signed app.test
start_s_server_cert "$T/app.test.pem" "$T/app.test.key" -tls1_3
SELF_PID=$BG_PID
CAP="$T/self13.pcap"
start_capture "$CAP" -i lo "tcp port $PORT"
SSLKEYLOGFILE="$T/curl.keys" curl -sS --max-time 5 --resolve "app.test:$PORT:127.0.0.1" \
    "https://app.test:$PORT/" >/dev/null 2>&1
stop_capture
stop_bg "$SELF_PID"
assert_true "curl logged its keys" grep -q "^SERVER_HANDSHAKE_TRAFFIC_SECRET " "$T/curl.keys"

CASE="self-signed, no keys"
run_pcap "$CAP"
assert_exit 1
assert_jq '.summary.decrypted == 0' "nothing decrypted"
pcap_conn '.stream == 0'
assert_no_finding SELF_SIGNED

CASE="self-signed, --keylog"
run_pcap --keylog "$T/curl.keys" "$CAP"
assert_exit 1
assert_jq '.summary.decrypted == 1' "the connection's keys were found"
pcap_conn '.stream == 0'
assert_root_cause SELF_SIGNED
assert_finding_text CLIENT_REJECTED_CERT 'unknown_ca\(48\)'
"$TLSDIAG" pcap --keylog "$T/curl.keys" "$CAP" >"$T/self.txt" 2>&1
assert_true "the text names the root cause" grep -q "root cause: fail SELF_SIGNED" "$T/self.txt"

# ---- a TLS 1.3 server that requires a client certificate, s_client has none
make_leaf server
start_s_server -tls1_3 -Verify 1 -verify_return_error -CAfile "$T/ca.pem"
MTLS_PID=$BG_PID
CAP="$T/mtls13.pcap"
start_capture "$CAP" -i lo "tcp port $PORT"
echo | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$T/ca.pem" -keylogfile "$T/s_client.keys" \
    >/dev/null 2>&1
stop_capture
stop_bg "$MTLS_PID"

CASE="client certificate required, no keys"
run_pcap "$CAP"
pcap_conn '.stream == 0'
assert_no_finding CLIENT_CERT_REJECTED

CASE="client certificate required, --keylog"
run_pcap --keylog "$T/s_client.keys" "$CAP"
assert_exit 1
pcap_conn '.stream == 0'
assert_root_cause CLIENT_CERT_REJECTED
assert_finding_text CLIENT_CERT_REJECTED 'sent none'
assert_finding_text CLIENT_CERT_REJECTED 'certificate_required\(116\)'
assert_jq '[.ladder[] | select(.from == "server" and .kind == "alert")][0].alert == "certificate_required"' \
    "the server's encrypted alert is named on the ladder"

# ---- a file that is no key log: one line, exit 2
CASE="not a key log"
echo "GET / HTTP/1.1" >"$T/not.keys"
"$TLSDIAG" pcap --keylog "$T/not.keys" "$CAP" >"$T/bad.out" 2>"$T/err.txt"
RC=$?
assert_exit 2
assert_true "one line on stderr" test "$(wc -l <"$T/err.txt")" = 1
assert_true "it says so" grep -q "no key log line" "$T/err.txt"
assert_true "nothing on stdout" test ! -s "$T/bad.out"
finish
