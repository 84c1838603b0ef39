/* What every server's effective policy is built with: the virtual
 * servers' list, the listeners and which server answers on each. */
#include "conf/conf.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"

td_cvhost *td_cobs_add_vhost(td_cobs *o, const td_cnode *block)
{
    if (o->n_vh == o->cap_vh) {
        size_t cap = o->cap_vh ? o->cap_vh * 2 : 16;
        td_cvhost *nv = realloc(o->vh, cap * sizeof *nv);
        if (!nv) {
            o->oom = true;
            return NULL;
        }
        o->vh = nv;
        o->cap_vh = cap;
    }
    td_cvhost *v = &o->vh[o->n_vh];
    *v = (td_cvhost){ .loc = block->loc, .body_file = block->loc.file, .body = block->body,
                      .versions_from = (int)o->n_vh };
    o->n_vh++;
    return v;
}

void td_cset_from(td_cobs *o, td_cset *dst, const char *name, const td_cnode *d, const char *dflt)
{
    td_errbuf(dst->name, sizeof dst->name, "%s", name);
    if (d) {
        dst->loc = d->loc;
        dst->start = d->start;
        dst->end = d->end;
        dst->value = td_cnode_join(d, 0);
    } else {
        dst->loc = (td_loc){ NULL, 0 };
        dst->value = dflt ? td_strdup(dflt) : NULL;
    }
    if ((d || dflt) && !dst->value)
        o->oom = true;
}

void td_cvhost_add_names(td_cobs *o, td_cvhost *v, const td_cnode *d)
{
    for (size_t k = 0; k < d->nargs; k++) {
        char **nn = realloc(v->names, (v->n_names + 1) * sizeof *nn);
        if (nn)
            v->names = nn;
        td_loc *nl = nn ? realloc(v->names_loc, (v->n_names + 1) * sizeof *nl) : NULL;
        if (nl)
            v->names_loc = nl;
        if (!nn || !nl || !(nn[v->n_names] = td_strdup(d->args[k]))) {
            o->oom = true;
            return;
        }
        nl[v->n_names++] = d->loc;
    }
}

static td_clistener *listener(td_cobs *o, const char *addr)
{
    for (size_t i = 0; i < o->n_ls; i++)
        if (strcmp(o->ls[i].addr, addr) == 0)
            return &o->ls[i];
    if (o->n_ls == o->cap_ls) {
        size_t cap = o->cap_ls ? o->cap_ls * 2 : 16;
        td_clistener *nl = realloc(o->ls, cap * sizeof *nl);
        if (!nl)
            return NULL;
        o->ls = nl;
        o->cap_ls = cap;
    }
    td_clistener *l = &o->ls[o->n_ls++];
    *l = (td_clistener){ 0 };
    td_errbuf(l->addr, sizeof l->addr, "%s", addr);
    return l;
}

/* Which server{} answers on each address: the one marked default_server,
 * else the first with that listen. */
void td_conf_listeners(td_cobs *o)
{
    for (size_t i = 0; i < o->n_vh; i++) {
        td_cvhost *v = &o->vh[i];
        for (size_t k = 0; k < v->n_listens; k++) {
            td_clistener *l = listener(o, v->listens[k].addr);
            size_t *nv = l ? realloc(l->vh, (l->n_vh + 1) * sizeof *nv) : NULL;
            if (!nv) {
                o->oom = true;
                return;
            }
            l->vh = nv;
            if (l->n_vh == 0 || nv[l->n_vh - 1] != i)
                nv[l->n_vh++] = i;
            if (l->n_vh == 1 || v->listens[k].def)
                l->def = i;
            l->tls |= v->listens[k].tls;
        }
    }
    for (size_t i = 0; i < o->n_ls; i++)
        for (size_t k = 0; k < o->ls[i].n_vh; k++) {
            td_cvhost *v = &o->vh[o->ls[i].vh[k]];
            if (!o->ls[i].tls)
                continue;
            if (!v->tls)
                v->versions_from = (int)o->ls[i].def;
            v->tls = true;
        }
}

