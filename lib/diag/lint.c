/* The rules of `tlsdiag lint`: what each virtual server's effective TLS
 * policy will do to clients, as the findings `check` reports live (the
 * protocol, cipher and certificate IDs) and the CONFIG_* IDs for what only
 * the configuration shows.  Each finding names the file and line that
 * decides, the exact edit that fixes it where there is one, and a command
 * that verifies the fix against the running server. */
#include "diag/lint.h"
#include "diag/lint_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert/cert.h"
#include "registry/registry.h"
#include "util/str.h"
#include "wire/tls.h"

typedef td_lctx ctx;

/* A virtual server in a sentence: its first name and its first TLS address. */
void td_lint_label(const td_cvhost *v, td_str *s)
{
    const char *name = v->n_names && v->names[0][0] && strcmp(v->names[0], "_") != 0 ? v->names[0] : NULL;
    const char *addr = "";
    for (size_t i = 0; i < v->n_listens; i++)
        if (v->listens[i].tls || !addr[0])
            addr = v->listens[i].addr;
    if (name)
        td_str_printf(s, "server %s (%s)", name, addr);
    else
        td_str_printf(s, "the server on %s", addr);
}

/* `tlsdiag check` against the virtual server: the address it listens on
 * (a wildcard as the loopback address) and its name as SNI. */
static void verify_cmd(const ctx *c, const td_cvhost *v, td_str *s)
{
    const char *addr = v->n_listens ? v->listens[0].addr : "*:443";
    for (size_t i = 0; i < v->n_listens; i++)
        if (v->listens[i].tls) {
            addr = v->listens[i].addr;
            break;
        }
    const char *port = strrchr(addr, ':');
    bool wild = addr[0] == '*' || strncmp(addr, "0.0.0.0:", 8) == 0 || strncmp(addr, "[::]:", 5) == 0;
    td_str_printf(s, "%s && tlsdiag check ", c->reload);
    const char *name = v->n_names ? v->names[0] : "";
    bool literal = name[0] && strcmp(name, "_") != 0 && !strpbrk(name, "*~$") && name[0] != '.';
    if (literal)
        td_str_printf(s, "--sni %s ", name);
    if (wild)
        td_str_printf(s, "127.0.0.1%s", port ? port : ":443");
    else
        td_str_add(s, addr);
}

/* The same finding about the same line (a directive of http{} that many
 * servers inherit) is reported once. */
static bool seen(const ctx *c, td_id id, td_loc loc, const char *evidence)
{
    for (size_t i = 0; i < c->out->n; i++)
        if (c->out->v[i].id == id && c->out->v[i].loc.file == loc.file && c->out->v[i].loc.line == loc.line &&
            strcmp(c->out->v[i].evidence, evidence ? evidence : "") == 0)
            return true;
    return false;
}

td_finding *td_lint_add(ctx *c, const td_cvhost *v, td_id id, td_loc loc, td_str *summary, td_str *evidence,
                        const char *fix)
{
    if (!loc.file)
        loc = v->loc;
    if (seen(c, id, loc, evidence->s)) {
        td_str_free(summary);
        td_str_free(evidence);
        return NULL;
    }
    td_str verify;
    td_str_init(&verify);
    verify_cmd(c, v, &verify);
    td_finding *f = td_findings_take(c->out, id, td_catalog(id)->severity, summary, evidence, fix, &verify);
    if (f)
        f->loc = loc;
    return f;
}

/* The directive setting s to value, in the server's syntax: what the
 * source says surrounds the value (nginx: "NAME " and ";"; a HAProxy bind
 * line: the line without its version keywords). */
static void directive(const td_cset *s, const char *value, td_str *out)
{
    if (s->prefix)
        td_str_printf(out, "%s%s%s", s->prefix, value, s->suffix ? s->suffix : "");
    else
        td_str_printf(out, "%s %s;", s->name, value);
}

void td_lint_set_directive(ctx *c, td_finding *f, const td_cvhost *v, const td_cset *s, const char *value)
{
    if (!f)
        return;
    td_str t;
    td_str_init(&t);
    directive(s, value, &t);
    if (td_cset_written(s))
        td_finding_set_edit(c->out, f, s->loc.file, s->start, s->end, t.s);
    else if (v->body_file)
        td_finding_set_edit(c->out, f, v->body_file, v->body, v->body, t.s);
    td_str_free(&t);
}

