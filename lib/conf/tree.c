/* The directive tree and the files behind it (lib/conf/tree.h). */
#include "conf/tree.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/str.h"

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? *cap * 2 : 8;
    void *nv = realloc(v, c * size);
    if (nv)
        *cap = c;
    return nv;
}

td_cnode *td_cnode_add(td_ctree *t, td_cnode *parent, const char *name, size_t name_len, td_loc loc)
{
    td_cnode **kids = grow(parent->kids, &parent->cap, parent->nkids, sizeof *kids);
    td_cnode *n = calloc(1, sizeof *n);
    char *nm = n ? strndup(name, name_len) : NULL;
    if (!kids || !n || !nm) {
        if (kids)
            parent->kids = kids;
        free(n);
        free(nm);
        td_errbuf(t->err, sizeof t->err, "out of memory");
        return NULL;
    }
    parent->kids = kids;
    n->name = nm;
    n->loc = loc;
    parent->kids[parent->nkids++] = n;
    return n;
}

bool td_cnode_arg(td_ctree *t, td_cnode *n, const char *arg, size_t len)
{
    /* Room doubles: a line of many words costs linear time, not quadratic. */
    char **args = grow(n->args, &n->acap, n->nargs, sizeof *args);
    char *a = strndup(arg, len);
    if (!args || !a) {
        if (args)
            n->args = args;
        free(a);
        td_errbuf(t->err, sizeof t->err, "out of memory");
        return false;
    }
    n->args = args;
    n->args[n->nargs++] = a;
    return true;
}

bool td_cnode_splice(td_ctree *t, td_cnode *dst, td_cnode *src)
{
    for (size_t i = 0; i < src->nkids; i++) {
        td_cnode **kids = grow(dst->kids, &dst->cap, dst->nkids, sizeof *kids);
        if (!kids) {
            td_errbuf(t->err, sizeof t->err, "out of memory");
            return false;
        }
        dst->kids = kids;
        dst->kids[dst->nkids++] = src->kids[i];
        src->kids[i] = NULL;
    }
    src->nkids = 0;
    return true;
}

void td_cnode_free(td_cnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++) {
        td_cnode_free(n->kids[i]);
        free(n->kids[i]);
    }
    free(n->kids);
    for (size_t i = 0; i < n->nargs; i++)
        free(n->args[i]);
    free(n->args);
    free(n->name);
    *n = (td_cnode){ 0 };
}

void td_ctree_free(td_ctree *t)
{
    td_cnode_free(&t->root);
}

const td_cnode *td_cnode_find(const td_cnode *n, const char *name)
{
    for (size_t i = 0; i < n->nkids; i++)
        if (strcmp(n->kids[i]->name, name) == 0)
            return n->kids[i];
    return NULL;
}

const td_cnode *td_cnode_find_last(const td_cnode *n, const char *name)
{
    for (size_t i = n->nkids; i-- > 0;)
        if (strcmp(n->kids[i]->name, name) == 0)
            return n->kids[i];
    return NULL;
}

char *td_cnode_join(const td_cnode *n, size_t from)
{
    td_str s;
    td_str_init(&s);
    td_str_add(&s, "");
    for (size_t i = from; i < n->nargs; i++)
        td_str_printf(&s, "%s%s", i > from ? " " : "", n->args[i]);
    if (s.err) {
        td_str_free(&s);
        return NULL;
    }
    return td_str_take(&s);
}

const td_cfile *td_cfile_find(const td_cfiles *fs, const char *path)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->v[i]->path, path) == 0)
            return fs->v[i];
    return NULL;
}

const td_cfile *td_cfile_add(td_cfiles *fs, const char *path, const char *text, size_t len)
{
    if (fs->n >= TD_CONF_MAX_FILES)
        return NULL;
    td_cfile **v = grow(fs->v, &fs->cap, fs->n, sizeof *v);
    if (!v)
        return NULL;
    fs->v = v;
    td_cfile *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->path = td_strdup(path);
    f->text = malloc(len + 1);
    if (!f->path || !f->text) {
        free(f->path);
        free(f->text);
        free(f);
        return NULL;
    }
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->len = len;
    fs->v[fs->n++] = f;
    return f;
}

const td_cfile *td_cfile_read(td_cfiles *fs, const char *path, char *why, size_t whylen)
{
    const td_cfile *known = td_cfile_find(fs, path);
    if (known)
        return known;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        td_errbuf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        td_errbuf(why, whylen, "%s is not a regular file", path);
        fclose(fp);
        return NULL;
    }
    if ((unsigned long long)st.st_size > TD_CONF_MAX_FILE) {
        td_errbuf(why, whylen, "%s is over %u MiB", path, TD_CONF_MAX_FILE >> 20);
        fclose(fp);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *buf = malloc(cap);
    if (buf)
        len = fread(buf, 1, cap - 1, fp);
    bool bad = !buf || ferror(fp);
    fclose(fp);
    const td_cfile *f = bad ? NULL : td_cfile_add(fs, path, buf, len);
    free(buf);
    if (!f)
        td_errbuf(why, whylen, "cannot read %s: %s", path, bad && buf ? "read error" : "out of memory");
    return f;
}

const td_cfile *td_conf_read_main(td_ctree *t, const char *path, char *main_path, size_t cap)
{
    char why[512];
    const td_cfile *f = td_cfile_read(t->files, path, why, sizeof why);
    if (!f) {
        td_errbuf(t->err, sizeof t->err, "%s", why);
        return NULL;
    }
    td_errbuf(main_path, cap, "%s", path);
    return f;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int td_conf_glob(const td_cfiles *fs, bool from_memory, const char *pattern, char ***out)
{
    *out = NULL;
    if (!from_memory) {
        glob_t g;
        int rc = glob(pattern, 0, NULL, &g);
        if (rc == GLOB_NOMATCH) {
            globfree(&g);
            return 0;
        }
        if (rc != 0) {
            globfree(&g);
            return -1;
        }
        char **v = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof *v);
        size_t n = 0;
        for (size_t i = 0; v && i < g.gl_pathc; i++) {
            if (!(v[n] = td_strdup(g.gl_pathv[i]))) {
                td_conf_glob_free(v, (int)n);
                v = NULL;
                break;
            }
            n++;
        }
        globfree(&g);
        if (!v)
            return -1;
        *out = v;
        return (int)n;
    }
    char **v = calloc(fs->n ? fs->n : 1, sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++) {
        if (fnmatch(pattern, fs->v[i]->path, FNM_PATHNAME) != 0)
            continue;
        if (!(v[n] = td_strdup(fs->v[i]->path))) {
            td_conf_glob_free(v, (int)n);
            return -1;
        }
        n++;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_names);
    *out = v;
    return (int)n;
}

void td_conf_glob_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

char *td_conf_path_join(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir || !dir[0])
        return td_strdup(path);
    td_str s;
    td_str_init(&s);
    td_str_printf(&s, "%s/%s", dir, path);
    if (s.err) {
        td_str_free(&s);
        return NULL;
    }
    return td_str_take(&s);
}

char *td_conf_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return td_strdup(".");
    if (slash == path)
        return td_strdup("/");
    return strndup(path, (size_t)(slash - path));
}
