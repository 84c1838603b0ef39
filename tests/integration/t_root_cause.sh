#!/usr/bin/env bash
# Root cause first: the report opens with the finding that explains the
# others, and the JSON links each symptom to it.
#   1. fake_tls.py intolerant: resets every hello offering TLS 1.3 and
#      answers TLS 1.2 ones.  Modern clients fail (reset after the
#      ClientHello) while old ones get an answer: the root cause is the
#      server's version intolerance, and the CLIENT_INCOMPATIBLE findings of
#      the modern clients are its symptoms.
#   2. a healthy s_server (TLS 1.2 and 1.3, RSA 2048, test CA given): no
#      root cause of severity fail.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_clients chrome firefox
make_leaf server

CASE=intolerant
start_fake intolerant --cert "$T/server.der"
assert_true "a TLS 1.3 hello is reset" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT 2>&1 | grep -qE 'errno=104|reset'"
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding VERSION_INTOLERANCE
assert_jq '.root_cause | type == "object"' "root_cause is set"
assert_jq '.root_cause.id == "VERSION_INTOLERANCE"' "the root cause is VERSION_INTOLERANCE"
assert_jq '.findings[.root_cause.index].id == .root_cause.id' "root_cause.index points at that finding"
assert_jq '.root_cause.index == 0' "the report opens with it"
assert_jq '.root_cause.summary | type == "string" and length > 10' "root_cause has a summary"
for c in chrome firefox; do
    assert_client "$c" fail
    assert_client_incompatible "$c"
    assert_client_reason "$c" reset
done
assert_jq '[.findings[] | select(.id == "CLIENT_INCOMPATIBLE")] | length > 0' "some CLIENT_INCOMPATIBLE findings"
# shellcheck disable=SC2016  # jq variables
assert_jq '.root_cause as $r | [.findings[] | select(.id == "CLIENT_INCOMPATIBLE" and (.summary | test("Chrome|Firefox"; "i")))]
    | length > 0 and all(.symptom_of == $r.index or .symptom_of == $r.id)' \
    "the browsers' CLIENT_INCOMPATIBLE findings are symptoms of the root cause"
assert_jq '.findings[.root_cause.index].symptom_of == null or .findings[.root_cause.index].symptom_of == -1' \
    "the root cause is nobody's symptom"
stop_bg "$BG_PID"

CASE=healthy
# shellcheck disable=SC2119  # the default s_server: no options
start_s_server
run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq '.root_cause == null or (.findings[.root_cause.index].severity != "fail")' \
    "no root cause of severity fail"
assert_no_finding VERSION_INTOLERANCE
assert_client chrome ok
assert_client firefox ok
finish
