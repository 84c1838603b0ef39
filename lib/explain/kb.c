/* Loads the compiled-in knowledge of `tlsdiag explain` (kb.h). */
#include "explain/kb.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"

/* The data files, as scripts/embed.sh writes them. */
extern const unsigned char td_x_patterns_tsv[], td_x_map_tsv[], td_x_alerts_tsv[], td_x_causes_tsv[],
    td_x_openssl_tsv[];

static const char *const sw_tokens[TD_XSW_COUNT] = {
#define TD_XSW_TOK(n, tok, label) tok,
    TD_XSW_LIST(TD_XSW_TOK)
#undef TD_XSW_TOK
};
static const char *const sw_labels[TD_XSW_COUNT] = {
#define TD_XSW_LABEL(n, tok, label) label,
    TD_XSW_LIST(TD_XSW_LABEL)
#undef TD_XSW_LABEL
};
static const char *const step_tokens[TD_XSTEP_COUNT] = {
#define TD_XSTEP_TOK(n, tok, words) tok,
    TD_XSTEP_LIST(TD_XSTEP_TOK)
#undef TD_XSTEP_TOK
};
static const char *const step_words[TD_XSTEP_COUNT] = {
#define TD_XSTEP_WORDS(n, tok, words) words,
    TD_XSTEP_LIST(TD_XSTEP_WORDS)
#undef TD_XSTEP_WORDS
};

const char *td_xsw_token(td_xsw s) { return s < TD_XSW_COUNT ? sw_tokens[s] : "unknown"; }
const char *td_xsw_label(td_xsw s) { return s < TD_XSW_COUNT ? sw_labels[s] : ""; }
bool td_xsw_is_server(td_xsw s) { return s >= TD_XSW_NGINX && s < TD_XSW_COUNT; }
const char *td_xstep_token(td_xstep s) { return s < TD_XSTEP_COUNT ? step_tokens[s] : "unknown"; }
const char *td_xstep_words(td_xstep s) { return s < TD_XSTEP_COUNT ? step_words[s] : step_words[0]; }

const char *td_xside_token(td_xside s)
{
    return s == TD_XSIDE_CLIENT ? "client" : s == TD_XSIDE_SERVER ? "server" : "unknown";
}

td_xsw td_xsw_by_token(const char *tok, size_t len)
{
    for (int i = 1; i < TD_XSW_COUNT; i++)
        if (strlen(sw_tokens[i]) == len && strncmp(sw_tokens[i], tok, len) == 0)
            return (td_xsw)i;
    return TD_XSW_UNKNOWN;
}

static td_xstep step_by_token(const char *tok)
{
    for (int i = 1; i < TD_XSTEP_COUNT; i++)
        if (strcmp(step_tokens[i], tok) == 0)
            return (td_xstep)i;
    return TD_XSTEP_UNKNOWN;
}

