# shellcheck shell=bash disable=SC2016
# Helpers for tlsdiag's integration tests.  Each tests/integration/t_*.sh
# sources this file, starts one or more real servers on 127.0.0.1, runs
# `tlsdiag check --json` against them and asserts on the report.
#
#   TLSDIAG        the binary under test (default build/tlsdiag, relative to
#                  the repository root unless it exists relative to the cwd)
#   $T             this test's temp dir (removed on exit)
#   $ROOT          the repository root
#   $PYTHON        the python3 to run helper servers with
#
# Every background process is started with start_bg and stopped on exit; an
# assertion that fails prints what was expected and the relevant JSON, and
# the script exits 1 at the end (or at any exit) when one failed.

set -u

# ISOLATE_NET=1 (set before sourcing): re-run the test in a private network
# namespace whose only interface is loopback, for servers that cannot be told
# to bind 127.0.0.1 (gnutls-serv listens on every address) and for tests that
# must not reach any outside resolver.  Falls back to the host's network,
# with a note, where namespaces are not available.
if [ "${ISOLATE_NET:-0}" = 1 ] && [ -z "${_TLSDIAG_NETNS:-}" ]; then
    if unshare -n true 2>/dev/null; then
        exec unshare -n env _TLSDIAG_NETNS=1 bash "$0" "$@"
    fi
    echo "note: no network namespace available (unshare -n failed): running on the host network"
fi
if [ -n "${_TLSDIAG_NETNS:-}" ]; then
    ip link set lo up || { echo "FATAL: cannot bring up lo in the test's network namespace" >&2; exit 1; }
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)

_tlsdiag=${TLSDIAG:-build/tlsdiag}
if [ "${_tlsdiag#/}" = "$_tlsdiag" ] && [ ! -e "$_tlsdiag" ]; then
    _tlsdiag="$ROOT/$_tlsdiag"
fi
TLSDIAG=$_tlsdiag
unset _tlsdiag

# The Debian python3 starts faster than a version-manager shim.
if [ -z "${PYTHON:-}" ]; then
    if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
FAKE_TLS="$ROOT/tests/servers/fake_tls.py"

T=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-$TEST_NAME.XXXXXX")
OUT="$T/out.json"
RC=
CASE=""          # label prefixed to assertion messages (several cases per script)
_BG_PIDS=()
_BG_N=0
_ASSERTS=0
_FAILS=0

# ---------------------------------------------------------------- processes

# _term_pids PID...: SIGTERM to each process group (or process), up to 5 s
# for all of them to go, then SIGKILL for the rest; reaps them.
_term_pids() {
    local pid i alive
    for pid in "$@"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    done
    for ((i = 0; i < 50; i++)); do
        alive=0
        for pid in "$@"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        [ "$alive" = 1 ] || break
        sleep 0.1
    done
    for pid in "$@"; do
        if kill -0 "$pid" 2>/dev/null; then
            echo "  (pid $pid did not stop on SIGTERM: killing)" >&2
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
}

