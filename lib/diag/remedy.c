/* Advice for a client that cannot connect: the server change that lets it
 * through, in nginx, Apache httpd and HAProxy words, and an s_client
 * command that offers what the client offers, so it fails while the client
 * would and passes once the fix is in.  The verdict itself is clients.c's.
 *
 * No I/O: the client's profile, the server's answers and the advice
 * context (lib/diag/advice.h) are all it reads. */
#include <stdio.h>
#include <string.h>

#include "../wire/tls.h"
#include "clients_int.h"

#define FIX_SUITES    4   /* suites named in a suggested cipher list */

/* ---- server configuration words ----------------------------------------- */

/* The protocol names of nginx `ssl_protocols` and Apache `SSLProtocol`. */
static const char *nginx_ver(uint16_t v)
{
    switch (v) {
    case TD_SSL3: return "SSLv3";
    case TD_TLS10: return "TLSv1";
    case TD_TLS11: return "TLSv1.1";
    case TD_TLS12: return "TLSv1.2";
    case TD_TLS13: return "TLSv1.3";
    }
    return NULL;
}

/* HAProxy's `ssl-min-ver`/`ssl-max-ver` names: nginx's, but "TLSv1.0". */
static const char *haproxy_ver(uint16_t v)
{
    return v == TD_TLS10 ? "TLSv1.0" : nginx_ver(v);
}

/* OpenSSL's names for the groups s_client and servers accept everywhere. */
static const char *ossl_group(uint16_t id)
{
    switch (id) {
    case TD_GROUP_SECP256R1: return "P-256";
    case TD_GROUP_SECP384R1: return "P-384";
    case TD_GROUP_SECP521R1: return "P-521";
    case TD_GROUP_X25519: return "X25519";
    case TD_GROUP_X448: return "X448";
    }
    return NULL;
}

static void ossl_groups(td_str *b, const uint16_t *g, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = ossl_group(g[i]);
        if (s)
            td_str_printf(b, "%s%s", k++ ? ":" : "", s);
    }
}

/* The client's suites for a version, in its order, as OpenSSL names; at
 * most max (0 = all); only strong ones when strong is set; only those
 * authenticated by `auth` unless it is TD_AU_NONE. */
static size_t ossl_suites(td_str *b, const td_client *c, uint16_t v, size_t max, bool strong, td_auth auth)
{
    size_t k = 0;
    for (size_t i = 0; i < n_suites(c) && (!max || k < max); i++) {
        const td_suite *s = td_suite_by_id(c->suites[i]);
        if (!suite_for(s, v) || !s->openssl || (strong && (td_suite_weak(s) || !td_suite_fs(s))))
            continue;
        if (auth != TD_AU_NONE && s->auth != auth && v != TD_TLS13)
            continue;
        if (v != TD_TLS13 && s->max_version == TD_TLS13)
            continue;
        td_str_printf(b, "%s%s", k++ ? ":" : "", s->openssl);
    }
    return k;
}

/* ---- fixes --------------------------------------------------------------- */

