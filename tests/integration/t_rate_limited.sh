#!/usr/bin/env bash
# RATE_LIMITED: a healthy nginx (TLS 1.2 + 1.3, ECDHE suites) behind
# tests/servers/rate_proxy.py, which lets at most 10 connections per 10 s
# through and resets every other one (SO_LINGER 0), as a per-client
# connection limit does.  The check must see the limit, slow down under it
# and ask again what was cut, and report nothing the limit caused (no
# VERSION_INTOLERANCE, no NO_FORWARD_SECRECY, no client failing for a
# reset): RATE_LIMITED (warn) with what could not be tested, exit 0.
# Control: the same nginx directly gives the clients that really fail.
# Then --rate 2 against the same nginx through a proxy that passes
# everything: connections start no faster than 2 a second, and the check
# still completes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

start_limit_upstream

# The fixture: 12 handshakes in a row through a limiter of its own, the
# first 10 complete, the rest are reset.
start_rate_proxy limit "$NGINX_PORT" --limit 10 --window 10
assert_true "the limiter lets 10 handshakes through, then cuts" \
    test "$(handshakes_through 12)" = "ok ok ok ok ok ok ok ok ok ok cut cut"
assert_true "and resets the ones beyond (proxy log)" test "$(proxy_count reset)" = 2

CASE=limited
start_rate_proxy limit "$NGINX_PORT" --limit 10 --window 10
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
show_limit
assert_limit_harmless "$DIRECT_FAILING"
assert_true "the proxy did cut connections" test "$(proxy_count reset)" -gt 0
assert_elapsed_below 66
assert_jq '.observations.connection_limit.blocks >= 1 and .observations.connection_limit.first_cut == "reset"' \
    "a spell of resets was seen"
assert_jq '.observations.connection_limit.answered_before_first_cut == 10' \
    "10 connections answered before the first cut"
assert_jq '.observations.connection_limit.rate > 0 and .observations.connection_limit.rate <= 1' \
    "the check slowed to at most one connection a second"
assert_jq '.observations.connection_limit.vanished > 0' "cut probes were answered when sent again"
assert_jq '.observations.connections > .observations.connection_limit.cuts' "most connections were answered"
assert_finding_text RATE_LIMITED 'After 10 answered connections.*reset every new connection'
assert_jq '.observations.versions["TLS 1.2"].complete and .observations.versions["TLS 1.3"].complete' \
    "the suites of TLS 1.2 and 1.3 were enumerated to the end"
assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])' \
    "TLS 1.2 suites include 0xc02f"
assert_jq '.observations.handshake.outcome == "hello"' "the full handshake completed"

CASE="rate 2"
start_rate_proxy pass "$NGINX_PORT"
run_check --rate 2 --client firefox --client java-8 --client openssl-3 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
GAP=$(proxy_min_gap_ms)
RATE=$(proxy_rate)
echo "  proxy: $(proxy_count) connections, $RATE a second; shortest gap ${GAP} ms; most in 1 s: $(proxy_max_in 1)"
assert_no_fail
assert_exit 0
assert_no_finding RATE_LIMITED
assert_true "connections start at least 450 ms apart (shortest ${GAP} ms)" test "$GAP" -ge 450
# The proxy stamps each accept a few ms off the connect: two starts
# 500 ms apart may log as 498.
assert_true "at most 2 connections start within any 980 ms" test "$(proxy_max_in 0.98)" -le 2
assert_true "no more than 2 connections a second from the first to the last ($RATE)" \
    awk -v r="$RATE" 'BEGIN { exit !(r != "none" && r <= 2.01) }'
assert_true "the proxy saw every connection" test "$(proxy_count)" = "$(jq -r '.observations.connections' "$OUT")"
assert_jq '.observations.deadline_hit == false' "the check completed before the deadline"
assert_jq '.observations.connection_limit.requested_rate == 2' "the report gives the rate asked for"
assert_jq '[.clients[] | .result] == ["ok", "ok", "ok"]' "the three clients simulated got through"
assert_jq '.observations.versions["TLS 1.2"].complete and .observations.groups_complete' \
    "suites and groups enumerated to the end"
assert_true "the run took at least (connections - 1) / 2 seconds" \
    test "$ELAPSED" -ge "$((($(proxy_count) - 1) / 2))"
finish
