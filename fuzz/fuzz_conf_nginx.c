/* libFuzzer target: the nginx configuration reader of `tlsdiag lint`
 * (lib/conf/nginx.c, nginx_eff.c) and the rules and renderings after it,
 * on any bytes read as `nginx -T` output (a "# configuration file" line is
 * put in front, so every input reaches the parser; the input may add more
 * files and include them, or itself).  Every node must lie inside its file
 * and the renderings must be written. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "diag/lint.h"
#include "lint.h"

static const char HEAD[] = "# configuration file /f/nginx.conf:\n";

static void check_spans(const td_cobs *o, const td_cnode *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const td_cnode *k = n->kids[i];
        const td_cfile *f = td_cfile_find(&o->files, k->loc.file);
        if (!f || k->start > k->end || k->end > f->len || (k->block && k->body > k->end))
            abort();
        check_spans(o, k);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(sizeof HEAD + size);
    td_lint *l = td_lint_new();
    if (!text || !l) {
        free(text);
        td_lint_free(l);
        return 0;
    }
    memcpy(text, HEAD, sizeof HEAD - 1);
    memcpy(text + sizeof HEAD - 1, data, size);
    td_ctree t = { .files = &l->obs.files, .notes = &l->obs.notes };
    if (td_conf_parse_nginx(&t, "-", text, sizeof HEAD - 1 + size, l->obs.main_file, sizeof l->obs.main_file) == 0) {
        check_spans(&l->obs, &t.root);
        td_conf_nginx_effective(&t.root, "1.22.1", &l->obs);
        td_lint_rules(&l->obs, td_moz_profile_by_name("modern", NULL, 0), &l->findings);
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            if (td_lint_write_json(l, devnull) != 0 || td_lint_write_text(l, devnull, true) != 0 ||
                td_lint_write_diff(l, devnull) != 0)
                abort();
            fclose(devnull);
        }
    } else if (!t.err[0]) {
        abort(); /* a refusal always says why */
    }
    td_ctree_free(&t);
    td_lint_free(l);
    free(text);
    return 0;
}
