/* nginx's configuration syntax into the directive tree: words and quoted
 * strings, ';'-ended directives, '{ }' blocks, '#' comments, and `include`
 * with globs relative to the main file's directory (nginx's conf prefix),
 * from disk or from `nginx -T` output (its "# configuration file X:" lines
 * name the files).  Nothing here judges a setting. */
#include "conf/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "wire/bytes.h"

typedef enum { TK_WORD, TK_SEMI, TK_OPEN, TK_CLOSE, TK_END } tk_kind;

typedef struct lex {
    td_rd whole, r;
    const td_cfile *f;
    unsigned line;
    td_str word;
    size_t start;       /* offset of the last token */
    unsigned start_line;
} lex;

typedef struct ngx {
    td_ctree *t;
    bool memory;            /* files come from `nginx -T` output */
    char *prefix;           /* the directory relative includes start from */
    const td_cfile *stack[TD_CONF_MAX_DEPTH];
    size_t depth;
} ngx;

static bool peek(const lex *l, size_t i, uint8_t *c)
{
    return td_rd_peek(&l->r, i, c);
}

static void take(lex *l, uint8_t *c)
{
    td_rd_u8(&l->r, c);
    if (*c == '\n')
        l->line++;
}

static void skip_space(lex *l)
{
    uint8_t c;
    while (peek(l, 0, &c)) {
        if (c == '#') {
            while (peek(l, 0, &c) && c != '\n')
                take(l, &c);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            take(l, &c);
        } else {
            return;
        }
    }
}

/* A quoted string: nginx unescapes \" \' \\ \t \r \n and keeps any other
 * backslash. */
static bool quoted(lex *l, uint8_t q)
{
    uint8_t c, d;
    take(l, &c);
    while (peek(l, 0, &c)) {
        take(l, &c);
        if (c == q)
            return true;
        if (c == '\\' && peek(l, 0, &d)) {
            take(l, &d);
            const char *from = "\"'\\tnr", *to = "\"'\\\t\n\r";
            const char *p = strchr(from, d);
            if (p && d) {
                char s[2] = { to[p - from], 0 };
                td_str_add(&l->word, s);
                continue;
            }
            td_str_add(&l->word, "\\");
        }
        char s[2] = { (char)c, 0 };
        td_str_add(&l->word, s);
    }
    return false;
}

static tk_kind next(lex *l, bool *bad)
{
    uint8_t c;
    skip_space(l);
    /* A NUL byte ends no word and starts none: skipped, or the word loop
     * below would return an empty word forever without moving on. */
    while (peek(l, 0, &c) && c == 0) {
        take(l, &c);
        *bad = true;
        skip_space(l);
    }
    l->start = td_rd_pos(&l->whole, &l->r);
    l->start_line = l->line;
    td_str_free(&l->word);
    td_str_init(&l->word);
    td_str_add(&l->word, "");
    if (!peek(l, 0, &c))
        return TK_END;
    if (c == ';' || c == '{' || c == '}') {
        take(l, &c);
        return c == ';' ? TK_SEMI : c == '{' ? TK_OPEN : TK_CLOSE;
    }
    if (c == '"' || c == '\'') {
        if (!quoted(l, c))
            *bad = true;
        return TK_WORD;
    }
    while (peek(l, 0, &c) && !strchr(" \t\r\n;{}", c) && c) {
        take(l, &c);
        uint8_t d;
        if (c == '$' && peek(l, 0, &d) && d == '{') {
            /* ${name}: a variable, braces and all */
            td_str_add(&l->word, "$");
            while (peek(l, 0, &d) && d != '}' && d != '\n') {
                take(l, &d);
                char s[2] = { (char)d, 0 };
                td_str_add(&l->word, s);
            }
            if (peek(l, 0, &d) && d == '}') {
                take(l, &d);
                td_str_add(&l->word, "}");
            }
            continue;
        }
        if (c == '\\' && peek(l, 0, &d) && d != '\n') {
            take(l, &d);
            c = d;
        }
        char s[2] = { (char)c, 0 };
        td_str_add(&l->word, s);
    }
    return TK_WORD;
}

static void parse_into(ngx *g, const td_cfile *f, td_cnode *parent);

