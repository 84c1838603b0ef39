/* td_lint_run(): `tlsdiag lint`, the configuration as a source.  Reads the
 * configuration (lib/conf: parse, effective policy), asks OpenSSL about
 * its cipher strings and reads its certificate files (lib/conf), then runs
 * the rules (lib/diag/lint.c).  The renderings are lib/report/lint.c. */
#include "lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "conf/conf.h"
#include "diag/lint.h"
#include "util/str.h"
#include "wire/tls.h"

td_lint *td_lint_new(void)
{
    td_lint *l = calloc(1, sizeof *l);
    if (l) {
        l->server = -1;
        l->findings.root_cause = -1;
    }
    return l;
}

void td_lint_free(td_lint *l)
{
    if (!l)
        return;
    td_findings_free(&l->findings);
    td_cobs_free(&l->obs);
    free(l);
}

const char *td_lint_error(const td_lint *l)
{
    return l && l->err[0] ? l->err : NULL;
}

td_status td_lint_set_server(td_lint *l, const char *kind)
{
    l->err[0] = '\0';
    if (kind && strcasecmp(kind, "nginx") == 0) {
        l->server = TD_CSERVER_NGINX;
        return TD_OK;
    }
    if (kind && strcasecmp(kind, "haproxy") == 0) {
        l->server = TD_CSERVER_HAPROXY;
        return TD_OK;
    }
    if (kind && strcasecmp(kind, "apache") == 0) {
        l->server = TD_CSERVER_APACHE;
        return TD_OK;
    }
    td_errbuf(l->err, sizeof l->err, "--server is nginx, apache or haproxy, not '%.40s'", kind ? kind : "");
    return TD_ERR_USAGE;
}

static td_status set_path(td_lint *l, char *dst, size_t cap, const char *v, const char *opt)
{
    l->err[0] = '\0';
    if (!v || !v[0] || strlen(v) >= cap) {
        td_errbuf(l->err, sizeof l->err, "%s needs a path", opt);
        return TD_ERR_USAGE;
    }
    td_errbuf(dst, cap, "%s", v);
    return TD_OK;
}

td_status td_lint_set_profile(td_lint *l, const char *name)
{
    l->err[0] = '\0';
    const td_moz_profile *p = td_moz_profile_by_name(name, l->err, sizeof l->err);
    if (!p)
        return TD_ERR_USAGE;
    l->profile = p;
    return TD_OK;
}

td_status td_lint_set_ca_file(td_lint *l, const char *path)
{
    return set_path(l, l->ca_file, sizeof l->ca_file, path, "--ca-file");
}

td_status td_lint_set_ca_path(td_lint *l, const char *dir)
{
    return set_path(l, l->ca_path, sizeof l->ca_path, dir, "--ca-path");
}

/* The server a configuration is for, from the first word of its lines:
 * HAProxy's section keywords at the start of a line, Apache httpd's
 * <Tags> and its directives in their capitalised spelling; nginx else
 * (nginx blocks have braces, HAProxy sections none). */
static int detect(const char *text)
{
    bool braces = strchr(text, '{') != NULL;
    static const char *haproxy[] = { "global", "defaults", "frontend", "backend", "listen", "peers", "resolvers" };
    static const char *apache[] = { "<VirtualHost", "<IfModule", "<Directory", "ServerRoot", "LoadModule",
                                    "Listen", "Include", "IncludeOptional", "SSLEngine", "ServerName" };
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        size_t n = strcspn(line, " \t\r\n>");
        for (size_t i = 0; i < sizeof haproxy / sizeof *haproxy; i++)
            if (!braces && n == strlen(haproxy[i]) && strncmp(line, haproxy[i], n) == 0)
                return TD_CSERVER_HAPROXY;
        const char *w = line + strspn(line, " \t");
        n = strcspn(w, " \t\r\n>");
        for (size_t i = 0; i < sizeof apache / sizeof *apache; i++)
            if (n == strlen(apache[i]) && strncmp(w, apache[i], n) == 0)
                return TD_CSERVER_APACHE;
    }
    return TD_CSERVER_NGINX;
}

