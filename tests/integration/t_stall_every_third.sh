#!/usr/bin/env bash
# RATE_LIMITED, random cuts: a healthy nginx behind
# tests/servers/rate_proxy.py in stall mode, which accepts every third
# connection and then neither forwards nor answers it (what a wedged worker
# or an overflowing accept queue looks like from outside).  A hello or a
# handshake that meets silence is sent again and answered; nothing the
# stalls caused may be reported (no INCONSISTENT_BACKENDS for the repeated
# handshakes, no VERSION_INTOLERANCE, no client failing for silence):
# RATE_LIMITED (warn), exit 0, with tlsdiag's own step timeout (5 s) and
# the default deadline.  Control: the same nginx directly.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

start_limit_upstream

# The fixture: of three handshakes in a row, the third gets no answer.
start_rate_proxy stall "$NGINX_PORT" --every 3
assert_true "the proxy answers two handshakes, then stalls the third" test "$(handshakes_through 3)" = "ok ok cut"
assert_true "and logs it as stalled" test "$(proxy_count stall)" = 1

CASE=stalled
start_rate_proxy stall "$NGINX_PORT" --every 3
CHECK_TIMEOUT='' run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
show_limit
assert_limit_harmless "$DIRECT_FAILING"
assert_true "the proxy stalled connections" test "$(proxy_count stall)" -gt 5
assert_elapsed_below 66
assert_jq '.observations.connection_limit.random and .observations.connection_limit.blocks == 0' \
    "cuts between answers, no spell of cutting everything"
assert_jq '.observations.connection_limit.first_cut == "timeout"' "the cuts were silence"
assert_jq '.observations.connection_limit.vanished > 0' "stalled probes were answered when sent again"
assert_finding_text RATE_LIMITED 'cuts some connections.*accepted and left unanswered'
assert_jq '.observations.backends | length == 4 and all(.outcome == "hello" or .outcome == "limited")' \
    "the repeated handshakes completed, or were left untested"
assert_jq '[.observations.backends[] | select(.retry != null)] | all(.retry.first_outcome == "timeout")' \
    "a handshake sent again had first met silence"
assert_jq '.observations.versions["TLS 1.2"].complete and .observations.versions["TLS 1.3"].complete' \
    "the suites of TLS 1.2 and 1.3 were enumerated to the end"
finish
