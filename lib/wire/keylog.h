/* The NSS key log format (SSLKEYLOGFILE), as curl, Firefox, Chrome, Go and
 * Java agents write it: bytes only, no I/O.
 *
 *   # a comment
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random, 64 hex> <secret, hex>
 *   CLIENT_RANDOM <client random> <TLS 1.2 master secret, 96 hex>
 *
 * One entry per line; a line that does not fit the format is counted and
 * the first such is described, never guessed at.  The caller reads the
 * file and hands over its text (td_keylog_add, as many times as it likes). */
#ifndef TD_WIRE_KEYLOG_H
#define TD_WIRE_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_KEYLOG_MAX_ENTRIES 100000 /* about 10 MB; more lines are counted as dropped */
#define TD_KEYLOG_MAX_SECRET  64
#define TD_KEYLOG_MAX_LINE    1024
#define TD_KEYLOG_ERROR_LEN   200

typedef enum {
    TD_KL_CLIENT_RANDOM,     /* TLS 1.2 and below: the master secret */
    TD_KL_CLIENT_EARLY,      /* CLIENT_EARLY_TRAFFIC_SECRET */
    TD_KL_CLIENT_HANDSHAKE,  /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TD_KL_SERVER_HANDSHAKE,  /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TD_KL_CLIENT_TRAFFIC_0,  /* CLIENT_TRAFFIC_SECRET_0 */
    TD_KL_SERVER_TRAFFIC_0,  /* SERVER_TRAFFIC_SECRET_0 */
    TD_KL_EARLY_EXPORTER,    /* EARLY_EXPORTER_SECRET */
    TD_KL_EXPORTER,          /* EXPORTER_SECRET */
    TD_KL_N_LABELS
} td_kl_label;

typedef struct td_keylog_entry {
    td_kl_label label;
    uint8_t client_random[32];
    uint8_t secret[TD_KEYLOG_MAX_SECRET];
    size_t secret_len;
} td_keylog_entry;

typedef struct td_keylog {
    td_keylog_entry *entries;
    size_t n, cap;
    size_t lines;          /* lines read, comments and blank ones included */
    size_t bad_lines;      /* lines that are not a key log entry */
    size_t dropped;        /* good lines past TD_KEYLOG_MAX_ENTRIES */
    /* "line 3: client random of 30 hex digits, not 64" */
    char first_bad[TD_KEYLOG_ERROR_LEN];
    bool oom;              /* an allocation failed: later lines were dropped */
} td_keylog;

void td_keylog_init(td_keylog *kl);
/* Adds the entries of text (any number of whole lines; a last line without
 * its newline counts).  Returns the number of entries added. */
size_t td_keylog_add(td_keylog *kl, const char *text, size_t len);
/* The secret logged for this client random and label, or NULL; *len is
 * its length.  A later line for the same pair wins, as in the file. */
const uint8_t *td_keylog_find(const td_keylog *kl, const uint8_t client_random[32], td_kl_label label,
                              size_t *len);
void td_keylog_free(td_keylog *kl);

/* "CLIENT_HANDSHAKE_TRAFFIC_SECRET", ... */
const char *td_kl_label_name(td_kl_label l);

#endif
