#!/usr/bin/env bash
# tlsdiag pcap on the captures it meets in practice: cut by the snap length
# (-s 96), from `-i any` (Linux cooked v2) as pcapng, over IPv6, with
# segments out of order, sent again and overlapping (rewritten by
# tests/servers/pcaptool.py), 10,000 connections in one file, standard
# input and the filters; and one clear line with exit 2 for input it cannot
# use.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd curl tcpdump

make_self_signed app.test
start_s_server_cert "$T/app.test.pem" "$T/app.test.key"
SELF=$PORT SELF_PID=$BG_PID
curl_self() { curl -sS --max-time 5 --tls-max 1.2 "https://$1:$SELF/" >/dev/null 2>&1; }

# ---- the snap length cuts every packet at 96 bytes
start_capture "$T/snap.pcap" -i lo -s 96 "tcp port $SELF"
curl_self 127.0.0.1
stop_capture
CASE=snaplen
run_pcap "$T/snap.pcap"
assert_jq '.summary.snaplen == 96 and .summary.truncated == true' "the summary says the capture is cut"
pcap_conn '.stream == 0'
assert_jq '.notes | any(. == "capture truncated at 96 bytes per packet: run tcpdump with -s 0")' \
    "the connection's note says how to capture again"
assert_jq '.tcp.snap_cut == true' "the reassembly knows bytes are missing"
assert_root_cause CLIENT_REJECTED_CERT
assert_no_finding SERVER_PROTOCOL_VIOLATION
assert_jq '[.ladder[] | select(.kind == "handshake") | .message][0:2] == ["ClientHello", "ServerHello"]' \
    "the record and message headers that fit are still read"
"$TLSDIAG" pcap "$T/snap.pcap" >"$T/snap.txt" 2>&1
assert_true "the text carries the note" grep -q "note: capture truncated at 96 bytes per packet: run tcpdump with -s 0" "$T/snap.txt"

# ---- -i any: Linux cooked v2, written again as pcapng.  Two connections:
# the kernel has been seen to leave a packet out of an `-i any` capture
# now and then, and the cases below need one whole handshake.
start_capture "$T/any.pcap" -i any "tcp port $SELF"
curl_self 127.0.0.1
curl_self 127.0.0.1
stop_capture
"$PYTHON" "$PCAPTOOL" pcapng "$T/any.pcap" "$T/any.pcapng"
assert_true "tcpdump wrote Linux cooked v2" bash -c "tcpdump -r '$T/any.pcap' -c 1 2>&1 | grep -q LINUX_SLL2"
assert_true "the copy is pcapng" bash -c "head -c 4 '$T/any.pcapng' | od -An -tx1 | grep -q '0a 0d 0d 0a'"
CASE=sll2-pcapng
run_pcap "$T/any.pcapng"
assert_exit 1
assert_jq '.summary.handshakes == 2' "both handshakes read"
pcap_conn '.tcp.server.bytes > 0'
assert_root_cause SELF_SIGNED
assert_finding CLIENT_REJECTED_CERT
assert_jq '.tcp.server.retransmissions == 0 and .tcp.client.retransmissions == 0' \
    "each packet is seen once on loopback"

# ---- the same capture with the server's flight cut, reordered, repeated, overlapping
"$PYTHON" "$PCAPTOOL" reorder "$T/any.pcap" "$T/ooo.pcap"
CASE=out-of-order
run_pcap "$T/ooo.pcap"
pcap_conn '.tcp.server.out_of_order > 0'
assert_root_cause SELF_SIGNED
assert_finding CLIENT_REJECTED_CERT
assert_jq '.tcp.server.out_of_order >= 1 and .tcp.server.retransmissions >= 1 and .tcp.server.overlaps >= 1' \
    "out of order, sent again and overlapping segments seen"
assert_jq '[.ladder[] | select(.from == "server" and .kind == "handshake") | .message] ==
    ["ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"]' "the flight put back in order"
assert_jq '.tcp.missing == false' "nothing missing"

# ---- IPv6
if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
    stop_bg "$SELF_PID"
    start_bg openssl s_server -accept "[::1]:$SELF" -quiet -cert "$T/app.test.pem" -key "$T/app.test.key"
    sleep 0.5
    start_capture "$T/v6.pcap" -i lo "tcp port $SELF"
    curl_self '[::1]'
    stop_capture
    CASE=ipv6
    run_pcap --host ::1 "$T/v6.pcap"
    assert_exit 1
    pcap_conn '.stream == 0'
    assert_jq '.server == "[::1]:'"$SELF"'"' "the server is [::1]"
    assert_root_cause SELF_SIGNED
    assert_jq '.ladder[1].kind == "syn-ack" and .ladder[1].ttl == 64 and .ladder[1].ip_id == null' \
        "the hop limit is read, and IPv6 has no IP ID"
else
    echo "note: no ::1 on lo: IPv6 case skipped"
fi

# ---- 10,000 connections, made from one real one
start_fake reset
start_capture "$T/one.pcap" -i lo "tcp port $PORT"
curl -sS --max-time 3 "https://127.0.0.1:$PORT/" >/dev/null 2>&1
stop_capture
"$PYTHON" "$PCAPTOOL" multiply "$T/one.pcap" "$T/many.pcap" 10000
CASE=10000
run_pcap "$T/many.pcap"
assert_exit 1
assert_jq '.summary.connections == 10000 and .summary.handshakes == 10000 and .summary.failed == 10000' \
    "10,000 handshakes, all failed"