static void include(ngx *g, lex *l, td_cnode *parent, const td_cnode *dir)
{
    td_loc loc = dir->loc;
    if (dir->nargs != 1) {
        td_cnote_add(g->t->notes, loc, "include takes one file name; skipped");
        return;
    }
    char *pattern = td_conf_path_join(g->prefix, dir->args[0]);
    char **names = NULL;
    int n = pattern ? td_conf_glob(g->t->files, g->memory, pattern, &names) : -1;
    if (n < 0) {
        td_cnote_add(g->t->notes, loc, "include %s: cannot expand the name; skipped", dir->args[0]);
    } else if (n == 0) {
        bool glob = strpbrk(dir->args[0], "*?[") != NULL;
        td_cnote_add(g->t->notes, loc, glob ? "include %s matches no file" : "include %s: no such file%s",
                     dir->args[0], glob || !g->memory ? "" : " in the nginx -T output");
    }
    for (int i = 0; i < n && !g->t->err[0]; i++) {
        char why[512];
        const td_cfile *f = g->memory ? td_cfile_find(g->t->files, names[i])
                                      : td_cfile_read(g->t->files, names[i], why, sizeof why);
        if (!f) {
            td_cnote_add(g->t->notes, loc, "include: %s", g->memory ? names[i] : why);
            continue;
        }
        td_cnode tmp = { 0 };
        parse_into(g, f, &tmp);
        td_cnode_splice(g->t, parent, &tmp);
        td_cnode_free(&tmp);
    }
    td_conf_glob_free(names, n);
    free(pattern);
    (void)l;
}

static void unclosed(ngx *g, const lex *l)
{
    td_cnote_add(g->t->notes, (td_loc){ l->f->path, l->line }, "the file ends inside a block: a '}' is missing");
}

/* Directives until the matching '}' (or the end of the file at depth 0). */
static void parse_block(ngx *g, lex *l, td_cnode *parent, size_t depth)
{
    bool bad = false;
    while (!g->t->err[0]) {
        tk_kind k = next(l, &bad);
        if (k == TK_END) {
            if (depth > 0)
                unclosed(g, l);
            return;
        }
        if (k == TK_CLOSE) {
            if (depth > 0)
                return;
            td_cnote_add(g->t->notes, (td_loc){ l->f->path, l->start_line }, "unexpected '}' skipped");
            continue;
        }
        if (k != TK_WORD) {
            td_cnote_add(g->t->notes, (td_loc){ l->f->path, l->start_line }, "unexpected '%c' skipped",
                         k == TK_SEMI ? ';' : '{');
            if (k == TK_OPEN) {
                td_cnode skip = { 0 };
                parse_block(g, l, &skip, depth + 1);
                td_cnode_free(&skip);
            }
            continue;
        }
        td_loc loc = { l->f->path, l->start_line };
        td_cnode *n = td_cnode_add(g->t, parent, l->word.s, l->word.len, loc);
        if (!n)
            return;
        n->start = l->start;
        for (;;) {
            k = next(l, &bad);
            if (k == TK_WORD) {
                if (!td_cnode_arg(g->t, n, l->word.s, l->word.len))
                    return;
                continue;
            }
            break;
        }
        if (bad) {
            td_cnote_add(g->t->notes, loc, "an unterminated quoted string in %s", n->name);
            bad = false;
        }
        if (k == TK_OPEN) {
            n->block = true;
            n->body = td_rd_pos(&l->whole, &l->r);
            if (depth + 1 >= TD_CONF_MAX_DEPTH) {
                td_errbuf(g->t->err, sizeof g->t->err, "%s:%u: blocks nested over %d deep", loc.file,
                          loc.line, TD_CONF_MAX_DEPTH);
                return;
            }
            parse_block(g, l, n, depth + 1);
            n->end = td_rd_pos(&l->whole, &l->r);
            continue;
        }
        n->end = td_rd_pos(&l->whole, &l->r);
        if (k != TK_SEMI) {
            td_cnote_add(g->t->notes, loc, "%s is not ended by ';'; skipped", n->name);
            parent->nkids--;
            td_cnode_free(n);
            free(n);
            if (k == TK_END && depth > 0)
                unclosed(g, l);
            if (k == TK_END || k == TK_CLOSE)
                return;
            continue;
        }
        if (strcmp(n->name, "include") == 0) {
            parent->nkids--;
            include(g, l, parent, n);
            td_cnode_free(n);
            free(n);
        }
    }
}

