/* JA3, JA4 and the nearest client profile of a received ClientHello.
 *
 * JA3: https://github.com/salesforce/ja3 (README, "How it works").
 * JA4: FoxIO's technical_details/JA4.md; the section names below are its. */
#include "fingerprint.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "wire/bytes.h"
#include "wire/hello.h"
#include "wire/tls.h"

/* ---- text building ---- */

typedef struct out {
    char *p;
    size_t cap, len;
} out;

/* The buffers are sized for the longest text a td_chello can give, so a
 * cut here is a sizing bug; it still leaves a terminated string. */
__attribute__((format(printf, 2, 3)))
static void put(out *o, const char *fmt, ...)
{
    if (o->len >= o->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

/* Writes the values that are not GREASE, in decimal (JA3) or as 4-digit
 * lower-case hex (JA4), separated by sep. */
static void put_list(out *o, const uint16_t *v, size_t n, bool hex, char sep)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (td_grease(v[i]))
            continue;
        if (!first)
            put(o, "%c", sep);
        put(o, hex ? "%04x" : "%u", v[i]);
        first = false;
    }
}

static void hex_of(const uint8_t *d, size_t n, char *dst)
{
    for (size_t i = 0; i < n; i++)
        snprintf(dst + 2 * i, 3, "%02x", d[i]);
}

/* md: "MD5" or "SHA256"; writes the first n_hex hex digits of the digest. */
static int digest_hex(const char *md, const char *text, char *dst, size_t n_hex)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_MD *alg = EVP_MD_fetch(NULL, md, NULL);
    int ok = alg && EVP_Digest(text, strlen(text), d, &dlen, alg, NULL) == 1 && 2 * (size_t)dlen >= n_hex;
    EVP_MD_free(alg);
    if (!ok)
        return -1;
    char full[2 * EVP_MAX_MD_SIZE + 1];
    hex_of(d, dlen, full);
    memcpy(dst, full, n_hex);
    dst[n_hex] = '\0';
    return 0;
}

/* ---- JA3 ---- */

int td_fp_ja3(const td_chello *h, td_ja3 *j)
{
    uint16_t ext_types[TD_CHELLO_MAX_EXTS];
    uint16_t formats[TD_CHELLO_MAX_LIST];
    for (size_t i = 0; i < h->n_exts; i++)
        ext_types[i] = h->exts[i].type;
    for (size_t i = 0; i < h->n_point_formats; i++)
        formats[i] = h->point_formats[i];
    /* SSLVersion,Cipher,SSLExtension,EllipticCurve,EllipticCurvePointFormat */
    out o = {j->text, sizeof j->text, 0};
    j->text[0] = '\0';
    put(&o, "%u,", h->legacy_version);
    put_list(&o, h->suites, h->n_suites, false, '-');
    put(&o, ",");
    put_list(&o, ext_types, h->n_exts, false, '-');
    put(&o, ",");
    put_list(&o, h->groups, h->n_groups, false, '-');
    put(&o, ",");
    put_list(&o, formats, h->n_point_formats, false, '-');
    return digest_hex("MD5", j->text, j->md5, 32);
}

/* ---- JA4 ---- */

/* "TLS and DTLS Version": the highest supported_versions entry, else the
 * hello's own version. */
static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case TD_TLS13: return "13";
    case TD_TLS12: return "12";
    case TD_TLS11: return "11";
    case TD_TLS10: return "10";
    case TD_SSL3: return "s3";
    case TD_SSL2: return "s2";
    default: return "00";
    }
}

static bool alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* "ALPN Extension Value": the first and last characters of the first
 * protocol, or of its hex form when either is not alphanumeric; "00"
 * without one. */
static void ja4_alpn(const td_chello *h, char dst[3])
{
    size_t n = h->alpn_first_len;
    if (n == 0) {
        memcpy(dst, "00", 3);
        return;
    }
    uint8_t a = h->alpn_first[0], z = h->alpn_first[n - 1];
    if (alnum(a) && alnum(z)) {
        dst[0] = (char)a;
        dst[1] = (char)z;
    } else {
        char ha[3], hz[3];
        hex_of(&a, 1, ha);
        hex_of(&z, 1, hz);
        dst[0] = ha[0];
        dst[1] = hz[1];
    }
    dst[2] = '\0';
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Copies the non-GREASE values, leaving out skip_a and skip_b (pass a
 * GREASE value for none), sorted. */
static size_t sorted_copy(const uint16_t *v, size_t n, uint16_t skip_a, uint16_t skip_b, uint16_t *dst)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!td_grease(v[i]) && v[i] != skip_a && v[i] != skip_b)
            dst[k++] = v[i];
    qsort(dst, k, sizeof dst[0], cmp_u16);
    return k;
}

