#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void td_str_init(td_str *b)
{
    b->s = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = 0;
}

/* Makes room for extra more bytes plus the terminator.  Refusing past
 * TD_STR_MAX keeps a hostile peer (a huge banner, thousands of suites) from
 * turning one report line into unbounded memory. */
static int reserve(td_str *b, size_t extra)
{
    if (b->err)
        return -1;
    if (extra >= TD_STR_MAX || b->len + extra + 1 > TD_STR_MAX) {
        b->err = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > TD_STR_MAX)
        cap = TD_STR_MAX;
    char *p = realloc(b->s, cap);
    if (!p) {
        b->err = 1;
        return -1;
    }
    if (!b->s)
        p[0] = '\0';
    b->s = p;
    b->cap = cap;
    return 0;
}

void td_str_vprintf(td_str *b, const char *fmt, va_list ap)
{
    if (b->err)
        return;
    /* Formatted once into the room there is; a second time only when it
     * did not fit. */
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->err = 1;
        return;
    }
    if ((size_t)n >= room) {
        if (reserve(b, (size_t)n) != 0) {
            if (room)
                b->s[b->len] = '\0';
            return;
        }
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void td_str_printf(td_str *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(b, fmt, ap);
    va_end(ap);
}

void td_str_add(td_str *b, const char *s)
{
    if (s)
        td_str_addn(b, s, strlen(s));
}

void td_str_addn(td_str *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void td_str_hex(td_str *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n == 0)
        return;
    if (n > TD_STR_MAX / 3 || reserve(b, n * 3 - 1) != 0) {
        b->err = 1;
        return;
    }
    char *o = b->s + b->len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *o++ = ' ';
        *o++ = digits[p[i] >> 4];
        *o++ = digits[p[i] & 15];
    }
    *o = '\0';
    b->len = (size_t)(o - b->s);
}

char *td_str_take(td_str *b)
{
    char *s = b->s;
    td_str_init(b);
    if (!s)
        s = calloc(1, 1); /* NULL only if even one byte is unavailable */
    return s;
}

void td_str_free(td_str *b)
{
    free(b->s);
    td_str_init(b);
}

char *td_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int td_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int td_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    /* Digits only: strtoul would accept leading spaces, a sign and "0x",
     * none of which belong in a port or a count typed on a command line. */
    if (!s || !*s)
        return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned long d = (unsigned long)(*p - '0');
        /* v * 10 + d > max, asked without overflowing */
        if (d > max || v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v < min)
        return -1;
    *out = v;
    return 0;
}

void td_errbuf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

uint64_t td_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void *td_grow(void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? *cap * 2 : 16;
    if (c > SIZE_MAX / size)
        return NULL;
    void *nv = realloc(v, c * size);
    if (nv)
        *cap = c;
    return nv;
}
