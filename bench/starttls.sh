#!/usr/bin/env bash
# bench/starttls.sh: how much a check through STARTTLS costs over the same
# check on implicit TLS, for SMTP and PostgreSQL.
#
#   SMTP:        one Postfix, two smtpd listeners with the same certificate:
#                STARTTLS (RFC 3207) and implicit TLS (smtpd_tls_wrappermode,
#                as on port 465).
#   PostgreSQL:  one PostgreSQL 17 server, reached through SSLRequest
#                (--starttls postgres) and through its direct TLS
#                (--starttls postgres-direct, ALPN postgresql): the same
#                server, the same TLS stack, a backend process per connection
#                either way; the difference is the upgrade.  Debian 12 has
#                PostgreSQL 15 only, so 17 runs from Debian 13's package in a
#                chroot (--make-pg17 builds it with debootstrap from Debian's
#                archive, about 700 MB, once).  Without the chroot that row
#                is left out, and said.
#   For scale:   PostgreSQL 15 (SSLRequest) against HAProxy terminating TLS
#                with the same certificate in front of it: different TLS
#                servers (HAProxy pays no backend per handshake), so the time
#                per connection is given too.
#
# Each check runs RUNS times (default 5); the median is reported, with the
# ratio STARTTLS / implicit.  The target is a ratio within 2.  The last
# column is what the upgrade itself takes on a connection (the baseline's
# leadin_ms: from the TCP connect to the server's go-ahead) against the
# whole connection.
#
# With --delay MS every port is also timed behind the latency relay of
# bench/run.sh (../shared/bench/latency-relay.py: MS each way, a round trip
# costs 2*MS), as over a WAN, where the upgrade's round trips count most.
#
# usage: sudo bench/starttls.sh [--runs N] [--delay MS] [--relay PATH]
#                               [--pg17-root DIR] [--make-pg17] [RUNS]
#   --pg17-root DIR  the Debian 13 chroot with postgresql-17
#                    (default /var/lib/tlsdiag-bench/trixie)
#   --make-pg17      make that chroot first when it is missing
set -uo pipefail
RUNS=5 PG17_ROOT=/var/lib/tlsdiag-bench/trixie MAKE_PG17=0 DELAY=0 RELAY=""
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --delay) DELAY=$2; shift 2 ;;
        --relay) RELAY=$(realpath "$2"); shift 2 ;;
        --pg17-root) PG17_ROOT=$2; shift 2 ;;
        --make-pg17) MAKE_PG17=1; shift ;;
        -h | --help) sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        [0-9]*) RUNS=$1; shift ;;
        *) echo "bench/starttls.sh: unknown argument '$1' (--help)" >&2; exit 2 ;;
    esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1091 # the servers' helpers
source "$HERE/../tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || die "Postfix and PostgreSQL start as root and drop to their users: run as root"
[ -x "$TLSDIAG" ] || die "build tlsdiag first (make)"

make_starttls_certs bench.test
SMTP_STARTTLS=$(free_port) SMTP_IMPLICIT=$(free_port) PG_PORT=$(free_port) PG_IMPLICIT=$(free_port)
start_postfix "$T/bench.test-good.pem" "$T/bench.test.key" "$SMTP_STARTTLS" \
    "$SMTP_IMPLICIT -o smtpd_tls_wrappermode=yes"
start_postgres bench "$PG_PORT" on "$T/bench.test-good.pem" "$T/bench.test.key"
cat "$T/bench.test-good.pem" "$T/bench.test.key" >"$T/bench.crt"
start_haproxy <<CFG
frontend pg
    bind 127.0.0.1:$PG_IMPLICIT ssl crt $T/bench.crt
    default_backend pg
backend pg
    server pg 127.0.0.1:$PG_PORT
CFG
wait_port "$PG_IMPLICIT" 10 || die "haproxy did not start"

# ---- PostgreSQL 17 in a Debian 13 chroot ------------------------------------------
PG17_BIN=/usr/lib/postgresql/17/bin
if [ ! -x "$PG17_ROOT$PG17_BIN/postgres" ] && [ "$MAKE_PG17" = 1 ]; then
    command -v debootstrap >/dev/null || apt-get install -y -o DPkg::Lock::Timeout=600 debootstrap >/dev/null ||
        die "debootstrap could not be installed"
    echo "making $PG17_ROOT (Debian 13 with postgresql-17) with debootstrap..." >&2
    debootstrap --variant=minbase --include=postgresql-17 trixie "$PG17_ROOT" http://deb.debian.org/debian \
        >"$T/debootstrap.log" 2>&1 || die "debootstrap failed: $(tail -3 "$T/debootstrap.log")"
