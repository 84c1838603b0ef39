/* The error-text matcher (match.h). */
#include "explain/match.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

/* `*`-separated parts of pat found in order in s[0..len). */
static bool glob_in(const char *pat, const char *s, size_t len)
{
    const char *end = s + len;
    while (*pat) {
        const char *star = strchr(pat, '*');
        size_t plen = star ? (size_t)(star - pat) : strlen(pat);
        if (plen) {
            const char *at = memmem(s, (size_t)(end - s), pat, plen);
            if (!at)
                return false;
            s = at + plen;
        }
        if (!star)
            break;
        pat = star + 1;
    }
    return true;
}

int td_xossl_reason(unsigned long packed)
{
    /* ERR_LIB_SSL is 20 in both; OpenSSL 3 keeps 23 bits of reason below
     * the library, 1.1 packs lib:8, function:12, reason:12. */
    if ((packed >> 23) == 20)
        return (int)(packed & 0x7fffff);
    if ((packed >> 24) == 20)
        return (int)(packed & 0xfff);
    return -1;
}

static size_t add_hit(td_xhit *hits, size_t n, size_t max, const td_xpat *p, int alert, bool sent)
{
    if (!p || n >= max)
        return n;
    for (size_t i = 0; i < n; i++)
        if (hits[i].pat == p)
            return n;
    hits[n] = (td_xhit){ p, alert >= 0 ? alert : p->alert, alert >= 0 ? sent : p->alert_sent };
    return n + 1;
}

static bool hexval(const char *s, size_t n, unsigned long *out)
{
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        int c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        v = v << 4 | (unsigned long)d;
    }
    *out = v;
    return true;
}

/* A decimal number at s (at most 9 digits); -1 when none. */
static long decimal_at(const char *s, const char *end)
{
    long v = 0;
    int n = 0;
    while (s < end && *s >= '0' && *s <= '9' && n < 9)
        v = v * 10 + (*s++ - '0'), n++;
    return n ? v : -1;
}

/* Each place where `key` occurs in the line: calls the extractor with
 * what follows it. */
#define EACH(key, line, len, at)                                                              \
    for (const char *at = memmem(line, len, key, sizeof key - 1); at;                          \
         at = memmem(at + 1, (size_t)(line + len - (at + 1)), key, sizeof key - 1))

static size_t codes(const td_kb *kb, const char *s, size_t len, td_xhit *hits, size_t n, size_t max)
{
    const char *end = s + len;
    /* "error:0A000102:" (OpenSSL 3) and "error:14094418:" (1.1) */
    EACH("error:", s, len, at) {
        const char *h = at + 6;
        unsigned long v;
        if (end - h >= 9 && h[8] == ':' && hexval(h, 8, &v)) {
            int r = td_xossl_reason(v);
            if (r >= 0)
                n = add_hit(hits, n, max, td_kb_ssl(kb, r), -1, false);
        }
    }
    /* HAProxy's ssl_fc_err and ssl_c_err, when a log-format names them */
    EACH("ssl_fc_err=", s, len, at) {
        const char *h = at + 11;
        unsigned long v = 0;
        if (end - h > 2 && h[0] == '0' && h[1] == 'x') { /* a log-format with `ssl_fc_err,hex` after 0x */
            size_t k = 0;
            while (h + 2 + k < end && k < 8 && isxdigit((unsigned char)h[2 + k]))
                k++;
            if (!k || !hexval(h + 2, k, &v))
                v = 0;
        } else {
            long d = decimal_at(h, end);
            v = d > 0 ? (unsigned long)d : 0;
        }
        int r = v > 0 ? td_xossl_reason(v) : -1;
        if (r >= 0)
            n = add_hit(hits, n, max, td_kb_ssl(kb, r), -1, false);
    }
    static const char *const verify_keys[] = { "verify error:num=", "verify return code: ", "verify error: (",
                                               "verification: error (", "ssl_c_err=", "x509 verify " };
    for (size_t k = 0; k < sizeof verify_keys / sizeof *verify_keys; k++) {
        size_t kl = strlen(verify_keys[k]);
        for (const char *at = memmem(s, len, verify_keys[k], kl); at;
             at = memmem(at + 1, (size_t)(end - (at + 1)), verify_keys[k], kl)) {
            long v = decimal_at(at + kl, end);
            if (v > 0)
                n = add_hit(hits, n, max, td_kb_x509(kb, (int)v), -1, false);
        }
    }
    /* Python's "[SSL: WRONG_VERSION_NUMBER]", Node's "ERR_SSL_..." code */
    static const char *const name_keys[] = { "[ssl: ", "err_ssl_" };
    for (size_t k = 0; k < 2; k++) {
        size_t kl = strlen(name_keys[k]);
        for (const char *at = memmem(s, len, name_keys[k], kl); at;
             at = memmem(at + 1, (size_t)(end - (at + 1)), name_keys[k], kl)) {
            const char *nm = at + kl, *e = nm;
            while (e < end && (isalnum((unsigned char)*e) || *e == '_'))
                e++;
            if (e > nm)
                n = add_hit(hits, n, max, td_kb_ssl_by_name(kb, nm, (size_t)(e - nm)), -1, false);
        }
    }
    return n;
}