void td_lint_where(const td_cset *s, const td_cobs *o, td_str *ev)
{
    if (td_cset_written(s) && s->value && s->value[0]) {
        td_str d;
        td_str_init(&d);
        directive(s, s->value, &d);
        td_str_printf(ev, "%s at %s:%u", d.s, s->loc.file, s->loc.line);
        td_str_free(&d);
    } else if (td_cset_written(s)) {
        td_str_printf(ev, "no %s on the line at %s:%u", s->name, s->loc.file, s->loc.line);
    } else
        td_str_printf(ev, "no %s: the default of %s, \"%s\", applies", s->name, o->defaults_of,
                      s->value ? s->value : "");
}

void td_lint_versions_text(unsigned mask, td_str *s)
{
    bool any = false;
    for (unsigned bit = TD_CV_SSL3; bit <= TD_CV_TLS13; bit <<= 1)
        if (mask & bit) {
            td_str_printf(s, "%s%s", any ? " " : "", td_cv_name(bit));
            any = true;
        }
    if (!any)
        td_str_add(s, "none");
}

void td_lint_fix_text(td_str *s, const td_cset *set, const char *value)
{
    td_str d;
    td_str_init(&d);
    directive(set, value, &d);
    if (td_cset_written(set))
        td_str_printf(s, "In %s:%u write `%s`", set->loc.file, set->loc.line, d.s);
    else
        td_str_printf(s, "Add `%s` to the %s", d.s, set->block ? set->block : "server block");
    td_str_free(&d);
}

static void protocol_rules(ctx *c, const td_cvhost *v)
{
    const td_cset *p = &v->protocols;
    struct {
        td_id id;
        bool when;
        const char *what;
    } rules[] = {
        { TD_ID_PROTOCOL_TOO_OLD, v->versions && !(v->versions & (TD_CV_TLS12 | TD_CV_TLS13)),
          "accepts no version current clients offer: TLS 1.2 and TLS 1.3 are off" },
        { TD_ID_LEGACY_PROTOCOL_ENABLED, (v->versions & TD_CV_LEGACY) != 0,
          "accepts SSL 3.0, TLS 1.0 or TLS 1.1, deprecated by RFC 8996" },
        { TD_ID_TLS13_MISSING, v->versions && !(v->versions & TD_CV_TLS13), "does not offer TLS 1.3" },
    };
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        if (!rules[i].when)
            continue;
        td_str sum, ev, fix;
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_lint_label(v, &sum);
        td_str_printf(&sum, " %s.", rules[i].what);
        td_lint_where(p, c->o, &ev);
        td_str_printf(&ev, "; versions %s will negotiate with the linked OpenSSL: ", c->sname);
        td_lint_versions_text(v->versions, &ev);
        if (v->versions != v->versions_written) {
            td_str_add(&ev, " (written: ");
            td_lint_versions_text(v->versions_written, &ev);
            td_str_printf(&ev, "; security level %d drops the rest)", v->seclevel);
        }
        td_str good;
        td_str_init(&good);
        td_lint_versions_value(c->o, TD_CV_TLS12 | TD_CV_TLS13, &good);
        td_lint_fix_text(&fix, p, good.s);
        td_str_printf(&fix, ", then reload %s.", c->sname);
        td_finding *f = td_lint_add(c, v, rules[i].id, p->loc, &sum, &ev, fix.s);
        td_lint_set_directive(c, f, v, p, good.s);
        td_str_free(&good);
        td_str_free(&fix);
    }
}

/* ssl_protocols in a server that is not its address's default: OpenSSL
 * picks the version while reading the ClientHello, before nginx switches
 * to the server the SNI names, so the default server's versions apply. */
static void shadowed_protocols(ctx *c, const td_cvhost *v)
{
    const td_cvhost *d = &c->o->vh[v->versions_from];
    if (d == v || !td_cset_written(&v->protocols) || v->protocols.loc.line == d->protocols.loc.line ||
        v->versions_written == d->versions_written)
        return;
    td_str sum, ev, fix;
    td_str_init(&sum);
    td_str_init(&ev);
    td_str_init(&fix);
    td_str_printf(&sum, "ssl_protocols in ");
    td_lint_label(v, &sum);
    td_str_add(&sum, " has no effect: the default server of its address decides the version.");
    td_str_printf(&ev, "ssl_protocols %s; at %s:%u; the default server (%s:%u) has ", v->protocols.value,
                  v->protocols.loc.file, v->protocols.loc.line, d->loc.file, d->loc.line);
    td_lint_where(&d->protocols, c->o, &ev);
    td_str_add(&fix, "Set the versions on the default server of the address (or in http{}) and drop this line: "
                     "OpenSSL negotiates the version before nginx reads the SNI.");
    td_lint_add(c, v, TD_ID_CONFIG_SHADOWED, v->protocols.loc, &sum, &ev, fix.s);
    td_str_free(&fix);
}

