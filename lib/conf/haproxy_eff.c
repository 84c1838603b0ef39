/* HAProxy's effective TLS policy from the directive tree: every `bind`
 * line with `ssl` in a frontend or listen section is a virtual server.  Its
 * versions, ciphers, TLS 1.3 suites and curves are its own keywords where
 * it has them, else the global section's ssl-default-bind-* (a bind line's
 * keyword replaces the global setting for that line), else HAProxy's
 * defaults (since 2.2 ssl-min-ver TLSv1.2; OpenSSL's cipher lists).  Its
 * certificates are the crt files, crt directories and crt-list entries,
 * relative to crt-base.  Each `server ... ssl` line of a backend or listen
 * section is an upstream. */
#include "conf/conf.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/str.h"

typedef struct hctx {
    td_cobs *o;
    const td_cnode *global;
    const char *crt_base;
} hctx;

static bool version_word(const char *w)
{
    return strncmp(w, "no-sslv3", 8) == 0 || strncmp(w, "no-tlsv1", 8) == 0 || strncmp(w, "force-", 6) == 0 ||
           strcmp(w, "ssl-min-ver") == 0 || strcmp(w, "ssl-max-ver") == 0;
}

/* The versions a list of options allows, from min to max less the no-*
 * ones.  HAProxy's default minimum is TLSv1.2 when neither ssl-min-ver nor
 * a no-* keyword is given. */
static unsigned versions_of(char *const *w, size_t n, bool *any)
{
    static const struct {
        const char *name, *no;
        unsigned bit;
    } vs[] = { { "SSLv3", "no-sslv3", TD_CV_SSL3 }, { "TLSv1.0", "no-tlsv10", TD_CV_TLS10 },
               { "TLSv1.1", "no-tlsv11", TD_CV_TLS11 }, { "TLSv1.2", "no-tlsv12", TD_CV_TLS12 },
               { "TLSv1.3", "no-tlsv13", TD_CV_TLS13 } };
    unsigned lo = TD_CV_TLS12, hi = TD_CV_TLS13, off = 0;
    bool min_set = false, no_set = false;
    *any = false;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < 5; k++) {
            if (strcmp(w[i], vs[k].no) == 0) {
                off |= vs[k].bit;
                no_set = *any = true;
            }
            if (i + 1 < n && strcmp(w[i + 1], vs[k].name) == 0) {
                if (strcmp(w[i], "ssl-min-ver") == 0)
                    lo = vs[k].bit, min_set = *any = true;
                if (strcmp(w[i], "ssl-max-ver") == 0)
                    hi = vs[k].bit, *any = true;
            }
        }
    }
    if (!min_set && no_set)
        lo = TD_CV_TLS10;
    unsigned mask = 0;
    for (unsigned bit = lo; bit && bit <= hi; bit <<= 1)
        mask |= bit;
    return mask & ~off;
}

/* s: the words of d from index from, those with keep() true; what the
 * directive becomes with other version keywords: "bind ... " + value. */
static char *rewrite_prefix(const td_cnode *d, bool drop_versions, const char *drop_kw)
{
    td_str s;
    td_str_init(&s);
    td_str_add(&s, d->name);
    for (size_t i = 0; i < d->nargs; i++) {
        const char *w = d->args[i];
        bool vkw = drop_versions && version_word(w);
        bool kw = drop_kw && strcmp(w, drop_kw) == 0;
        if ((vkw || kw) && (strcmp(w, "ssl-min-ver") == 0 || strcmp(w, "ssl-max-ver") == 0 || kw) && i + 1 < d->nargs) {
            i++;
            continue;
        }
        if (vkw)
            continue;
        td_str_printf(&s, " %s%s", strpbrk(w, " \t#") ? "\"" : "", w);
        if (strpbrk(w, " \t#"))
            td_str_add(&s, "\"");
    }
    td_str_add(&s, " ");
    if (drop_kw)
        td_str_printf(&s, "%s ", drop_kw);
    return s.err ? (td_str_free(&s), NULL) : td_str_take(&s);
}

