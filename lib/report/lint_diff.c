/* `tlsdiag lint --diff`: the exact edits of the findings as one unified
 * diff, file names relative to the main file's directory (GNU patch
 * refuses absolute names), applied with `cd DIR && patch -p0`.  An edit
 * replaces a directive's bytes, or adds a directive on a line of its own
 * at the top of a block, indented like the block's first line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "util/str.h"

#define CONTEXT 3

typedef struct region {
    size_t la, nold;     /* old lines [la, la + nold) (0-based) */
    td_str text;         /* the new lines, each ending in '\n' */
} region;

typedef struct lines {
    const char *text;
    size_t len;
    size_t *start;       /* offset of each line */
    size_t n;
} lines;

static bool split_lines(const td_cfile *f, lines *ls)
{
    ls->text = f->text;
    ls->len = f->len;
    ls->n = 0;
    ls->start = malloc((f->len + 2) * sizeof *ls->start);
    if (!ls->start)
        return false;
    ls->start[ls->n++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n' && i + 1 < f->len)
            ls->start[ls->n++] = i + 1;
    return true;
}

static size_t line_of(const lines *ls, size_t off)
{
    size_t lo = 0, hi = ls->n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ls->start[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Line i without its newline: [start, end). */
static size_t line_end(const lines *ls, size_t i)
{
    size_t e = i + 1 < ls->n ? ls->start[i + 1] : ls->len;
    if (e > ls->start[i] && ls->text[e - 1] == '\n')
        e--;
    return e;
}

static size_t indent_of(const lines *ls, size_t i)
{
    size_t s = ls->start[i], e = line_end(ls, i), k = s;
    while (k < e && (ls->text[k] == ' ' || ls->text[k] == '\t'))
        k++;
    return k - s;
}

static void make_region(const lines *ls, const td_edit *e, region *r)
{
    td_str_init(&r->text);
    r->la = line_of(ls, e->start);
    size_t lb = e->end > e->start ? line_of(ls, e->end - 1) : r->la;
    r->nold = lb - r->la + 1;
    size_t s = ls->start[r->la], end = line_end(ls, lb);
    if (e->end > e->start) {
        td_str_printf(&r->text, "%.*s%s%.*s\n", (int)(e->start - s), ls->text + s, e->text,
                      (int)(end - e->end), ls->text + e->end);
        return;
    }
    /* an insertion after a block's '{': a line of its own, indented like
     * the block's next line (or one level more than the '{' line) */
    size_t ind = indent_of(ls, r->la) + 4;
    if (r->la + 1 < ls->n && indent_of(ls, r->la + 1) > indent_of(ls, r->la))
        ind = indent_of(ls, r->la + 1);
    const char *rest = ls->text + e->start;
    size_t rl = end - e->start, blank = strspn(rest, " \t");
    if (blank >= rl) {
        /* nothing after the '{': the new lines go below it */
        r->la++;
        r->nold = 0;
    } else {
        td_str_printf(&r->text, "%.*s\n", (int)(e->start - s), ls->text + s);
    }
    for (const char *p = e->text; *p;) {
        size_t n = strcspn(p, "\n");
        td_str_printf(&r->text, "%*s%.*s\n", (int)ind, "", (int)n, p);
        p += n + (p[n] == '\n');
    }
    if (blank < rl)
        td_str_printf(&r->text, "%*s%.*s\n", (int)ind, "", (int)(rl - blank), rest + blank);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

static int cmp_edit(const void *a, const void *b)
{
    const td_edit *x = *(const td_edit *const *)a, *y = *(const td_edit *const *)b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Context lines [a, b). */
static void print_old(FILE *f, const lines *ls, size_t a, size_t b)
{
    for (size_t i = a; i < b && i < ls->n; i++)
        fprintf(f, "%c%.*s\n", ' ', (int)(line_end(ls, i) - ls->start[i]), ls->text + ls->start[i]);
}

static void print_lines(FILE *f, char mark, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        fprintf(f, "%c%.*s\n", mark, (int)n, p);
        p += n + 1;
    }
}

static void diff_file(FILE *f, const td_cfile *file, const char *name, const td_edit **ed, size_t n)
{
    lines ls;
    if (!split_lines(file, &ls))
        return;
    region *rs = calloc(n, sizeof *rs);
    size_t nr = 0;
    for (size_t i = 0; rs && i < n; i++) {
        /* insertions at one place go in together, a line each */
        td_str joined;
        td_str_init(&joined);
        td_str_add(&joined, ed[i]->text);
        while (ed[i]->start == ed[i]->end && i + 1 < n && ed[i + 1]->start == ed[i]->start &&
               ed[i + 1]->end == ed[i]->end)
            td_str_printf(&joined, "\n%s", ed[++i]->text);
        td_edit e = { ed[i]->file, ed[i]->start, ed[i]->end, joined.s };
        if (e.end > file->len || (nr && e.start < ed[i - 1]->end) ||
            (nr && line_of(&ls, e.start) < rs[nr - 1].la + rs[nr - 1].nold)) {
            td_str_free(&joined);
            continue; /* overlapping edits: the first one only */
        }
        make_region(&ls, &e, &rs[nr++]);
        td_str_free(&joined);
    }
    fprintf(f, "--- %s\n+++ %s\n", name, name);
    long shift = 0;
    for (size_t i = 0; i < nr;) {
        size_t j = i;
        while (j + 1 < nr && rs[j + 1].la <= rs[j].la + rs[j].nold + 2 * CONTEXT)
            j++;
        size_t a = rs[i].la > CONTEXT ? rs[i].la - CONTEXT : 0;
        size_t end = rs[j].la + rs[j].nold + CONTEXT; /* one past the last old line shown */
        if (end > ls.n)
            end = ls.n;
        size_t old_n = end - a, new_n = old_n;
        for (size_t k = i; k <= j; k++)
            new_n = new_n - rs[k].nold + count_lines(rs[k].text.s);
        fprintf(f, "@@ -%zu,%zu +%ld,%zu @@\n", a + 1, old_n, (long)(a + 1) + shift, new_n);
        size_t at = a;
        for (size_t k = i; k <= j; k++) {
            print_old(f, &ls, at, rs[k].la);
            for (size_t m = rs[k].la; m < rs[k].la + rs[k].nold; m++)
                fprintf(f, "-%.*s\n", (int)(line_end(&ls, m) - ls.start[m]), ls.text + ls.start[m]);
            print_lines(f, '+', rs[k].text.s ? rs[k].text.s : "", rs[k].text.len);
            at = rs[k].la + rs[k].nold;
        }
        print_old(f, &ls, at, end);
        shift += (long)new_n - (long)old_n;
        i = j + 1;
    }
    for (size_t i = 0; i < nr; i++)
        td_str_free(&rs[i].text);
    free(rs);
    free(ls.start);
}

int td_lint_write_diff(const td_lint *l, FILE *f)
{
    const td_cobs *o = &l->obs;
    size_t n = 0;
    const td_edit **ed = calloc(l->findings.n ? l->findings.n : 1, sizeof *ed);
    if (!ed)
        return -1;
    char *dir = td_strdup(o->main_file);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        slash[1] = '\0';
    size_t dl = slash ? strlen(dir) : 0;
    fprintf(f, "# tlsdiag lint --diff: apply with  cd %s && patch -p0 < THIS-FILE\n", slash ? dir : ".");
    for (size_t fi = 0; fi < o->files.n; fi++) {
        const td_cfile *file = o->files.v[fi];
        n = 0;
        for (size_t i = 0; i < l->findings.n; i++) {
            const td_edit *e = &l->findings.v[i].edit;
            if (!e->text || !e->file || strcmp(e->file, file->path) != 0)
                continue;
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= ed[k]->start == e->start && ed[k]->end == e->end && strcmp(ed[k]->text, e->text) == 0;
            if (!dup)
                ed[n++] = e;
        }
        if (!n)
            continue;
        qsort(ed, n, sizeof *ed, cmp_edit);
        const char *name = dl && strncmp(file->path, dir, dl) == 0 ? file->path + dl : file->path;
        diff_file(f, file, name, ed, n);
    }
    free(dir);
    free(ed);
    return ferror(f) ? -1 : 0;
}