/* Settings written for every server that this one replaces with its own
 * (HAProxy: a bind line's keywords over the global ssl-default-bind-*):
 * an edit of the global line will not reach it. */
static void overridden(ctx *c, const td_cvhost *v)
{
    for (size_t i = 0; i < v->n_shadowed; i++) {
        const td_cset *s = &v->shadowed[i];
        td_str sum, ev;
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_printf(&sum, "%s has no effect on ", s->name);
        td_lint_label(v, &sum);
        td_str_add(&sum, ": its own line replaces it.");
        td_str_printf(&ev, "%s %s at %s:%u; the line at %s:%u sets its own", s->name, s->value ? s->value : "",
                      s->loc.file, s->loc.line, v->loc.file, v->loc.line);
        td_lint_add(c, v, TD_ID_CONFIG_SHADOWED, s->loc, &sum, &ev,
                    "Change the setting on the line that decides (or drop it there so the global one applies).");
    }
}

/* A name two servers of one address both claim: the SNI (and the Host
 * header) always selects the first, so the second never answers to it;
 * nginx warns "conflicting server name ... ignored" and starts anyway. */
static void duplicate_names(ctx *c, const td_clistener *ls)
{
    for (size_t a = 0; a < ls->n_vh; a++) {
        const td_cvhost *v = &c->o->vh[ls->vh[a]];
        for (size_t i = 0; i < v->n_names; i++) {
            const td_cvhost *first = NULL;
            size_t fi = 0;
            for (size_t b = 0; b < a && !first; b++) {
                const td_cvhost *w = &c->o->vh[ls->vh[b]];
                for (size_t k = 0; k < w->n_names && !first; k++)
                    if (v->names[i][0] && strcasecmp(w->names[k], v->names[i]) == 0)
                        first = w, fi = k;
            }
            if (!first || !v->names_loc)
                continue;
            td_str sum, ev;
            td_str_init(&sum);
            td_str_init(&ev);
            td_str_printf(&sum, "The name %s here never selects this server on %s: another server of that address "
                                "has it first.",
                          v->names[i], ls->addr);
            td_str_printf(&ev, "%s at %s:%u; the same name at %s:%u, read first", v->names[i], v->names_loc[i].file,
                          v->names_loc[i].line, first->names_loc ? first->names_loc[fi].file : "?",
                          first->names_loc ? first->names_loc[fi].line : 0);
            td_lint_add(c, v, TD_ID_CONFIG_SHADOWED, v->names_loc[i], &sum, &ev,
                        "Keep each name on one server of an address: drop it here or there.");
        }
    }
}

/* The cipher string without its TLS 1.3 names. */
static void strip_tls13(const td_cvhost *v, td_str *out)
{
    char *copy = td_strdup(v->ciphers.value);
    char *save = NULL;
    bool first = true;
    for (char *w = copy ? strtok_r(copy, ":", &save) : NULL; w; w = strtok_r(NULL, ":", &save)) {
        bool drop = false;
        for (size_t i = 0; i < v->n_tls13_in_ciphers; i++)
            if (strcmp(w + strspn(w, "+-!"), v->tls13_in_ciphers[i]) == 0)
                drop = true;
        if (!drop) {
            td_str_printf(out, "%s%s", first ? "" : ":", w);
            first = false;
        }
    }
    free(copy);
}

static bool auth_fits(const td_suite *s, const char *key_type)
{
    if (s->auth == TD_AU_RSA)
        return strncmp(key_type, "RSA", 3) == 0;
    if (s->auth == TD_AU_ECDSA)
        return strcmp(key_type, "EC") == 0 || strncmp(key_type, "Ed", 2) == 0;
    return s->auth == TD_AU_DSS && strcmp(key_type, "DSA") == 0;
}

/* Whether some TLS 1.2 suite of v can be used with one of its keys. */
static bool suite_for_keys(const td_cvhost *v, bool *known)
{
    *known = false;
    for (size_t k = 0; k < v->n_certs; k++) {
        const td_cert_info *ci = v->certs[k].leaf;
        if (!ci)
            continue;
        *known = true;
        for (size_t i = 0; i < v->n12; i++) {
            const td_suite *s = td_suite_by_id(v->suites12[i]);
            if (s && auth_fits(s, ci->key_type))
                return true;
        }
    }
    return false;
}

