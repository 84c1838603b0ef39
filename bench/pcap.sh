#!/usr/bin/env bash
# bench/pcap.sh: how fast `tlsdiag pcap` summarises a large capture, side by
# side with tshark's field export of the same file.
#
# The capture is made here: nginx serves four configurations on loopback
# (nginx's defaults as Debian 12 ships it: TLS 1.0 to 1.2; a TLS 1.3-only one, a
# self-signed certificate the clients refuse, a TLS 1.2-only one that a
# TLS 1.3-only client cannot talk to), curl and openssl s_client connect to
# each while tcpdump records, and the connections of that capture are
# repeated (each copy with its own client address) up to --size MB.
#
# usage: bench/pcap.sh [--size MB] [--runs N] [--tlsdiag PATH] [--write] [--keep]
set -uo pipefail
export LC_ALL=C
PATH="$PATH:/usr/sbin:/sbin"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PCAPTOOL="$ROOT/tests/servers/pcaptool.py"

SIZE_MB=1024
RUNS=3
TLSDIAG="$ROOT/build/tlsdiag"
WRITE=0
KEEP=0
ROUNDS=20 # connections per client and configuration in the recorded capture

usage() {
    cat <<EOF
usage: bench/pcap.sh [options]

Records real TLS handshakes (healthy and failing) with tcpdump, repeats them
into a capture of about --size MB, and times tlsdiag pcap against
tshark -T fields on it (wall time and peak memory).

  --size MB        size of the capture to time (default $SIZE_MB)
  --runs N         timed runs per tool (default $RUNS); the median is reported
  --tlsdiag PATH   tlsdiag binary (default build/tlsdiag)
  --write          also write the markdown results to bench/pcap-results.md
  --keep           keep the temporary directory
  -h, --help       this text
EOF
}

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
    case "$1" in
        --size) is_uint "${2:-}" || die "--size needs a number of MB"; SIZE_MB=$2; shift 2 ;;
        --runs) is_uint "${2:-}" || die "--runs needs a positive number"; RUNS=$2; shift 2 ;;
        --tlsdiag) TLSDIAG=${2:-}; shift 2 ;;
        --write) WRITE=1; shift ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (tcpdump on loopback)"
"$ROOT/scripts/deps.sh" bench >&2 || die "scripts/deps.sh bench failed"
[ -x "$TLSDIAG" ] || die "no tlsdiag at $TLSDIAG (run make)"

T=$(mktemp -d /tmp/tlsdiag-bench-pcap.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "$KEEP" = 1 ]; then note "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_listen() { # wait_listen PORT: up to 10 s
    local i
    for i in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on port $1"
}

# ---- certificates: a CA the clients trust, and a self-signed leaf they don't
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=bench CA" -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null || die "CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$T/leaf.key" -out "$T/leaf.csr" 2>/dev/null || die "CSR"
printf 'subjectAltName=DNS:localhost\n' >"$T/ext"
openssl x509 -req -in "$T/leaf.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
    -days 30 -extfile "$T/ext" -out "$T/leaf.pem" 2>/dev/null || die "leaf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$T/self.key" -out "$T/self.pem" 2>/dev/null || die "self-signed"

# ---- one nginx, four configurations
NAMES=(nginx-default tls13-only self-signed tls12-only)
PORTS=()
for _ in "${NAMES[@]}"; do PORTS+=("$(free_port)"); done
server() { # server PORT CERT KEY DIRECTIVES
    printf '    server { listen 127.0.0.1:%s ssl; ssl_certificate %s; ssl_certificate_key %s; %s return 200 "ok\\n"; }\n' \
        "$1" "$2" "$3" "$4"
}
mkdir -p "$T/nginx/logs"
{
    echo "daemon off; master_process off; worker_processes 1; error_log $T/nginx/error.log; pid $T/nginx/pid;"
    echo "events { worker_connections 1024; }"
    echo "http { access_log off;"
    server "${PORTS[0]}" "$T/leaf.pem" "$T/leaf.key" ""
    server "${PORTS[1]}" "$T/leaf.pem" "$T/leaf.key" "ssl_protocols TLSv1.3;"
    server "${PORTS[2]}" "$T/self.pem" "$T/self.key" ""
    server "${PORTS[3]}" "$T/leaf.pem" "$T/leaf.key" "ssl_protocols TLSv1.2;"
    echo "}"
} >"$T/nginx.conf"
nginx -p "$T/nginx" -c "$T/nginx.conf" >"$T/nginx.out" 2>&1 &
PIDS+=($!)
for p in "${PORTS[@]}"; do wait_listen "$p"; done

# ---- record the handshakes
filter="tcp and ($(printf 'port %s or ' "${PORTS[@]}" | sed 's/ or $//'))"
tcpdump -i lo -s 0 -U -w "$T/base.pcap" "$filter" >"$T/tcpdump.out" 2>&1 &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
for _ in $(seq 50); do grep -q "listening on" "$T/tcpdump.out" && break; sleep 0.1; done
grep -q "listening on" "$T/tcpdump.out" || die "tcpdump did not start: $(cat "$T/tcpdump.out")"
for p in "${PORTS[@]}"; do
    for _ in $(seq "$ROUNDS"); do
        curl -s -o /dev/null --max-time 5 --cacert "$T/ca.pem" "https://localhost:$p/" 2>/dev/null
        timeout 5 openssl s_client -connect "127.0.0.1:$p" -servername localhost -CAfile "$T/ca.pem" \
            -verify_return_error </dev/null >/dev/null 2>&1
        timeout 5 openssl s_client -connect "127.0.0.1:$p" -servername localhost -tls1_3 </dev/null >/dev/null 2>&1
    done
