#include "report/wrap.h"

#include <stdbool.h>
#include <string.h>

/* The next unit of s a terminal draws: an ANSI escape sequence (no
 * column) or one UTF-8 code point with its continuation bytes (one
 * column).  Returns its length in bytes, at most n. */
static size_t unit(const char *s, size_t n, size_t *cols)
{
    size_t i = 1;
    if (n >= 2 && s[0] == '\033' && s[1] == '[') {
        *cols = 0;
        for (i = 2; i < n; i++)
            if ((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e)
                return i + 1;
        return n;
    }
    *cols = 1;
    while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
        i++;
    return i;
}

size_t td_cols(const char *s, size_t n)
{
    size_t total = 0, c;
    for (size_t i = 0; i < n;) {
        i += unit(s + i, n - i, &c);
        total += c;
    }
    return total;
}

/* How many bytes of s (at most n) fit in cols columns, whole units only. */
static size_t fit_bytes(const char *s, size_t n, size_t cols)
{
    size_t i = 0, used = 0, c;
    while (i < n) {
        size_t len = unit(s + i, n - i, &c);
        if (used + c > cols)
            break;
        used += c;
        i += len;
    }
    return i;
}

static void add_bytes(td_str *b, const char *s, size_t n)
{
    td_str_printf(b, "%.*s", (int)n, s);
}

static void add_spaces(td_str *b, size_t n)
{
    td_str_printf(b, "%*s", (int)n, "");
}

static void new_line(td_str *b, size_t indent, size_t *c)
{
    /* A space before a break would only trail the line. */
    while (b->s && b->len > 0 && b->s[b->len - 1] == ' ')
        b->s[--b->len] = '\0';
    td_str_add(b, "\n");
    add_spaces(b, indent);
    *c = indent;
}

void td_cut_add(td_str *b, const char *s, size_t cols)
{
    size_t n = strlen(s);
    if (td_cols(s, n) <= cols)
        td_str_add(b, s);
    else if (cols < 4)
        add_bytes(b, s, fit_bytes(s, n, cols));
    else {
        add_bytes(b, s, fit_bytes(s, n, cols - 3));
        td_str_add(b, "...");
    }
}

/* A word wider than a line (a cipher list, a path): cut only after a
 * separator, so what a reader copies from the report is still the value.
 * A piece that does not fit goes to a new line; a piece wider than a whole
 * line is written whole, past the width, rather than cut inside a name. */
static void put_long_word(td_str *b, const char *w, size_t wl, size_t *c, size_t indent, size_t width)
{
    while (wl > 0) {
        size_t room = width > *c ? width - *c : 0;
        size_t take = fit_bytes(w, wl, room);
        if (take < wl) {
            size_t k = take;
            while (k > 0 && !strchr(":,;/", w[k - 1]))
                k--;
            take = k;
        }
        if (take == 0) {
            if (*c > indent) {
                new_line(b, indent, c);
                continue;
            }
            /* At the start of a line and still no separator in reach: up
             * to and including the next one, or the rest. */
            take = 0;
            while (take < wl && !strchr(":,;/", w[take]))
                take++;
            if (take < wl)
                take++;
        }
        add_bytes(b, w, take);
        *c += td_cols(w, take);
        w += take;
        wl -= take;
        if (wl > 0)
            new_line(b, indent, c);
    }
}

void td_wrap_add(td_str *b, const char *text, size_t col, size_t indent, size_t width)
{
    size_t c = col;
    bool placed = false; /* a word is on the current line */
    const char *p = text ? text : "";
    while (*p) {
        if (*p == '\n') {
            new_line(b, indent, &c);
            placed = false;
            p++;
            continue;
        }
        size_t sep = strspn(p, " ");
        p += sep;
        if (!*p || *p == '\n')
            continue;
        size_t wl = strcspn(p, " \n"), wc = td_cols(p, wl);
        if (!placed)
            sep = 0;
        if (c + sep + wc <= width) {
            add_spaces(b, sep);
            add_bytes(b, p, wl);
            c += sep + wc;
        } else if ((placed || c > indent) && indent + wc <= width) {
            new_line(b, indent, &c);
            add_bytes(b, p, wl);
            c += wc;
        } else {
            if (c + sep < width) {
                add_spaces(b, sep);
                c += sep;
            }
            put_long_word(b, p, wl, &c, indent, width);
        }
        placed = true;
        p += wl;
    }
    td_str_add(b, "\n");
}

/* The length of the shell word at p: up to a space outside quotes, or the
 * rest of the command from a comment on. */
static size_t shell_word(const char *p)
{
    if (*p == '#')
        return strlen(p);
    char quote = 0;
    size_t i = 0;
    for (; p[i]; i++) {
        if (quote) {
            if (p[i] == quote)
                quote = 0;
            else if (quote == '"' && p[i] == '\\' && p[i + 1])
                i++;
        } else if (p[i] == '\'' || p[i] == '"') {
            quote = p[i];
        } else if (p[i] == '\\' && p[i + 1]) {
            i++;
        } else if (p[i] == ' ') {
            break;
        }
    }
    return i;
}

/* Whether word w is the argument of the option word before it, so the
 * two are kept on one line when they fit ("-connect host:443"): it is not
 * an option, a redirection or an operator itself. */
static bool argument(const char *opt, const char *w)
{
    if (opt[0] != '-' || !opt[1] || strchr("-<>|&;", w[0]))
        return false;
    return !(w[0] >= '0' && w[0] <= '9' && w[1] == '>');
}

void td_wrap_command_add(td_str *b, const char *cmd, size_t col, size_t indent, size_t width)
{
    static const char cont[] = " \\"; /* what ends a broken line */
    size_t c = col;
    const char *p = cmd ? cmd : "";
    p += strspn(p, " ");
    bool alone = true; /* the word just written begins its line */
    while (*p) {
        size_t wl = shell_word(p);
        add_bytes(b, p, wl);
        c += td_cols(p, wl);
        const char *prev = p, *sep = p + wl;
        p = sep + strspn(sep, " ");
        if (!*p)
            break;
        /* The next word, with its argument when it is an option, goes on
         * this line when it fits there with room for a continuation after
         * it, unless it ends the command.  An argument too wide for any
         * line stays with the option that begins its line. */
        size_t sl = (size_t)(p - sep), ul = shell_word(p);
        const char *after = p + ul + strspn(p + ul, " ");
        bool arg = argument(prev, p);
        if (*after && !arg && argument(p, after)) {
            ul = (size_t)(after - p) + shell_word(after);
            after = p + ul + strspn(p + ul, " ");
        }
        bool fits = c + sl + td_cols(p, ul) + (*after ? sizeof cont - 1 : 0) <= width;
        if (!fits && !(arg && alone)) {
            td_str_add(b, cont);
            new_line(b, indent, &c);
            alone = true;
        } else {
            alone = false;
            add_bytes(b, sep, sl);
            c += sl;
        }
    }
    td_str_add(b, "\n");
}
