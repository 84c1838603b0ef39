#!/usr/bin/env bash
# Benchmark of `tlsdiag logs` against `grep -c 'SSL_do_handshake'` on the
# same nginx error log (1 GiB by default), and of `tlsdiag explain`.
#
#   bench/logs.sh [--mb N] [--runs N] [--tlsdiag PATH]
#
# The log is made here: nginx's own lines for the failures it logs (failed
# handshakes with OpenSSL reasons, peer closes, plain HTTP on the TLS port,
# handshakes rejected for want of SNI) from 2,000 clients over several hours,
# in the proportions of a busy server.  Each tool reads it from the page
# cache (one untimed read first).  Targets: `tlsdiag logs` at least half of
# grep's throughput while classifying every line; `tlsdiag explain` under
# 10 ms.  Exit status 0 when both hold, 1 when not.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MB=1024
RUNS=3
TLSDIAG="$ROOT/build/tlsdiag"
while [ $# -gt 0 ]; do
    case "$1" in
        --mb) MB=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --tlsdiag) TLSDIAG=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--mb N] [--runs N] [--tlsdiag PATH]" >&2; exit 2 ;;
    esac
done
[ -x "$TLSDIAG" ] || { echo "no $TLSDIAG: run make first" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-bench-logs.XXXXXX")
trap 'rm -rf "$T"' EXIT
LOG="$T/error.log"

echo "making a ${MB} MiB nginx error log..."
python3 - "$LOG" "$MB" <<'PY'
import random, sys
path, mb = sys.argv[1], int(sys.argv[2])
random.seed(7)
msgs = [
    (55, "SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking"),
    (15, "SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48) while SSL handshaking"),
    (6, "SSL_do_handshake() failed (SSL: error:0A0000C1:SSL routines::no shared cipher) while SSL handshaking"),
    (4, "SSL_do_handshake() failed (SSL: error:0A000416:SSL routines::sslv3 alert certificate unknown:SSL alert number 46) while SSL handshaking"),
    (8, "peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking"),
    (5, "client sent plain HTTP request to HTTPS port while reading client request headers"),
    (4, "handshake rejected while SSL handshaking"),
    (3, "SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking"),
]
weights = [w for w, _ in msgs]
texts = [m for _, m in msgs]
clients = ["10.%d.%d.%d" % (random.randrange(256), random.randrange(256), random.randrange(1, 255)) for _ in range(2000)]
target = mb * 1024 * 1024
size, n, sec = 0, 0, 0
with open(path, "w") as f:
    buf = []
    while size < target:
        sec += random.random() < 0.02
        h, m, s = 8 + sec // 3600 % 12, sec // 60 % 60, sec % 60
        line = "2026/12/07 %02d:%02d:%02d [info] 1234#1234: *%d %s, client: %s, server: 0.0.0.0:443\n" % (
            h, m, s, n, random.choices(texts, weights)[0], random.choice(clients))
        buf.append(line)
        size += len(line)
        n += 1
        if len(buf) == 10000:
            f.write("".join(buf))
            buf = []
    f.write("".join(buf))
print("%d lines" % n)
PY

cat "$LOG" >/dev/null # into the page cache

# best of RUNS, in seconds
best() {
    local b="" s e d i
    for ((i = 0; i < RUNS; i++)); do
        s=$(date +%s%N)
        "$@" >"$T/out" 2>&1 # not /dev/null: GNU grep stops at the first match then
        e=$(date +%s%N)
        d=$(((e - s) / 1000000))
        if [ -z "$b" ] || [ "$d" -lt "$b" ]; then b=$d; fi
    done
    echo "$b"
}

grep_ms=$(best grep -c 'SSL_do_handshake' "$LOG")
logs_ms=$(best "$TLSDIAG" logs --json "$LOG")
"$TLSDIAG" logs --json "$LOG" >"$T/summary.json"
explain_ms=$(best "$TLSDIAG" explain 'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to shop.example:443')

mbps() { awk -v mb="$MB" -v ms="$1" 'BEGIN { printf "%.0f", mb / (ms / 1000) }'; }
ratio=$(awk -v g="$grep_ms" -v t="$logs_ms" 'BEGIN { printf "%.2f", g / t }')
echo
echo "| what | time | throughput |"
echo "|---|---|---|"
echo "| grep -c 'SSL_do_handshake' | ${grep_ms} ms | $(mbps "$grep_ms") MiB/s |"
echo "| tlsdiag logs --json | ${logs_ms} ms | $(mbps "$logs_ms") MiB/s (${ratio} of grep's) |"
echo "| tlsdiag explain (one curl line, process start included) | ${explain_ms} ms | |"
echo
echo "failures counted: $(jq '.failures' "$T/summary.json"), causes: $(jq -c '[.causes[] | {id, count}]' "$T/summary.json")"
ok=0
awk -v r="$ratio" 'BEGIN { exit !(r >= 0.5) }' && echo "PASS logs: at least half of grep's throughput" ||
    { echo "FAIL logs: under half of grep's throughput"; ok=1; }
[ "$explain_ms" -lt 10 ] && echo "PASS explain: under 10 ms" || { echo "FAIL explain: ${explain_ms} ms"; ok=1; }
exit $ok
