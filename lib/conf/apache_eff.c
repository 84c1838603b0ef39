/* Apache httpd's effective TLS policy from the directive tree: every
 * <VirtualHost> where SSLEngine is on (there, or at the server level) is
 * a virtual server; its SSL* directives are its own, else the server
 * level's, else mod_ssl's defaults (SSLProtocol all -SSLv3; OpenSSL's
 * cipher lists).  <IfModule>/<IfDefine> that hold are read through.  The
 * certificate is SSLCertificateFile with SSLCertificateChainFile after it;
 * ProxyPass to https:// with SSLProxyEngine on is an upstream (httpd sends
 * the SNI of the URL's host; SSLProxyVerify decides verification). */
#include "conf/conf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"

/* The directives of a block, conditional sections that hold read
 * through, other sections (VirtualHost, Directory, ...) left out unless
 * deep. */
typedef struct flat {
    const td_cnode **v;
    size_t n, cap;
} flat;

static void flatten(flat *f, const td_cnode *b, bool deep)
{
    for (size_t i = 0; i < b->nkids; i++) {
        const td_cnode *d = b->kids[i];
        if (d->block && strcmp(d->name, TD_CONF_OFF) == 0)
            continue;
        bool cond = d->block && (!strcmp(d->name, "ifmodule") || !strcmp(d->name, "ifdefine") ||
                                 !strcmp(d->name, "ifversion") || !strcmp(d->name, "if"));
        if (d->block && (cond || (deep && strcmp(d->name, "virtualhost") != 0))) {
            flatten(f, d, deep);
            continue;
        }
        if (f->n == f->cap) {
            size_t cap = f->cap ? f->cap * 2 : 32;
            const td_cnode **nv = realloc(f->v, cap * sizeof *nv);
            if (!nv)
                return;
            f->v = nv;
            f->cap = cap;
        }
        f->v[f->n++] = d;
    }
}

static const td_cnode *last(const flat *f, const char *name)
{
    for (size_t i = f->n; i-- > 0;)
        if (strcmp(f->v[i]->name, name) == 0)
            return f->v[i];
    return NULL;
}

/* A setting: the virtual host's, else the server level's, else dflt.
 * Rewritten as "Name value". */
static void setting(td_cobs *o, const flat *vh, const flat *srv, td_cset *dst, const char *lname, const char *name,
                    const char *dflt)
{
    const td_cnode *d = last(vh, lname);
    if (!d)
        d = last(srv, lname);
    td_cset_from(o, dst, name, d, dflt);
    td_str p;
    td_str_init(&p);
    td_str_printf(&p, "%s ", name);
    dst->prefix = td_str_take(&p);
    dst->suffix = td_strdup("");
    if (!d)
        dst->block = "VirtualHost";
    if (!dst->prefix || !dst->suffix)
        o->oom = true;
}

/* SSLProtocol: words with + adds, - removes, none replaces; "all" is
 * every version this OpenSSL has (no SSLv3 in OpenSSL 3). */
static unsigned protocols(const char *value)
{
    unsigned mask = 0;
    char *copy = td_strdup(value ? value : ""), *save = NULL;
    for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w; w = strtok_r(NULL, " \t", &save)) {
        char sign = (*w == '+' || *w == '-') ? *w++ : 0;
        unsigned bits = strcasecmp(w, "all") == 0 ? TD_CV_TLS10 | TD_CV_TLS11 | TD_CV_TLS12 | TD_CV_TLS13
                                                  : td_conf_versions_parse(w, NULL, 0);
        if (sign == '-')
            mask &= ~bits;
        else if (sign == '+')
            mask |= bits;
        else
            mask = bits;
    }
    free(copy);
    return mask;
}

static void certificate(td_cobs *o, td_cvhost *v, const flat *vh, const flat *srv)
{
    const td_cnode *cert = last(vh, "sslcertificatefile") ? last(vh, "sslcertificatefile") : last(srv, "sslcertificatefile");
    if (!cert || cert->nargs != 1)
        return;
    td_ccert *c = calloc(1, sizeof *c);
    if (!c) {
        o->oom = true;
        return;
    }
    v->certs = c;
    v->n_certs = 1;
    setting(o, vh, srv, &c->cert, "sslcertificatefile", "SSLCertificateFile", NULL);
    setting(o, vh, srv, &c->key, "sslcertificatekeyfile", "SSLCertificateKeyFile", NULL);
    setting(o, vh, srv, &c->chain_file, "sslcertificatechainfile", "SSLCertificateChainFile", NULL);
    if (!td_cset_written(&c->key)) {
        free(c->key.value);
        c->key.value = NULL;
    }
}