static size_t count_real(const uint16_t *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !td_grease(v[i]);
    return k > 99 ? 99 : k;
}

/* "Cipher hash" and "Extension hash": 12 hex digits of SHA-256, or twelve
 * zeros for an empty list. */
static int ja4_hash(const char *text, bool empty, char dst[13])
{
    if (empty) {
        memcpy(dst, "000000000000", 13);
        return 0;
    }
    return digest_hex("SHA256", text, dst, 12);
}

int td_fp_ja4(const td_chello *h, td_ja4 *j)
{
    uint16_t types[TD_CHELLO_MAX_EXTS], suites[TD_CHELLO_MAX_SUITES], exts[TD_CHELLO_MAX_EXTS];
    for (size_t i = 0; i < h->n_exts; i++)
        types[i] = h->exts[i].type;
    size_t n_suites = sorted_copy(h->suites, h->n_suites, 0x0a0a, 0x0a0a, suites);
    size_t n_exts = sorted_copy(types, h->n_exts, TD_EXT_SERVER_NAME, TD_EXT_ALPN, exts);
    char alpn[3];
    ja4_alpn(h, alpn);

    char a[16], b_text[TD_JA4_RAW_MAX], c_text[TD_JA4_RAW_MAX], b[13], c[13];
    snprintf(a, sizeof a, "t%s%c%02zu%02zu%s", ja4_version(td_chello_max_version(h)),
             td_chello_ext_find(h, TD_EXT_SERVER_NAME) ? 'd' : 'i', count_real(h->suites, h->n_suites),
             count_real(types, h->n_exts), alpn);
    out ob = {b_text, sizeof b_text, 0}, oc = {c_text, sizeof c_text, 0};
    b_text[0] = c_text[0] = '\0';
    put_list(&ob, suites, n_suites, true, ',');
    put_list(&oc, exts, n_exts, true, ',');
    if (count_real(h->sigalgs, h->n_sigalgs) > 0) {
        put(&oc, "_");
        put_list(&oc, h->sigalgs, h->n_sigalgs, true, ',');
    }
    if (ja4_hash(b_text, n_suites == 0, b) != 0 || ja4_hash(c_text, n_exts == 0, c) != 0)
        return -1;
    out of = {j->fp, sizeof j->fp, 0}, orw = {j->raw, sizeof j->raw, 0};
    j->fp[0] = j->raw[0] = '\0';
    put(&of, "%s_%s_%s", a, b, c);
    put(&orw, "%s_%s_%s", a, b_text, c_text);
    return 0;
}

/* ---- the nearest client profile ---- */

/* What a hello offered, as compared: GREASE, the signalling suites and the
 * extensions that change from one connection of a client to the next
 * left out. */
typedef struct offer {
    uint16_t versions[TD_CHELLO_MAX_LIST], suites[TD_CHELLO_MAX_SUITES], groups[TD_CHELLO_MAX_LIST],
        sigalgs[TD_CHELLO_MAX_LIST], exts[TD_CHELLO_MAX_EXTS];
    size_t n_versions, n_suites, n_groups, n_sigalgs, n_exts;
} offer;

static bool varies(uint16_t ext)
{
    return ext == TD_EXT_SERVER_NAME || ext == TD_EXT_PADDING || ext == TD_EXT_PRE_SHARED_KEY ||
           ext == TD_EXT_EARLY_DATA;
}

static size_t keep(const uint16_t *v, size_t n, uint16_t *dst, bool suites)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool scsv = suites && (v[i] == TD_SCSV_RENEGOTIATION || v[i] == TD_SCSV_FALLBACK);
        if (!td_grease(v[i]) && !scsv)
            dst[k++] = v[i];
    }
    return k;
}

