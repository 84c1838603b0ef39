/* The renderings of `tlsdiag lint`: text (the verdict first, then each
 * finding with its file:line, fix, edit and verify command), JSON (the
 * findings as `check` writes them, plus location and edit, and the
 * effective policy of each server) and a unified diff of the edits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lint.h"
#include "registry/mozilla.h"
#include "registry/registry.h"
#include "report/jbuild.h"
#include "report/report.h"
#include "util/str.h"

static const char *severity_label(td_severity s)
{
    return s == TD_SEV_FAIL ? "FAIL" : s == TD_SEV_WARN ? "WARN" : "INFO";
}

static td_severity worst(const td_lint *l)
{
    td_severity w = TD_SEV_INFO;
    for (size_t i = 0; i < l->findings.n; i++)
        if (l->findings.v[i].sev > w)
            w = l->findings.v[i].sev;
    return w;
}

static size_t count_sev(const td_lint *l, td_severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < l->findings.n; i++)
        n += l->findings.v[i].sev == s;
    return n;
}

static size_t tls_servers(const td_cobs *o)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n_vh; i++)
        n += o->vh[i].tls;
    return n;
}

/* The line an edit starts on, from the file's text. */
static unsigned edit_line(const td_cobs *o, const td_edit *e)
{
    for (size_t i = 0; i < o->files.n; i++) {
        const td_cfile *f = o->files.v[i];
        if (strcmp(f->path, e->file) != 0)
            continue;
        unsigned line = 1;
        for (size_t k = 0; k < e->start && k < f->len; k++)
            line += f->text[k] == '\n';
        return line;
    }
    return 0;
}

