#!/usr/bin/env bash
# The history in PostgreSQL: a real server (Debian's postgresql package),
# initdb'd in this test's temp dir as an unprivileged user, on a free port
# and a unix socket in the temp dir, stopped on exit.  The same two rounds
# as t_history_sqlite.sh through postgresql:// (history_lib.sh), and a copy
# made back into version 2 and upgraded by the next check; checks
# opening a fresh database at once (the migrations run one after the
# other); two rounds of `tlsdiag scan --db` in two shards at once, and a
# scan whose database fails halfway; one SMTP port scanned with and without
# STARTTLS; then a schema newer than the binary and a server gone: one line
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
assert_true "schema_version holds versions 1 to 3" test "$(sql history 'SELECT CAST(MAX(version) AS TEXT) || CAST(COUNT(*) AS TEXT) FROM schema_version')" = 33
assert_true "six runs, each of one target, each finished" test \
    "$(sql history 'SELECT COUNT(*) FROM runs WHERE targets = 1 AND finished IS NOT NULL')" = 6
assert_true "every served certificate has its serial and fingerprint" test \
    "$(sql history "SELECT COUNT(*) FROM certificates WHERE length(sha256) = 64 AND serial <> '' AND not_after > 0")" = 6

assert_true "no check asked for an upgrade" test "$(sql history 'SELECT COUNT(*) FROM targets WHERE starttls IS NULL')" = 6

sql postgres 'CREATE DATABASE v2 TEMPLATE history' >/dev/null || die "cannot copy the database"
upgrade_scenario "$URL" "postgresql://tlsdiag@127.0.0.1:$PGPORT/v2" sql v2

sql postgres 'CREATE DATABASE starttls' >/dev/null || die "cannot create the database"
starttls_history_scenario "postgresql://tlsdiag@127.0.0.1:$PGPORT/starttls"
CASE="the STARTTLS database"
assert_true "each round one record through smtp, one with none (NULL)" test \
    "$(sql starttls "SELECT string_agg(COALESCE(starttls, 'NULL') || ':' || n, ',' ORDER BY starttls NULLS FIRST)
        FROM (SELECT starttls, COUNT(*) AS n FROM targets WHERE port = $SMTP_PORT GROUP BY starttls) AS k")" = "NULL:2,smtp:2"

sql postgres 'CREATE DATABASE scans' >/dev/null || die "cannot create the database"
scan_history_scenario "postgresql://tlsdiag@127.0.0.1:$PGPORT/scans" 2
CASE="the shards' runs"
n_of() { jq -s '[.[] | select(.target)] | length' "$T/scan.$1.json"; }
assert_true "four runs, shards 0/2 and 1/2 of each round, each finished with its targets" test \
    "$(sql scans "SELECT string_agg(shard || ':' || targets, ',' ORDER BY shard, id) FROM runs WHERE finished IS NOT NULL")" = \
    "0/2:$(n_of 1.0),0/2:$(n_of 2.0),1/2:$(n_of 1.1),1/2:$(n_of 2.1)"
assert_true "every target once in the first round" test "$(sql scans "SELECT COUNT(*) || ' ' || COUNT(DISTINCT address) FROM targets WHERE run_id <= 2")" = "3 3"
assert_true "every target once in the second round" test "$(sql scans "SELECT COUNT(*) || ' ' || COUNT(DISTINCT address) FROM targets WHERE run_id > 2")" = "3 3"
sql scans "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
    IF NEW.address = '127.0.0.2' THEN RAISE EXCEPTION 'could not extend file: disk is full'; END IF;
    RETURN NEW; END \$\$" >/dev/null
sql scans "CREATE TRIGGER refuse BEFORE INSERT ON targets FOR EACH ROW EXECUTE FUNCTION refuse()" >/dev/null
scan_db_failure "postgresql://tlsdiag@127.0.0.1:$PGPORT/scans"

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
assert_true "each schema version was applied once" test "$(sql race 'SELECT COUNT(*) FROM schema_version')" = 3
assert_true "three runs recorded" test "$(sql race 'SELECT COUNT(*) FROM targets')" = 3

sql race "INSERT INTO schema_version (version, name, applied) VALUES (999, 'future', 0)" >/dev/null
error_case "schema newer" 3 "schema version 999, newer than this tlsdiag knows" \
    diff --db "postgresql://tlsdiag@127.0.0.1:$PGPORT/race"
error_case "no such database" 3 "cannot connect to PostgreSQL: .*nosuchdb" \
    diff --db "postgresql://tlsdiag@127.0.0.1:$PGPORT/nosuchdb"
stop_bg "$PG_PID"
error_case "server gone" 3 "cannot connect to PostgreSQL" check --db "$URL" 127.0.0.1:1
finish