size_t td_xnorm(const char *in, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (c == '-')
            c = ' ';
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

/* ------------------------------------------------------------- loading */

static td_kb kb;
static char kb_err[256];
static pthread_once_t kb_once = PTHREAD_ONCE_INIT;

/* Lines of a data file, split at tabs in place; comments and blank lines
 * skipped.  Returns the number of fields, 0 at the end. */
static size_t next_row(char **cur, char **f, size_t max)
{
    for (;;) {
        char *line = *cur;
        if (!line || !*line)
            return 0;
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
            *cur = nl + 1;
        } else {
            *cur = line + strlen(line);
        }
        if (line[0] == '#' || line[0] == '\0')
            continue;
        size_t n = 0;
        for (char *p = line; n < max;) {
            f[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        return n;
    }
}

static bool fail(const char *file, const char *what, const char *detail)
{
    snprintf(kb_err, sizeof kb_err, "data/explain/%s: %s '%.80s'", file, what, detail);
    return false;
}

/* "CHAIN_INCOMPLETE UNTRUSTED_CA" or "-" into ids[]; planned IDs are never
 * an answer (docs/diagnoses.md). */
static bool parse_causes(const char *file, char *s, td_id *ids)
{
    memset(ids, 0, sizeof(td_id) * TD_X_MAX_CAUSES);
    if (strcmp(s, "-") == 0)
        return true;
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        td_id id = td_id_by_name(tok);
        if (id == TD_ID_NONE)
            return fail(file, "unknown catalog ID", tok);
        if (td_catalog(id)->planned)
            return fail(file, "planned catalog ID (never reported)", tok);
        if (n >= TD_X_MAX_CAUSES)
            return fail(file, "too many causes at", tok);
        ids[n++] = id;
    }
    return true;
}

static bool parse_int(const char *s, int min, int max, int *out)
{
    unsigned long v;
    if (td_parse_uint(s, (unsigned long)min, (unsigned long)max, &v) != 0)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_facts(char *s, td_xpat *p)
{
    if (strcmp(s, "-") == 0)
        return true;
    for (char *save = NULL, *tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        bool ok = true;
        if (strcmp(tok, "step") == 0)
            ok = (p->step = step_by_token(v)) != TD_XSTEP_UNKNOWN;
        else if (strcmp(tok, "writer") == 0)
            ok = (p->writer = !strcmp(v, "client") ? TD_XSIDE_CLIENT : !strcmp(v, "server") ? TD_XSIDE_SERVER
                                                                                            : TD_XSIDE_UNKNOWN) !=
                 TD_XSIDE_UNKNOWN;
        else if (strcmp(tok, "alert") == 0)
            ok = parse_int(v, 0, 255, &p->alert);
        else if (strcmp(tok, "dir") == 0)
            ok = (p->alert_sent = !strcmp(v, "sent")) || !strcmp(v, "recv");
        else if (strcmp(tok, "verify") == 0)
            ok = parse_int(v, 0, 1000, &p->verify);
        else if (strcmp(tok, "disabled") == 0)
            p->disabled = true;
        else if (strcmp(tok, "bycode") == 0)
            p->free_text = false;
        else
            ok = false;
        if (!ok)
            return fail("patterns.tsv", "bad fact in", p->name);
    }
    return true;
}

static char *normalised(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (out)
        td_xnorm(s, len, out, len + 1);
    return out;
}

static td_xpat *new_pat(size_t *cap)
{
    if (kb.npats == *cap) {
        size_t ncap = *cap ? *cap * 2 : 1024;
        td_xpat *np = realloc(kb.pats, ncap * sizeof *np);
        if (!np)
            return NULL;
        kb.pats = np;
        *cap = ncap;
    }
    td_xpat *p = &kb.pats[kb.npats++];
    memset(p, 0, sizeof *p);
    p->alert = p->verify = p->ossl = -1;
    return p;
}

static bool load_patterns(char *text, size_t *cap)
{
    char *f[8];
    size_t n;
    while ((n = next_row(&text, f, 8)) != 0) {
        if (n != 6)
            return fail("patterns.tsv", "a row needs 6 fields", f[0]);
        td_xpat *p = new_pat(cap);
        if (!p)
            return fail("patterns.tsv", "out of memory at", f[0]);
        p->name = f[0];
        p->src = TD_XSRC_TEXT;
        p->free_text = true; /* unless its facts say "bycode" */
        if ((p->software = td_xsw_by_token(f[1], strlen(f[1]))) == TD_XSW_UNKNOWN)
            return fail("patterns.tsv", "unknown software", f[1]);
        if (!(p->match = normalised(f[2])) || strlen(p->match) < 4)
            return fail("patterns.tsv", "match too short in", f[0]);
        if (!parse_facts(f[3], p) || !parse_causes("patterns.tsv", f[4], p->client))
            return false;
        memcpy(p->server, p->client, sizeof p->server);
        p->example = f[5];
    }
    kb.ntext = kb.npats;
    return true;
}

static bool load_alerts(char *text)
{
    char *f[6];
    size_t n;
    while ((n = next_row(&text, f, 6)) != 0) {
        int code;
        if (n != 4 || !parse_int(f[0], 0, 255, &code))
            return fail("alerts.tsv", "bad row", f[0]);
        td_xalert *a = &kb.alerts[code];
        a->known = true;
        if ((a->step = step_by_token(f[1])) == TD_XSTEP_UNKNOWN)
            return fail("alerts.tsv", "unknown step", f[1]);
        if (!parse_causes("alerts.tsv", f[2], a->client) || !parse_causes("alerts.tsv", f[3], a->server))
            return false;
    }
    return true;
}

static bool load_causes(char *text)
{
    char *f[4];
    size_t n;
    while ((n = next_row(&text, f, 4)) != 0) {
        td_id id = td_id_by_name(f[0]);
        if (n != 3 || id == TD_ID_NONE)
            return fail("causes.tsv", "bad row or unknown ID", f[0]);
        kb.causes[id].why = f[1];
        kb.causes[id].fix = strcmp(f[2], "-") == 0 ? NULL : f[2];
    }
    return true;
}

/* The OpenSSL row's name in openssl-map.tsv: its step and causes. */
typedef struct map_row {
    const char *name;
    td_xstep step;
    td_id client[TD_X_MAX_CAUSES], server[TD_X_MAX_CAUSES];
} map_row;

static bool load_map(char *text, map_row **rows, size_t *nrows)
{
    char *f[6];
    size_t n, cap = 0;
    while ((n = next_row(&text, f, 6)) != 0) {
        if (n != 4)
            return fail("openssl-map.tsv", "a row needs 4 fields", f[0]);
        if (*nrows == cap) {
            cap = cap ? cap * 2 : 128;
            map_row *nr = realloc(*rows, cap * sizeof *nr);
            if (!nr)
                return fail("openssl-map.tsv", "out of memory at", f[0]);
            *rows = nr;
        }
        map_row *r = &(*rows)[(*nrows)++];
        r->name = f[0];
        if ((r->step = step_by_token(f[1])) == TD_XSTEP_UNKNOWN)
            return fail("openssl-map.tsv", "unknown step", f[1]);
        if (!parse_causes("openssl-map.tsv", f[2], r->client) || !parse_causes("openssl-map.tsv", f[3], r->server))
            return false;
    }
    return true;
}

/* SSL_R_SSLV3_ALERT_x, SSL_R_TLSV1_ALERT_x, SSL_R_TLSV13_ALERT_x: the reason
 * OpenSSL records for a received alert, numbered 1000 + the alert. */
static bool is_alert_reason(const char *name, int code)
{
    return code >= 1000 && code < 1256 && strstr(name, "_ALERT_") != NULL;
}

/* Texts too short or too vague to be matched anywhere in a line: found only
 * through their codes. */
static bool vague(const char *text)
{
    return strlen(text) < 12 || strcmp(text, "unspecified certificate verification error") == 0 ||
           strcmp(text, "application verification failure") == 0;
}

static bool load_openssl(char *text, size_t *cap, const map_row *map, size_t nmap)
{
    char *f[6];
    size_t n;
    if (strncmp(text, "# generated by scripts/gen-openssl.sh from ", 43) == 0) {
        char *nl = strchr(text, '\n');
        kb.openssl_version = text + 43;
        if (nl)
            *nl = '\0', text = nl + 1;
    }
    while ((n = next_row(&text, f, 6)) != 0) {
        int code;
        if (n != 4 || !parse_int(f[1], 0, 0x7fffff, &code))
            return fail("openssl.tsv (generated)", "bad row", f[0]);
        bool ssl = strcmp(f[0], "ssl") == 0, x509 = strcmp(f[0], "x509") == 0;
        if (!ssl && !(x509 && code > 0))
            continue; /* alert rows: the names are in lib/registry */
        td_xpat *p = new_pat(cap);
        if (!p)
            return fail("openssl.tsv", "out of memory at", f[2]);
        p->name = f[2];
        p->src = ssl ? TD_XSRC_SSL : TD_XSRC_X509;
        p->software = TD_XSW_OPENSSL;
        if (!(p->match = normalised(f[3])))
            return fail("openssl.tsv", "out of memory at", f[2]);
        td_str ex;
        td_str_init(&ex);
        if (ssl) {
            p->ossl = code;
            /* OpenSSL 3 packs the library (ERR_LIB_SSL, 20) above 23 bits of reason */
            td_str_printf(&ex, "error:%08X:SSL routines::%s", (20u << 23) | (unsigned)code, f[3]);
        } else {
            p->verify = code;
            p->step = TD_XSTEP_CERT;
            td_str_printf(&ex, "verify error:num=%d:%s", code, f[3]);
        }
        p->example = td_str_take(&ex);
        if (ssl && is_alert_reason(f[2], code)) {
            p->alert = code - 1000;
            p->step = kb.alerts[p->alert].known ? kb.alerts[p->alert].step : TD_XSTEP_HELLO;
            p->free_text = true;
        }
        for (size_t i = 0; i < nmap; i++) {
            if (strcmp(map[i].name, f[2]) != 0)
                continue;
            p->step = map[i].step;
            memcpy(p->client, map[i].client, sizeof p->client);
            memcpy(p->server, map[i].server, sizeof p->server);
            p->free_text = true;
        }
        if (x509)
            p->free_text = !vague(f[3]);
        if (vague(f[3]))
            p->free_text = false;
    }
    return true;
}

static char *copy_data(const unsigned char *d)
{
    return td_strdup((const char *)d);
}

static void load(void)
{
    char *pats = copy_data(td_x_patterns_tsv), *map = copy_data(td_x_map_tsv), *alerts = copy_data(td_x_alerts_tsv),
         *causes = copy_data(td_x_causes_tsv), *ossl = copy_data(td_x_openssl_tsv);
    map_row *rows = NULL;
    size_t nrows = 0, cap = 0;
    bool ok = pats && map && alerts && causes && ossl;
    if (!ok)
        snprintf(kb_err, sizeof kb_err, "out of memory loading data/explain");
    ok = ok && load_alerts(alerts) && load_causes(causes) && load_patterns(pats, &cap) &&
         load_map(map, &rows, &nrows) && load_openssl(ossl, &cap, rows, nrows);
    /* the patterns, causes and OpenSSL texts stay: the tables point into them */
    free(rows);
    free(map);
    free(alerts);
    if (!ok) {
        kb.npats = 0;
        if (!kb_err[0])
            snprintf(kb_err, sizeof kb_err, "data/explain could not be loaded");
    }
}

const td_kb *td_kb_get(void)
{
    pthread_once(&kb_once, load);
    return kb.npats ? &kb : NULL;
}

const char *td_kb_error(void)
{
    return kb_err[0] ? kb_err : NULL;
}

static const td_xpat *find_code(const td_kb *k, td_xsrc src, int code)
{
    for (size_t i = k->ntext; i < k->npats; i++) {
        const td_xpat *p = &k->pats[i];
        if (p->src == src && (src == TD_XSRC_SSL ? p->ossl : p->verify) == code)
            return p;
    }
    return NULL;
}

const td_xpat *td_kb_named(const td_kb *k, const char *name)
{
    for (size_t i = 0; i < k->ntext; i++)
        if (strcmp(k->pats[i].name, name) == 0)
            return &k->pats[i];
    return NULL;
}

const td_xpat *td_kb_ssl(const td_kb *k, int reason) { return find_code(k, TD_XSRC_SSL, reason); }
const td_xpat *td_kb_x509(const td_kb *k, int code) { return find_code(k, TD_XSRC_X509, code); }

const td_xpat *td_kb_ssl_by_name(const td_kb *k, const char *name, size_t len)
{
    for (size_t i = k->ntext; i < k->npats; i++) {
        const td_xpat *p = &k->pats[i];
        if (p->src == TD_XSRC_SSL && strlen(p->name) == len + 6 && strncasecmp(p->name + 6, name, len) == 0)
            return p;
    }
    return NULL;
}
