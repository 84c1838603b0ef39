#!/usr/bin/env bash
# Suite enumeration against a server that imposes its order, and the same
# list under the client's order.  The expected lists come from one
# `openssl s_client -cipher NAME` per suite, so they do not depend on how
# tlsdiag enumerates.
#   1. s_server -serverpref with OpenSSL's own order of ALL: 40 and more
#      TLS 1.2 suites, in the bands the enumeration expects
#   2. s_server -serverpref with an order that ignores the bands (the
#      enumeration has to merge)
#   3. the list of 2 without -serverpref: registry order
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

# accepted_in_order LIST: the TLS 1.2 suites of the cipher string LIST that
# the server on $PORT accepts when offered alone, in LIST's order, as a
# JSON array of OpenSSL names.
accepted_in_order() {
    local name
    for name in $(openssl ciphers -s -tls1_2 "$1:@SECLEVEL=0" 2>/dev/null | tr ':' ' '); do
        case "$name" in TLS_*) continue ;; esac
        echo | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -no_tls1_3 \
            -cipher "$name:@SECLEVEL=0" 2>/dev/null | grep -q "Cipher is $name$" && echo "$name"
    done | jq -R . | jq -sc .
}

CASE=openssl-order
LIST='ALL:!aNULL:!eNULL'
start_s_server -serverpref -cipher "$LIST"
WANT=$(accepted_in_order "$LIST")
assert_true "s_server accepts 40 or more TLS 1.2 suites" test "$(echo "$WANT" | jq length)" -ge 40
run_check "127.0.0.1:$PORT"
assert_jq 'version("TLS 1.2").server_order == true' "TLS 1.2: the server's order"
assert_jq 'version("TLS 1.2").complete == true' "TLS 1.2: enumeration complete"
assert_jq "[vsuites(\"TLS 1.2\")[].openssl] == $WANT" "TLS 1.2 suites in the server's order"
assert_jq 'version("TLS 1.3").server_order == true' "TLS 1.3: the server's order"
assert_jq '[vsuites("TLS 1.3")[].openssl] == ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]' \
    "TLS 1.3 suites in the server's order"
stop_bg "$BG_PID"

# Strong and weak, with and without forward secrecy, mixed: every band
# boundary of the enumeration is crossed several times.
MIXED='AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:DHE-RSA-CHACHA20-POLY1305:AES256-SHA256:ECDHE-RSA-AES128-GCM-SHA256:CAMELLIA128-SHA:DHE-RSA-AES256-SHA:ECDHE-RSA-CHACHA20-POLY1305'

CASE=mixed-order
start_s_server -serverpref -no_tls1_3 -cipher "$MIXED"
WANT=$(accepted_in_order "$MIXED")
assert_true "s_server accepts all 10 suites" test "$(echo "$WANT" | jq length)" = 10
run_check "127.0.0.1:$PORT"
assert_jq 'version("TLS 1.2").server_order == true' "TLS 1.2: the server's order"
assert_jq 'version("TLS 1.2").complete == true' "TLS 1.2: enumeration complete"
assert_jq "[vsuites(\"TLS 1.2\")[].openssl] == $WANT" "TLS 1.2 suites in the server's order"
stop_bg "$BG_PID"

CASE=client-order
start_s_server -no_tls1_3 -cipher "$MIXED"
run_check "127.0.0.1:$PORT"
assert_jq 'version("TLS 1.2").server_order == false' "TLS 1.2: the client's order"
assert_jq 'version("TLS 1.2").complete == true' "TLS 1.2: enumeration complete"
assert_jq "[vsuites(\"TLS 1.2\")[].openssl] | sort == ($WANT | sort)" "the same 10 TLS 1.2 suites"
assert_jq '[vsuites("TLS 1.2")[].id] as $ids | $ids == ($ids | sort)' "TLS 1.2 suites in registry order"
finish