stop_all() {
    [ ${#_BG_PIDS[@]} -eq 0 ] || _term_pids "${_BG_PIDS[@]}"
    _BG_PIDS=()
}

# at_exit CMD...: run CMD when the test exits, after its processes are
# stopped (network namespaces, firewall rules).
_AT_EXIT=()
at_exit() {
    _AT_EXIT+=("$*")
}

_on_exit() {
    local rc=$? c
    trap - EXIT
    stop_all
    for c in "${_AT_EXIT[@]}"; do eval "$c" || true; done
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        echo "(temp dir kept: $T)"
    else
        rm -rf "$T"
    fi
    if [ "$_FAILS" -gt 0 ]; then
        exit 1
    fi
    exit "$rc"
}
trap _on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_bg CMD ARGS...: runs CMD in the background, in its own process group
# (so a server's children are stopped with it), output to $T/bg.N.log.
# Sets BG_PID and BG_LOG.
start_bg() {
    _BG_N=$((_BG_N + 1))
    BG_LOG="$T/bg.$_BG_N.log"
    echo "+ $*" >"$BG_LOG"
    setsid "$@" >>"$BG_LOG" 2>&1 </dev/null &
    BG_PID=$!
    _BG_PIDS+=("$BG_PID")
    # Until setsid has made the child a session leader (it then execs the
    # command in the same process), the pid is a copy of this shell: a
    # stop_bg in that window would signal the copy, not the process group.
    local i stat rest
    for ((i = 0; i < 250; i++)); do
        stat=$(cat "/proc/$BG_PID/stat" 2>/dev/null) || break
        rest=${stat##*) }
        # fields after the command name: state ppid pgrp session ...
        read -r _ _ _ rest _ <<<"$rest"
        [ "$rest" = "$BG_PID" ] && break
        sleep 0.02
    done
}

# stop_bg PID: stops one background process now.
stop_bg() {
    local keep=() p
    _term_pids "$1"
    for p in "${_BG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    _BG_PIDS=("${keep[@]}")
}

# free_port [tcp|udp]: a port the kernel says is free on 127.0.0.1.
free_port() {
    "$PYTHON" - "${1:-tcp}" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# wait_port PORT [TIMEOUT_S=10] [PID]: until 127.0.0.1:PORT accepts a TCP
# connection.  Fails early when PID (default: the last start_bg) has died.
wait_port() {
    local port=$1 timeout=${2:-10} pid=${3:-${BG_PID:-}} i
    for ((i = 0; i < timeout * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            echo "server (pid $pid) exited before listening on $port:" >&2
            tail -n 20 "${BG_LOG:-/dev/null}" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$port after ${timeout}s" >&2
    tail -n 20 "${BG_LOG:-/dev/null}" >&2
    return 1
}

# wait_log FILE PATTERN [TIMEOUT_S=10]: until FILE has a line matching PATTERN.
wait_log() {
    local file=$1 pattern=$2 timeout=${3:-10} i
    for ((i = 0; i < timeout * 10; i++)); do
        grep -qE -- "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no line matching '$pattern' in $file after ${timeout}s:" >&2
    tail -n 20 "$file" >&2
    return 1
}

# die MSG: the test cannot run (a server did not start...): counts as failed.
die() {
    echo "FATAL: $*" >&2
    _FAILS=$((_FAILS + 1))
    exit 1
}

need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || die "missing command '$c' (run scripts/deps.sh test)"
    done
}

# start_fake MODE [ARGS...]: fake_tls.py on a free port; sets PORT.
start_fake() {
    local mode=$1
    shift
    PORT=$(free_port tcp)
    start_bg "$PYTHON" "$FAKE_TLS" --port "$PORT" --mode "$mode" "$@"
    wait_log "$BG_LOG" '^ready$' 10 || die "fake_tls $mode did not start"
}

# start_gnutls PRIORITY: gnutls-serv on a free port with $T/server.{pem,key}
# (make_leaf server first), no client certificate, the GnuTLS priority
# string PRIORITY; sets PORT.  gnutls-serv listens on every address: set
# ISOLATE_NET=1.
start_gnutls() {
    PORT=$(free_port tcp)
    start_bg gnutls-serv --port "$PORT" --x509certfile "$T/server.pem" --x509keyfile "$T/server.key" \
        --disable-client-cert --priority "$1"
    wait_port "$PORT" 10 || die "gnutls-serv --priority $1 did not start"
}

# start_frag_relay UPSTREAM_PORT: tests/servers/frag_relay.py on a free port
# in front of 127.0.0.1:UPSTREAM_PORT, re-framing the server's plaintext
# handshake records into 1-byte records; sets PORT and RELAY_LOG (a line per
# connection: how many such records it sent).
start_frag_relay() {
    PORT=$(free_port tcp)
    start_bg "$PYTHON" "$ROOT/tests/servers/frag_relay.py" --port "$PORT" --upstream "$1"
    # shellcheck disable=SC2034  # for the caller
    RELAY_LOG=$BG_LOG
    wait_log "$BG_LOG" '^ready$' 10 || die "frag_relay.py did not start"
}

# start_rate_proxy MODE UPSTREAM_PORT [ARGS...]: tests/servers/rate_proxy.py
# on a free port in front of 127.0.0.1:UPSTREAM_PORT: MODE limit (at most
# --limit connections per --window seconds, a TCP RST beyond), stall (every
# --every-th connection accepted and never answered) or pass; sets PORT and
# PROXY_LOG (a line per connection: "conn SEQ T relay|reset|stall", T the
# monotonic time of the accept).
start_rate_proxy() {
    local mode=$1 upstream=$2
    shift 2
    PORT=$(free_port tcp)
    start_bg "$PYTHON" "$ROOT/tests/servers/rate_proxy.py" --port "$PORT" --upstream "$upstream" --mode "$mode" "$@"
    PROXY_LOG=$BG_LOG
    wait_log "$BG_LOG" '^ready$' 10 || die "rate_proxy.py $mode did not start"
}

# proxy_count [WHAT]: connections the proxy logged (as WHAT: relay, reset
# or stall; default all).
proxy_count() {
    awk -v w="${1:-}" '$1 == "conn" && (w == "" || $4 == w) { n++ } END { print n + 0 }' "$PROXY_LOG"
}

# proxy_max_in SECONDS [WHAT]: the most connections (as WHAT, default all)
# that started within any SECONDS-long half-open interval.
proxy_max_in() {
    awk -v span="$1" -v w="${2:-}" '$1 == "conn" && (w == "" || $4 == w) { t[n++] = $3 }
        END { best = 0; j = 0
              for (i = 0; i < n; i++) { while (t[i] - t[j] >= span) j++; if (i - j + 1 > best) best = i - j + 1 }
              print best }' "$PROXY_LOG"
}

# proxy_min_gap_ms: the shortest time between two connection starts, in ms
# ("none" with fewer than two).
proxy_min_gap_ms() {
    awk '$1 == "conn" { if (n++ && (min == "" || $3 - last < min)) min = $3 - last; last = $3 }
        END { if (min == "") print "none"; else printf "%.0f\n", min * 1000 }' "$PROXY_LOG"
}

# proxy_rate: connections a second between the first and the last start
# the proxy logged, 3 decimals ("none" with fewer than two).
proxy_rate() {
    awk '$1 == "conn" { if (!n++) first = $3; last = $3 }
        END { if (n < 2 || last == first) print "none"; else printf "%.3f\n", (n - 1) / (last - first) }' "$PROXY_LOG"
}

# handshakes_through N: N handshakes in a row to 127.0.0.1:$PORT, each
# bounded to 3 s; prints "ok" or "cut" for each, space-separated.
handshakes_through() {
    local i out=""
    for ((i = 0; i < $1; i++)); do
        if timeout 3 openssl s_client -connect "127.0.0.1:$PORT" </dev/null >/dev/null 2>&1; then
            out+="ok "
        else
            out+="cut "
        fi
    done
    echo "${out% }"
}

# show_limit: what the proxy logged, what the check saw of the limit, and
# its RATE_LIMITED finding, for the test's log.
show_limit() {
    echo "  proxy: $(proxy_count) connections: $(proxy_count relay) relayed, $(proxy_count reset) reset," \
        "$(proxy_count stall) stalled; most relayed in 10 s: $(proxy_max_in 10 relay)"
    echo "  limit: $(jq -c '.observations.connection_limit' "$OUT")"
    echo "  $(jq -r '[.findings[]? | select(.id == "RATE_LIMITED")][0] | "\(.summary)\n  evidence: \(.evidence)"' "$OUT")"
}

# failing_clients: the ids of the simulated clients whose result is "fail",
# sorted, one line.
failing_clients() {
    jq -r '[.clients[]? | select(.result == "fail") | .id] | sort | join(" ")' "$OUT" 2>/dev/null
}

# start_limit_upstream: a healthy nginx for the connection-limit tests
# (make_leaf server; TLS 1.2 and 1.3, ECDHE suites only), checked directly
# first (CASE direct): no failure, no RATE_LIMITED.  Sets NGINX_PORT, and
# DIRECT_FAILING to the clients that fail against it (failing_clients).
start_limit_upstream() {
    need_cmd nginx
    make_leaf server
    start_nginx_tls server-chain server \
        "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;"
    NGINX_PORT=$PORT
    CASE=direct
    run_check --ca-file "$T/ca.pem" "127.0.0.1:$NGINX_PORT"
    assert_no_fail
    assert_no_finding RATE_LIMITED
    assert_jq '.observations.connection_limit.cuts == 0 and .observations.connection_limit.rate == null' \
        "a server without a limit: nothing cut, no slow-down"
    DIRECT_FAILING=$(failing_clients)
    echo "  clients failing against nginx itself: ${DIRECT_FAILING:-none}; $(jq -r '.observations.connections' "$OUT") connections"
}

# assert_limit_harmless FAILING: the report on a healthy server behind a
# limit on connections says what the server says without it.  No finding a
# cut connection would cause; the clients that fail are among FAILING (the
# ids failing_clients gave against the server directly), and none for a
# reset, a close or silence; RATE_LIMITED (warn) is there and names every
# client left untested, and says whether anything else was; the verdict is
# not fail.
assert_limit_harmless() {
    local direct=" $1 " id
    for id in VERSION_INTOLERANCE NO_FORWARD_SECRECY INCONSISTENT_BACKENDS SNI_REQUIRED TLS13_MISSING \
        RESET_AFTER_CLIENTHELLO CLOSED_AFTER_CLIENTHELLO HANDSHAKE_TIMEOUT SERVER_ALERT NO_SHARED_GROUP \
        RESUMPTION_BROKEN LEGACY_PROTOCOL_ENABLED; do
        assert_no_finding "$id"
    done
    assert_no_fail
    assert_exit 0
    assert_finding RATE_LIMITED
    assert_severity RATE_LIMITED warn
    for id in $(failing_clients); do
        assert_true "client $id fails against the server directly too" test "${direct/ $id /}" != "$direct"
    done
    assert_jq '[.findings[]? | select(.id == "CLIENT_INCOMPATIBLE" and (.reason_code | IN("reset", "closed", "timeout")))]
        | length == 0' "no client fails for a reset, a close or silence"
    assert_jq 'finding_text("RATE_LIMITED") as $t | [.clients[]? | select(.result == "unknown") | .id]
        | all(. as $i | $t | contains($i))' "RATE_LIMITED names every client left untested"
    assert_jq '(.observations.deadline_hit or .observations.connection_limit.untested > 0)
        == (finding_text("RATE_LIMITED") | contains("not tested: nothing") | not)' \
        "RATE_LIMITED says whether anything was left untested"
    assert_jq '.observations.baseline.outcome == "hello" and vsupported("TLS 1.3") and vsupported("TLS 1.2")' \
        "the baseline, TLS 1.2 and TLS 1.3 answered"
}

# start_origin: the origin the proxy tests reach through their proxy:
# s_server with a leaf for localhost (and 127.0.0.1) and its chain, signed
# by $T/ca.pem; sets ORIGIN to its port.
start_origin() {
    make_leaf localhost
    cp "$T/localhost.pem" "$T/server.pem"
    cp "$T/localhost.key" "$T/server.key"
    start_s_server -cert_chain "$T/ca.pem"
    ORIGIN=$PORT
}

# start_s_server ARGS...: `openssl s_server` on a free port with the leaf
# $T/server.{pem,key} (make_leaf server first); sets PORT.
start_s_server() {
    PORT=$(free_port tcp)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet \
        -cert "$T/server.pem" -key "$T/server.key" "$@"
    wait_port "$PORT" 10 || die "openssl s_server $* did not start"
}

# start_nginx: nginx (single process, foreground, everything under
# $T/nginx, or $T/$NGINX_NAME when set: several nginx in one test) with the
# http{} body read from stdin; sets NGINX_DIR.  Wait for its port with
# wait_port.
start_nginx() {
    write_nginx_conf
    start_bg nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/logs/error.log"
}

# write_nginx_conf: $NGINX_DIR/nginx.conf ($T/${NGINX_NAME:-nginx}) with the
# http{} body read from stdin, checked with nginx -t (the test dies when
# nginx rejects it); sets NGINX_DIR.  What start_nginx starts; the lint
# tests only write and check it.
write_nginx_conf() {
    NGINX_DIR="$T/${NGINX_NAME:-nginx}"
    mkdir -p "$NGINX_DIR/logs" "$NGINX_DIR/tmp"
    {
        cat <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log info;
events { worker_connections ${NGINX_WORKER_CONNECTIONS:-256}; }
http {
    access_log $NGINX_DIR/logs/access.log;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;
EOF
        cat
        echo "}"
    } >"$NGINX_DIR/nginx.conf"
    nginx_test "$NGINX_DIR/nginx.conf" || { cat "$NGINX_DIR/test.log" >&2; die "nginx config rejected"; }
}

# nginx_test FILE: nginx -t on FILE (prefix $NGINX_DIR); output in
# $NGINX_DIR/test.log.
nginx_test() {
    nginx -t -p "$NGINX_DIR" -c "$1" -e "$NGINX_DIR/logs/error.log" >"$NGINX_DIR/test.log" 2>&1
}

# start_nginx_sni_only NAME: nginx whose default server rejects every
# handshake (ssl_reject_handshake on: unrecognized_name to a hello without
# SNI) and whose server NAME serves $T/NAME-chain.pem (make_leaf NAME
# first), TLS 1.2 and 1.3 for both (nginx takes the versions from the
# default server); waits until it listens; sets PORT.
start_nginx_sni_only() {
    PORT=$(free_port tcp)
    start_nginx <<NGX
    ssl_protocols TLSv1.2 TLSv1.3;
    server {
        listen 127.0.0.1:$PORT ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name $1;
        ssl_certificate $T/$1-chain.pem;
        ssl_certificate_key $T/$1.key;
        location / { return 200 "app\n"; }
    }
NGX
    wait_port "$PORT" 10 || die "nginx did not start"
}

# start_s_server_cert CERT KEY ARGS...: like start_s_server with another
# certificate and key (paths, or names under $T); sets PORT.
start_s_server_cert() {
    local cert=$1 key=$2
    shift 2
    [ -f "$cert" ] || cert="$T/$cert.pem"
    [ -f "$key" ] || key="$T/$key.key"
    PORT=$(free_port tcp)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet -cert "$cert" -key "$key" "$@"
    wait_port "$PORT" 10 || die "openssl s_server -cert $cert $* did not start"
}

# start_nginx_tls CHAIN KEY [DIRECTIVES]: nginx with one TLS server
# (TLSv1.2 and TLSv1.3) on a free port, serving the PEM file CHAIN (leaf
# first, as nginx wants it) with the key KEY (paths, or names under $T:
# $T/CHAIN.pem, $T/KEY.key), DIRECTIVES added inside server{}; waits until
# it listens; sets PORT.
start_nginx_tls() {
    local chain=$1 key=$2 extra=${3:-}
    [ -f "$chain" ] || chain="$T/$chain.pem"
    [ -f "$key" ] || key="$T/$key.key"
    PORT=$(free_port tcp)
    start_nginx <<EOF
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $chain;
        ssl_certificate_key $key;
        $extra
        location / { return 200 "ok\n"; }
    }
EOF
    wait_port "$PORT" 10 || die "nginx serving $chain did not start"
}

# start_squid: Squid (Debian's squid-openssl, in the foreground, everything
# under $T/squid, which Squid's own user may write) with the lines read from
# stdin added after a minimal base: its http_port lines and http_access
# rules.  $SQUID_DIR is the directory (for an htpasswd file or a CA); the
# caller picks the ports and waits for them with wait_port.
start_squid() {
    SQUID_DIR="$T/squid"
    mkdir -p "$SQUID_DIR"
    chmod 755 "$T"
    chmod 777 "$SQUID_DIR"
    {
        echo "pid_filename $SQUID_DIR/squid.pid"
        echo "cache_log $SQUID_DIR/cache.log"
        echo "access_log stdio:$SQUID_DIR/access.log"
        echo "coredump_dir $SQUID_DIR"
        echo "netdb_filename none"
        echo "pinger_enable off"
        echo "shutdown_lifetime 0 seconds"
        echo "cache deny all"
        # Squid runs as this user when started as root, and refuses root.
        [ "$(id -u)" != 0 ] || echo "cache_effective_user proxy"
        cat
    } >"$SQUID_DIR/squid.conf"
    start_bg /usr/sbin/squid -N -f "$SQUID_DIR/squid.conf"
}

# squid_rules PORT...: access lines for start_squid's input: Basic auth
# (squid_htpasswd's file) on the port named authp, CONNECT to these ports
# only, everything else open to localhost.
squid_rules() {
    cat <<EOF
auth_param basic program /usr/lib/squid/basic_ncsa_auth $T/squid/htpasswd
auth_param basic realm tlsdiag-test
acl authp myportname authp
acl authed proxy_auth REQUIRED
acl SSL_ports port $*
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access allow authp authed
http_access deny authp
http_access allow localhost
http_access deny all
EOF
}

# squid_htpasswd USER PASS: $SQUID_DIR/htpasswd for basic_ncsa_auth, the
# password hashed with openssl passwd -apr1.
squid_htpasswd() {
    printf '%s:%s\n' "$1" "$(openssl passwd -apr1 "$2")" >"$SQUID_DIR/htpasswd"
    chmod 644 "$SQUID_DIR/htpasswd"
}

# start_dante PORT: danted (SOCKS5, no authentication) on 127.0.0.1:PORT,
# with the rules read from stdin (client and socks pass/block lines).
start_dante() {
    local dir="$T/dante"
    mkdir -p "$dir"
    {
        echo "logoutput: $dir/danted.log"
        echo "internal: 127.0.0.1 port = $1"
        echo "external: 127.0.0.1"
        echo "clientmethod: none"
        echo "socksmethod: none"
        # Started as root, danted drops to these for its work.
        [ "$(id -u)" != 0 ] || { echo "user.privileged: root"; echo "user.unprivileged: nobody"; }
        cat
    } >"$dir/danted.conf"
    start_bg /usr/sbin/danted -f "$dir/danted.conf" -p "$dir/danted.pid"
    DANTE_LOG="$dir/danted.log"
}

# start_http_dir DIR: a static HTTP server (python3 http.server) for DIR on
# 127.0.0.1, on a free port; sets HTTP_PORT and HTTP_LOG (one line per
# request).  For AIA caIssuers URLs.
start_http_dir() {
    HTTP_PORT=$(free_port tcp)
    start_bg "$PYTHON" -m http.server --bind 127.0.0.1 --directory "$1" "$HTTP_PORT"
    # shellcheck disable=SC2034  # for the caller
    HTTP_LOG=$BG_LOG
    wait_port "$HTTP_PORT" 10 || die "http.server for $1 did not start"
}

# start_haproxy: haproxy in the foreground (-db) with the configuration read
# from stdin, after a `global`/`defaults` preamble (mode tcp, short
# timeouts; the lines of HAPROXY_GLOBAL, if set, go into `global`); sets
# HAPROXY_CFG.  Wait for its port with wait_port.
start_haproxy() {
    HAPROXY_CFG="$T/haproxy.cfg"
    {
        echo "global"
        echo "    maxconn 256"
        local line
        while IFS= read -r line; do
            [ -z "$line" ] || echo "    $line"
        done <<<"${HAPROXY_GLOBAL:-}"
        cat <<EOF2
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
EOF2
        cat
    } >"$HAPROXY_CFG"
    haproxy -c -f "$HAPROXY_CFG" >"$T/haproxy-check.log" 2>&1 ||
        { cat "$T/haproxy-check.log" >&2; die "haproxy config rejected"; }
    start_bg haproxy -db -f "$HAPROXY_CFG"
}

# start_haproxy_tls CRT [BIND_OPTIONS] [GLOBAL_LINES]: HAProxy terminating
# TLS on a free port with CRT (one PEM: chain and key) and BIND_OPTIONS on
# its bind line, answering every request with 200; GLOBAL_LINES (one
# directive a line) go into `global`.  Sets PORT and HAPROXY_PID, and
# returns once it listens.
start_haproxy_tls() {
    PORT=$(free_port tcp)
    HAPROXY_GLOBAL=${3:-} start_haproxy <<CFG
frontend fe
    mode http
    bind 127.0.0.1:$PORT ssl crt $1 ${2:-}
    http-request return status 200 content-type text/plain string ok
CFG
    HAPROXY_PID=$BG_PID
    wait_port "$PORT" 10 || die "haproxy did not start"
}

# s_client_text PORT ARGS...: what `openssl s_client -connect 127.0.0.1:PORT
# ARGS` prints (stdout and stderr) for one handshake with empty input.
s_client_text() {
    local port=$1
    shift
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" 2>&1
}

# ------------------------------------------------------------- certificates

# make_ca [CN]: $T/ca.pem and $T/ca.key (RSA 2048, self-signed, 10 years).
make_ca() {
    local cn=${1:-tlsdiag Test Root CA}
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -keyout "$T/ca.key" -out "$T/ca.pem" -subj "/O=tlsdiag tests/CN=$cn" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$T/openssl.err" \
        || { cat "$T/openssl.err" >&2; die "make_ca failed"; }
}

# make_leaf NAME [SANS] [KEYTYPE]: $T/NAME.pem, $T/NAME.key, $T/NAME.der and
# $T/NAME-chain.pem (leaf + CA), signed by $T/ca.pem (made when missing).
# SANS is an openssl subjectAltName value (default
# "DNS:NAME,DNS:localhost,IP:127.0.0.1"); KEYTYPE rsa2048 (default),
# rsa1024 or ec256.  Valid for a year.
make_leaf() {
    local name=$1 sans=${2:-} ktype=${3:-rsa2048} keyopt
    [ -n "$sans" ] || sans="DNS:$name,DNS:localhost,IP:127.0.0.1"
    [ -f "$T/ca.pem" ] || make_ca "tlsdiag Test Root CA"
    case "$ktype" in
        rsa2048) keyopt=(-newkey rsa:2048) ;;
        rsa1024) keyopt=(-newkey rsa:1024) ;;
        ec256) keyopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
        *) die "make_leaf: unknown key type $ktype" ;;
    esac
    cat >"$T/$name.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
EOF
    {
        openssl req -new "${keyopt[@]}" -nodes -keyout "$T/$name.key" -out "$T/$name.csr" \
            -subj "/CN=$name" &&
            openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
                -CAcreateserial -days 365 -sha256 -extfile "$T/$name.ext" -out "$T/$name.pem" &&
            openssl x509 -in "$T/$name.pem" -outform DER -out "$T/$name.der"
    } 2>"$T/openssl.err" || { cat "$T/openssl.err" >&2; die "make_leaf $name failed"; }
    cat "$T/$name.pem" "$T/ca.pem" >"$T/$name-chain.pem"
}

# make_dh1024 [FILE]: the 1024-bit MODP group of RFC 2409 (Oakley group 2),
# g = 2, as PEM DH parameters (default $T/dh1024.pem).  Instant, unlike
# generating fresh parameters.
make_dh1024() {
    local f=${1:-$T/dh1024.pem}
    cat >"$f" <<'EOF'
-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
EOF
}

# ------------------------------------------------- certificate trees (openssl ca)
# For the certificate findings: a root, intermediates and leaves signed with
# `openssl ca`, which takes explicit validity dates (expired and
# not-yet-valid certificates without touching the clock), a digest (sha1)
# and an extension file.  Each issuer keeps its openssl ca state (config,
# index.txt, serial) in $T/pki/ISSUER.  Every certificate NAME gives
# $T/NAME.pem, $T/NAME.key and $T/NAME.der.

# date_from_now DAYS: the UTC time DAYS days from now (negative: in the past)
# as openssl ca wants it, YYYYMMDDHHMMSSZ.
date_from_now() {
    date -u -d "$1 days" +%Y%m%d%H%M%SZ
}

# iso_day_from_now DAYS: the same day as YYYY-MM-DD, to compare with the
# dates tlsdiag reports.
iso_day_from_now() {
    date -u -d "$1 days" +%Y-%m-%d
}

# _pki_init ISSUER: the openssl ca directory of $T/ISSUER.{pem,key}.
_pki_init() {
    local d="$T/pki/$1"
    [ -f "$d/ca.cnf" ] && return 0
    mkdir -p "$d/newcerts"
    : >"$d/index.txt"
    echo "unique_subject = no" >"$d/index.txt.attr"
    openssl rand -hex 8 >"$d/serial"
    cat >"$d/ca.cnf" <<EOC
[ ca ]
default_ca = td_ca
[ td_ca ]
database = $d/index.txt
new_certs_dir = $d/newcerts
serial = $d/serial
certificate = $T/$1.pem
private_key = $T/$1.key
default_md = sha256
default_days = 365
policy = td_policy
unique_subject = no
copy_extensions = none
email_in_dn = no
[ td_policy ]
commonName = supplied
organizationName = optional
EOC
}

# _newkey_opts KEYTYPE: sets _KEYOPT for openssl req (rsa2048, rsa1024, ec256).
_newkey_opts() {
    case "$1" in
        rsa2048) _KEYOPT=(-newkey rsa:2048) ;;
        rsa1024) _KEYOPT=(-newkey rsa:1024) ;;
        ec256) _KEYOPT=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
        *) die "unknown key type $1" ;;
    esac
}

