#!/usr/bin/env bash
# Benchmark of `tlsdiag lint` on a large nginx configuration: N server blocks
# (1,000 by default) in sites-enabled/ files of 50 blocks each, as a Debian
# layout with an http{}-wide options file, each block with its own
# certificate and key files, its own name, a location with proxy_pass to an
# https:// upstream, and one default server per port (20 ports).  By default
# the files are copies of four RSA certificates (as sites sharing wildcard
# certificates have): every file is read, identical pairs are parsed once.
# With --distinct every block gets a certificate and key of its own (ECDSA
# P-256, made here: slower to set up), each parsed and verified.  nginx -t
# checks the configuration first (when nginx is installed).  Prints the time
# of each run and the median; the target is under one second.
#
#   bench/lint.sh [--blocks N] [--runs N] [--distinct] [--tlsdiag PATH]
#
# Exit status 0 when the median meets the target, 1 when not, 2 for a
# usage or setup error.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BLOCKS=1000
RUNS=5
DISTINCT=0
TLSDIAG="$ROOT/build/tlsdiag"
while [ $# -gt 0 ]; do
    case "$1" in
        --blocks) BLOCKS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --distinct) DISTINCT=1; shift ;;
        --tlsdiag) TLSDIAG=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--blocks N] [--runs N] [--distinct] [--tlsdiag PATH]" >&2; exit 2 ;;
    esac
done
[ -x "$TLSDIAG" ] || { echo "no $TLSDIAG: run make first" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-bench-lint.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
D="$T/nginx"
mkdir -p "$D/sites-enabled" "$D/certs" "$D/logs" "$D/tmp"

echo "making $BLOCKS server blocks..."
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=tlsdiag bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null || exit 2
for k in 0 1 2 3; do
    openssl req -new -newkey rsa:2048 -nodes -subj "/CN=site$k.bench.test" -keyout "$T/k$k.pem" \
        -out "$T/r$k.csr" 2>/dev/null &&
        openssl x509 -req -in "$T/r$k.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 30 \
            -extfile <(printf 'subjectAltName=DNS:*.bench.test\n') -out "$T/c$k.pem" 2>/dev/null || exit 2
done
cat >"$D/nginx.conf" <<NGX
pid $D/nginx.pid;
error_log $D/logs/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $D/tmp/body;
    proxy_temp_path $D/tmp/proxy;
    fastcgi_temp_path $D/tmp/fastcgi;
    uwsgi_temp_path $D/tmp/uwsgi;
    scgi_temp_path $D/tmp/scgi;
    include options-ssl.conf;
    include sites-enabled/*.conf;
}
NGX
cat >"$D/options-ssl.conf" <<'NGX'
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;
ssl_session_cache shared:SSL:10m;
ssl_session_tickets off;
NGX
for ((i = 0; i < BLOCKS; i++)); do
    k=$((i % 4))
    if [ "$DISTINCT" = 1 ]; then
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=site$i.bench.test" \
            -keyout "$D/certs/site$i.key" -out "$T/site.csr" 2>/dev/null &&
            openssl x509 -req -in "$T/site.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 30 \
                -extfile <(printf 'subjectAltName=DNS:site%d.bench.test\n' "$i") -out "$T/site.pem" 2>/dev/null || exit 2
        cat "$T/site.pem" "$T/ca.pem" >"$D/certs/site$i.pem"
    else
        cat "$T/c$k.pem" "$T/ca.pem" >"$D/certs/site$i.pem"
        cp "$T/k$k.pem" "$D/certs/site$i.key"
    fi
    port=$((20000 + i % 20))
    def=""
    [ $((i / 20)) = 0 ] && def=" default_server"
    cat >>"$D/sites-enabled/part$((i / 50)).conf" <<NGX
server {
    listen 127.0.0.1:$port ssl$def;
    server_name site$i.bench.test;
    ssl_certificate certs/site$i.pem;
    ssl_certificate_key certs/site$i.key;
    location / {
        proxy_pass https://127.0.0.1:$((30000 + i % 7));
        proxy_ssl_server_name on;
    }
}
NGX
done
if command -v nginx >/dev/null; then
    nginx -t -p "$D" -c "$D/nginx.conf" -e "$D/logs/error.log" >"$T/nginx-t.log" 2>&1 ||
        { cat "$T/nginx-t.log" >&2; echo "nginx -t refuses the generated configuration" >&2; exit 2; }
    echo "nginx -t accepts it"
fi

"$TLSDIAG" lint --json --ca-file "$T/ca.pem" "$D/nginx.conf" >"$T/out.json"
rc=$?
[ "$rc" -le 1 ] || { echo "tlsdiag lint failed (exit $rc)" >&2; exit 2; }
if command -v jq >/dev/null; then
    echo "lint read $(jq '.files | length' "$T/out.json") files, $(jq '.servers | length' "$T/out.json") server blocks, $(jq '.listeners | length' "$T/out.json") listeners; findings: $(jq -r '[.findings[].id] | group_by(.) | map("\(.[0]) x\(length)") | join(", ")' "$T/out.json")"
fi
times=()
for ((r = 1; r <= RUNS; r++)); do
    s=$(date +%s%N)
    "$TLSDIAG" lint --json --ca-file "$T/ca.pem" "$D/nginx.conf" >/dev/null
    e=$(date +%s%N)
    ms=$(((e - s) / 1000000))
    times+=("$ms")
    echo "run $r: ${ms} ms"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
echo "tlsdiag lint, $BLOCKS server blocks$([ "$DISTINCT" = 1 ] && echo ', a certificate each'): median ${median} ms over $RUNS runs (target: under 1000 ms)"
[ "$median" -lt 1000 ]
