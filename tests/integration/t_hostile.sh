#!/usr/bin/env bash
# SERVER_PROTOCOL_VIOLATION and HANDSHAKE_TIMEOUT against hostile servers:
# tests/servers/hostile.py answers every ClientHello with one fault no client
# gets past (a dripped first flight, certificates that are not DER, choices
# the hello never offered, a HelloRetryRequest loop, a close after the
# ServerHello, broken records, a bogus alert level).  For each, the check
# must not crash (exit 0 or 1, never a signal or a sanitizer report), print
# one JSON document, end before its deadline plus 2 s, fail (verdict "fail",
# exit 1) and name the expected finding with the fault in its text.  A drip
# must not need the deadline at all: each connection ends 3 step timeouts
# after it was made, and the check ends with the stage-1 hellos, with a
# short --timeout and with the defaults (5 s, deadline 60 s).  The last line
# counts what went wrong:
#   hostile: N servers, C crashes, O overruns, J invalid JSON, W wrong verdicts
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_cmd jq

HOSTILE="$ROOT/tests/servers/hostile.py"
DEFAULT_STEP=5 # tlsdiag's own --timeout

# The finding each mode must produce, and what its summary or evidence says.
declare -A WANT_ID=() WANT_TEXT=()
want() { WANT_ID[$1]=$2; WANT_TEXT[$1]=$3; }
want drip HANDSHAKE_TIMEOUT 'slow drip: [0-9]+ bytes in [0-9.]+ s'
want cert-random SERVER_PROTOCOL_VIOLATION 'certificate 1 is not an X.509 certificate at offset 0: tag 0x5a'
want cert-truncated SERVER_PROTOCOL_VIOLATION 'certificate 1 is not DER at offset [0-9]+: .*runs past the end'
want cert-huge-length SERVER_PROTOCOL_VIOLATION 'certificate 1 is not DER at offset 0: length runs past the end'
want cert-tiny SERVER_PROTOCOL_VIOLATION 'certificate 1 is not an X.509 certificate at offset 2: tbsCertificate is empty'
want version SERVER_PROTOCOL_VIOLATION 'selects version 0x0305, which the ClientHello did not offer \(RFC 8446 section 4\.2\.1\)'
want suite SERVER_PROTOCOL_VIOLATION 'offset [0-9]+: selects cipher suite 0xC0FF, which the ClientHello did not offer \(RFC 8446 section 4\.1\.3 / RFC 5246 section 7\.4\.1\.3\)'
want group SERVER_PROTOCOL_VIOLATION 'key share for group 0x[0-9A-F]{4}, for which the ClientHello sent no key share \(RFC 8446 section 4\.2\.8\)'
want hrr-loop SERVER_PROTOCOL_VIOLATION 'second HelloRetryRequest.*\(RFC 8446 section 4\.1\.4\)'
want close-after-hello SERVER_PROTOCOL_VIOLATION 'connection closed at offset [0-9]+, after the ServerHello and before ServerHelloDone'
want huge-record SERVER_PROTOCOL_VIOLATION 'record at offset 0: 65535 bytes exceeds 2\^14\+2048'
want empty-records SERVER_PROTOCOL_VIOLATION 'record at offset 0: empty record of content type 22'
want alert-level SERVER_PROTOCOL_VIOLATION 'level 7 is neither warning\(1\) nor fatal\(2\)'

assert_true "hostile.py selftest" "$PYTHON" "$HOSTILE" --selftest
mapfile -t MODES < <("$PYTHON" "$HOSTILE" --list)
assert_true "hostile.py has the ${#WANT_ID[@]} modes this test expects" test "${#MODES[@]}" -eq "${#WANT_ID[@]}"

# "MODE TIMEOUT DEADLINE" per check, "-" for tlsdiag's default timeout: a
# byte every 1.5 s keeps resetting a 2 s step timer, and a 5 s one.
CASES=("drip 2 20" "drip - 60")
for mode in "${MODES[@]}"; do
    [ "$mode" = drip ] || CASES+=("$mode 1 20")
done

servers=0 crashes=0 overruns=0 bad_json=0 wrong=0
for c in "${CASES[@]}"; do
    read -r mode step deadline <<<"$c"
    servers=$((servers + 1))
    args=(--deadline "$deadline")
    if [ "$step" = - ]; then
        step=$DEFAULT_STEP
        CASE="$mode, default timeout"
    else
        args+=(--timeout "$step")
        CASE="$mode, timeout $step"
    fi
    PORT=$(free_port tcp)
    start_bg "$PYTHON" "$HOSTILE" --port "$PORT" --mode "$mode" --drip 1.5
    wait_log "$BG_LOG" '^ready$' 10 || die "hostile.py $mode did not start"
    echo "[$CASE] \$ tlsdiag check --json ${args[*]} 127.0.0.1:$PORT"
    t0=$(date +%s%N)
    timeout -k 5 $((deadline + 60)) "$TLSDIAG" check --json "${args[@]}" "127.0.0.1:$PORT" >"$OUT" 2>"$T/err.txt"
    RC=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    stop_bg "$BG_PID"
    echo "  exit $RC after ${ms} ms; findings: $(jq -r '[.findings[]? | "\(.id)(\(.severity))"] | group_by(.)
        | map(if length > 1 then "\(.[0]) x\(length)" else .[0] end) | join(" ")' "$OUT" 2>/dev/null)"

    # no crash: exit 0 or 1 (a signal is 128+N, timeout's kill 124/137),
    # and no sanitizer report
    if [ "$RC" -gt 1 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/err.txt"; then
        crashes=$((crashes + 1))
        _fail "no crash" "exit $RC; stderr: $(head -c 1500 "$T/err.txt")"
    else
        _pass "no crash (exit $RC)"
    fi
    if [ "$ms" -ge $(((deadline + 2) * 1000)) ]; then
        overruns=$((overruns + 1))
        _fail "ends before the deadline plus 2 s" "took $ms ms with --deadline $deadline"
    else
        _pass "ended after $ms ms (deadline $deadline s)"
    fi
    if ! jq -e 'type == "object"' "$OUT" >/dev/null 2>&1; then
        bad_json=$((bad_json + 1))
        _fail "stdout is one JSON document" "got: $(head -c 400 "$OUT")"
        continue
    fi
    _pass "stdout is one JSON document"
    nfail=$_FAILS
    assert_jq '.verdict == "fail"' "verdict fail"
    assert_exit 1
    assert_finding "${WANT_ID[$mode]:-?}"
    assert_severity "${WANT_ID[$mode]:-?}" fail
    assert_finding_text "${WANT_ID[$mode]:-?}" "${WANT_TEXT[$mode]:-no expectation for this mode}"
    assert_jq '.observations.handshake_completed == false' "no handshake reported as completed"
    assert_jq '[.findings[] | select(.id == "SERVER_ALERT")] | length == 0' "not filed as SERVER_ALERT: no alert was sent"
    if [ "$mode" = drip ]; then
        # 3 step timeouts for the stage-1 hellos, then the check stops
        assert_true "the drip ends well before the deadline (${ms} ms)" test "$ms" -lt $(((3 * step + 3) * 1000))
    fi
    [ "$_FAILS" -eq "$nfail" ] || wrong=$((wrong + 1))
done
CASE=""

echo "hostile: $servers servers, $crashes crashes, $overruns overruns, $bad_json invalid JSON, $wrong wrong verdicts"
[ "$_FAILS" -eq 0 ] && [ "$servers" -gt 0 ] && exit 0
exit 1