static void offer_of(const td_chello *h, offer *o)
{
    uint16_t types[TD_CHELLO_MAX_EXTS];
    size_t n = 0;
    for (size_t i = 0; i < h->n_exts; i++)
        if (!varies(h->exts[i].type))
            types[n++] = h->exts[i].type;
    o->n_exts = keep(types, n, o->exts, false);
    o->n_suites = keep(h->suites, h->n_suites, o->suites, true);
    o->n_groups = keep(h->groups, h->n_groups, o->groups, false);
    o->n_sigalgs = keep(h->sigalgs, h->n_sigalgs, o->sigalgs, false);
    o->n_versions = keep(h->versions, h->n_versions, o->versions, false);
    if (o->n_versions == 0) {
        /* RFC 8446 section 4.2.1: without supported_versions the hello
         * offers its legacy_version. */
        o->versions[0] = h->legacy_version;
        o->n_versions = 1;
    }
}

/* Where x stands in v, or n when it is not there. */
static size_t index_of(const uint16_t *v, size_t n, uint16_t x)
{
    size_t i = 0;
    while (i < n && v[i] != x)
        i++;
    return i;
}

static bool has(const uint16_t *v, size_t n, uint16_t x)
{
    return index_of(v, n, x) < n;
}

/* Jaccard similarity of two sets, per mille; two empty sets are alike. */
static unsigned jaccard(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    size_t common = 0;
    for (size_t i = 0; i < na; i++)
        common += has(b, nb, a[i]);
    size_t all = na + nb - common;
    return all == 0 ? 1000 : (unsigned)(common * 1000 / all);
}

/* How far b keeps a's order, per mille: of each two neighbours in a's
 * order that b also lists, the share b lists in the same order.  Two
 * builds of one library differ in preference more often than in the set. */
static unsigned same_order(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    size_t pairs = 0, kept = 0, prev = nb;
    for (size_t i = 0; i < na; i++) {
        size_t at = index_of(b, nb, a[i]);
        if (at == nb)
            continue;
        if (prev < nb) {
            pairs++;
            kept += prev < at;
        }
        prev = at;
    }
    return pairs == 0 ? 1000 : (unsigned)(kept * 1000 / pairs);
}

/* Suites say most about a client build, the extensions least: the
 * profiles' hellos carry the extensions tlsdiag can send, a real client
 * some more. */
static unsigned similarity(const offer *x, const offer *y)
{
    unsigned s = 30 * jaccard(x->suites, x->n_suites, y->suites, y->n_suites) +
                 5 * same_order(x->suites, x->n_suites, y->suites, y->n_suites) +
                 15 * jaccard(x->versions, x->n_versions, y->versions, y->n_versions) +
                 15 * jaccard(x->groups, x->n_groups, y->groups, y->n_groups) +
                 15 * jaccard(x->sigalgs, x->n_sigalgs, y->sigalgs, y->n_sigalgs) +
                 20 * jaccard(x->exts, x->n_exts, y->exts, y->n_exts);
    return s / 100;
}

/* The profiles' offers, from the hellos the client simulation sends for
 * them, read back by the same parser as a captured one. */
static offer *profiles;
static size_t n_profiles;

static bool profile_offer(const td_client *c, offer *o)
{
    static uint8_t rec[1u << 16], msg[1u << 16];
    static td_chello h;
    td_hello_spec sp;
    size_t len = 0, msg_len = 0;
    td_client_hello_spec(c, "client.example", &sp);
    if (td_hello_build(&sp, rec, sizeof rec, &len) != 0 || !td_hello_unframe(rec, len, msg, sizeof msg, &msg_len) ||
        !td_chello_parse(&h, msg, msg_len))
        return false;
    offer_of(&h, o);
    return true;
}

static void profiles_init(void)
{
    size_t n = td_client_count();
    offer *all = calloc(n ? n : 1, sizeof *all);
    if (!all)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!profile_offer(td_client_at(i), &all[i])) {
            free(all);
            return;
        }
    }
    profiles = all;
    n_profiles = n;
}

static void add_tie(td_fp_match *m, const td_client *c)
{
    if (m->n_ties < TD_FP_MAX_TIES)
        m->ties[m->n_ties++] = c;
}

int td_fp_match_client(const td_chello *h, td_fp_match *m)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    offer seen;
    memset(m, 0, sizeof *m);
    pthread_once(&once, profiles_init);
    if (!profiles)
        return -1;
    offer_of(h, &seen);
    for (size_t i = 0; i < n_profiles; i++) {
        unsigned s = similarity(&seen, &profiles[i]);
        if (s > m->score || !m->nearest) {
            m->score = s;
            m->nearest = td_client_at(i);
            m->n_ties = 0;
        }
        if (s == m->score)
            add_tie(m, td_client_at(i));
    }
    m->client = m->score >= TD_FP_THRESHOLD ? m->nearest : NULL;
    return 0;
}
