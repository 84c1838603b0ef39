#!/usr/bin/env bash
# WEAK_CIPHERS_ONLY: gnutls-serv limited to TLS 1.2 and
# TLS_RSA_WITH_3DES_EDE_CBC_SHA (0x000a).  The local OpenSSL has no 3DES at
# all, so finding this suite shows the enumeration does not depend on it.
# gnutls-serv listens on every address: run in a private network namespace.
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd gnutls-serv
make_leaf server
start_gnutls 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL'
assert_true "the server refuses AES suites" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256' 2>&1 | grep -q 'alert'"

run_check "127.0.0.1:$PORT"
assert_finding WEAK_CIPHERS_ONLY
assert_no_finding WEAK_CIPHERS_ENABLED
assert_exit_consistent
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_jq 'vsuites("TLS 1.2") | has_code(10; ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"])' \
    "TLS 1.2 suites include 0x000a"
assert_jq '(vsuites("TLS 1.2") | length) == 1' "exactly one TLS 1.2 suite"
assert_jq 'vsupported("TLS 1.3") | not' "TLS 1.3 not supported"
finish