done
sleep 0.5
kill -INT "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
# The connections as recorded (a client that could not connect made none).
BASE_CONNS=$(tcpdump -n -r "$T/base.pcap" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null | wc -l)
base_bytes=$(stat -c %s "$T/base.pcap")
[ "$base_bytes" -gt 1000 ] || die "the recorded capture is empty"
copies=$(( (SIZE_MB * 1048576 + base_bytes - 1) / base_bytes ))
note "recorded $BASE_CONNS connections ($base_bytes bytes); repeating them $copies times"
python3 "$PCAPTOOL" multiply "$T/base.pcap" "$T/big.pcap" "$copies" || die "pcaptool multiply failed"
big_bytes=$(stat -c %s "$T/big.pcap")
CONNS=$(( BASE_CONNS * copies ))

# ---- timed runs: wall seconds and peak RSS (KB) of each
timed() { # timed OUT CMD...: prints "SECONDS KB"
    local out=$1
    shift
    /usr/bin/time -f "%e %M" -o "$T/time" "$@" >"$out" 2>"$T/stderr"
    cat "$T/time" | tail -1
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A SECS MEM
for tool in tlsdiag tshark; do
    : >"$T/$tool.secs"
    : >"$T/$tool.mem"
    for r in $(seq "$RUNS"); do
        case $tool in
            tlsdiag) res=$(timed "$T/tlsdiag.out" "$TLSDIAG" pcap --json "$T/big.pcap") ;;
            tshark) res=$(timed "$T/tshark.out" tshark -r "$T/big.pcap" -Y tls.handshake -T fields \
                -e frame.time_relative -e tcp.stream -e ip.src -e tcp.dstport -e tls.handshake.type \
                -e tls.handshake.version -e tls.handshake.ciphersuite -e tls.handshake.extensions_server_name) ;;
        esac
        note "$tool run $r: ${res% *} s, ${res#* } KB"
        echo "${res% *}" >>"$T/$tool.secs"
        echo "${res#* }" >>"$T/$tool.mem"
    done
    SECS[$tool]=$(median <"$T/$tool.secs")
    MEM[$tool]=$(sort -n "$T/$tool.mem" | tail -1)
done

# tlsdiag must have seen every connection, or the time means nothing.
seen=$(tail -1 "$T/tlsdiag.out" | jq -r 'select(.type == "summary") | .connections' 2>/dev/null)
[ -n "$seen" ] || seen=0

ratio=$(awk -v a="${SECS[tshark]}" -v b="${SECS[tlsdiag]}" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
# Per configuration: what tlsdiag concluded (handshakes, failed, root
# causes: the counts from its summary, the causes from the recorded capture
# itself) beside the ClientHellos tshark listed for that port.
per_config() {
    local i p hs failed causes th
    "$TLSDIAG" pcap --json "$T/base.pcap" >"$T/base.json" 2>/dev/null
    # the summary is the last line: jq need not read the connections
    tail -1 "$T/tlsdiag.out" >"$T/summary.json"
    echo "| configuration | tlsdiag: handshakes | failed | root causes (recorded capture) | tshark: ClientHello lines |"
    echo "| --- | ---: | ---: | --- | ---: |"
    for i in "${!NAMES[@]}"; do
        p=${PORTS[$i]}
        hs=$(jq -r --arg s "127.0.0.1:$p" '.by_server[] | select(.server == $s) | .handshakes' "$T/summary.json")
        failed=$(jq -r --arg s "127.0.0.1:$p" '.by_server[] | select(.server == $s) | .failed' "$T/summary.json")
        causes=$(jq -r --arg s "127.0.0.1:$p" 'select(.type == "connection" and .server == $s and .root_cause != null) | .root_cause.id' \
            "$T/base.json" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')
        th=$(awk -F'\t' -v p="$p" '$4 == p && $5 ~ /^1(,|$)/' "$T/tshark.out" | wc -l)
        echo "| ${NAMES[$i]} | ${hs:-0} | ${failed:-0} | ${causes:-none} | $th |"
    done
}

report() {
    echo "| capture | connections | tool | median time (s) | peak memory (MB) |"
    echo "| --- | ---: | --- | ---: | ---: |"
    for tool in tlsdiag tshark; do
        printf '| %s MB, %s recorded handshakes x %s | %s | %s | %s | %s |\n' \
            "$(( big_bytes / 1048576 ))" "$BASE_CONNS" "$copies" "$CONNS" "$tool" "${SECS[$tool]}" \
            "$(( ${MEM[$tool]} / 1024 ))"
    done
    echo
    echo "tlsdiag is ${ratio}x faster than tshark (target: 5x); tlsdiag counted $seen connections" \
        "(expected $CONNS); peak memory $(( ${MEM[tlsdiag]} / 1024 )) MB (target: under 100 MB)."
    echo "Configurations: ${NAMES[*]}; clients: curl, openssl s_client (verifying), openssl s_client -tls1_3;" \
        "$RUNS runs each, $(nproc) cores, $(tshark --version 2>/dev/null | head -1 | cut -d' ' -f1-3)."
    echo
    per_config
}
report
[ "$WRITE" = 0 ] || report >"$HERE/pcap-results.md"