static void cipher_rules(ctx *c, const td_cvhost *v)
{
    /* what a weak or unusable list is replaced with */
    const td_moz_profile *mp = td_moz_profile_by_name("intermediate", NULL, 0);
    const char *intermediate = mp ? mp->openssl12 : "HIGH:!aNULL:!MD5";
    const td_cset *cs = &v->ciphers;
    td_str sum, ev, fix;
    if (v->n_tls13_in_ciphers) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_str_printf(&sum, "TLS 1.3 suites in %s have no effect: it sets TLS 1.2 and below.", cs->name);
        td_str_printf(&ev, "%s names %s", cs->name, v->tls13_in_ciphers[0]);
        for (size_t i = 1; i < v->n_tls13_in_ciphers; i++)
            td_str_printf(&ev, ", %s", v->tls13_in_ciphers[i]);
        td_str_printf(&ev, " at %s:%u; the TLS 1.3 suites are set apart (or are OpenSSL's defaults)",
                      cs->loc.file, cs->loc.line);
        td_str stripped;
        td_str_init(&stripped);
        strip_tls13(v, &stripped);
        td_str_printf(&fix, "Drop the TLS 1.3 names from %s; TLS 1.3 suites have a setting of their own "
                            "(nginx `ssl_conf_command Ciphersuites`, HAProxy `ciphersuites`, Apache httpd "
                            "`SSLCipherSuite TLSv1.3`), needed only when OpenSSL's defaults do not suit.",
                      cs->name);
        td_finding *f = td_lint_add(c, v, TD_ID_CONFIG_SHADOWED, cs->loc, &sum, &ev, fix.s);
        if (stripped.s && stripped.s[0])
            td_lint_set_directive(c, f, v, cs, stripped.s);
        td_str_free(&stripped);
        td_str_free(&fix);
    }
    /* the versions are the default server's (shadowed_protocols) */
    unsigned versions = c->o->vh[v->versions_from].versions;
    bool tls12 = (versions & (TD_CV_TLS12 | TD_CV_TLS11 | TD_CV_TLS10 | TD_CV_SSL3)) != 0;
    bool known = false;
    bool usable = v->n12 && suite_for_keys(v, &known);
    if (tls12 && !(versions & TD_CV_TLS13) && (v->cipher_err[0] || (known && !usable))) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_lint_label(v, &sum);
        td_str_add(&sum, " has no cipher suite a client can use: every handshake fails.");
        td_lint_where(cs, c->o, &ev);
        td_str_printf(&ev, "; %s", v->cipher_err[0] ? v->cipher_err
                                                     : "none of its suites signs with the certificate's key type");
        td_lint_fix_text(&fix, cs, intermediate);
        td_str_printf(&fix, " (Mozilla intermediate), then reload %s.", c->sname);
        td_finding *f = td_lint_add(c, v, TD_ID_NO_SHARED_CIPHER, cs->loc, &sum, &ev, fix.s);
        td_lint_set_directive(c, f, v, cs, intermediate);
        td_str_free(&fix);
    }
    size_t weak = 0;
    const td_suite *first = NULL;
    for (size_t i = 0; tls12 && i < v->n12; i++) {
        const td_suite *s = td_suite_by_id(v->suites12[i]);
        if (s && td_suite_weak(s) && weak++ == 0)
            first = s;
    }
    if (weak) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_lint_label(v, &sum);
        td_str_printf(&sum, " enables %zu weak cipher suite%s (NULL, anonymous, export, DES, RC4 or 3DES).", weak,
                      weak == 1 ? "" : "s");
        td_lint_where(cs, c->o, &ev);
        td_str_printf(&ev, "; the linked OpenSSL expands it to %zu TLS 1.2 suites, among them %s", v->n12,
                      first->iana);
        td_lint_fix_text(&fix, cs, intermediate);
        td_str_printf(&fix, " (Mozilla intermediate), then reload %s.", c->sname);
        td_finding *f = td_lint_add(c, v, TD_ID_WEAK_CIPHERS_ENABLED, cs->loc, &sum, &ev, fix.s);
        td_lint_set_directive(c, f, v, cs, intermediate);
        td_str_free(&fix);
    }
}

static const char *state_text(td_cfile_state s)
{
    switch (s) {
    case TD_CFILE_MISSING: return "missing";
    case TD_CFILE_UNREADABLE: return "unreadable";
    case TD_CFILE_EMPTY: return "empty";
    case TD_CFILE_NOT_PEM: return "not PEM";
    default: return "fine";
    }
}