static void fix_version(const struct jctx *x, const judgement *j, td_str *f)
{
    const td_obs *o = x->o;
    const td_client *c = j->c;
    uint16_t sv[TD_NVERSIONS];
    size_t nsv = server_versions(o, sv);
    uint16_t cmax = client_max(c), cmin = client_min(c);
    /* The version to add: the client's newest when the server is newer,
     * else TLS 1.2 (or the client's oldest, when that is newer). */
    uint16_t add = nsv && sv[nsv - 1] > cmax ? cmax : (cmin > TD_TLS12 ? cmin : TD_TLS12);
    if (!nginx_ver(add))
        add = TD_TLS12;
    uint16_t set[TD_NVERSIONS + 1];
    size_t k = 0;
    for (size_t i = 0; i < nsv; i++)
        if (nginx_ver(sv[i]) && sv[i] >= TD_TLS10)
            set[k++] = sv[i];
    if (!has16(set, k, add))
        set[k++] = add;
    uint16_t lo = 0xffff, hi = 0;
    for (size_t i = 0; i < k; i++) {
        lo = set[i] < lo ? set[i] : lo;
        hi = set[i] > hi ? set[i] : hi;
    }
    td_str ng, ap;
    td_str_init(&ng);
    td_str_init(&ap);
    for (uint16_t v = TD_TLS10; v <= TD_TLS13; v++)
        if (v >= lo && v <= hi) {
            td_str_printf(&ng, "%s%s", ng.len ? " " : "", nginx_ver(v));
            td_str_printf(&ap, " +%s", nginx_ver(v));
        }
    if (add < TD_TLS12)
        td_str_printf(f, "%s speaks only up to %s, which RFC 8996 deprecates: upgrading the client is the real fix. "
                         "If it must be served, ",
                      j->sname, td_version_name(add));
    td_str_printf(f, "%s %s for %s alongside what the server speaks now: nginx `ssl_protocols %s;`; Apache "
                     "`SSLProtocol -all%s`; HAProxy `ssl-default-bind-options ssl-min-ver %s ssl-max-ver %s` in "
                     "`global` (or the same options on the `bind` line: a bind line's own options override the "
                     "global ones). ",
                  add < TD_TLS12 ? "enable" : "Enable", td_version_name(add), j->sname,
                  ng.s ? ng.s : "TLSv1.2 TLSv1.3", ap.s ? ap.s : " +TLSv1.2", haproxy_ver(lo), haproxy_ver(hi));
    td_str_free(&ng);
    td_str_free(&ap);
    if (add < TD_TLS12)
        td_str_add(f, "With OpenSSL 3 the protocol list alone is not enough: its security level 1 and above refuses "
                      "TLS 1.0 and 1.1 (their handshake signatures use SHA-1/MD5), so the cipher list must also end "
                      "in `:@SECLEVEL=0` (nginx `ssl_ciphers`, Apache `SSLCipherSuite`, HAProxy "
                      "`ssl-default-bind-ciphers`). ");
    if (add != TD_TLS13) {
        td_str s;
        td_str_init(&s);
        if (ossl_suites(&s, c, add, FIX_SUITES, add >= TD_TLS12, TD_AU_NONE) > 0)
            td_str_printf(f, "Make sure the %s cipher list (nginx `ssl_ciphers`, Apache `SSLCipherSuite`, HAProxy "
                             "`ssl-default-bind-ciphers`) holds suites %s offers, e.g. `%s`.",
                          td_version_name(add), j->sname, s.s);
        td_str_free(&s);
    } else {
        td_str_add(f, "TLS 1.3 needs OpenSSL 1.1.1 or later under the server.");
    }
}

/* The server's accepted suites for a version as an OpenSSL list, then the
 * client's `add` (already colon-separated), without repeats. */
static void merged_list(const td_obs *o, uint16_t v, const char *add, td_str *out)
{
    int vi = td_vidx(v);
    size_t n = vi >= 0 ? server_suites_n(o, vi) : 0;
    for (size_t i = 0; i < n; i++) {
        const td_suite *s = td_suite_by_id(o->suites[vi][i]);
        if (s && s->openssl)
            td_str_printf(out, "%s%s", out->len ? ":" : "", s->openssl);
    }
    const char *p = add;
    while (p && *p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool dup = false;
        for (const char *q = out->s; q && *q && !dup;) {
            const char *qe = strchr(q, ':');
            size_t ql = qe ? (size_t)(qe - q) : strlen(q);
            dup = ql == len && strncmp(q, p, len) == 0;
            q = qe ? qe + 1 : q + ql;
        }
        if (!dup)
            td_str_printf(out, "%s%.*s", out->len ? ":" : "", (int)len, p);
        p = end ? end + 1 : NULL;
    }
}

