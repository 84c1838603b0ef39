#!/usr/bin/env bash
# bench/run.sh: time tlsdiag side by side with sslscan and nmap's
# ssl-enum-ciphers against one local nginx, directly on loopback ("direct") and
# through a relay that adds 25 ms of one-way latency ("wan").
#
# Every tool connects through bench/count-proxy.py, which counts the TCP
# connections the tool opened. See bench/README.md for the method and for what
# each tool does, so the ratios are read fairly.
#
# usage: bench/run.sh [--runs N] [--tlsdiag PATH] [--only direct|wan]
#                     [--max-connections N] [--server-order on|off]
#                     [--tool-timeout S] [--write] [--strict] [--keep]
set -uo pipefail
export LC_ALL=C
PATH="$PATH:/usr/sbin:/sbin"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RELAY="$HERE/../../shared/bench/latency-relay.py"   # shared/ sits beside the repo
COUNT_PROXY="$HERE/count-proxy.py"
DELAY_MS=25

RUNS=5
TLSDIAG="$ROOT/build/tlsdiag"
ONLY=""
MAXCONN=8
SERVER_ORDER=on
TOOL_TIMEOUT=300
WRITE=0
STRICT=0
KEEP=0

usage() {
  cat <<EOF
usage: bench/run.sh [options]

Times tlsdiag, sslscan and nmap --script ssl-enum-ciphers against one local
nginx (TLS 1.2 + 1.3, RSA 2048), directly and through a ${DELAY_MS} ms one-way
latency relay, and checks tlsdiag's speed-up against the targets.

  --runs N               timed runs per tool and scenario (default 5)
  --tlsdiag PATH         tlsdiag binary (default build/tlsdiag)
  --only direct|wan      run one scenario only
  --max-connections N    passed to tlsdiag (default 8; targets assume 8)
  --server-order on|off  nginx ssl_prefer_server_ciphers (default on)
  --tool-timeout S       kill a tool run after S seconds (default 300)
  --write                also write the markdown results to bench/results.md
  --strict               exit 1 unless every target PASSes (and tlsdiag's
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

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) shift; RUNS=${1:-}; is_uint "$RUNS" || die "--runs needs a positive integer" ;;
    --runs=*) RUNS=${1#*=}; is_uint "$RUNS" || die "--runs needs a positive integer" ;;
    --tlsdiag) shift; TLSDIAG=${1:-}; [ -n "$TLSDIAG" ] || die "--tlsdiag needs a path" ;;
    --tlsdiag=*) TLSDIAG=${1#*=} ;;
    --only) shift; ONLY=${1:-} ;;
    --only=*) ONLY=${1#*=} ;;
    --max-connections) shift; MAXCONN=${1:-}; is_uint "$MAXCONN" || die "--max-connections needs a positive integer" ;;
    --max-connections=*) MAXCONN=${1#*=}; is_uint "$MAXCONN" || die "--max-connections needs a positive integer" ;;
    --server-order) shift; SERVER_ORDER=${1:-} ;;
    --server-order=*) SERVER_ORDER=${1#*=} ;;
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
case "$SERVER_ORDER" in on|off) ;; *) die "--server-order takes on or off" ;; esac
SCENARIOS=(direct wan)
[ -n "$ONLY" ] && SCENARIOS=("$ONLY")

# ---------------------------------------------------------------- dependencies
if [ -f "$ROOT/scripts/deps.sh" ]; then
  bash "$ROOT/scripts/deps.sh" bench >&2 || note "scripts/deps.sh bench failed; checking the tools anyway"
fi
missing=()
for cmd in nginx openssl python3 timeout ss; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing required commands: ${missing[*]} (Debian: apt-get install nginx-light openssl python3 coreutils iproute2)"
fi
if [[ " ${SCENARIOS[*]} " == *" wan "* ]] && [ ! -f "$RELAY" ]; then
  die "latency relay not found at $RELAY (it lives in shared/bench/, beside the repo)"
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
PIDS=()      # servers and proxies, stopped on exit
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

