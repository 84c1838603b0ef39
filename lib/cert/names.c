/* Does a certificate cover the host the client asked for?  RFC 6125
 * section 6 for DNS names, RFC 2818 3.1 for addresses (an iPAddress SAN,
 * RFC 5280 4.2.1.6); and when it does not, which identifier almost did and
 * why it does not count. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert/cert_int.h"

#define HOST_MAX 256

/* How telling a near miss is: a higher rank explains the failure better and
 * replaces a lower one. */
enum {
    NEAR_NONE,
    NEAR_RELATED,      /* www.example.com vs example.com */
    NEAR_TLD_WILDCARD, /* *.com */
    NEAR_BAD_WILDCARD, /* w*.example.com, www.*.example.com */
    NEAR_WRONG_TYPE,   /* an address as DNS SAN or CN */
    NEAR_APEX,         /* *.example.com vs example.com */
    NEAR_DEEP          /* *.example.com vs a.b.example.com */
};

typedef struct matcher {
    td_name_check *out;
    char host[HOST_MAX];   /* lower case, no trailing dot; the address text for IPs */
    char host_disp[HOST_MAX];
    bool is_ip;
    unsigned char ip[16];
    size_t iplen;
    bool dns_id_seen;      /* a DNS-ID or URI-ID: the CN must then be ignored */
    size_t n_dns, n_ip, n_listed;
    char names[160];       /* the identifiers seen, for the failure sentence */
    int near_rank;
} matcher;

static void note_name(matcher *m, const char *disp)
{
    size_t used = strlen(m->names);
    m->n_listed++;
    /* Keep room for the " +N more" the failure sentence adds. */
    if (used + strlen(disp) + 3 < sizeof m->names - 12) {
        snprintf(m->names + used, sizeof m->names - used, "%s%s", used ? ", " : "", disp);
    } else {
        m->n_listed--;
    }
}

static void near(matcher *m, int rank, const char *disp, const char *why)
{
    if (rank <= m->near_rank)
        return;
    m->near_rank = rank;
    td_cert_copy(m->out->near_miss, sizeof m->out->near_miss, disp);
    td_cert_copy(m->out->why, sizeof m->out->why, why);
}

static void matched(matcher *m, const char *disp, bool via_cn)
{
    if (m->out->ok)
        return;
    m->out->ok = true;
    m->out->via_cn_only = via_cn;
    td_cert_copy(m->out->matched, sizeof m->out->matched, disp);
}

/* Presented DNS-IDs are LDH labels, possibly with '*' and '_' (seen in the
 * wild); anything else, including the \xNN escapes td_cert_esc() writes,
 * can never equal a host name. */
static bool normalize_id(const char *id, size_t len, char *dst, size_t cap)
{
    if (len == 0 || len >= cap)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                   c == '_' || c == '*'))
            return false;
        dst[i] = c;
    }
    /* A trailing dot only marks the name as absolute (RFC 1034 3.1); RFC
     * 6125 6.4.1 compares the labels, so it is dropped on both sides. */
    if (len > 1 && dst[len - 1] == '.')
        len--;
    dst[len] = '\0';
    return true;
}

