#!/usr/bin/env bash
# A private root is not a missing intermediate.  nginx sends the leaf and
# its intermediate; the intermediate's issuer, "Unknown Root CA", is a
# private root in no trust store, and no AIA URL points to it.  Sending
# more certificates cannot fix that: the clients must be given the root.
#   - system store: UNTRUSTED_CA is the root cause (not CHAIN_INCOMPLETE),
#     its evidence keeps the other reading (an intermediate the server
#     should send), and every client that gets to the certificate fails for
#     trust, as a symptom of it;
#   - --ca-file root.pem: the same chain verifies, nothing fails;
#   - a second intermediate whose AIA URL names the missing issuer (sent
#     alone below it): the missing issuer is an intermediate,
#     CHAIN_INCOMPLETE, even though the top sent is a CA certificate.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
need_clients chrome curl-openssl3 java-17 python-requests-certifi
make_root priv "Unknown Root CA"
make_cert_signed_by priv inter ca "cn=tlsdiag Private Intermediate"
make_leaf_signed_by inter app.test
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test
ROOT_DN='CN=Unknown Root CA,O=tlsdiag tests'

assert_true "the intermediate names no AIA URL" bash -c \
    "! openssl x509 -in '$T/inter.pem' -noout -text | grep -q 'CA Issuers'"
assert_true "the intermediate is a CA certificate" bash -c \
    "openssl x509 -in '$T/inter.pem' -noout -text | grep -q 'CA:TRUE'"
assert_true "s_client with the system store: unable to get local issuer certificate" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test 2>&1 | grep -q 'unable to get local issuer certificate'"
assert_true "s_client given the root: ok" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/priv.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)'"

CASE="system store"
run_check --sni app.test "127.0.0.1:$PORT"
assert_exit 1
assert_jq '.observations.handshake.chain | length == 2' "two certificates sent"
assert_jq '.observations.trust.path.verdict == "incomplete chain"' "OpenSSL's path verdict: incomplete chain"
assert_jq ".observations.trust.path.missing_issuer | test(\"$ROOT_DN\")" "the missing issuer is the private root"
assert_jq '.observations.trust.path.top_is_ca == true' "the top of the path is a CA certificate"
assert_jq '.observations.trust.path.missing_issuer_aia == null' "no AIA URL names the missing issuer"
assert_jq '.observations.trust.path.missing_issuer_in_store == false' "the store knows no certificate of that name"
assert_jq '.observations.trust.store | test("^system")' "checked against the system store"
assert_finding UNTRUSTED_CA
assert_severity UNTRUSTED_CA fail
assert_no_finding CHAIN_INCOMPLETE
assert_jq '.root_cause.id == "UNTRUSTED_CA"' "the root cause is UNTRUSTED_CA"
assert_finding_text UNTRUSTED_CA "$ROOT_DN"
assert_finding_text UNTRUSTED_CA 'private root'
assert_finding_text UNTRUSTED_CA 'system'
assert_finding_text UNTRUSTED_CA 'no AIA caIssuers URL'
assert_finding_text UNTRUSTED_CA "if $ROOT_DN is an intermediate rather than a root, the server must also send it \\(CHAIN_INCOMPLETE\\)"
assert_jq '[findings_with("UNTRUSTED_CA")[0].fix | test("--ca-file")] | all' "the fix suggests --ca-file for a private CA"
assert_jq 'findings_with("UNTRUSTED_CA")[0].summary | test("given that root")' "the summary says clients must be given the root"
assert_jq 'findings_with("UNTRUSTED_CA")[0].summary | test("does not send the intermediate") | not' \
    "the summary does not call the root a missing intermediate"
for c in chrome curl-openssl3 java-17 python-requests-certifi; do
    assert_client "$c" fail
    assert_client_incompatible "$c"
    assert_client_reason "$c" trust
done
# From the data file: every profile that can speak to this server (TLS 1.2
# or 1.3) fails at the certificate for trust, browsers that fetch via AIA
# included: no URL points anywhere.
MODERN='any(.versions[]; IN("TLS1.2", "TLS1.3"))'
for c in $(profiles_where "$MODERN"); do
    assert_client "$c" fail
    assert_client_reason "$c" trust
done
assert_jq '[.clients[] | select(.result == "fail" and .step == "Certificate")] | length > 0 and all(.reason_code == "trust")' \
    "every certificate failure is for trust"
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and .reason_code == "chain")] | length == 0' \
    "no client fails for the chain"
# shellcheck disable=SC2016  # jq variables
assert_jq '.root_cause.index as $r | [.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and .reason_code == "trust")]
    | length > 0 and all(.symptom_of == $r)' "the clients failing for trust are symptoms of UNTRUSTED_CA"

CASE="--ca-file root"
run_check --sni app.test --ca-file "$T/priv.pem" "127.0.0.1:$PORT"
assert_exit 0
assert_no_fail
assert_jq '.observations.trust.path.verdict == "ok"' "the path verifies"
assert_no_finding UNTRUSTED_CA
assert_no_finding CHAIN_INCOMPLETE

# A lower intermediate whose AIA URL names its issuer: that issuer is an
# intermediate the server must send, though what is sent ends in a CA.
CLOSED_PORT=$(free_port tcp)
make_cert_signed_by inter inter2 ca "cn=tlsdiag Private Issuing CA" "aia=http://127.0.0.1:$CLOSED_PORT/inter.der"
make_leaf_signed_by inter2 app2.test "sans=DNS:app.test,IP:127.0.0.1"
cat_pem app2.test inter2 >"$T/served2.pem"
NGINX_NAME=nginx2 start_nginx_tls "$T/served2.pem" app2.test

CASE="AIA names the missing issuer"
run_check --sni app.test --ca-file "$T/priv.pem" "127.0.0.1:$PORT"
assert_exit 1
assert_jq '.observations.handshake.chain | length == 2' "two certificates sent"
assert_jq '.observations.trust.path.top_is_ca == true' "the top of the path is a CA certificate"
assert_jq '.observations.trust.path.missing_issuer | test("CN=tlsdiag Private Intermediate")' \
    "the missing issuer is the upper intermediate"
assert_finding CHAIN_INCOMPLETE
assert_no_finding UNTRUSTED_CA
assert_jq '.root_cause.id == "CHAIN_INCOMPLETE"' "the root cause is CHAIN_INCOMPLETE"
assert_finding_text CHAIN_INCOMPLETE "127\\.0\\.0\\.1:$CLOSED_PORT/inter\\.der"
assert_client curl-openssl3 fail
assert_client_reason curl-openssl3 chain
finish
