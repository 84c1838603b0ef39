#include "diag/finding.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"

const char *td_severity_name(td_severity s)
{
    switch (s) {
    case TD_SEV_FAIL: return "fail";
    case TD_SEV_WARN: return "warn";
    case TD_SEV_INFO: return "info";
    }
    return "info";
}

/* Running out of memory is recorded, not swallowed, so that td_check can
 * refuse to pass off an incomplete list as a healthy server. */
static char *dup_or_flag(td_findings *fs, const char *s)
{
    if (!s)
        return NULL;
    char *d = td_strdup(s);
    if (!d)
        fs->oom = true;
    return d;
}

td_finding *td_findings_add(td_findings *fs, td_id id, td_severity sev, const char *summary,
                            const char *evidence, const char *fix, const char *verify)
{
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 16;
        td_finding *v = realloc(fs->v, cap * sizeof *v);
        if (!v) {
            fs->oom = true;
            return NULL;
        }
        fs->v = v;
        fs->cap = cap;
    }
    if (fs->n == 0)
        fs->root_cause = -1; /* until td_rank_findings names one */
    td_finding *f = &fs->v[fs->n++];
    f->symptom_of = -1;
    f->id = id;
    f->sev = sev;
    f->reason = TD_REASON_NONE;
    f->client = -1;
    f->cert = -1;
    f->summary = dup_or_flag(fs, summary ? summary : "");
    f->evidence = dup_or_flag(fs, evidence ? evidence : "");
    f->fix = dup_or_flag(fs, fix);
    f->verify = dup_or_flag(fs, verify);
    f->loc = (td_loc){ NULL, 0 };
    f->edit = (td_edit){ 0 };
    return f;
}

td_finding *td_findings_take(td_findings *fs, td_id id, td_severity sev, td_str *summary, td_str *evidence,
                             const char *fix, td_str *verify)
{
    char *s = td_str_take(summary);
    char *e = evidence ? td_str_take(evidence) : NULL;
    char *v = verify ? td_str_take(verify) : NULL;
    td_finding *f = td_findings_add(fs, id, sev, s, e, fix, v);
    free(s);
    free(e);
    free(v);
    return f;
}

void td_finding_set_edit(td_findings *fs, td_finding *f, const char *file, size_t start, size_t end,
                         const char *text)
{
    free(f->edit.text);
    f->edit = (td_edit){ file, start, end, dup_or_flag(fs, text) };
}

void td_findings_sort(td_findings *fs)
{
    /* Insertion sort: stable, in place, and the list is a few dozen long. */
    for (size_t i = 1; i < fs->n; i++) {
        td_finding f = fs->v[i];
        size_t j = i;
        while (j > 0 && fs->v[j - 1].sev < f.sev) {
            fs->v[j] = fs->v[j - 1];
            j--;
        }
        fs->v[j] = f;
    }
}

void td_findings_free(td_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->v[i].summary);
        free(fs->v[i].evidence);
        free(fs->v[i].fix);
        free(fs->v[i].verify);
        free(fs->v[i].edit.text);
    }
    free(fs->v);
    fs->v = NULL;
    fs->n = fs->cap = 0;
    fs->oom = false;
}
