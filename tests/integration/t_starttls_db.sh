#!/usr/bin/env bash
# STARTTLS on database ports, against real servers: PostgreSQL (SSLRequest)
# and MariaDB (SSLRequest after the greeting's CLIENT_SSL), each data
# directory made once and started three ways in $T: healthy, serving an
# expired leaf (CERT_EXPIRED found through the upgrade), and without TLS
# (STARTTLS_UNAVAILABLE: "PostgreSQL answered N to SSLRequest", "CLIENT_SSL
# not in its capability flags").  Then PostgreSQL 17's ALPN rule through
# SSLRequest (the scripted server answers as 17 does): simulated clients
# carry no browser ALPN through the upgrade, so none is "refused" for it;
# and PostgreSQL's direct TLS: every hello
# offers ALPN postgresql (against openssl s_server: PostgreSQL 17, which
# takes direct TLS, is not in this Debian release).  Where a server cannot
# run, the output says why and tests/servers/starttls_server.py takes its
# place.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2317 # the *_three functions run through start_three
source "$(dirname "$0")/lib.sh"

need_cmd openssl

# The servers drop privileges: their users must reach the files in $T.
chmod 755 "$T"
make_starttls_certs db.test

# ---- PostgreSQL ----------------------------------------------------------------------
postgres_three() {
    PG_OK=$(free_port) PG_OLD=$(free_port) PG_NONE=$(free_port)
    start_postgres ok "$PG_OK" on "$T/db.test-good.pem" "$T/db.test.key"
    start_postgres old "$PG_OLD" on "$T/db.test-expired.pem" "$T/db.test-old.key"
    start_postgres none "$PG_NONE" off "$T/db.test-good.pem" "$T/db.test.key"
}
start_three PG postgres db.test PostgreSQL postgres_three "$(postgres_bindir)/initdb"

# ---- MariaDB --------------------------------------------------------------------------
MY=$T/mysql
my_start() { # NAME PORT SSL-OPTIONS...
    local name=$1 port=$2
    shift 2
    cp -a "$MY/data" "$MY/$name"
    start_bg mariadbd --no-defaults --user=mysql --datadir="$MY/$name" --socket="$MY/$name.sock" \
        --pid-file="$MY/$name.pid" --bind-address=127.0.0.1 --port="$port" --skip-log-bin \
        --innodb-buffer-pool-size=16M --log-error="$MY/$name.err" "$@"
}
start_mariadb_three() {
    mkdir -p "$MY"
    chown mysql "$MY"
    local k n p
    for k in db.test.key db.test-old.key; do
        install -o mysql -m 600 "$T/$k" "$MY/$k"
    done
    mariadb-install-db --no-defaults --user=mysql --datadir="$MY/data" --auth-root-authentication-method=normal \
        --skip-test-db >"$MY/install.log" 2>&1 || die "mariadb-install-db failed: $(tail -5 "$MY/install.log")"
    MY_OK=$(free_port) MY_OLD=$(free_port) MY_NONE=$(free_port)
    my_start ok "$MY_OK" --ssl-cert="$T/db.test-good.pem" --ssl-key="$MY/db.test.key"
    my_start old "$MY_OLD" --ssl-cert="$T/db.test-expired.pem" --ssl-key="$MY/db.test-old.key"
    my_start none "$MY_NONE" --skip-ssl
    for n in ok old none; do
        p=MY_$(echo "$n" | tr '[:lower:]' '[:upper:]')
        wait_port "${!p}" 30 "" || die "MariaDB ($n) did not start: $(tail -5 "$MY/$n.err" 2>/dev/null)"
    done
}
start_three MY mysql db.test MariaDB start_mariadb_three mariadbd mariadb-install-db

check_starttls_three postgres db.test "$PG_OK" "$PG_OLD" "$PG_NONE" "PostgreSQL answered N to SSLRequest" \
    "ssl = on.*sslmode=verify-full"
check_starttls_three mysql db.test "$MY_OK" "$MY_OLD" "$MY_NONE" "CLIENT_SSL not in its capability flags" \
    "ssl_cert.*require_secure_transport"

# Without --starttls: MariaDB speaks first, its greeting picks the upgrade.
CASE=mysql-auto
run_check --sni db.test --ca-file "$T/root.pem" "127.0.0.1:$MY_OK"
assert_no_fail
assert_jq '.target.starttls.protocol == "mysql" and .target.starttls.auto == true and .target.starttls.greeting == "MySQL"' \
    "the upgrade was chosen from the MySQL greeting, and said"
CASE=mysql-auto-no-tls
run_check "127.0.0.1:$MY_NONE"
assert_finding NOT_TLS
assert_finding_text NOT_TLS "speaks MySQL"
assert_jq '[.findings[] | select(.id == "NOT_TLS") | .fix] | .[0] | test("--starttls mysql")' "NOT_TLS names --starttls mysql"
assert_jq '.target.starttls.failed | test("CLIENT_SSL")' "the report says the upgrade was tried, and why it failed"

# ---- PostgreSQL 17 through SSLRequest: no browser's ALPN --------------------------------------
# PostgreSQL 17 answers an ALPN list without "postgresql" with the alert
# no_application_protocol (RFC 7301 section 3.2), also after an SSLRequest.
# Simulated clients are HTTP clients: through the upgrade their hellos carry
# no h2/http/1.1, or every one of them would be "refused" by a healthy
# server.  PostgreSQL 17 is not in this Debian release: the scripted server
# answers as it does.
CASE=postgres-17-alpn
start_scripted_starttls postgres alpn "$T/db.test-good.pem" "$T/db.test.key"
check_starttls_healthy postgres "$PORT" db.test
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and .severity != "info")] | length == 0' \
    "no current client is reported shut out (only end-of-life ones, as info)"
assert_jq '[.clients[]? | select(.result != "ok" and (.why // "" | test("application")))] | length == 0' \
    "no simulated client is refused for its ALPN list"
CASE=postgres-17-alpn-user
run_check --starttls postgres --alpn h2 --sni db.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_root_cause ALPN_MISMATCH
assert_finding_text CLIENT_INCOMPATIBLE "no_application_protocol"
assert_finding_text CLIENT_INCOMPATIBLE "none of the application protocols"

# ---- PostgreSQL direct TLS: ALPN postgresql in every hello -----------------------------------
CASE=postgres-direct
DIRECT=$(free_port)
start_bg openssl s_server -accept "127.0.0.1:$DIRECT" -cert "$T/db.test.pem" -cert_chain "$T/inter.pem" \
    -key "$T/db.test.key" -alpn postgresql -www -quiet
wait_port "$DIRECT" 10 || die "openssl s_server did not start"
run_check --starttls postgres-direct --sni db.test --ca-file "$T/root.pem" "127.0.0.1:$DIRECT"
assert_no_fail
assert_jq '.observations.alpn_offered == "postgresql"' "ALPN postgresql offered"
assert_jq '.observations.handshake.alpn == "postgresql"' "the server chose postgresql"
assert_jq '.observations.baseline.outcome == "hello"' "the hand-built hello is answered"
finish
