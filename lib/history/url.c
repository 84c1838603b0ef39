/* --db values: which back end, and where. */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "history/db.h"

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Length of a URI scheme followed by "://" at the start of s (RFC 3986
 * 3.1: a letter, then letters, digits, "+", "-", "."), 0 when none: a
 * path such as "runs:2026.db" has no "//" and stays a path. */
static size_t scheme_len(const char *s)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if (!*s || !strchr(alpha, *s))
        return 0;
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

static int set_where(td_db_url *out, const char *where, char *err, size_t errlen)
{
    if (!*where) {
        snprintf(err, errlen, "--db sqlite: needs a file name (sqlite:PATH)");
        return -1;
    }
    if (strlen(where) >= sizeof out->where) {
        snprintf(err, errlen, "--db: the database name is too long");
        return -1;
    }
    snprintf(out->where, sizeof out->where, "%s", where);
    return 0;
}

int td_db_url_parse(const char *url, td_db_url *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!url || !*url) {
        snprintf(err, errlen, "--db needs a database: sqlite:PATH, PATH or postgresql://...");
        return -1;
    }
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
        out->kind = TD_DB_POSTGRESQL;
        /* libpq's own parser: a URL it cannot read is bad input, found
         * before any connection is tried */
        char *why = NULL;
        PQconninfoOption *opts = PQconninfoParse(url, &why);
        if (!opts) {
            snprintf(err, errlen, "--db: not a PostgreSQL URL: %s", why ? why : "out of memory");
            td_db_one_line(err);
            PQfreemem(why);
            return -1;
        }
        PQconninfoFree(opts);
        return set_where(out, url, err, errlen);
    }
    out->kind = TD_DB_SQLITE;
    /* sqlite:///abs/path and sqlite://rel are the URL forms of sqlite:PATH */
    if (has_prefix(url, "sqlite://"))
        return set_where(out, url + strlen("sqlite://"), err, errlen);
    if (has_prefix(url, "sqlite:"))
        return set_where(out, url + strlen("sqlite:"), err, errlen);
    size_t n = scheme_len(url);
    if (n) {
        snprintf(err, errlen, "--db: unknown database '%.*s://' (sqlite:PATH, PATH or postgresql://...)",
                 (int)(n < 20 ? n : 20), url);
        return -1;
    }
    return set_where(out, url, err, errlen);
}
