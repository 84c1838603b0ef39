#!/usr/bin/env bash
# bench/run.sh: time tlsdiag side by side with sslscan and nmap's
# ssl-enum-ciphers against several local server configurations, each directly
# on loopback ("direct") and through a relay that adds 25 ms of one-way
# latency ("wan").
#
# Every tool connects through bench/count-proxy.py, which counts the TCP
# connections the tool opened. See bench/README.md for the configurations,
# the method and what each tool does, so the ratios are read fairly.
#
# usage: bench/run.sh [--runs N] [--tlsdiag PATH] [--only direct|wan]
#                     [--config NAME[,NAME...]] [--max-connections N]
#                     [--relay PATH] [--tool-timeout S] [--write] [--strict]
#                     [--keep]
set -uo pipefail
export LC_ALL=C
PATH="$PATH:/usr/sbin:/sbin"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
COUNT_PROXY="$HERE/count-proxy.py"
DELAY_MS=25

ALL_CONFIGS=(nginx-default mozilla-modern mozilla-intermediate mozilla-old server-order-all gnutls-normal)

RUNS=5
TLSDIAG="$ROOT/build/tlsdiag"
ONLY=""
CONFIGS=("${ALL_CONFIGS[@]}")
MAXCONN=8
RELAY=""
TOOL_TIMEOUT=300
WRITE=0
STRICT=0
KEEP=0

usage() {
  cat <<EOF
usage: bench/run.sh [options]

Times tlsdiag, sslscan and nmap --script ssl-enum-ciphers against local
servers in several configurations, directly and through a ${DELAY_MS} ms one-way
latency relay, and checks tlsdiag against its targets.

  --runs N               timed runs per tool, configuration and scenario (default 5)
  --tlsdiag PATH         tlsdiag binary (default build/tlsdiag)
  --only direct|wan      run one scenario only
  --config LIST          comma-separated configurations (default: all):
                         ${ALL_CONFIGS[*]}
  --max-connections N    passed to tlsdiag (default 8; targets assume 8)
  --relay PATH           latency-relay.py (default: shared/bench/ beside the
                         repository, found from a worktree too)
  --tool-timeout S       kill a tool run after S seconds (default 300)
  --write                also write the markdown results to bench/results.md
  --strict               exit 1 unless every target is met (and tlsdiag's
                         connection count matches the proxy's)
  --keep                 keep the temporary directory (configs, logs, outputs)
  -h, --help             this text

Exit status: 0 (whatever the targets say, unless --strict), 1 when --strict
and a target is not met or could not be measured, 2 on a usage or setup error.
EOF
}

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

set_configs() {
  local c known
  IFS=, read -r -a CONFIGS <<<"$1"
  [ ${#CONFIGS[@]} -gt 0 ] || die "--config needs at least one name"
  for c in "${CONFIGS[@]}"; do
    known=0
    local k
    for k in "${ALL_CONFIGS[@]}"; do [ "$c" = "$k" ] && known=1; done
    [ "$known" = 1 ] || die "unknown configuration: $c (known: ${ALL_CONFIGS[*]})"
  done
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) shift; RUNS=${1:-}; is_uint "$RUNS" || die "--runs needs a positive integer" ;;
    --runs=*) RUNS=${1#*=}; is_uint "$RUNS" || die "--runs needs a positive integer" ;;
    --tlsdiag) shift; TLSDIAG=${1:-}; [ -n "$TLSDIAG" ] || die "--tlsdiag needs a path" ;;
    --tlsdiag=*) TLSDIAG=${1#*=} ;;
    --only) shift; ONLY=${1:-} ;;
    --only=*) ONLY=${1#*=} ;;
    --config) shift; set_configs "${1:-}" ;;
    --config=*) set_configs "${1#*=}" ;;
    --max-connections) shift; MAXCONN=${1:-}; is_uint "$MAXCONN" || die "--max-connections needs a positive integer" ;;
    --max-connections=*) MAXCONN=${1#*=}; is_uint "$MAXCONN" || die "--max-connections needs a positive integer" ;;
    --relay) shift; RELAY=${1:-}; [ -n "$RELAY" ] || die "--relay needs a path" ;;
    --relay=*) RELAY=${1#*=} ;;
    --tool-timeout) shift; TOOL_TIMEOUT=${1:-}; is_uint "$TOOL_TIMEOUT" || die "--tool-timeout needs a positive integer" ;;
    --tool-timeout=*) TOOL_TIMEOUT=${1#*=}; is_uint "$TOOL_TIMEOUT" || die "--tool-timeout needs a positive integer" ;;
    --write) WRITE=1 ;;
    --strict) STRICT=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
