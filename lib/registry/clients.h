/* Client profiles: real clients as their ClientHello and their certificate
 * checks look, so a check can answer "does Java 8 get through?".
 *
 * The profiles live in data/clients.json (with the public source of each
 * one's facts), compiled into the library so the command needs no data file
 * at run time. */
#ifndef TD_REGISTRY_CLIENTS_H
#define TD_REGISTRY_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_CLIENT_MAX_SUITES  128
#define TD_CLIENT_MAX_GROUPS  16
#define TD_CLIENT_MAX_SHARES  4
#define TD_CLIENT_MAX_SIGALGS 32
#define TD_CLIENT_MAX_VERSIONS 6

/* Which trust store a client uses.  tlsdiag verifies against one store (the
 * system's, or --ca-file/--ca-path); the kind is reported so the user knows
 * which store the real client would consult. */
typedef enum {
    TD_STORE_SYSTEM,   /* the OS bundle (Debian ca-certificates, RHEL ca-trust) */
    TD_STORE_MOZILLA,  /* Mozilla's list: Firefox, certifi (Python requests), Node's bundled store */
    TD_STORE_JAVA,     /* the JDK's cacerts */
    TD_STORE_WINDOWS,  /* the Windows root program */
    TD_STORE_APPLE,    /* Apple's root program */
    TD_STORE_ANDROID,  /* Android's system store of that release */
    TD_STORE_OWN       /* an embedded device's own short list */
} td_store_kind;

typedef struct td_client {
    const char *id;          /* stable, lower case: "java-8", "openssl-3", "chrome" */
    const char *name;        /* for people: "Java 8 (8u161 and later)" */
    const char *family;      /* "browser", "runtime", "library", "os", "embedded" */
    /* the ClientHello */
    uint16_t versions[TD_CLIENT_MAX_VERSIONS]; /* offered, highest first */
    size_t n_versions;
    uint16_t suites[TD_CLIENT_MAX_SUITES];     /* in the client's order, SCSVs excluded */
    size_t n_suites;
    uint16_t groups[TD_CLIENT_MAX_GROUPS];
    size_t n_groups;
    uint16_t key_shares[TD_CLIENT_MAX_SHARES]; /* TLS 1.3 shares sent up front */
    size_t n_key_shares;
    uint16_t sigalgs[TD_CLIENT_MAX_SIGALGS];
    size_t n_sigalgs;
    bool sni;                /* sends server_name */
    const char *alpn;        /* "h2,http/1.1", or NULL */
    unsigned hello_flags;    /* TD_HELLO_* extension flags (lib/wire/hello.h) */
    /* how it validates */
    td_store_kind store;
    bool aia_fetch;          /* fetches a missing intermediate from the AIA URL */
    bool cn_fallback;        /* accepts a name found only in the subject CN */
    bool sha1_ok;            /* accepts SHA-1 signatures below the root */
    uint16_t min_rsa_bits;   /* smallest RSA key it accepts in the chain */
    uint16_t min_dh_bits;    /* smallest finite-field DH group it accepts */
    uint16_t max_dh_bits;    /* largest it can handle (Java 7: 1024); 0 = no limit */
    const char *source;      /* where these facts come from */
} td_client;

/* How far back a server means to reach, in the terms of Mozilla's
 * server-side TLS guidelines: "modern" serves clients with TLS 1.3,
 * "intermediate" (the guidelines' general-purpose profile) clients with
 * TLS 1.2, "old" everything back to TLS 1.0 (Java 7, Android 4.4).
 * Ordered: a client of one level also meets every level below it. */
typedef enum { TD_LEVEL_OLD, TD_LEVEL_INTERMEDIATE, TD_LEVEL_MODERN } td_client_level;
#define TD_LEVEL_DEFAULT TD_LEVEL_INTERMEDIATE

/* The level of a profile, by the newest version it offers: TLS 1.3
 * modern, TLS 1.2 intermediate, TLS 1.1 and below old (the versions RFC
 * 8996 deprecated). */
td_client_level td_client_level_of(const td_client *c);
const char *td_client_level_name(td_client_level l); /* "modern", "intermediate", "old" */
/* "modern", "intermediate" or "old" (case-insensitive); 0, or -1 with *out
 * untouched. */
int td_client_level_parse(const char *s, td_client_level *out);
/* The clients a level leaves out, for sentences: "end-of-life clients (TLS
 * 1.1 and below)"; NULL for old, which leaves none out. */
const char *td_client_level_below(td_client_level l);

size_t td_client_count(void);
const td_client *td_client_at(size_t i);
const td_client *td_client_by_id(const char *id);
const char *td_store_kind_name(td_store_kind k); /* "system", "Mozilla", "Java cacerts", ... */
/* How much of a profile name names the client: the part before its first
 * " (", e.g. 6 for "Java 8 (8u161 to 8u251)"; all of it when there is no
 * qualifier. */
size_t td_client_short_len(const char *name);

/* The ClientHello the client simulation sends for profile c: its
 * versions, suites, groups, key shares, signature algorithms, ALPN and
 * extension flags, and sni when c sends server_name.  sp points into c
 * (and sni). */
struct td_hello_spec;
void td_client_hello_spec(const td_client *c, const char *sni, struct td_hello_spec *sp);

#endif