# make_root NAME [CN]: a self-signed root CA, RSA 2048, 10 years:
# $T/NAME.{pem,key,der}.  CN defaults to "tlsdiag Test Root NAME".
make_root() {
    local name=$1 cn=${2:-tlsdiag Test Root $1}
    if ! {
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout "$T/$name.key" -out "$T/$name.pem" -subj "/O=tlsdiag tests/CN=$cn" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -addext "subjectKeyIdentifier=hash" 2>"$T/openssl.err" &&
            openssl x509 -in "$T/$name.pem" -outform DER -out "$T/$name.der" 2>>"$T/openssl.err"
    }; then
        cat "$T/openssl.err" >&2
        die "make_root $name failed"
    fi
    _pki_init "$name"
}

# make_cert_signed_by ISSUER NAME [OPTION...]: a certificate for NAME signed
# by $T/ISSUER.{pem,key} with openssl ca.  Options:
#   ca            an intermediate CA (CA:TRUE, keyCertSign) instead of a leaf
#   cn=CN         subject commonName (default NAME)
#   sans=VALUE    openssl subjectAltName value (leaf default:
#                 "DNS:NAME,DNS:localhost,IP:127.0.0.1")
#   nosan         no subjectAltName extension at all
#   start=DATE    notBefore (YYYYMMDDHHMMSSZ, see date_from_now; default now)
#   end=DATE      notAfter (default 365 days from now)
#   days=N        notAfter N days from now (instead of end=)
#   md=DIGEST     signature digest (default sha256; e.g. sha1)
#   key=TYPE      rsa2048 (default), rsa1024, ec256
#   eku=VALUE     extendedKeyUsage (leaf default "serverAuth,clientAuth")
#   ku=VALUE      keyUsage (leaf default "critical,digitalSignature,keyEncipherment")
#   aia=URL       authorityInfoAccess caIssuers URL
#   ocsp=URL      authorityInfoAccess OCSP URL
#   reuse_key     keep an existing $T/NAME.key (re-issue the same key)
# Gives $T/NAME.{pem,key,der}.
make_cert_signed_by() {
    local issuer=$1 name=$2 opt is_ca=0 cn=$2 sans="" nosan=0 start="" end="" days=""
    local md=sha256 ktype=rsa2048 eku="serverAuth,clientAuth" ku="" aia="" ocsp="" reuse=0
    shift 2
    for opt in "$@"; do
        case "$opt" in
            ca) is_ca=1 ;;
            cn=*) cn=${opt#cn=} ;;
            sans=*) sans=${opt#sans=} ;;
            nosan) nosan=1 ;;
            start=*) start=${opt#start=} ;;
            end=*) end=${opt#end=} ;;
            days=*) days=${opt#days=} ;;
            md=*) md=${opt#md=} ;;
            key=*) ktype=${opt#key=} ;;
            eku=*) eku=${opt#eku=} ;;
            ku=*) ku=${opt#ku=} ;;
            aia=*) aia=${opt#aia=} ;;
            ocsp=*) ocsp=${opt#ocsp=} ;;
            reuse_key) reuse=1 ;;
            *) die "make_cert_signed_by: unknown option $opt" ;;
        esac
    done
    [ -f "$T/$issuer.pem" ] || die "make_cert_signed_by: no issuer $T/$issuer.pem"
    _pki_init "$issuer"
    [ -n "$start" ] || start=$(date_from_now 0)
    [ -n "$end" ] || end=$(date_from_now "${days:-365}")
    {
        echo "authorityKeyIdentifier=keyid"
        echo "subjectKeyIdentifier=hash"
        if [ $is_ca = 1 ]; then
            echo "basicConstraints=critical,CA:TRUE"
            echo "keyUsage=${ku:-critical,keyCertSign,cRLSign}"
        else
            echo "basicConstraints=critical,CA:FALSE"
            echo "keyUsage=${ku:-critical,digitalSignature,keyEncipherment}"
            [ -z "$eku" ] || echo "extendedKeyUsage=$eku"
            if [ $nosan = 0 ]; then
                echo "subjectAltName=${sans:-DNS:$name,DNS:localhost,IP:127.0.0.1}"
            fi
        fi
        if [ $is_ca = 1 ] && [ $nosan = 0 ] && [ -n "$sans" ]; then echo "subjectAltName=$sans"; fi
        if [ -n "$aia" ] && [ -n "$ocsp" ]; then
            echo "authorityInfoAccess=caIssuers;URI:$aia,OCSP;URI:$ocsp"
        elif [ -n "$aia" ]; then
            echo "authorityInfoAccess=caIssuers;URI:$aia"
        elif [ -n "$ocsp" ]; then
            echo "authorityInfoAccess=OCSP;URI:$ocsp"
        fi
    } >"$T/$name.ext"
    if [ $reuse = 1 ] && [ -f "$T/$name.key" ]; then
        openssl req -new -key "$T/$name.key" -out "$T/$name.csr" \
            -subj "/O=tlsdiag tests/CN=$cn" 2>"$T/openssl.err" ||
            { cat "$T/openssl.err" >&2; die "make_cert_signed_by $name: req failed"; }
    else
        _newkey_opts "$ktype"
        openssl req -new "${_KEYOPT[@]}" -nodes -keyout "$T/$name.key" -out "$T/$name.csr" \
            -subj "/O=tlsdiag tests/CN=$cn" 2>"$T/openssl.err" ||
            { cat "$T/openssl.err" >&2; die "make_cert_signed_by $name: req failed"; }
    fi
    if ! {
        openssl ca -batch -notext -preserveDN -config "$T/pki/$issuer/ca.cnf" -md "$md" \
            -startdate "$start" -enddate "$end" -extfile "$T/$name.ext" \
            -in "$T/$name.csr" -out "$T/$name.pem" >"$T/openssl.err" 2>&1 &&
            openssl x509 -in "$T/$name.pem" -outform DER -out "$T/$name.der" 2>>"$T/openssl.err"
    }; then
        cat "$T/openssl.err" >&2
        die "make_cert_signed_by $issuer $name failed"
    fi
    [ $is_ca = 0 ] || _pki_init "$name"
}