static void file_rule(ctx *c, const td_cvhost *v, const td_cset *s, td_cfile_state st, const char *why)
{
    if (st == TD_CFILE_OK || st == TD_CFILE_PER_HANDSHAKE)
        return;
    td_str sum, ev, fix;
    td_str_init(&sum);
    td_str_init(&ev);
    td_str_init(&fix);
    td_str_printf(&sum, "The file %s names is %s: %s will not start or reload.", s->name, state_text(st), c->sname);
    td_lint_where(s, c->o, &ev);
    td_str_printf(&ev, ": %s", why);
    td_str_printf(&fix, "Point %s at a readable PEM file (`openssl %s -in FILE -noout` must succeed), then "
                        "run `%s`.",
                  s->name, strcasestr(s->name, "key") ? "pkey" : "x509", c->reload);
    td_lint_add(c, v, TD_ID_CONFIG_FILE_PROBLEM, s->loc, &sum, &ev, fix.s);
    td_str_free(&fix);
}

static void name_rule(ctx *c, const td_cvhost *v, const td_ccert *cc, const td_cert_info *leaf)
{
    for (size_t i = 0; i < v->n_names; i++) {
        const char *n = v->names[i];
        if (!n[0] || strcmp(n, "_") == 0 || strpbrk(n, "*~$") || n[0] == '.')
            continue;
        td_name_check nc;
        td_cert_check_name(leaf, n, &nc);
        if (nc.ok)
            continue;
        td_str sum, ev, fix;
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_str_printf(&sum, "The certificate %s does not cover the server name %s.", cc->cert.value, n);
        td_str_printf(&ev, "the server name %s; %s %s (%s:%u): %s", n, cc->cert.name, cc->cert.value,
                      cc->cert.loc.file, cc->cert.loc.line, nc.why);
        td_str_printf(&fix, "Get a certificate whose subjectAltName lists %s (or drop the name from the server's "
                            "names) and point %s at it.",
                      n, cc->cert.name);
        td_lint_add(c, v, TD_ID_HOSTNAME_MISMATCH, cc->cert.loc, &sum, &ev, fix.s);
        td_str_free(&fix);
        return;
    }
}

static void chain_rule(ctx *c, const td_cvhost *v, const td_ccert *cc)
{
    if (!cc->path_done || !td_path_is(&cc->path, TD_PATH_INCOMPLETE) ||
        td_path_missing_kind(&cc->path) == TD_MISSING_ROOT)
        return;
    td_str sum, ev, fix;
    td_str_init(&sum);
    td_str_init(&ev);
    td_str_init(&fix);
    td_str_printf(&sum, "%s holds no intermediate certificate: clients cannot build a path to a trusted root.",
                  cc->cert.value);
    td_str_printf(&ev, "%zu certificate%s in %s (%s:%u); the issuer missing: %s; trust store: %s", cc->n_chain,
                  cc->n_chain == 1 ? "" : "s", cc->cert.value, cc->cert.loc.file, cc->cert.loc.line,
                  cc->path.missing_issuer, c->o->store_name);
    const char *base = strrchr(cc->cert.value, '/');
    base = base ? base + 1 : cc->cert.value;
    bool certbot = strcmp(base, "cert.pem") == 0;
    if (certbot)
        td_str_printf(&fix, "Use certbot's fullchain.pem, not cert.pem, in %s (%s:%u).", cc->cert.name,
                      cc->cert.loc.file, cc->cert.loc.line);
    else
        td_str_printf(&fix, "Append the intermediate to the leaf (`cat leaf.pem intermediate.pem > fullchain.pem`) "
                            "and point %s (%s:%u) at fullchain.pem.",
                      cc->cert.name, cc->cert.loc.file, cc->cert.loc.line);
    td_finding *f = td_lint_add(c, v, TD_ID_CHAIN_INCOMPLETE, cc->cert.loc, &sum, &ev, fix.s);
    if (f && certbot) {
        td_str t;
        td_str_init(&t);
        td_str_printf(&t, "%.*sfullchain.pem", (int)(base - cc->cert.value), cc->cert.value);
        td_lint_set_directive(c, f, v, &cc->cert, t.s);
        td_str_free(&t);
    }
    td_str_free(&fix);
}

/* The leaf names an OCSP responder and the server does not staple: every
 * client that checks revocation asks the CA itself. */
