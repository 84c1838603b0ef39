/* Helpers shared by the files of lib/cert/; not part of the module's interface. */
#ifndef TD_CERT_INT_H
#define TD_CERT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "cert.h"

/* Decodes exactly one certificate filling all of d (trailing bytes are an
 * error, as they are for libssl's Certificate message parser).  NULL with a
 * reason in err (may be NULL); the OpenSSL error queue is left empty. */
X509 *td_cert_d2i(td_der d, char *err, size_t errlen);

/* td_cert_info_from_der() for an already decoded certificate: der/derlen are
 * its encoding (hashed for the fingerprint). */
int td_cert_info_from_x509(X509 *x, const uint8_t *der, size_t derlen, td_cert_info *out,
                           char *err, size_t errlen);

/* A DN as an RFC 2253 one-liner, printable ASCII, truncated to cap. */
void td_cert_dn(const X509_NAME *name, char *dst, size_t cap);

/* The subject's last (most specific) commonName, escaped as td_cert_esc(). */
void td_cert_cn(const X509_NAME *name, char *dst, size_t cap);

/* Copies len bytes (not NUL-terminated) into dst, escaping every byte that is
 * not printable ASCII, and backslash, as \xNN; "..." marks a cut.  Spaces
 * pass only with allow_space (CNs are text; in a DNS name or URI a space is
 * a fault worth seeing). */
void td_cert_esc(char *dst, size_t cap, const void *src, size_t len, bool allow_space);

/* snprintf() that marks a cut with "...": for sentences quoting names of
 * any length, where cutting is expected. */
void td_cert_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf-like copy of a C string that marks a cut with "...". */
void td_cert_copy(char *dst, size_t cap, const char *src);

/* RSA/DSA under 2048 bits, EC under 224 bits (see td_cert_key_too_small). */
bool td_cert_key_small(const char *key_type, int key_bits);

#endif
