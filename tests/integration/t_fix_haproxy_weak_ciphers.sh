#!/usr/bin/env bash
# Fix advice for WEAK_CIPHERS_ENABLED, applied to HAProxy terminating TLS
# (1.2 and 1.3) that also accepts NULL-SHA256 (no encryption; this OpenSSL
# has no 3DES, RC4 or DES).  The test takes the HAProxy keyword from the
# finding's fix text (with the list the advice gives), puts it into the
# global section, drops from the bind line what the advice says overrides
# it, restarts HAProxy, checks again (the finding is gone) and runs the
# finding's verify command from the first report.  Two ways the fault is
# configured:
#   global  `ssl-default-bind-ciphers` in global;
#   bind    `ciphers` on the bind line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd haproxy
make_leaf server
cat "$T/server-chain.pem" "$T/server.key" >"$T/server-crt.pem"
WEAK=ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:@SECLEVEL=0

# fix_case NAME GLOBAL_LINE BIND_OPTIONS
fix_case() {
    CASE="$1 faulty"
    start_haproxy_tls "$T/server-crt.pem" "$3" "$2"
    assert_true "HAProxy accepts NULL-SHA256" bash -c \
        "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'NULL-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Cipher is NULL-SHA256'"
    run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_finding WEAK_CIPHERS_ENABLED
    assert_finding_text WEAK_CIPHERS_ENABLED 'NULL'
    cp "$OUT" "$T/before.json"
    run_verify WEAK_CIPHERS_ENABLED "$T/before.json"
    assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
    fix_directive haproxy WEAK_CIPHERS_ENABLED "$T/before.json"
    assert_true "the HAProxy advice is ssl-default-bind-ciphers with a list" \
        grep -qE '^ssl-default-bind-ciphers [A-Za-z0-9-]+' <<<"$FIX_DIRECTIVE"
    fix_bind_drops WEAK_CIPHERS_ENABLED "$T/before.json"

    CASE="$1 fixed"
    haproxy_apply_advice
    assert_true "HAProxy no longer accepts NULL-SHA256" bash -c \
        "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'NULL-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Cipher is (NONE)'"
    run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_no_finding WEAK_CIPHERS_ENABLED
    assert_no_finding WEAK_CIPHERS_ONLY
    assert_no_fail
    assert_jq 'vsuites("TLS 1.2") | has_code(49199; ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])' \
        "TLS 1.2 suites still include 0xc02f"
    assert_verify_ok WEAK_CIPHERS_ENABLED "$T/before.json"
    stop_bg "$HAPROXY_PID"
}

fix_case global "ssl-default-bind-ciphers $WEAK" ""
fix_case bind "" "ciphers $WEAK"
finish
