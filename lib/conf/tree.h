/* The directive tree every configuration parser builds: a directive is a
 * name, its arguments and, for a block, its children; each node knows the
 * file, line and byte span it came from, so findings can name file:line
 * and the --diff edits can replace exactly what was written.
 *
 * The tree judges nothing.  It also keeps every file read (name and
 * contents), the notes about what was skipped, and a fatal error (an
 * unreadable main file, an include loop). */
#ifndef TD_CONF_TREE_H
#define TD_CONF_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "obs/conf.h"

#define TD_CONF_MAX_FILES 4096
#define TD_CONF_MAX_DEPTH 64       /* nested blocks and includes */
#define TD_CONF_MAX_FILE (16u << 20)

typedef struct td_cnode {
    char *name;
    char **args;
    size_t nargs, acap;        /* args held, and room for */
    td_loc loc;                /* where the directive starts */
    size_t start, end;         /* byte span in loc.file's text: the name to the ';' or '}' */
    size_t body;               /* a block: the offset just after its '{' (or its opening line) */
    bool block;
    struct td_cnode **kids;
    size_t nkids, cap;
} td_cnode;

typedef struct td_ctree {
    td_cnode root;
    td_cfiles *files;          /* owned by the observations (td_cobs.files) */
    td_cnotes *notes;
    char err[512];             /* fatal: nothing can be said about the configuration */
} td_ctree;

/* A node with a copy of name; NULL (and the tree's error set) when out of
 * memory. */
td_cnode *td_cnode_add(td_ctree *t, td_cnode *parent, const char *name, size_t name_len, td_loc loc);
bool td_cnode_arg(td_ctree *t, td_cnode *n, const char *arg, size_t len);
/* Moves src's children to the end of dst's (an include's contents take its
 * place); src is left empty. */
bool td_cnode_splice(td_ctree *t, td_cnode *dst, td_cnode *src);
void td_cnode_free(td_cnode *n);
void td_ctree_free(td_ctree *t);
/* The first child named name, or the last one (where the last one wins). */
const td_cnode *td_cnode_find(const td_cnode *n, const char *name);
const td_cnode *td_cnode_find_last(const td_cnode *n, const char *name);

/* The arguments from index from on, joined by spaces (a new string; NULL
 * out of memory). */
char *td_cnode_join(const td_cnode *n, size_t from);
/* Reads a whole file into the file list (once: the same path twice gives
 * the same entry).  NULL with why set when it cannot be read. */
const td_cfile *td_cfile_read(td_cfiles *fs, const char *path, char *why, size_t whylen);
/* The main file of a configuration: read (t->err set when it cannot be),
 * its name copied to main_path. */
const td_cfile *td_conf_read_main(td_ctree *t, const char *path, char *main_path, size_t cap);
/* Adds a file whose text is given (a file inside `nginx -T` output). */
const td_cfile *td_cfile_add(td_cfiles *fs, const char *path, const char *text, size_t len);
const td_cfile *td_cfile_find(const td_cfiles *fs, const char *path);

/* Expands a glob to the names it matches, sorted; in memory (files given
 * with td_cfile_add) when from_memory, else on disk.  Returns the count
 * (0: nothing matched), -1 out of memory or an error of the glob. */
int td_conf_glob(const td_cfiles *fs, bool from_memory, const char *pattern, char ***out);
void td_conf_glob_free(char **names, int n);
/* dir + "/" + path unless path is absolute, into a new string. */
char *td_conf_path_join(const char *dir, const char *path);
/* The directory of a path ("." for a bare name), into a new string. */
char *td_conf_dirname(const char *path);

#endif
