#!/usr/bin/env bash
# NOT_TLS: ports that speak another protocol, each named in the finding:
# fake_tls.py http/ssh/smtp/imap/pop3/ftp, a bare "220" greeting (greet220),
# and a real nginx plain-HTTP port.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

check_not_tls() { # PORT PROTOCOL-NAME
    run_check "127.0.0.1:$1"
    assert_finding NOT_TLS
    assert_severity NOT_TLS fail
    assert_exit 1
    assert_finding_text NOT_TLS "$2"
    assert_jq ".observations.baseline.outcome == \"not-tls\" and .observations.baseline.protocol == \"$2\"" \
        "baseline attempt recognised as $2"
    assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not reported as supported"
}

for mode in http ssh smtp imap pop3 ftp; do
    CASE=$mode
    start_fake "$mode"
    check_not_tls "$PORT" "$(echo "$mode" | tr '[:lower:]' '[:upper:]')"
    stop_bg "$BG_PID"
done

# A bare "220" fits SMTP and FTP: no one upgrade to try, so none is, and the
# finding names both flags.
CASE=greet220
start_fake greet220
check_not_tls "$PORT" 'SMTP/FTP'
assert_jq '.target.starttls == null' "no upgrade tried from a greeting that fits two protocols"
assert_jq '[.findings[] | select(.id == "NOT_TLS") | .fix][0] | test("--starttls smtp") and test("--starttls ftp")' \
    "NOT_TLS names --starttls smtp and --starttls ftp"
stop_bg "$BG_PID"

CASE=nginx-http
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT;
        location / { return 200 "plain http\n"; }
    }
NGX
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "nginx answers plain HTTP on $PORT" \
    bash -c "curl -s --max-time 5 http://127.0.0.1:$PORT/ | grep -q 'plain http'"
check_not_tls "$PORT" 'HTTP'
finish
