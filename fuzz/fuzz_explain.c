/* libFuzzer target: the error-text matcher and the rules behind `tlsdiag
 * explain` (lib/explain), on any bytes a user may paste: the answer must
 * come back, and its renderings must be written, whatever the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_explain *x = td_explain_new();
    if (!x)
        return 0;
    if (td_explain_add_text(x, (const char *)data, size) != TD_OK || td_explain_run(x) != TD_OK)
        abort();
    /* what the answer says holds together */
    size_t n = td_explain_candidate_count(x);
    for (size_t i = 0; i < n; i++)
        if (!td_explain_candidate_id(x, i) || !td_explain_fix(td_explain_cand(x, i)->id))
            abort();
    if (x->lines_matched > x->lines || x->facts.port > 65535)
        abort();
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        if (td_explain_write_json(x, devnull) != 0 || td_explain_write_text(x, devnull, true) != 0)
            abort();
        fclose(devnull);
    }
    td_explain_free(x);
    return 0;
}
