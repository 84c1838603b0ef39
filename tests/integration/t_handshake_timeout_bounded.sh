#!/usr/bin/env bash
# HANDSHAKE_TIMEOUT, bounded: against fake_tls.py silent (accepts, reads
# the ClientHello, never answers) the check stops once the stage-1 hellos
# have all timed out, instead of sending dozens more hellos that would each
# wait the whole step timeout: it ends within --timeout plus one second, with
# tlsdiag's default timeout (5 s) and with --timeout 2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# timed_check LIMIT_MS ARGS...: run_check ARGS, asserting it took under
# LIMIT_MS milliseconds of wall time.
timed_check() {
    local limit=$1 start ms
    shift
    start=$(date +%s%N)
    run_check "$@"
    ms=$((($(date +%s%N) - start) / 1000000))
    assert_true "finished in ${ms} ms (< $limit ms)" test "$ms" -lt "$limit"
    assert_finding HANDSHAKE_TIMEOUT
    assert_severity HANDSHAKE_TIMEOUT fail
    assert_exit 1
    assert_jq '.observations.baseline.outcome == "timeout"' "the baseline hello timed out"
    assert_jq '.observations.baseline.connect_ms != null' "the TCP connection was established"
}

start_fake silent
CASE=default
CHECK_TIMEOUT='' timed_check 6000 "127.0.0.1:$PORT"
assert_jq '.observations.baseline.total_ms >= 4500' "the baseline waited the default 5 s step timeout"
CASE=timeout2s
timed_check 3000 --timeout 2 "127.0.0.1:$PORT"
assert_jq '.observations.baseline.total_ms >= 1800' "the baseline waited the 2 s step timeout"
finish
