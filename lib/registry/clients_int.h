/* Client profiles: the parser behind clients.h, exposed for the tests that
 * feed it malformed files.  The library itself only ever parses the copy of
 * data/clients.json compiled into it. */
#ifndef TD_REGISTRY_CLIENTS_INT_H
#define TD_REGISTRY_CLIENTS_INT_H

#include <stddef.h>

#include "registry/clients.h"

/* A sanity bound on the number of profiles, far above what the data holds;
 * the probe's own table (TD_MAX_CLIENTS) is the tighter limit. */
#define TD_CLIENTS_MAX_PROFILES 1024

typedef struct td_client_set {
    td_client *v;
    size_t n;
    void *doc;   /* the parsed document: every string of v points into it */
} td_client_set;

/* Parses and validates a profile file (the format of data/README.md).
 * Returns 0 with every profile in out, or -1 with out empty and a one-line
 * message in err naming the profile ("profile 'java-8': suites[3]: ...")
 * and the field at fault.  Never keeps a partial result. */
int td_clients_parse(const char *json, size_t len, td_client_set *out, char *err, size_t errlen);
void td_clients_free(td_client_set *s);

/* Why the compiled-in profiles did not load, or "" when they did (after
 * the first call to any td_client_* function). */
const char *td_clients_error(void);

#endif
