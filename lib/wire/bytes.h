/* Bounded reader and writer for every wire byte tlsdiag touches.
 *
 * All untrusted input goes through td_rd: a view of (pointer, length) that
 * only ever shrinks.  A length-prefixed field becomes a sub-reader, so a
 * parser can never read past the field it is in, and a field with bytes left
 * over is detected by td_rd_empty().  Writers (td_wr) own their length
 * prefixes: td_wr_open() reserves the prefix, td_wr_close() fills it in.  Any
 * overflow makes the writer sticky-failed, so callers check once at the end. */
#ifndef TD_WIRE_BYTES_H
#define TD_WIRE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct td_rd {
    const uint8_t *p;
    size_t len;
} td_rd;

void td_rd_init(td_rd *r, const uint8_t *p, size_t len);
size_t td_rd_left(const td_rd *r);
bool td_rd_empty(const td_rd *r);
const uint8_t *td_rd_ptr(const td_rd *r);
bool td_rd_u8(td_rd *r, uint8_t *out);
bool td_rd_u16(td_rd *r, uint16_t *out);
bool td_rd_u24(td_rd *r, uint32_t *out);
bool td_rd_u32(td_rd *r, uint32_t *out);
bool td_rd_skip(td_rd *r, size_t n);
bool td_rd_copy(td_rd *r, uint8_t *dst, size_t n);
/* Splits the next n bytes off as a sub-reader. */
bool td_rd_sub(td_rd *r, size_t n, td_rd *out);
/* Reads a 1/2/3-byte length, then splits that many bytes off. */
bool td_rd_prefixed8(td_rd *r, td_rd *out);
bool td_rd_prefixed16(td_rd *r, td_rd *out);
bool td_rd_prefixed24(td_rd *r, td_rd *out);
/* Splits off the bytes before the first `delim` and consumes the delim
 * too; without one, splits off everything.  For text formats (lines,
 * space-separated fields). */
void td_rd_until(td_rd *r, uint8_t delim, td_rd *out);
/* Looks at byte i without consuming (false when i is out of range). */
bool td_rd_peek(const td_rd *r, size_t i, uint8_t *out);
/* How far into `whole` the cursor of `at` stands, for error texts; `at`
 * must be a view taken from `whole` (a copy, a sub-reader).  Returns the
 * length of `whole` when it is not. */
size_t td_rd_pos(const td_rd *whole, const td_rd *at);
/* Reads one DER element (X.690 section 8.1: a one-byte tag, then a
 * definite length in its shortest form) and splits its contents off.  On
 * failure the reader stays where it was and *why (when why is not NULL)
 * names the rule the bytes break. */
bool td_rd_der(td_rd *r, uint8_t *tag, td_rd *content, const char **why);

#define TD_WR_MAX_DEPTH 8

typedef struct td_wr {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool err;
    size_t open_at[TD_WR_MAX_DEPTH]; /* offset of each open prefix */
    uint8_t open_width[TD_WR_MAX_DEPTH];
    int depth;
} td_wr;

void td_wr_init(td_wr *w, uint8_t *buf, size_t cap);
void td_wr_u8(td_wr *w, uint8_t v);
void td_wr_u16(td_wr *w, uint16_t v);
void td_wr_u24(td_wr *w, uint32_t v);
void td_wr_u32(td_wr *w, uint32_t v);
void td_wr_bytes(td_wr *w, const void *p, size_t n);
void td_wr_zeros(td_wr *w, size_t n);
/* Opens a length prefix of width 1, 2 or 3 bytes; close fills it in and
 * fails the writer if the body does not fit the width. */
void td_wr_open(td_wr *w, int width);
void td_wr_close(td_wr *w);
/* True when nothing overflowed and every prefix was closed. */
bool td_wr_ok(const td_wr *w);

#endif