static size_t alert_hit(const td_kb *kb, td_xhit *hits, size_t n, size_t max, long code, bool sent)
{
    if (code < 0 || code > 255)
        return n;
    return add_hit(hits, n, max, td_kb_ssl(kb, 1000 + (int)code), (int)code, sent);
}

static size_t alerts(const td_kb *kb, const char *s, size_t len, td_xhit *hits, size_t n, size_t max)
{
    const char *end = s + len;
    EACH("ssl alert number ", s, len, at)
        n = alert_hit(kb, hits, n, max, decimal_at(at + 17, end), false);
    EACH("received alert [", s, len, at) /* gnutls-cli */
        n = alert_hit(kb, hits, n, max, decimal_at(at + 16, end), false);
    /* curl -v: "* TLSv1.3 (IN), TLS alert, unknown CA (560):", 512 + alert */
    EACH("tls alert, ", s, len, at) {
        const char *open = memchr(at, '(', (size_t)(end - at));
        long v = open ? decimal_at(open + 1, end) : -1;
        bool sent = memmem(s, (size_t)(at - s), "(out)", 5) != NULL;
        if (v >= 512)
            n = alert_hit(kb, hits, n, max, v - 512, sent);
    }
    /* Java: "Received fatal alert: handshake_failure" */
    EACH("received fatal alert: ", s, len, at) {
        const char *nm = at + 22, *e = nm;
        char name[48];
        while (e < end && (islower((unsigned char)*e) || *e == '_') && e - nm < 47)
            e++;
        memcpy(name, nm, (size_t)(e - nm));
        name[e - nm] = '\0';
        const td_alert *a = td_alert_by_name(name);
        if (a)
            n = alert_hit(kb, hits, n, max, a->code, false);
    }
    return n;
}

/* gnutls-cli prints "- subject `X', issuer `X'": a certificate that issued
 * itself, which "the certificate issuer is unknown" alone does not say. */
static size_t self_issued(const td_kb *kb, const char *s, size_t len, const td_xfacts *ctx, td_xhit *hits,
                          size_t n, size_t max)
{
    const char *end = s + len, *subj = memmem(s, len, "subject `", 9);
    /* only the server's own certificate: a root sent along issued itself too */
    if (!subj || !ctx || ctx->cert_index != 0)
        return n;
    subj += 9;
    const char *q = memchr(subj, '\'', (size_t)(end - subj));
    if (!q || end - q < 10 || memcmp(q, "', issuer `", 11) != 0)
        return n;
    size_t sl = (size_t)(q - subj);
    const char *iss = q + 11;
    if ((size_t)(end - iss) > sl && memcmp(iss, subj, sl) == 0 && iss[sl] == '\'')
        n = add_hit(hits, n, max, td_kb_named(kb, "gnutls-self-issued"), -1, false);
    return n;
}

size_t td_xmatch_line(const td_kb *kb, const char *norm, size_t len, const td_xfacts *ctx, td_xhit *hits,
                      size_t max)
{
    return td_xmatch_line_sw(kb, norm, len, ctx, ~0u, hits, max);
}