case "$ONLY" in ""|direct|wan) ;; *) die "--only takes direct or wan" ;; esac
SCENARIOS=(direct wan)
[ -n "$ONLY" ] && SCENARIOS=("$ONLY")

# shellcheck source=bench/relay.sh
source "$HERE/relay.sh"

# ---------------------------------------------------------------- dependencies
if [ -f "$ROOT/scripts/deps.sh" ]; then
  bash "$ROOT/scripts/deps.sh" bench >&2 || note "scripts/deps.sh bench failed; checking the tools anyway"
fi
missing=()
for cmd in nginx gnutls-serv openssl python3 timeout ss; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing required commands: ${missing[*]} (Debian: apt-get install nginx-light gnutls-bin openssl python3 coreutils iproute2)"
fi
if [[ " ${SCENARIOS[*]} " == *" wan "* ]]; then
  if [ -z "$RELAY" ]; then
    RELAY=$(find_relay "$ROOT") || die "latency relay not found (shared/bench/latency-relay.py beside the repository); give it with --relay"
  fi
  [ -f "$RELAY" ] || die "latency relay not found at $RELAY"
fi

TOOLS=()
declare -A SKIP_REASON=()
if [ -x "$TLSDIAG" ]; then
  TOOLS+=(tlsdiag)
else
  SKIP_REASON[tlsdiag]="not found or not executable at $TLSDIAG (build it with make)"
  note "tlsdiag ${SKIP_REASON[tlsdiag]}; benchmarking the others only"
fi
for t in sslscan nmap; do
  if command -v "$t" >/dev/null 2>&1; then
    TOOLS+=("$t")
  else
    SKIP_REASON[$t]="not installed (Debian: apt-get install $t)"
    note "$t is ${SKIP_REASON[$t]}; skipping it"
  fi
done

# ---------------------------------------------------------------- temp + cleanup
TMP=$(mktemp -d /tmp/tlsdiag-bench.XXXXXX) || die "mktemp failed"
PIDS=()      # the current configuration's server, relay and proxies
TOOL_PID=""  # the tool run in progress, if any

stop_pid() {  # stop_pid PID: TERM, wait up to 5 s, then KILL it and its children
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    local kids
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null)
    kill -KILL "$pid" $kids 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
}

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
}

cleanup() {
  trap - EXIT INT TERM
  [ -n "$TOOL_PID" ] && stop_pid "$TOOL_PID"
  stop_all
  if [ "$KEEP" = 1 ]; then note "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
free_ports() {  # free_ports N: N distinct free loopback TCP ports
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

wait_listen() {  # wait_listen PORT PID NAME LOG: up to 10 s for PID to listen on PORT
  local port=$1 pid=$2 name=$3 log=$4 i
  for i in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      note "$name exited during start-up; its log:"
      tail -n 20 "$log" >&2
      exit 2
    fi
    [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  note "$name did not listen on port $port within 10 s; its log:"
  tail -n 20 "$log" >&2
  exit 2
}

read_count() { cat "$1" 2>/dev/null || echo 0; }

settled_count() {  # settled_count FILE: the proxy's total once it stopped moving (<= 5 s)
  local f=$1 prev cur i
  prev=$(read_count "$f")
  for i in $(seq 25); do
    sleep 0.2
    cur=$(read_count "$f")
    [ "$cur" = "$prev" ] && break
    prev=$cur
  done
  echo "$prev"
}

# ---------------------------------------------------------------- key material
MAT="$TMP/material"
mkdir -p "$MAT" "$TMP/logs"
make_cert() {  # make_cert NAME KEYALG...: self-signed certificate for localhost
  local name=$1; shift
  openssl req -x509 -newkey "$@" -nodes -sha256 -days 7 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$MAT/$name.key" -out "$MAT/$name.pem" >>"$TMP/logs/openssl.log" 2>&1 \
    || { cat "$TMP/logs/openssl.log" >&2; die "openssl could not make the $name certificate"; }
}
make_cert rsa rsa:2048
make_cert ecdsa ec -pkeyopt ec_paramgen_curve:P-256
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$MAT/ffdhe2048.pem" \
  >>"$TMP/logs/openssl.log" 2>&1 \
  || { cat "$TMP/logs/openssl.log" >&2; die "openssl could not write the DH parameters"; }

# ---------------------------------------------------------------- configurations
# Mozilla's server-side TLS guidelines, version 5.7 (ssl-config.mozilla.org).
MOZ_INTERMEDIATE="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
MOZ_OLD="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA"
MOZ_SESSION="ssl_session_timeout 1d; ssl_session_cache shared:MozSSL:10m; ssl_session_tickets off; ssl_ecdh_curve X25519:prime256v1:secp384r1;"

describe() {  # describe CONFIG: one line for the report
  case "$1" in
    nginx-default) echo "nginx, no ssl_ directive but the certificate (TLS 1.0-1.2, HIGH:!aNULL:!MD5, client order), RSA 2048" ;;
    mozilla-modern) echo "nginx, Mozilla modern (TLS 1.3 only, client order), ECDSA P-256" ;;
    mozilla-intermediate) echo "nginx, Mozilla intermediate (TLS 1.2-1.3, 9 suites, client order, ffdhe2048), RSA 2048" ;;
    mozilla-old) echo "nginx, Mozilla old (TLS 1.0-1.3, 26 suites, server order, ffdhe2048, @SECLEVEL=0 as OpenSSL 3 needs), RSA 2048" ;;
    server-order-all) echo "nginx, ssl_ciphers ALL:!aNULL:!eNULL with ssl_prefer_server_ciphers on (TLS 1.2-1.3, server order, ffdhe2048), RSA 2048" ;;
    gnutls-normal) echo "gnutls-serv --priority NORMAL (its defaults), RSA 2048" ;;
  esac
}

