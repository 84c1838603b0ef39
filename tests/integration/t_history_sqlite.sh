#!/usr/bin/env bash
# The history in SQLite: two rounds of `tlsdiag check --db sqlite:FILE` over
# three servers, one certificate changed, one server broken and one fixed in
# between; `tlsdiag diff` names each (history_lib.sh).  Then the errors: a
# bad URL, a file that does not exist (diff creates nothing), a schema
# newer than the binary: one line each, never a crash.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=history_lib.sh
source "$(dirname "$0")/history_lib.sh"
need_cmd openssl jq sqlite3

history_scenario "sqlite:$T/history.db"

CASE="the file"
assert_true "schema_version holds versions 1 and 2" test "$(sqlite3 "$T/history.db" 'SELECT MAX(version) || COUNT(*) FROM schema_version')" = 22
assert_true "six runs, each of one target, each finished" test \
    "$(sqlite3 "$T/history.db" 'SELECT COUNT(*) FROM runs WHERE targets = 1 AND finished IS NOT NULL')" = 6
assert_true "the runs record the command without --db" test \
    "$(sqlite3 "$T/history.db" "SELECT COUNT(*) FROM runs WHERE command LIKE 'tlsdiag check %' AND command NOT LIKE '%history.db%'")" = 6
assert_true "every served certificate has its serial and fingerprint" test \
    "$(sqlite3 "$T/history.db" "SELECT COUNT(*) FROM certificates WHERE length(sha256) = 64 AND serial <> '' AND not_after > 0")" = 6
assert_true "the findings of each check are kept" test \
    "$(sqlite3 "$T/history.db" "SELECT COUNT(*) FROM findings")" = \
    "$(cat "$T"/check.*.json | jq -s '[.[].findings | length] | add')"

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