static void proxies(td_cobs *o, td_cvhost *v, const td_cnode *vhost, const flat *vh, const flat *srv)
{
    flat all = { 0 };
    flatten(&all, vhost, true);
    const td_cnode *engine = last(vh, "sslproxyengine") ? last(vh, "sslproxyengine") : last(srv, "sslproxyengine");
    for (size_t i = 0; i < all.n; i++) {
        const td_cnode *d = all.v[i];
        const char *url = !strcmp(d->name, "proxypass") && d->nargs >= 2 ? d->args[1]
                        : !strcmp(d->name, "proxypass") && d->nargs == 1 ? d->args[0] : NULL;
        if (!url || strncasecmp(url, "https://", 8) != 0)
            continue;
        td_cupstream *nu = realloc(v->ups, (v->n_ups + 1) * sizeof *nu);
        if (!nu)
            break;
        v->ups = nu;
        td_cupstream *u = &nu[v->n_ups++];
        *u = (td_cupstream){ .loc = d->loc, .target = td_strdup(url), .sni_on = true };
        const char *host = url + 8;
        td_errbuf(u->host, sizeof u->host, "%.*s", (int)strcspn(host, ":/"), host);
        setting(o, vh, srv, &u->sni, "sslproxyengine", "SSLProxyEngine", "off");
        setting(o, vh, srv, &u->verify, "sslproxyverify", "SSLProxyVerify", "none");
        u->verify_on = u->verify.value && strcasecmp(u->verify.value, "require") == 0;
        u->block_file = vhost->loc.file;
        u->block_body = vhost->body;
        u->block_line = vhost->loc.line;
        if (!engine || !engine->nargs || strcasecmp(engine->args[0], "on") != 0)
            td_cnote_add(&o->notes, d->loc, "ProxyPass to %s without SSLProxyEngine on: httpd refuses the "
                                            "connection",
                         url);
    }
    free(all.v);
}

static void vhost(td_cobs *o, const td_cnode *vn, const flat *srv)
{
    flat vh = { 0 };
    flatten(&vh, vn, false);
    const td_cnode *engine = last(&vh, "sslengine") ? last(&vh, "sslengine") : last(srv, "sslengine");
    bool tls = engine && engine->nargs && strcasecmp(engine->args[0], "on") == 0;
    td_cvhost *v = td_cobs_add_vhost(o, vn);
    if (!v) {
        free(vh.v);
        return;
    }
    for (size_t i = 0; i < vn->nargs; i++) {
        td_clisten *nl = realloc(v->listens, (v->n_listens + 1) * sizeof *nl);
        if (!nl)
            break;
        v->listens = nl;
        td_clisten *l = &nl[v->n_listens++];
        *l = (td_clisten){ .tls = tls, .loc = vn->loc };
        const char *a = vn->args[i];
        td_errbuf(l->addr, sizeof l->addr, "%s%s", a, strrchr(a, ':') && a[strlen(a) - 1] != ']' ? "" : ":80");
        if (!strncmp(l->addr, "_default_:", 10))
            td_errbuf(l->addr, sizeof l->addr, "*:%s", a + 10);
    }
    for (size_t i = 0; i < vh.n; i++) {
        const td_cnode *d = vh.v[i];
        if (strcmp(d->name, "servername") && strcmp(d->name, "serveralias"))
            continue;
        td_cvhost_add_names(o, v, d);
    }
    setting(o, &vh, srv, &v->protocols, "sslprotocol", "SSLProtocol", "all -SSLv3");
    v->versions_written = protocols(v->protocols.value);
    setting(o, &vh, srv, &v->ciphers, "sslciphersuite", "SSLCipherSuite", NULL);
    if (v->ciphers.value && !strncasecmp(v->ciphers.value, "TLSv1.3 ", 8)) {
        /* SSLCipherSuite TLSv1.3 LIST sets the TLS 1.3 suites */
        td_cset t = v->ciphers;
        v->tls13_suites = t;
        v->tls13_suites.value = td_strdup(t.value + 8);
        free(t.value);
        v->ciphers = (td_cset){ 0 };
        setting(o, &(flat){ 0 }, &(flat){ 0 }, &v->ciphers, "sslciphersuite", "SSLCipherSuite", NULL);
    }
    setting(o, &vh, srv, &v->verify_client, "sslverifyclient", "SSLVerifyClient", "none");
    setting(o, &vh, srv, &v->stapling, "sslusestapling", "SSLUseStapling", "off");
    setting(o, &vh, srv, &v->tickets, "sslsessiontickets", "SSLSessionTickets", "on");
    setting(o, &vh, srv, &v->prefer, "sslhonorcipherorder", "SSLHonorCipherOrder", "off");
    setting(o, &vh, srv, &v->cache, "sslsessioncache", "SSLSessionCache", "none");
    if (tls)
        certificate(o, v, &vh, srv);
    proxies(o, v, vn, &vh, srv);
    free(vh.v);
}

void td_conf_apache_effective(const td_cnode *root, const char *version, td_cobs *o)
{
    o->server = TD_CSERVER_APACHE;
    td_errbuf(o->server_version, sizeof o->server_version, "%s", version ? version : "");
    td_errbuf(o->defaults_of, sizeof o->defaults_of, "Apache httpd %s", version && version[0] ? version : "2.4");
    flat srv = { 0 };
    flatten(&srv, root, false);
    /* the <VirtualHost> blocks, wherever the includes put them */
    for (size_t i = 0; i < srv.n; i++)
        if (srv.v[i]->block && strcmp(srv.v[i]->name, "virtualhost") == 0)
            vhost(o, srv.v[i], &srv);
    free(srv.v);
    td_conf_listeners(o);
}

void td_conf_apache_version(char *buf, size_t cap)
{
    td_conf_binary_version("apache2 -v 2>&1 </dev/null || httpd -v 2>&1 </dev/null", "Apache/", buf, cap);
}
