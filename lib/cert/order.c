/* Is the chain sent in the order TLS demands?  RFC 5246 7.4.2 says "each
 * following certificate MUST directly certify the one preceding it"; RFC
 * 8446 4.4.2 relaxes that to a SHOULD and asks clients to cope, and current
 * libraries rebuild the path; stacks written to the TLS 1.2 text may take the
 * list as it comes, and the leaf must be first for everyone. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert/cert_int.h"

#define MAXC TD_CHAIN_MAX_ORDER

typedef struct chain {
    size_t m;                 /* certificates examined */
    X509 *x[MAXC];            /* NULL: did not decode */
    int dup_of[MAXC];         /* index of an earlier byte-identical entry, or -1 */
    signed char iss[MAXC][MAXC]; /* iss[a][b]: b issued a; -1 not computed yet */
    signed char self[MAXC];   /* self-signed; -1 not computed yet */
} chain;

/* RFC 5280 6.1.3 (a)(4) and (a)(1): the issuer field names the next
 * certificate's subject, and the signature verifies with its key. */
static bool issued(chain *c, size_t a, size_t b)
{
    if (a == b || !c->x[a] || !c->x[b] || c->dup_of[a] >= 0 || c->dup_of[b] >= 0)
        return false;
    if (c->iss[a][b] < 0) {
        EVP_PKEY *pk = X509_get0_pubkey(c->x[b]);
        c->iss[a][b] = X509_NAME_cmp(X509_get_issuer_name(c->x[a]),
                                     X509_get_subject_name(c->x[b])) == 0 &&
                       pk && X509_verify(c->x[a], pk) == 1;
        ERR_clear_error();
    }
    return c->iss[a][b] == 1;
}

static bool self_signed(chain *c, size_t a)
{
    if (!c->x[a])
        return false;
    if (c->self[a] < 0) {
        EVP_PKEY *pk = X509_get0_pubkey(c->x[a]);
        c->self[a] = X509_NAME_cmp(X509_get_issuer_name(c->x[a]),
                                   X509_get_subject_name(c->x[a])) == 0 &&
                     pk && X509_verify(c->x[a], pk) == 1;
        ERR_clear_error();
    }
    return c->self[a] == 1;
}

/* Issued none of the other distinct certificates: what a leaf looks like. */
static bool issues_nothing(chain *c, size_t a)
{
    for (size_t k = 0; k < c->m; k++)
        if (issued(c, k, a))
            return false;
    return true;
}

static void label(chain *c, size_t i, char *dst, size_t cap)
{
    char cn[128];
    if (!c->x[i]) {
        td_cert_copy(dst, cap, "undecodable");
        return;
    }
    td_cert_cn(X509_get_subject_name(c->x[i]), cn, sizeof cn);
    if (cn[0])
        td_cert_fmt(dst, cap, "CN=%s", cn);
    else
        td_cert_dn(X509_get_subject_name(c->x[i]), dst, cap);
}