static void stapling_rule(ctx *c, const td_cvhost *v, const td_ccert *cc, const td_cert_info *leaf)
{
    const td_cset *s = &v->stapling;
    if (!leaf->ocsp_url[0] || (s->value && strcasecmp(s->value, "on") == 0) || !s->name[0])
        return;
    td_str sum, ev, fix;
    td_str_init(&sum);
    td_str_init(&ev);
    td_str_init(&fix);
    td_lint_label(v, &sum);
    td_str_add(&sum, " does not staple OCSP responses although its certificate names a responder.");
    td_lint_where(s, c->o, &ev);
    td_str_printf(&ev, "; %s names %s", cc->cert.value, leaf->ocsp_url);
    bool apache = c->o->server == TD_CSERVER_APACHE;
    td_lint_fix_text(&fix, s, "on");
    if (apache)
        td_str_add(&fix, ", with `SSLStaplingCache shmcb:/var/run/ocsp(128000)` at the server level");
    td_finding *f = td_lint_add(c, v, TD_ID_OCSP_STAPLING_MISSING, td_cset_written(s) ? s->loc : cc->cert.loc, &sum,
                                &ev, fix.s);
    if (!apache)
        td_lint_set_directive(c, f, v, s, "on");
    td_str_free(&fix);
}

static void cert_rules(ctx *c, const td_cvhost *v, const td_ccert *cc)
{
    file_rule(c, v, &cc->cert, cc->cert_state, cc->cert_why);
    if (td_cset_written(&cc->key))
        file_rule(c, v, &cc->key, cc->key_state, cc->key_why);
    if (td_cset_written(&cc->chain_file))
        file_rule(c, v, &cc->chain_file, cc->chain_state, cc->chain_why);
    td_str sum, ev, fix;
    if (cc->key_match == TD_NO) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_str_printf(&sum, "The private key does not belong to the certificate: %s will not start or reload.",
                      c->sname);
        td_str_printf(&ev, "%s %s (%s:%u) and %s %s (%s:%u): key values mismatch", cc->cert.name, cc->cert.value, cc->cert.loc.file, cc->cert.loc.line, cc->key.name[0] ? cc->key.name : "key", cc->key.value ? cc->key.value : "",
                      cc->key.loc.file ? cc->key.loc.file : "-", cc->key.loc.line);
        td_str_add(&fix, "Point the key setting at the key the certificate was issued for: "
                         "`openssl x509 -in CERT -noout -pubkey` and `openssl pkey -in KEY -pubout` must print "
                         "the same key.");
        td_lint_add(c, v, TD_ID_CONFIG_CERT_KEY_MISMATCH, cc->key.loc.file ? cc->key.loc : cc->cert.loc, &sum, &ev, fix.s);
        td_str_free(&fix);
    }
    const td_cert_info *leaf = cc->leaf;
    if (!leaf)
        return;
    if (td_cert_check_time(leaf, c->o->now, 0) == TD_TIME_EXPIRED) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_lint_label(v, &sum);
        td_str_printf(&sum, " has an expired certificate: every client refuses it.");
        td_str_printf(&ev, "%s (%s:%u): %s, expired %s", cc->cert.value, cc->cert.loc.file, cc->cert.loc.line,
                      leaf->subject, leaf->not_after_iso);
        td_lint_add(c, v, TD_ID_CERT_EXPIRED, cc->cert.loc, &sum, &ev,
            "Renew the certificate and point the certificate (and key) setting at the new files.");
    }
    char why[160];
    if (td_cert_key_too_small(leaf, why, sizeof why)) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_printf(&sum, "The key of %s is too small for current clients.", cc->cert.value);
        td_str_printf(&ev, "%s (%s:%u): %s", cc->cert.value, cc->cert.loc.file, cc->cert.loc.line, why);
        td_lint_add(c, v, TD_ID_KEY_TOO_SMALL, cc->cert.loc, &sum, &ev,
            "Issue a new certificate with an RSA key of 2048 bits or more, or an ECDSA P-256 key.");
    }
    name_rule(c, v, cc, leaf);
    chain_rule(c, v, cc);
    stapling_rule(c, v, cc, leaf);
}

/* The server demands a client certificate: every client without one (a
 * browser without it installed, curl without --cert) fails the handshake. */
static void client_cert_rule(ctx *c, const td_cvhost *v)
{
    const char *m = v->verify_client.value;
    if (!m || (strcasecmp(m, "on") != 0 && strcasecmp(m, "require") != 0 && strcasecmp(m, "required") != 0))
        return;
    td_str sum, ev;
    td_str_init(&sum);
    td_str_init(&ev);
    td_lint_label(v, &sum);
    td_str_add(&sum, " requires a client certificate: clients without one fail the handshake.");
    td_lint_where(&v->verify_client, c->o, &ev);
    td_lint_add(c, v, TD_ID_CLIENT_CERT_REQUIRED, v->verify_client.loc, &sum, &ev,
                "If only some clients have certificates, ask for one without requiring it (nginx "
                "`ssl_verify_client optional`, Apache httpd `SSLVerifyClient optional`, HAProxy `verify optional`) "
                "and decide per request; otherwise give every client its certificate.");
}

