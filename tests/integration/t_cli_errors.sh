#!/usr/bin/env bash
# Command-line errors: exit 2 with one line on stderr, and --help.  Nothing
# here reaches the network: every case is refused before any lookup.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

[ -x "$TLSDIAG" ] || die "binary $TLSDIAG is missing (build it with make)"

# run_cli ARGS...: exit code in RC, stdout/stderr in $T/cli.out / $T/cli.err
run_cli() {
    echo "\$ tlsdiag $*"
    timeout 20 "$TLSDIAG" "$@" >"$T/cli.out" 2>"$T/cli.err"
    RC=$?
    echo "  exit $RC; stderr: $(head -c 300 "$T/cli.err")"
}

# expect_usage_error DESCRIPTION ARGS...: exit 2, exactly one stderr line,
# nothing on stdout
expect_usage_error() {
    local desc=$1
    shift
    CASE=$desc
    run_cli "$@"
    assert_exit 2
    assert_true "one line on stderr" test "$(wc -l <"$T/cli.err")" -eq 1
    assert_true "nothing on stdout" test ! -s "$T/cli.out"
}

expect_usage_error "bad port" check --json 127.0.0.1:99999
expect_usage_error "port zero" check 127.0.0.1:0
expect_usage_error "empty target" check ""
expect_usage_error "no target" check
expect_usage_error "unknown option" check --no-such-option 127.0.0.1:443
expect_usage_error "missing ca file" check --ca-file "$T/does-not-exist.pem" 127.0.0.1:443
expect_usage_error "bad timeout" check --timeout abc 127.0.0.1:443
expect_usage_error "unknown --format" check --format xml 127.0.0.1:443
expect_usage_error "--html without a file name" check --html "" 127.0.0.1:443
expect_usage_error "unknown command" frobnicate 127.0.0.1:443
expect_usage_error "unknown client level" check --clients ancient 127.0.0.1:443
assert_true "stderr names the levels" grep -q "unknown client level 'ancient': use modern, intermediate or old" \
    "$T/cli.err"
expect_usage_error "verbose takes no value" check --verbose=yes 127.0.0.1:443
expect_usage_error "unknown STARTTLS protocol" check --starttls gopher 127.0.0.1:25
assert_true "stderr names the STARTTLS protocols" grep -q "unknown STARTTLS protocol 'gopher': one of smtp, lmtp, imap" \
    "$T/cli.err"
expect_usage_error "https:// proxy" check --proxy https://127.0.0.1:3128 127.0.0.1:443
assert_true "stderr says https proxies are not supported" grep -q "https:// proxies (TLS to the proxy) are not supported" \
    "$T/cli.err"
expect_usage_error "proxy URL with a path" check --proxy http://127.0.0.1:3128/x 127.0.0.1:443
expect_usage_error "bad pin" check --pin sha256//short 127.0.0.1:443
expect_usage_error "pin of another hash" check --pin "sha1//AAAAAAAAAAAAAAAAAAAAAAAAAAA=" 127.0.0.1:443
expect_usage_error "empty expected issuer" check --expect-issuer "" 127.0.0.1:443

CASE=help
run_cli --help
assert_exit 0
assert_true "--help prints usage naming 'check'" grep -q 'check' "$T/cli.out"
CASE="check --help"
run_cli check --help
assert_exit 0
assert_true "check --help lists --json" grep -q -- '--json' "$T/cli.out"
assert_true "check --help lists --format and html" grep -q -- '--format FORMAT .*json.*\|or html' "$T/cli.out"
assert_true "check --help lists --html FILE" grep -q -- '--html FILE' "$T/cli.out"
assert_true "check --help lists --deadline" grep -q -- '--deadline' "$T/cli.out"
assert_true "check --help lists --clients and its levels" grep -q -- '--clients LEVEL  *the clients the server' "$T/cli.out"
assert_true "check --help lists -v, --verbose" grep -q -- '-v, --verbose' "$T/cli.out"
assert_true "check --help lists --proxy URL" grep -q -- '--proxy URL  *every connection through this proxy' "$T/cli.out"
assert_true "check --help lists --starttls PROTO" grep -q -- '--starttls PROTO  *upgrade each connection' "$T/cli.out"
finish
