/* The registries: IANA code points as data tables.
 *
 * Tables are complete (every assigned TLS cipher suite, group, signature
 * scheme and alert), not a hand-picked subset, so that enumeration can offer
 * everything and reports can name whatever the server picks. */
#ifndef TD_REGISTRY_H
#define TD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/tls.h"

/* Strength class, weakest first.  Everything up to TD_CLASS_3DES is refused
 * by current browsers, OpenSSL 3 at its default level, Java 17+ and Go. */
typedef enum {
    TD_CLASS_NULL, TD_CLASS_ANON, TD_CLASS_EXPORT, TD_CLASS_DES,
    TD_CLASS_RC4, TD_CLASS_3DES, TD_CLASS_CBC, TD_CLASS_AEAD
} td_suite_class;

/* The suite, group and signature-scheme tables are sorted by id, their
 * first member: their *_by_id lookups are bsearch() with this comparator
 * (a uint16_t key against an entry). */
int td_registry_cmp_id(const void *key, const void *entry);

/* name when there is one, else "unknown (0x1234)" written into buf: how
 * sentences name a code point the tables do not know. */
const char *td_name_or_code(const char *name, uint16_t code, char *buf, size_t cap);

typedef struct td_suite {
    uint16_t id;
    const char *iana;     /* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *openssl;  /* "ECDHE-RSA-AES128-GCM-SHA256", NULL when OpenSSL has no name */
    td_kx kx;
    td_auth auth;
    const char *cipher;   /* "AES_128_GCM", "3DES_EDE_CBC", "NULL" */
    uint16_t bits;        /* effective symmetric key bits (EXPORT: 40/56) */
    const char *mac;      /* "SHA256", "AEAD", "MD5" */
    uint16_t min_version; /* TD_SSL3 .. TD_TLS13 */
    uint16_t max_version; /* TD_TLS12 for pre-1.3 suites, TD_TLS13 for 1.3 suites */
    td_suite_class cls;
} td_suite;

size_t td_suite_count(void);
const td_suite *td_suite_at(size_t i);
const td_suite *td_suite_by_id(uint16_t id);
/* The suite's key exchange and authentication; false for an unknown suite.
 * The lookup lib/wire's first-flight parser takes (td_suite_kx_fn). */
bool td_suite_kx(uint16_t id, td_kx *kx, td_auth *auth);
const td_suite *td_suite_by_name(const char *iana_or_openssl_name);
bool td_suite_weak(const td_suite *s);  /* cls <= TD_CLASS_3DES */
bool td_suite_fs(const td_suite *s);    /* DHE/ECDHE (incl. PSK variants) or TLS 1.3 */
const char *td_suite_class_name(td_suite_class c); /* "NULL","anon","EXPORT","DES","RC4","3DES","CBC","AEAD" */
const char *td_kx_name(td_kx k);
const char *td_auth_name(td_auth a);
/* Writes "TLS_FOO (0x1234)" or "unknown (0x1234)" into buf. */
const char *td_suite_label(uint16_t id, char *buf, size_t len);

/* SSLv2 cipher specs (3-byte codes), draft-hickman-netscape-ssl-00. */
typedef struct td_v2spec {
    uint32_t id;
    const char *name;  /* "SSL_CK_RC4_128_WITH_MD5" */
    uint16_t bits;
    td_suite_class cls;
} td_v2spec;
size_t td_v2spec_count(void);
const td_v2spec *td_v2spec_at(size_t i);
const td_v2spec *td_v2spec_by_id(uint32_t id);

typedef enum { TD_GROUP_EC, TD_GROUP_ECX, TD_GROUP_FFDHE, TD_GROUP_HYBRID, TD_GROUP_OTHER } td_group_kind;
typedef struct td_group {
    uint16_t id;
    const char *name;    /* IANA name: "x25519", "secp256r1", "ffdhe2048" */
    td_group_kind kind;
    uint16_t bits;       /* security-relevant size: 255, 256, 2048 ... */
    bool deprecated;     /* RFC 8422/8446 deprecated (binary curves, small prime curves) */
} td_group;
size_t td_group_count(void);
const td_group *td_group_at(size_t i);
const td_group *td_group_by_id(uint16_t id);
const td_group *td_group_by_name(const char *name);
const char *td_group_label(uint16_t id, char *buf, size_t len);
/* "encrypt_then_mac (0x0016)"; "extension 0x1234" when unnamed. */
const char *td_ext_label(uint16_t type, char *buf, size_t len);

typedef struct td_sigalg {
    uint16_t id;
    const char *name;    /* "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256" */
    bool weak;           /* SHA-1/MD5 based */
} td_sigalg;
size_t td_sigalg_count(void);
const td_sigalg *td_sigalg_at(size_t i);
const td_sigalg *td_sigalg_by_id(uint16_t id);

typedef struct td_alert {
    uint8_t code;
    const char *name;    /* "handshake_failure" */
    const char *rfc;     /* "RFC 8446 section 6.2" */
    const char *meaning; /* what it usually means in practice, one sentence */
} td_alert;
size_t td_alert_count(void);
const td_alert *td_alert_by_code(uint8_t code);
/* The alert's name ("handshake_failure"), or `unknown` for a code that is
 * not in the registry or outside 0..255. */
const char *td_alert_name(int code, const char *unknown);
const td_alert *td_alert_by_name(const char *name);

/* Products that intercept TLS by re-signing with their own CA
 * (lib/registry/intercept.c), known by text in that CA's name. */
typedef struct td_intercept_product {
    const char *product;  /* "Zscaler Internet Access" */
    const char *kind;     /* "secure web gateway", "firewall", "antivirus", "debugging proxy" */
    const char *ca_name;  /* text in the CA's distinguished name, matched without regard to case */
    const char *source;   /* where the vendor documents it */
} td_intercept_product;
size_t td_intercept_count(void);
const td_intercept_product *td_intercept_at(size_t i);
/* The product whose CA name the DN (an RFC 2253 one-liner) holds, or NULL. */
const td_intercept_product *td_intercept_match(const char *dn);
/* hay holds needle, case aside; false for an empty needle. */
bool td_text_contains(const char *hay, const char *needle);

#endif
