#include "obs/capobs.h"

#include <stdlib.h>
#include <string.h>

void td_capobs_init(td_capobs *c)
{
    memset(c, 0, sizeof *c);
    c->rtt = -1;
    c->answer_t = -1;
    c->end_t[0] = c->end_t[1] = -1;
    c->answer.out = TD_OUT_NOT_RUN;
}

void td_cap_trust_hold(td_cap_trust *t)
{
    if (t)
        t->refs++;
}

void td_cap_trust_release(td_cap_trust *t)
{
    if (t && --t->refs == 0)
        free(t);
}

void td_capobs_free(td_capobs *c)
{
    td_cap_trust_release(c->trust);
    c->trust = NULL;
    for (size_t k = 0; k < c->n_chain; k++)
        free(c->chain[k].der);
    c->n_chain = 0;
}
