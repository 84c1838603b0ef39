/* The error-text matcher: a source.  It reads one line and says what the
 * line shows (td_xhit: the pattern, the alert and its direction), and what
 * else the text names (td_xfacts: host, port, SNI, client address, software
 * versions, verification turned off).  It judges nothing: lib/explain/rules.c
 * turns hits into ranked causes. */
#ifndef TD_EXPLAIN_MATCH_H
#define TD_EXPLAIN_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "explain/kb.h"

/* Longest line looked at; longer ones are skipped and counted. */
#define TD_X_MAX_LINE 65536

typedef struct td_xhit {
    const td_xpat *pat;
    int alert;       /* -1, or the alert this line reports */
    bool alert_sent; /* the writer sent the alert (curl's "(OUT), TLS alert") */
} td_xhit;

#define TD_X_HOST_MAX 256

typedef struct td_xfacts {
    char host[TD_X_HOST_MAX];  /* the server the client connected to */
    unsigned port;             /* 0: not given */
    char sni[TD_X_HOST_MAX];   /* the name asked for, when it differs from host */
    char client[64];           /* the client address, in a server's log line */
    char versions[TD_XSW_COUNT][24]; /* "7.88.1" per software */
    const char *disabled_how;  /* "curl -k", ...: verification was turned off */
    int cert_index;            /* gnutls-cli's "- Certificate[N] info:" being read, -1 none */
} td_xfacts;

void td_xfacts_init(td_xfacts *f);

/* The hits of one line, given as td_xnorm() made it; at most max, in the
 * order found, each pattern once.  Returns how many.  ctx: the facts of the
 * lines before (which certificate gnutls-cli is describing), or NULL. */
size_t td_xmatch_line(const td_kb *kb, const char *norm, size_t len, const td_xfacts *ctx, td_xhit *hits,
                      size_t max);
/* The same with the free-text patterns of some writers only: bit
 * (1u << td_xsw) set in sw_mask.  Codes are always read. */
size_t td_xmatch_line_sw(const td_kb *kb, const char *norm, size_t len, const td_xfacts *ctx, unsigned sw_mask,
                         td_xhit *hits, size_t max);

/* Reads what the line names into f (the first value of each kind wins);
 * raw and norm are the same line before and after td_xnorm(). */
void td_xfacts_scan(td_xfacts *f, const char *raw, const char *norm, size_t len);

/* A packed OpenSSL error code ("0A000102" in OpenSSL 3, "14094102" in 1.1)
 * to its SSL reason; -1 when it is not an SSL-library code. */
int td_xossl_reason(unsigned long packed);

#endif