static bool ends_with_label(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls > lx && s[ls - lx - 1] == '.' && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* '*' inside one label, as some clients once allowed ("w*" covers "www"). */
static bool glob_label(const char *pat, size_t plen, const char *s, size_t slen)
{
    const char *star = memchr(pat, '*', plen);
    if (!star)
        return plen == slen && memcmp(pat, s, plen) == 0;
    size_t pre = (size_t)(star - pat), post = plen - pre - 1;
    if (memchr(star + 1, '*', post) || slen < pre + post)
        return false;
    return memcmp(pat, s, pre) == 0 && memcmp(pat + pre + 1, s + slen - post, post) == 0;
}

/* Label by label with '*' globbing inside labels: would this misplaced or
 * partial wildcard have matched under looser rules? */
static bool glob_name(const char *pat, const char *s)
{
    for (;;) {
        const char *pd = strchr(pat, '.'), *sd = strchr(s, '.');
        size_t pl = pd ? (size_t)(pd - pat) : strlen(pat);
        size_t sl = sd ? (size_t)(sd - s) : strlen(s);
        if (!glob_label(pat, pl, s, sl) || sl == 0)
            return false;
        if (!pd || !sd)
            return !pd && !sd;
        pat = pd + 1;
        s = sd + 1;
    }
}

static void match_dns_id(matcher *m, const char *id, size_t len, const char *disp, bool via_cn)
{
    char n[HOST_MAX], w[256];
    if (!normalize_id(id, len, n, sizeof n))
        return;

    if (m->is_ip) {
        if (!strcmp(n, m->host)) {
            td_cert_fmt(w, sizeof w,
                     "%s is %s: clients match the address %s only against IP address SANs "
                     "(RFC 2818 3.1)",
                     disp, via_cn ? "only in the subject CN" : "listed as a DNS name",
                     m->host_disp);
            near(m, NEAR_WRONG_TYPE, disp, w);
        }
        return;
    }

    if (!strcmp(n, m->host)) {
        matched(m, disp, via_cn);
        return;
    }

    const char *star = strchr(n, '*');
    if (star == n && n[1] == '.' && !strchr(n + 2, '*')) {
        const char *rest = n + 2;
        /* A wildcard whose remainder is one label would cover a whole
         * top-level domain: OpenSSL wants two labels after it, browsers
         * check the public suffix list, CA policy forbids issuing it. */
        if (!strchr(rest, '.')) {
            if (ends_with_label(m->host, rest)) {
                td_cert_fmt(w, sizeof w,
                         "%s does not cover %s: clients refuse a wildcard directly under a "
                         "top-level domain",
                         disp, m->host_disp);
                near(m, NEAR_TLD_WILDCARD, disp, w);
            }
            return;
        }
        if (ends_with_label(m->host, rest)) {
            size_t label = strlen(m->host) - strlen(rest) - 1;
            /* RFC 6125 6.4.3: the wildcard stands for the whole left-most
             * label and for one label only. */
            if (!memchr(m->host, '.', label)) {
                matched(m, disp, via_cn);
                return;
            }
            td_cert_fmt(w, sizeof w, "%s does not cover %s: a wildcard matches one label only",
                     disp, m->host_disp);
            near(m, NEAR_DEEP, disp, w);
            return;
        }
        if (!strcmp(m->host, rest)) {
            td_cert_fmt(w, sizeof w,
                     "%s does not cover %s itself: the wildcard stands for exactly one label",
                     disp, m->host_disp);
            near(m, NEAR_APEX, disp, w);
        }
        return;
    }
    if (star) {
        /* RFC 6125 6.4.3 lets a client refuse a wildcard that is only part of
         * a label, and any not in the left-most label; browsers, Go and
         * OpenSSL's default do. */
        if (glob_name(n, m->host)) {
            const char *dot = strchr(n, '.');
            bool leftmost = !dot || star < dot;
            td_cert_fmt(w, sizeof w, "%s is not honoured for %s: a wildcard %s", disp, m->host_disp,
                     leftmost ? "must be the whole left-most label"
                              : "is allowed only as the whole left-most label");
            near(m, NEAR_BAD_WILDCARD, disp, w);
        }
        return;
    }
    if (ends_with_label(n, m->host) || ends_with_label(m->host, n)) {
        td_cert_fmt(w, sizeof w, "%s names only itself, not %s", disp, m->host_disp);
        near(m, NEAR_RELATED, disp, w);
    }
}

static void match_ip(matcher *m, const unsigned char *ip, size_t len, const char *disp)
{
    if (m->is_ip && len == m->iplen && memcmp(ip, m->ip, len) == 0)
        matched(m, disp, false);
}

static int setup(matcher *m, const char *host, td_name_check *out)
{
    memset(out, 0, sizeof *out);
    memset(m, 0, sizeof *m);
    m->out = out;
    if (!host || !host[0]) {
        td_cert_fmt(out->why, sizeof out->why, "no host name to check");
        return -1;
    }
    size_t len = strlen(host);
    td_cert_esc(m->host_disp, sizeof m->host_disp, host, len, false);
    if (len >= HOST_MAX) {
        td_cert_fmt(out->why, sizeof out->why, "the host name is too long (%zu bytes)", len);
        return -1;
    }
    char tmp[HOST_MAX];
    memcpy(tmp, host, len + 1);
    if (len > 2 && tmp[0] == '[' && tmp[len - 1] == ']') {
        memmove(tmp, tmp + 1, len - 2);
        tmp[len - 2] = '\0';
    }
    if (inet_pton(AF_INET, tmp, m->ip) == 1) {
        m->is_ip = true;
        m->iplen = 4;
    } else if (inet_pton(AF_INET6, tmp, m->ip) == 1) {
        m->is_ip = true;
        m->iplen = 16;
    }
    if (m->is_ip) {
        /* Canonical text, so "2001:DB8::01" meets "2001:db8::1" in messages. */
        if (!inet_ntop(m->iplen == 4 ? AF_INET : AF_INET6, m->ip, m->host, sizeof m->host))
            td_cert_copy(m->host, sizeof m->host, tmp);
        td_cert_copy(m->host_disp, sizeof m->host_disp, m->host);
        return 0;
    }
    if (!normalize_id(tmp, strlen(tmp), m->host, sizeof m->host) || strchr(m->host, '*')) {
        td_cert_fmt(out->why, sizeof out->why, "%s is not a valid host name", m->host_disp);
        return -1;
    }
    td_cert_copy(m->host_disp, sizeof m->host_disp, m->host);
    return 0;
}

static void finish(matcher *m, bool has_san_ext, const char *cn, size_t unchecked)
{
    td_name_check *out = m->out;
    if (out->ok) {
        if (out->via_cn_only)
            td_cert_fmt(out->why, sizeof out->why,
                     "only the subject CN %s covers %s: with no DNS name in subjectAltName, "
                     "browsers and Go ignore the CN",
                     out->matched, m->host_disp);
        else
            td_cert_fmt(out->why, sizeof out->why, "%s SAN %s covers %s", m->is_ip ? "IP" : "DNS",
                     out->matched, m->host_disp);
        out->near_miss[0] = '\0';
        return;
    }
    if (m->near_rank != NEAR_NONE)
        return;
    size_t more = m->n_dns + m->n_ip - m->n_listed;
    char list[200];
    if (m->names[0])
        {
        char extra[32] = "";
        if (more)
            snprintf(extra, sizeof extra, " +%zu more", more);
        td_cert_fmt(list, sizeof list, " (it names %s%s)", m->names, extra);
    }
    else
        list[0] = '\0';
    if (m->is_ip && m->n_ip == 0)
        td_cert_fmt(out->why, sizeof out->why,
                 "the certificate has no IP address SAN, which clients need to accept the "
                 "address %s%s",
                 m->host_disp, list);
    else if (!has_san_ext && !cn[0])
        td_cert_fmt(out->why, sizeof out->why, "the certificate has neither a subjectAltName nor "
                                             "a subject CN");
    else if (!has_san_ext)
        td_cert_fmt(out->why, sizeof out->why,
                 "the certificate has no subjectAltName and its CN %s does not cover %s", cn,
                 m->host_disp);
    else
        td_cert_fmt(out->why, sizeof out->why, "no name in the certificate covers %s%s",
                 m->host_disp, list);
    if (unchecked) {
        char tail[80];
        snprintf(tail, sizeof tail, " (%zu SAN entries not checked)", unchecked);
        size_t used = strlen(out->why);
        if (used + strlen(tail) < sizeof out->why)
            memcpy(out->why + used, tail, strlen(tail) + 1);
        else
            memcpy(out->why + sizeof out->why - strlen(tail) - 1, tail, strlen(tail) + 1);
    }
}

/* RFC 6125 6.4.4: the CN is a fallback only "if and only if the presented
 * identifiers do not include a DNS-ID, SRV-ID, URI-ID, or any
 * application-specific identifier types". */
static void try_cn(matcher *m, const char *cn)
{
    if (m->out->ok || m->dns_id_seen || !cn[0])
        return;
    match_dns_id(m, cn, strlen(cn), cn, true);
}

void td_cert_check_name(const td_cert_info *leaf, const char *host, td_name_check *out)
{
    matcher m;
    if (setup(&m, host, out) != 0)
        return;
    for (size_t i = 0; i < leaf->n_san && i < TD_CERT_MAX_SAN; i++) {
        const char *s = leaf->san[i];
        if (!strncmp(s, "DNS:", 4)) {
            m.n_dns++;
            m.dns_id_seen = true;
            note_name(&m, s + 4);
            match_dns_id(&m, s + 4, strlen(s + 4), s + 4, false);
        } else if (!strncmp(s, "IP:", 3)) {
            unsigned char ip[16];
            m.n_ip++;
            note_name(&m, s + 3);
            if (inet_pton(AF_INET, s + 3, ip) == 1)
                match_ip(&m, ip, 4, s + 3);
            else if (inet_pton(AF_INET6, s + 3, ip) == 1)
                match_ip(&m, ip, 16, s + 3);
        } else if (!strncmp(s, "URI:", 4)) {
            m.dns_id_seen = true;
        }
    }
    size_t unchecked = leaf->n_san_total > leaf->n_san ? leaf->n_san_total - leaf->n_san : 0;
    /* Entries we did not keep may be DNS-IDs: then the CN must not count. */
    if (unchecked)
        m.dns_id_seen = true;
    try_cn(&m, leaf->cn);
    finish(&m, leaf->has_san_ext, leaf->cn, out->ok ? 0 : unchecked);
}

void td_cert_check_name_der(td_der leaf, const char *host, td_name_check *out)
{
    matcher m;
    char err[128];
    if (setup(&m, host, out) != 0)
        return;
    X509 *x = td_cert_d2i(leaf, err, sizeof err);
    if (!x) {
        td_cert_fmt(out->why, sizeof out->why, "%s", err);
        return;
    }
    bool has_san = X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char disp[256];
        if (g->type == GEN_DNS) {
            const char *p = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
            size_t len = (size_t)ASN1_STRING_length(g->d.dNSName);
            td_cert_esc(disp, sizeof disp, p, len, false);
            m.n_dns++;
            m.dns_id_seen = true;
            note_name(&m, disp);
            match_dns_id(&m, p, len, disp, false);
        } else if (g->type == GEN_IPADD) {
            const unsigned char *p = ASN1_STRING_get0_data(g->d.iPAddress);
            int len = ASN1_STRING_length(g->d.iPAddress);
            m.n_ip++;
            if ((len == 4 || len == 16) &&
                inet_ntop(len == 4 ? AF_INET : AF_INET6, p, disp, sizeof disp)) {
                note_name(&m, disp);
                match_ip(&m, p, (size_t)len, disp);
            }
        } else if (g->type == GEN_URI) {
            m.dns_id_seen = true;
        }
    }
    GENERAL_NAMES_free(gens);

    char cn[128];
    /* The CN is read exactly as td_cert_info_from_der() reads it. */
    td_cert_cn(X509_get_subject_name(x), cn, sizeof cn);
    X509_free(x);
    try_cn(&m, cn);
    finish(&m, has_san, cn, 0);
}
