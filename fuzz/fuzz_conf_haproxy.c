/* libFuzzer target: the HAProxy configuration reader of `tlsdiag lint`
 * (lib/conf/haproxy.c, haproxy_eff.c) and the rules and renderings after
 * it, on any bytes as the configuration file (held in memory under a
 * made-up name; crt files it names are not there, which is a finding, not
 * a crash).  Every node must lie inside the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "diag/lint.h"
#include "lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_lint *l = td_lint_new();
    if (!l)
        return 0;
    const char *name = "/nonexistent-fuzz/haproxy.cfg";
    td_ctree t = { .files = &l->obs.files, .notes = &l->obs.notes };
    const td_cfile *f = td_cfile_add(&l->obs.files, name, (const char *)data, size);
    if (f && td_conf_parse_haproxy(&t, name, l->obs.main_file, sizeof l->obs.main_file) == 0) {
        for (size_t i = 0; i < t.root.nkids; i++) {
            const td_cnode *s = t.root.kids[i];
            if (s->start > s->end || s->end > f->len)
                abort();
            for (size_t k = 0; k < s->nkids; k++)
                if (s->kids[k]->start > s->kids[k]->end || s->kids[k]->end > f->len)
                    abort();
        }
        td_conf_haproxy_effective(&t.root, "2.6.12", &l->obs);
        td_lint_rules(&l->obs, td_moz_profile_by_name("old", NULL, 0), &l->findings);
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            if (td_lint_write_json(l, devnull) != 0 || td_lint_write_text(l, devnull, false) != 0 ||
                td_lint_write_diff(l, devnull) != 0)
                abort();
            fclose(devnull);
        }
    }
    td_ctree_free(&t);
    td_lint_free(l);
    return 0;
}
