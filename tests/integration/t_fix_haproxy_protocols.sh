#!/usr/bin/env bash
# Fix advice for PROTOCOL_TOO_OLD, applied to HAProxy terminating TLS with
# TLS 1.0 and 1.1 only.  The advice for HAProxy is a global
# `ssl-default-bind-options` line; the test puts it into the global section
# as given, restarts HAProxy, checks again (the finding is gone) and runs
# the finding's verify command from the first report.  Three ways the fault
# is configured:
#   global  the versions come from `ssl-default-bind-options` in global;
#   bind    the bind line itself says `ssl-min-ver TLSv1.0 ssl-max-ver
#           TLSv1.1`;
#   force   the bind line says `force-tlsv10`.
# A bind line's own options override the global defaults, so the advice
# must also say which bind options to drop: the test drops the ones it
# names, and nothing else.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd haproxy
make_leaf server
# HAProxy's crt: leaf, CA and key in one PEM
cat "$T/server-chain.pem" "$T/server.key" >"$T/server-crt.pem"

# fix_case NAME GLOBAL_LINES BIND_OPTIONS
fix_case() {
    CASE="$1 faulty"
    start_haproxy_tls "$T/server-crt.pem" "$3" "$2"
    assert_true "HAProxy speaks TLS 1.0" bash -c \
        "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1 | grep -q 'Protocol *: TLSv1\$'"
    assert_true "HAProxy refuses TLS 1.2" bash -c \
        "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Cipher is (NONE)'"
    run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_finding PROTOCOL_TOO_OLD
    assert_exit 1
    cp "$OUT" "$T/before.json"
    run_verify PROTOCOL_TOO_OLD "$T/before.json"
    assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
    fix_directive haproxy PROTOCOL_TOO_OLD "$T/before.json"
    assert_true "the HAProxy advice is a global ssl-default-bind-options line" \
        grep -q '^ssl-default-bind-options ' <<<"$FIX_DIRECTIVE"

    fix_bind_drops PROTOCOL_TOO_OLD "$T/before.json"

    CASE="$1 fixed"
    haproxy_apply_advice
    run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_no_finding PROTOCOL_TOO_OLD
    assert_no_finding LEGACY_PROTOCOL_ENABLED
    assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported after the fix"
    assert_verify_ok PROTOCOL_TOO_OLD "$T/before.json"
    stop_bg "$HAPROXY_PID"
}

# OpenSSL 3 allows TLS 1.0 only at security level 0 (SHA-1 signatures).
fix_case global "ssl-default-bind-options ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1
ssl-default-bind-ciphers DEFAULT:@SECLEVEL=0" ""
fix_case bind "ssl-default-bind-ciphers DEFAULT:@SECLEVEL=0" "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1"
fix_case force "ssl-default-bind-ciphers DEFAULT:@SECLEVEL=0" "force-tlsv10"
finish
