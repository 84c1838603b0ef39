/* Mozilla's server-side TLS profiles (data/mozilla/, compiled in): what
 * `tlsdiag lint --profile` compares an effective policy with. */
#ifndef TD_REGISTRY_MOZILLA_H
#define TD_REGISTRY_MOZILLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_MOZ_MAX_SUITES 48

typedef struct td_moz_profile {
    char name[16];                       /* "modern", "intermediate", "old" */
    uint16_t versions[6];                /* TD_TLS10 ... TD_TLS13 */
    size_t n_versions;
    uint16_t suites12[TD_MOZ_MAX_SUITES]; /* IANA code points, in the profile's order */
    size_t n12;
    char openssl12[1024];                /* the same as an OpenSSL cipher string ("" none) */
    uint16_t suites13[8];
    size_t n13;
    char tls13_names[256];               /* "TLS_AES_128_GCM_SHA256:..." */
    char curves[8][24];                  /* "X25519", "prime256v1" */
    size_t n_curves;
    bool cert_rsa, cert_ecdsa;           /* certificate_types */
    int rsa_key_size;                    /* 0: none asked */
    int max_lifespan_days;
    bool ocsp_staple;
    bool server_preferred_order;
} td_moz_profile;

typedef struct td_moz {
    char source[256];                    /* the guidelines' URL */
    char version[16];                    /* "5.7" */
    td_moz_profile p[3];
    size_t n;
} td_moz;

/* The profile named name, or NULL (unknown name, or the data did not
 * load: *err then says why when err is given). */
const td_moz_profile *td_moz_profile_by_name(const char *name, char *err, size_t cap);
/* The guidelines themselves (source, version); NULL when they did not load. */
const td_moz *td_mozilla(void);
/* Parses the data file's text; for tests.  0, or -1 with err set. */
int td_moz_parse(const char *text, size_t len, td_moz *out, char *err, size_t cap);

#endif
