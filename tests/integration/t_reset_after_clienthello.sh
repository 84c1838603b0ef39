#!/usr/bin/env bash
# RESET_AFTER_CLIENTHELLO: fake_tls.py reset reads the ClientHello and
# closes with SO_LINGER(1,0), so the client gets a TCP RST and no alert.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake reset
run_check "127.0.0.1:$PORT"
assert_finding RESET_AFTER_CLIENTHELLO
assert_severity RESET_AFTER_CLIENTHELLO fail
assert_exit 1
assert_no_finding CLOSED_AFTER_CLIENTHELLO
assert_no_finding CONNECT_REFUSED
assert_no_finding SERVER_ALERT
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not reported as supported"
assert_jq '.observations.connections > 0' "connections were made"
assert_jq '.observations.baseline.outcome == "reset"' "baseline attempt ended in reset"
finish