nginx_directives() {  # nginx_directives CONFIG: the ssl_ lines of its server block
  local rsa="ssl_certificate $MAT/rsa.pem; ssl_certificate_key $MAT/rsa.key;"
  local dh="ssl_dhparam $MAT/ffdhe2048.pem;"
  case "$1" in
    nginx-default) echo "$rsa" ;;
    mozilla-modern)
      echo "ssl_certificate $MAT/ecdsa.pem; ssl_certificate_key $MAT/ecdsa.key; $MOZ_SESSION"
      echo "ssl_protocols TLSv1.3; ssl_prefer_server_ciphers off;" ;;
    mozilla-intermediate)
      echo "$rsa $dh $MOZ_SESSION"
      echo "ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers $MOZ_INTERMEDIATE; ssl_prefer_server_ciphers off;" ;;
    mozilla-old)
      echo "$rsa $dh $MOZ_SESSION"
      echo "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers $MOZ_OLD:@SECLEVEL=0; ssl_prefer_server_ciphers on;" ;;
    server-order-all)
      echo "$rsa $dh"
      echo "ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ALL:!aNULL:!eNULL; ssl_prefer_server_ciphers on;" ;;
  esac
}

start_server() {  # start_server CONFIG PORT
  local conf=$1 port=$2 dir="$TMP/$1"
  mkdir -p "$dir"
  if [ "$conf" = gnutls-normal ]; then
    # gnutls-serv has no option to bind one address: it listens on every
    # address of the machine for the few seconds of this configuration.
    gnutls-serv --port "$port" --x509certfile "$MAT/rsa.pem" --x509keyfile "$MAT/rsa.key" \
      --disable-client-cert --priority NORMAL >"$dir/server.log" 2>&1 &
    PIDS+=($!)
    wait_listen "$port" "$!" gnutls-serv "$dir/server.log"
    return
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        server_name localhost;
        $(nginx_directives "$conf")
        location / { return 200 "ok\n"; }
    }
}
EOF
  nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/server.log" 2>&1 &
  PIDS+=($!)
  wait_listen "$port" "$!" "nginx ($conf)" "$dir/error.log"
}

declare -A TARGET_PORT=() COUNT_FILE=()
start_paths() {  # start_paths CONFIG SERVER_PORT RELAY_PORT CP_DIRECT CP_WAN
  local conf=$1 server=$2 relay=$3 sc upstream port
  for sc in "${SCENARIOS[@]}"; do
    if [ "$sc" = wan ]; then
      python3 "$RELAY" "$relay" "$server" "$DELAY_MS" >"$TMP/logs/$conf-relay.log" 2>&1 &
      PIDS+=($!)
      wait_listen "$relay" "$!" latency-relay "$TMP/logs/$conf-relay.log"
      upstream=$relay port=$5
    else
      upstream=$server port=$4
    fi
    COUNT_FILE[$sc]="$TMP/count-$conf-$sc"
    python3 "$COUNT_PROXY" "$port" "$upstream" "${COUNT_FILE[$sc]}" >"$TMP/logs/$conf-count-proxy-$sc.log" 2>&1 &
    PIDS+=($!)
    wait_listen "$port" "$!" "count-proxy ($sc)" "$TMP/logs/$conf-count-proxy-$sc.log"
    TARGET_PORT[$sc]=$port
    # One handshake end to end, so a broken path fails here rather than in the timings.
    if ! timeout 20 openssl s_client -connect "127.0.0.1:$port" -brief </dev/null \
        >"$TMP/logs/$conf-check-$sc.log" 2>&1 \
        || ! grep -q "Protocol version: TLSv1" "$TMP/logs/$conf-check-$sc.log"; then
      tail -n 20 "$TMP/logs/$conf-check-$sc.log" >&2
      die "no TLS handshake with $conf through the $sc path (127.0.0.1:$port)"
    fi
  done
}

