#!/usr/bin/env bash
# tlsdiag scan through STARTTLS, against real servers started once in $T:
# Postfix with a healthy certificate and with an expired one (SMTP STARTTLS),
# and PostgreSQL without TLS (SSLRequest answered N).  Where one cannot run,
# the output says why and tests/servers/starttls_server.py takes its place.
# The list upgrades each line with starttls=PROTO (one protocol unknown: an
# error on that line, and the run goes on); each target's root cause must
# equal a single `tlsdiag check --starttls PROTO` of it, as t_scan.sh asserts
# for HTTPS.  Then the text lines, the scan-wide --starttls with a line's
# starttls= and starttls=none over it, a line asking for no upgrade whose
# greeting picks one as check's does (Postfix, fake_tls.py's ESMTP greeting
# that refuses the upgrade, and a bare "220" that picks none), and the
# protocol's port for a line without one.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2317 # the start functions run through start_three
ISOLATE_NET=1
source "$(dirname "$0")/lib.sh"
need_cmd openssl
need_cmd jq
# Assertions here are jq over whole JSON-lines files, counted as lib.sh's are.
assert_lines() { # FILTER WHAT FILE
    _ASSERTS=$((_ASSERTS + 1))
    if jq -se "$1" "$3" >/dev/null; then _pass "$2"; else _fail "$2" "$(jq -sc "$1" "$3" | head -c 600)"; fi
}
assert_rc() { # WANT WHAT: $RC is WANT
    _ASSERTS=$((_ASSERTS + 1))
    if [ "$RC" = "$1" ]; then _pass "$2"; else _fail "$2" "got $RC"; fi
}

# The servers drop privileges: their users must reach the files in $T.
chmod 755 "$T"
make_starttls_certs mail.test

postfix_two() {
    SMTP_OK=$(free_port) SMTP_OLD=$(free_port)
    start_postfix "$T/mail.test-good.pem" "$T/mail.test.key" "$SMTP_OK" \
        "$SMTP_OLD -o smtpd_tls_cert_file=$T/mail.test-expired.pem -o smtpd_tls_key_file=$T/mail.test-old.key"
}
start_three SMTP smtp mail.test Postfix postfix_two /usr/lib/postfix/sbin/master
postgres_plain() {
    PG_NONE=$(free_port)
    start_postgres none "$PG_NONE" off "$T/mail.test-good.pem" "$T/mail.test.key"
}
start_three PG postgres mail.test PostgreSQL postgres_plain "$(postgres_bindir)/initdb"

scan() { timeout -k 5 120 "$TLSDIAG" scan --ca-file "$T/root.pem" --timeout 2 --deadline 30 --per-ip 24 "$@"; }
key() { echo "127.0.0.1 $1 127.0.0.1 starttls=$2"; }

LIST=$T/targets.txt
cat >"$LIST" <<EOF
# SMTP through STARTTLS: healthy, then an expired leaf
127.0.0.1:$SMTP_OK starttls=smtp sni=mail.test
127.0.0.1:$SMTP_OLD   starttls=smtp sni=mail.test   # a comment
127.0.0.1:$PG_NONE starttls=postgres
127.0.0.1:$SMTP_OK starttls=bogus
EOF

# ---- --json: one line per target, naming its upgrade ------------------------------
CASE=json
scan --json "$LIST" >"$T/scan.jsonl" 2>"$T/scan.err"
RC=$?
echo "scan: exit $RC, $(wc -l <"$T/scan.jsonl") lines; $(head -c 300 "$T/scan.err")"
jq -c 'if .target then {port: .target.port, starttls: .target.starttls.protocol, verdict, root: .root_cause.id,
       findings: [.findings[] | "\(.id)/\(.severity)"]} else . end' "$T/scan.jsonl" | head -c 3000
