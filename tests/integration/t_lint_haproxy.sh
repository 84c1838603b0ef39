#!/usr/bin/env bash
# tlsdiag lint on HAProxy configurations, each accepted by the real HAProxy
# (haproxy -c): versions from the global ssl-default-bind-options or from a
# bind line that replaces them (CONFIG_SHADOWED at the global line),
# HAProxy's defaults, certificates from crt directories, crt-lists and
# FILE.key beside a PEM without its key, and `server ... ssl` upstreams
# without sni or verification, whose --diff patch HAProxy accepts.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd haproxy
need_cmd patch
make_ca_tree root inter
make_leaf_signed_by inter app.test
mkdir -p "$T/certs" "$T/leafonly"
cat "$T/app.test.pem" "$T/inter.pem" "$T/app.test.key" >"$T/certs/app.test.pem"
cat "$T/app.test.pem" "$T/app.test.key" >"$T/leafonly/app.test.pem"
cat "$T/app.test.pem" "$T/inter.pem" >"$T/split.pem"
cp "$T/app.test.key" "$T/split.pem.key"
printf '%s [alpn h2]\n' "$T/certs/app.test.pem" >"$T/list.txt"
PORT=$(free_port tcp)

# hap_case NAME GLOBAL-LINES: writes $T/NAME.cfg from the global lines and
# the rest read from stdin, haproxy -c accepts it, then lints it; sets CFG.
hap_case() {
    CASE=$1
    CFG="$T/$1.cfg"
    {
        printf 'global\n    maxconn 256\n'
        [ -z "$2" ] || printf '%s\n' "$2" | sed 's/^/    /'
        printf 'defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n'
        cat
    } >"$CFG"
    haproxy -c -f "$CFG" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; die "haproxy rejects $CFG"; }
    run_lint --ca-file "$T/root.pem" "$CFG"
}
CIPHERS='ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0'

hap_case bind_overrides "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
$CIPHERS" <<CFG
frontend fe
    bind 127.0.0.1:$PORT ssl crt $T/certs/app.test.pem ssl-min-ver TLSv1.0
    default_backend be
backend be
    server s1 127.0.0.1:9
CFG
assert_located LEGACY_PROTOCOL_ENABLED "$CFG" "$(line_of "$CFG" 'bind ')"
assert_located CONFIG_SHADOWED "$CFG" "$(line_of "$CFG" ssl-default-bind-options)"
assert_jq '.server == "haproxy"' "read as HAProxy"
assert_jq '.findings[] | select(.id == "LEGACY_PROTOCOL_ENABLED") | .edit.text | test("ssl-min-ver TLSv1.2$")' \
    "the edit rewrites the bind line's minimum"
assert_no_finding CHAIN_INCOMPLETE

hap_case global_legacy "ssl-default-bind-options ssl-min-ver TLSv1.0
$CIPHERS" <<CFG
frontend fe
    bind 127.0.0.1:$PORT ssl crt $T/certs/
    default_backend be
backend be
    server s1 127.0.0.1:9
CFG
assert_located LEGACY_PROTOCOL_ENABLED "$CFG" "$(line_of "$CFG" ssl-default-bind-options)"
assert_no_finding CONFIG_SHADOWED
assert_jq '.servers[0].certificates | length == 1' "the crt directory's one certificate"

hap_case defaults "" <<CFG
frontend fe
    bind 127.0.0.1:$PORT ssl crt-list $T/list.txt
    default_backend be
backend be
    server s1 127.0.0.1:9
CFG
assert_jq '.servers[0].versions == ["TLSv1.2", "TLSv1.3"]' "HAProxy's defaults: TLS 1.2 and 1.3"
assert_jq '.servers[0].protocols.default == true' "no version written"
assert_jq '.servers[0].certificates[0].certificate.value | endswith("/certs/app.test.pem")' "the crt-list's certificate"
assert_no_fail

hap_case leaf_only "" <<CFG
frontend fe
    bind 127.0.0.1:$PORT ssl crt $T/leafonly/app.test.pem
    default_backend be
backend be
    server s1 127.0.0.1:9
CFG
assert_located CHAIN_INCOMPLETE "$CFG" "$(line_of "$CFG" 'bind ')"

hap_case key_beside "" <<CFG
frontend fe
    bind 127.0.0.1:$PORT ssl crt $T/split.pem
    default_backend be
backend be
    server s1 127.0.0.1:9
CFG
assert_no_finding CONFIG_FILE_PROBLEM
assert_jq '.servers[0].certificates[0].key_matches == true' "the key read from split.pem.key"
assert_no_fail

# --live against the running HAProxy: the same certificate and versions;
# then the configuration edited without a reload
start_bg haproxy -db -f "$CFG"
HAP_PID=$BG_PID
wait_port "$PORT" 10 || die "haproxy did not start"
CASE=live
run_lint --live --ca-file "$T/root.pem" "$CFG"
assert_no_finding CONFIG_LIVE_MISMATCH
assert_jq '.listeners[0].address == "127.0.0.1:'"$PORT"'"' "the bind address is the listener checked"
sed -i "s|ssl crt $T/split.pem|ssl crt $T/split.pem ssl-max-ver TLSv1.2|" "$CFG"
assert_true "haproxy -c accepts the edit" haproxy -c -f "$CFG"
run_lint --live --ca-file "$T/root.pem" "$CFG"
assert_located CONFIG_LIVE_MISMATCH "$CFG" "$(line_of "$CFG" 'bind ')"
assert_finding_text CONFIG_LIVE_MISMATCH 'accepted: TLSv1.2 TLSv1.3'
stop_bg "$HAP_PID"

hap_case upstream "" <<CFG
frontend fe
    bind 127.0.0.1:$PORT
    default_backend be
backend be
    server s1 127.0.0.1:9 ssl verify none
CFG
assert_located CONFIG_UPSTREAM_NO_SNI "$CFG" "$(line_of "$CFG" 'server s1')"
assert_located CONFIG_UPSTREAM_NO_VERIFY "$CFG" "$(line_of "$CFG" 'server s1')"
"$TLSDIAG" lint --diff "$CFG" >"$T/fix.diff"
sed 's/^/    /' "$T/fix.diff"
assert_true "the patch applies" bash -c "cd '$T' && patch -p0 <'$T/fix.diff' >/dev/null"
assert_true "haproxy -c accepts the patched configuration" haproxy -c -f "$CFG"
run_lint "$CFG"
assert_no_finding CONFIG_UPSTREAM_NO_SNI
assert_finding CONFIG_UPSTREAM_NO_VERIFY
finish