# make_leaf_signed_by ISSUER NAME [OPTION...]: a server leaf (see
# make_cert_signed_by).
make_leaf_signed_by() {
    make_cert_signed_by "$@"
}

# make_ca_tree [ROOT] [INTER]: a root and an intermediate CA it signed:
# $T/ROOT.{pem,key,der} (default "root", CN "tlsdiag Test Root ROOT") and
# $T/INTER.{pem,key,der} (default "inter", CN "tlsdiag Test Intermediate
# INTER").
make_ca_tree() {
    local root=${1:-root} inter=${2:-inter}
    make_root "$root"
    make_cert_signed_by "$root" "$inter" ca "cn=tlsdiag Test Intermediate $inter"
}

# make_self_signed NAME [SANS] [OPTION...]: a self-signed leaf (not a CA),
# RSA 2048, a year: $T/NAME.{pem,key,der}.  SANS as for make_leaf.
make_self_signed() {
    local name=$1 sans=${2:-}
    [ -n "$sans" ] || sans="DNS:$name,DNS:localhost,IP:127.0.0.1"
    if ! {
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
            -keyout "$T/$name.key" -out "$T/$name.pem" -subj "/O=tlsdiag tests/CN=$name" \
            -addext "basicConstraints=critical,CA:FALSE" \
            -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
            -addext "extendedKeyUsage=serverAuth" \
            -addext "subjectAltName=$sans" 2>"$T/openssl.err" &&
            openssl x509 -in "$T/$name.pem" -outform DER -out "$T/$name.der" 2>>"$T/openssl.err"
    }; then
        cat "$T/openssl.err" >&2
        die "make_self_signed $name failed"
    fi
}

# make_ocsp_response ISSUER NAME [OUT]: a DER OCSP response "good" for
# $T/NAME.pem, signed by its issuer $T/ISSUER (which must have signed it with
# make_cert_signed_by), valid a week; default OUT $T/NAME.ocsp.der.
make_ocsp_response() {
    local issuer=$1 name=$2 out=${3:-$T/$2.ocsp.der}
    openssl ocsp -index "$T/pki/$issuer/index.txt" -CA "$T/$issuer.pem" \
        -rsigner "$T/$issuer.pem" -rkey "$T/$issuer.key" -issuer "$T/$issuer.pem" \
        -cert "$T/$name.pem" -ndays 7 -respout "$out" >"$T/openssl.err" 2>&1 ||
        { cat "$T/openssl.err" >&2; die "make_ocsp_response $name failed"; }
}

# cat_pem FILE... : the PEM files concatenated on stdout (for chain files:
# cat_pem leaf inter >"$T/chain.pem" takes names relative to $T or paths).
cat_pem() {
    local f
    for f in "$@"; do
        if [ -f "$f" ]; then cat "$f"; else cat "$T/$f.pem"; fi
    done
}

# cert_sha256 NAME|FILE: lower-case hex SHA-256 of the certificate's DER.
cert_sha256() {
    local f=$1
    [ -f "$f" ] || f="$T/$1.pem"
    openssl x509 -in "$f" -outform DER | sha256sum | cut -d' ' -f1
}

# cert_day NAME|FILE start|end: the certificate's notBefore or notAfter day
# (UTC) as YYYY-MM-DD, to compare with the dates tlsdiag reports.
cert_day() {
    local f=$1 opt=-enddate d
    [ -f "$f" ] || f="$T/$1.pem"
    [ "$2" = start ] && opt=-startdate
    d=$(openssl x509 -in "$f" -noout "$opt" | cut -d= -f2-)
    date -u -d "$d" +%Y-%m-%d
}

# verify_with ROOT FILE [UNTRUSTED...]: `openssl verify` of FILE against the
# anchor ROOT (name or file), with the other certificates as the untrusted
# pool, purpose sslserver; prints openssl's words, returns its status.
verify_with() {
    local root=$1 leaf=$2 u args=()
    shift 2
    [ -f "$root" ] || root="$T/$root.pem"
    [ -f "$leaf" ] || leaf="$T/$leaf.pem"
    for u in "$@"; do
        [ -f "$u" ] || u="$T/$u.pem"
        args+=(-untrusted "$u")
    done
    openssl verify -purpose sslserver -CAfile "$root" "${args[@]}" "$leaf" 2>&1
}

# ------------------------------------------------------------- running it

# run_check ARGS...: `tlsdiag check --json ARGS`, adding --timeout
# $CHECK_TIMEOUT (default 2; set it empty for tlsdiag's own default) and
# --deadline 60 unless ARGS set them; stdout to $OUT, stderr to $T/err.txt,
# exit code to $RC, wall time (s) to $ELAPSED.  Bounded by `timeout`.
run_check() {
    local extra=() a has_t=0 has_d=0 start
    for a in "$@"; do
        case "$a" in
            --timeout | --timeout=*) has_t=1 ;;
            --deadline | --deadline=*) has_d=1 ;;
        esac
    done
    [ $has_t = 1 ] || [ -z "${CHECK_TIMEOUT-2}" ] || extra+=(--timeout "${CHECK_TIMEOUT-2}")
    [ $has_d = 1 ] || extra+=(--deadline 60)
    echo "${CASE:+[$CASE] }\$ tlsdiag check --json ${extra[*]} $*"
    if [ ! -x "$TLSDIAG" ]; then
        : >"$OUT"
        echo "tlsdiag binary not found at $TLSDIAG (build it with make)" >"$T/err.txt"
        RC=127
        ELAPSED=0
        _fail "run tlsdiag" "binary $TLSDIAG is missing"
        return 0
    fi
    start=$(date +%s)
    timeout -k 5 120 "$TLSDIAG" check --json "${extra[@]}" "$@" >"$OUT" 2>"$T/err.txt"
    RC=$?
    ELAPSED=$(($(date +%s) - start))
    echo "  exit $RC after ${ELAPSED}s; findings: $(findings_brief)"
    if [ -s "$T/err.txt" ]; then
        echo "  stderr: $(head -c 600 "$T/err.txt")"
    fi
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
        _fail "tlsdiag finishes" "killed after 120 s (it has --deadline)"
    elif ! jq -e 'type == "object"' "$OUT" >/dev/null 2>&1; then
        _fail "stdout is one JSON document" "got: $(head -c 400 "$OUT")"
    fi
    return 0
}

# run_lint ARGS...: tlsdiag lint --json ARGS into $OUT (RC set).
run_lint() {
    echo "${CASE:+[$CASE] }\$ tlsdiag lint --json $*"
    timeout -k 5 60 "$TLSDIAG" lint --json "$@" >"$OUT" 2>"$T/err.txt"
    RC=$?
    echo "  exit $RC; findings: $(jq -r '[.findings[]? | "\(.id)(\(.severity))@\(.location.file | split("/") | last):\(.location.line)"] | join(" ")' "$OUT" 2>/dev/null)"
    [ ! -s "$T/err.txt" ] || echo "  stderr: $(head -c 600 "$T/err.txt")"
    return 0
}

# assert_located ID FILE LINE: a finding ID at FILE:LINE in the last lint.
assert_located() {
    local id=$1 file=$2 line=$3
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --arg f "$file" --argjson l "${line:-0}" \
        'any(.findings[]?; .id == $id and .location.file == $f and .location.line == $l)' "$OUT" >/dev/null 2>&1; then
        _pass "$id at ${file##*/}:$line"
    else
        _fail "expected $id at $file:$line" \
            "got: $(jq -c '[.findings[]? | {id, location}]' "$OUT" 2>/dev/null | head -c 2000)"
    fi
}

# line_of FILE REGEX: the number of the first line of FILE matching REGEX.
line_of() {
    grep -n -m1 -E "$2" "$1" | cut -d: -f1
}

# findings_brief: "ID(sev) ID(sev)..." of the last run.
findings_brief() {
    jq -r '[.findings[]? | "\(.id)(\(.severity))"] | join(" ")' "$OUT" 2>/dev/null
}

# ---------------------------------------------------------------- captures

PCAPTOOL="$ROOT/tests/servers/pcaptool.py"

# start_capture FILE TCPDUMP-ARGS...: tcpdump writing FILE, every packet
# written as it comes (give the interface with -i and a filter), in the
# network namespace $CAPTURE_NETNS when set; waits until it listens.  Sets
# CAPTURE_PID.  stop_capture before reading FILE.
start_capture() {
    local file=$1 ns=()
    shift
    need_cmd tcpdump
    [ -z "${CAPTURE_NETNS:-}" ] || ns=(ip netns exec "$CAPTURE_NETNS")
    start_bg "${ns[@]}" tcpdump --immediate-mode -U -n -Z root -w "$file" "$@"
    CAPTURE_PID=$BG_PID
    wait_log "$BG_LOG" 'listening on' 10 || die "tcpdump $* did not start"
}

# stop_capture: stops the last start_capture once the last packets are in.
stop_capture() {
    sleep 0.5
    stop_bg "$CAPTURE_PID"
}

