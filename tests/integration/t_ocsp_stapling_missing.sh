#!/usr/bin/env bash
# OCSP_STAPLING_MISSING: nginx without ssl_stapling, serving a leaf whose AIA
# names an OCSP responder: no OCSP response in the handshake (info).  For
# contrast, openssl s_server stapling a "good" response (-status_file) made
# with openssl ocsp from the issuing CA's index.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
OCSP_PORT=$(free_port tcp)
make_leaf_signed_by inter app.test "ocsp=http://127.0.0.1:$OCSP_PORT/"
make_ocsp_response inter app.test
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test
NGINX_PORT=$PORT
start_s_server_cert app.test app.test -cert_chain "$T/inter.pem" -status_file "$T/app.test.ocsp.der"
STAPLE_PORT=$PORT

assert_true "nginx: no OCSP response sent" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$NGINX_PORT -servername app.test -status 2>&1 | grep -q 'OCSP response: no response sent'"
assert_true "s_server: a stapled OCSP response, Cert Status: good" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$STAPLE_PORT -servername app.test -status 2>&1 | grep -q 'Cert Status: good'"

CASE="nginx, no stapling"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$NGINX_PORT"
assert_finding OCSP_STAPLING_MISSING
assert_severity OCSP_STAPLING_MISSING info
assert_no_fail
assert_exit 0
assert_jq '.observations.handshake.ocsp.stapled == false' "no OCSP response stapled"
assert_jq ".observations.handshake.chain[0].ocsp_url == \"http://127.0.0.1:$OCSP_PORT/\"" "the leaf names its OCSP responder"

CASE="s_server, stapled"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$STAPLE_PORT"
assert_no_finding OCSP_STAPLING_MISSING
assert_jq '.observations.handshake.ocsp.stapled == true' "an OCSP response stapled"
assert_jq '.observations.handshake.ocsp.status | tostring | test("good"; "i")' "its status is good"
finish
