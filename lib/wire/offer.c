/* Holding a server's choices to what its ClientHello offered. */
#include "offer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tls.h"

/* Copies n values into dst (capacity cap); false when they did not fit. */
static bool keep(uint16_t *dst, size_t *n_dst, size_t cap, const uint16_t *src, size_t n)
{
    *n_dst = 0;
    if (!src)
        return n == 0;
    for (size_t i = 0; i < n && *n_dst < cap; i++)
        dst[(*n_dst)++] = src[i];
    return n <= cap;
}

static bool has(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

void td_offer_from_spec(td_offer *o, const td_hello_spec *spec)
{
    memset(o, 0, sizeof *o);
    /* The same decisions as td_hello_build (hello.c). */
    bool ext = !(spec->flags & TD_HELLO_NO_EXTENSIONS);
    bool offers13 = spec->version >= TD_TLS13;
    o->client_version = spec->version < TD_TLS12 ? spec->version : TD_TLS12;
    if (ext && spec->versions && spec->n_versions > 0)
        keep(o->versions, &o->n_versions, TD_OFFER_MAX_VERSIONS, spec->versions, spec->n_versions);
    else if (ext && offers13)
        keep(o->versions, &o->n_versions, TD_OFFER_MAX_VERSIONS, &spec->version, 1);
    o->suites_kept = keep(o->suites, &o->n_suites, TD_OFFER_MAX_SUITES, spec->suites, spec->n_suites);
    if (ext)
        o->groups_kept = keep(o->groups, &o->n_groups, TD_OFFER_MAX_GROUPS, spec->groups, spec->n_groups);
    if (ext && offers13)
        keep(o->shares, &o->n_shares, TD_OFFER_MAX_SHARES, spec->key_shares, spec->n_key_shares);
}

void td_offer_from_chello(td_offer *o, const td_chello *h)
{
    memset(o, 0, sizeof *o);
    o->client_version = h->legacy_version;
    keep(o->versions, &o->n_versions, TD_OFFER_MAX_VERSIONS, h->versions, h->n_versions);
    /* RFC 5746 section 3.3, RFC 7507 section 2: no server selects these. */
    uint16_t suites[TD_CHELLO_MAX_SUITES];
    size_t n = 0;
    for (size_t i = 0; i < h->n_suites; i++)
        if (h->suites[i] != TD_SCSV_RENEGOTIATION && h->suites[i] != TD_SCSV_FALLBACK)
            suites[n++] = h->suites[i];
    o->suites_kept = keep(o->suites, &o->n_suites, TD_OFFER_MAX_SUITES, suites, n) && !h->suites_truncated;
    o->groups_kept = keep(o->groups, &o->n_groups, TD_OFFER_MAX_GROUPS, h->groups, h->n_groups) &&
                     !h->groups_truncated;
    keep(o->shares, &o->n_shares, TD_OFFER_MAX_SHARES, h->share_groups, h->n_shares);
}

__attribute__((format(printf, 5, 6)))
static bool refuse(char *err, size_t cap, const td_flight *f, size_t at, const char *fmt, ...)
{
    char what[TD_FLIGHT_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, cap, "%s offset %zu: %s", f->kind == TD_FLIGHT_HRR ? "HelloRetryRequest" : "ServerHello", at,
             what);
    return false;
}

static bool has_ext(const td_flight *f, uint16_t type)
{
    return has(f->exts, f->n_exts, type);
}

static bool check_version(const td_offer *o, const td_flight *f, char *err, size_t cap)
{
    if (has_ext(f, TD_EXT_SUPPORTED_VERSIONS)) {
        /* RFC 8446 section 4.2.1: the client aborts when selected_version
         * was not offered or is below TLS 1.3. */
        if (!has(o->versions, o->n_versions, f->version))
            return refuse(err, cap, f, f->version_at, "selects version 0x%04X, which the ClientHello did not offer "
                          "(RFC 8446 section 4.2.1)", f->version);
        if (f->version < TD_TLS13)
            return refuse(err, cap, f, f->version_at, "selects version 0x%04X in supported_versions, which only "
                          "TLS 1.3 and later may do (RFC 8446 section 4.2.1)", f->version);
        return true;
    }
    /* RFC 8446 section 4.1.4: a HelloRetryRequest names its version there. */
    if (f->kind == TD_FLIGHT_HRR)
        return refuse(err, cap, f, 0, "no supported_versions extension (RFC 8446 section 4.1.4)");
    /* RFC 5246 appendix E.1: the server answers with the client's version
     * or a lower one, never a higher one. */
    if (f->legacy_version > o->client_version)
        return refuse(err, cap, f, 0, "selects version 0x%04X, above the 0x%04X the ClientHello offered (RFC 5246 "
                      "appendix E.1 / RFC 8446 section 4.1.3)", f->legacy_version, o->client_version);
    return true;
}

static bool check_suite(const td_offer *o, const td_flight *f, char *err, size_t cap)
{
    if (!o->suites_kept || has(o->suites, o->n_suites, f->suite))
        return true;
    /* legacy_version, random, the session id and its length byte come first */
    size_t at = 2 + sizeof f->random + 1 + f->session_id_len;
    return refuse(err, cap, f, at, "selects cipher suite 0x%04X, which the ClientHello did not offer (RFC 8446 "
                  "section 4.1.3 / RFC 5246 section 7.4.1.3)", f->suite);
}

static bool check_group(const td_offer *o, const td_flight *f, char *err, size_t cap)
{
    if (f->kind == TD_FLIGHT_HRR) {
        if (!f->group)
            return true;
        /* RFC 8446 section 4.1.4: a group the client supports and sent no
         * share for, else the client aborts with illegal_parameter. */
        if (o->groups_kept && !has(o->groups, o->n_groups, f->group))
            return refuse(err, cap, f, f->group_at, "asks for group 0x%04X, which the ClientHello did not offer "
                          "(RFC 8446 section 4.1.4)", f->group);
        if (has(o->shares, o->n_shares, f->group))
            return refuse(err, cap, f, f->group_at, "asks for group 0x%04X, for which the ClientHello already sent "
                          "a key share (RFC 8446 section 4.1.4)", f->group);
        return true;
    }
    /* RFC 8446 section 4.2.8: the server's share is in a group the client
     * sent a share for. */
    if (f->version >= TD_TLS13 && f->group && !has(o->shares, o->n_shares, f->group))
        return refuse(err, cap, f, f->group_at, "key share for group 0x%04X, for which the ClientHello sent no key "
                      "share (RFC 8446 section 4.2.8)", f->group);
    /* RFC 8422 section 5.1: with supported_groups sent, the server's curve
     * is one of them.  Without it, any curve is the server's to pick. */
    if (f->version < TD_TLS13 && f->has_ske && f->ske_group && o->n_groups > 0 && o->groups_kept &&
        !has(o->groups, o->n_groups, f->ske_group)) {
        snprintf(err, cap, "ServerKeyExchange offset %zu: curve 0x%04X, which the ClientHello did not offer in "
                 "supported_groups (RFC 8422 section 5.1)", f->ske_group_at, f->ske_group);
        return false;
    }
    return true;
}

bool td_offer_check(const td_offer *o, const td_flight *f, char *err, size_t cap)
{
    if (f->kind != TD_FLIGHT_HELLO && f->kind != TD_FLIGHT_HRR)
        return true;
    return check_version(o, f, err, cap) && check_suite(o, f, err, cap) && check_group(o, f, err, cap);
}