void td_chain_check_order(const td_der *chain_in, size_t n, td_chain_order *out)
{
    memset(out, 0, sizeof *out);
    out->first_out_of_place = -1;
    if (!chain_in || n == 0) {
        td_cert_copy(out->detail, sizeof out->detail, "no certificate was sent");
        out->first_out_of_place = 0;
        return;
    }
    chain *c = OPENSSL_zalloc(sizeof *c);
    if (!c) {
        td_cert_copy(out->detail, sizeof out->detail, "out of memory");
        out->first_out_of_place = 0;
        return;
    }
    c->m = n < MAXC ? n : MAXC;
    memset(c->iss, -1, sizeof c->iss);
    memset(c->self, -1, sizeof c->self);
    for (size_t i = 0; i < c->m; i++) {
        c->x[i] = td_cert_d2i(chain_in[i], NULL, 0);
        c->dup_of[i] = -1;
        for (size_t j = 0; j < i && c->dup_of[i] < 0; j++)
            if (chain_in[j].len == chain_in[i].len && chain_in[i].len &&
                memcmp(chain_in[j].p, chain_in[i].p, chain_in[i].len) == 0)
                c->dup_of[i] = (int)j;
    }

    out->leaf_first = c->x[0] && issues_nothing(c, 0);

    /* The leaf: the first sent when it looks like one; otherwise the first
     * certificate that issued nothing else, preferring one that is no CA. */
    size_t leaf = 0;
    if (!out->leaf_first) {
        bool found = false;
        for (int pass = 0; pass < 2 && !found; pass++)
            for (size_t i = 0; i < c->m && !found; i++)
                if (c->x[i] && c->dup_of[i] < 0 && issues_nothing(c, i) &&
                    (pass == 1 || !(X509_get_extension_flags(c->x[i]) & EXFLAG_CA))) {
                    leaf = i;
                    found = true;
                }
    }

    /* The path from the leaf upwards, preferring the certificate sent right
     * after the current one when several could have issued it (cross-signed
     * intermediates share subject and key). */
    bool in_path[MAXC] = { false };
    size_t path[MAXC], np = 0;
    path[np++] = leaf;
    in_path[leaf] = true;
    for (size_t cur = leaf; np < c->m && !self_signed(c, cur);) {
        size_t next = SIZE_MAX;
        if (cur + 1 < c->m && !in_path[cur + 1] && issued(c, cur, cur + 1))
            next = cur + 1;
        for (size_t k = 0; k < c->m && next == SIZE_MAX; k++)
            if (!in_path[k] && issued(c, cur, k))
                next = k;
        if (next == SIZE_MAX)
            break;
        path[np++] = next;
        in_path[next] = true;
        cur = next;
    }
    size_t top = path[np - 1];
    /* RFC 8446 4.4.2: "a certificate that specifies a trust anchor MAY be
     * omitted from the chain"; sending it costs bytes, and clients must hold
     * it already. */
    out->root_sent = np > 1 && self_signed(c, top);

    for (size_t i = 0; i < c->m; i++) {
        if (c->dup_of[i] >= 0)
            out->n_duplicates++;
        else if (!in_path[i])
            out->n_unrelated++;
    }

    if (!out->leaf_first) {
        out->first_out_of_place = 0;
    } else {
        for (size_t i = 1; i < c->m && out->first_out_of_place < 0; i++)
            if (c->dup_of[i] >= 0 || !issued(c, i - 1, i))
                out->first_out_of_place = (int)i;
    }
    out->ok = out->first_out_of_place < 0;

    char a[100], b[100], order[80] = "";
    for (size_t k = 0; k < np; k++) {
        size_t used = strlen(order);
        if (used + 8 < sizeof order)
            snprintf(order + used, sizeof order - used, "%s%zu", k ? ", " : "", path[k]);
    }
    int bad = out->first_out_of_place;
    if (out->ok) {
        label(c, top, a, sizeof a);
        td_cert_fmt(out->detail, sizeof out->detail, "in order: the leaf, then %zu issuer%s%s%s%s",
                    np - 1, np == 2 ? "" : "s",
                    out->root_sent ? "; the self-signed root " : "", out->root_sent ? a : "",
                    out->root_sent ? " is sent too, which clients do not need" : "");
    } else if (!c->x[0]) {
        td_cert_copy(out->detail, sizeof out->detail,
                     "certificate 0 (the leaf's place) does not decode as X.509");
    } else if (!out->leaf_first) {
        label(c, 0, a, sizeof a);
        label(c, leaf, b, sizeof b);
        td_cert_fmt(out->detail, sizeof out->detail,
                    "certificate 0 (%s) is an issuer, not the leaf; the leaf is certificate %zu "
                    "(%s); path order: %s",
                    a, leaf, b, order);
    } else if (c->dup_of[bad] >= 0) {
        td_cert_fmt(out->detail, sizeof out->detail, "certificate %d is a copy of certificate %d",
                    bad, c->dup_of[bad]);
    } else if (!c->x[bad]) {
        td_cert_fmt(out->detail, sizeof out->detail, "certificate %d does not decode as X.509",
                    bad);
    } else if (!in_path[bad]) {
        label(c, (size_t)bad, a, sizeof a);
        td_cert_fmt(out->detail, sizeof out->detail,
                    "certificate %d (%s) is not in the path from the leaf (path order: %s)", bad,
                    a, order);
    } else {
        label(c, (size_t)bad, a, sizeof a);
        label(c, (size_t)bad - 1, b, sizeof b);
        td_cert_fmt(out->detail, sizeof out->detail,
                    "certificate %d (%s) did not issue certificate %d (%s); path order: %s", bad,
                    a, bad - 1, b, order);
    }
    if (n > c->m) {
        char tail[96];
        snprintf(tail, sizeof tail, " (only the first %zu of %zu examined)", c->m, n);
        size_t used = strlen(out->detail);
        if (used + strlen(tail) < sizeof out->detail)
            memcpy(out->detail + used, tail, strlen(tail) + 1);
    }

    for (size_t i = 0; i < c->m; i++)
        X509_free(c->x[i]);
    OPENSSL_free(c);
}
