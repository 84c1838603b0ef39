#!/usr/bin/env bash
# tlsdiag scan on a local fleet: targets a minute with --profile quick and
# full, RSS and open file descriptors of a long run as it passes 1k, 5k and
# 10k targets, and testssl.sh --file --parallel on the same first targets.
#
#   bench/scan.sh [--tlsdiag PATH] [--targets N] [--big N] [--testssl N]
#                 [--concurrency N] [--per-ip N]
#
#   --targets N      fleet for the quick and full timings (default 1000; 0: skip)
#   --big N          the long run sampled for RSS and fds (default 10000; 0: skip)
#   --testssl N      targets given to testssl.sh (default 100; 0: skip)
#
# The fleet: one nginx (single process) listening on 8 loopback addresses
# (127.78.0.1-8) x as many ports as needed, three ECDSA certificates
# (trusted, wrong name, self-signed) spread over the ports.  Runs as root on Debian
# (nginx-light; testssl.sh from Debian when installed, `scripts/deps.sh
# bench` installs it).  Prints a markdown table; nothing is asserted.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
TLSDIAG=$ROOT/build/tlsdiag
TARGETS=1000 BIG=10000 TESTSSL=100 CONC=128 PER_IP=32
while [ $# -gt 0 ]; do
    case "$1" in
        --tlsdiag) TLSDIAG=$(realpath "$2"); shift 2 ;;
        --targets) TARGETS=$2; shift 2 ;;
        --big) BIG=$2; shift 2 ;;
        --testssl) TESTSSL=$2; shift 2 ;;
        --concurrency) CONC=$2; shift 2 ;;
        --per-ip) PER_IP=$2; shift 2 ;;
        -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/scan.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$TLSDIAG" ] || { echo "bench/scan.sh: no $TLSDIAG (make first)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "bench/scan.sh: nginx is missing (scripts/deps.sh bench)" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n 16384 2>/dev/null || true

W=$(mktemp -d /tmp/tlsdiag-bench-scan.XXXXXX)
NGINX_PID=
trap '[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

ADDRS=8 BASE=30000
MAX=$((TARGETS > BIG ? TARGETS : BIG))
MAX=$((MAX > TESTSSL ? MAX : TESTSSL))
PORTS=$(((MAX + ADDRS - 1) / ADDRS))

# ---- certificates and the fleet ---------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$W/ca.key" -out "$W/ca.pem" \
    -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
sans="DNS:localhost"
for ((a = 1; a <= ADDRS; a++)); do sans="$sans,IP:127.78.0.$a"; done
# ECDSA P-256 leaves: the fleet's handshakes should cost the one nginx
# little of the two cores the scanner needs.
EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
leaf() { # NAME SANS [self]
    if [ "${3:-}" = self ]; then
        openssl req -x509 "${EC[@]}" -nodes -days 300 -keyout "$W/$1.key" -out "$W/$1.pem" \
            -subj "/CN=$1" -addext "subjectAltName=$2" 2>/dev/null
        return
    fi
    openssl req "${EC[@]}" -nodes -keyout "$W/$1.key" -out "$W/$1.csr" -subj "/CN=$1" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" >"$W/$1.ext"
    openssl x509 -req -in "$W/$1.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 300 \
        -extfile "$W/$1.ext" -out "$W/$1.pem" 2>/dev/null
}
leaf good "$sans"
leaf wrongname "DNS:other.example"
leaf self "$sans" self
mkdir -p "$W/nginx/logs" "$W/nginx/tmp"
{
    echo "daemon off; master_process off; worker_processes 1; pid $W/nginx/nginx.pid;"
    echo "worker_rlimit_nofile 65536; error_log $W/nginx/logs/error.log crit;"
    echo "events { worker_connections 32768; }"
    echo "http { access_log off;"
    c=(good wrongname self)
    for k in 0 1 2; do
        echo "server {"
        for ((p = k; p < PORTS; p += 3)); do
            for ((a = 1; a <= ADDRS; a++)); do echo "listen 127.78.0.$a:$((BASE + p)) ssl;"; done
        done
        echo "ssl_certificate $W/${c[$k]}.pem; ssl_certificate_key $W/${c[$k]}.key;"
        echo "ssl_protocols TLSv1.2 TLSv1.3; location / { return 200 ok; } }"
    done
    echo "}"
} >"$W/nginx/nginx.conf"
nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" &
NGINX_PID=$!
for ((i = 0; i < 300; i++)); do
    (exec 3<>"/dev/tcp/127.78.0.$ADDRS/$((BASE + PORTS - 1))") 2>/dev/null && break
    sleep 0.1
done

# Port-major, so the first N targets spread over every address.
list() { # N
    local n=0 p a
    for ((p = 0; p < PORTS; p++)); do
        for ((a = 1; a <= ADDRS; a++)); do
            [ $n -lt "$1" ] || return 0
            echo "127.78.0.$a:$((BASE + p))"
            n=$((n + 1))
        done
    done
}

# Target lines (each starts with check's document); not the summary.
targets_in() { grep -c '^{"tlsdiag"' "$1" 2>/dev/null || true; }

