#!/usr/bin/env bash
# STARTTLS for the protocols with no server among the test packages that
# starts without a heavy setup -- LMTP (RFC 2033), NNTP (RFC 4642),
# ManageSieve (RFC 5804), IRC (IRCv3 STARTTLS), XMPP server to server (RFC
# 6120) -- against tests/servers/starttls_server.py, which speaks each up to
# the go-ahead and then TLS with Python's ssl module: healthy through the
# upgrade, refused (STARTTLS_UNAVAILABLE in the protocol's terms), and a
# go-ahead followed at once by more bytes, as a server answering commands
# injected before the upgrade does (CVE-2011-0411): refused too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_starttls_certs dir.test
SERVER="$ROOT/tests/servers/starttls_server.py"

start_scripted() { # PROTO MODE: sets PORT
    PORT=$(free_port)
    start_bg "$PYTHON" "$SERVER" --port "$PORT" --proto "$1" --mode "$2" --cert "$T/dir.test-good.pem" \
        --key "$T/dir.test.key"
    wait_log "$BG_LOG" '^ready$' 10 || die "starttls_server.py $1 $2 did not start"
}

declare -A REFUSED=(
    [lmtp]='STARTTLS answered .454 4.7.0 TLS not available'
    [nntp]='STARTTLS answered .580 Can not initiate'
    [sieve]='STARTTLS answered .NO "TLS unavailable"'
    [irc]='STARTTLS answered .:irc.test 691'
    [xmpp-server]='STARTTLS answered <failure/>'
)
for proto in lmtp nntp sieve irc xmpp-server; do
    start_scripted "$proto" ok
    CASE=$proto-healthy
    check_starttls_healthy "$proto" "$PORT" dir.test
    start_scripted "$proto" refuse
    CASE=$proto-refused
    check_starttls_unavailable "$proto" "$PORT" "${REFUSED[$proto]}" --sni dir.test
    start_scripted "$proto" inject
    CASE=$proto-injected
    check_starttls_unavailable "$proto" "$PORT" "unexpected bytes after the $proto upgrade answer" --sni dir.test
done
finish