fi
PG17_PORT=""
if [ -x "$PG17_ROOT$PG17_BIN/postgres" ]; then
    # Its files live inside the chroot, owned by the chroot's postgres user.
    pg_uid=$(chroot "$PG17_ROOT" id -u postgres) pg_gid=$(chroot "$PG17_ROOT" id -g postgres)
    PG17_DIR=$(mktemp -d "$PG17_ROOT/tmp/tlsdiag-bench.XXXXXX")
    at_exit "rm -rf '$PG17_DIR'"
    D=${PG17_DIR#"$PG17_ROOT"}
    cp "$T/bench.test-good.pem" "$PG17_DIR/cert.pem"
    install -m 600 "$T/bench.test.key" "$PG17_DIR/key.pem"
    chown -R "$pg_uid:$pg_gid" "$PG17_DIR"
    chroot --userspec="$pg_uid:$pg_gid" "$PG17_ROOT" "$PG17_BIN/initdb" -D "$D/data" -U postgres --auth=trust \
        -E UTF8 >"$T/initdb17.log" 2>&1 || die "initdb (PostgreSQL 17) failed: $(tail -3 "$T/initdb17.log")"
    PG17_PORT=$(free_port)
    start_bg chroot --userspec="$pg_uid:$pg_gid" "$PG17_ROOT" "$PG17_BIN/postgres" -D "$D/data" \
        -c listen_addresses=127.0.0.1 -c "port=$PG17_PORT" -c "unix_socket_directories=$D" -c ssl=on \
        -c ssl_cert_file="$D/cert.pem" -c ssl_key_file="$D/key.pem" -c huge_pages=off
    wait_port "$PG17_PORT" 20 || die "PostgreSQL 17 did not start: $(tail -3 "$BG_LOG")"
    PG17_VERSION=$(chroot "$PG17_ROOT" "$PG17_BIN/postgres" --version | awk '{print $3}')
else
    echo "note: no PostgreSQL 17 at $PG17_ROOT (--make-pg17 makes it): the same-server PostgreSQL row is left out" >&2
fi

# median_run PORT ARGS...: "MEDIAN_MS CONNECTIONS UPGRADE_MS CONNECTION_MS"
# of RUNS checks (the last two: the baseline connection's lead-in and whole
# time, from the last run).
median_run() {
    local port=$1 i ms conns
    shift
    local times=()
    for ((i = 0; i < RUNS; i++)); do
        "$TLSDIAG" check --json --sni bench.test --ca-file "$T/root.pem" "$@" "127.0.0.1:$port" >"$T/b.json" 2>/dev/null
        ms=$(jq '.observations.elapsed_ms' "$T/b.json")
        conns=$(jq '.observations.connections' "$T/b.json")
        times+=("$ms")
    done
    local up
    up=$(jq -r '.observations.baseline | "\(.leadin_ms // 0) \(.total_ms)"' "$T/b.json")
    printf '%s\n' "${times[@]}" | sort -g |
        awk -v c="$conns" -v up="$up" '{a[NR]=$1} END {printf "%.0f %d %s\n", a[int((NR+1)/2)], c, up}'
}

row() { # LABEL STARTTLS-RESULT IMPLICIT-RESULT
    local s_ms s_c up conn i_ms i_c
    read -r s_ms s_c up conn <<<"$2"
    read -r i_ms i_c _ <<<"$3"
    awk -v l="$1" -v sm="$s_ms" -v sc="$s_c" -v im="$i_ms" -v ic="$i_c" -v up="$up" -v conn="$conn" 'BEGIN {
        r = sm / im; pr = (sm / sc) / (im / ic);
        printf "| %s | %d ms, %d conn. | %d ms, %d conn. | %.2f | %.2f | %s | %.1f of %.1f ms |\n", l, sm, sc, im, ic,
               r, pr, (r <= 2 ? "yes" : "no"), up, conn
    }'
}

# ---- the latency relay, for --delay -----------------------------------------------
if [ "$DELAY" -gt 0 ]; then
    # shellcheck source=bench/relay.sh
    source "$HERE/relay.sh"
    [ -n "$RELAY" ] || RELAY=$(find_relay "$(cd "$HERE/.." && pwd)") || true
    [ -f "$RELAY" ] || die "latency relay not found (../shared/bench/latency-relay.py); give it with --relay"
fi
# One relay per server port, started here: table runs in command
# substitutions, whose processes would escape the clean-up.
declare -A VIA=()
if [ "$DELAY" -gt 0 ]; then
    for port in "$SMTP_STARTTLS" "$SMTP_IMPLICIT" $PG17_PORT "$PG_PORT" "$PG_IMPLICIT"; do
        VIA[$port]=$(free_port)
        start_bg "$PYTHON" "$RELAY" "${VIA[$port]}" "$port" "$DELAY"
        wait_port "${VIA[$port]}" 10 || die "latency relay did not start"
    done
fi
# relayed PORT: the port to check for PORT (behind the relay with --delay)
relayed() {
    if [ "$DELAY" -gt 0 ]; then echo "${VIA[$1]}"; else echo "$1"; fi
}

table() { # the rows, the ports as given or behind the relay
    row "SMTP (Postfix)" "$(median_run "$(relayed "$SMTP_STARTTLS")" --starttls smtp)" \
        "$(median_run "$(relayed "$SMTP_IMPLICIT")")"
    [ -n "$PG17_PORT" ] &&
        row "PostgreSQL $PG17_VERSION (SSLRequest vs direct TLS, same server)" \
            "$(median_run "$(relayed "$PG17_PORT")" --starttls postgres)" \
            "$(median_run "$(relayed "$PG17_PORT")" --starttls postgres-direct)"
    row "PostgreSQL 15 (SSLRequest) vs HAProxy in front, for scale" \
        "$(median_run "$(relayed "$PG_PORT")" --starttls postgres)" "$(median_run "$(relayed "$PG_IMPLICIT")")"
}

echo "| protocol | through STARTTLS | implicit TLS | ratio | ratio per connection | within 2x | upgrade on one connection |"
echo "|---|---|---|---|---|---|---|"
D=$DELAY
DELAY=0
table
DELAY=$D
if [ "$DELAY" -gt 0 ]; then
    echo
    echo "Behind the latency relay, $DELAY ms each way (a round trip: $((2 * DELAY)) ms):"
    echo
    echo "| protocol | through STARTTLS | implicit TLS | ratio | ratio per connection | within 2x | upgrade on one connection |"
    echo "|---|---|---|---|---|---|---|"
    table
fi
echo
echo "median of $RUNS runs each, $(nproc) CPUs, $(date -u +%Y-%m-%d)"