static void upstream_rules(ctx *c, const td_cvhost *v, const td_cupstream *u)
{
    td_str sum, ev, fix;
    if (!u->sni_on) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_str_printf(&sum, "The connection to %s sends no SNI: an upstream that needs it fails the handshake "
                            "(502).",
                      u->target);
        td_str_printf(&ev, "%s at %s:%u; ", u->target, u->loc.file, u->loc.line);
        td_lint_where(&u->sni, c->o, &ev);
        bool haproxy = c->o->server == TD_CSERVER_HAPROXY;
        if (haproxy)
            td_lint_fix_text(&fix, &u->sni, "req.hdr(host)");
        else
            td_str_printf(&fix, "Add `proxy_ssl_server_name on;` to the block at %s:%u.", u->block_file,
                          u->block_line);
        td_finding *f = td_lint_add(c, v, TD_ID_CONFIG_UPSTREAM_NO_SNI, u->loc, &sum, &ev, fix.s);
        if (f && haproxy)
            td_lint_set_directive(c, f, v, &u->sni, "req.hdr(host)");
        else if (f)
            td_finding_set_edit(c->out, f, u->block_file, u->block_body, u->block_body, "proxy_ssl_server_name on;");
        td_str_free(&fix);
    }
    if (!u->verify_on) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_init(&fix);
        td_str_printf(&sum, "The connection to %s does not verify the upstream's certificate: anyone on the path "
                            "can pose as it.",
                      u->target);
        td_str_printf(&ev, "%s at %s:%u; ", u->target, u->loc.file, u->loc.line);
        td_lint_where(&u->verify, c->o, &ev);
        if (c->o->server == TD_CSERVER_APACHE)
            td_str_printf(&fix, "Write `SSLProxyVerify require` and `SSLProxyCACertificateFile` naming the CA "
                                "that issued the upstream's certificate in the VirtualHost at %s:%u.",
                          u->block_file, u->block_line);
        else if (c->o->server == TD_CSERVER_HAPROXY)
            td_str_printf(&fix, "Write `verify required ca-file FILE` (the CA that issued the upstream's "
                                "certificate) on the server line at %s:%u.",
                          u->loc.file, u->loc.line);
        else
            td_str_printf(&fix, "Add `proxy_ssl_verify on;` and `proxy_ssl_trusted_certificate` naming the CA file "
                                "that issued the upstream's certificate to the block at %s:%u.",
                          u->block_file, u->block_line);
        td_lint_add(c, v, TD_ID_CONFIG_UPSTREAM_NO_VERIFY, u->loc, &sum, &ev, fix.s);
        td_str_free(&fix);
    }
}

static bool same_cert(const td_cert *a, const td_cert *b)
{
    return a->len == b->len && a->len && memcmp(a->der, b->der, a->len) == 0;
}

static void describe(const td_cert *c, td_str *s)
{
    td_cert_text t;
    td_cert_describe(c->der, c->len, &t);
    if (t.parsed)
        td_str_printf(s, "%s (SHA-256 %.16s..., valid until %s)", t.subject, t.sha256, t.not_after);
    else
        td_str_add(s, "a certificate that does not parse");
}

