/* Apache httpd's configuration syntax into the directive tree: one
 * directive a line (a trailing backslash continues it), words split on
 * blanks with "..." quoting, '#' comment lines, <Section args> ...
 * </Section> blocks; Include and IncludeOptional (globs, relative to
 * ServerRoot); Define and ${NAME}; <IfModule> and <IfDefine> kept when
 * their condition holds (every module is taken as loaded, a negated one as
 * not).  Directive names are lower-cased: httpd reads them so.  Nothing
 * here judges a setting. */
#include "conf/conf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "wire/bytes.h"

#define MAX_DEFINES 256

typedef struct ap {
    td_ctree *t;
    char *root;                    /* ServerRoot */
    char *names[MAX_DEFINES], *values[MAX_DEFINES];
    size_t n_defs;
    const td_cfile *stack[TD_CONF_MAX_DEPTH];
    size_t depth;
} ap;

static const char *defined(const ap *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->n_defs; i++)
        if (strlen(a->names[i]) == len && strncmp(a->names[i], name, len) == 0)
            return a->values[i];
    return NULL;
}

/* A word with ${NAME} replaced by what Define gave it (left as written
 * when undefined, as httpd does after its warning). */
static void expand(const ap *a, const char *w, td_str *out)
{
    while (*w) {
        const char *close = strncmp(w, "${", 2) == 0 ? strchr(w + 2, '}') : NULL;
        const char *v = close ? defined(a, w + 2, (size_t)(close - w - 2)) : NULL;
        if (v) {
            td_str_add(out, v);
            w = close + 1;
            continue;
        }
        char s[2] = { *w++, 0 };
        td_str_add(out, s);
    }
}

/* The words of a logical line (continuations joined) into n. */
static void words(ap *a, const char *line, td_cnode *n)
{
    const char *p = line;
    for (;;) {
        p += strspn(p, " \t\r");
        if (!*p)
            return;
        td_str raw, w;
        td_str_init(&raw);
        td_str_init(&w);
        td_str_add(&raw, "");
        td_str_add(&w, "");
        char q = 0;
        while (*p && (q || !strchr(" \t\r", *p))) {
            if (!q && *p == '"') {
                q = *p++;
                continue;
            }
            if (q && *p == q) {
                q = 0;
                p++;
                continue;
            }
            if (*p == '\\' && p[1] == '"')
                p++;
            char s[2] = { *p++, 0 };
            td_str_add(&raw, s);
        }
        expand(a, raw.s, &w);
        bool ok = n->name ? td_cnode_arg(a->t, n, w.s, w.len) : (n->name = td_strdup(w.s)) != NULL;
        td_str_free(&raw);
        td_str_free(&w);
        if (!ok)
            return;
    }
}

