#!/usr/bin/env bash
# Fix advice for CLIENT_INCOMPATIBLE on HAProxy, applied: HAProxy speaking
# only TLS 1.3 fails the Java 8 profile.  The advice gives HAProxy options
# for `ssl-default-bind-options` in global, "or the same options on the
# bind line"; the test follows it where the fault is:
#   global  `ssl-default-bind-options ssl-min-ver TLSv1.3` in global: the
#           advised line replaces it;
#   bind    `ssl-min-ver TLSv1.3` on the bind line: the advised options go
#           on the bind line.
# Then HAProxy restarts and the check runs again: Java 8 gets through, and
# the verify command of its finding (imitating Java 8) completes a handshake.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd haproxy
need_clients java-8
make_leaf server
cat "$T/server-chain.pem" "$T/server.key" >"$T/server-crt.pem"

# fix_case NAME GLOBAL_LINE BIND_OPTIONS
fix_case() {
    CASE="$1 faulty"
    start_haproxy_tls "$T/server-crt.pem" "$3" "$2"
    assert_true "HAProxy refuses TLS 1.2" bash -c \
        "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 2>&1 | grep -q 'Cipher is (NONE)'"
    run_check --client java-8 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_client java-8 fail
    assert_client_reason java-8 version
    cp "$OUT" "$T/before.json"
    local verify
    verify=$(client_finding_field java-8 verify)
    [ -n "$verify" ] || die "the CLIENT_INCOMPATIBLE finding about java-8 has no verify command"
    run_verify_cmd java-8 "$verify"
    assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
    fix_directive haproxy CLIENT_INCOMPATIBLE "$T/before.json"
    assert_true "the HAProxy advice is an ssl-default-bind-options line" \
        grep -qE '^ssl-default-bind-options .*ssl-min-ver TLSv1\.2' <<<"$FIX_DIRECTIVE"

    CASE="$1 fixed"
    if [ -n "$3" ]; then
        assert_true "the advice offers the same options on the bind line" \
            grep -q 'same options on the .bind. line' <<<"$(finding_field CLIENT_INCOMPATIBLE fix "$T/before.json")"
        haproxy_bind_set "${FIX_DIRECTIVE#ssl-default-bind-options }"
    else
        haproxy_apply_global "$FIX_DIRECTIVE"
    fi
    echo "  config now: $(grep -E 'ssl-default|bind ' "$HAPROXY_CFG" | tr -s ' ' | tr '\n' '|')"
    restart_haproxy "$PORT"
    run_check --client java-8 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
    assert_client java-8 ok
    assert_no_finding CLIENT_INCOMPATIBLE
    run_verify_cmd java-8 "$verify"
    _ASSERTS=$((_ASSERTS + 1))
    if [ "$VERIFY_RC" = 0 ] && grep -qE 'Cipher is [A-Z]' "$T/verify.out" && ! grep -q 'Cipher is (NONE)' "$T/verify.out"; then
        _pass "the java-8 verify command completes a handshake against the fixed server"
    else
        _fail "expected the java-8 verify command to complete a handshake" "$(tail -n 12 "$T/verify.out")"
    fi
    stop_bg "$HAPROXY_PID"
}

fix_case global "ssl-default-bind-options ssl-min-ver TLSv1.3" ""
fix_case bind "" "ssl-min-ver TLSv1.3"
finish
