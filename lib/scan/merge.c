/* tlsdiag merge: the JSON-lines parts of a sharded (or resumed) scan as one
 * result.  Each target is kept once (the first time its key is seen), the
 * parts' own summaries are dropped, and the summary is computed afresh
 * from the lines kept. */
#include "scan/scan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scan/state.h"
#include "scan/summary.h"

static td_status merge_fail(char *err, size_t errlen, td_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static td_status merge_fail(char *err, size_t errlen, td_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return st;
}

/* Copies one part's target lines that are new. */
static td_status merge_part(const char *path, td_summary *sum, td_scan_state *seen, bool json, FILE *out,
                            char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return merge_fail(err, errlen, TD_ERR_USAGE, "cannot read '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long no = 0;
    td_status st = TD_OK;
    while (st == TD_OK && (n = getline(&buf, &cap, f)) > 0) {
        no++;
        json_error_t je;
        json_t *doc = json_loadb(buf, (size_t)n, 0, &je);
        if (!json_is_object(doc)) {
            st = merge_fail(err, errlen, TD_ERR_USAGE, "%s:%lu: not a JSON object: %s", path, no, je.text);
        } else if (!json_object_get(doc, "summary")) {
            char key[400];
            td_scan_line_key(doc, key, sizeof key);
            if (!key[0]) {
                st = merge_fail(err, errlen, TD_ERR_USAGE, "%s:%lu: not a line of tlsdiag scan --json", path, no);
            } else if (!td_scan_state_has(seen, key)) {
                if (td_scan_state_add(seen, key) != 0 || !td_summary_add(sum, doc))
                    st = merge_fail(err, errlen, TD_ERR_INTERNAL, "out of memory");
                else if (json ? fwrite(buf, 1, (size_t)n, out) != (size_t)n || (buf[n - 1] != '\n' && fputc('\n', out) == EOF)
                              : td_summary_failing(doc) && td_summary_write_failure(doc, out) != 0)
                    st = merge_fail(err, errlen, TD_ERR_INTERNAL, "cannot write: %s", strerror(errno));
            }
        }
        json_decref(doc);
    }
    free(buf);
    if (st == TD_OK && ferror(f))
        st = merge_fail(err, errlen, TD_ERR_USAGE, "cannot read '%s': %s", path, strerror(errno));
    if (f != stdin)
        fclose(f);
    return st;
}

td_status td_merge(const char *const *parts, size_t n, bool json, unsigned warn_days, FILE *out, char *err,
                   size_t errlen)
{
    if (!parts || !n || !out)
        return merge_fail(err, errlen, TD_ERR_USAGE, "no parts to merge");
    td_summary *sum = td_summary_new((int)warn_days);
    td_scan_state *seen = td_scan_state_open(NULL, err, errlen);
    td_status st = sum && seen ? TD_OK : merge_fail(err, errlen, TD_ERR_INTERNAL, "out of memory");
    for (size_t i = 0; i < n && st == TD_OK; i++)
        st = merge_part(parts[i], sum, seen, json, out, err, errlen);
    if (st == TD_OK) {
        int rc;
        if (json) {
            json_t *doc = td_summary_json(sum, false);
            rc = doc && json_dumpf(doc, out, JSON_COMPACT) == 0 && fputc('\n', out) != EOF ? 0 : -1;
            json_decref(doc);
        } else {
            rc = td_summary_write_text(sum, out, false);
        }
        if (rc != 0 || fflush(out) != 0)
            st = merge_fail(err, errlen, TD_ERR_INTERNAL, "cannot write: %s", strerror(errno));
    }
    td_summary_free(sum);
    td_scan_state_close(seen);
    return st;
}
