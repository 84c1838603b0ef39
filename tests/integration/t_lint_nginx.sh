#!/usr/bin/env bash
# tlsdiag lint on nginx configurations, one fault each: every configuration
# is first accepted by the real nginx (nginx -t), then linted; each finding
# must name its ID and the file:line that decides.  Healthy configurations
# after Mozilla's modern, intermediate and old profiles give no fail.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
make_leaf_signed_by inter other.test
make_leaf_signed_by inter small.test key=rsa1024
make_leaf_signed_by inter old.test start="$(date_from_now -30)" end="$(date_from_now -1)"
cat "$T/app.test.pem" "$T/inter.pem" >"$T/app.test-full.pem"
cat "$T/small.test.pem" "$T/inter.pem" >"$T/small.test-full.pem"
cat "$T/old.test.pem" "$T/inter.pem" >"$T/old.test-full.pem"
PORT=$(free_port tcp)
INTERMEDIATE='ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305'

# lint_case NAME [LINT ARGS...]: writes the http{} body from stdin as
# $T/NAME/nginx.conf (nginx -t must accept it), then lints it; sets CONF.
lint_case() {
    CASE=$1
    shift
    NGINX_NAME=$CASE write_nginx_conf
    CONF="$NGINX_DIR/nginx.conf"
    run_lint --ca-file "$T/root.pem" "$@" "$CONF"
}

# server_block PROTOCOLS CIPHERS CERT KEY [NAME]: one TLS server{}.
server_block() {
    cat <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name ${5:-app.test};
        ${1:+ssl_protocols $1;}
        ${2:+ssl_ciphers $2;}
        ssl_certificate $3;
        ssl_certificate_key $4;
    }
NGX
}

server_block "TLSv1 TLSv1.1 TLSv1.2" "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0" \
    "$T/app.test-full.pem" "$T/app.test.key" >"$T/body"
lint_case legacy <"$T/body"
assert_located LEGACY_PROTOCOL_ENABLED "$CONF" "$(line_of "$CONF" ssl_protocols)"
assert_located TLS13_MISSING "$CONF" "$(line_of "$CONF" ssl_protocols)"
assert_jq '.servers[0].versions == ["TLSv1", "TLSv1.1", "TLSv1.2"]' "the versions OpenSSL will negotiate"
assert_jq '.servers[0].ciphers.tls12 | index("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA") != null' "ssl_ciphers expanded into IANA names"
assert_jq '.findings[] | select(.id == "LEGACY_PROTOCOL_ENABLED") | .edit.text == "ssl_protocols TLSv1.2 TLSv1.3;"' "the exact edit"
assert_exit 0

server_block "TLSv1 TLSv1.1" "ECDHE-RSA-AES128-SHA:@SECLEVEL=0" "$T/app.test-full.pem" "$T/app.test.key" >"$T/body"
lint_case too_old <"$T/body"
assert_located PROTOCOL_TOO_OLD "$CONF" "$(line_of "$CONF" ssl_protocols)"
assert_exit 1

server_block "TLSv1.2" "ECDHE-ECDSA-AES128-GCM-SHA256" "$T/app.test-full.pem" "$T/app.test.key" >"$T/body"
lint_case no_shared_cipher <"$T/body"
assert_located NO_SHARED_CIPHER "$CONF" "$(line_of "$CONF" ssl_ciphers)"
assert_exit 1

server_block "TLSv1.2 TLSv1.3" "ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:@SECLEVEL=0" "$T/app.test-full.pem" \
    "$T/app.test.key" >"$T/body"
lint_case weak <"$T/body"
assert_located WEAK_CIPHERS_ENABLED "$CONF" "$(line_of "$CONF" ssl_ciphers)"
assert_jq '.servers[0].ciphers.tls12 | index("TLS_RSA_WITH_NULL_SHA256") != null' "NULL-SHA256 in the expansion"

server_block "TLSv1.2 TLSv1.3" "ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256" "$T/app.test-full.pem" \
    "$T/app.test.key" >"$T/body"
lint_case tls13_in_ciphers <"$T/body"
assert_located CONFIG_SHADOWED "$CONF" "$(line_of "$CONF" ssl_ciphers)"
assert_jq '.findings[] | select(.id == "CONFIG_SHADOWED") | .edit.text == "ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;"' \
    "the edit drops the TLS 1.3 name"