assert_jq '.summary.by_root_cause == {"RESET_AFTER_CLIENTHELLO": 10000}' "all for one root cause"
assert_jq '.connections | length == 10000' "one JSON line per connection"
assert_jq '[.connections[].stream] | unique | length == 10000' "each with its own stream number"
"$TLSDIAG" pcap "$T/many.pcap" >"$T/many.txt" 2>&1
assert_true "the text summary comes first" bash -c \
    "head -1 '$T/many.txt' | grep -q 'many.pcap: 10000 TLS handshakes in 10000 TCP connections, 10000 failed'"
assert_true "the text lists the first 100 failed connections" test "$(grep -c '^FAIL  stream' "$T/many.txt")" = 100
assert_true "and says how many more failed" grep -q "^note: 9900 more failed connections are counted above but not listed" "$T/many.txt"

# ---- standard input and the filters
CASE=stdin
"$TLSDIAG" pcap - <"$T/any.pcap" >"$T/stdin.txt" 2>&1
RC=$?
assert_exit 1
assert_true "read from standard input" grep -q "^standard input: 2 TLS handshakes" "$T/stdin.txt"
CASE=filters
run_pcap --port "$SELF" --stream 1 "$T/any.pcap"
assert_jq '(.connections | length) == 1 and .connections[0].stream == 1' "--stream 1 selects the one connection"
run_pcap --port 1 "$T/any.pcap"
assert_exit 2
assert_true "--port that matches nothing says so" grep -q "no TLS handshake in the capture for the --port/--host given" "$T/err.txt"
run_pcap --stream 5 "$T/any.pcap"
assert_exit 2
assert_true "a stream the file lacks" grep -q "no stream 5: the capture holds 2 TCP connections" "$T/err.txt"

# ---- input it cannot use: one line on stderr, exit 2
bad() { # DESCRIPTION FILE REGEX
    CASE="bad: $1"
    "$TLSDIAG" pcap "$2" >"$T/bad.out" 2>"$T/err.txt"
    RC=$?
    assert_exit 2
    assert_true "one line on stderr" test "$(wc -l <"$T/err.txt")" = 1
    assert_true "it says: $3" grep -qE "$3" "$T/err.txt"
    assert_true "nothing on stdout" test ! -s "$T/bad.out"
}
echo "GET / HTTP/1.1" >"$T/text.txt"
bad "a text file" "$T/text.txt" "not a pcap or pcapng capture"
: >"$T/empty.pcap"
bad "an empty file" "$T/empty.pcap" "an empty file, not a capture"
head -c 10 "$T/any.pcap" >"$T/head.pcap"
bad "a cut header" "$T/head.pcap" "cut short in its header"
"$PYTHON" -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147) + struct.pack("<IIII", 0, 0, 4, 4) + b"abcd")' >"$T/link147.pcap"
bad "an unknown link type" "$T/link147.pcap" "link type 147 .* is not one tlsdiag reads"
bad "a missing file" "$T/nonexistent.pcap" "No such file"
start_capture "$T/udp.pcap" -i lo "udp port 9"
echo x >/dev/udp/127.0.0.1/9
stop_capture
bad "no TCP" "$T/udp.pcap" "no TCP packet in the capture"

# ---- usage errors: one line on stderr, exit 2
usage() { # DESCRIPTION REGEX ARGS...
    local desc=$1 re=$2
    shift 2
    CASE="usage: $desc"
    "$TLSDIAG" pcap "$@" >"$T/bad.out" 2>"$T/err.txt"
    RC=$?
    assert_exit 2
    assert_true "one line on stderr" test "$(wc -l <"$T/err.txt")" = 1
    assert_true "it says: $re" grep -qE -- "$re" "$T/err.txt"
}
usage "no file" "pcap needs a FILE"
usage "two files" "pcap reads one FILE" "$T/any.pcap" "$T/any.pcap"
usage "port 0" "--port needs a number from 1 to 65535" --port 0 "$T/any.pcap"
usage "a name for --host" "'example.com' is not an IPv4 or IPv6 address" --host example.com "$T/any.pcap"
usage "a negative stream" "--stream needs a connection number" --stream -1 "$T/any.pcap"
usage "an unknown option" "unknown option '--keylogg'" --keylogg x "$T/any.pcap"
"$TLSDIAG" help pcap >"$T/help.txt" 2>&1
assert_true "tlsdiag help pcap names the options" grep -q -- "--stream N" "$T/help.txt"

CASE="cut in a packet"
size=$(stat -c %s "$T/any.pcap")
head -c $((size - 7)) "$T/any.pcap" >"$T/cut.pcap"
"$TLSDIAG" pcap "$T/cut.pcap" >"$T/cut.txt" 2>"$T/err.txt"
RC=$?
assert_true "a warning names the cut" grep -q "the capture is cut short after packet" "$T/err.txt"
assert_true "what came before is judged" grep -q "2 TLS handshakes" "$T/cut.txt"
finish