size_t td_xmatch_line_sw(const td_kb *kb, const char *norm, size_t len, const td_xfacts *ctx, unsigned sw_mask,
                         td_xhit *hits, size_t max)
{
    size_t n = 0;
    if (!kb || len == 0)
        return 0;
    for (size_t i = 0; i < kb->npats && n < max; i++) {
        const td_xpat *p = &kb->pats[i];
        if (p->free_text && (sw_mask >> p->software & 1u) && glob_in(p->match, norm, len))
            n = add_hit(hits, n, max, p, -1, false);
    }
    n = codes(kb, norm, len, hits, n, max);
    n = self_issued(kb, norm, len, ctx, hits, n, max);
    return alerts(kb, norm, len, hits, n, max);
}

/* ------------------------------------------------------------------ facts */

static bool host_char(int c)
{
    return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '*';
}

/* Copies a host name (or IPv4/[IPv6] address) at raw[i], and a ":port"
 * after it when want_port; returns false when there is none. */
static bool read_host(const char *raw, size_t i, size_t len, char *out, unsigned *port)
{
    size_t j = i, k = 0;
    if (j < len && raw[j] == '[') {
        out[k++] = raw[j++];
        while (j < len && (isxdigit((unsigned char)raw[j]) || raw[j] == ':' || raw[j] == '.') && k + 2 < TD_X_HOST_MAX)
            out[k++] = raw[j++];
        if (j >= len || raw[j] != ']')
            return false;
        out[k++] = raw[j++];
    } else {
        while (j < len && host_char((unsigned char)raw[j]) && k + 1 < TD_X_HOST_MAX)
            out[k++] = raw[j++];
    }
    while (k > 0 && out[k - 1] == '.')
        k--; /* Node ends "Host: app.test." with the sentence */
    out[k] = '\0';
    if (k == 0)
        return false;
    if (port && j + 1 < len && raw[j] == ':' && isdigit((unsigned char)raw[j + 1])) {
        long p = decimal_at(raw + j + 1, raw + len);
        if (p > 0 && p < 65536)
            *port = (unsigned)p;
    }
    return true;
}

/* A name with a dot, an IP address, or localhost: not a word of prose. */
static bool plausible_host(const char *h)
{
    return strchr(h, '.') || h[0] == '[' || strcmp(h, "localhost") == 0;
}

typedef enum { F_HOST, F_SNI, F_PORT, F_CLIENT } fact_kind;

static const struct {
    const char *key; /* normalised */
    fact_kind kind;
} fact_keys[] = {
    { "https://", F_HOST },
    { "host='", F_HOST },
    { "in connection to ", F_HOST },
    { "connected to ", F_HOST },
    { "failed to connect to ", F_HOST },
    { " connect ", F_HOST },
    { "connecting to ", F_HOST },
    { "econnrefused ", F_HOST },
    { "dial tcp ", F_HOST },
    { "cannot connect to host ", F_HOST },
    { "cannot connect to ", F_HOST },
    { ") port ", F_PORT },
    { " port=", F_PORT },
    { "servername ", F_SNI },
    { "target host name '", F_SNI },
    { "requested host name '", F_SNI },
    { "not valid for '", F_SNI },
    { "does not match '", F_SNI },
    { "host: ", F_SNI },
    { ", not ", F_SNI },
    { "dns name matching ", F_SNI },
    { "no name matching ", F_SNI },
    { "certificate for <", F_SNI },
    { "wanted to match ", F_SNI },
    { "ssl_fc_sni=", F_SNI },
    { "client: ", F_CLIENT },
    { "[client ", F_CLIENT },
};

static void scan_disabled(td_xfacts *f, const char *raw, size_t len)
{
    if (f->disabled_how)
        return;
    const char *curl = memmem(raw, len, "curl ", 5);
    if (curl) {
        /* a flag cluster with k (-k, -sk, -kv) or --insecure, after "curl " */
        const char *end = raw + len;
        for (const char *p = curl + 5; p < end; p++) {
            if (p[-1] != ' ' || *p != '-')
                continue;
            if (end - p >= 10 && strncmp(p, "--insecure", 10) == 0) {
                f->disabled_how = "curl --insecure";
                return;
            }
            const char *q = p + 1;
            bool k = false;
            while (q < end && isalpha((unsigned char)*q))
                k |= *q++ == 'k';
            if (k && q > p + 1 && p[1] != '-' && (q == end || *q == ' ')) {
                f->disabled_how = "curl -k";
                return;
            }
        }
    }
    if (memmem(raw, len, "wget", 4) && memmem(raw, len, "--no-check-certificate", 22) &&
        !memmem(raw, len, "insecurely, use", 15))
        f->disabled_how = "wget --no-check-certificate";
}

