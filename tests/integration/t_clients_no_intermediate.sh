#!/usr/bin/env bash
# Client simulation against nginx sending the leaf without its
# intermediate, the leaf's AIA caIssuers URL served by a local HTTP server
# and the test root given with --ca-file.  Clients that build the path from
# what the server sends (curl, Java, Python) fail at the Certificate step;
# browsers that fetch the missing intermediate from the AIA URL get through
# (with --no-aia their verdict is "unknown").  CHAIN_INCOMPLETE is the root
# cause, the clients' failures its symptoms.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx curl
need_clients chrome curl-openssl3 java-17 python-requests-certifi
make_ca_tree root inter
mkdir -p "$T/aia"
cp "$T/inter.der" "$T/aia/inter.der"
start_http_dir "$T/aia"
AIA_URL="http://127.0.0.1:$HTTP_PORT/inter.der"
make_leaf_signed_by inter app.test "aia=$AIA_URL"
start_nginx_tls app.test app.test
assert_true "s_client with the root as anchor: unable to get local issuer certificate" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'unable to get local issuer certificate'"
assert_true "the AIA URL serves the intermediate" curl -sf --max-time 5 -o /dev/null "$AIA_URL"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_INCOMPLETE
assert_jq '.observations.trust.path_with_aia.verdict == "ok"' "with the fetched intermediate the path is ok"
for c in curl-openssl3 java-17 python-requests-certifi; do
    assert_client "$c" fail
    assert_client_incompatible "$c"
    assert_client_reason "$c" chain
    assert_jq "[.clients[] | select(.id == \"$c\")][0] | .step == \"Certificate\"" "$c fails at the Certificate step"
done
assert_client chrome ok
# From the data file: among the profiles that speak TLS 1.2 or 1.3 (nginx
# here offers nothing older), those that fetch a missing intermediate from
# the AIA URL get through, the others fail at the certificate.
MODERN='any(.versions[]; IN("TLS1.2", "TLS1.3"))'
AIA_YES=$(profiles_where "$MODERN and .aia_fetch")
AIA_NO=$(profiles_where "$MODERN and (.aia_fetch | not)")
OLD=$(profiles_where "($MODERN) | not")
echo "  fetch from AIA: $AIA_YES"
echo "  do not: $AIA_NO"
echo "  too old for this server: $OLD"
for c in $AIA_YES; do assert_client "$c" ok; done
for c in $AIA_NO; do
    assert_client "$c" fail
    assert_client_reason "$c" chain
done
for c in $OLD; do
    assert_client "$c" fail
    assert_client_reason "$c" version
done
assert_jq '[.clients[] | select(.result == "fail" and .step == "Certificate")] | all(.reason | test("intermediate|issuer|chain"; "i"))' \
    "certificate failures name the missing intermediate"
assert_jq '.root_cause.id == "CHAIN_INCOMPLETE"' "the root cause is CHAIN_INCOMPLETE"
# shellcheck disable=SC2016  # jq variables
assert_jq '.root_cause.index as $r | [.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and .reason_code == "chain")]
    | length > 0 and all(.symptom_of == $r)' "the clients failing for the chain are its symptoms"

CASE=--no-aia
# Without the fetch, whether an AIA-fetching browser copes is not known.
run_check --no-aia --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_INCOMPLETE
for c in $AIA_YES; do assert_client "$c" unknown; done
assert_client curl-openssl3 fail
assert_jq '[.clients[] | select(.id == "chrome")][0].step == "Certificate"' "chrome: unknown at the Certificate step"
finish
