#!/usr/bin/env bash
# tlsdiag pcap --replay: curl's ClientHello, captured with tcpdump, sent to
# a scripted server that turns down every hello carrying encrypt_then_mac
# (0x0016, which curl on OpenSSL sends): the replay takes the hello apart,
# confirms and names the extension (VERSION_INTOLERANCE).  The same hello
# against a healthy s_server works: no failure is named.  A target that
# does not resolve: one line, exit 2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd curl tcpdump

make_self_signed app.test
start_s_server_cert "$T/app.test.pem" "$T/app.test.key"
HEALTHY=$PORT
CAP="$T/curl.pcap"
start_capture "$CAP" -i lo "tcp port $HEALTHY"
curl -sS --max-time 5 "https://127.0.0.1:$HEALTHY/" >/dev/null 2>&1      # stream 0: refuses the certificate
curl -sSk --max-time 5 "https://127.0.0.1:$HEALTHY/" >/dev/null 2>&1     # stream 1: works
stop_capture

REJECT=$(free_port tcp)
start_bg "$PYTHON" "$ROOT/tests/servers/ext_reject.py" --port "$REJECT" --reject-ext 0x0016
wait_port "$REJECT" 10 || die "ext_reject.py did not start"

CASE="rejects encrypt_then_mac"
run_pcap "$CAP" --replay "127.0.0.1:$REJECT"
assert_exit 1
assert_jq '.replay.stream == 0' "the first failed connection is replayed"
assert_jq '.replay.accepted == false' "the captured hello is turned down"
assert_jq '[.replay.steps[] | select(.drop == "extension") | .values[0]] | index(22) != null' \
    "curl's hello carries encrypt_then_mac, and it was left out once"
assert_jq '.replay.culprit == "the extension encrypt_then_mac (0x0016)"' "the extension is named"
assert_jq '.replay.confirmed and .replay.stable' "confirmed on fresh connections"
assert_jq '.replay.findings | length == 1 and .[0].id == "VERSION_INTOLERANCE" and .[0].severity == "fail"' \
    "VERSION_INTOLERANCE"
assert_jq '.replay.findings[0].summary | test("encrypt_then_mac")' "the summary names the extension"
assert_jq '.replay.findings[0].evidence | test("encrypt_then_mac") and test("handshake_failure")' \
    "the evidence names the extension and the answer"
assert_jq '.replay.findings[0].fix | test("Server side") and test("Client side")' "a fix on both sides"
assert_jq '.replay.findings[0].verify | test("--replay 127.0.0.1:'"$REJECT"'") and test("--stream 0")' \
    "a verify command replaying the same connection"

CASE="--stream 1 against the same server"
run_pcap "$CAP" --stream 1 --replay "127.0.0.1:$REJECT"
assert_jq '.replay.stream == 1 and .replay.culprit == "the extension encrypt_then_mac (0x0016)"' \
    "--stream picks the connection replayed"

CASE="text"
echo "[$CASE] \$ tlsdiag pcap $CAP --replay 127.0.0.1:$REJECT"
"$TLSDIAG" pcap "$CAP" --replay "127.0.0.1:$REJECT" >"$T/text.txt" 2>"$T/err.txt"
RC=$?
cat "$T/text.txt"
assert_exit 1
assert_true "a Replay section" grep -q "^Replay of stream 0 to 127.0.0.1:$REJECT" "$T/text.txt"
assert_true "the finding names the extension" \
    grep -q "fail VERSION_INTOLERANCE: 127.0.0.1:$REJECT turns down the captured" "$T/text.txt"

CASE="healthy server"
run_pcap "$CAP" --replay "127.0.0.1:$HEALTHY"
assert_jq '.replay.accepted == true and .replay.culprit == null' "the captured hello is answered"
assert_jq '.replay.findings == [] and (.replay.steps | length) == 1' "no failure, no bisection"
"$TLSDIAG" pcap "$CAP" --replay "127.0.0.1:$HEALTHY" >"$T/text.txt" 2>"$T/err.txt"
assert_true "the text says it works now" \
    grep -q "the captured hello works against 127.0.0.1:$HEALTHY now: no failure" "$T/text.txt"
assert_true "nothing named" sh -c "! grep -q VERSION_INTOLERANCE '$T/text.txt'"

CASE="bad target"
for target in nosuch.invalid:443 "127.0.0.1:99999" "[::1"; do
    "$TLSDIAG" pcap "$CAP" --replay "$target" >"$T/out.txt" 2>"$T/err.txt"
    RC=$?
    echo "  --replay $target: exit $RC: $(cat "$T/err.txt")"
    assert_exit 2
    assert_true "one line on stderr ($target)" test "$(wc -l <"$T/err.txt")" -eq 1
    assert_true "nothing on stdout ($target)" test ! -s "$T/out.txt"
done
finish