static void fix_suite(const struct jctx *x, const judgement *j, td_str *f)
{
    const td_client *c = j->c;
    uint16_t v = j->shared_version ? j->shared_version : TD_TLS12;
    td_str s, all;
    td_str_init(&s);
    td_str_init(&all);
    if (v == TD_TLS13) {
        ossl_suites(&s, c, v, FIX_SUITES, true, TD_AU_NONE);
        merged_list(x->o, v, s.s, &all);
        const char *l = all.s ? all.s : "TLS_AES_128_GCM_SHA256";
        td_str_printf(f, "Add TLS 1.3 suites %s offers (%s): nginx `ssl_conf_command Ciphersuites %s;` (nginx "
                         "1.19.4+); Apache `SSLOpenSSLConfCmd Ciphersuites %s`; HAProxy "
                         "`ssl-default-bind-ciphersuites %s` (or `ciphersuites` on the `bind` line). With OpenSSL "
                         "1.1.1 and later the TLS 1.3 suites are not set by nginx `ssl_ciphers`, Apache "
                         "`SSLCipherSuite` or HAProxy `ssl-default-bind-ciphers`: those lists cover TLS 1.2 and "
                         "below only.",
                      j->sname, s.s ? s.s : "", l, l, l);
        td_str_free(&s);
        td_str_free(&all);
        return;
    }
    /* The certificate's key decides which suites can work at all. */
    td_auth need = TD_AU_NONE;
    if (x->n > 0 && x->dec[0])
        need = is_rsa(&x->ci[0]) ? TD_AU_RSA : strcmp(x->ci[0].key_type, "EC") == 0 ? TD_AU_ECDSA : TD_AU_NONE;
    size_t k = ossl_suites(&s, c, v, FIX_SUITES, true, need);
    if (k > 0) {
        merged_list(x->o, v, s.s, &all);
        td_str_printf(f, "Add %s suites %s offers (%s) to the server's list, keeping the current ones: nginx "
                         "`ssl_ciphers %s;`; Apache `SSLCipherSuite %s`; HAProxy `ssl-default-bind-ciphers %s` (or "
                         "`ciphers` on the `bind` line). These lists cover TLS 1.2 and below; TLS 1.3 suites are "
                         "set apart (nginx `ssl_conf_command Ciphersuites`, Apache `SSLOpenSSLConfCmd "
                         "Ciphersuites`, HAProxy `ssl-default-bind-ciphersuites`).",
                      td_version_name(v), j->sname, s.s, all.s, all.s, all.s);
    } else if (need != TD_AU_NONE && client_has_auth(c, v, need == TD_AU_RSA ? TD_AU_ECDSA : TD_AU_RSA)) {
        const char *have = need == TD_AU_RSA ? "RSA" : "ECDSA", *other = need == TD_AU_RSA ? "ECDSA" : "RSA";
        td_str_printf(f, "The certificate has an %s key and %s offers only %s-authenticated suites: serve an %s "
                         "certificate next to the %s one, and the server picks per client: nginx a second "
                         "`ssl_certificate` / `ssl_certificate_key` pair (1.11.0+); Apache a second "
                         "`SSLCertificateFile` / `SSLCertificateKeyFile` pair; HAProxy both files on the `bind` line "
                         "(`crt site.rsa.pem crt site.ecdsa.pem`). Keep %s suites for it in the cipher list.",
                      have, j->sname, other, other, have, other);
    } else {
        td_str_free(&s);
        td_str_init(&s);
        ossl_suites(&s, c, v, FIX_SUITES, false, need);
        if (!s.s)
            ossl_suites(&s, c, v, FIX_SUITES, false, TD_AU_NONE);
        merged_list(x->o, v, s.s, &all);
        td_str_printf(f, "%s offers only suites current servers rightly disable (%s): upgrading the client is the "
                         "real fix. If it must be served: nginx `ssl_ciphers %s;`; Apache `SSLCipherSuite %s`; "
                         "HAProxy `ssl-default-bind-ciphers %s`, knowing that it weakens what other clients may "
                         "negotiate (and that OpenSSL 3 needs `:@SECLEVEL=0` appended for 3DES or RC4).",
                      j->sname, s.s ? s.s : "none with an OpenSSL name", all.s ? all.s : "DEFAULT",
                      all.s ? all.s : "DEFAULT", all.s ? all.s : "DEFAULT");
    }
    td_str_free(&s);
    td_str_free(&all);
}

static void fix_group(const struct jctx *x, const judgement *j, td_str *f)
{
    const td_obs *o = x->o;
    td_str g;
    td_str_init(&g);
    size_t ng = o->n_groups < TD_MAX_GROUPS ? o->n_groups : TD_MAX_GROUPS;
    ossl_groups(&g, o->groups, ng);
    /* add the client's first group OpenSSL can name */
    const char *add = NULL;
    for (size_t i = 0; i < n_groups(j->c) && !add; i++)
        add = ossl_group(j->c->groups[i]);
    if (add)
        td_str_printf(&g, "%s%s", g.len ? ":" : "", add);
    const char *list = g.s ? g.s : "X25519:P-256:P-384";
    td_str_printf(f, "Accept a group %s offers: nginx `ssl_ecdh_curve %s;`; Apache `SSLOpenSSLConfCmd Curves %s`; "
                     "HAProxy `ssl-default-bind-curves %s` (or `curves` on the `bind` line). P-256 and X25519 "
                     "cover nearly every client.",
                  j->sname, list, list, list);
    td_str_free(&g);
}