# run_pcap ARGS...: `tlsdiag pcap --json ARGS`: the JSON lines in
# $T/pcap.jsonl; $OUT one document {connections: [...], summary: {...}} (the
# last line); exit code in $RC, stderr in $T/err.txt.  pcap_conn narrows
# $OUT to one connection for assert_finding and the like.
run_pcap() {
    echo "${CASE:+[$CASE] }\$ tlsdiag pcap --json $*"
    timeout -k 5 120 "$TLSDIAG" pcap --json "$@" >"$T/pcap.jsonl" 2>"$T/err.txt"
    RC=$?
    jq -s '{connections: [.[] | select(.type == "connection")], replay: (first(.[] | select(.type == "replay")) // null),
            summary: (.[-1] // null)}' \
        "$T/pcap.jsonl" >"$T/pcap.json" 2>/dev/null || echo '{}' >"$T/pcap.json"
    cp "$T/pcap.json" "$OUT"
    echo "  exit $RC; $(jq -c '.summary | {handshakes, failed, by_root_cause}' "$OUT" 2>/dev/null)"
    [ -s "$T/err.txt" ] && echo "  stderr: $(head -c 600 "$T/err.txt")"
    return 0
}

# pcap_conn JQ-FILTER: $OUT becomes the first connection of the last
# run_pcap the filter selects (e.g. '.stream == 0'); an empty object when
# none does.  pcap_all goes back to the whole document.
pcap_conn() {
    jq --arg f "$1" "first(.connections[] | select($1)) // {}" "$T/pcap.json" >"$OUT" 2>/dev/null ||
        echo '{}' >"$OUT"
    echo "  connection ($1): $(jq -c '{stream, root: .root_cause.id, findings: [.findings[]?.id]}' "$OUT")"
}

pcap_all() {
    cp "$T/pcap.json" "$OUT"
}

# assert_root_cause ID: the root cause of $OUT (a connection) is ID.
assert_root_cause() {
    assert_jq ".root_cause.id == \"$1\"" "root cause $1"
}

# ------------------------------------------------------------- HTML pages

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

# start_request_trap: a listener that writes a line for each connection made
# to it and what it asked.  render_page points Chromium at it as the proxy for
# every URL, loopback included, so any request a page makes lands in
# $TRAP_LOG.  Sets TRAP_PORT.
start_request_trap() {
    TRAP_PORT=$(free_port tcp)
    start_bg "$PYTHON" -u -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        line = c.recv(300).split(b"\r\n")[0].decode(errors="replace")
    except OSError:
        line = "?"
    print("request:", line)
    c.close()
' "$TRAP_PORT"
    TRAP_LOG=$BG_LOG
    wait_port "$TRAP_PORT" 10 || die "the request trap did not start"
}

# tidy_clean PAGE: asserts `tidy -errors` finds no error in PAGE.
tidy_clean() {
    assert_true "tidy -errors finds no error" bash -c "tidy -errors -q '$1' >'$T/tidy.txt' 2>&1; [ \$? -lt 2 ] && ! grep -q 'Error:' '$T/tidy.txt'"
    [ -s "$T/tidy.txt" ] && sed 's/^/  tidy: /' "$T/tidy.txt" | head -20
    return 0
}

# assert_self_contained PAGE: no attribute or style of PAGE names a URL
# elsewhere.
assert_self_contained() {
    assert_true "no src or href leaves the file" bash -c \
        "! grep -Eiq '(src|href)[[:space:]]*=[[:space:]]*[\"'\'']?[[:space:]]*(https?:)?//' '$1'"
    assert_true "no url() or @import in the styles" bash -c "! grep -Eiq 'url\\([\"'\'']?(https?:)?//|@import' '$1'"
}

# chromium_run ARGS...: headless Chromium, its every request sent to the
# trap (start_request_trap).
chromium_run() {
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --no-pings --disable-domain-reliability \
        --disable-client-side-phishing-detection --disable-default-apps --user-data-dir="$T/chrome" \
        --proxy-server="127.0.0.1:$TRAP_PORT" --proxy-bypass-list="<-loopback>" "$@"
}

# Chromium's own services (sign-in, updates, time), which it calls whatever
# the page: the trap lines that are not these are the page's.
CHROMIUM_OWN='(CONNECT |https?://)[a-z0-9.-]*\.(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)[:/]'

# page_requests: what reached the trap other than Chromium's own services.
# A connection closed before sending a byte (wait_port's probe, a connection
# Chromium opens to its proxy ahead of need) asked for nothing: a request
# through a proxy always starts with its method and URL (a "?" line, a
# connection that sent nothing within 2 s, still counts).
page_requests() {
    grep '^request:' "$TRAP_LOG" | grep -v '^request: $' | grep -Ev "$CHROMIUM_OWN"
}

# render_page PAGE NAME: headless Chromium's DOM of PAGE in $T/NAME.dom.html
# (DOM) and its screenshot in tests/tmp/logs/TEST-NAME.png, kept; asserts it
# rendered and that no request of the page reached the trap
# (start_request_trap first).
render_page() {
    local page=$1 name=$2 shots="$ROOT/tests/tmp/logs" before
    mkdir -p "$shots"
    DOM="$T/$name.dom.html"
    before=$(page_requests | wc -l)
    chromium_run --dump-dom "file://$page" >"$DOM" 2>"$T/chrome-dom.err"
    assert_true "Chromium renders $name" test -s "$DOM"
    chromium_run --window-size=1200,2400 --screenshot="$shots/$TEST_NAME-$name.png" "file://$page" \
        >/dev/null 2>"$T/chrome-shot.err"
    assert_true "Chromium takes a screenshot of $name" test -s "$shots/$TEST_NAME-$name.png"
    echo "  screenshot: $shots/$TEST_NAME-$name.png"
    sleep 0.3
    assert_true "no request leaves $name ($(page_requests | wc -l) at the trap, $before before)" \
        test "$(page_requests | wc -l)" = "$before"
    page_requests | tail -n "+$((before + 1))" | sort | uniq -c | sed 's/^/  trap: /' | head -10
}

# ------------------------------------------------------------- assertions

# jq functions available to assert_jq.  Code points may be reported as
# numbers, "0x002f"-style strings, labels such as "TLS_RSA_WITH_AES_128_CBC_SHA
# (0x002f)", or objects carrying those; has_code accepts each form.
JQ_PRELUDE='
def findings_with($id): [.findings[]? | select(.id == $id)];
def finding_text($id): [findings_with($id)[] | "\(.summary // "") \(.evidence // "")"] | join(" ");
def _vkeys($v): {"SSLv2": ["SSLv2", "SSL 2.0", "SSLv2.0"], "SSLv3": ["SSLv3", "SSL 3.0", "SSLv3.0"]}[$v] // [$v];
def version($v): .observations.versions as $vs | [_vkeys($v)[] | $vs[.]? // empty] | first // null;
def vsupported($v): version($v).supported == true;
def vunsupported($v): version($v).supported == false;
def vsuites($v): version($v).suites // [];
def _hex4: . as $n | "0x" + ([(($n / 4096) | floor) % 16, (($n / 256) | floor) % 16, (($n / 16) | floor) % 16, $n % 16]
    | map("0123456789abcdef"[. : . + 1]) | join(""));
def _is_code($n; $names):
    if type == "number" then . == $n
    elif type == "string" then (ascii_downcase | test(($n | _hex4) + "(?![0-9a-f])"))
        or (ascii_downcase as $s | any($names[]; ascii_downcase as $m | $s == $m or ($s | startswith($m + " "))))
    elif type == "object" then any((.id, .code, .value, .hex, .iana, .name, .openssl)? // empty; _is_code($n; $names))
    else false end;
def has_code($n; $names): any(.[]?; _is_code($n; $names));
'

_fail() {
    _FAILS=$((_FAILS + 1))
    echo "  ASSERT FAILED${CASE:+ [$CASE]}: $1"
    [ -z "${2:-}" ] || echo "    $2"
}

_pass() {
    echo "  ok${CASE:+ [$CASE]}: $1"
}

_findings_json() {
    jq -c '[.findings[]? | {id, severity, summary}]' "$OUT" 2>/dev/null | head -c 3000
}

# assert_jq EXPR [DESCRIPTION]: EXPR (with the prelude) is true on $OUT.
assert_jq() {
    local expr=$1 desc=${2:-$1} got
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e "$JQ_PRELUDE $expr" "$OUT" >/dev/null 2>"$T/jq.err"; then
        _pass "$desc"
    else
        got=$(jq -c "$JQ_PRELUDE $expr" "$OUT" 2>&1 | head -c 300)
        _fail "$desc" "jq '$expr' gave: $got"
        echo "    observations: $(jq -c '.observations' "$OUT" 2>/dev/null | head -c 2500)"
        echo "    findings: $(_findings_json)"
    fi
}

assert_finding() {
    local id=$1
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" '[.findings[]? | select(.id == $id)] | length > 0' "$OUT" >/dev/null 2>&1; then
        _pass "finding $id present"
    else
        _fail "expected finding $id" "findings: $(_findings_json)"
    fi
}

assert_no_finding() {
    local id=$1
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" '[.findings[]? | select(.id == $id)] | length == 0' "$OUT" >/dev/null 2>&1; then
        _pass "no finding $id"
    else
        _fail "expected no finding $id" \
            "got: $(jq -c --arg id "$id" '[.findings[]? | select(.id == $id)]' "$OUT" 2>/dev/null | head -c 2000)"
    fi
}

# assert_no_fail: no finding has severity "fail".
assert_no_fail() {
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e '(.findings | type == "array") and ([.findings[] | select(.severity == "fail")] | length == 0)' \
        "$OUT" >/dev/null 2>&1; then
        _pass "no finding of severity fail"
    else
        _fail "expected no finding of severity fail" "findings: $(_findings_json)"
    fi
}

# assert_severity ID SEV: every finding ID has severity SEV (and there is one).
assert_severity() {
    local id=$1 sev=$2
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --arg sev "$sev" \
        '[.findings[]? | select(.id == $id)] | length > 0 and all(.severity == $sev)' "$OUT" >/dev/null 2>&1; then
        _pass "$id has severity $sev"
    else
        _fail "expected $id with severity $sev" \
            "got: $(jq -c --arg id "$id" '[.findings[]? | select(.id == $id) | {id, severity}]' "$OUT" 2>/dev/null)"
    fi
}

# assert_finding_text ID REGEX: the summary or evidence of finding ID matches
# REGEX (case-insensitive).
assert_finding_text() {
    local id=$1 re=$2
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --arg re "$re" "$JQ_PRELUDE"' finding_text($id) | test($re; "i")' \
        "$OUT" >/dev/null 2>&1; then
        _pass "$id text matches /$re/"
    else
        _fail "expected $id summary/evidence to match /$re/i" \
            "got: $(jq -c --arg id "$id" '[.findings[]? | select(.id == $id) | {summary, evidence}]' "$OUT" 2>/dev/null | head -c 2000)"
    fi
}

assert_exit() {
    local want=$1
    _ASSERTS=$((_ASSERTS + 1))
    if [ "$RC" = "$want" ]; then
        _pass "exit code $want"
    else
        _fail "expected exit code $want, got $RC" "stderr: $(head -c 600 "$T/err.txt" 2>/dev/null)"
    fi
}

# assert_exit_consistent: exit 1 when a finding has severity fail, else 0.
assert_exit_consistent() {
    local want
    want=$(jq -r 'if any(.findings[]?; .severity == "fail") then 1 else 0 end' "$OUT" 2>/dev/null)
    assert_exit "${want:-0}"
}

# assert_elapsed_below SECONDS: the last run_check took less than SECONDS.
assert_elapsed_below() {
    _ASSERTS=$((_ASSERTS + 1))
    if [ "$ELAPSED" -lt "$1" ]; then
        _pass "finished in ${ELAPSED}s (< $1 s)"
    else
        _fail "expected the check to finish in under $1 s" "took ${ELAPSED}s"
    fi
}

# assert_true DESCRIPTION CMD...: a shell-level assertion.
assert_true() {
    local desc=$1
    shift
    _ASSERTS=$((_ASSERTS + 1))
    if "$@"; then _pass "$desc"; else _fail "$desc" "command failed: $*"; fi
}

# finish: prints the tally; the exit code follows (1 when an assertion failed).
finish() {
    if [ "$_FAILS" -gt 0 ]; then
        echo "$TEST_NAME: $_FAILS of $_ASSERTS assertions failed"
        exit 1
    fi
    if [ "$_ASSERTS" -eq 0 ]; then
        echo "$TEST_NAME: no assertion ran"
        exit 1
    fi
    echo "$TEST_NAME: all $_ASSERTS assertions passed"
    exit 0
}

# ------------------------------------------------- client simulation, fixes
# For the client-simulation tests (.clients, CLIENT_INCOMPATIBLE,
# .root_cause) and the fix-advice tests, which apply the advice a finding
# gives for nginx or HAProxy to the faulty server and check again.

# client_field ID FIELD: .clients[] entry ID's FIELD in $OUT ("" when absent).
client_field() {
    jq -r --arg id "$1" --arg f "$2" '[.clients[]? | select(.id == $id)][0][$f] // empty' "$OUT" 2>/dev/null
}

# assert_client ID RESULT: the simulated client ID has result RESULT
# ("ok", "fail", "unknown") in .clients.
assert_client() {
    local id=$1 want=$2
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --arg r "$want" '[.clients[]? | select(.id == $id)] | length == 1 and .[0].result == $r' \
        "$OUT" >/dev/null 2>&1; then
        _pass "client $id: $want"
    else
        _fail "expected client $id with result $want" \
            "got: $(jq -c --arg id "$id" '[.clients[]? | select(.id == $id)]' "$OUT" 2>/dev/null | head -c 1500)"
        echo "    clients: $(jq -c '[.clients[]? | "\(.id)=\(.result)"] | join(" ")' "$OUT" 2>/dev/null | head -c 2000)"
    fi
}

# assert_client_incompatible ID: a CLIENT_INCOMPATIBLE finding names client
# ID (its id, or its name from .clients, in the summary or evidence).
assert_client_incompatible() {
    local id=$1 name
    name=$(client_field "$id" name)
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --arg name "${name:-$id}" \
        '[.findings[]? | select(.id == "CLIENT_INCOMPATIBLE") | "\(.summary // "") \(.evidence // "")"
          | select(contains($id) or contains($name))] | length > 0' "$OUT" >/dev/null 2>&1; then
        _pass "CLIENT_INCOMPATIBLE names $id"
    else
        _fail "expected a CLIENT_INCOMPATIBLE finding naming $id (${name:-no .clients entry})" \
            "got: $(jq -c '[.findings[]? | select(.id == "CLIENT_INCOMPATIBLE") | .summary]' "$OUT" 2>/dev/null | head -c 2000)"
    fi
}

# client_finding_field ID FIELD: FIELD of the CLIENT_INCOMPATIBLE finding
# about client ID (its "client" field).
client_finding_field() {
    jq -r --arg id "$1" --arg f "$2" \
        '[.findings[]? | select(.id == "CLIENT_INCOMPATIBLE" and .client == $id)][0][$f] // empty' \
        "$OUT" 2>/dev/null
}

# assert_client_reason ID CODE: the CLIENT_INCOMPATIBLE finding about client
# ID, and the client's entry in .clients, give reason_code CODE.
assert_client_reason() {
    local id=$1 code=$2 got entry
    got=$(client_finding_field "$id" reason_code)
    entry=$(jq -r --arg id "$id" '[.clients[]? | select(.id == $id)][0].reason_code // empty' "$OUT" 2>/dev/null)
    _ASSERTS=$((_ASSERTS + 1))
    if [ "$got" = "$code" ] && [ "$entry" = "$code" ]; then
        _pass "$id: reason_code $code"
    else
        _fail "expected the CLIENT_INCOMPATIBLE finding about $id and its clients entry to give reason_code $code" \
            "finding: ${got:-none}; clients entry: ${entry:-none}"
    fi
}

# profiles_where JQ_CONDITION: the ids of the client profiles in
# data/clients.json (the file compiled into tlsdiag) for which the jq
# condition holds, space-separated; e.g.
#   profiles_where 'any(.suites[]; IN("0xc02b", "0xc02f"))'
#   profiles_where '.aia_fetch'
# For tests whose expectation follows from the profiles' facts, so that a
# profile added to the file is covered without editing the test.
profiles_where() {
    [ -f "$ROOT/data/clients.json" ] || die "no $ROOT/data/clients.json"
    jq -r "[.clients[] | select($1) | .id] | join(\" \")" "$ROOT/data/clients.json" ||
        die "profiles_where: bad condition $1"
}

# client_list: the profile ids `tlsdiag check --client list` prints (first
# word of each line), one a line.
client_list() {
    "$TLSDIAG" check --client list 2>/dev/null | awk 'NF { print $1 }'
}

# need_clients ID...: dies when a profile the test relies on is not in the
# data file (renamed or removed: the test needs updating, loudly).
need_clients() {
    local have id
    have=$(client_list)
    for id in "$@"; do
        grep -qx -- "$id" <<<"$have" || die "no client profile '$id' in 'tlsdiag check --client list': $(tr '\n' ' ' <<<"$have")"
    done
}

# finding_field ID FIELD [FILE]: FIELD ("fix", "verify"...) of the first
# finding ID in FILE (default $OUT); empty when absent.
finding_field() {
    jq -r --arg id "$1" --arg f "$2" '[.findings[]? | select(.id == $id)][0][$f] // empty' "${3:-$OUT}" 2>/dev/null
}

# fix_directive SOFTWARE ID [FILE]: the directive the fix advice of finding
# ID gives for SOFTWARE (nginx or haproxy), from the backticked spans of its
# `fix` text: the first span that is an nginx directive (ssl_...) or an
# HAProxy keyword (ssl-default-..., crt, ...).  When the HAProxy span is a
# bare keyword followed by "with the same list", the list is the argument of
# the nginx directive.  Sets FIX_DIRECTIVE; dies (the test fails) when the
# text has none: the advice changed and the test must follow it.
fix_directive() {
    local sw=$1 id=$2 file=${3:-$OUT} text
    text=$(finding_field "$id" fix "$file")
    [ -n "$text" ] || die "finding $id has no fix text in $file"
    FIX_DIRECTIVE=$(printf '%s' "$text" | "$PYTHON" -c '
import re, sys
sw, text = sys.argv[1], sys.stdin.read()
spans = [(m.group(1).strip(), m.end()) for m in re.finditer(r"`([^`]+)`", text)]
nginx = re.compile(r"^ssl_[a-z_]+(\s|;|$)")
haproxy = re.compile(r"^(ssl-default-(bind|server)-[a-z]+|ssl-min-ver|ssl-max-ver|crt|crt-list|ciphers|ciphersuites|curves|no-tlsv1[0-3]|force-tlsv1[0-3])(\s|$)")
def first(rx):
    for s, end in spans:
        if rx.match(s):
            return s, end
    return None, None
if sw == "nginx":
    d, _ = first(nginx)
elif sw == "haproxy":
    d, end = first(haproxy)
    if d and " " not in d and re.match(r"\s*with the same list", text[end:]):
        n, _ = first(nginx)
        if n and " " in n:
            d = d + " " + n.split(None, 1)[1].rstrip(";").strip()
else:
    sys.exit("unknown software " + sw)
if not d:
    sys.exit(1)
print(d)
' "$sw") || die "the fix advice of $id names no $sw directive any more: $text"
    echo "  advice for $sw ($id): $FIX_DIRECTIVE"
}

# nginx_apply CONF DIRECTIVE: puts DIRECTIVE (an nginx directive, ";"
# added when missing) into CONF: every line setting the same directive is
# replaced by it; when none does, it goes at the top of each server{}.
nginx_apply() {
    local conf=$1 d=$2
    case "$d" in *";") ;; *) d="$d;" ;; esac
    "$PYTHON" - "$conf" "$d" <<'EOF'
import re, sys
conf, d = sys.argv[1], sys.argv[2]
name = d.split()[0].rstrip(";")
lines = open(conf).read().split("\n")
rx = re.compile(r"^(\s*)" + re.escape(name) + r"(\s|;)")
out, hit = [], False
for l in lines:
    m = rx.match(l)
    if m:
        out.append(m.group(1) + d)
        hit = True
    else:
        out.append(l)
if not hit:
    out2 = []
    for l in out:
        out2.append(l)
        if re.match(r"^\s*server\s*\{", l):
            out2.append("        " + d)
    out = out2
open(conf, "w").write("\n".join(out))
EOF
}

# restart_nginx [PORT]: stops the nginx started last (NGINX_PID, or BG_PID
# right after start_nginx), checks the edited $NGINX_DIR/nginx.conf and
# starts it again; waits for PORT (default $PORT).
restart_nginx() {
    local port=${1:-$PORT} pid=${NGINX_PID:-$BG_PID}
    # stopped only once it runs: a TERM right after the fork would reach the
    # shell about to exec it, which runs this script's exit trap
    wait_port "$port" 10 "$pid" >/dev/null 2>&1 || true
    stop_bg "$pid"
    nginx -t -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/logs/error.log" \
        >"$NGINX_DIR/test.log" 2>&1 || { cat "$NGINX_DIR/test.log" >&2; die "nginx rejects the fixed config"; }
    start_bg nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/logs/error.log"
    NGINX_PID=$BG_PID
    wait_port "$port" 10 || die "nginx did not restart"
}

# haproxy_apply_global DIRECTIVE: puts DIRECTIVE into the global section of
# $HAPROXY_CFG, replacing a line with the same keyword.
haproxy_apply_global() {
    "$PYTHON" - "$HAPROXY_CFG" "$1" <<'EOF'
import re, sys
cfg, d = sys.argv[1], sys.argv[2]
kw = d.split()[0]
lines = open(cfg).read().split("\n")
out, section, hit = [], None, False
for l in lines:
    if re.match(r"^\S", l):
        section = l.split()[0]
    if section == "global" and re.match(r"^\s+" + re.escape(kw) + r"(\s|$)", l):
        out.append("    " + d)
        hit = True
    else:
        out.append(l)
if not hit:
    i = next(i for i, l in enumerate(out) if l.strip() == "global")
    out.insert(i + 1, "    " + d)
open(cfg, "w").write("\n".join(out))
EOF
}

# fix_bind_drops ID [FILE]: the HAProxy bind-line keywords the fix advice of
# finding ID says to drop ("drop `a`, `b` or `c` from bind lines") or says
# override the global default ("a `ciphers` on the bind line overrides
# it"); sets FIX_DROPS (space-separated; empty when the advice names none).
fix_bind_drops() {
    local text
    text=$(finding_field "$1" fix "${2:-$OUT}")
    FIX_DROPS=$(printf '%s' "$text" | "$PYTHON" -c '
import re, sys
t = sys.stdin.read()
kws = []
m = re.search(r"\bdrop\b(.*?)\bfrom (the )?bind lines?", t, re.S)
if m:
    kws += re.findall(r"`([^`\s]+)`", m.group(1))
# "(a `ciphers` on the bind line overrides it)"
kws += re.findall(r"`([^`\s]+)` on (?:the|a) bind line overrides", t)
print(" ".join(dict.fromkeys(kws)))
')
    echo "  advice drops from bind lines (${1}): ${FIX_DROPS:-nothing}"
}

# haproxy_bind_drop KEYWORD...: removes KEYWORD from every bind line of
# $HAPROXY_CFG, with its argument for the keywords that take one
# (ssl-min-ver, ssl-max-ver, ciphers, ciphersuites, curves).
haproxy_bind_drop() {
    "$PYTHON" - "$HAPROXY_CFG" "$@" <<'EOF2'
import sys
cfg, kws = sys.argv[1], set(sys.argv[2:])
with_arg = {"ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites", "curves"}
out = []
for l in open(cfg).read().split("\n"):
    w = l.split()
    if w and w[0] == "bind":
        keep, i = [], 0
        while i < len(w):
            if w[i] in kws:
                i += 2 if w[i] in with_arg else 1
                continue
            keep.append(w[i])
            i += 1
        l = "    " + " ".join(keep)
    out.append(l)
open(cfg, "w").write("\n".join(out))
EOF2
}

# haproxy_bind_set OPTIONS: puts the bind options OPTIONS (e.g. "ssl-min-ver
# TLSv1.2 ssl-max-ver TLSv1.3") on every bind line of $HAPROXY_CFG,
# replacing the same keywords already there.
haproxy_bind_set() {
    local kw=() w prev=""
    for w in $1; do
        case "$prev" in ssl-min-ver | ssl-max-ver | ciphers | ciphersuites | curves) prev=""; continue ;; esac
        kw+=("$w")
        prev=$w
    done
    haproxy_bind_drop "${kw[@]}"
    "$PYTHON" - "$HAPROXY_CFG" "$1" <<'EOF2'
import sys
cfg, opts = sys.argv[1], sys.argv[2]
out = []
for l in open(cfg).read().split("\n"):
    if l.split()[:1] == ["bind"]:
        l = l.rstrip() + " " + opts
    out.append(l)
open(cfg, "w").write("\n".join(out))
EOF2
}

# haproxy_apply_advice: applies the advice fix_directive and fix_bind_drops
# read (FIX_DIRECTIVE into `global`, the FIX_DROPS keywords off the bind
# lines) and restarts HAProxy on PORT.
haproxy_apply_advice() {
    haproxy_apply_global "$FIX_DIRECTIVE"
    # shellcheck disable=SC2086  # a list of keywords
    [ -z "${FIX_DROPS:-}" ] || haproxy_bind_drop $FIX_DROPS
    echo "  config now: $(grep -E 'ssl-default|bind ' "$HAPROXY_CFG" | tr -s ' ' | tr '\n' '|')"
    restart_haproxy "$PORT"
}

# restart_haproxy [PORT]: stops the haproxy started last (HAPROXY_PID, or
# BG_PID), checks $HAPROXY_CFG and starts it again; waits for PORT.
restart_haproxy() {
    local port=${1:-$PORT} pid=${HAPROXY_PID:-$BG_PID}
    # stopped only once it runs: a TERM right after the fork would reach the
    # shell about to exec it, which runs this script's exit trap
    wait_port "$port" 10 "$pid" >/dev/null 2>&1 || true
    stop_bg "$pid"
    haproxy -c -f "$HAPROXY_CFG" >"$T/haproxy-check.log" 2>&1 ||
        { cat "$T/haproxy-check.log" >&2; die "haproxy rejects the fixed config"; }
    start_bg haproxy -db -f "$HAPROXY_CFG"
    HAPROXY_PID=$BG_PID
    wait_port "$port" 10 || die "haproxy did not restart"
}

# run_verify ID [FILE]: runs the `verify` command of finding ID from FILE
# (default $OUT; keep the first run's report to verify a fix) with bash,
# bounded to 15 s; output in $T/verify.out, exit code in VERIFY_RC.
run_verify() {
    local cmd
    cmd=$(finding_field "$1" verify "${2:-$OUT}")
    [ -n "$cmd" ] || die "finding $1 has no verify command"
    run_verify_cmd "$1" "$cmd"
}

# run_verify_cmd LABEL CMD: runs a verify command line as run_verify does.
run_verify_cmd() {
    local cmd=$2
    echo "  verify ($1): $cmd"
    (cd "$T" && timeout -k 2 15 bash -c "$cmd") >"$T/verify.out" 2>&1
    VERIFY_RC=$?
    echo "  verify exit $VERIFY_RC: $(grep -E 'Protocol|Cipher is|Verify return code|error|alert' "$T/verify.out" | head -n 4 | tr '\n' '|')"
}

# assert_verify_ok ID [FILE]: the verify command of finding ID succeeds
# against the fixed server: exit 0, a completed handshake ("Cipher is" not
# "(NONE)"), and "Verify return code: 0" when it verified the chain.
assert_verify_ok() {
    run_verify "$@"
    _ASSERTS=$((_ASSERTS + 1))
    local why=""
    [ "$VERIFY_RC" = 0 ] || why="exit $VERIFY_RC"
    if grep -q 'Cipher is (NONE)' "$T/verify.out" || { grep -q 'CONNECTED' "$T/verify.out" && ! grep -qE 'Cipher is|Protocol *:' "$T/verify.out"; }; then
        why="$why; no handshake"
    fi
    if grep -q 'Verify return code:' "$T/verify.out" && grep -q -- '-verify_return_error\|-CAfile\|-CApath' <<<"$(finding_field "$1" verify "${2:-$OUT}")" &&
        ! grep -q 'Verify return code: 0 ' "$T/verify.out"; then
        why="$why; $(grep 'Verify return code' "$T/verify.out" | head -n1)"
    fi
    if [ -z "$why" ]; then
        _pass "the verify command of $1 succeeds"
    else
        _fail "expected the verify command of $1 to succeed (${why#; })" "output: $(tail -n 15 "$T/verify.out" | head -c 1500)"
    fi
}

# ------------------------------------------------------------- explain, logs
# For the tests of `tlsdiag explain` (error texts from real clients) and
# `tlsdiag logs` (logs real servers wrote).

# run_explain FILE ARGS...: `tlsdiag explain --json ARGS` with FILE on
# standard input; stdout to $OUT, exit code to $RC.
run_explain() {
    local file=$1
    shift
    echo "${CASE:+[$CASE] }\$ tlsdiag explain --json $* < $(basename "$file"): $(grep -m1 -iE 'error|fail|alert|unable|refused|reset|closed|exception|not trusted' "$file" | head -c 160)"
    timeout -k 5 120 "$TLSDIAG" explain --json "$@" <"$file" >"$OUT" 2>"$T/err.txt"
    RC=$?
    echo "  exit $RC; candidates: $(jq -r '[.candidates[]?.id] | join(" ")' "$OUT" 2>/dev/null)"
    _json_document
}

# _json_document: $OUT holds one JSON object (else a failed assertion).
_json_document() {
    if ! jq -e 'type == "object"' "$OUT" >/dev/null 2>&1; then
        _fail "stdout is one JSON document" "got: $(head -c 400 "$OUT") stderr: $(head -c 300 "$T/err.txt")"
    fi
}

# assert_cause ID [N]: ID is among the first N candidates (default 1) of the
# last run_explain; with N > 1 the answer must also name the deciding check.
assert_cause() {
    local id=$1 n=${2:-1}
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --argjson n "$n" \
        '([.candidates[:$n][].id] | index($id)) != null and ($n == 1 or (.next // "" | startswith("tlsdiag check")))' \
        "$OUT" >/dev/null 2>&1; then
        _pass "$id among the first $n causes"
    else
        _fail "expected $id among the first $n causes" \
            "got: $(jq -c '[.candidates[]? | .id], .next' "$OUT" 2>/dev/null | head -c 600)"
    fi
}

# start_fault NAME: a server with one fault, for the clients whose error
# texts `tlsdiag explain` must read (t_explain_clients.sh and
# scripts/capture-errors.sh start the same ones).  Stops the server the last
# start_fault started; sets PORT, FAULT_PID and FAULT_CA (the CA file a
# client should trust, empty for the system's store).  NAME is one of
#   untrusted   nginx sending leaf, intermediate and a root nobody trusts
#   incomplete  nginx sending the leaf alone; clients trust the root
#   expired     nginx with an expired leaf
#   hostname    nginx with a certificate for other.test only (reached by IP)
#   self        nginx with a self-signed leaf
#   tls10       openssl s_server speaking TLS 1.0 only
#   nocipher    s_server with an RSA certificate and ECDSA suites only
#   plain       a plain HTTP server
#   nocert      s_server requiring a client certificate
FAULT_PID=""
start_fault() {
    [ -z "$FAULT_PID" ] || stop_bg "$FAULT_PID"
    [ -f "$T/root.pem" ] || make_ca_tree root inter
    [ -f "$T/server.pem" ] || make_leaf server
    FAULT_CA="$T/root.pem"
    case "$1" in
        untrusted)
            [ -f "$T/app.test.pem" ] || make_leaf_signed_by inter app.test
            cat_pem app.test inter root >"$T/untrusted.pem"
            start_nginx_tls "$T/untrusted.pem" app.test
            FAULT_CA=""
            ;;
        incomplete)
            [ -f "$T/app.test.pem" ] || make_leaf_signed_by inter app.test
            start_nginx_tls "$T/app.test.pem" app.test
            ;;
        expired)
            make_leaf_signed_by inter old.test "start=$(date_from_now -400)" "end=$(date_from_now -10)"
            cat_pem old.test inter >"$T/expired.pem"
            start_nginx_tls "$T/expired.pem" old.test
            ;;
        hostname)
            make_leaf_signed_by inter other.test "sans=DNS:other.test"
            cat_pem other.test inter >"$T/other.pem"
            start_nginx_tls "$T/other.pem" other.test
            ;;
        self)
            make_self_signed self.test
            start_nginx_tls "$T/self.test.pem" self.test
            FAULT_CA=""
            ;;
        tls10)
            start_s_server -tls1 -cipher 'DEFAULT@SECLEVEL=0'
            FAULT_CA="$T/ca.pem"
            ;;
        nocipher)
            start_s_server -no_tls1_3 -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256'
            FAULT_CA="$T/ca.pem"
            ;;
        plain)
            start_http_dir "$T"
            PORT=$HTTP_PORT
            FAULT_CA=""
            ;;
        nocert)
            start_s_server -Verify 1 -verify_return_error -CAfile "$T/ca.pem"
            FAULT_CA="$T/ca.pem"
            ;;
        *) die "start_fault: unknown fault $1" ;;
    esac
    FAULT_PID=$BG_PID
}