scan() { "$TLSDIAG" scan --json --ca-file "$W/ca.pem" --concurrency "$CONC" --per-ip "$PER_IP" "$@"; }

# ---- quick and full ---------------------------------------------------------
ROWS=()
list "$TARGETS" >"$W/t.txt"
for profile in quick full; do
    [ "$TARGETS" -gt 0 ] || break
    start=$(date +%s.%N)
    scan --profile "$profile" "$W/t.txt" >"$W/$profile.jsonl" 2>/dev/null
    end=$(date +%s.%N)
    n=$(targets_in "$W/$profile.jsonl")
    s=$(echo "$end - $start" | bc -l)
    ROWS+=("| tlsdiag scan --profile $profile | $n | $(printf %.1f "$s") | $(printf %.0f "$(echo "$n * 60 / $s" | bc -l)") |")
    echo "$profile: $n targets in $(printf %.1f "$s") s" >&2
done

# ---- a long run: RSS and fds as it goes ---------------------------------------
MEM=()
if [ "$BIG" -gt 0 ]; then
    list "$BIG" >"$W/big.txt"
    start=$(date +%s.%N)
    # exec: $! is tlsdiag itself, whose RSS and fds are sampled.
    (exec "$TLSDIAG" scan --json --ca-file "$W/ca.pem" --concurrency "$CONC" --per-ip "$PER_IP" \
        --profile quick "$W/big.txt" >"$W/big.jsonl" 2>/dev/null) &
    pid=$!
    marks=(1000 5000 10000 "$BIG")
    seen="" last="" peak_fds=0 hwm=0
    while kill -0 "$pid" 2>/dev/null; do
        n=$(targets_in "$W/big.jsonl")
        n=${n:-0}
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        [ -z "$rss" ] || [ -z "$h" ] && break
        hwm=$h
        [ "$fds" -gt "$peak_fds" ] && peak_fds=$fds
        # The last target may be written just before the process exits, so
        # the last sample taken while it lived is kept and reported too.
        last="| $n (last sample) | $((rss / 1024)) | $fds |"
        for m in "${marks[@]}"; do
            if [ "$n" -ge "$m" ] && [ "$m" -le "$BIG" ] && [[ " $seen " != *" $m "* ]]; then
                MEM+=("| $m | $((rss / 1024)) | $fds |") && seen="$seen $m" &&
                    echo "long run: $m targets, RSS $((rss / 1024)) MiB, $fds fds" >&2
            fi
        done
        sleep 0.1
    done
    wait "$pid"
    [ -n "$last" ] && MEM+=("$last") && MEM+=("| whole run, peak | $((hwm / 1024)) | $peak_fds |")
    end=$(date +%s.%N)
    n=$(targets_in "$W/big.jsonl")
    s=$(echo "$end - $start" | bc -l)
    echo "long run: $n targets in $(printf %.1f "$s") s" >&2
    ROWS+=("| tlsdiag scan --profile quick (long run) | $n | $(printf %.1f "$s") | $(printf %.0f "$(echo "$n * 60 / $s" | bc -l)") |")
fi

# ---- testssl.sh on the first targets ----------------------------------------------
TS=$(command -v testssl || command -v testssl.sh || true)
if [ "$TESTSSL" -gt 0 ] && [ -n "$TS" ]; then
    list "$TESTSSL" >"$W/ts.txt"
    mkdir -p "$W/ts"
    start=$(date +%s.%N)
    (cd "$W/ts" && "$TS" --file "$W/ts.txt" --parallel --warnings off --quiet --color 0 \
        --add-ca "$W/ca.pem" --jsonfile-pretty "$W/ts/out.json" >"$W/ts/log" 2>&1)
    end=$(date +%s.%N)
    s=$(echo "$end - $start" | bc -l)
    echo "testssl.sh: $TESTSSL targets in $(printf %.1f "$s") s" >&2
    ROWS+=("| testssl.sh --file --parallel | $TESTSSL | $(printf %.1f "$s") | $(printf %.1f "$(echo "$TESTSSL * 60 / $s" | bc -l)") |")
    start=$(date +%s.%N)
    scan --profile full "$W/ts.txt" >/dev/null 2>&1
    end=$(date +%s.%N)
    s=$(echo "$end - $start" | bc -l)
    ROWS+=("| tlsdiag scan --profile full (same targets) | $TESTSSL | $(printf %.1f "$s") | $(printf %.0f "$(echo "$TESTSSL * 60 / $s" | bc -l)") |")
elif [ "$TESTSSL" -gt 0 ]; then
    echo "testssl.sh is not installed (apt-get install testssl.sh): skipped" >&2
fi

echo
echo "Fleet: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $ADDRS addresses, --concurrency $CONC --per-ip $PER_IP, $(nproc) cores."
echo
echo "| run | targets | seconds | targets/min |"
echo "| --- | ---: | ---: | ---: |"
printf '%s\n' "${ROWS[@]}"
if [ ${#MEM[@]} -gt 0 ]; then
    echo
    echo "| targets written | RSS MiB | open fds |"
    echo "| ---: | ---: | ---: |"
    printf '%s\n' "${MEM[@]}"
fi
