#!/usr/bin/env bash
# The history in PostgreSQL: a real server (Debian's postgresql package),
# initdb'd in this test's temp dir as an unprivileged user, on a free port
# and a unix socket in the temp dir, stopped on exit.  The same two rounds
# as t_history_sqlite.sh through postgresql:// (history_lib.sh); checks
# opening a fresh database at once (the migrations run one after the
# other); then a schema newer than the binary and a server gone: one line
# each.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=history_lib.sh
source "$(dirname "$0")/history_lib.sh"
need_cmd openssl jq

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql (scripts/deps.sh test)"

# PostgreSQL refuses to run as root: as root, the server runs as the
# postgres user (or nobody), which owns its directory.
PGDIR=$T/pg
mkdir -p "$PGDIR"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    pguser=postgres
    id -u "$pguser" >/dev/null 2>&1 || pguser=nobody
    chmod 711 "$T"
    chown "$pguser" "$PGDIR"
    as_pg=(runuser -u "$pguser" --)
fi
"${as_pg[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U tlsdiag --auth=trust -E UTF8 >"$T/initdb.log" 2>&1 ||
    { tail -n 20 "$T/initdb.log" >&2; die "initdb failed"; }
PGPORT=$(free_port tcp)
start_bg "${as_pg[@]}" "$PGBIN/postgres" -D "$PGDIR/data" -p "$PGPORT" -k "$PGDIR" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off
PG_PID=$BG_PID
wait_port "$PGPORT" 20 || die "postgres did not start"

# sql DB STATEMENT: psql's one value (through the unix socket).
sql() {
    "$PGBIN/psql" -X -A -t -h "$PGDIR" -p "$PGPORT" -U tlsdiag -d "$1" -c "$2"
}
for i in $(seq 100); do
    sql postgres 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.1
done
sql postgres 'CREATE DATABASE history' >/dev/null || die "cannot create the database"
sql postgres 'CREATE DATABASE race' >/dev/null || die "cannot create the database"

URL="postgresql://tlsdiag@127.0.0.1:$PGPORT/history"
history_scenario "$URL"

CASE="the database"
assert_true "schema_version holds versions 1 and 2" test "$(sql history 'SELECT CAST(MAX(version) AS TEXT) || CAST(COUNT(*) AS TEXT) FROM schema_version')" = 22
assert_true "six runs, each of one target, each finished" test \
    "$(sql history 'SELECT COUNT(*) FROM runs WHERE targets = 1 AND finished IS NOT NULL')" = 6
assert_true "every served certificate has its serial and fingerprint" test \
    "$(sql history "SELECT COUNT(*) FROM certificates WHERE length(sha256) = 64 AND serial <> '' AND not_after > 0")" = 6

CASE="unix socket"
run_diff --db "postgresql://tlsdiag@/history?host=$PGDIR&port=$PGPORT" --since 3 --json
assert_jq '.current.id == 6 and (.new_failures | length == 1)' "the same history through the socket"

CASE="fresh database, three checks at once"
pids=()
for i in 1 2 3; do
    "$TLSDIAG" check --json --timeout 1 --db "postgresql://tlsdiag@127.0.0.1:$PGPORT/race" 127.0.0.1:1 \
        >"$T/race.$i.json" 2>"$T/race.$i.err" &
    pids+=($!)
done
for i in 0 1 2; do
    wait "${pids[$i]}"
    rc=$?
    assert_true "check $((i + 1)) exits 1 (refused, recorded): $(head -c 200 "$T/race.$((i + 1)).err")" test "$rc" = 1
done
assert_true "each schema version was applied once" test "$(sql race 'SELECT COUNT(*) FROM schema_version')" = 2
assert_true "three runs recorded" test "$(sql race 'SELECT COUNT(*) FROM targets')" = 3

sql race "INSERT INTO schema_version (version, name, applied) VALUES (999, 'future', 0)" >/dev/null
error_case "schema newer" 3 "schema version 999, newer than this tlsdiag knows" \
    diff --db "postgresql://tlsdiag@127.0.0.1:$PGPORT/race"
error_case "no such database" 3 "cannot connect to PostgreSQL: .*nosuchdb" \
    diff --db "postgresql://tlsdiag@127.0.0.1:$PGPORT/nosuchdb"
stop_bg "$PG_PID"
error_case "server gone" 3 "cannot connect to PostgreSQL" check --db "$URL" 127.0.0.1:1
finish
