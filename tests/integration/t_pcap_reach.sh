#!/usr/bin/env bash
# tlsdiag pcap names what check names, from a capture of one client meeting
# the scripted faulty servers: a reset, a close and silence after the
# ClientHello, an alert, an answer that is not TLS, and a server stuck at
# TLS 1.0.  The reset comes from the server itself: no MIDDLEBOX_RESET.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd curl tcpdump

# capture_server ID CHECK-ARGS...: check against the server on $PORT names
# ID; one curl (with the options in CURL_OPTS) captured; pcap names ID too,
# as the root cause, and no other alert finding beside it.  Leaves $OUT on
# the captured connection.
CURL_OPTS=()
N_CAP=0
capture_server() {
    local id=$1
    shift
    N_CAP=$((N_CAP + 1))
    CASE="$id check"
    run_check "$@" "127.0.0.1:$PORT"
    assert_finding "$id"
    start_capture "$T/$N_CAP.pcap" -i lo "tcp port $PORT"
    curl -sS --max-time 3 "${CURL_OPTS[@]}" "https://127.0.0.1:$PORT/" >/dev/null 2>&1
    stop_capture
    CASE="$id pcap"
    run_pcap "$T/$N_CAP.pcap"
    assert_exit 1
    assert_jq ".summary.by_root_cause.$id == 1" "the root cause is $id"
    pcap_conn '.stream == 0'
    assert_root_cause "$id"
    assert_severity "$id" fail
    [ "$id" = SERVER_ALERT ] || assert_no_finding SERVER_ALERT
}

# capture_fault MODE ID [CURL-ARGS...]: capture_server against fake_tls.py MODE.
capture_fault() {
    local mode=$1 id=$2
    shift 2
    start_fake "$mode"
    FAKE_PID=$BG_PID
    CURL_OPTS=("$@")
    capture_server "$id"
    CURL_OPTS=()
    stop_bg "$FAKE_PID"
}

capture_fault reset RESET_AFTER_CLIENTHELLO
assert_no_finding MIDDLEBOX_RESET
assert_finding_text RESET_AFTER_CLIENTHELLO 'RST at \+[0-9.]+ s with TTL 64'
assert_jq '.ladder[-1].kind == "rst" and .ladder[-1].from == "server"' "the ladder ends in the server's RST"
assert_jq '.answer == "reset"' "the answer is a reset"

capture_fault close CLOSED_AFTER_CLIENTHELLO
assert_jq '[.ladder[] | select(.kind == "fin" and .from == "server")] | length == 1' "the server's FIN"

capture_fault silent HANDSHAKE_TIMEOUT
assert_finding_text HANDSHAKE_TIMEOUT 'waited [0-9.]+ s'

capture_fault alert80 SERVER_ALERT
assert_finding_text SERVER_ALERT 'internal_error\(80\)'
assert_jq '[.ladder[] | select(.kind == "alert")][0] | .from == "server" and .alert_code == 80' \
    "the server's alert on the ladder"

capture_fault http NOT_TLS
assert_finding_text NOT_TLS 'HTTP'

capture_fault tls10only PROTOCOL_TOO_OLD --tlsv1.0 --ciphers DEFAULT@SECLEVEL=0
assert_finding_text PROTOCOL_TOO_OLD 'TLS 1.0'

# s_server speaking TLS 1.0 only (as in t_protocol_too_old.sh): curl
# offering TLS 1.2 and 1.3 only gets protocol_version(70).
make_leaf server
start_s_server -tls1 -cipher 'DEFAULT@SECLEVEL=0'
SERVER_PID=$BG_PID
CURL_OPTS=(--tlsv1.2)
capture_server PROTOCOL_TOO_OLD
CURL_OPTS=()
assert_finding_text PROTOCOL_TOO_OLD 'protocol_version\(70\)'
assert_finding_text PROTOCOL_TOO_OLD 'TLS 1.2 to TLS 1.3'
stop_bg "$SERVER_PID"

# An ECDSA certificate with only RSA suites allowed: handshake_failure(40)
# to every hello (as in t_no_shared_cipher.sh).
make_leaf server "" ec256
start_s_server -cipher aRSA -no_tls1_3
SERVER_PID=$BG_PID
capture_server NO_SHARED_CIPHER
assert_finding_text NO_SHARED_CIPHER 'none of the [0-9]+ cipher suites the client offers'
assert_finding_text NO_SHARED_CIPHER 'handshake_failure\(40\)'
stop_bg "$SERVER_PID"

# nginx whose default server rejects handshakes: a hello without SNI (curl
# to an IP address sends none) gets unrecognized_name(112) (as in
# t_sni_required.sh).
if command -v nginx >/dev/null 2>&1; then
    make_leaf app.test "DNS:app.test"
    start_nginx_sni_only app.test
    capture_server SNI_REQUIRED --sni app.test
    assert_finding_text SNI_REQUIRED 'no SNI'
    assert_jq '[.findings[] | select(.id == "SNI_REQUIRED")][0].verify | test("-noservername")' \
        "the verify command sends no name either"
else
    echo "note: no nginx: SNI_REQUIRED case skipped"
fi
finish