static void lower(char *s)
{
    for (; s && *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Whether a conditional section's contents count. */
static bool holds(const ap *a, const td_cnode *n)
{
    const char *arg = n->nargs ? n->args[0] : "";
    bool neg = arg[0] == '!';
    bool yes = true;
    if (strcmp(n->name, "ifdefine") == 0)
        yes = defined(a, arg + neg, strlen(arg + neg)) != NULL;
    return neg ? !yes : yes;
}

static void parse_file(ap *a, const td_cfile *f, td_cnode *parent);

static void include(ap *a, td_cnode *parent, const td_cnode *d)
{
    bool optional = strcmp(d->name, "includeoptional") == 0;
    if (d->nargs != 1) {
        td_cnote_add(a->t->notes, d->loc, "%s takes one file name; skipped", d->name);
        return;
    }
    char *pattern = td_conf_path_join(a->root, d->args[0]);
    char **names = NULL;
    int n = pattern ? td_conf_glob(a->t->files, false, pattern, &names) : -1;
    if (n <= 0)
        td_cnote_add(a->t->notes, d->loc, "%s %s matches no file%s", optional ? "IncludeOptional" : "Include",
                     d->args[0], optional || strpbrk(d->args[0], "*?[") ? "" : " (httpd refuses to start)");
    for (int i = 0; i < n && !a->t->err[0]; i++) {
        char why[512];
        const td_cfile *f = td_cfile_read(a->t->files, names[i], why, sizeof why);
        if (f)
            parse_file(a, f, parent);
        else if (!strstr(why, "not a regular file"))
            td_cnote_add(a->t->notes, d->loc, "Include: %s", why);
    }
    td_conf_glob_free(names, n);
    free(pattern);
}

/* One directive line: a section opens or closes, an Include is followed,
 * a Define recorded. */
static td_cnode *line(ap *a, const td_cfile *f, td_cnode **stack, size_t *depth, td_cnode *tmp, td_loc loc,
                      size_t start, size_t end)
{
    td_cnode *parent = stack[*depth];
    char *name = tmp->name;
    if (name[0] == '<' && name[1] == '/') {
        if (*depth == 0)
            td_cnote_add(a->t->notes, loc, "%s closes no section; skipped", name);
        else
            (*depth)--;
        return NULL;
    }
    bool opens = name[0] == '<';
    if (opens) {
        memmove(name, name + 1, strlen(name));
        name[strcspn(name, ">")] = '\0';
        if (tmp->nargs) {
            char *last = tmp->args[tmp->nargs - 1];
            size_t l = strlen(last);
            if (l && last[l - 1] == '>')
                last[l - 1] = '\0';
        }
    }
    lower(name);
    td_cnode *n = td_cnode_add(a->t, parent, name, strlen(name), loc);
    if (!n)
        return NULL;
    n->args = tmp->args;
    n->nargs = tmp->nargs;
    n->acap = tmp->acap;
    tmp->args = NULL;
    tmp->nargs = tmp->acap = 0;
    n->start = start;
    n->end = end;
    if (opens) {
        n->block = true;
        n->body = end;
        if (*depth + 1 < TD_CONF_MAX_DEPTH)
            stack[++(*depth)] = n;
    } else if (!strcmp(name, "define") && n->nargs && a->n_defs < MAX_DEFINES) {
        a->names[a->n_defs] = td_strdup(n->args[0]);
        a->values[a->n_defs++] = td_strdup(n->nargs > 1 ? n->args[1] : "");
    } else if (!strcmp(name, "serverroot") && n->nargs) {
        free(a->root);
        a->root = td_strdup(n->args[0]);
    } else if (!strcmp(name, "include") || !strcmp(name, "includeoptional")) {
        include(a, parent, n);
    }
    (void)f;
    return n;
}

static void parse_file(ap *a, const td_cfile *f, td_cnode *parent)
{
    for (size_t i = 0; i < a->depth; i++)
        if (a->stack[i] == f) {
            td_errbuf(a->t->err, sizeof a->t->err, "include loop: %s includes %s again", a->stack[a->depth - 1]->path,
                      f->path);
            return;
        }
    if (a->depth >= TD_CONF_MAX_DEPTH)
        return;
    a->stack[a->depth++] = f;
    td_cnode *stack[TD_CONF_MAX_DEPTH] = { parent };
    size_t depth = 0;
    td_rd whole, r, seg;
    td_rd_init(&whole, (const uint8_t *)f->text, f->len);
    r = whole;
    td_str logical;
    unsigned lineno = 0;
    while (!td_rd_empty(&r) && !a->t->err[0]) {
        td_str_init(&logical);
        td_str_add(&logical, "");
        unsigned first = lineno + 1;
        size_t start = td_rd_pos(&whole, &r), end = start;
        for (;;) {
            size_t n = 0;
            uint8_t c;
            while (td_rd_peek(&r, n, &c) && c != '\n')
                n++;
            td_rd_sub(&r, n, &seg);
            td_rd_skip(&r, 1);
            lineno++;
            const char *s = (const char *)td_rd_ptr(&seg);
            size_t len = n;
            while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
            end = td_rd_pos(&whole, &seg) + len;
            bool more = len && s[len - 1] == '\\' && !td_rd_empty(&r);
            td_str_printf(&logical, "%.*s", (int)(more ? len - 1 : len), s);
            if (!more)
                break;
        }
        const char *text = logical.s + strspn(logical.s, " \t\r");
        start += (size_t)(text - logical.s) <= end - start ? (size_t)(text - logical.s) : 0;
        if (*text && *text != '#') {
            td_cnode tmp = { 0 };
            words(a, text, &tmp);
            td_loc loc = { f->path, first };
            if (tmp.name) {
                size_t before = depth;
                td_cnode *n = line(a, f, stack, &depth, &tmp, loc, start, end);
                /* a conditional section that does not hold: its contents are dropped */
                if (n && depth > before && (!strcmp(n->name, "ifmodule") || !strcmp(n->name, "ifdefine")) &&
                    !holds(a, n)) {
                    td_cnote_add(a->t->notes, loc, "<%s %s> does not hold: its contents are not read", n->name,
                                 n->nargs ? n->args[0] : "");
                    char *off = td_strdup(TD_CONF_OFF);
                    if (off) {
                        free(n->name);
                        n->name = off;
                    }
                }
            }
            td_cnode_free(&tmp);
        }
        td_str_free(&logical);
    }
    if (depth > 0)
        td_cnote_add(a->t->notes, (td_loc){ f->path, lineno }, "the file ends inside <%s>", stack[depth]->name);
    a->depth--;
}

int td_conf_parse_apache(td_ctree *t, const char *path, char *main_path, size_t cap)
{
    const td_cfile *f = td_conf_read_main(t, path, main_path, cap);
    if (!f)
        return -1;
    ap a = { .t = t, .root = td_conf_dirname(path) };
    parse_file(&a, f, &t->root);
    free(a.root);
    for (size_t i = 0; i < a.n_defs; i++) {
        free(a.names[i]);
        free(a.values[i]);
    }
    return t->err[0] ? -1 : 0;
}