# start_apache_tls CHAIN KEY [DIRECTIVES]: Apache httpd (foreground, one
# VirtualHost with mod_ssl on a free port, TLSv1.2 and TLSv1.3, the PEM
# CHAIN and KEY as for start_nginx_tls, DIRECTIVES inside the VirtualHost,
# `LogLevel ssl:info`); sets PORT and APACHE_LOG (its error log).
start_apache_tls() {
    local chain=$1 key=$2 extra=${3:-} dir="$T/apache" mods=/usr/lib/apache2/modules
    [ -f "$chain" ] || chain="$T/$chain.pem"
    [ -f "$key" ] || key="$T/$key.key"
    mkdir -p "$dir"
    PORT=$(free_port tcp)
    APACHE_LOG="$dir/error.log"
    cat >"$dir/httpd.conf" <<EOF2
ServerRoot $dir
PidFile $dir/httpd.pid
Listen 127.0.0.1:$PORT
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule ssl_module $mods/mod_ssl.so
ErrorLog $APACHE_LOG
LogLevel warn ssl:info
ServerName app.test
DocumentRoot $dir
Mutex file:$dir default
<VirtualHost 127.0.0.1:$PORT>
    ServerName app.test
    SSLEngine on
    SSLProtocol -all +TLSv1.2 +TLSv1.3
    SSLCertificateFile $chain
    SSLCertificateKeyFile $key
    $extra
</VirtualHost>
EOF2
    /usr/sbin/apache2 -t -f "$dir/httpd.conf" >"$dir/test.log" 2>&1 ||
        { cat "$dir/test.log" >&2; die "apache config rejected"; }
    start_bg /usr/sbin/apache2 -f "$dir/httpd.conf" -DFOREGROUND
    wait_port "$PORT" 10 || die "apache did not start"
}