static void fix_store(const judgement *j, td_str *f)
{
    const td_client *c = j->c;
    td_str_printf(f, "Serve a certificate from a CA in %s's trust store (%s); for a public service, a public CA's "
                     "(nginx `ssl_certificate` fullchain.pem, Apache `SSLCertificateFile` with the chain appended, "
                     "HAProxy `crt` PEM with leaf, intermediates and key). For a private CA, add its root to that "
                     "store: ",
                  j->sname, store_kind(c));
    switch (c->store) {
    case TD_STORE_JAVA:
        td_str_add(f, "`keytool -importcert -cacerts -alias private-root -file root.pem` (or a truststore passed "
                      "with -Djavax.net.ssl.trustStore).");
        break;
    case TD_STORE_MOZILLA:
        td_str_add(f, "certifi's bundle is replaced with each upgrade, so point the client at a bundle that holds "
                      "the root (Python requests: REQUESTS_CA_BUNDLE; Node.js: NODE_EXTRA_CA_CERTS=root.pem; "
                      "Firefox: enterprise policy Certificates/Install).");
        break;
    case TD_STORE_WINDOWS:
        td_str_add(f, "`certutil -addstore Root root.cer`, or Group Policy for a fleet.");
        break;
    case TD_STORE_APPLE:
        td_str_add(f, "a configuration profile with the root, then enable full trust for it (iOS: Settings > "
                      "General > About > Certificate Trust Settings).");
        break;
    case TD_STORE_ANDROID:
        td_str_add(f, "a user CA is not trusted by apps targeting Android 7+ unless their network_security_config "
                      "allows it; ship the root in the app's config instead.");
        break;
    case TD_STORE_OWN:
        td_str_add(f, "the device's own CA list, if its firmware lets you change it.");
        break;
    case TD_STORE_SYSTEM:
    default:
        td_str_add(f, "Debian/Ubuntu: copy it to /usr/local/share/ca-certificates/ (as .crt) and run "
                      "`update-ca-certificates`; RHEL: /etc/pki/ca-trust/source/anchors/ and `update-ca-trust`.");
        break;
    }
}