{
    server_block "TLSv1.2 TLSv1.3" "" "$T/app.test-full.pem" "$T/app.test.key"
    server_block "TLSv1.3" "" "$T/other.test-full.pem" "$T/other.test.key" other.test
} >"$T/two.body"
cat "$T/other.test.pem" "$T/inter.pem" >"$T/other.test-full.pem"
lint_case shadowed_protocols <"$T/two.body"
assert_located CONFIG_SHADOWED "$CONF" "$(grep -n 'ssl_protocols TLSv1.3;' "$CONF" | cut -d: -f1)"
assert_jq '.servers[1].versions_decided_by.line == .servers[0].location.line' "the default server decides"

# a name two servers of one address claim: nginx warns and starts; the
# second one never answers to it
{
    server_block "TLSv1.2 TLSv1.3" "" "$T/app.test-full.pem" "$T/app.test.key"
    server_block "TLSv1.2 TLSv1.3" "" "$T/app.test-full.pem" "$T/app.test.key"
} >"$T/body"
lint_case duplicate_name <"$T/body"
assert_true "nginx warns about the conflicting name" grep -q "conflicting server name" "$NGINX_DIR/test.log"
assert_located CONFIG_SHADOWED "$CONF" "$(grep -n 'server_name app.test;' "$CONF" | sed -n 2p | cut -d: -f1)"
assert_jq '[.findings[] | select(.id == "CONFIG_SHADOWED")] | length == 1' "only the second one"

server_block "TLSv1.2 TLSv1.3" "" "$T/app.test.pem" "$T/app.test.key" >"$T/body"
lint_case chain <"$T/body"
assert_located CHAIN_INCOMPLETE "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"
assert_exit 1

lint_case client_cert <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name app.test;
        ssl_certificate $T/app.test-full.pem;
        ssl_certificate_key $T/app.test.key;
        ssl_client_certificate $T/root.pem;
        ssl_verify_client on;
    }
NGX
assert_located CLIENT_CERT_REQUIRED "$CONF" "$(line_of "$CONF" ssl_verify_client)"
assert_severity CLIENT_CERT_REQUIRED warn

make_leaf_signed_by inter ocsp.test ocsp=http://127.0.0.1:9/ocsp
cat "$T/ocsp.test.pem" "$T/inter.pem" >"$T/ocsp.test-full.pem"
server_block "TLSv1.2 TLSv1.3" "" "$T/ocsp.test-full.pem" "$T/ocsp.test.key" ocsp.test >"$T/body"
lint_case stapling <"$T/body"
assert_located OCSP_STAPLING_MISSING "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"
assert_severity OCSP_STAPLING_MISSING info
assert_jq '.findings[] | select(.id == "OCSP_STAPLING_MISSING") | .edit.text == "ssl_stapling on;"' "the edit turns stapling on"

server_block "TLSv1.2 TLSv1.3" "" "$T/old.test-full.pem" "$T/old.test.key" old.test >"$T/body"
lint_case expired <"$T/body"
assert_located CERT_EXPIRED "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"

server_block "TLSv1.2 TLSv1.3" "" "$T/app.test-full.pem" "$T/app.test.key" www.elsewhere.test >"$T/body"
lint_case hostname <"$T/body"
assert_located HOSTNAME_MISMATCH "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"
assert_finding_text HOSTNAME_MISMATCH 'www\.elsewhere\.test'

server_block "TLSv1.2 TLSv1.3" "DEFAULT:@SECLEVEL=0" "$T/small.test-full.pem" "$T/small.test.key" small.test >"$T/body"
lint_case key_small <"$T/body"
assert_located KEY_TOO_SMALL "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"

