/* nginx's effective TLS policy from the directive tree: each server{} of
 * http{} with its listeners, names and ssl_* settings, inherited from
 * http{} as nginx merges them, or nginx's defaults for its version; the
 * certificates paired with their keys; every proxy_pass to https:// with
 * the proxy_ssl_* settings its location inherits.  Reads no file. */
#include "conf/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

#define MAX_SCOPE 16

/* The blocks a directive may be inherited from, innermost first. */
typedef struct scope {
    const td_cnode *n[MAX_SCOPE];
    size_t k;
} scope;

static const td_cnode *lookup(const scope *s, const char *name)
{
    for (size_t i = 0; i < s->k; i++) {
        const td_cnode *d = td_cnode_find_last(s->n[i], name);
        if (d)
            return d;
    }
    return NULL;
}

static void setting(td_cobs *o, const scope *s, td_cset *dst, const char *name, const char *dflt)
{
    td_cset_from(o, dst, name, lookup(s, name), dflt);
}

/* The version as a number for comparisons: 1.22.1 -> 1022001. */
static long version_num(const char *v)
{
    unsigned a = 0, b = 0, c = 0;
    if (!v || sscanf(v, "%u.%u.%u", &a, &b, &c) < 2)
        return -1;
    return (long)a * 1000000 + (long)b * 1000 + c;
}

/* nginx's ssl_protocols default: TLSv1.3 joined it in 1.23.4 (CHANGES:
 * "now TLSv1.3 protocol is enabled by default"). */
static const char *default_protocols(const char *version)
{
    long n = version_num(version);
    if (n >= 0 && n < 1023004)
        return "TLSv1 TLSv1.1 TLSv1.2";
    return "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3";
}

static void listen_addr(const char *arg, char *out, size_t cap)
{
    if (strncmp(arg, "unix:", 5) == 0) {
        td_errbuf(out, cap, "%s", arg);
        return;
    }
    const char *colon = strrchr(arg, ':');
    bool v6 = arg[0] == '[';
    const char *close = v6 ? strchr(arg, ']') : NULL;
    if (strspn(arg, "0123456789") == strlen(arg))
        td_errbuf(out, cap, "*:%s", arg);
    else if (v6 && close && close[1] == ':')
        td_errbuf(out, cap, "%s", arg);
    else if (v6)
        td_errbuf(out, cap, "%s:80", arg);
    else if (colon)
        td_errbuf(out, cap, "%s", arg);
    else
        td_errbuf(out, cap, "%s:80", arg);
}

static void add_listen(td_cobs *o, td_cvhost *v, const td_cnode *d, bool ssl_on)
{
    td_clisten *nl = realloc(v->listens, (v->n_listens + 1) * sizeof *nl);
    if (!nl) {
        o->oom = true;
        return;
    }
    v->listens = nl;
    td_clisten *l = &nl[v->n_listens++];
    *l = (td_clisten){ .loc = d ? d->loc : v->loc, .tls = ssl_on };
    listen_addr(d && d->nargs ? d->args[0] : "80", l->addr, sizeof l->addr);
    for (size_t i = 1; d && i < d->nargs; i++) {
        if (strcmp(d->args[i], "ssl") == 0)
            l->tls = true;
        else if (strcmp(d->args[i], "default_server") == 0 || strcmp(d->args[i], "default") == 0)
            l->def = true;
    }
}

static void add_upstream(td_cobs *o, td_cvhost *v, const scope *s, const td_cnode *pass)
{
    const char *url = pass->args[0];
    td_cupstream *nu = realloc(v->ups, (v->n_ups + 1) * sizeof *nu);
    if (!nu) {
        o->oom = true;
        return;
    }
    v->ups = nu;
    td_cupstream *u = &nu[v->n_ups++];
    *u = (td_cupstream){ .loc = pass->loc, .target = td_strdup(url) };
    const char *host = url + strlen("https://");
    size_t hl = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
    td_errbuf(u->host, sizeof u->host, "%.*s", (int)hl, host);
    setting(o, s, &u->sni, "proxy_ssl_server_name", "off");
    setting(o, s, &u->verify, "proxy_ssl_verify", "off");
    u->sni_on = u->sni.value && strcmp(u->sni.value, "on") == 0;
    u->verify_on = u->verify.value && strcmp(u->verify.value, "on") == 0;
    u->block_file = s->n[0]->loc.file;
    u->block_body = s->n[0]->body;
    u->block_line = s->n[0]->loc.line;
}

/* Locations (and the blocks nested in them) of a server, for proxy_pass. */
static void walk_locations(td_cobs *o, td_cvhost *v, scope *s, const td_cnode *block)
{
    for (size_t i = 0; i < block->nkids; i++) {
        const td_cnode *d = block->kids[i];
        if (strcmp(d->name, "proxy_pass") == 0 && d->nargs == 1 && strncasecmp(d->args[0], "https://", 8) == 0)
            add_upstream(o, v, s, d);
        if (d->block && (strcmp(d->name, "location") == 0 || strcmp(d->name, "if") == 0) && s->k < MAX_SCOPE) {
            memmove(&s->n[1], &s->n[0], s->k * sizeof *s->n);
            s->n[0] = d;
            s->k++;
            walk_locations(o, v, s, d);
            s->k--;
            memmove(&s->n[0], &s->n[1], s->k * sizeof *s->n);
        }
    }
}