void td_remedy_fix(const struct jctx *x, const judgement *j, const problem *p, td_str *f)
{
    const td_advice *a = &x->adv;
    const td_client *c = j->c;
    switch (p->k) {
    case K_VERSION:
        fix_version(x, j, f);
        break;
    case K_SUITE:
        fix_suite(x, j, f);
        break;
    case K_GROUP:
        fix_group(x, j, f);
        break;
    case K_SNI_REQUIRED:
    case K_SNI_CERT:
        td_str_printf(f, "Make the server answer hellos without SNI with the certificate for %s, since %s sends "
                         "none: nginx `listen 443 ssl default_server;` in the server block that serves it; Apache: "
                         "put its VirtualHost first for the address and port (and leave `SSLStrictSNIVHostCheck` "
                         "off); HAProxy: list its certificate first on the `bind` line (the first `crt` is the "
                         "default).",
                      a->name, j->sname);
        break;
    case K_DH_SMALL:
        td_str_printf(f, "Use a DH group of at least %u bits, or let %s use ECDHE instead: nginx `ssl_dhparam "
                         "/etc/nginx/dhparam.pem;` with a file from `openssl dhparam -out /etc/nginx/dhparam.pem "
                         "2048` (or drop the DHE suites from `ssl_ciphers`); Apache 2.4.7+ picks a group matching the "
                         "certificate's key size unless DH parameters are appended to the `SSLCertificateFile`: "
                         "remove them or append 2048-bit ones; HAProxy `tune.ssl.default-dh-param 2048` or `ssl-dh-param-file` in "
                         "`global`.",
                      (unsigned)(c->min_dh_bits > 2048 ? c->min_dh_bits : 2048), j->sname);
        break;
    case K_DH_LARGE:
        td_str_printf(f, "%s cannot handle DH groups over %u bits; do not shrink the group for everyone. Put ECDHE "
                         "suites before DHE ones so it never gets DHE (nginx `ssl_prefer_server_ciphers on;` with "
                         "ECDHE first in `ssl_ciphers`; Apache `SSLHonorCipherOrder on`; HAProxy orders by its "
                         "`ssl-default-bind-ciphers` unless `prefer-client-ciphers` is set), or upgrade the client.",
                      j->sname, (unsigned)c->max_dh_bits);
        break;
    case K_CHAIN:
        td_str_printf(f, "Serve the full chain, leaf first, then each intermediate up to (not including) the root, "
                         "since %s %s: nginx `ssl_certificate` pointing at leaf + "
                         "intermediates (an ACME client's fullchain.pem, or `cat leaf.pem intermediate.pem > "
                         "fullchain.pem`); Apache 2.4.8+ `SSLCertificateFile` with the intermediates appended "
                         "(older: `SSLCertificateChainFile`); HAProxy `crt` PEM holding leaf, intermediates and key. "
                         "Reload the server.",
                      j->sname, c->aia_fetch ? "cannot complete it by fetching the issuer via AIA"
                                             : "does not fetch missing intermediates");
        break;
    case K_UNTRUSTED:
    case K_SELF_SIGNED:
        fix_store(j, f);
        break;
    case K_EXPIRED:
        td_str_add(f, "Renew the certificate (or get the CA's current intermediate) and make the server load it: "
                      "nginx `ssl_certificate`, Apache `SSLCertificateFile`, HAProxy `crt`, then reload (`nginx -s "
                      "reload`, `apachectl graceful`, `systemctl reload haproxy`).");
        break;
    case K_NOT_YET_VALID:
        td_str_add(f, "Check the clocks: the certificate was issued with a start date in the future, or this "
                      "machine's clock is behind. Reissue it with a start date in the past and reload the server "
                      "(nginx `ssl_certificate`, Apache `SSLCertificateFile`, HAProxy `crt`).");
        break;
    case K_PURPOSE:
    case K_PATH_OTHER:
        td_str_add(f, "Serve a chain that verifies: a certificate issued for TLS servers (extendedKeyUsage "
                      "serverAuth), with its own CA's intermediates in order (nginx `ssl_certificate`, Apache "
                      "`SSLCertificateFile`, HAProxy `crt`).");
        break;
    case K_MD5:
    case K_SHA1:
        td_str_add(f, "Have the certificate reissued with SHA-256, or serve the CA's current SHA-256 chain (nginx "
                      "`ssl_certificate` fullchain.pem, Apache `SSLCertificateFile` with the chain appended, HAProxy "
                      "`crt` PEM).");
        break;
    case K_RSA_SMALL:
        td_str_printf(f, "Make a new key of at least %u bits (`openssl req -new -newkey rsa:%u`) or an ECDSA P-256 "
                         "key, have the certificate reissued for it, and point nginx `ssl_certificate` / "
                         "`ssl_certificate_key`, Apache `SSLCertificateFile` / `SSLCertificateKeyFile` or HAProxy "
                         "`crt` at it. A small key in a CA certificate means an outdated chain: serve the CA's "
                         "current one.",
                      (unsigned)(c->min_rsa_bits > 2048 ? c->min_rsa_bits : 2048),
                      (unsigned)(c->min_rsa_bits > 2048 ? c->min_rsa_bits : 2048));
        break;
    case K_NAME:
        td_str_printf(f, "Serve a certificate that lists %s in subjectAltName (certbot `-d NAME`, openssl `-addext "
                         "subjectAltName=DNS:NAME`), and make sure this name selects it: nginx `server_name`, Apache "
                         "`ServerName`/`ServerAlias`, HAProxy a `crt` per certificate so SNI picks it.",
                      a->name);
        break;
    case K_CN_ONLY:
        td_str_printf(f, "Reissue the certificate with %s in subjectAltName (openssl `-addext "
                         "subjectAltName=DNS:%s`; every public CA does this), then point nginx `ssl_certificate`, "
                         "Apache `SSLCertificateFile` or HAProxy `crt` at it.",
                      a->name, a->name);
        break;
    case K_CHOICE:
        td_str_add(f, "The server picks something the client never offered, which RFC 8446 4.1.3 and RFC 5246 "
                      "7.4.1.3 forbid: upgrade the server's TLS stack or the device terminating TLS in front of it "
                      "(nginx, Apache httpd and HAProxy on a maintained OpenSSL do not do this).");
        break;
    case K_ALERT:
        td_str_printf(f, "The server's error log at the time of the check says why it refused %s's hello (nginx "
                         "`error_log ... info` logs the SSL_do_handshake() error; Apache httpd `LogLevel ssl:info`; "
                         "HAProxy logs an \"SSL handshake failure\" for the connection in its frontend log). "
                         "Compare with a client that gets through.",
                      j->sname);
        break;
    case K_NET:
    case K_NONE:
    case K_NOT_TLS:
    case K_TCP:
    default:
        td_str_printf(f, "Find what ends the connection when %s's hello arrives: the server's error log at that "
                         "time (nginx `error_log ... info`, Apache httpd `LogLevel ssl:info`, HAProxy's frontend log, "
                         "which names an \"SSL handshake failure\"), and any firewall, IPS or load balancer in front "
                         "that inspects TLS; compare with the clients that get through.",
                      j->sname);
        break;
    }
}