/* The policy's I/O: cipher strings through OpenSSL, certificate files. */
static td_status read_tls(td_lint *l)
{
    td_cobs *o = &l->obs;
    char err[256] = "";
    td_store *st = td_store_new(l->ca_file[0] ? l->ca_file : NULL, l->ca_path[0] ? l->ca_path : NULL, err, sizeof err);
    if (!st) {
        td_errbuf(l->err, sizeof l->err, "trust store: %s", err);
        return TD_ERR_USAGE;
    }
    td_errbuf(o->store_name, sizeof o->store_name, "%s", td_store_name(st));
    char *dir = td_conf_dirname(o->main_file);
    td_certcache cache = { 0 };
    for (size_t i = 0; dir && i < o->n_vh; i++) {
        td_cvhost *v = &o->vh[i];
        if (!v->tls)
            continue;
        const td_cvhost *like = NULL;
        for (size_t j = i; j-- > 0 && !like;)
            if (o->vh[j].tls && td_conf_tls_same(&o->vh[j], v))
                like = &o->vh[j];
        if (!like)
            td_conf_tls_expand(v);
        else if (!td_conf_tls_copy(v, like))
            o->oom = true;
        for (size_t k = 0; k < v->n_certs; k++) {
            td_ccert *c = &v->certs[k];
            td_conf_read_cert(c, dir, st, o->now, &cache);
        }
    }
    free(dir);
    td_certcache_free(&cache);
    td_store_free(st);
    return TD_OK;
}

/* The name a check sends as SNI to reach server v: its first literal
 * server_name ("" none). */
static const char *literal_name(const td_cvhost *v)
{
    for (size_t i = 0; i < v->n_names; i++) {
        const char *n = v->names[i];
        if (n[0] && strcmp(n, "_") != 0 && !strpbrk(n, "*~$") && n[0] != '.')
            return n;
    }
    return "";
}

/* `tlsdiag check` against one listener: the host given (or the listen
 * address, a wildcard as the loopback address), its default server's name
 * as SNI.  What it saw goes into the listener's live_* observations. */
static td_status live_one(td_lint *l, td_clistener *ls)
{
    const char *port = strrchr(ls->addr, ':');
    if (!port || port[1] == '\0' || strncmp(ls->addr, "unix:", 5) == 0)
        return TD_OK;
    size_t hl = (size_t)(port - ls->addr);
    bool wild = (hl == 1 && ls->addr[0] == '*') || strncmp(ls->addr, "0.0.0.0:", 8) == 0;
    bool wild6 = strncmp(ls->addr, "[::]:", 5) == 0;
    if (l->live_host[0])
        td_errbuf(ls->live_target, sizeof ls->live_target, "%s%s", l->live_host, port);
    else if (wild || wild6)
        td_errbuf(ls->live_target, sizeof ls->live_target, "%s%s", wild6 ? "[::1]" : "127.0.0.1", port);
    else
        td_errbuf(ls->live_target, sizeof ls->live_target, "%s", ls->addr);
    td_errbuf(ls->live_sni, sizeof ls->live_sni, "%s", literal_name(&l->obs.vh[ls->def]));
    td_options *opt = td_options_new();
    if (!opt)
        return TD_ERR_INTERNAL;
    td_status st = td_options_set_target(opt, ls->live_target);
    if (st == TD_OK && ls->live_sni[0])
        st = td_options_set_sni(opt, ls->live_sni);
    if (st == TD_OK && l->ca_file[0])
        st = td_options_set_ca_file(opt, l->ca_file);
    if (st == TD_OK && l->ca_path[0])
        st = td_options_set_ca_path(opt, l->ca_path);
    if (st == TD_OK)
        st = td_options_set_timeout(opt, 3);
    td_report *r = NULL;
    if (st == TD_OK)
        st = td_check(opt, &r);
    if (st != TD_OK) {
        td_errbuf(l->err, sizeof l->err, "--live %s: %s", ls->live_target,
                  td_options_error(opt) ? td_options_error(opt) : "the check failed");
        td_options_free(opt);
        return st;
    }
    ls->live_run = true;
    const td_obs *ob = &r->obs;
    ls->live_tls = td_obs_handshake_done(ob);
    td_errbuf(ls->live_error, sizeof ls->live_error, "%s", ob->hs.error[0] ? ob->hs.error : td_outcome_name(ob->hs.out));
    if (ob->hs.n_chain && (ls->live_leaf.der = malloc(ob->hs.chain[0].len))) {
        memcpy(ls->live_leaf.der, ob->hs.chain[0].der, ob->hs.chain[0].len);
        ls->live_leaf.len = ob->hs.chain[0].len;
    }
    static const struct {
        uint16_t v;
        unsigned bit;
    } vs[] = { { TD_SSL3, TD_CV_SSL3 }, { TD_TLS10, TD_CV_TLS10 }, { TD_TLS11, TD_CV_TLS11 },
               { TD_TLS12, TD_CV_TLS12 }, { TD_TLS13, TD_CV_TLS13 } };
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++)
        if (ob->version_ok[td_vidx(vs[i].v)] == TD_YES)
            ls->live_versions |= vs[i].bit;
    td_report_free(r);
    td_options_free(opt);
    return TD_OK;
}

