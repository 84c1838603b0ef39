# shellcheck shell=bash
# The history scenarios t_history_sqlite.sh and t_history_pg.sh share: two
# rounds of `tlsdiag check --db URL` over three openssl s_server, with one
# certificate changed, one server broken and one fixed in between; then
# `tlsdiag diff` must name each of them, and nothing else.  And the same
# with `tlsdiag scan --db URL` (scan_history_scenario), whole or in shards.
# Source after lib.sh.

declare -A HPORT HPID HADDR

# wait_addr ADDR PORT: until ADDR:PORT accepts a TCP connection (10 s).
wait_addr() {
    local i
    for ((i = 0; i < 100; i++)); do
        if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

# serve SLOT NAME: the server of SLOT (same address, 127.0.0.1 unless
# HADDR[SLOT] says another, and same port every time) with the leaf
# $T/NAME.pem, replacing the one running there.
serve() {
    local slot=$1 name=$2 addr=${HADDR[$1]:-127.0.0.1}
    if [ -n "${HPID[$slot]:-}" ]; then stop_bg "${HPID[$slot]}"; fi
    [ -n "${HPORT[$slot]:-}" ] || HPORT[$slot]=$(free_port tcp)
    start_bg openssl s_server -accept "$addr:${HPORT[$slot]}" -quiet \
        -cert "$T/$name.pem" -key "$T/$name.key"
    HPID[$slot]=$BG_PID
    wait_addr "$addr" "${HPORT[$slot]}" || die "openssl s_server for $slot ($name) did not start on $addr"
}

# unserve SLOT: stops the server of SLOT (its port then refuses).
unserve() {
    stop_bg "${HPID[$1]}"
    HPID[$1]=
}

# sha256_of NAME: the SHA-256 of $T/NAME.pem's DER, lower-case hex.
sha256_of() {
    openssl x509 -in "$T/$1.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}

# check_round ROUND URL: a check of each server, recorded; the reports go to
# $T/check.ROUND.SLOT.json.
check_round() {
    local slot
    for slot in rot brk fix; do
        CASE="round $1, $slot" run_check --db "$2" --ca-file "$T/ca.pem" "127.0.0.1:${HPORT[$slot]}"
        cp "$OUT" "$T/check.$1.$slot.json"
        CASE="round $1, $slot" assert_true "the check exits 0 or 1 (recorded)" test "$RC" -le 1
    done
}

# run_diff ARGS...: `tlsdiag diff ARGS` (stdout to $OUT, exit code to $RC).
run_diff() {
    echo "\$ tlsdiag diff $*"
    timeout -k 5 60 "$TLSDIAG" diff "$@" >"$OUT" 2>"$T/err.txt"
    RC=$?
    [ ! -s "$T/err.txt" ] || echo "  stderr: $(head -c 600 "$T/err.txt")"
}

# failing_served FILE: the ids of the clients that fail in a check report
# and that the server is meant to serve, sorted, one a line.
failing_served() {
    jq -r '.clients[] | select(.result == "fail" and (.below_level | not)) | .id' "$1" | sort
}

# history_scenario URL: the two rounds and every assertion on diff.
history_scenario() {
    local url=$1 base since
    make_leaf rot1
    make_leaf rot2
    make_leaf good
    make_leaf fixed
    make_leaf wrong "DNS:wrong.example"

    serve rot rot1
    serve brk good
    serve fix wrong
    check_round 1 "$url"
    cp "$T/check.1.fix.json" "$OUT"
    CASE="round 1" assert_jq '.verdict == "fail"' "the server with a certificate for another name fails"

    run_diff --db "$url" --json
    base=$(jq -r '.current.id' "$OUT")
    CASE="round 1" assert_true "diff names the latest run ($base)" test "$base" -ge 3
    sleep 1.1
    since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    sleep 1.1

    serve rot rot2
    serve brk wrong
    serve fix fixed
    check_round 2 "$url"
    cp "$T/check.2.brk.json" "$OUT"
    CASE="round 2" assert_jq '.verdict == "fail"' "the broken server fails"
    local root2
    root2=$(jq -r '.root_cause.id' "$T/check.2.brk.json")

    CASE="diff --since $base"
    run_diff --db "$url" --since "$base" --json
    assert_exit 1
    local p_rot=${HPORT[rot]} p_brk=${HPORT[brk]} p_fix=${HPORT[fix]}
    assert_jq ".baseline.id == $base and .current.id == $base + 3" "compares the last run with run $base"
    assert_jq "[.new_failures[] | .port] == [$p_brk]" "the broken server is the one new failure"
    assert_jq ".new_failures[0].root_cause == \"$root2\" and .new_failures[0].was == \"ok\"" \
        "with the check's root cause ($root2), and it was ok"
    assert_jq "[.certificates_rotated[] | select(.port == $p_rot)] | length == 1" \
        "the changed certificate is named as rotated"
    assert_jq "(.certificates_rotated[] | select(.port == $p_rot)) as \$c |
        \$c.from.sha256 == \"$(sha256_of rot1)\" and \$c.to.sha256 == \"$(sha256_of rot2)\" and
        (\$c.to.subject | test(\"CN=rot2\"))" "from the old fingerprint to the new one"
    assert_jq "[.fixed[] | .port] == [$p_fix]" "the fixed server is named as fixed"
    assert_jq "[.certificates_rotated[] | .port] | sort == ([$p_rot, $p_brk, $p_fix] | sort)" \
        "each server that now serves another leaf is named as rotated"
    assert_jq '[.root_cause_changed[]] | length == 0' "no root cause changed"
    assert_jq '[.expiring[]] | length == 0' "nothing expires within 21 days"
    assert_jq ".targets == 3 and .failing == 1" "three targets, one failing"
    local want got
    want=$(comm -13 <(failing_served "$T/check.1.brk.json") <(failing_served "$T/check.2.brk.json") | paste -sd,)
    got=$(jq -r "[.clients_shut_out[] | select(.port == $p_brk) | .clients[]] | sort | join(\",\")" "$OUT")
    assert_true "the clients newly shut out are those the checks saw fail ($want)" test "$got" = "$want"

    run_diff --db "$url" --since "$base"
    assert_exit 1
    assert_true "the text answers first: the new failure and the rotation" \
        grep -Eq "^[0-9]+ changes since run $base .*: 1 new failure, 1 fixed, 3 certificates rotated" "$OUT"
    assert_true "the text names the broken server with its root cause" \
        grep -q "127.0.0.1:$p_brk  $root2" "$OUT"
    assert_true "the text names the rotated certificate" grep -q "127.0.0.1:$p_rot  sha256 $(sha256_of rot1 | cut -c1-12)" "$OUT"

    CASE="diff --since TIME"
    cp "$OUT" "$T/diff.text.run"
    sed 's/^/    | /' "$OUT"
    run_diff --db "$url" --since "$since"
    assert_true "--since $since compares with the same run" cmp -s "$OUT" "$T/diff.text.run"

    CASE="diff (latest against the run before)"
    run_diff --db "$url" --json
    assert_exit 0
    assert_jq ".baseline.id == $base + 2 and ([.fixed[] | .port] == [$p_fix]) and (.new_failures | length == 0) and
        ([.certificates_rotated[] | .port] == [$p_fix])" "only the last check's changes: the fixed server, its new certificate"

    CASE="diff --warn-days 400"
    run_diff --db "$url" --since "$base" --warn-days 400 --json
    assert_jq '[.expiring[] | .days_left] | length == 3 and all(. >= 360 and . <= 366)' \
        "every certificate (a year long) ends within 400 days"
    CASE=""
}

# error_case DESC WANT_RC PATTERN CMD...: `tlsdiag CMD` exits WANT_RC with
# one line on stderr matching PATTERN, and prints nothing on stdout.
error_case() {
    local desc=$1 want=$2 pattern=$3
    shift 3
    CASE=$desc
    echo "\$ tlsdiag $*"
    timeout -k 5 30 "$TLSDIAG" "$@" >"$OUT" 2>"$T/err.txt"
    RC=$?
    echo "  exit $RC: $(head -c 300 "$T/err.txt")"
    assert_exit "$want"
    assert_true "one line on stderr" test "$(wc -l <"$T/err.txt")" = 1
    assert_true "it says /$pattern/" grep -Eq -- "$pattern" "$T/err.txt"
    assert_true "no report printed" test ! -s "$OUT"
}

# scan_round ROUND URL SHARDS: `tlsdiag scan --json --db URL` over the three
# scan servers ($T/scan.list); SHARDS 0: one process, writing
# $T/scan.ROUND.json; else SHARDS processes at once, JOB_COMPLETION_INDEX
# 0..SHARDS-1 with --shards SHARDS, writing $T/scan.ROUND.I.json.  Every
# process must exit 1 (a target fails in each round) or 0.
scan_round() {
    local round=$1 url=$2 shards=$3 i rc pids=()
    local args=(scan --json --profile quick --timeout 2 --ca-file "$T/ca.pem" --db "$url" "$T/scan.list")
    if [ "$shards" = 0 ]; then
        echo "\$ tlsdiag ${args[*]}"
        timeout -k 5 60 "$TLSDIAG" "${args[@]}" >"$T/scan.$round.json" 2>"$T/scan.$round.err"
        rc=$?
        CASE="scan round $round" assert_true "the scan exits 0 or 1 (exit $rc: $(head -c 300 "$T/scan.$round.err"))" test "$rc" -le 1
        return
    fi
    for ((i = 0; i < shards; i++)); do
        echo "\$ JOB_COMPLETION_INDEX=$i tlsdiag ${args[*]} --shards $shards"
        JOB_COMPLETION_INDEX=$i timeout -k 5 60 "$TLSDIAG" "${args[@]}" --shards "$shards" \
            >"$T/scan.$round.$i.json" 2>"$T/scan.$round.$i.err" &
        pids+=($!)
    done
    for ((i = 0; i < shards; i++)); do
        wait "${pids[$i]}"
        rc=$?
        CASE="scan round $round, shard $i/$shards" assert_true \
            "the shard exits 0 or 1 (exit $rc: $(head -c 300 "$T/scan.$round.$i.err"))" test "$rc" -le 1
        CASE="scan round $round, shard $i/$shards" assert_true "the shard checked a target" \
            test "$(jq -s '[.[] | select(.target)] | length' "$T/scan.$round.$i.json")" -ge 1
    done
}

# scan_history_scenario URL SHARDS: two rounds of `tlsdiag scan --db URL`
# (SHARDS as scan_round) over three servers on addresses of their own
# (127.0.0.1 and .3 hash to shard 0 of 2, .2 to shard 1); between them one
# certificate changes and one server stops; diff --since the first round
# names both, and nothing of the third server.
scan_history_scenario() {
    local url=$1 shards=$2 base
    HADDR[srot]=127.0.0.1
    HADDR[sbrk]=127.0.0.2
    HADDR[sok]=127.0.0.3
    make_leaf srot1 "IP:127.0.0.1"
    make_leaf srot2 "IP:127.0.0.1"
    make_leaf sbrk "IP:127.0.0.2"
    make_leaf sok "IP:127.0.0.3"
    serve srot srot1
    serve sbrk sbrk
    serve sok sok
    local p_rot=${HPORT[srot]} p_brk=${HPORT[sbrk]} p_ok=${HPORT[sok]}
    printf '127.0.0.1:%s\n127.0.0.2:%s\n127.0.0.3:%s\n' "$p_rot" "$p_brk" "$p_ok" >"$T/scan.list"

    scan_round 1 "$url" "$shards"
    cat "$T"/scan.1*.json >"$OUT"
    CASE="scan round 1" assert_true "every server checked once, and passes" test \
        "$(jq -s -c '[.[] | select(.target) | [.target.port, .verdict]] | sort' "$OUT")" = \
        "$(jq -n -c "[[$p_rot, \"ok\"], [$p_brk, \"ok\"], [$p_ok, \"ok\"]] | sort")"
    run_diff --db "$url" --json
    base=$(jq -r '.current.id' "$OUT")

    serve srot srot2
    unserve sbrk
    scan_round 2 "$url" "$shards"
    cat "$T"/scan.2*.json >"$OUT"
    local root2
    root2=$(jq -r "select(.target.port == $p_brk) | .root_cause.id" "$OUT")
    CASE="scan round 2" assert_true "the stopped server fails, refused ($root2)" test "$root2" = CONNECT_REFUSED

    CASE="scan diff --since $base"
    run_diff --db "$url" --since "$base" --json
    assert_exit 1
    assert_jq ".targets == 3 and .failing == 1" "every target once: three, one failing"
    assert_jq "[.new_failures[] | [.port, .root_cause, .was]] == [[$p_brk, \"CONNECT_REFUSED\", \"ok\"]]" \
        "the stopped server is the one new failure, refused, and was ok"
    assert_jq "[.certificates_rotated[] | .port] == [$p_rot]" "the changed certificate is the one rotated"
    assert_jq "(.certificates_rotated[0].from.sha256 == \"$(sha256_of srot1)\") and
        (.certificates_rotated[0].to.sha256 == \"$(sha256_of srot2)\")" "from the old fingerprint to the new one"
    assert_jq "[.. | objects | select(.port? == $p_ok)] | length == 0" "nothing about the unchanged server"
    assert_jq '[.fixed[], .root_cause_changed[]] | length == 0' "nothing fixed, no root cause changed"
    CASE=""
}

# starttls_history_scenario URL: two `tlsdiag scan --db URL` rounds over one
# port of the scripted SMTP server, listed twice: through the upgrade
# (starttls=smtp) and without it (starttls=none: its bare "220 ready"
# greeting fits SMTP and FTP, so no upgrade is picked: NOT_TLS each time).  In
# between, the certificate behind the upgrade is replaced by an expired
# one.  diff keeps the two targets apart: the upgraded one's new failure
# and rotation, named with its upgrade, and nothing of the plain one.
# Sets SMTP_PORT.
starttls_history_scenario() {
    local url=$1 base pid
    make_starttls_certs mail.test
    start_scripted_starttls smtp bare "$T/mail.test-good.pem" "$T/mail.test.key"
    SMTP_PORT=$PORT pid=$BG_PID
    printf '127.0.0.1:%s starttls=smtp sni=mail.test\n127.0.0.1:%s starttls=none\n' "$SMTP_PORT" "$SMTP_PORT" \
        >"$T/starttls.list"
    local args=(scan --json --profile quick --timeout 2 --ca-file "$T/root.pem" --db "$url" "$T/starttls.list")
    echo "\$ tlsdiag ${args[*]}"
    timeout -k 5 60 "$TLSDIAG" "${args[@]}" >"$T/starttls.1.json" 2>"$T/starttls.1.err"
    CASE="starttls round 1" assert_true "through the upgrade ok, without it NOT_TLS" test \
        "$(jq -s -c '[.[] | select(.target) | [.target.starttls.protocol, .verdict, .root_cause.id]] | sort' \
            "$T/starttls.1.json")" = '[[null,"fail","NOT_TLS"],["smtp","ok",null]]'
    run_diff --db "$url" --json
    base=$(jq -r '.current.id' "$OUT")

    stop_bg "$pid"
    start_scripted_starttls smtp bare "$T/mail.test-expired.pem" "$T/mail.test-old.key" "$SMTP_PORT"
    echo "\$ tlsdiag ${args[*]}"
    timeout -k 5 60 "$TLSDIAG" "${args[@]}" >"$T/starttls.2.json" 2>"$T/starttls.2.err"
    CASE="starttls round 2" assert_true "through the upgrade CERT_EXPIRED, without it NOT_TLS still" test \
        "$(jq -s -c '[.[] | select(.target) | [.target.starttls.protocol, .root_cause.id]] | sort' \
            "$T/starttls.2.json")" = '[[null,"NOT_TLS"],["smtp","CERT_EXPIRED"]]'

    CASE="starttls diff --since $base"
    run_diff --db "$url" --since "$base" --json
    assert_exit 1
    assert_jq '.targets == 2 and .baseline_targets == 2 and .failing == 2' \
        "the port with and without the upgrade: two targets each time, both failing now"
    assert_jq "[.new_failures[] | [.port, .starttls, .root_cause, .was]] == [[$SMTP_PORT, \"smtp\", \"CERT_EXPIRED\", \"ok\"]]" \
        "the upgraded target is the one new failure, expired, and was ok"
    assert_jq "[.certificates_rotated[] | [.port, .starttls, .from.sha256, .to.sha256]] ==
        [[$SMTP_PORT, \"smtp\", \"$(sha256_of mail.test)\", \"$(sha256_of mail.test-old)\"]]" \
        "the upgraded target's certificate is the one rotated"
    assert_jq '[.. | objects | select(has("starttls") and .starttls == null)] | length == 0' \
        "nothing about the target without the upgrade"
    run_diff --db "$url" --since "$base"
    sed 's/^/    | /' "$OUT"
    assert_true "the text names the upgrade with the target, as a scan's key does" \
        grep -q "^  127.0.0.1:$SMTP_PORT starttls=smtp  CERT_EXPIRED: " "$OUT"
    assert_true "the text has no line for the port without it" \
        bash -c "! grep -q '^  127.0.0.1:$SMTP_PORT  ' '$OUT'"
    CASE=""
}

# upgrade_scenario URL OLD_URL RUNSQL...: OLD_URL holds a copy of the history
# history_scenario left at URL (six checks, runs 1-3 the first round);
# `RUNSQL... SQL` runs SQL on it.  Turned back into what version 2 made
# (0003's column and index gone, and the last check with them), it gets
# that check again, recorded through the upgrade: diff --since 3 must say
# what it says on URL, old records paired with the new one.
upgrade_scenario() {
    local url=$1 old=$2 changes
    shift 2
    CASE="a version-2 history"
    "$@" "DELETE FROM client_failures WHERE target_id IN (SELECT id FROM targets WHERE run_id = 6);
        DELETE FROM findings WHERE target_id IN (SELECT id FROM targets WHERE run_id = 6);
        DELETE FROM certificates WHERE target_id IN (SELECT id FROM targets WHERE run_id = 6);
        DELETE FROM targets WHERE run_id = 6; DELETE FROM runs WHERE id = 6;
        DROP INDEX targets_key; ALTER TABLE targets DROP COLUMN starttls;
        CREATE INDEX targets_key ON targets (host, port, address, run_id);
        DELETE FROM schema_version WHERE version = 3" >/dev/null
    assert_true "made: version 2, five checks, no starttls column" test \
        "$("$@" "SELECT MAX(version) FROM schema_version")/$("$@" "SELECT COUNT(*) FROM targets")" = 2/5
    run_check --db "$old" --ca-file "$T/ca.pem" "127.0.0.1:${HPORT[fix]}"
    assert_true "the check is recorded through the upgrade (exit $RC)" test "$RC" -le 1
    assert_true "version 3 applied, the old records kept without an upgrade" test \
        "$("$@" "SELECT MAX(version) FROM schema_version")/$("$@" "SELECT COUNT(*) FROM targets WHERE starttls IS NULL")" = 3/6
    changes='{targets, failing} + (to_entries | map(select(.value | type == "array")) |
        map({key, value: (.value | map(del(.run, .checked)))}) | from_entries)'
    run_diff --db "$url" --since 3 --json
    jq -S "$changes" "$OUT" >"$T/diff.before.json"
    run_diff --db "$old" --since 3 --json
    jq -S "$changes" "$OUT" >"$T/diff.after.json"
    assert_true "diff --since 3 says the same: each old record paired with the new one" \
        diff -u "$T/diff.before.json" "$T/diff.after.json"
    assert_true "and it names the fixed server (the record from after the upgrade)" \
        test "$(jq -c '[.targets, [.fixed[].port]]' "$T/diff.after.json")" = "[3,[${HPORT[fix]}]]"
    CASE=""
}

# jq_all EXPR: EXPR holds for the JSON lines of $OUT, read as one array.
jq_all() {
    jq -e -s "$1" "$OUT" >/dev/null
}

# scan_db_failure URL: a scan whose database refuses the record of
# 127.0.0.2 (the caller has installed the refusal, a trigger): the
# scan ends with exit 3 and one line on stderr naming the database's
# reason; the output holds whole JSON lines only, none for 127.0.0.2, and
# no summary; the run is left unfinished.
scan_db_failure() {
    local url=$1
    CASE="scan, the database fails"
    echo "\$ tlsdiag scan --json --db URL --concurrency 1 (the record of 127.0.0.2 refused)"
    timeout -k 5 60 "$TLSDIAG" scan --json --profile quick --timeout 2 --concurrency 1 --ca-file "$T/ca.pem" \
        --db "$url" "$T/scan.list" >"$OUT" 2>"$T/err.txt"
    RC=$?
    echo "  exit $RC: $(head -c 300 "$T/err.txt")"
    assert_exit 3
    assert_true "one line on stderr" test "$(wc -l <"$T/err.txt")" = 1
    assert_true "it gives the database's reason" grep -Eq "^tlsdiag: history: .*disk is full" "$T/err.txt"
    assert_true "every line written is whole JSON" jq_all 'length >= 1'
    assert_true "127.0.0.1 was written before the failure" jq_all 'any(.[]; .target.address_used == "127.0.0.1")'
    assert_true "no line for the target not recorded, no summary" \
        jq_all 'all(.[]; .target.address_used != "127.0.0.2" and (.summary | not))'
    CASE=""
}