static void add_certs(td_cobs *o, td_cvhost *v, const td_cnode *scope_node)
{
    size_t nk = 0;
    const td_cnode *keys[8];
    for (size_t i = 0; i < scope_node->nkids && nk < 8; i++)
        if (strcmp(scope_node->kids[i]->name, "ssl_certificate_key") == 0)
            keys[nk++] = scope_node->kids[i];
    size_t ki = 0;
    for (size_t i = 0; i < scope_node->nkids; i++) {
        const td_cnode *d = scope_node->kids[i];
        if (strcmp(d->name, "ssl_certificate") != 0 || d->nargs != 1)
            continue;
        td_ccert *nc = realloc(v->certs, (v->n_certs + 1) * sizeof *nc);
        if (!nc) {
            o->oom = true;
            return;
        }
        v->certs = nc;
        td_ccert *c = &nc[v->n_certs++];
        *c = (td_ccert){ 0 };
        td_cset_from(o, &c->cert, "ssl_certificate", d, NULL);
        td_cset_from(o, &c->key, "ssl_certificate_key", ki < nk ? keys[ki] : NULL, NULL);
        ki++;
    }
}

static void server(td_cobs *o, const td_cnode *http, const td_cnode *srv, const char *version)
{
    td_cvhost *v = td_cobs_add_vhost(o, srv);
    if (!v)
        return;
    scope s = { .n = { srv, http }, .k = 2 };
    const td_cnode *ssl = lookup(&s, "ssl");
    bool ssl_on = ssl && ssl->nargs == 1 && strcmp(ssl->args[0], "on") == 0;
    for (size_t i = 0; i < srv->nkids; i++) {
        const td_cnode *d = srv->kids[i];
        if (strcmp(d->name, "listen") == 0)
            add_listen(o, v, d, ssl_on);
        else if (strcmp(d->name, "server_name") == 0)
            td_cvhost_add_names(o, v, d);
    }
    if (v->n_listens == 0)
        add_listen(o, v, NULL, ssl_on);
    setting(o, &s, &v->protocols, "ssl_protocols", default_protocols(version));
    setting(o, &s, &v->ciphers, "ssl_ciphers", "HIGH:!aNULL:!MD5");
    setting(o, &s, &v->groups, "ssl_ecdh_curve", "auto");
    setting(o, &s, &v->verify_client, "ssl_verify_client", "off");
    setting(o, &s, &v->stapling, "ssl_stapling", "off");
    setting(o, &s, &v->cache, "ssl_session_cache", "none");
    setting(o, &s, &v->tickets, "ssl_session_tickets", "on");
    setting(o, &s, &v->prefer, "ssl_prefer_server_ciphers", "off");
    /* TLS 1.3 suites: only through `ssl_conf_command Ciphersuites ...` */
    for (size_t k = 0; k < s.k; k++) {
        const td_cnode *found = NULL;
        for (size_t i = 0; i < s.n[k]->nkids; i++) {
            const td_cnode *d = s.n[k]->kids[i];
            if (strcmp(d->name, "ssl_conf_command") == 0 && d->nargs == 2 &&
                strcasecmp(d->args[0], "Ciphersuites") == 0)
                found = d;
        }
        if (found) {
            td_cset_from(o, &v->tls13_suites, "ssl_conf_command", found, NULL);
            free(v->tls13_suites.value);
            v->tls13_suites.value = td_strdup(found->args[1]);
            break;
        }
    }
    char unknown[64];
    v->versions_written = td_conf_versions_parse(v->protocols.value, unknown, sizeof unknown);
    if (unknown[0])
        td_cnote_add(&o->notes, v->protocols.loc, "ssl_protocols: unknown version %s skipped", unknown);
    add_certs(o, v, td_cnode_find(srv, "ssl_certificate") ? srv : http);
    walk_locations(o, v, &s, srv);
}

void td_conf_nginx_effective(const td_cnode *root, const char *version, td_cobs *o)
{
    o->server = TD_CSERVER_NGINX;
    td_errbuf(o->server_version, sizeof o->server_version, "%s", version ? version : "");
    td_errbuf(o->defaults_of, sizeof o->defaults_of, "nginx %s", version && version[0] ? version : "1.23.4 or later");
    for (size_t i = 0; i < root->nkids; i++) {
        const td_cnode *d = root->kids[i];
        if (strcmp(d->name, "stream") == 0)
            td_cnote_add(&o->notes, d->loc, "stream{} is not read: its servers are not linted");
        if (strcmp(d->name, "http") != 0 || !d->block)
            continue;
        /* what servers inherit: http{}'s directives without its blocks, so
         * that a thousand servers do not each search a thousand siblings */
        td_cnode settings = *d;
        settings.kids = calloc(d->nkids ? d->nkids : 1, sizeof *settings.kids);
        settings.nkids = 0;
        if (!settings.kids) {
            o->oom = true;
            return;
        }
        for (size_t k = 0; k < d->nkids; k++)
            if (!d->kids[k]->block)
                settings.kids[settings.nkids++] = d->kids[k];
        for (size_t k = 0; k < d->nkids; k++)
            if (strcmp(d->kids[k]->name, "server") == 0 && d->kids[k]->block)
                server(o, &settings, d->kids[k], version);
        free(settings.kids);
    }
    td_conf_listeners(o);
}

void td_conf_nginx_version(char *buf, size_t cap)
{
    td_conf_binary_version("nginx -v 2>&1 </dev/null", "nginx/", buf, cap);
}
