#!/usr/bin/env bash
# bench/starttls.sh: how much a check through STARTTLS costs over the same
# check on implicit TLS, for SMTP and PostgreSQL.
#
#   SMTP:        one Postfix, two smtpd listeners with the same certificate:
#                STARTTLS (RFC 3207) and implicit TLS (smtpd_tls_wrappermode,
#                as on port 465).
#   PostgreSQL:  PostgreSQL 15 has no implicit TLS (direct TLS came in 17),
#                so its SSLRequest port is set against HAProxy terminating
#                TLS with the same certificate in front of the same server:
#                every connection still costs PostgreSQL a backend process,
#                as through SSLRequest.  The probes differ with the TLS
#                server, so the time per connection is compared too.
#
# Each check runs RUNS times (default 5); the median is reported, with the
# ratio STARTTLS / implicit.  The target is a ratio within 2.  The last
# column is what the upgrade itself takes on a connection (the baseline's
# leadin_ms: from the TCP connect to the server's go-ahead) against the
# whole connection: a large ratio with a small share is the TLS server, not
# the upgrade.
#
# usage: sudo bench/starttls.sh [RUNS]
set -uo pipefail
RUNS=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
TEST_NAME=bench-starttls
# shellcheck source=../tests/integration/lib.sh
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

echo "| protocol | through STARTTLS | implicit TLS | ratio | ratio per connection | within 2x | upgrade on one connection |"
echo "|---|---|---|---|---|---|---|"
row "SMTP (Postfix)" "$(median_run "$SMTP_STARTTLS" --starttls smtp)" "$(median_run "$SMTP_IMPLICIT")"
row "PostgreSQL (SSLRequest vs HAProxy in front)" "$(median_run "$PG_PORT" --starttls postgres)" "$(median_run "$PG_IMPLICIT")"
echo
echo "median of $RUNS runs each, $(nproc) CPUs, $(date -u +%Y-%m-%d)"