static const struct {
    const char *key; /* normalised, the version follows */
    td_xsw sw;
} version_keys[] = {
    { "curl ", TD_XSW_CURL },        { "libcurl/", TD_XSW_CURL },       { "openssl/", TD_XSW_OPENSSL },
    { "openssl ", TD_XSW_OPENSSL },  { "nginx/", TD_XSW_NGINX },        { "apache/", TD_XSW_APACHE },
    { "haproxy version ", TD_XSW_HAPROXY }, { "node.js v", TD_XSW_NODE }, { "python/", TD_XSW_PYTHON },
    { "python ", TD_XSW_PYTHON },    { "go version go", TD_XSW_GO },    { "openjdk version \"", TD_XSW_JAVA },
    { "java version \"", TD_XSW_JAVA }, { "java/", TD_XSW_JAVA },        { "wget/", TD_XSW_WGET },
    { "gnu wget ", TD_XSW_WGET },    { "gnutls/", TD_XSW_GNUTLS },      { "gnutls cli ", TD_XSW_GNUTLS },
    { "chrome/", TD_XSW_CHROME },    { "firefox/", TD_XSW_FIREFOX },    { ".net ", TD_XSW_DOTNET },
};

static void scan_versions(td_xfacts *f, const char *norm, size_t len)
{
    for (size_t k = 0; k < sizeof version_keys / sizeof *version_keys; k++) {
        char *v = f->versions[version_keys[k].sw];
        size_t kl = strlen(version_keys[k].key);
        const char *at = v[0] ? NULL : memmem(norm, len, version_keys[k].key, kl);
        if (!at)
            continue;
        const char *p = at + kl, *end = norm + len;
        size_t n = 0;
        if (p >= end || !isdigit((unsigned char)*p))
            continue;
        while (p < end && (isdigit((unsigned char)*p) || *p == '.' || isalpha((unsigned char)*p)) && n + 1 < 24)
            v[n++] = *p++;
        v[n] = '\0';
        if (!strchr(v, '.'))
            v[0] = '\0'; /* "curl 5": not a version */
    }
}

void td_xfacts_init(td_xfacts *f)
{
    memset(f, 0, sizeof *f);
    f->cert_index = -1;
}

void td_xfacts_scan(td_xfacts *f, const char *raw, const char *norm, size_t len)
{
    const char *ci = memmem(norm, len, "certificate[", 12);
    if (ci && memmem(norm, len, "] info:", 7))
        f->cert_index = (int)decimal_at(ci + 12, norm + len);
    for (size_t k = 0; k < sizeof fact_keys / sizeof *fact_keys; k++) {
        size_t kl = strlen(fact_keys[k].key);
        const char *at = memmem(norm, len, fact_keys[k].key, kl);
        if (!at)
            continue;
        size_t i = (size_t)(at - norm) + kl;
        char buf[TD_X_HOST_MAX];
        unsigned port = 0;
        switch (fact_keys[k].kind) {
        case F_HOST:
            if (!f->host[0] && read_host(raw, i, len, buf, &port) && plausible_host(buf)) {
                memcpy(f->host, buf, sizeof buf);
                if (port && !f->port)
                    f->port = port;
            }
            break;
        case F_SNI:
            if (!f->sni[0] && read_host(raw, i, len, buf, NULL) && plausible_host(buf))
                memcpy(f->sni, buf, sizeof buf);
            break;
        case F_PORT:
            if (!f->port) {
                long p = decimal_at(norm + i, norm + len);
                if (p > 0 && p < 65536)
                    f->port = (unsigned)p;
            }
            break;
        case F_CLIENT:
            if (!f->client[0] && read_host(raw, i, len, buf, NULL))
                snprintf(f->client, sizeof f->client, "%.63s", buf);
            break;
        }
    }
    scan_disabled(f, raw, len);
    scan_versions(f, norm, len);
}