static void parse_into(ngx *g, const td_cfile *f, td_cnode *parent)
{
    for (size_t i = 0; i < g->depth; i++) {
        if (g->stack[i] != f)
            continue;
        td_str s;
        td_str_init(&s);
        td_str_printf(&s, "include loop: ");
        for (size_t j = i; j < g->depth; j++)
            td_str_printf(&s, "%s -> ", g->stack[j]->path);
        td_str_printf(&s, "%s", f->path);
        td_errbuf(g->t->err, sizeof g->t->err, "%s", s.s ? s.s : "include loop");
        td_str_free(&s);
        return;
    }
    if (g->depth >= TD_CONF_MAX_DEPTH) {
        td_errbuf(g->t->err, sizeof g->t->err, "includes nested over %d deep at %s", TD_CONF_MAX_DEPTH, f->path);
        return;
    }
    g->stack[g->depth++] = f;
    lex l = { .f = f, .line = 1 };
    td_rd_init(&l.whole, (const uint8_t *)f->text, f->len);
    l.r = l.whole;
    td_str_init(&l.word);
    parse_block(g, &l, parent, 0);
    td_str_free(&l.word);
    g->depth--;
}

/* `nginx -T` prints each file after a "# configuration file PATH:" line,
 * followed by an empty line of its own. */
static const char MARK[] = "# configuration file ";

static int split_dump(td_ctree *t, const char *text, size_t len, char *main_path, size_t cap)
{
    td_rd all, line;
    td_rd_init(&all, (const uint8_t *)text, len);
    const char *name = NULL, *body = NULL;
    size_t name_len = 0, nfiles = 0;
    for (;;) {
        /* the next line, as a sub-reader */
        size_t n = 0;
        uint8_t c;
        while (td_rd_peek(&all, n, &c) && c != '\n')
            n++;
        bool at_end = td_rd_empty(&all);
        const char *here = (const char *)td_rd_ptr(&all);
        bool mark = !at_end && n > sizeof MARK && strncmp(here, MARK, sizeof MARK - 1) == 0 &&
                    here[n - 1] == ':';
        if ((mark || at_end) && name) {
            size_t blen = (size_t)(here - body);
            if (blen >= 2 && body[blen - 1] == '\n' && body[blen - 2] == '\n')
                blen--;
            char *path = strndup(name, name_len);
            if (!path || !td_cfile_add(t->files, path, body, blen)) {
                free(path);
                return -1;
            }
            if (nfiles++ == 0)
                td_errbuf(main_path, cap, "%s", path);
            free(path);
            name = NULL;
        }
        if (at_end)
            break;
        if (mark) {
            name = here + sizeof MARK - 1;
            name_len = n - (sizeof MARK - 1) - 1;
        }
        td_rd_sub(&all, n, &line);
        td_rd_skip(&all, 1);
        if (mark)
            body = (const char *)td_rd_ptr(&all);
    }
    return (int)nfiles;
}

int td_conf_parse_nginx(td_ctree *t, const char *path, const char *dump, size_t dump_len, char *main_path,
                        size_t cap)
{
    ngx g = { .t = t, .memory = dump != NULL };
    const td_cfile *f;
    if (dump) {
        int n = split_dump(t, dump, dump_len, main_path, cap);
        if (n < 0) {
            td_errbuf(t->err, sizeof t->err, "out of memory");
            return -1;
        }
        if (n == 0) {
            td_errbuf(t->err, sizeof t->err,
                      "%s: no \"# configuration file\" line: not the output of nginx -T", path);
            return -1;
        }
        f = td_cfile_find(t->files, main_path);
    } else {
        if (!(f = td_conf_read_main(t, path, main_path, cap)))
            return -1;
    }
    g.prefix = td_conf_dirname(f->path);
    if (!g.prefix) {
        td_errbuf(t->err, sizeof t->err, "out of memory");
        return -1;
    }
    parse_into(&g, f, &t->root);
    free(g.prefix);
    return t->err[0] ? -1 : 0;
}