int td_lint_write_text(const td_lint *l, FILE *f, bool color)
{
    const td_cobs *o = &l->obs;
    size_t nf = count_sev(l, TD_SEV_FAIL), nw = count_sev(l, TD_SEV_WARN), ni = count_sev(l, TD_SEV_INFO);
    td_severity w = worst(l);
    const char *on = "", *off = color ? "\033[0m" : "";
    if (color)
        on = w == TD_SEV_FAIL ? "\033[1;31m" : nw ? "\033[1;33m" : "\033[1;32m";
    if (nf)
        fprintf(f, "%sFAIL%s: %zu problem%s will break handshakes", on, off, nf, nf == 1 ? "" : "s");
    else if (nw)
        fprintf(f, "%sWARN%s: nothing will break handshakes, %zu warning%s", on, off, nw, nw == 1 ? "" : "s");
    else
        fprintf(f, "%sOK%s: nothing to fix", on, off);
    if (nf && nw)
        fprintf(f, ", %zu warning%s", nw, nw == 1 ? "" : "s");
    if (ni)
        fprintf(f, ", %zu note%s", ni, ni == 1 ? "" : "s");
    fprintf(f, "\n  %s: %zu file%s, %zu server%s, %zu with TLS; defaults of %s; trust store %s\n",
            o->from_dump ? "nginx -T output" : o->main_file, o->files.n, o->files.n == 1 ? "" : "s", o->n_vh,
            o->n_vh == 1 ? "" : "s", tls_servers(o), o->defaults_of, o->store_name);
    for (size_t i = 0; i < l->findings.n; i++) {
        const td_finding *x = &l->findings.v[i];
        fprintf(f, "\n%s %s  %s:%u\n  %s\n", severity_label(x->sev), td_id_name(x->id),
                x->loc.file ? x->loc.file : "-", x->loc.line, x->summary);
        if (x->evidence && x->evidence[0])
            fprintf(f, "  seen: %s\n", x->evidence);
        if (x->fix)
            fprintf(f, "  fix: %s\n", x->fix);
        if (x->edit.text)
            fprintf(f, "  edit: %s %s:%u: %s\n", x->edit.start == x->edit.end ? "add below" : "replace",
                    x->edit.file, edit_line(o, &x->edit), x->edit.text);
        if (x->verify)
            fprintf(f, "  verify: %s\n", x->verify);
    }
    if (o->notes.n)
        fprintf(f, "\nNotes:\n");
    for (size_t i = 0; i < o->notes.n; i++) {
        const td_cnote *n = &o->notes.v[i];
        if (n->loc.file)
            fprintf(f, "  %s:%u: %s\n", n->loc.file, n->loc.line, n->text);
        else
            fprintf(f, "  %s\n", n->text);
    }
    if (l->findings.n && count_sev(l, TD_SEV_FAIL) + count_sev(l, TD_SEV_WARN))
        fprintf(f, "\n`tlsdiag lint --diff` prints the edits as a patch.\n");
    return ferror(f) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------- */


static json_t *js(jb *j, const char *s)
{
    return td_jb_str(j, s);
}

static json_t *loc_json(jb *j, td_loc loc)
{
    if (!loc.file)
        return json_null();
    json_t *o = chk(j, json_object());
    put(j, o, "file", js(j, loc.file));
    put(j, o, "line", chk(j, json_integer(loc.line)));
    return o;
}

static json_t *set_json(jb *j, const td_cset *s)
{
    json_t *o = chk(j, json_object());
    put(j, o, "value", js(j, s->value));
    put(j, o, "location", loc_json(j, s->loc));
    put(j, o, "default", json_boolean(!td_cset_written(s)));
    return o;
}

static json_t *suites_json(jb *j, const uint16_t *ids, size_t n)
{
    json_t *a = chk(j, json_array());
    char buf[80];
    for (size_t i = 0; i < n; i++)
        push(j, a, js(j, td_suite_name(ids[i], buf, sizeof buf)));
    return a;
}

static json_t *versions_json(jb *j, unsigned mask)
{
    json_t *a = chk(j, json_array());
    for (unsigned bit = TD_CV_SSL3; bit <= TD_CV_TLS13; bit <<= 1)
        if (mask & bit)
            push(j, a, js(j, td_cv_name(bit)));
    return a;
}

static const char *file_state(td_cfile_state s)
{
    static const char *names[] = { "ok", "missing", "unreadable", "empty", "not-pem", "per-handshake" };
    return (size_t)s < sizeof names / sizeof *names ? names[s] : "?";
}

static json_t *cert_json(jb *j, const td_ccert *c)
{
    json_t *o = chk(j, json_object());
    put(j, o, "certificate", set_json(j, &c->cert));
    put(j, o, "key", set_json(j, &c->key));
    put(j, o, "certificate_file", js(j, file_state(c->cert_state)));
    put(j, o, "key_file", js(j, file_state(c->key_state)));
    put(j, o, "chain_length", chk(j, json_integer((json_int_t)c->n_chain)));
    put(j, o, "key_matches", c->key_match == TD_UNKNOWN ? json_null() : json_boolean(c->key_match == TD_YES));
    put(j, o, "path", c->path_done ? js(j, td_path_verdict_name(c->path.verdict)) : json_null());
    return o;
}

static json_t *vhost_json(jb *j, const td_cobs *ob, const td_cvhost *v)
{
    json_t *o = chk(j, json_object());
    put(j, o, "location", loc_json(j, v->loc));
    json_t *names = chk(j, json_array());
    for (size_t i = 0; i < v->n_names; i++)
        push(j, names, js(j, v->names[i]));
    put(j, o, "names", names);
    json_t *ls = chk(j, json_array());
    for (size_t i = 0; i < v->n_listens; i++)
        push(j, ls, js(j, v->listens[i].addr));
    put(j, o, "listen", ls);
    put(j, o, "tls", json_boolean(v->tls));
    if (!v->tls)
        return o;
    put(j, o, "versions_decided_by", loc_json(j, ob->vh[v->versions_from].loc));
    put(j, o, "protocols", set_json(j, &v->protocols));
    put(j, o, "versions", versions_json(j, v->versions));
    put(j, o, "security_level", chk(j, json_integer(v->seclevel)));
    json_t *c = set_json(j, &v->ciphers);
    put(j, c, "tls12", suites_json(j, v->suites12, v->n12));
    put(j, c, "tls13", suites_json(j, v->suites13, v->n13));
    put(j, o, "ciphers", c);
    const td_cset *more[] = { &v->groups, &v->verify_client, &v->stapling, &v->cache, &v->tickets, &v->prefer };
    const char *keys[] = { "groups", "verify_client", "ocsp_stapling", "session_cache", "session_tickets",
                           "server_preferred_order" };
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        put(j, o, keys[i], set_json(j, more[i]));
    json_t *certs = chk(j, json_array());
    for (size_t i = 0; i < v->n_certs; i++)
        push(j, certs, cert_json(j, &v->certs[i]));
    put(j, o, "certificates", certs);
    json_t *ups = chk(j, json_array());
    for (size_t i = 0; i < v->n_ups; i++) {
        json_t *u = chk(j, json_object());
        put(j, u, "target", js(j, v->ups[i].target));
        put(j, u, "location", loc_json(j, v->ups[i].loc));
        put(j, u, "sni", set_json(j, &v->ups[i].sni));
        put(j, u, "verify", set_json(j, &v->ups[i].verify));
        push(j, ups, u);
    }
    put(j, o, "upstreams", ups);
    return o;
}

int td_lint_write_json(const td_lint *l, FILE *f)
{
    jb j = { false };
    const td_cobs *o = &l->obs;
    json_t *root = chk(&j, json_object());
    put(&j, root, "tlsdiag_version", js(&j, TLSDIAG_VERSION));
    put(&j, root, "command", js(&j, "lint"));
    put(&j, root, "server",
        js(&j, o->server == TD_CSERVER_HAPROXY ? "haproxy" : o->server == TD_CSERVER_APACHE ? "apache" : "nginx"));
    put(&j, root, "server_version", o->server_version[0] ? js(&j, o->server_version) : json_null());
    put(&j, root, "defaults_of", js(&j, o->defaults_of));
    put(&j, root, "main_file", js(&j, o->main_file));
    put(&j, root, "from_nginx_T", json_boolean(o->from_dump));
    put(&j, root, "trust_store", js(&j, o->store_name));
    json_t *prof = json_null();
    const td_moz *moz = td_mozilla();
    if (l->profile && moz) {
        prof = chk(&j, json_object());
        put(&j, prof, "name", js(&j, l->profile->name));
        put(&j, prof, "guidelines_version", js(&j, moz->version));
        put(&j, prof, "source", js(&j, moz->source));
    }
    put(&j, root, "profile", prof);
    td_severity w = worst(l);
    put(&j, root, "verdict", js(&j, !l->findings.n ? "ok" : w == TD_SEV_FAIL ? "fail" : w == TD_SEV_WARN ? "warn" : "ok"));
    json_t *files = chk(&j, json_array());
    for (size_t i = 0; i < o->files.n; i++)
        push(&j, files, js(&j, o->files.v[i]->path));
    put(&j, root, "files", files);
    json_t *fs = chk(&j, json_array());
    for (size_t i = 0; i < l->findings.n; i++)
        push(&j, fs, chk(&j, td_finding_json(&l->findings, i)));
    put(&j, root, "findings", fs);
    json_t *notes = chk(&j, json_array());
    for (size_t i = 0; i < o->notes.n; i++) {
        json_t *n = chk(&j, json_object());
        put(&j, n, "location", loc_json(&j, o->notes.v[i].loc));
        put(&j, n, "text", js(&j, o->notes.v[i].text));
        push(&j, notes, n);
    }
    put(&j, root, "notes", notes);
    json_t *vhs = chk(&j, json_array());
    for (size_t i = 0; i < o->n_vh; i++)
        push(&j, vhs, vhost_json(&j, o, &o->vh[i]));
    put(&j, root, "servers", vhs);
    json_t *ls = chk(&j, json_array());
    for (size_t i = 0; i < o->n_ls; i++) {
        json_t *x = chk(&j, json_object());
        put(&j, x, "address", js(&j, o->ls[i].addr));
        put(&j, x, "tls", json_boolean(o->ls[i].tls));
        put(&j, x, "default_server", loc_json(&j, o->vh[o->ls[i].def].loc));
        put(&j, x, "servers", chk(&j, json_integer((json_int_t)o->ls[i].n_vh)));
        push(&j, ls, x);
    }
    put(&j, root, "listeners", ls);
    int rc = -1;
    if (!j.err && json_dumpf(root, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(root);
    return rc;
}