static td_status live(td_lint *l)
{
    for (size_t i = 0; i < l->obs.n_ls; i++) {
        if (!l->obs.ls[i].tls)
            continue;
        td_status st = live_one(l, &l->obs.ls[i]);
        if (st != TD_OK)
            return st;
    }
    return TD_OK;
}

td_status td_lint_set_live(td_lint *l, const char *host)
{
    l->err[0] = '\0';
    if (host && (!host[0] || strlen(host) >= sizeof l->live_host || strpbrk(host, " /"))) {
        td_errbuf(l->err, sizeof l->err, "--live takes a host name or address, not '%.40s'", host);
        return TD_ERR_USAGE;
    }
    l->live = true;
    td_errbuf(l->live_host, sizeof l->live_host, "%s", host ? host : "");
    return TD_OK;
}

static td_status run(td_lint *l, const char *path, const char *dump, size_t dump_len)
{
    if (!l)
        return TD_ERR_USAGE;
    l->err[0] = '\0';
    if (l->ran) {
        td_errbuf(l->err, sizeof l->err, "td_lint_run runs once per object");
        return TD_ERR_USAGE;
    }
    l->ran = true;
    td_cobs *o = &l->obs;
    o->now = (int64_t)time(NULL);
    td_ctree t = { .files = &o->files, .notes = &o->notes };
    int kind = l->server;
    if (kind < 0 && !dump) {
        char why[512];
        const td_cfile *f = td_cfile_read(&o->files, path, why, sizeof why);
        kind = f ? detect(f->text) : TD_CSERVER_NGINX;
    }
    int rc = -1;
    char version[32];
    if (kind >= 0 && kind != TD_CSERVER_NGINX && dump) {
        td_errbuf(l->err, sizeof l->err, "standard input is read as nginx -T output: give the "
                                         "configuration file itself");
    } else if (kind == TD_CSERVER_APACHE) {
        if ((rc = td_conf_parse_apache(&t, path, o->main_file, sizeof o->main_file)) == 0) {
            td_conf_apache_version(version, sizeof version);
            td_conf_apache_effective(&t.root, version, o);
        }
    } else if (kind == TD_CSERVER_HAPROXY) {
        if ((rc = td_conf_parse_haproxy(&t, path, o->main_file, sizeof o->main_file)) == 0) {
            td_conf_haproxy_version(version, sizeof version);
            td_conf_haproxy_effective(&t.root, version, o);
        }
    } else if ((rc = td_conf_parse_nginx(&t, path, dump, dump_len, o->main_file, sizeof o->main_file)) == 0) {
        o->from_dump = dump != NULL;
        td_conf_nginx_version(version, sizeof version);
        td_conf_nginx_effective(&t.root, version, o);
    }
    if (rc != 0 && !l->err[0])
        td_errbuf(l->err, sizeof l->err, "%s", t.err);
    td_ctree_free(&t);
    if (rc != 0)
        return TD_ERR_USAGE;
    td_status st = read_tls(l);
    if (st != TD_OK)
        return st;
    if (l->live && (st = live(l)) != TD_OK)
        return st;
    td_lint_rules(o, l->profile, &l->findings);
    if (o->oom || o->notes.oom || l->findings.oom) {
        td_errbuf(l->err, sizeof l->err, "out of memory");
        return TD_ERR_INTERNAL;
    }
    return TD_OK;
}

td_status td_lint_run(td_lint *l, const char *path)
{
    return run(l, path ? path : "", NULL, 0);
}

td_status td_lint_run_dump(td_lint *l, const char *text, size_t len)
{
    return run(l, "nginx -T output", text ? text : "", text ? len : 0);
}

bool td_lint_failed(const td_lint *l)
{
    for (size_t i = 0; l && i < l->findings.n; i++)
        if (l->findings.v[i].sev == TD_SEV_FAIL)
            return true;
    return false;
}

size_t td_lint_finding_count(const td_lint *l)
{
    return l ? l->findings.n : 0;
}

const char *td_lint_finding_id(const td_lint *l, size_t i)
{
    return l && i < l->findings.n ? td_id_name(l->findings.v[i].id) : NULL;
}
