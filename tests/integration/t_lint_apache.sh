#!/usr/bin/env bash
# tlsdiag lint on Apache httpd configurations, each accepted by the real
# httpd (apache2 -t): IncludeOptional of a sites directory (and an empty
# glob), Define and ${VAR}, <IfModule> that holds and one that does not,
# SSLProtocol at the server level or in the <VirtualHost>, the certificate
# with and without SSLCertificateChainFile, ProxyPass to https:// without
# SSLProxyVerify; the --diff patch, which httpd accepts.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd apache2
need_cmd patch
make_ca_tree root inter
make_leaf_signed_by inter app.test
PORT=$(free_port tcp)
MODS=/usr/lib/apache2/modules

# apache_case NAME VHOST-BODY: $T/NAME/httpd.conf (the server level, with
# SSLProtocol all -SSLv3 in an <IfModule ssl_module>) and sites/app.conf
# (the <VirtualHost> with VHOST-BODY), checked with apache2 -t, then linted.
apache_case() {
    CASE=$1
    D="$T/$1"
    mkdir -p "$D/sites" "$D/empty"
    cat >"$D/httpd.conf" <<CONF
ServerRoot $D
PidFile $D/httpd.pid
Define CERTS $T
Listen 127.0.0.1:$PORT
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule ssl_module $MODS/mod_ssl.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
ErrorLog $D/error.log
ServerName app.test
DocumentRoot $D
Mutex file:$D default
<IfModule ssl_module>
    SSLProtocol all -SSLv3
    SSLCipherSuite HIGH:!aNULL:@SECLEVEL=0
</IfModule>
<IfModule !ssl_module>
    SSLProtocol TLSv1
</IfModule>
IncludeOptional empty/*.conf
IncludeOptional sites/*.conf
CONF
    {
        echo "<VirtualHost 127.0.0.1:$PORT>"
        echo "    ServerName app.test"
        echo "    SSLEngine on"
        cat
        echo "</VirtualHost>"
    } >"$D/sites/app.conf"
    /usr/sbin/apache2 -t -f "$D/httpd.conf" >"$D/test.log" 2>&1 || { cat "$D/test.log" >&2; die "httpd rejects $D"; }
    CONF="$D/httpd.conf"
    SITE="$D/sites/app.conf"
    run_lint --ca-file "$T/root.pem" "$CONF"
}

apache_case server_level <<'SITE'
    SSLCertificateFile ${CERTS}/app.test.pem
    SSLCertificateChainFile ${CERTS}/inter.pem
    SSLCertificateKeyFile ${CERTS}/app.test.key
SITE
assert_jq '.server == "apache"' "read as Apache httpd"
assert_located LEGACY_PROTOCOL_ENABLED "$CONF" "$(line_of "$CONF" 'SSLProtocol all')"
assert_jq '.files | length == 2' "httpd.conf and the site (the empty glob adds none)"
assert_jq '.notes | any(.text | test("ssl_module> does not hold"))' "the negated <IfModule> is not read"
assert_jq '.servers[0].certificates[0].certificate.value | startswith("'"$T"'/")' "\${CERTS} expanded"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding CONFIG_FILE_PROBLEM
assert_jq '.servers[0].certificates[0].key_matches == true' "the key matches"
"$TLSDIAG" lint --diff --ca-file "$T/root.pem" "$CONF" >"$T/fix.diff"
sed 's/^/    /' "$T/fix.diff"
assert_true "the patch applies" bash -c "cd '$D' && patch -p0 <'$T/fix.diff' >/dev/null"
assert_true "apache2 -t accepts the patched configuration" /usr/sbin/apache2 -t -f "$CONF"
run_lint --ca-file "$T/root.pem" "$CONF"
assert_no_finding LEGACY_PROTOCOL_ENABLED

apache_case vhost_level <<'SITE'
    SSLProtocol -all +TLSv1.1 +TLSv1.2
    SSLCertificateFile ${CERTS}/app.test.pem
    SSLCertificateKeyFile ${CERTS}/app.test.key
    SSLProxyEngine on
    ProxyPass /api https://backend.test:8443/
SITE
assert_located LEGACY_PROTOCOL_ENABLED "$SITE" "$(line_of "$SITE" SSLProtocol)"
assert_located TLS13_MISSING "$SITE" "$(line_of "$SITE" SSLProtocol)"
assert_located CHAIN_INCOMPLETE "$SITE" "$(line_of "$SITE" SSLCertificateFile)"
assert_located CONFIG_UPSTREAM_NO_VERIFY "$SITE" "$(line_of "$SITE" ProxyPass)"
assert_no_finding CONFIG_UPSTREAM_NO_SNI
assert_exit 1
finish
