/* HAProxy's configuration syntax into the directive tree: one directive a
 * line, words split on blanks, "..." (with backslash escapes) and '...'
 * quoting, '#' comments; a section keyword (global, defaults, frontend,
 * backend, listen, ...) opens a section that lasts until the next one.
 * Nothing here judges a setting. */
#include "conf/conf.h"

#include <string.h>

#include "util/str.h"
#include "wire/bytes.h"

static const char *const sections[] = { "global", "defaults", "frontend", "backend", "listen", "peers", "resolvers",
                                        "userlist", "cache", "program", "http-errors", "ring", "mailers", "crt-store" };

static bool is_section(const char *w)
{
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        if (strcmp(w, sections[i]) == 0)
            return true;
    return false;
}

/* The words of one line (r holds the line without its newline); end is
 * set to the offset just after the last word.  False for an unterminated
 * quote. */
static bool words(td_ctree *t, const td_rd *whole, td_rd *r, td_cnode *n, size_t *end)
{
    uint8_t c;
    td_str w;
    bool ok = true;
    for (;;) {
        while (td_rd_peek(r, 0, &c) && (c == ' ' || c == '\t' || c == '\r'))
            td_rd_u8(r, &c);
        if (!td_rd_peek(r, 0, &c) || c == '#')
            return ok;
        td_str_init(&w);
        td_str_add(&w, "");
        uint8_t quote = 0;
        while (td_rd_peek(r, 0, &c) && (quote || (c != ' ' && c != '\t' && c != '\r'))) {
            td_rd_u8(r, &c);
            uint8_t d;
            if (!quote && (c == '"' || c == '\'')) {
                quote = c;
                continue;
            }
            if (quote && c == quote) {
                quote = 0;
                continue;
            }
            if (c == '\\' && quote != '\'' && td_rd_peek(r, 0, &d)) {
                td_rd_u8(r, &d);
                c = d;
            }
            char s[2] = { (char)c, 0 };
            td_str_add(&w, s);
        }
        ok &= quote == 0;
        *end = td_rd_pos(whole, r);
        bool added = n->name ? td_cnode_arg(t, n, w.s, w.len) : ((n->name = td_strdup(w.s)) != NULL);
        td_str_free(&w);
        if (!added)
            return false;
    }
}

int td_conf_parse_haproxy(td_ctree *t, const char *path, char *main_path, size_t cap)
{
    const td_cfile *f = td_conf_read_main(t, path, main_path, cap);
    if (!f)
        return -1;
    td_rd whole, r, line;
    td_rd_init(&whole, (const uint8_t *)f->text, f->len);
    r = whole;
    td_cnode *section = NULL;
    for (unsigned lineno = 1; !td_rd_empty(&r) && !t->err[0]; lineno++) {
        size_t n = 0;
        uint8_t c;
        while (td_rd_peek(&r, n, &c) && c != '\n')
            n++;
        td_rd_sub(&r, n, &line);
        td_rd_skip(&r, 1);
        td_cnode tmp = { 0 };
        size_t start = td_rd_pos(&whole, &line), end = start;
        uint8_t b;
        while (td_rd_peek(&line, 0, &b) && (b == ' ' || b == '\t'))
            td_rd_u8(&line, &b), start++;
        bool ok = words(t, &whole, &line, &tmp, &end);
        if (!tmp.name) {
            td_cnode_free(&tmp);
            continue;
        }
        td_loc loc = { f->path, lineno };
        if (!ok)
            td_cnote_add(t->notes, loc, "an unterminated quote in %s", tmp.name);
        bool opens = is_section(tmp.name);
        if (!opens && !section)
            td_cnote_add(t->notes, loc, "%s outside any section skipped", tmp.name);
        td_cnode *parent = opens ? &t->root : section;
        td_cnode *node = parent ? td_cnode_add(t, parent, tmp.name, strlen(tmp.name), loc) : NULL;
        if (node) {
            node->args = tmp.args;
            node->nargs = tmp.nargs;
            node->acap = tmp.acap;
            tmp.args = NULL;
            tmp.nargs = tmp.acap = 0;
            node->start = start;
            node->end = end;
            if (opens) {
                node->block = true;
                node->body = end;
                section = node;
            }
        }
        td_cnode_free(&tmp);
    }
    return t->err[0] ? -1 : 0;
}