# run_logs ARGS...: `tlsdiag logs --json ARGS` into $OUT and $RC.
run_logs() {
    echo "${CASE:+[$CASE] }\$ tlsdiag logs --json $*"
    timeout -k 5 120 "$TLSDIAG" logs --json "$@" >"$OUT" 2>"$T/err.txt"
    RC=$?
    echo "  exit $RC; $(jq -c '{failures, causes: [.causes[]? | {id, count}], clients}' "$OUT" 2>/dev/null | head -c 800)"
    _json_document
}

# assert_count ID N: the logs summary counts N failures of cause ID ("none"
# for the failures no cause explains).
assert_count() {
    local id=$1 n=$2
    _ASSERTS=$((_ASSERTS + 1))
    if jq -e --arg id "$id" --argjson n "$n" \
        '[.causes[]? | select((.id // "none") == $id) | .count] | add // 0 | . == $n' "$OUT" >/dev/null 2>&1; then
        _pass "$id counted $n times"
    else
        _fail "expected $n failures of $id" "got: $(jq -c '[.causes[]? | {id, count}]' "$OUT" 2>/dev/null)"
    fi
}

# ------------------------------------------------------------- STARTTLS servers

# make_starttls_certs NAME: under root -> inter, $T/NAME-good.pem (leaf and
# intermediate) with its key $T/NAME.key, and $T/NAME-expired.pem (a leaf
# for the same name whose notAfter was ten days ago) with $T/NAME-old.key;
# the trust anchor is $T/root.pem.
make_starttls_certs() {
    local name=$1
    make_ca_tree root inter
    make_leaf_signed_by inter "$name"
    cat_pem "$name" inter >"$T/$name-good.pem"
    make_leaf_signed_by inter "$name-old" "cn=$name" "sans=DNS:$name,DNS:localhost,IP:127.0.0.1" \
        "start=$(date_from_now -400)" "end=$(date_from_now -10)"
    cat_pem "$name-old" inter >"$T/$name-expired.pem"
}