/* A setting written on directive d (the global line or the bind line). */
static void written(td_cobs *o, td_cset *dst, const char *name, const td_cnode *d, char *value, char *prefix)
{
    td_errbuf(dst->name, sizeof dst->name, "%s", name);
    dst->loc = d->loc;
    dst->start = d->start;
    dst->end = d->end;
    dst->value = value;
    dst->prefix = prefix;
    if (!value || !prefix)
        o->oom = true;
}

static void defaulted(td_cobs *o, td_cset *dst, const char *global_name, const char *value)
{
    td_errbuf(dst->name, sizeof dst->name, "%s", global_name);
    dst->value = value ? td_strdup(value) : NULL;
    dst->prefix = td_strdup(global_name);
    if (dst->prefix) {
        char *p = realloc(dst->prefix, strlen(global_name) + 2);
        if (p)
            strcat(dst->prefix = p, " ");
    }
    dst->block = "global section";
    if ((value && !dst->value) || !dst->prefix)
        o->oom = true;
}

/* The global setting g, which the bind line being read replaces with its
 * own. */
static void shadow(hctx *h, const char *name, const td_cnode *g)
{
    td_cvhost *v = &h->o->vh[h->o->n_vh - 1];
    if (v->n_shadowed >= sizeof v->shadowed / sizeof *v->shadowed)
        return;
    td_cset *s = &v->shadowed[v->n_shadowed++];
    written(h->o, s, name, g, td_cnode_join(g, 0), td_strdup(""));
}

/* A bind keyword's value (NULL when the line does not have it). */
static const char *kw_value(const td_cnode *d, const char *kw)
{
    for (size_t i = 0; i + 1 < d->nargs; i++)
        if (strcmp(d->args[i], kw) == 0)
            return d->args[i + 1];
    return NULL;
}

static bool has_word(const td_cnode *d, const char *w)
{
    for (size_t i = 0; i < d->nargs; i++)
        if (strcmp(d->args[i], w) == 0)
            return true;
    return false;
}

/* One of the string settings: the bind line's keyword, the global
 * directive, or the default. */
static void string_setting(hctx *h, td_cset *dst, const td_cnode *bind, const char *kw, const char *global_name,
                           const char *dflt)
{
    const char *v = kw_value(bind, kw);
    const td_cnode *g = h->global ? td_cnode_find_last(h->global, global_name) : NULL;
    if (v)
        written(h->o, dst, kw, bind, td_strdup(v), rewrite_prefix(bind, false, kw));
    else if (g && g->nargs)
        written(h->o, dst, global_name, g, td_cnode_join(g, 0), rewrite_prefix(g, false, NULL));
    else
        defaulted(h->o, dst, global_name, dflt);
    if (v && g && g->nargs)
        shadow(h, global_name, g);
}

static bool push_cert(td_cobs *o, td_cvhost *v, const td_cnode *bind, const char *path)
{
    td_ccert *nc = realloc(v->certs, (v->n_certs + 1) * sizeof *nc);
    if (!nc) {
        o->oom = true;
        return false;
    }
    v->certs = nc;
    td_ccert *c = &nc[v->n_certs++];
    *c = (td_ccert){ .key_beside = true };
    td_errbuf(c->cert.name, sizeof c->cert.name, "crt");
    c->cert.loc = bind->loc;
    c->cert.start = bind->start;
    c->cert.end = bind->end;
    c->cert.value = td_strdup(path);
    c->cert.prefix = rewrite_prefix(bind, false, "crt");
    if (!c->cert.value || !c->cert.prefix)
        o->oom = true;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A crt directory: every file but HAProxy's companions (.key, .ocsp,
 * .issuer, .sctl), in name order. */
static void crt_dir(hctx *h, td_cvhost *v, const td_cnode *bind, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (e->d_name[0] == '.' || (dot && (!strcmp(dot, ".key") || !strcmp(dot, ".ocsp") ||
                                            !strcmp(dot, ".issuer") || !strcmp(dot, ".sctl"))))
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        if ((names[n] = td_conf_path_join(dir, e->d_name)))
            n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    if (!n)
        td_cnote_add(&h->o->notes, bind->loc, "crt %s: an empty directory", dir);
    for (size_t i = 0; i < n; i++) {
        push_cert(h->o, v, bind, names[i]);
        free(names[i]);
    }
    free(names);
}

