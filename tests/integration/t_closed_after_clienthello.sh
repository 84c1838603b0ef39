#!/usr/bin/env bash
# CLOSED_AFTER_CLIENTHELLO: fake_tls.py close reads the ClientHello and
# closes normally (FIN), without an alert.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake close
run_check "127.0.0.1:$PORT"
assert_finding CLOSED_AFTER_CLIENTHELLO
assert_severity CLOSED_AFTER_CLIENTHELLO fail
assert_exit 1
assert_no_finding RESET_AFTER_CLIENTHELLO
assert_no_finding HANDSHAKE_TIMEOUT
assert_no_finding SERVER_ALERT
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not reported as supported"
assert_jq '.observations.connections > 0' "connections were made"
assert_jq '.observations.baseline.outcome == "closed"' "baseline attempt ended in closed"
finish