cleanup() {
  local pid
  trap - EXIT INT TERM
  [ -n "$TOOL_PID" ] && stop_pid "$TOOL_PID"
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
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
  note "$name did not listen on 127.0.0.1:$port within 10 s; its log:"
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

# ---------------------------------------------------------------- target
read -r NGINX_PORT RELAY_PORT CP_DIRECT_PORT CP_WAN_PORT < <(free_ports 4)
[ -n "$CP_WAN_PORT" ] || die "could not pick free ports"

NG="$TMP/nginx"
mkdir -p "$NG" "$TMP/logs"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$NG/key.pem" -out "$NG/cert.pem" >"$TMP/logs/openssl.log" 2>&1 \
  || { cat "$TMP/logs/openssl.log" >&2; die "openssl could not make the certificate"; }
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$NG/dhparam.pem" \
  >>"$TMP/logs/openssl.log" 2>&1 \
  || { cat "$TMP/logs/openssl.log" >&2; die "openssl could not write the DH parameters"; }

CIPHERS="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
cat >"$NG/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
    access_log $NG/access.log;
    client_body_temp_path $NG/body;
    proxy_temp_path $NG/proxy;
    fastcgi_temp_path $NG/fastcgi;
    uwsgi_temp_path $NG/uwsgi;
    scgi_temp_path $NG/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        server_name localhost;
        ssl_certificate $NG/cert.pem;
        ssl_certificate_key $NG/key.pem;
        ssl_dhparam $NG/dhparam.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers $CIPHERS;
        ssl_prefer_server_ciphers $SERVER_ORDER;
        ssl_session_cache shared:bench:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets off;
        location / { return 200 "ok\n"; }
    }
}
EOF
nginx -p "$NG/" -c "$NG/nginx.conf" -e "$NG/error.log" >"$TMP/logs/nginx.out" 2>&1 &
PIDS+=($!)
wait_listen "$NGINX_PORT" "$!" nginx "$NG/error.log"

declare -A TARGET_PORT=() COUNT_FILE=()
for sc in "${SCENARIOS[@]}"; do
  if [ "$sc" = wan ]; then
    python3 "$RELAY" "$RELAY_PORT" "$NGINX_PORT" "$DELAY_MS" >"$TMP/logs/relay.log" 2>&1 &
    PIDS+=($!)
    wait_listen "$RELAY_PORT" "$!" latency-relay "$TMP/logs/relay.log"
    upstream=$RELAY_PORT port=$CP_WAN_PORT
  else
    upstream=$NGINX_PORT port=$CP_DIRECT_PORT
  fi
  COUNT_FILE[$sc]="$TMP/count-$sc"
  python3 "$COUNT_PROXY" "$port" "$upstream" "${COUNT_FILE[$sc]}" >"$TMP/logs/count-proxy-$sc.log" 2>&1 &
  PIDS+=($!)
  wait_listen "$port" "$!" "count-proxy ($sc)" "$TMP/logs/count-proxy-$sc.log"
  TARGET_PORT[$sc]=$port
  # One handshake end to end, so a broken path fails here rather than in the timings.
  if ! timeout 20 openssl s_client -connect "127.0.0.1:$port" -brief </dev/null \
      >"$TMP/logs/check-$sc.log" 2>&1 \
      || ! grep -q "Protocol version: TLSv1.3" "$TMP/logs/check-$sc.log"; then
    tail -n 20 "$TMP/logs/check-$sc.log" >&2
    die "no TLS 1.3 handshake with nginx through the $sc path (127.0.0.1:$port)"
  fi
done

# ---------------------------------------------------------------- runs
RESULTS="$TMP/results.tsv"   # scenario tool run seconds proxy_conns self_conns self_ms status
FAILURES="$TMP/failures.tsv" # scenario tool reason
: >"$RESULTS"; : >"$FAILURES"
declare -A DISABLED=()

run_once() {  # run_once SCENARIO TOOL RUN
  local sc=$1 tool=$2 i=$3 port=${TARGET_PORT[$1]} cf=${COUNT_FILE[$1]}
  local out="$TMP/logs/$sc-$tool-$i.out" err="$TMP/logs/$sc-$tool-$i.err"
  local before after t0 t1 rc secs conns self_c=- self_ms=- status=ok why=""
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
        if parsed=$(python3 - "$out" 2>&1 <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
    obs = doc["observations"]
    c = obs["connections"]
    if not isinstance(c, int) or isinstance(c, bool):
        raise ValueError("observations.connections is not an integer")
    ms = obs.get("elapsed_ms", "-")
    print(c, ms if isinstance(ms, (int, float)) and not isinstance(ms, bool) else "-")
except Exception as e:
    print("no usable JSON on stdout: %s" % e)
    sys.exit(1)
PY
        ); then
          read -r self_c self_ms <<<"$parsed"
        else
          status=fail why="$parsed (exit $rc)"
        fi ;;
      sslscan)
        [ "$rc" = 0 ] && grep -q "Supported Server Cipher" "$out" \
          || status=fail why="exit $rc, no cipher list in its output" ;;
      nmap)
        [ "$rc" = 0 ] && grep -q "ssl-enum-ciphers:" "$out" && grep -q "TLSv1.2:" "$out" \
          || status=fail why="exit $rc, no ssl-enum-ciphers result in its output" ;;
    esac
  fi

  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sc" "$tool" "$i" "$secs" "$conns" "$self_c" "$self_ms" "$status" >>"$RESULTS"
  if [ "$status" = ok ]; then
    local extra=""
    [ "$tool" = tlsdiag ] && extra=" (self-reported: $self_c connections, ${self_ms} ms)"
    note "[$sc] $tool run $i/$RUNS: ${secs} s, $conns connections$extra"
  else
    note "[$sc] $tool run $i/$RUNS FAILED: $why"
    [ -s "$err" ] && { note "  stderr (last lines):"; tail -n 5 "$err" | cut -c 1-200 | sed 's/^/    /' >&2; }
    [ -s "$out" ] && { note "  stdout (first lines):"; head -n 5 "$out" | cut -c 1-200 | sed 's/^/    /' >&2; }
    note "  skipping the remaining $tool runs in the $sc scenario"
    DISABLED[$sc/$tool]=1
    printf '%s\t%s\t%s\n' "$sc" "$tool" "$why" >>"$FAILURES"
  fi
}

