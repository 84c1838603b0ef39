#!/usr/bin/env bash
# The history in SQLite: two rounds of `tlsdiag check --db sqlite:FILE` over
# three servers, one certificate changed, one server broken and one fixed in
# between; `tlsdiag diff` names each (history_lib.sh); a copy of that file
# made back into version 2 and upgraded by the next check, diff the same;
# the same for two `tlsdiag scan --db` runs, one stopped by SIGINT, and a
# scan whose database fails halfway; one SMTP port scanned with and without
# STARTTLS, two targets apart.  Then the errors: a bad URL, a file that does
# not exist (diff creates nothing), a schema newer than the binary: one line
# each, never a crash.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=history_lib.sh
source "$(dirname "$0")/history_lib.sh"
need_cmd openssl jq sqlite3

history_scenario "sqlite:$T/history.db"

CASE="the file"
assert_true "schema_version holds versions 1 to 3" test "$(sqlite3 "$T/history.db" 'SELECT MAX(version) || COUNT(*) FROM schema_version')" = 33
assert_true "six runs, each of one target, each finished" test \
    "$(sqlite3 "$T/history.db" 'SELECT COUNT(*) FROM runs WHERE targets = 1 AND finished IS NOT NULL')" = 6
assert_true "the runs record the command without --db" test \
    "$(sqlite3 "$T/history.db" "SELECT COUNT(*) FROM runs WHERE command LIKE 'tlsdiag check %' AND command NOT LIKE '%history.db%'")" = 6
assert_true "every served certificate has its serial and fingerprint" test \
    "$(sqlite3 "$T/history.db" "SELECT COUNT(*) FROM certificates WHERE length(sha256) = 64 AND serial <> '' AND not_after > 0")" = 6
assert_true "the findings of each check are kept" test \
    "$(sqlite3 "$T/history.db" "SELECT COUNT(*) FROM findings")" = \
    "$(cat "$T"/check.*.json | jq -s '[.[].findings | length] | add')"

assert_true "no check asked for an upgrade" test "$(sqlite3 "$T/history.db" 'SELECT COUNT(*) FROM targets WHERE starttls IS NULL')" = 6

sqlite3 "$T/history.db" ".backup '$T/v2.db'"
upgrade_scenario "sqlite:$T/history.db" "sqlite:$T/v2.db" sqlite3 "$T/v2.db"

starttls_history_scenario "sqlite:$T/starttls.db"
CASE="the STARTTLS file"
assert_true "each round one record through smtp, one with none (NULL)" test \
    "$(sqlite3 "$T/starttls.db" "SELECT group_concat(k, ',') FROM (SELECT COALESCE(starttls, 'NULL') || ':' || COUNT(*) AS k
        FROM targets WHERE port = $SMTP_PORT GROUP BY starttls ORDER BY starttls)")" = "NULL:2,smtp:2"

scan_history_scenario "sqlite:$T/scan.db" 0
CASE="the scan's runs"
assert_true "two runs of three targets each, finished, unsharded, without --db in the command" test \
    "$(sqlite3 "$T/scan.db" "SELECT COUNT(*) FROM runs WHERE targets = 3 AND finished IS NOT NULL AND shard IS NULL
        AND command LIKE 'tlsdiag scan --json %' AND command NOT LIKE '%scan.db%'")" = 2

# SIGINT while a check against a server that never answers is under way:
# that check is finished and recorded, the next never starts, and the run
# is left unfinished (a stopped run).
CASE="scan, interrupted"
start_fake silent
printf '127.0.0.3:%s\n127.0.0.1:%s\n127.0.0.1:%s\n' "${HPORT[sok]}" "$PORT" "${HPORT[srot]}" >"$T/stop.list"
"$TLSDIAG" scan --json --profile quick --timeout 2 --concurrency 1 --ca-file "$T/ca.pem" --db "$T/scan.db" \
    "$T/stop.list" >"$OUT" 2>"$T/err.txt" &
scan_pid=$!
for i in $(seq 100); do
    [ -s "$OUT" ] && break
    sleep 0.1
done
kill -INT "$scan_pid"
wait "$scan_pid"
RC=$?
assert_exit 130
assert_true "the check under way was written, the next one never started" jq_all \
    "[.[] | select(.target) | .target.port] == [${HPORT[sok]}, $PORT]"
assert_true "its run holds those two targets and is left unfinished" test \
    "$(sqlite3 "$T/scan.db" "SELECT targets || ' ' || COALESCE(finished, 'none') FROM runs WHERE id = 3")" = "2 none"

sqlite3 "$T/scan.db" "CREATE TRIGGER refuse BEFORE INSERT ON targets WHEN NEW.address = '127.0.0.2'
    BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
scan_db_failure "$T/scan.db"
CASE="the scan's runs"
assert_true "the failed scan's run is left unfinished, with the one target recorded" test \
    "$(sqlite3 "$T/scan.db" "SELECT targets || ' ' || COALESCE(finished, 'none') FROM runs WHERE id = 4")" = "1 none"
error_case "scan, bad URL" 2 "unknown database 'mysql://'" scan --db mysql://h/db "$T/scan.list"
error_case "scan, database missing" 3 "cannot open the SQLite database" scan --db "$T/no/such/dir.db" "$T/scan.list"

error_case "unknown scheme" 2 "unknown database 'mysql://'" check --db mysql://h/db 127.0.0.1:1
error_case "empty sqlite path" 2 "needs a file name" diff --db sqlite:
error_case "bad PostgreSQL URL" 2 "not a PostgreSQL URL" diff --db 'postgresql://h/db?bogus=1'
error_case "missing file" 3 "cannot open the SQLite database" diff --db "$T/none.db"
assert_true "diff created no file" test ! -e "$T/none.db"
error_case "directory missing" 3 "cannot open the SQLite database" check --db "$T/no/such/dir.db" 127.0.0.1:1
error_case "bad --since" 2 "--since needs a run id" diff --db "$T/history.db" --since soon
error_case "run out of range" 2 "no run 99 " diff --db "$T/history.db" --since 99
: >"$T/empty.db"
error_case "no run yet" 2 "no run yet" diff --db "$T/empty.db"
sqlite3 "$T/history.db" "INSERT INTO schema_version (version, name, applied) VALUES (999, 'future', 0)"
error_case "schema newer (diff)" 3 "schema version 999, newer than this tlsdiag knows" diff --db "sqlite:$T/history.db"
error_case "schema newer (check)" 3 "schema version 999, newer" check --db "$T/history.db" 127.0.0.1:1
finish
