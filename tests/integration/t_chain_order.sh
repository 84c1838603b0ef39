#!/usr/bin/env bash
# CHAIN_ORDER: nginx sending leaf, root, intermediate (the intermediate after
# the root), and on a second port leaf, intermediate plus an unrelated CA
# certificate from another hierarchy.  OpenSSL clients sort it out, so the
# path verifies; stricter or older clients may not.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_ca_tree other other-inter
make_leaf_signed_by inter app.test
cat_pem app.test root inter >"$T/swapped.pem"
cat_pem app.test inter other-inter >"$T/extra.pem"
PORT=$(free_port tcp)
PORT2=$(free_port tcp)
start_nginx <<NGX
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate_key $T/app.test.key;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/swapped.pem;
    }
    server {
        listen 127.0.0.1:$PORT2 ssl;
        ssl_certificate $T/extra.pem;
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
wait_port "$PORT2" 10 || die "nginx did not start"
assert_true "s_client: sent as leaf, root, intermediate" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -showcerts 2>&1 \
        | grep -E '^ [0-9] s:' | tr '\n' '|' | grep -q '0 s:.*app.test.*1 s:.*Root root.*2 s:.*Intermediate inter'"
assert_true "s_client: the swapped chain still verifies with OpenSSL" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)'"
assert_true "s_client: the unrelated extra is sent third" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT2 -servername app.test -showcerts 2>&1 | grep -q '^ 2 s:.*Intermediate other-inter'"

CASE="root before intermediate"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_ORDER
assert_jq '.observations.handshake.chain | length == 3' "three certificates sent"
assert_jq '.observations.handshake.chain[1].subject | test("Root root")' "the root is sent second"
assert_jq '.observations.handshake.chain[2].subject | test("Intermediate inter")' "the intermediate is sent third"
assert_jq '.observations.trust.path.verdict == "ok"' "the path verifies anyway"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding UNTRUSTED_CA

CASE="unrelated extra"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT2"
assert_finding CHAIN_ORDER
assert_finding_text CHAIN_ORDER 'other-inter|unrelated|not part'
assert_jq '.observations.handshake.chain[2].subject | test("Intermediate other-inter")' "the extra is sent third"
assert_jq '.observations.trust.path.verdict == "ok"' "the path verifies anyway"
assert_no_finding CHAIN_INCOMPLETE
finish