# ---------------------------------------------------------------- runs
RESULTS="$TMP/results.tsv"   # config scenario tool run seconds proxy_conns self_conns self_ms status
FAILURES="$TMP/failures.tsv" # config scenario tool reason
FOUND="$TMP/found.tsv"       # config what tlsdiag found (versions, suites, order)
: >"$RESULTS"; : >"$FAILURES"; : >"$FOUND"
declare -A DISABLED=()

# What tlsdiag's JSON says it found: "1.2: 27 client; 1.3: 3 server".
TLSDIAG_PARSE=$(cat <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
    obs = doc["observations"]
    c = obs["connections"]
    if not isinstance(c, int) or isinstance(c, bool):
        raise ValueError("observations.connections is not an integer")
    ms = obs.get("elapsed_ms", "-")
    found = []
    for name, v in obs.get("versions", {}).items():
        if v.get("supported") and v.get("suites"):
            order = {True: "server", False: "client"}.get(v.get("server_order"), "?")
            found.append("%s: %d %s%s" % (name.replace("TLS ", ""), len(v["suites"]), order,
                                           "" if v.get("complete") else " (incomplete)"))
    print(c, ms if isinstance(ms, (int, float)) and not isinstance(ms, bool) else "-", "; ".join(found) or "-")
except Exception as e:
    print("no usable JSON on stdout: %s" % e)
    sys.exit(1)
PY
)

run_once() {  # run_once CONFIG SCENARIO TOOL RUN
  local conf=$1 sc=$2 tool=$3 i=$4 port=${TARGET_PORT[$2]} cf=${COUNT_FILE[$2]}
  local out="$TMP/logs/$conf-$sc-$tool-$i.out" err="$TMP/logs/$conf-$sc-$tool-$i.err"
  local before after t0 t1 rc secs conns self_c=- self_ms=- found status=ok why=""
  before=$(settled_count "$cf")
  t0=$EPOCHREALTIME
  # In the background and waited for, so that a signal to this script is acted on at once.
  case "$tool" in
    tlsdiag) timeout -k 5 "$TOOL_TIMEOUT" "$TLSDIAG" check --json --max-connections "$MAXCONN" \
               "127.0.0.1:$port" >"$out" 2>"$err" </dev/null & ;;
    sslscan) timeout -k 5 "$TOOL_TIMEOUT" sslscan --no-colour "127.0.0.1:$port" \
               >"$out" 2>"$err" </dev/null & ;;
    nmap)    timeout -k 5 "$TOOL_TIMEOUT" nmap -Pn -n -sT -p "$port" --script ssl-enum-ciphers \
               127.0.0.1 >"$out" 2>"$err" </dev/null & ;;
  esac
  TOOL_PID=$!
  wait "$TOOL_PID"
  rc=$?
  TOOL_PID=""
  t1=$EPOCHREALTIME
  after=$(settled_count "$cf")
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  conns=$((after - before))

  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    status=fail why="timed out after ${TOOL_TIMEOUT} s"
  elif [ "$rc" -gt 128 ]; then
    status=fail why="killed by signal $((rc - 128))"
  else
    case "$tool" in
      tlsdiag)
        local parsed
        if parsed=$(python3 -c "$TLSDIAG_PARSE" "$out" 2>&1); then
          read -r self_c self_ms found <<<"$parsed"
          grep -q "^$conf"$'\t' "$FOUND" || printf '%s\t%s\n' "$conf" "$found" >>"$FOUND"
        else
          status=fail why="$parsed (exit $rc)"
        fi ;;
      sslscan)
        [ "$rc" = 0 ] && grep -q "Supported Server Cipher" "$out" \
          || status=fail why="exit $rc, no cipher list in its output" ;;
      nmap)
        [ "$rc" = 0 ] && grep -q "ssl-enum-ciphers:" "$out" && grep -Eq "TLSv1\.[0-3]:" "$out" \
          || status=fail why="exit $rc, no ssl-enum-ciphers result in its output" ;;
    esac
  fi

  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$conf" "$sc" "$tool" "$i" "$secs" "$conns" "$self_c" "$self_ms" "$status" >>"$RESULTS"
  if [ "$status" = ok ]; then
    local extra=""
    [ "$tool" = tlsdiag ] && extra=" (self-reported: $self_c connections, ${self_ms} ms)"
    note "[$conf/$sc] $tool run $i/$RUNS: ${secs} s, $conns connections$extra"
  else
    note "[$conf/$sc] $tool run $i/$RUNS FAILED: $why"
    [ -s "$err" ] && { note "  stderr (last lines):"; tail -n 5 "$err" | cut -c 1-200 | sed 's/^/    /' >&2; }
    [ -s "$out" ] && { note "  stdout (first lines):"; head -n 5 "$out" | cut -c 1-200 | sed 's/^/    /' >&2; }
    note "  skipping the remaining $tool runs of $conf in the $sc scenario"
    DISABLED[$conf/$sc/$tool]=1
    printf '%s\t%s\t%s\t%s\n' "$conf" "$sc" "$tool" "$why" >>"$FAILURES"
  fi
}