# check_starttls_healthy PROTO PORT NAME [ARGS...]: through --starttls, a
# chain to root.pem, the name right, no failure.
check_starttls_healthy() {
    local proto=$1 port=$2 name=$3
    shift 3
    run_check --starttls "$proto" --sni "$name" --ca-file "$T/root.pem" "$@" "127.0.0.1:$port"
    assert_no_fail
    assert_exit 0
    assert_jq ".target.starttls.protocol == \"$proto\" and .target.starttls.auto == false" \
        "the report names the $proto upgrade"
    assert_jq '.observations.handshake.completed == true' "full handshake through the upgrade"
    assert_jq '.observations.trust.path.verdict == "ok"' "path to the test root"
    assert_jq '[.clients[]? | select(.result == "ok")] | length > 0' "simulated clients connect through it"
    assert_no_finding STARTTLS_UNAVAILABLE
    assert_no_finding NOT_TLS
}

# check_starttls_expired PROTO PORT NAME: the expired leaf is found through
# the upgrade, with a verify command that goes through it too.
check_starttls_expired() {
    local proto=$1 port=$2 name=$3
    run_check --starttls "$proto" --sni "$name" --ca-file "$T/root.pem" "127.0.0.1:$port"
    assert_finding CERT_EXPIRED
    assert_severity CERT_EXPIRED fail
    assert_exit 1
    assert_no_finding STARTTLS_UNAVAILABLE
    assert_jq "[.findings[] | select(.id == \"CERT_EXPIRED\") | .verify] | .[0] | test(\"-starttls $proto\")" \
        "CERT_EXPIRED's verify command goes through -starttls $proto"
}

# check_starttls_unavailable PROTO PORT REASON [ARGS...]: STARTTLS_UNAVAILABLE
# whose summary holds REASON (a regex), with the s_client verify command.
check_starttls_unavailable() {
    local proto=$1 port=$2 reason=$3
    shift 3
    run_check --starttls "$proto" "$@" "127.0.0.1:$port"
    assert_finding STARTTLS_UNAVAILABLE
    assert_severity STARTTLS_UNAVAILABLE fail
    assert_exit 1
    assert_finding_text STARTTLS_UNAVAILABLE "$reason"
    assert_jq ".observations.baseline.outcome == \"lead-in\" and .observations.baseline.leadin == \"$proto\"" \
        "the baseline ended in the $proto upgrade"
    assert_jq "[.findings[] | select(.id == \"STARTTLS_UNAVAILABLE\") | .verify] | .[0] | test(\"s_client .*-starttls $proto\")" \
        "verify: openssl s_client -starttls $proto"
    assert_jq '.findings | length == 1' "the refusal is the only finding"
}

# check_starttls_three PROTO NAME OK-PORT EXPIRED-PORT NONE-PORT REASON FIX [ARGS...]:
# the three cases of a STARTTLS server: healthy, an expired leaf, and no TLS
# (STARTTLS_UNAVAILABLE with REASON, its fix matching the regex FIX); ARGS go
# to the last check.
check_starttls_three() {
    local proto=$1 name=$2 ok=$3 old=$4 none=$5 reason=$6 fix=$7
    shift 7
    CASE=$proto-healthy
    check_starttls_healthy "$proto" "$ok" "$name"
    CASE=$proto-expired
    check_starttls_expired "$proto" "$old" "$name"
    CASE=$proto-no-tls
    check_starttls_unavailable "$proto" "$none" "$reason" "$@"
    assert_jq "[.findings[] | select(.id == \"STARTTLS_UNAVAILABLE\") | .fix] | .[0] | test(\"$fix\")" \
        "the fix matches /$fix/"
}

# server_unavailable CMD...: why the real servers CMD... cannot run here
# (not root: they drop to their own users; or one is not installed), on
# stdout; nothing when they can.  STARTTLS_SCRIPTED=1 says they cannot, to
# run the scripted servers that take their place.
server_unavailable() {
    local c
    if [ -n "${STARTTLS_SCRIPTED:-}" ]; then
        echo "STARTTLS_SCRIPTED is set"
        return
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "not running as root (the servers drop to their own users)"
        return
    fi
    for c in "$@"; do
        [ -x "$c" ] || command -v "$c" >/dev/null 2>&1 || { echo "$c is not installed"; return; }
    done
}

# start_scripted_starttls PROTO MODE CERT KEY [ON]: tests/servers/starttls_server.py
# speaking PROTO on port ON, or a free one (see its --help for the modes);
# sets PORT.
start_scripted_starttls() {
    PORT=${5:-$(free_port)}
    start_bg "$PYTHON" "$ROOT/tests/servers/starttls_server.py" --port "$PORT" --proto "$1" --mode "$2" \
        --cert "$3" --key "$4"
    wait_log "$BG_LOG" '^ready$' 10 || die "starttls_server.py $1 $2 did not start"
}

# start_scripted_three PROTO NAME WHAT WHY: in place of a real server (WHAT)
# that cannot run here (WHY, said in the output), the scripted one three
# ways, as make_starttls_certs NAME left the certificates: S_OK (healthy),
# S_OLD (the expired leaf), S_NONE (no TLS).
# shellcheck disable=SC2034 # S_* are for the caller
start_scripted_three() {
    local proto=$1 name=$2
    echo "note: $3 cannot run here ($4): tests/servers/starttls_server.py speaks $proto in its place"
    start_scripted_starttls "$proto" ok "$T/$name-good.pem" "$T/$name.key"
    S_OK=$PORT
    start_scripted_starttls "$proto" ok "$T/$name-expired.pem" "$T/$name-old.key"
    S_OLD=$PORT
    start_scripted_starttls "$proto" refuse "$T/$name-good.pem" "$T/$name.key"
    S_NONE=$PORT
}

# start_three VAR PROTO NAME WHAT START CMD...: the real server WHAT,
# started by the function START (which sets VAR_OK, VAR_OLD and VAR_NONE),
# when CMD... can run here; else the scripted server for PROTO in its place
# (start_scripted_three), its ports in the same variables.
start_three() {
    local var=$1 proto=$2 name=$3 what=$4 start=$5 why
    shift 5
    why=$(server_unavailable "$@")
    if [ -z "$why" ]; then
        "$start"
        return
    fi
    start_scripted_three "$proto" "$name" "$what" "$why"
    printf -v "${var}_OK" %s "$S_OK"
    printf -v "${var}_OLD" %s "$S_OLD"
    printf -v "${var}_NONE" %s "$S_NONE"
}

# start_postfix CERT KEY LISTENER...: one Postfix master in $T/postfix (run
# as root; it drops to the postfix user) with an smtpd per LISTENER, "PORT"
# or "PORT -o name=value ...", on 127.0.0.1, offering STARTTLS with CERT and
# KEY unless a listener's options say otherwise.  Logs to $T/postfix/maillog.
start_postfix() {
    local cert=$1 key=$2 l
    shift 2
    [ -x /usr/lib/postfix/sbin/master ] || die "Postfix is not installed (run scripts/deps.sh test)"
    local pf=$T/postfix
    mkdir -p "$pf/conf" "$pf/queue/pid" "$pf/queue/public" "$pf/queue/private" "$pf/data"
    chown postfix "$pf/queue/public" "$pf/queue/private" "$pf/data"
    chmod 755 "$T"
    chmod 644 "$cert" "$key"
    cat >"$pf/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
myhostname = mail.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = $pf/maillog
maillog_file_prefixes = $T
smtpd_banner = \$myhostname ESMTP
smtpd_tls_cert_file = $cert
smtpd_tls_key_file = $key
smtpd_tls_security_level = may
smtpd_tls_session_cache_database =
CF
    : >"$pf/conf/master.cf"
    for l in "$@"; do
        echo "127.0.0.1:${l%% *} inet n - n - - smtpd${l#"${l%% *}"}" >>"$pf/conf/master.cf"
    done
    cat >>"$pf/conf/master.cf" <<CF
postlog unix-dgram n - n - 1 postlogd
proxymap unix - - n - - proxymap
anvil unix - - n - 1 anvil
tlsmgr unix - - n 1000? 1 tlsmgr
CF
    start_bg /usr/lib/postfix/sbin/master -d -c "$pf/conf"
    for l in "$@"; do
        wait_port "${l%% *}" 10 || die "Postfix did not start: $(tail -5 "$pf/maillog" 2>/dev/null)"
    done
}

# postgres_bindir: the newest installed PostgreSQL's bin directory ("" none).
postgres_bindir() {
    local d best=""
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] || continue
        if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -1)" = "$d" ]; then
            best=$d
        fi
    done
    echo "$best"
}

# start_postgres NAME PORT SSL CERT KEY: a PostgreSQL server on 127.0.0.1:PORT
# with ssl=SSL (on/off) and that certificate, its data directory a copy of
# one made once in $T/pg (initdb is the slow part); waits until it listens.
start_postgres() {
    local name=$1 port=$2 ssl=$3 cert=$4 key=$5 bin
    bin=$(postgres_bindir)
    [ -x "$bin/initdb" ] || die "PostgreSQL is not installed (run scripts/deps.sh test)"
    local pg=$T/pg
    chmod 755 "$T"
    if [ ! -d "$pg/data" ]; then
        mkdir -p "$pg"
        chown postgres "$pg"
        runuser -u postgres -- "$bin/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 >"$pg/initdb.log" 2>&1 \
            || die "initdb failed: $(tail -5 "$pg/initdb.log")"
    fi
    # The key must belong to the server's user, mode 0600.
    install -o postgres -m 600 "$key" "$pg/$name.key"
    chmod 644 "$cert"
    cp -a "$pg/data" "$pg/$name"
    start_bg runuser -u postgres -- "$bin/postgres" -D "$pg/$name" -c listen_addresses=127.0.0.1 -c "port=$port" \
        -c "unix_socket_directories=$pg" -c "ssl=$ssl" -c "ssl_cert_file=$cert" -c "ssl_key_file=$pg/$name.key"
    wait_port "$port" 20 || die "PostgreSQL ($name) did not start"
}