assert_rc 1 "exit 1: targets fail"
assert_lines 'map(select(.target)) | length == 3' "three targets" "$T/scan.jsonl"
# The lines come in the order the checks end.
assert_lines "[.[] | select(.target) | .target | [.port, .starttls.protocol, .starttls.auto]] | sort ==
    ([[$SMTP_OK, \"smtp\", false], [$SMTP_OLD, \"smtp\", false], [$PG_NONE, \"postgres\", false]] | sort)" \
    "each target on the port written, naming the upgrade asked for (target.starttls, not auto)" "$T/scan.jsonl"
assert_lines 'map(select(.error)) | length == 1 and (.[0].line == 5) and (.[0].input | test("starttls=bogus"))
    and (.[0].error | test("unknown STARTTLS protocol .bogus.")
        and test("smtp") and test("postgres-direct") and test("none"))' \
    "starttls=bogus: an error on its line naming the valid protocols" "$T/scan.jsonl"

assert_lines ".[] | select(.target.port == $SMTP_OK) | .verdict != \"fail\" and
    ([.findings[] | select(.severity == \"fail\")] | length == 0) and .observations.handshake.completed and
    .observations.trust.path.verdict == \"ok\"" "healthy Postfix: a full handshake through the upgrade, no fail" \
    "$T/scan.jsonl"
assert_lines ".[] | select(.target.port == $SMTP_OLD) | any(.findings[]; .id == \"CERT_EXPIRED\" and .severity == \"fail\")
    and all(.findings[]; .id != \"STARTTLS_UNAVAILABLE\" and .id != \"NOT_TLS\")" \
    "expired Postfix: CERT_EXPIRED found through the upgrade" "$T/scan.jsonl"
assert_lines ".[] | select(.target.port == $SMTP_OLD) | [.findings[] | select(.id == \"CERT_EXPIRED\") | .verify][0]
    | test(\"-starttls smtp\")" "CERT_EXPIRED's verify command goes through -starttls smtp" "$T/scan.jsonl"
assert_lines ".[] | select(.target.port == $PG_NONE) | .root_cause.id == \"STARTTLS_UNAVAILABLE\" and
    (.root_cause.summary | test(\"PostgreSQL answered N to SSLRequest\"))" \
    "PostgreSQL without TLS: STARTTLS_UNAVAILABLE, in PostgreSQL's terms" "$T/scan.jsonl"
assert_lines ".[-1].summary | .targets == 3 and .fail == 2 and .input_errors == 1 and
    .root_causes.STARTTLS_UNAVAILABLE == 1" "summary: 3 targets, 2 fail, 1 input error" "$T/scan.jsonl"
assert_lines ".[-1].summary.worst | map(.target) | index(\"$(key "$PG_NONE" postgres)\") != null and
    index(\"$(key "$SMTP_OLD" smtp)\") != null" "summary: the worst targets by their keys, upgrade included" \
    "$T/scan.jsonl"

# ---- each target's root cause == a single check of it ------------------------------
# The check is given the target's SNI and the upgrade it asked for (none
# when its greeting chose one), and must agree on the root cause, the
# verdict and the upgrade: which, whether chosen, whether it failed.
same_as_check() { # JSONL N WHAT
    local sig='"\(.root_cause.id) \(.verdict) \(.target.starttls.protocol) \(.target.starttls.auto) \(.target.starttls.failed != null)"'
    local asked='if .target.starttls.auto == false then .target.starttls.protocol else "-" end'
    local mism=0 n=0 port proto sni got single args
    while read -r port proto sni got; do
        args=(--ca-file "$T/root.pem" --timeout 2)
        [ "$proto" = - ] || args+=(--starttls "$proto")
        [ "$sni" = null ] || args+=(--sni "$sni")
        single=$(timeout -k 5 120 "$TLSDIAG" check --json "${args[@]}" "127.0.0.1:$port" 2>/dev/null | jq -r "$sig")
        n=$((n + 1))
        echo "  127.0.0.1:$port ${args[*]:4}: scan=$got check=$single"
        [ "$single" = "$got" ] || mism=$((mism + 1))
    done < <(jq -r "select(.target) | \"\\(.target.port) \\($asked) \\(.target.sni) \" + $sig" "$1")
    RC="$n checked, $mism differ"
    assert_rc "$2 checked, 0 differ" "$3"
}
CASE=single
same_as_check "$T/scan.jsonl" 3 "every target: scan's root cause, verdict and upgrade == check --starttls's"

# ---- text: a line per failing target, and the table ---------------------------------
CASE=text
scan --profile quick "$LIST" >"$T/text.out" 2>&1
RC=$?
cat "$T/text.out"
assert_rc 1 "text: exit 1"
assert_true "FAIL line for the expired certificate, keyed with its upgrade" \
    grep -Eq "^FAIL  $(key "$SMTP_OLD" smtp)  CERT_EXPIRED: " "$T/text.out"
assert_true "FAIL line for PostgreSQL without TLS, in its own terms" \
    grep -Eq "^FAIL  $(key "$PG_NONE" postgres)  STARTTLS_UNAVAILABLE: .*answered N to SSLRequest" "$T/text.out"
assert_true "no FAIL line for the healthy Postfix" bash -c "! grep -q '^FAIL  127.0.0.1 $SMTP_OK ' '$T/text.out'"
assert_true "ERROR line for starttls=bogus" grep -Eq "^ERROR line 5: .*unknown STARTTLS protocol 'bogus'" "$T/text.out"
assert_true "the table counts STARTTLS_UNAVAILABLE" grep -Eq '^  STARTTLS_UNAVAILABLE +1$' "$T/text.out"
assert_true "the table counts CERT_EXPIRED" grep -Eq '^  CERT_EXPIRED +1$' "$T/text.out"

# ---- scan --starttls: the default, a line's own protocol, starttls=none ----------------
CASE=default
cat >"$T/default.txt" <<EOF
127.0.0.1:$SMTP_OK sni=mail.test
127.0.0.1:$SMTP_OK starttls=none
127.0.0.1:$PG_NONE starttls=postgres
EOF
scan --json --profile quick --starttls smtp "$T/default.txt" >"$T/default.jsonl" 2>"$T/default.err"
echo "scan --starttls smtp: exit $?; $(head -c 300 "$T/default.err")"
jq -c 'select(.target) | {port: .target.port, starttls: .target.starttls, root: .root_cause.id}' "$T/default.jsonl"
assert_lines "map(select(.target)) | length == 3" "the port with and without the upgrade: two targets" "$T/default.jsonl"
assert_lines "any(.[]; .target.port == $SMTP_OK and .target.starttls.protocol == \"smtp\" and
    .target.starttls.auto == false and ([.findings[] | select(.severity == \"fail\")] | length == 0))" \
    "a line without a setting goes through --starttls smtp" "$T/default.jsonl"
# starttls=none asks for no upgrade, as check without --starttls does: the
# Postfix greeting picks smtp, and the report says it was chosen.
assert_lines "any(.[]; .target.port == $SMTP_OK and .target.starttls.protocol == \"smtp\" and
    .target.starttls.auto == true and .target.starttls.greeting == \"SMTP\" and .target.starttls.failed == null and
    .observations.baseline.outcome != \"not-tls\" and all(.findings[]; .id != \"NOT_TLS\"))" \
    "starttls=none: the SMTP greeting picks the upgrade (target.starttls.auto), no NOT_TLS" "$T/default.jsonl"
assert_lines "any(.[]; .target.port == $PG_NONE and .target.starttls.protocol == \"postgres\" and
    .root_cause.id == \"STARTTLS_UNAVAILABLE\")" "a line's starttls=postgres overrides --starttls smtp" \
    "$T/default.jsonl"

# The page tells the two targets on one port apart by the upgrade asked
# for, as their keys do: the one a greeting picks is not the target's.
CASE=html
scan --html "$T/default.html" --profile quick --starttls smtp "$T/default.txt" >/dev/null 2>&1
assert_true "the page's row for the upgraded target names starttls=smtp" \
    grep -q "127.0.0.1:$SMTP_OK (127.0.0.1) starttls=smtp" "$T/default.html"
assert_true "the page's row for the starttls=none one names no upgrade" \
    grep -Eq "127.0.0.1:$SMTP_OK \(127.0.0.1\)[\"<:]" "$T/default.html"

# ---- starttls=none: no upgrade asked, so the greeting picks one, as check's does ----
# Every line says starttls=none over --starttls smtp.  Postfix greets in
# SMTP (the healthy port, and the expired leaf found through the upgrade);
# fake_tls.py greets in ESMTP and refuses every command (NOT_TLS, with the
# upgrade's failure); a bare "220" fits SMTP and FTP (no upgrade tried:
# NOT_TLS naming both).  Each is a single check without --starttls, and its
# key (--state) names no upgrade.
CASE=auto
start_fake smtp
FAKE_SMTP=$PORT
start_fake greet220
BARE=$PORT
cat >"$T/auto.txt" <<EOF
127.0.0.1:$SMTP_OK starttls=none sni=mail.test
127.0.0.1:$SMTP_OLD starttls=none sni=mail.test
127.0.0.1:$FAKE_SMTP starttls=none
127.0.0.1:$BARE starttls=none
EOF
scan --json --starttls smtp --state "$T/auto.state" "$T/auto.txt" >"$T/auto.jsonl" 2>"$T/auto.err"
RC=$?
echo "scan of starttls=none lines: exit $RC; $(head -c 300 "$T/auto.err")"
jq -c 'select(.target) | {port: .target.port, starttls: .target.starttls, root: .root_cause.id, verdict}' "$T/auto.jsonl"
assert_rc 1 "auto: exit 1 (an expired leaf, two ports without TLS)"
assert_lines 'map(select(.target)) | length == 4' "auto: four targets" "$T/auto.jsonl"
assert_lines ".[] | select(.target.port == $SMTP_OK) | .target.starttls == {protocol: \"smtp\", auto: true,
    greeting: \"SMTP\", failed: null} and .verdict != \"fail\" and .observations.handshake.completed and
    .observations.trust.path.verdict == \"ok\"" \
    "healthy Postfix: the greeting picks smtp, a full handshake through it" "$T/auto.jsonl"
assert_lines ".[] | select(.target.port == $SMTP_OLD) | .target.starttls.auto == true and
    .root_cause.id == \"CERT_EXPIRED\" and (.findings[.root_cause.index].verify | test(\"-starttls smtp\"))" \
    "expired Postfix: CERT_EXPIRED through the upgrade its greeting picked" "$T/auto.jsonl"
assert_lines ".[] | select(.target.port == $FAKE_SMTP) | .root_cause.id == \"NOT_TLS\" and
    .target.starttls.protocol == \"smtp\" and .target.starttls.auto == true and
    (.target.starttls.failed | test(\"^smtp: \")) and (.findings[.root_cause.index].fix | test(\"--starttls smtp\"))" \
    "an ESMTP greeting whose upgrade fails: NOT_TLS, the failure said, naming --starttls smtp" "$T/auto.jsonl"
assert_lines ".[] | select(.target.port == $BARE) | .root_cause.id == \"NOT_TLS\" and .target.starttls == null and
    .observations.baseline.protocol == \"SMTP/FTP\" and
    (.findings[.root_cause.index].fix | test(\"--starttls smtp\") and test(\"--starttls ftp\"))" \
    "a bare 220: no upgrade tried, NOT_TLS naming --starttls smtp and --starttls ftp" "$T/auto.jsonl"
assert_true "auto: the keys name no upgrade (the one a greeting picks is the check's finding)" \
    diff <(sort "$T/auto.state") <(for p in "$SMTP_OK" "$SMTP_OLD" "$FAKE_SMTP" "$BARE"; do
        echo "127.0.0.1 $p 127.0.0.1"; done | sort)
same_as_check "$T/auto.jsonl" 4 "every starttls=none target: scan's root cause, verdict and upgrade == check's"

# ---- a line without a port: the protocol's port -------------------------------------
# Its key (what --state records) names the port: with the keys of 25, 5432
# and 143 recorded, the three lines are skipped, so nothing is probed (here,
# nothing listens there; a wrong port would be probed and counted).
CASE=port
printf '127.0.0.1 starttls=smtp\n127.0.0.1 starttls=postgres\n127.0.0.1\n' >"$T/noport.txt"
printf '%s\n' "$(key 25 smtp)" "$(key 5432 postgres)" "$(key 143 imap)" >"$T/noport.state"
scan --json --starttls imap --state "$T/noport.state" "$T/noport.txt" >"$T/noport.jsonl" 2>"$T/noport.err"
RC=$?
cat "$T/noport.jsonl"
assert_rc 0 "exit 0: no target left to check"
assert_lines '.[-1].summary.targets == 0 and (map(select(.target)) | length == 0)' \
    "no port: smtp 25, postgres 5432, --starttls imap 143 (the recorded keys)" "$T/noport.jsonl"
finish