static void crt(hctx *h, td_cvhost *v, const td_cnode *bind, const char *name)
{
    char *path = td_conf_path_join(h->crt_base, name);
    struct stat st;
    if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        crt_dir(h, v, bind, path);
    else if (path)
        push_cert(h->o, v, bind, path);
    free(path);
}

/* crt-list: a certificate a line, its first word (options and SNI filters
 * after it are not read). */
static void crt_list(hctx *h, td_cvhost *v, const td_cnode *bind, const char *name)
{
    char why[512];
    const td_cfile *f = td_cfile_read(&h->o->files, name, why, sizeof why);
    if (!f) {
        td_cnote_add(&h->o->notes, bind->loc, "crt-list: %s", why);
        return;
    }
    char *copy = td_strdup(f->text), *save = NULL;
    for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        line += strspn(line, " \t");
        if (!*line || *line == '#')
            continue;
        line[strcspn(line, " \t\r[")] = '\0';
        crt(h, v, bind, line);
    }
    free(copy);
}

static void bind_line(hctx *h, const td_cnode *d)
{
    td_cvhost *v = td_cobs_add_vhost(h->o, d);
    if (!v)
        return;
    const td_cnode *g = h->global ? td_cnode_find_last(h->global, "ssl-default-bind-options") : NULL;
    v->body_file = h->global ? h->global->loc.file : NULL;
    v->body = h->global ? h->global->body : 0;
    /* the addresses: "ADDR:PORT[,ADDR:PORT...]" */
    char *addrs = td_strdup(d->nargs ? d->args[0] : ""), *save = NULL;
    for (char *a = addrs ? strtok_r(addrs, ",", &save) : NULL; a; a = strtok_r(NULL, ",", &save)) {
        td_clisten *nl = realloc(v->listens, (v->n_listens + 1) * sizeof *nl);
        if (!nl)
            break;
        v->listens = nl;
        const char *at = strstr(a, "@") ? strstr(a, "@") + 1 : a;
        td_clisten *l = &nl[v->n_listens++];
        *l = (td_clisten){ .tls = true, .loc = d->loc };
        td_errbuf(l->addr, sizeof l->addr, "%s%s", at[0] == ':' ? "*" : "", at);
    }
    free(addrs);
    bool bind_has = false, global_has = false;
    unsigned bv = versions_of(d->args, d->nargs, &bind_has);
    unsigned gv = g ? versions_of(g->args, g->nargs, &global_has) : 0;
    if (bind_has) {
        td_str vs;
        td_str_init(&vs);
        for (size_t i = 0; i < d->nargs; i++) {
            if (!version_word(d->args[i]))
                continue;
            td_str_printf(&vs, "%s%s", vs.len ? " " : "", d->args[i]);
            if (strncmp(d->args[i], "ssl-m", 5) == 0 && i + 1 < d->nargs)
                td_str_printf(&vs, " %s", d->args[++i]);
        }
        written(h->o, &v->protocols, "bind", d, td_str_take(&vs), rewrite_prefix(d, true, NULL));
        v->versions_written = bv;
        if (global_has)
            shadow(h, "ssl-default-bind-options", g);
    } else if (global_has) {
        written(h->o, &v->protocols, "ssl-default-bind-options", g, td_cnode_join(g, 0), rewrite_prefix(g, true, NULL));
        v->versions_written = gv;
    } else {
        defaulted(h->o, &v->protocols, "ssl-default-bind-options", "ssl-min-ver TLSv1.2");
        v->versions_written = TD_CV_TLS12 | TD_CV_TLS13;
    }
    string_setting(h, &v->ciphers, d, "ciphers", "ssl-default-bind-ciphers", NULL);
    string_setting(h, &v->tls13_suites, d, "ciphersuites", "ssl-default-bind-ciphersuites", NULL);
    string_setting(h, &v->groups, d, "curves", "ssl-default-bind-curves", NULL);
    const char *verify = kw_value(d, "verify");
    defaulted(h->o, &v->verify_client, "", verify ? verify : "none");
    defaulted(h->o, &v->prefer, "", has_word(d, "prefer-client-ciphers") ? "off" : "on");
    defaulted(h->o, &v->tickets, "", has_word(d, "no-tls-tickets") ? "off" : "on");
    defaulted(h->o, &v->stapling, "", "off");
    defaulted(h->o, &v->cache, "", "on");
    for (size_t i = 0; i + 1 < d->nargs; i++) {
        if (strcmp(d->args[i], "crt") == 0)
            crt(h, v, d, d->args[i + 1]);
        else if (strcmp(d->args[i], "crt-list") == 0)
            crt_list(h, v, d, d->args[i + 1]);
    }
}

