/* A growable, capped string for building summaries, evidence and reports. */
#ifndef TD_UTIL_STR_H
#define TD_UTIL_STR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define TD_STR_MAX (1u << 20) /* no single string tlsdiag builds may exceed 1 MiB */

typedef struct td_str {
    char *s;      /* always NUL-terminated once anything was appended; NULL before */
    size_t len, cap;
    int err;      /* sticky: out of memory or over TD_STR_MAX */
} td_str;

void td_str_init(td_str *b);
void td_str_printf(td_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void td_str_vprintf(td_str *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void td_str_add(td_str *b, const char *s);
void td_str_addn(td_str *b, const char *s, size_t n); /* n bytes of s, which need no NUL */
void td_str_hex(td_str *b, const unsigned char *p, size_t n); /* "16 03 01 ..." */
/* Hands the buffer over (never NULL: "" when empty); b is reset. */
char *td_str_take(td_str *b);
void td_str_free(td_str *b);
/* Writes a one-line reason into buf (an object's error string), cut to fit. */
void td_errbuf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Duplicates s, or returns NULL.  */
char *td_strdup(const char *s);
/* The value of one hex digit (either case), or -1. */
int td_hex_digit(int c);
/* Parses a decimal integer in [min, max]; the whole string must be digits. */
/* An array v of n elements of size bytes with room for *cap: with room for
 * one more (the capacity doubles, from 16).  Returns the array, moved or
 * not, or NULL when out of memory (v is then left as it was). */
void *td_grow(void *v, size_t *cap, size_t n, size_t size);
/* FNV-1a, 64 bits: for hash tables and for assigning addresses to shards
 * (stable across runs and machines). */
uint64_t td_hash(const char *s);
int td_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif
