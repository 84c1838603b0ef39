#!/usr/bin/env bash
# tlsdiag check --html FILE: one self-contained page, valid HTML (tidy),
# rendered by headless Chromium with the verdict, the broken ladder step in
# red and a row per simulated client, and no request leaving it (a trap
# stands in as Chromium's proxy for every URL).  Two servers:
#   1. nginx serving an expired leaf (the Certificate step breaks)
#   2. openssl s_server speaking TLS 1.0 only, self-signed (the Certificate
#      step breaks; the unit test draws a ServerHello answered by an alert)
# The screenshots stay in tests/tmp/logs/.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
need_cmd tidy
assert_true "headless Chromium is installed (Debian package chromium: scripts/deps.sh test)" test -n "$CHROMIUM"
[ -z "$CHROMIUM" ] || start_request_trap

# check_page FILE BROKEN_LABEL VERDICT: what every page must be.
check_page() {
    local page=$1 broken=$2 verdict=$3
    assert_true "the page was written" test -s "$page"
    tidy_clean "$page"
    assert_self_contained "$page"
    assert_true "the verdict is at the top" bash -c "grep -q 'id=\"verdict\"><strong>$verdict</strong>' '$page'"
    assert_true "the root cause has a verify command with a copy button" bash -c \
        "grep -q 'id=\"root-cause\"' '$page' && grep -q 'data-copy=\"verify-' '$page'"
    [ -n "$CHROMIUM" ] || return 0

    render_page "$page" "$CASE"
    local dom=$DOM
    assert_true "the DOM has the verdict $verdict" bash -c "grep -q 'id=\"verdict\"><strong>$verdict</strong>' '$dom'"
    assert_true "the DOM has the $broken step drawn broken (red)" bash -c \
        "grep -q '<g class=\"step broken\" data-label=\"$broken\"' '$dom' && grep -q 'stroke=\"#b00020\"' '$dom'"
    local want got
    want=$(jq '.clients | length' "$OUT")
    got=$(grep -c '<tr class="client ' "$dom")
    assert_true "a row per simulated client ($want in the JSON, $got in the DOM)" test "$want" -gt 0 -a "$want" = "$got"
}

CASE=expired
make_ca_tree root inter
make_leaf_signed_by inter app.test "start=$(date_from_now -400)" "end=$(date_from_now -10)"
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test
run_check --sni app.test --ca-file "$T/root.pem" --html "$T/expired.html" "127.0.0.1:$PORT"
assert_finding CERT_EXPIRED
assert_exit 1
check_page "$T/expired.html" Certificate FAIL
assert_true "the page names the root cause CERT_EXPIRED" grep -q '<code class="id">CERT_EXPIRED</code>' "$T/expired.html"
stop_all

CASE=tls10
make_leaf server
start_s_server -tls1 -cipher 'DEFAULT@SECLEVEL=0'
run_check --html "$T/tls10.html" "127.0.0.1:$PORT"
assert_finding PROTOCOL_TOO_OLD
assert_exit 1
# the baseline gets a TLS 1.0 ServerHello; the self-signed leaf is where a
# client stops
check_page "$T/tls10.html" Certificate FAIL
assert_true "the broken step says why" bash -c "grep -A3 'class=\"step broken\"' '$T/tls10.html' | grep -q 'not in the trust store'"
assert_true "the versions table says TLS 1.0 is accepted" bash -c \
    "grep -q '<tr><td>TLS 1.0</td><td>&#x2713;\\|<tr><td>TLS 1.0</td><td>✓ accepted' '$T/tls10.html'"

CASE=stdout
"$TLSDIAG" check --format html --timeout 2 --deadline 60 "127.0.0.1:$PORT" >"$T/stdout.html" 2>/dev/null
assert_true "--format html prints the page to standard output" bash -c \
    "head -c 15 '$T/stdout.html' | grep -q '<!DOCTYPE html>' && tail -n 1 '$T/stdout.html' | grep -q '</html>'"
finish