/* server NAME ADDR [params]: with ssl, a TLS upstream; default-server
 * lines of the section give what a server line does not say. */
static void server(hctx *h, td_cvhost *v, const td_cnode *sec, const td_cnode *d)
{
    const td_cnode *def = td_cnode_find_last(sec, "default-server");
    bool ssl = has_word(d, "ssl") || (def && has_word(def, "ssl"));
    if (!ssl || d->nargs < 2)
        return;
    td_cupstream *nu = realloc(v->ups, (v->n_ups + 1) * sizeof *nu);
    if (!nu) {
        h->o->oom = true;
        return;
    }
    v->ups = nu;
    td_cupstream *u = &nu[v->n_ups++];
    *u = (td_cupstream){ .loc = d->loc, .target = td_strdup(d->args[1]) };
    td_errbuf(u->host, sizeof u->host, "%.*s", (int)strcspn(d->args[1], ":"), d->args[1]);
    const char *sni = kw_value(d, "sni") ? kw_value(d, "sni") : def ? kw_value(def, "sni") : NULL;
    const char *verify = kw_value(d, "verify") ? kw_value(d, "verify") : def ? kw_value(def, "verify") : NULL;
    const td_cnode *gv = h->global ? td_cnode_find_last(h->global, "ssl-server-verify") : NULL;
    u->sni_on = sni != NULL;
    u->verify_on = verify ? strcmp(verify, "none") != 0 : !(gv && gv->nargs && strcmp(gv->args[0], "none") == 0);
    written(h->o, &u->sni, "sni", d, td_strdup(sni ? sni : ""), rewrite_prefix(d, false, "sni"));
    written(h->o, &u->verify, "verify", d, td_strdup(verify ? verify : "required"), rewrite_prefix(d, false, "verify"));
    u->block_file = d->loc.file;
    u->block_body = d->start;
    u->block_line = d->loc.line;
}

void td_conf_haproxy_effective(const td_cnode *root, const char *version, td_cobs *o)
{
    o->server = TD_CSERVER_HAPROXY;
    td_errbuf(o->server_version, sizeof o->server_version, "%s", version ? version : "");
    td_errbuf(o->defaults_of, sizeof o->defaults_of, "HAProxy %s", version && version[0] ? version : "2.2 or later");
    hctx h = { .o = o, .global = td_cnode_find(root, "global") };
    const td_cnode *base = h.global ? td_cnode_find_last(h.global, "crt-base") : NULL;
    h.crt_base = base && base->nargs ? base->args[0] : NULL;
    for (size_t i = 0; i < root->nkids; i++) {
        const td_cnode *sec = root->kids[i];
        bool front = !strcmp(sec->name, "frontend") || !strcmp(sec->name, "listen");
        bool back = !strcmp(sec->name, "backend") || !strcmp(sec->name, "listen");
        for (size_t k = 0; front && k < sec->nkids; k++)
            if (!strcmp(sec->kids[k]->name, "bind") && has_word(sec->kids[k], "ssl"))
                bind_line(&h, sec->kids[k]);
        td_cvhost *bv = NULL;
        for (size_t k = 0; back && k < sec->nkids; k++) {
            if (strcmp(sec->kids[k]->name, "server") != 0)
                continue;
            if (!bv && !(bv = td_cobs_add_vhost(o, sec)))
                return;
            server(&h, bv, sec, sec->kids[k]);
        }
    }
    td_conf_listeners(o);
}

void td_conf_haproxy_version(char *buf, size_t cap)
{
    td_conf_binary_version("haproxy -v 2>&1 </dev/null", "version ", buf, cap);
}
