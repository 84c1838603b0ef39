/* The NSS key log format: "LABEL <client random> <secret>" per line, hex,
 * separated by single spaces; lines starting with '#' are comments.
 * https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/ */
#include "keylog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "util/str.h"

static const char *const label_names[TD_KL_N_LABELS] = {
    [TD_KL_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [TD_KL_CLIENT_EARLY] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [TD_KL_CLIENT_HANDSHAKE] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [TD_KL_SERVER_HANDSHAKE] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [TD_KL_CLIENT_TRAFFIC_0] = "CLIENT_TRAFFIC_SECRET_0",
    [TD_KL_SERVER_TRAFFIC_0] = "SERVER_TRAFFIC_SECRET_0",
    [TD_KL_EARLY_EXPORTER] = "EARLY_EXPORTER_SECRET",
    [TD_KL_EXPORTER] = "EXPORTER_SECRET",
};

const char *td_kl_label_name(td_kl_label l)
{
    return (unsigned)l < TD_KL_N_LABELS ? label_names[l] : "unknown";
}

void td_keylog_init(td_keylog *kl)
{
    memset(kl, 0, sizeof *kl);
}

void td_keylog_free(td_keylog *kl)
{
    free(kl->entries);
    td_keylog_init(kl);
}

__attribute__((format(printf, 2, 3)))
static bool bad_line(td_keylog *kl, const char *fmt, ...)
{
    kl->bad_lines++;
    if (kl->first_bad[0])
        return false;
    char what[TD_KEYLOG_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (snprintf(kl->first_bad, sizeof kl->first_bad, "line %zu: %s", kl->lines, what) < 0)
        kl->first_bad[0] = '\0';
    return false;
}

/* Decodes a whole field of hex into at most cap bytes; false for an odd
 * count, a non-hex digit or too many. */
static bool hex_field(td_rd *f, uint8_t *out, size_t cap, size_t *n)
{
    *n = 0;
    if (td_rd_left(f) % 2 != 0 || td_rd_left(f) / 2 > cap)
        return false;
    uint8_t hi, lo;
    while (td_rd_u8(f, &hi) && td_rd_u8(f, &lo)) {
        int a = td_hex_digit(hi), b = td_hex_digit(lo);
        if (a < 0 || b < 0)
            return false;
        out[(*n)++] = (uint8_t)(a << 4 | b);
    }
    return true;
}

static bool field_is(const td_rd *f, const char *s)
{
    return td_rd_left(f) == strlen(s) && memcmp(td_rd_ptr(f), s, td_rd_left(f)) == 0;
}

static bool store(td_keylog *kl, const td_keylog_entry *e)
{
    if (kl->n == kl->cap) {
        if (kl->cap >= TD_KEYLOG_MAX_ENTRIES) {
            kl->dropped++;
            return false;
        }
        size_t cap = kl->cap ? kl->cap * 2 : 64;
        if (cap > TD_KEYLOG_MAX_ENTRIES)
            cap = TD_KEYLOG_MAX_ENTRIES;
        td_keylog_entry *p = realloc(kl->entries, cap * sizeof *p);
        if (!p) {
            kl->oom = true;
            kl->dropped++;
            return false;
        }
        kl->entries = p;
        kl->cap = cap;
    }
    kl->entries[kl->n++] = *e;
    return true;
}

/* One line without its line end.  Unknown labels (RSA, the QUIC and
 * ECH secrets) are another program's business: skipped, not bad. */
static bool parse_line(td_keylog *kl, td_rd *line)
{
    td_rd label, random, secret;
    if (td_rd_empty(line) || td_rd_ptr(line)[0] == '#')
        return false;
    if (td_rd_left(line) > TD_KEYLOG_MAX_LINE)
        return bad_line(kl, "longer than %u bytes", TD_KEYLOG_MAX_LINE);
    td_rd_until(line, ' ', &label);
    td_rd_until(line, ' ', &random);
    td_rd_until(line, ' ', &secret);
    td_keylog_entry e = {.label = TD_KL_N_LABELS};
    for (int l = 0; l < TD_KL_N_LABELS; l++)
        if (field_is(&label, label_names[l]))
            e.label = (td_kl_label)l;
    if (e.label == TD_KL_N_LABELS)
        return false;
    size_t n = 0;
    if (!td_rd_empty(line))
        return bad_line(kl, "more than three fields");
    if (td_rd_left(&random) != 64 || !hex_field(&random, e.client_random, sizeof e.client_random, &n))
        return bad_line(kl, "client random is not 64 hex digits");
    if (!hex_field(&secret, e.secret, sizeof e.secret, &e.secret_len) || e.secret_len == 0)
        return bad_line(kl, "secret is not 2 to %d hex digits", 2 * TD_KEYLOG_MAX_SECRET);
    /* RFC 5246 section 8.1: the master secret is always 48 bytes. */
    if (e.label == TD_KL_CLIENT_RANDOM && e.secret_len != 48)
        return bad_line(kl, "CLIENT_RANDOM secret of %zu bytes, not 48", e.secret_len);
    return store(kl, &e);
}

size_t td_keylog_add(td_keylog *kl, const char *text, size_t len)
{
    td_rd r, line;
    size_t added = 0;
    td_rd_init(&r, (const uint8_t *)text, len);
    while (!td_rd_empty(&r)) {
        td_rd_until(&r, '\n', &line);
        /* Files written on Windows end their lines with CR LF. */
        uint8_t last;
        td_rd crlf = line;
        if (td_rd_left(&line) > 0 && td_rd_peek(&line, td_rd_left(&line) - 1, &last) && last == '\r')
            td_rd_sub(&crlf, td_rd_left(&line) - 1, &line);
        kl->lines++;
        added += parse_line(kl, &line);
    }
    return added;
}

const uint8_t *td_keylog_find(const td_keylog *kl, const uint8_t client_random[32], td_kl_label label,
                              size_t *len)
{
    for (size_t i = kl->n; i-- > 0;) {
        const td_keylog_entry *e = &kl->entries[i];
        if (e->label == label && memcmp(e->client_random, client_random, 32) == 0) {
            *len = e->secret_len;
            return e->secret;
        }
    }
    return NULL;
}
