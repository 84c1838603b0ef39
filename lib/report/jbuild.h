/* Building a JSON document with jansson where every failure (out of
 * memory) lands in one flag, checked once when the document is done: the
 * helpers every JSON rendering shares. */
#ifndef TD_REPORT_JBUILD_H
#define TD_REPORT_JBUILD_H

#include <stdbool.h>

#include <jansson.h>

typedef struct jb {
    bool err;
} jb;

static inline json_t *chk(jb *j, json_t *v)
{
    if (!v)
        j->err = true;
    return v;
}

static inline void put(jb *j, json_t *obj, const char *key, json_t *v)
{
    if (!obj || !v || json_object_set_new(obj, key, v) != 0)
        j->err = true;
}

static inline void push(jb *j, json_t *arr, json_t *v)
{
    if (!arr || !v || json_array_append_new(arr, v) != 0)
        j->err = true;
}

/* A string that may not be UTF-8 (from the network, a certificate, a
 * configuration file), which jansson refuses: such bytes become '?' rather
 * than the field being lost; NULL gives JSON null. */
json_t *td_jb_str(jb *j, const char *s);

#endif
