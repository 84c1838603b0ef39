/* Bounded reader and writer: the only code in the wire engine that touches
 * raw offsets.  Everything else walks td_rd views, so the bounds checks live
 * here once. */
#include "bytes.h"

#include <stdint.h>
#include <string.h>

void td_rd_init(td_rd *r, const uint8_t *p, size_t len)
{
    /* A NULL base with a length would be read from; treat it as empty. */
    r->p = p;
    r->len = p ? len : 0;
}

size_t td_rd_left(const td_rd *r)
{
    return r->len;
}

bool td_rd_empty(const td_rd *r)
{
    return r->len == 0;
}

const uint8_t *td_rd_ptr(const td_rd *r)
{
    return r->p;
}

/* Consumes n bytes that the caller has already checked are there.  Adding
 * zero to a NULL base is undefined, hence the guard. */
static void advance(td_rd *r, size_t n)
{
    if (n == 0)
        return;
    r->p += n;
    r->len -= n;
}

bool td_rd_u8(td_rd *r, uint8_t *out)
{
    if (r->len < 1)
        return false;
    *out = r->p[0];
    advance(r, 1);
    return true;
}

bool td_rd_u16(td_rd *r, uint16_t *out)
{
    if (r->len < 2)
        return false;
    *out = (uint16_t)((r->p[0] << 8) | r->p[1]);
    advance(r, 2);
    return true;
}

bool td_rd_u24(td_rd *r, uint32_t *out)
{
    if (r->len < 3)
        return false;
    *out = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
    advance(r, 3);
    return true;
}

bool td_rd_u32(td_rd *r, uint32_t *out)
{
    if (r->len < 4)
        return false;
    *out = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
           ((uint32_t)r->p[2] << 8) | r->p[3];
    advance(r, 4);
    return true;
}

bool td_rd_skip(td_rd *r, size_t n)
{
    if (r->len < n)
        return false;
    advance(r, n);
    return true;
}

bool td_rd_copy(td_rd *r, uint8_t *dst, size_t n)
{
    if (r->len < n)
        return false;
    if (n > 0)
        memcpy(dst, r->p, n);
    advance(r, n);
    return true;
}

bool td_rd_sub(td_rd *r, size_t n, td_rd *out)
{
    if (r->len < n)
        return false;
    out->p = r->p;
    out->len = n;
    advance(r, n);
    return true;
}

bool td_rd_prefixed8(td_rd *r, td_rd *out)
{
    uint8_t n;
    td_rd save = *r;
    if (!td_rd_u8(r, &n) || !td_rd_sub(r, n, out)) {
        /* Leave the reader where it was so a failed read is side-effect free. */
        *r = save;
        return false;
    }
    return true;
}

bool td_rd_prefixed16(td_rd *r, td_rd *out)
{
    uint16_t n;
    td_rd save = *r;
    if (!td_rd_u16(r, &n) || !td_rd_sub(r, n, out)) {
        *r = save;
        return false;
    }
    return true;
}

bool td_rd_prefixed24(td_rd *r, td_rd *out)
{
    uint32_t n;
    td_rd save = *r;
    if (!td_rd_u24(r, &n) || !td_rd_sub(r, n, out)) {
        *r = save;
        return false;
    }
    return true;
}

void td_rd_until(td_rd *r, uint8_t delim, td_rd *out)
{
    const uint8_t *at = r->len ? memchr(r->p, delim, r->len) : NULL;
    size_t n = at ? (size_t)(at - r->p) : r->len;
    td_rd_sub(r, n, out);
    if (at)
        advance(r, 1);
}

bool td_rd_peek(const td_rd *r, size_t i, uint8_t *out)
{
    if (i >= r->len)
        return false;
    *out = r->p[i];
    return true;
}

size_t td_rd_pos(const td_rd *whole, const td_rd *at)
{
    /* Compared as addresses: both views point into the same buffer. */
    uintptr_t base = (uintptr_t)whole->p, cur = (uintptr_t)at->p;
    if (!whole->p || !at->p || cur < base || cur - base > whole->len)
        return whole->len;
    return (size_t)(cur - base);
}

static bool der_fail(const char **why, const char *rule)
{
    if (why)
        *why = rule;
    return false;
}

/* X.690 section 8.1.3: the length octets.  DER (section 10.1) wants the
 * definite form, and the short form whenever the length fits it. */
