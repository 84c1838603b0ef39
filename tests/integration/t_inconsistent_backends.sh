#!/usr/bin/env bash
# INCONSISTENT_BACKENDS: haproxy in TCP mode, round robin over two openssl
# s_server backends for the same name, each with its own certificate (both
# valid and trusted): repeated connections see one or the other.  Control:
# the same haproxy set-up over two backends holding the same certificate
# (whose resumption across backends fails: each s_server has its own ticket
# key; not asserted here).
# Then the other form: a name (served by a local DNS stub) resolving to
# 127.0.0.1 and 127.0.0.2, each address with its own certificate.  Runs in a
# private network namespace where available (127.0.0.2 is then surely free).
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd haproxy
make_ca_tree root inter
make_leaf_signed_by inter app-a cn=app.test "sans=DNS:app.test,IP:127.0.0.1"
make_leaf_signed_by inter app-b cn=app.test "sans=DNS:app.test,IP:127.0.0.1"
start_s_server_cert app-a app-a -cert_chain "$T/inter.pem"
A_PORT=$PORT
start_s_server_cert app-b app-b -cert_chain "$T/inter.pem"
B_PORT=$PORT
start_s_server_cert app-a app-a -cert_chain "$T/inter.pem"
A2_PORT=$PORT
LB_PORT=$(free_port tcp)
SAME_PORT=$(free_port tcp)
start_haproxy <<CFG
frontend mixed
    bind 127.0.0.1:$LB_PORT
    default_backend mixed
backend mixed
    balance roundrobin
    server a 127.0.0.1:$A_PORT
    server b 127.0.0.1:$B_PORT
frontend same
    bind 127.0.0.1:$SAME_PORT
    default_backend same
backend same
    balance roundrobin
    server a 127.0.0.1:$A_PORT
    server a2 127.0.0.1:$A2_PORT
CFG
wait_port "$LB_PORT" 10 || die "haproxy did not start"
wait_port "$SAME_PORT" 10 || die "haproxy did not start"
SHA_A=$(cert_sha256 app-a)
SHA_B=$(cert_sha256 app-b)

for i in 1 2 3 4; do
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$LB_PORT" -servername app.test 2>/dev/null |
        openssl x509 -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1
done >"$T/seen.txt"
assert_true "four connections through haproxy see both certificates" bash -c \
    "grep -qx '$SHA_A' '$T/seen.txt' && grep -qx '$SHA_B' '$T/seen.txt'"
assert_true "each certificate verifies for app.test" bash -c \
    "for p in $A_PORT $B_PORT; do echo | timeout 5 openssl s_client -connect 127.0.0.1:\$p -servername app.test \
        -verify_hostname app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)' || exit 1; done"

CASE="two certificates"
run_check --repeat 10 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$LB_PORT"
assert_finding INCONSISTENT_BACKENDS
assert_jq ".observations.backends | map(.leaf_sha256) | unique == ([\"$SHA_A\", \"$SHA_B\"] | sort)" \
    "the handshakes saw exactly the two backends' leaves"
assert_jq '.observations.backends | length >= 2 and all(.outcome == "hello")' "every repeated handshake completed"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding HOSTNAME_MISMATCH

CASE="same certificate (control)"
run_check --repeat 10 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$SAME_PORT"
assert_no_finding INCONSISTENT_BACKENDS
assert_jq ".observations.backends | length >= 2 and all(.leaf_sha256 == \"$SHA_A\")" "every handshake saw the same leaf"
assert_no_fail

CASE="two addresses"
DNS_PORT=$(free_port udp)
start_bg "$PYTHON" "$ROOT/tests/servers/dns_hosts.py" "$DNS_PORT" app.test=127.0.0.1,127.0.0.2
wait_log "$BG_LOG" '^ready' 10 || die "dns_hosts.py did not start"
MULTI_PORT=$(free_port tcp)
start_bg openssl s_server -accept "127.0.0.1:$MULTI_PORT" -quiet -cert "$T/app-a.pem" -key "$T/app-a.key" \
    -cert_chain "$T/inter.pem"
wait_port "$MULTI_PORT" 10 || die "s_server on 127.0.0.1 did not start"
start_bg openssl s_server -accept "127.0.0.2:$MULTI_PORT" -quiet -cert "$T/app-b.pem" -key "$T/app-b.key" \
    -cert_chain "$T/inter.pem"
for i in 1 2 3 4 5 6 7 8 9 10; do
    (exec 3<>"/dev/tcp/127.0.0.2/$MULTI_PORT") 2>/dev/null && break
    sleep 0.2
done
for a in 127.0.0.1 127.0.0.2; do
    echo | timeout 5 openssl s_client -connect "$a:$MULTI_PORT" -servername app.test 2>/dev/null |
        openssl x509 -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1 >"$T/seen-$a.txt"
done
assert_true "127.0.0.1 serves app-a's certificate" grep -qx "$SHA_A" "$T/seen-127.0.0.1.txt"
assert_true "127.0.0.2 serves app-b's certificate" grep -qx "$SHA_B" "$T/seen-127.0.0.2.txt"
run_check --dns-server "127.0.0.1:$DNS_PORT" --ca-file "$T/root.pem" "app.test:$MULTI_PORT"
assert_jq '.target.addresses == ["127.0.0.1", "127.0.0.2"]' "app.test resolves to both addresses"
assert_finding INCONSISTENT_BACKENDS
assert_finding_text INCONSISTENT_BACKENDS '127\.0\.0\.2'
assert_jq ".observations.backends | any(.address == \"127.0.0.2\" and .leaf_sha256 == \"$SHA_B\")" \
    "127.0.0.2 was checked and showed app-b's leaf"
assert_jq ".observations.handshake.chain[0].sha256 == \"$SHA_A\"" "the first address showed app-a's leaf"
finish