/* --live: what `check` saw on a listener against its default server. */
static void live_rules(ctx *c, const td_clistener *ls)
{
    const td_cvhost *v = &c->o->vh[ls->def];
    const td_cvhost *d = &c->o->vh[v->versions_from];
    td_str sum, ev;
    td_loc at = v->loc;
    for (size_t i = 0; i < v->n_listens; i++)
        if (strcmp(v->listens[i].addr, ls->addr) == 0)
            at = v->listens[i].loc;
    if (!ls->live_tls) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_printf(&sum, "No TLS handshake completes at %s, where the configuration has a TLS server.",
                      ls->live_target);
        td_str_printf(&ev, "listen %s (%s:%u); tlsdiag check %s%s%s: %s", ls->addr, at.file, at.line,
                      ls->live_sni[0] ? "--sni " : "", ls->live_sni, ls->live_sni[0] ? " " : "", ls->live_error);
        td_str fix;
        td_str_init(&fix);
        td_str_printf(&fix, "Start or reload %s (`%s`), or find what else answers on that address.", c->sname,
                      c->reload);
        td_lint_add(c, v, TD_ID_CONFIG_LIVE_MISMATCH, at, &sum, &ev, fix.s);
        td_str_free(&fix);
        return;
    }
    bool known = false, match = false;
    for (size_t i = 0; i < v->n_certs; i++)
        if (v->certs[i].n_chain) {
            known = true;
            match |= same_cert(&v->certs[i].chain[0], &ls->live_leaf);
        }
    if (known && !match) {
        const td_ccert *cc = &v->certs[0];
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_printf(&sum, "%s sends another certificate than the configuration names: %s was not reloaded, "
                            "another server answers, or a device in front does.",
                      ls->live_target, c->sname);
        td_str_add(&ev, "sent: ");
        describe(&ls->live_leaf, &ev);
        td_str_printf(&ev, "; %s (%s:%u): ", cc->cert.value, cc->cert.loc.file, cc->cert.loc.line);
        describe(&cc->chain[0], &ev);
        td_lint_add(c, v, TD_ID_CONFIG_LIVE_MISMATCH, cc->cert.loc, &sum, &ev, c->live_fix);
    }
    if (ls->live_versions != d->versions) {
        td_str_init(&sum);
        td_str_init(&ev);
        td_str_printf(&sum, "%s accepts other protocol versions than the configuration gives it.", ls->live_target);
        td_str_add(&ev, "accepted: ");
        td_lint_versions_text(ls->live_versions, &ev);
        td_str_add(&ev, "; ");
        td_lint_where(&d->protocols, c->o, &ev);
        td_str_add(&ev, ", negotiable with the linked OpenSSL: ");
        td_lint_versions_text(d->versions, &ev);
        td_lint_add(c, v, TD_ID_CONFIG_LIVE_MISMATCH, d->protocols.loc, &sum, &ev, c->live_fix);
    }
}

void td_lint_versions_value(const td_cobs *o, unsigned mask, td_str *s)
{
    unsigned lo = 0, hi = 0;
    for (unsigned bit = TD_CV_SSL3; bit <= TD_CV_TLS13; bit <<= 1)
        if (mask & bit) {
            lo = lo ? lo : bit;
            hi = bit;
        }
    if (o->server == TD_CSERVER_APACHE) {
        td_str_add(s, "-all");
        for (unsigned bit = TD_CV_SSL3; bit <= TD_CV_TLS13; bit <<= 1)
            if (mask & bit)
                td_str_printf(s, " +%s", td_cv_name(bit));
        return;
    }
    if (o->server == TD_CSERVER_HAPROXY) {
        /* min and max: HAProxy's way of saying a range (ssl-min-ver) */
        td_str_printf(s, "ssl-min-ver %s", lo ? td_cv_name(lo) : "TLSv1.2");
        if (hi && hi != TD_CV_TLS13)
            td_str_printf(s, " ssl-max-ver %s", td_cv_name(hi));
        return;
    }
    td_lint_versions_text(mask, s);
}

void td_lint_rules(const td_cobs *o, const td_moz_profile *profile, td_findings *out)
{
    ctx c = { .o = o, .out = out };
    if (o->server == TD_CSERVER_APACHE) {
        c.sname = "Apache httpd";
        td_errbuf(c.reload, sizeof c.reload, "apache2ctl configtest && apache2ctl graceful");
    } else if (o->server == TD_CSERVER_HAPROXY) {
        c.sname = "HAProxy";
        td_errbuf(c.reload, sizeof c.reload, "haproxy -c -f %s && systemctl reload haproxy", o->main_file);
    } else {
        c.sname = "nginx";
        td_errbuf(c.reload, sizeof c.reload, "nginx -t && nginx -s reload");
    }
    td_errbuf(c.live_fix, sizeof c.live_fix,
              "Reload %s (`%s`); if it still differs, find what answers on that address (another server, a load "
              "balancer, a CDN).",
              c.sname, c.reload);
    for (size_t i = 0; i < o->n_vh; i++) {
        const td_cvhost *v = &o->vh[i];
        for (size_t k = 0; k < v->n_ups; k++)
            upstream_rules(&c, v, &v->ups[k]);
        if (!v->tls)
            continue;
        if (v->versions_from == (int)i)
            protocol_rules(&c, v);
        else
            shadowed_protocols(&c, v);
        overridden(&c, v);
        cipher_rules(&c, v);
        client_cert_rule(&c, v);
        for (size_t k = 0; k < v->n_certs; k++)
            cert_rules(&c, v, &v->certs[k]);
        if (profile)
            td_lint_profile(&c, v, profile);
    }
    for (size_t i = 0; i < o->n_ls; i++) {
        duplicate_names(&c, &o->ls[i]);
        if (o->ls[i].live_run)
            live_rules(&c, &o->ls[i]);
    }
    td_findings_sort(out);
}