# A renewal gone wrong: the configuration nginx accepted now names a file
# that is no PEM, or a key that belongs to another certificate.
cp "$T/app.test-full.pem" "$T/broken.pem"
cp "$T/app.test.key" "$T/swapped.key"
server_block "TLSv1.2 TLSv1.3" "" "$T/broken.pem" "$T/swapped.key" >"$T/body"
NGINX_NAME=files write_nginx_conf <"$T/body"
echo "garbage" >"$T/broken.pem"
CASE=file_problem
CONF="$NGINX_DIR/nginx.conf"
run_lint --ca-file "$T/root.pem" "$CONF"
assert_located CONFIG_FILE_PROBLEM "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"
assert_true "nginx -t refuses it now, as the finding says" bash -c "! nginx -t -p '$NGINX_DIR' -c '$CONF' -e /dev/null 2>/dev/null"
cp "$T/app.test-full.pem" "$T/broken.pem"
cp "$T/other.test.key" "$T/swapped.key"
CASE=key_mismatch
run_lint --ca-file "$T/root.pem" "$CONF"
assert_located CONFIG_CERT_KEY_MISMATCH "$CONF" "$(line_of "$CONF" 'ssl_certificate_key')"
assert_true "nginx -t refuses it now, as the finding says" bash -c "! nginx -t -p '$NGINX_DIR' -c '$CONF' -e /dev/null 2>/dev/null"

lint_case upstream <<NGX
    server {
        listen 127.0.0.1:$PORT;
        location / {
            proxy_pass https://127.0.0.1:9;
        }
    }
NGX
assert_located CONFIG_UPSTREAM_NO_SNI "$CONF" "$(line_of "$CONF" proxy_pass)"
assert_located CONFIG_UPSTREAM_NO_VERIFY "$CONF" "$(line_of "$CONF" proxy_pass)"
assert_exit 1

# Mozilla's profiles (server-side TLS guidelines 5.7), as nginx settings:
# no fail; with --profile, no departure from the profile followed, and the
# departures from a stricter one.
make_leaf_signed_by inter ec.test key=ec256 days=90
cat "$T/ec.test.pem" "$T/inter.pem" >"$T/ec.test-full.pem"
profile_block() { # VERSIONS CIPHERS PREFER CERT KEY
    cat <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name ${6:-app.test};
        ssl_protocols $1;
        ${2:+ssl_ciphers $2;}
        ssl_prefer_server_ciphers $3;
        ssl_ecdh_curve X25519:prime256v1:secp384r1;
        ssl_stapling on;
        ssl_certificate $4;
        ssl_certificate_key $5;
    }
NGX
}
profile_block "TLSv1.2 TLSv1.3" "$INTERMEDIATE" off "$T/app.test-full.pem" "$T/app.test.key" >"$T/body"
lint_case intermediate <"$T/body"
assert_no_fail
assert_jq '[.findings[] | select(.severity != "info")] | length == 0' "no warning either"
assert_exit 0
run_lint --profile intermediate --ca-file "$T/root.pem" "$CONF"
assert_no_finding CONFIG_PROFILE_DEVIATION
assert_jq '.profile.name == "intermediate" and .profile.guidelines_version == "5.7" and (.profile.source | test("ssl-config.mozilla.org"))' \
    "the profile's name, version and source"
run_lint --profile modern --ca-file "$T/root.pem" "$CONF"
assert_located CONFIG_PROFILE_DEVIATION "$CONF" "$(line_of "$CONF" ssl_protocols)"
assert_located CONFIG_PROFILE_DEVIATION "$CONF" "$(line_of "$CONF" 'ssl_certificate ')"
assert_jq '.findings[] | select(.id == "CONFIG_PROFILE_DEVIATION" and (.location.line | tostring) == "'"$(line_of "$CONF" ssl_protocols)"'") | .edit.text == "ssl_protocols TLSv1.3;"' \
    "the edit sets the modern versions"

profile_block "TLSv1.3" "" off "$T/ec.test-full.pem" "$T/ec.test.key" ec.test >"$T/body"
lint_case modern --profile modern <"$T/body"
assert_no_fail
assert_no_finding CONFIG_PROFILE_DEVIATION
assert_exit 0

OLD='ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0'
profile_block "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3" "$OLD" on "$T/app.test-full.pem" "$T/app.test.key" >"$T/body"
lint_case old --profile old <"$T/body"
assert_no_fail
assert_no_finding CONFIG_PROFILE_DEVIATION
assert_finding LEGACY_PROTOCOL_ENABLED
finish
