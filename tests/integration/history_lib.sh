# shellcheck shell=bash
# The history scenario t_history_sqlite.sh and t_history_pg.sh share: two
# rounds of `tlsdiag check --db URL` over three openssl s_server, with one
# certificate changed, one server broken and one fixed in between; then
# `tlsdiag diff` must name each of them, and nothing else.  Source after
# lib.sh.

declare -A HPORT HPID

# serve SLOT NAME: the server of SLOT (same port every time) with the leaf
# $T/NAME.pem, replacing the one running there.
serve() {
    local slot=$1 name=$2
    if [ -n "${HPID[$slot]:-}" ]; then stop_bg "${HPID[$slot]}"; fi
    [ -n "${HPORT[$slot]:-}" ] || HPORT[$slot]=$(free_port tcp)
    start_bg openssl s_server -accept "127.0.0.1:${HPORT[$slot]}" -quiet \
        -cert "$T/$name.pem" -key "$T/$name.key"
    HPID[$slot]=$BG_PID
    wait_port "${HPORT[$slot]}" 10 || die "openssl s_server for $slot ($name) did not start"
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
