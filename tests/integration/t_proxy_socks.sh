#!/usr/bin/env bash
# Checks through Dante (danted, SOCKS5) started by the test: a healthy origin
# by socks5:// (the target resolved here, CONNECT by address) and by
# socks5h:// (CONNECT by name, resolved by the proxy), then PROXY_FAILURE
# for a destination its rules deny (reply 2) and for a port nothing listens
# on behind it (reply 5: the proxy could not reach the server); and Postfix
# with an expired leaf behind Dante, checked with --starttls smtp: the
# proxy's lead-in, then the upgrade, on every connection.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd /usr/sbin/danted
make_leaf localhost
cp "$T/localhost.pem" "$T/server.pem"
cp "$T/localhost.key" "$T/server.key"
start_s_server -cert_chain "$T/ca.pem"
ORIGIN=$PORT
DENIED=$(free_port tcp)
CLOSED=$(free_port tcp)
SOCKS=$(free_port tcp)
start_dante "$SOCKS" <<EOF
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = $DENIED log: error }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
EOF
wait_port "$SOCKS" 10 || die "danted did not start: $(tail -3 "$DANTE_LOG")"

for scheme in socks5 socks5h; do
    CASE=$scheme
    run_check --ca-file "$T/ca.pem" --proxy "$scheme://127.0.0.1:$SOCKS" "localhost:$ORIGIN"
    assert_no_finding PROXY_FAILURE
    assert_no_fail
    assert_exit 0
    assert_jq '.observations.proxy.scheme == "'"$scheme"'" and .observations.proxy.tunnels > 5 and .observations.proxy.refused == 0' \
        "every tunnel opened"
    assert_jq '.observations.handshake.outcome == "hello"' "the full handshake went through Dante"
    # socks5 resolves here and connects to the address; socks5h leaves the
    # name to the proxy, and makes no direct handshake (that would resolve it).
    if [ "$scheme" = socks5 ]; then
        assert_jq '.observations.proxy.target_resolved_by_proxy | not' "the target was resolved here"
    else
        assert_jq '.observations.proxy.target_resolved_by_proxy' "the proxy resolves the target"
        assert_jq '.observations.proxy.direct_handshake == null and (.observations.proxy.direct_note | test("socks5h"))' \
            "no direct handshake"
    fi
done

CASE=ruleset
run_check --ca-file "$T/ca.pem" --proxy "socks5://127.0.0.1:$SOCKS" "127.0.0.1:$DENIED"
assert_finding PROXY_FAILURE
assert_severity PROXY_FAILURE fail
assert_jq '.observations.proxy.first_refusal.kind == "socks-reply" and .observations.proxy.first_refusal.code == 2' \
    "SOCKS reply 2"
assert_finding_text PROXY_FAILURE 'connection not allowed by ruleset.*access rules'
assert_jq '[.findings[] | select(.id == "PROXY_FAILURE") | .verify][0] | test("-x socks5://127.0.0.1:'"$SOCKS"'")' \
    "the verify command goes through the SOCKS proxy"
assert_no_finding CONNECT_REFUSED

CASE=unreachable
run_check --ca-file "$T/ca.pem" --proxy "socks5h://127.0.0.1:$SOCKS" "localhost:$CLOSED"
assert_finding PROXY_FAILURE
assert_jq '.observations.proxy.first_refusal.code == 5' "SOCKS reply 5 (connection refused behind the proxy)"
assert_finding_text PROXY_FAILURE 'could not reach the server'
assert_no_finding CONNECT_REFUSED

CASE=starttls
make_starttls_certs mail.test
start_postfix "$T/mail.test-expired.pem" "$T/mail.test-old.key" "$(free_port tcp)"
SMTP=$(sed -n 's/^127.0.0.1:\([0-9]*\) .*/\1/p' "$T/postfix/conf/master.cf" | head -1)
run_check --starttls smtp --sni mail.test --ca-file "$T/root.pem" --proxy "socks5h://127.0.0.1:$SOCKS" "localhost:$SMTP"
assert_finding CERT_EXPIRED
assert_no_finding PROXY_FAILURE
assert_no_finding STARTTLS_UNAVAILABLE
assert_jq '.observations.handshake.completed == true and .observations.proxy.tunnels > 5' \
    "full handshakes through the tunnel and the upgrade"
assert_jq '[.findings[] | select(.id == "CERT_EXPIRED") | .verify][0] | test("-starttls smtp")' \
    "the verify command goes through the upgrade"
finish