static bool der_length(td_rd *r, size_t *len, const char **why)
{
    uint8_t first;
    if (!td_rd_u8(r, &first))
        return der_fail(why, "no length octets (X.690 section 8.1.3)");
    if (first < 0x80) {
        *len = first;
        return true;
    }
    if (first == 0x80)
        return der_fail(why, "indefinite length, which DER forbids (X.690 section 10.1)");
    size_t n = first & 0x7fu;
    if (n > sizeof(uint32_t))
        return der_fail(why, "length of more than 4 octets (X.690 section 8.1.3.5)");
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b;
        if (!td_rd_u8(r, &b))
            return der_fail(why, "length octets cut short (X.690 section 8.1.3.5)");
        if (i == 0 && b == 0)
            return der_fail(why, "length with a leading zero octet, which DER forbids (X.690 section 10.1)");
        v = (v << 8) | b;
    }
    if (v < 0x80)
        return der_fail(why, "long-form length below 128, which DER forbids (X.690 section 10.1)");
    *len = v;
    return true;
}

bool td_rd_der(td_rd *r, uint8_t *tag, td_rd *content, const char **why)
{
    td_rd save = *r;
    size_t len = 0;
    /* Multi-byte tags (low five bits all set) never occur at the levels
     * this reader is used for. */
    if (!td_rd_u8(r, tag)) {
        *r = save;
        return der_fail(why, "no tag octet (X.690 section 8.1.2)");
    }
    if ((*tag & 0x1fu) == 0x1fu) {
        *r = save;
        return der_fail(why, "multi-octet tag (X.690 section 8.1.2.4)");
    }
    if (!der_length(r, &len, why)) {
        *r = save;
        return false;
    }
    if (!td_rd_sub(r, len, content)) {
        *r = save;
        return der_fail(why, "length runs past the end of the data (X.690 section 8.1.3)");
    }
    return true;
}

/* ---- writer ---- */

void td_wr_init(td_wr *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = buf ? cap : 0;
}

/* Reserves n bytes and returns where they start, or NULL (and the writer
 * fails for good) when they do not fit. */
static uint8_t *reserve(td_wr *w, size_t n)
{
    if (w->err)
        return NULL;
    if (n > w->cap - w->len) {
        w->err = true;
        return NULL;
    }
    uint8_t *at = w->buf + w->len;
    w->len += n;
    return at;
}

void td_wr_u8(td_wr *w, uint8_t v)
{
    uint8_t *p = reserve(w, 1);
    if (p)
        p[0] = v;
}

void td_wr_u16(td_wr *w, uint16_t v)
{
    uint8_t *p = reserve(w, 2);
    if (p) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    }
}

void td_wr_u24(td_wr *w, uint32_t v)
{
    if (v > 0xffffffu) {
        w->err = true;
        return;
    }
    uint8_t *p = reserve(w, 3);
    if (p) {
        p[0] = (uint8_t)(v >> 16);
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)v;
    }
}

void td_wr_u32(td_wr *w, uint32_t v)
{
    uint8_t *p = reserve(w, 4);
    if (p) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
    }
}

void td_wr_bytes(td_wr *w, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (!p) {
        w->err = true;
        return;
    }
    uint8_t *dst = reserve(w, n);
    if (dst)
        memcpy(dst, p, n);
}

void td_wr_zeros(td_wr *w, size_t n)
{
    if (n == 0)
        return;
    uint8_t *dst = reserve(w, n);
    if (dst)
        memset(dst, 0, n);
}

void td_wr_open(td_wr *w, int width)
{
    if (width < 1 || width > 3 || w->depth >= TD_WR_MAX_DEPTH) {
        w->err = true;
        return;
    }
    size_t at = w->len;
    if (!reserve(w, (size_t)width))
        return;
    w->open_at[w->depth] = at;
    w->open_width[w->depth] = (uint8_t)width;
    w->depth++;
}

void td_wr_close(td_wr *w)
{
    if (w->depth <= 0) {
        /* Unbalanced close: a bug in the caller, reported like an overflow. */
        w->err = true;
        return;
    }
    w->depth--;
    if (w->err)
        return;
    size_t at = w->open_at[w->depth];
    size_t width = w->open_width[w->depth];
    size_t body = w->len - at - width;
    size_t max = ((size_t)1 << (8 * width)) - 1;
    if (body > max) {
        w->err = true;
        return;
    }
    for (size_t i = 0; i < width; i++)
        w->buf[at + i] = (uint8_t)(body >> (8 * (width - 1 - i)));
}

bool td_wr_ok(const td_wr *w)
{
    return !w->err && w->depth == 0;
}
