#!/usr/bin/env bash
# HANDSHAKE_TIMEOUT: fake_tls.py silent accepts, reads the ClientHello and
# never answers.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake silent
run_check --timeout 1 --deadline 40 "127.0.0.1:$PORT"
assert_finding HANDSHAKE_TIMEOUT
assert_severity HANDSHAKE_TIMEOUT fail
assert_exit 1
assert_no_finding CONNECT_TIMEOUT
assert_no_finding CLOSED_AFTER_CLIENTHELLO
assert_jq '.observations.connections > 0' "connections were made"
assert_jq '.observations.baseline.outcome == "timeout"' "baseline attempt ended in timeout"
assert_jq '.observations.baseline.connect_ms != null' "the TCP connection was established"
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not reported as supported"
# one-second timeouts: the run must end well before the 40 s deadline
assert_elapsed_below 35
finish