for conf in "${CONFIGS[@]}"; do
  read -r SERVER_PORT RELAY_PORT CP_DIRECT_PORT CP_WAN_PORT < <(free_ports 4)
  [ -n "$CP_WAN_PORT" ] || die "could not pick free ports"
  note "configuration $conf: $(describe "$conf")"
  start_server "$conf" "$SERVER_PORT"
  start_paths "$conf" "$SERVER_PORT" "$RELAY_PORT" "$CP_DIRECT_PORT" "$CP_WAN_PORT"
  for sc in "${SCENARIOS[@]}"; do
    note "[$conf/$sc] tools connect to 127.0.0.1:${TARGET_PORT[$sc]}$([ "$sc" = wan ] && echo " (count-proxy -> latency-relay ${DELAY_MS} ms -> server)" || echo " (count-proxy -> server)")"
    for i in $(seq "$RUNS"); do
      for tool in "${TOOLS[@]}"; do
        [ -n "${DISABLED[$conf/$sc/$tool]:-}" ] && continue
        run_once "$conf" "$sc" "$tool" "$i"
      done
    done
  done
  stop_all
done

# ---------------------------------------------------------------- report
ver() { "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?[a-z]?' | head -n 1; }
SSLSCAN_VER=$(command -v sslscan >/dev/null && ver sslscan --version || echo "not installed")
NMAP_VER=$(command -v nmap >/dev/null && ver nmap --version || echo "not installed")
NGINX_VER=$(ver nginx -v)
GNUTLS_VER=$(ver gnutls-serv --version)
OPENSSL_VER=$(ver openssl version)
TLSDIAG_VER="$( [ -x "$TLSDIAG" ] && timeout 10 "$TLSDIAG" --version 2>/dev/null | head -n 1)"
TLSDIAG_VER="${TLSDIAG_VER#tlsdiag }"
TLSDIAG_VER="${TLSDIAG_VER:-?} (repo $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown))"
SKIPS=""
for t in "${!SKIP_REASON[@]}"; do SKIPS+="$t: ${SKIP_REASON[$t]}"$'\n'; done
DESCS=""
for conf in "${CONFIGS[@]}"; do DESCS+="$conf: $(describe "$conf")"$'\n'; done

MD="$TMP/results.md"
python3 "$HERE/summary.py" "$RESULTS" "$FAILURES" "$FOUND" "$MD" "$RUNS" "$MAXCONN" "$DELAY_MS" \
  "${SCENARIOS[*]}" "${CONFIGS[*]}" "$DESCS" "$SKIPS" "$(nproc)" \
  "tlsdiag $TLSDIAG_VER, sslscan $SSLSCAN_VER, nmap $NMAP_VER, nginx $NGINX_VER, GnuTLS $GNUTLS_VER, OpenSSL $OPENSSL_VER"
summary_rc=$?
[ "$summary_rc" = 0 ] || [ "$summary_rc" = 3 ] || die "could not summarise the results (kept in $RESULTS with --keep)"

if [ "$WRITE" = 1 ]; then
  cp "$MD" "$HERE/results.md" && note "wrote $HERE/results.md"
fi
if [ "$STRICT" = 1 ] && [ "$summary_rc" != 0 ]; then
  note "--strict: not every target was met (or measured), or tlsdiag's connection count disagreed with the proxy's"
  exit 1
fi
exit 0
