/* What the configuration fuzz targets share: any bytes as a configuration
 * file held in memory under a made-up name (the files it includes or names
 * are not there, which is a finding or a note, never a crash), parsed by
 * one reader, its effective policy computed, the rules run and every
 * rendering written.  Every node must lie inside the file. */
#ifndef TD_FUZZ_CONF_TARGET_H
#define TD_FUZZ_CONF_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "diag/lint.h"
#include "lint.h"

typedef int (*conf_parse_fn)(td_ctree *t, const char *path, char *main_path, size_t cap);
typedef void (*conf_effective_fn)(const td_cnode *root, const char *version, td_cobs *o);

static void check_spans(const td_cfiles *files, const td_cnode *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const td_cnode *k = n->kids[i];
        const td_cfile *f = td_cfile_find(files, k->loc.file);
        if (!f || k->start > k->end || k->end > f->len || (k->block && k->body > k->end && k->body > f->len))
            abort();
        check_spans(files, k);
    }
}

static int fuzz_conf(const uint8_t *data, size_t size, const char *name, conf_parse_fn parse,
                     conf_effective_fn effective, const char *version, const char *profile)
{
    td_lint *l = td_lint_new();
    if (!l)
        return 0;
    td_ctree t = { .files = &l->obs.files, .notes = &l->obs.notes };
    if (td_cfile_add(&l->obs.files, name, (const char *)data, size) &&
        parse(&t, name, l->obs.main_file, sizeof l->obs.main_file) == 0) {
        check_spans(&l->obs.files, &t.root);
        effective(&t.root, version, &l->obs);
        td_lint_rules(&l->obs, td_moz_profile_by_name(profile, NULL, 0), &l->findings);
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            if (td_lint_write_json(l, devnull) != 0 || td_lint_write_text(l, devnull, false) != 0 ||
                td_lint_write_diff(l, devnull) != 0)
                abort();
            fclose(devnull);
        }
    } else if (!t.err[0] && l->obs.files.n) {
        abort(); /* a refusal always says why */
    }
    td_ctree_free(&t);
    td_lint_free(l);
    return 0;
}

#endif
