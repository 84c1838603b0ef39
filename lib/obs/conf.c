/* Configuration observations: bookkeeping (lib/obs/conf.h). */
#include "obs/conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/str.h"

void td_cnote_add(td_cnotes *ns, td_loc loc, const char *fmt, ...)
{
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 16;
        td_cnote *v = realloc(ns->v, cap * sizeof *v);
        if (!v) {
            ns->oom = true;
            return;
        }
        ns->v = v;
        ns->cap = cap;
    }
    td_str s;
    td_str_init(&s);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&s, fmt, ap);
    va_end(ap);
    if (s.err) {
        td_str_free(&s);
        ns->oom = true;
        return;
    }
    ns->v[ns->n].loc = loc;
    ns->v[ns->n].text = td_str_take(&s);
    ns->n++;
}

void td_cset_free(td_cset *s)
{
    free(s->value);
    free(s->prefix);
    free(s->suffix);
    s->value = s->prefix = s->suffix = NULL;
}

void td_ccert_free(td_ccert *c)
{
    td_cset_free(&c->cert);
    td_cset_free(&c->key);
    td_cset_free(&c->chain_file);
    for (size_t i = 0; i < c->n_chain; i++)
        free(c->chain[i].der);
    free(c->chain);
    free(c->leaf);
}

static void vhost_free(td_cvhost *v)
{
    for (size_t i = 0; i < v->n_names; i++)
        free(v->names[i]);
    free(v->names);
    free(v->names_loc);
    free(v->listens);
    td_cset *sets[] = { &v->protocols, &v->ciphers, &v->tls13_suites, &v->groups,
                        &v->verify_client, &v->stapling, &v->cache, &v->tickets, &v->prefer };
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        td_cset_free(sets[i]);
    free(v->suites12);
    free(v->suites13);
    for (size_t i = 0; i < v->n_tls13_in_ciphers; i++)
        free(v->tls13_in_ciphers[i]);
    free(v->tls13_in_ciphers);
    for (size_t i = 0; i < v->n_certs; i++)
        td_ccert_free(&v->certs[i]);
    for (size_t i = 0; i < v->n_shadowed; i++)
        td_cset_free(&v->shadowed[i]);
    free(v->certs);
    for (size_t i = 0; i < v->n_ups; i++) {
        free(v->ups[i].target);
        td_cset_free(&v->ups[i].sni);
        td_cset_free(&v->ups[i].verify);
    }
    free(v->ups);
}

void td_cobs_free(td_cobs *o)
{
    for (size_t i = 0; i < o->files.n; i++) {
        free(o->files.v[i]->path);
        free(o->files.v[i]->text);
        free(o->files.v[i]);
    }
    free(o->files.v);
    for (size_t i = 0; i < o->notes.n; i++)
        free(o->notes.v[i].text);
    free(o->notes.v);
    for (size_t i = 0; i < o->n_vh; i++)
        vhost_free(&o->vh[i]);
    free(o->vh);
    for (size_t i = 0; i < o->n_ls; i++) {
        free(o->ls[i].vh);
        free(o->ls[i].live_leaf.der);
    }
    free(o->ls);
    *o = (td_cobs){ 0 };
}

const char *td_cv_name(unsigned bit)
{
    switch (bit) {
    case TD_CV_SSL3: return "SSLv3";
    case TD_CV_TLS10: return "TLSv1";
    case TD_CV_TLS11: return "TLSv1.1";
    case TD_CV_TLS12: return "TLSv1.2";
    case TD_CV_TLS13: return "TLSv1.3";
    }
    return "?";
}