for sc in "${SCENARIOS[@]}"; do
  note "scenario $sc: tools connect to 127.0.0.1:${TARGET_PORT[$sc]}$([ "$sc" = wan ] && echo " (count-proxy -> latency-relay ${DELAY_MS} ms -> nginx)" || echo " (count-proxy -> nginx)")"
  for i in $(seq "$RUNS"); do
    for tool in "${TOOLS[@]}"; do
      [ -n "${DISABLED[$sc/$tool]:-}" ] && continue
      run_once "$sc" "$tool" "$i"
    done
  done
done

# ---------------------------------------------------------------- report
ver() { "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?[a-z]?' | head -n 1; }
SSLSCAN_VER=$(command -v sslscan >/dev/null && ver sslscan --version || echo "not installed")
NMAP_VER=$(command -v nmap >/dev/null && ver nmap --version || echo "not installed")
NGINX_VER=$(ver nginx -v)
OPENSSL_VER=$(ver openssl version)
TLSDIAG_VER="$( [ -x "$TLSDIAG" ] && timeout 10 "$TLSDIAG" --version 2>/dev/null | head -n 1)"
TLSDIAG_VER="${TLSDIAG_VER#tlsdiag }"
TLSDIAG_VER="${TLSDIAG_VER:-?} (repo $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown))"
SKIPS=""
for t in "${!SKIP_REASON[@]}"; do SKIPS+="$t: ${SKIP_REASON[$t]}"$'\n'; done

MD="$TMP/results.md"
python3 - "$RESULTS" "$FAILURES" "$MD" "$RUNS" "$MAXCONN" "$DELAY_MS" "$SERVER_ORDER" "${SCENARIOS[*]}" \
  "$SSLSCAN_VER" "$NMAP_VER" "$NGINX_VER" "$OPENSSL_VER" "$TLSDIAG_VER" "$SKIPS" "$(nproc)" <<'PY'
import statistics, sys, time

(res_path, fail_path, md_path, runs, maxconn, delay, order, scenarios, v_sslscan, v_nmap,
 v_nginx, v_openssl, v_tlsdiag, skips, ncpu) = sys.argv[1:]
scenarios = scenarios.split()
TOOLS = ["tlsdiag", "sslscan", "nmap"]
rows = {}
for line in open(res_path):
    sc, tool, i, secs, conns, self_c, self_ms, status = line.rstrip("\n").split("\t")
    rows.setdefault((sc, tool), []).append(dict(secs=float(secs), conns=int(conns),
        self_c=None if self_c == "-" else int(self_c),
        self_ms=None if self_ms == "-" else float(self_ms), ok=status == "ok"))
skip = dict(l.split(": ", 1) for l in skips.splitlines() if l)
failure = {}
for line in open(fail_path):
    sc, tool, why = line.rstrip("\n").split("\t", 2)
    failure[(sc, tool)] = " ".join(why.split())[:120]

def summary(sc, tool):
    ok = [r for r in rows.get((sc, tool), []) if r["ok"]]
    if not ok:
        return None
    t = [r["secs"] for r in ok]
    return dict(n=len(ok), med=statistics.median(t), lo=min(t), hi=max(t),
                conns=[r["conns"] for r in ok],
                self_c=[r["self_c"] for r in ok if r["self_c"] is not None],
                self_ms=[r["self_ms"] for r in ok if r["self_ms"] is not None])

def span(v):
    if not v:
        return "-"
    m = statistics.median(v)
    m = "%d" % m if m == int(m) else "%.1f" % m
    return m if min(v) == max(v) else "%s (%d-%d)" % (m, min(v), max(v))

def why_missing(sc, tool):
    if tool in skip:
        return skip[tool]
    if (sc, tool) in failure:
        return "run failed: " + failure[(sc, tool)].replace("|", "/")
    return "not run"

TARGETS = {"direct": [("sslscan", 1.0)], "wan": [("sslscan", 5.0), ("nmap", 2.0)]}
verdicts = []   # PASS / FAIL / N/A of every target
mismatch = False
text, md = [], []
md.append("## Benchmark results")
md.append("")
md.append("%s; %s cores; %s timed runs per tool and scenario; tlsdiag `--max-connections %s`; "
          "nginx `ssl_prefer_server_ciphers %s`; wan = %s ms one-way delay (%d ms round trip)."
          % (time.strftime("%Y-%m-%d"), ncpu, runs, maxconn, order, delay, 2 * int(delay)))
md.append("")
md.append("Versions: tlsdiag %s, sslscan %s, nmap %s, nginx %s, OpenSSL %s." % (v_tlsdiag, v_sslscan, v_nmap, v_nginx, v_openssl))
md.append("")

for sc in scenarios:
    title = ("direct (loopback, through the counting proxy)" if sc == "direct" else
             "wan (through the counting proxy and a %s ms one-way latency relay)" % delay)
    text.append("")
    text.append("== %s" % title)
    text.append("%-8s %5s %10s %10s %10s  %s" % ("tool", "runs", "median s", "min s", "max s", "connections"))
    md.append("### %s" % title)
    md.append("")
    md.append("| tool | runs | median s | min s | max s | connections |")
    md.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    S = {}
    for tool in TOOLS:
        s = S[tool] = summary(sc, tool)
        if s is None:
            text.append("%-8s %5s %10s %10s %10s  %s" % (tool, 0, "-", "-", "-", "n/a: " + why_missing(sc, tool)))
            md.append("| %s | 0 | - | - | - | n/a: %s |" % (tool, why_missing(sc, tool)))
            continue
        failed = len(rows[(sc, tool)]) - s["n"]
        n = "%d" % s["n"] + ("+%d failed" % failed if failed else "")
        conns = span(s["self_c"]) if tool == "tlsdiag" else span(s["conns"])
        text.append("%-8s %5s %10.3f %10.3f %10.3f  %s" % (tool, n, s["med"], s["lo"], s["hi"], conns))
        md.append("| %s | %s | %.3f | %.3f | %.3f | %s |" % (tool, n, s["med"], s["lo"], s["hi"], conns))
    t = S["tlsdiag"]
    if t:
        match = t["self_c"] == t["conns"]
        if not match:
            mismatch = True
        line = ("tlsdiag connections: self-reported %s, counted by the proxy %s: %s"
                % (span(t["self_c"]), span(t["conns"]), "match" if match else "MISMATCH"))
        if t["self_ms"]:
            line += "; self-reported elapsed median %.0f ms" % statistics.median(t["self_ms"])
        text.append(line)
        md.append("")
        md.append(line + ".")
    text.append("speed-up of tlsdiag (other median / tlsdiag median):")
    md.append("")
    md.append("| speed-up of tlsdiag | ratio | target | result |")
    md.append("| --- | ---: | ---: | --- |")
    targets = dict(TARGETS.get(sc, []))
    for other in ("sslscan", "nmap"):
        o = S[other]
        target = targets.get(other)
        ratio = o["med"] / t["med"] if (o and t and t["med"] > 0) else None
        if target is None:
            verdict = "(no target)"
        elif ratio is None:
            verdict = "N/A"
        else:
            verdict = "PASS" if ratio >= target else "FAIL"
        if target is not None:
            verdicts.append(verdict)
        r = "%.2fx" % ratio if ratio is not None else "n/a"
        tg = ">= %gx" % target if target is not None else "-"
        text.append("  %-8s / tlsdiag = %8s   target %-7s %s" % (other, r, tg, verdict))
        md.append("| %s / tlsdiag | %s | %s | %s |" % (other, r, tg, verdict))
    md.append("")

if maxconn != "8":
    msg = "note: the targets are defined at tlsdiag's default 8 connections; this run used %s." % maxconn
    text.append("")
    text.append(msg)
    md.append(msg)
    md.append("")
md.append("Reproduce: `bench/run.sh --runs %s%s%s%s`." % (
    runs, "" if len(scenarios) == 2 else " --only %s" % scenarios[0],
    "" if maxconn == "8" else " --max-connections %s" % maxconn,
    "" if order == "on" else " --server-order off"))

print("\n".join(text))
print()
print("----- markdown -----")
print("\n".join(md))
open(md_path, "w").write("\n".join(md) + "\n")
# exit status: 0 when every target PASSes and tlsdiag's count matches the proxy's, else 3
sys.exit(0 if verdicts and all(v == "PASS" for v in verdicts) and not mismatch else 3)
PY
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