/* ---- verify: an s_client imitating the client --------------------------- */

void td_remedy_verify(const struct jctx *x, const judgement *j, const problem *p, td_str *v)
{
    const td_advice *a = &x->adv;
    const td_client *c = j->c;
    /* SNI as the client sends it: the check's name, or none */
    td_str_add(v, c->sni ? a->sclient : a->sclient_nosni);

    uint16_t cmax = client_max(c), cmin = client_min(c);
    static const uint16_t tls[] = { TD_TLS10, TD_TLS11, TD_TLS12, TD_TLS13 };
    static const char *const only[] = { "-tls1", "-tls1_1", "-tls1_2", "-tls1_3" };
    static const char *const no[] = { "-no_tls1", "-no_tls1_1", "-no_tls1_2", "-no_tls1_3" };
    size_t offered = 0;
    for (size_t i = 0; i < 4; i++)
        offered += has16(c->versions, n_versions(c), tls[i]);
    for (size_t i = 0; i < 4; i++) {
        bool has = has16(c->versions, n_versions(c), tls[i]);
        if (offered == 1 && has)
            td_str_printf(v, " %s", only[i]);
        else if (offered > 1 && !has)
            td_str_printf(v, " %s", no[i]);
    }

    td_str s;
    td_str_init(&s);
    if (cmin <= TD_TLS12 && ossl_suites(&s, c, cmax < TD_TLS12 ? cmax : TD_TLS12, 0, false, TD_AU_NONE) > 0) {
        /* OpenSSL 3 refuses TLS 1.0/1.1 at security level 1 and above, and
         * 1024-bit keys and groups at level 2 (the Debian default): lower it
         * as far as this client goes, so the command fails only where the
         * client would. */
        if (cmax < TD_TLS12)
            td_str_add(&s, ":@SECLEVEL=0");
        else if ((c->min_dh_bits && c->min_dh_bits < 2048) || (c->min_rsa_bits && c->min_rsa_bits < 2048))
            td_str_add(&s, ":@SECLEVEL=1");
        td_str_printf(v, " -cipher '%s'", s.s);
    }
    td_str_free(&s);
    td_str_init(&s);
    if (cmax >= TD_TLS13 && ossl_suites(&s, c, TD_TLS13, 0, false, TD_AU_NONE) > 0)
        td_str_printf(v, " -ciphersuites '%s'", s.s);
    td_str_free(&s);
    td_str_init(&s);
    ossl_groups(&s, c->groups, n_groups(c));
    if (s.s && s.s[0])
        td_str_printf(v, " -groups %s", s.s);
    td_str_free(&s);

    switch (p->k) {
    case K_CHAIN:
    case K_UNTRUSTED:
    case K_SELF_SIGNED:
    case K_EXPIRED:
    case K_NOT_YET_VALID:
    case K_PATH_OTHER:
    case K_PURPOSE:
    case K_MD5:
    case K_SHA1:
    case K_RSA_SMALL:
        td_str_printf(v, "%s -verify_return_error", a->ca_opt);
        break;
    case K_NAME:
    case K_CN_ONLY:
    case K_SNI_CERT:
        if (td_shell_safe(a->name))
            td_str_printf(v, "%s -verify_hostname %s -verify_return_error", a->ca_opt, a->name);
        else
            td_str_printf(v, "%s -verify_return_error", a->ca_opt);
        break;
    default:
        break;
    }
    td_str_add(v, " </dev/null");
}
