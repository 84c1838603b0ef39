#!/usr/bin/env bash
# MIDDLEBOX_RESET and LARGE_HELLO_DROPPED from captures made across a real
# router: three network namespaces (client, router, server) joined by veth
# pairs, the router forwarding with iptables rules, tcpdump on the
# client's side.
#   port 4431: a server that resets the connection itself: its RST crosses
#              the router like its SYN-ACK (TTL 63): RESET_AFTER_CLIENTHELLO,
#              never MIDDLEBOX_RESET
#   port 4432: the router answers the ClientHello with `REJECT --reject-with
#              tcp-reset`: the RST carries the router's TTL (64): MIDDLEBOX_RESET
#   port 4433: the router drops packets above 1000 bytes; the client sends a
#              ClientHello of two full segments: LARGE_HELLO_DROPPED
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd ip iptables tcpdump openssl

NS="td$$"
C="${NS}c" R="${NS}r" S="${NS}s"
NET=$((20 + RANDOM % 200))
CADDR="10.$NET.1.2" SADDR="10.$NET.2.2"
at_exit "ip netns del $C 2>/dev/null; ip netns del $R 2>/dev/null; ip netns del $S 2>/dev/null"
{
    ip netns add "$C" && ip netns add "$R" && ip netns add "$S" &&
        ip link add "${NS}a" netns "$C" type veth peer name "${NS}b" netns "$R" &&
        ip link add "${NS}d" netns "$R" type veth peer name "${NS}e" netns "$S" &&
        ip -n "$C" addr add "$CADDR/24" dev "${NS}a" &&
        ip -n "$R" addr add "10.$NET.1.1/24" dev "${NS}b" &&
        ip -n "$R" addr add "10.$NET.2.1/24" dev "${NS}d" &&
        ip -n "$S" addr add "$SADDR/24" dev "${NS}e" &&
        for n in "$C:${NS}a" "$R:${NS}b" "$R:${NS}d" "$S:${NS}e"; do
            ip -n "${n%%:*}" link set "${n#*:}" up || exit 1
            ip -n "${n%%:*}" link set lo up || exit 1
        done &&
        ip -n "$C" route add default via "10.$NET.1.1" &&
        ip -n "$S" route add default via "10.$NET.2.1" &&
        ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 &&
        ip netns exec "$R" iptables -A FORWARD -p tcp --dport 4432 -m length --length 200:65535 \
            -j REJECT --reject-with tcp-reset &&
        ip netns exec "$R" iptables -A FORWARD -p tcp --dport 4433 -m length --length 1000:65535 -j DROP
} 2>"$T/netns.err" || die "cannot build the namespaces and the router: $(cat "$T/netns.err")"

# in the server's namespace
make_self_signed app.test
start_bg ip netns exec "$S" "$PYTHON" "$FAKE_TLS" --host "$SADDR" --port 4431 --mode reset
wait_log "$BG_LOG" '^ready$' 10 || die "fake_tls reset did not start"
for port in 4432 4433; do
    start_bg ip netns exec "$S" openssl s_server -accept "$SADDR:$port" -quiet \
        -cert "$T/app.test.pem" -key "$T/app.test.key"
done
for ((i = 0; i < 50; i++)); do
    [ "$(ip netns exec "$S" ss -Htln | grep -c ":443[23] ")" = 2 ] && break
    sleep 0.1
done

CAP="$T/router.pcap"
CAPTURE_NETNS=$C start_capture "$CAP" -i "${NS}a" tcp
s_client() { # PORT [ARGS...]
    local port=$1
    shift
    echo | timeout 4 ip netns exec "$C" openssl s_client -connect "$SADDR:$port" "$@" >/dev/null 2>&1
}
s_client 4431                                           # stream 0
s_client 4432                                           # stream 1
ALPN=$("$PYTHON" -c 'print(",".join(["p%02d" % k + "x" * 200 for k in range(12)]))')
s_client 4433 -alpn "$ALPN"                             # stream 2: a 2.5 KB hello
stop_capture

run_pcap "$CAP"
assert_exit 1
assert_jq '.summary.handshakes == 3 and .summary.failed == 3' "three handshakes, all failed"

CASE="server reset"
pcap_conn '.stream == 0'
assert_root_cause RESET_AFTER_CLIENTHELLO
assert_no_finding MIDDLEBOX_RESET
assert_jq '[.ladder[] | select(.kind == "syn-ack")][0].ttl == 63' "the server's packets cross the router (TTL 63)"
assert_jq '[.ladder[] | select(.kind == "rst")][0] | .from == "server" and .ttl == 63' "so does its RST"

CASE="router reset"
pcap_conn '.stream == 1'
assert_root_cause MIDDLEBOX_RESET
assert_no_finding RESET_AFTER_CLIENTHELLO
assert_finding_text MIDDLEBOX_RESET 'TTL is 64 while every other packet from 10\.[0-9.]+ came with TTL 63'
assert_jq '[.ladder[] | select(.kind == "rst")][0] | .from == "server" and .ttl == 64' \
    "the RST claims to be from the server, with the router's TTL"

CASE="large hello"
pcap_conn '.stream == 2'
assert_root_cause LARGE_HELLO_DROPPED
assert_finding_text LARGE_HELLO_DROPPED 'took [2-9] TCP segments and was sent again'
assert_jq '.tcp.client.retransmissions >= 1 and .tcp.server.bytes == 0' "sent again, nothing back"
assert_no_finding HANDSHAKE_TIMEOUT
finish
