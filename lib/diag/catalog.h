/* The diagnosis catalog in code: every finding ID, its section of
 * docs/diagnoses.md, its usual severity, where it sits in the stack, and
 * which findings it may be a symptom of.
 *
 * IDs are enum values everywhere inside the library; the strings exist for
 * the reports and for reading IDs back (td_id_by_name).  test_catalog
 * fails when this table and docs/diagnoses.md disagree. */
#ifndef TD_DIAG_CATALOG_H
#define TD_DIAG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { TD_SEV_INFO = 0, TD_SEV_WARN = 1, TD_SEV_FAIL = 2 } td_severity;

/* The sections of docs/diagnoses.md, in its order. */
typedef enum {
    TD_SEC_REACH,       /* Reaching the server */
    TD_SEC_NEGOTIATE,   /* Negotiating the protocol */
    TD_SEC_CERT,        /* The certificate */
    TD_SEC_TIME,        /* Over time and across servers */
    TD_SEC_CLIENT_SIDE, /* The client's side (captures, errors, logs) */
    TD_SEC_CONFIG,      /* Configuration */
    TD_SEC_CLIENTS      /* Clients */
} td_section;

/* X(NAME, section, usual severity, layer, planned)
 *
 * layer: how low in the stack the fault sits (lib/diag/rank.c): a failure
 * low in the stack hides everything above it.  0 DNS, 1 TCP, 2 not TLS,
 * 3 no answer to any hello, 4 negotiation, 5 certificate trust, 6 the rest.
 * planned: part of the public catalog, not detected by this version. */
#define TD_CATALOG(X)                                                   \
    X(DNS_FAILURE, REACH, FAIL, 0, false)                               \
    X(CONNECT_REFUSED, REACH, FAIL, 1, false)                           \
    X(CONNECT_TIMEOUT, REACH, FAIL, 1, false)                           \
    X(RESET_AFTER_CLIENTHELLO, REACH, FAIL, 3, false)                   \
    X(CLOSED_AFTER_CLIENTHELLO, REACH, FAIL, 3, false)                  \
    X(HANDSHAKE_TIMEOUT, REACH, FAIL, 3, false)                         \
    X(NOT_TLS, REACH, FAIL, 2, false)                                   \
    X(STARTTLS_UNAVAILABLE, REACH, FAIL, 2, false)                      \
    X(PROXY_FAILURE, REACH, FAIL, 1, false)                             \
    X(MIDDLEBOX_RESET, REACH, FAIL, 3, false)                           \
    X(LARGE_HELLO_DROPPED, REACH, FAIL, 4, false)                       \
    X(RATE_LIMITED, REACH, WARN, 6, false)                              \
    X(PROTOCOL_TOO_OLD, NEGOTIATE, FAIL, 4, false)                      \
    X(LEGACY_PROTOCOL_ENABLED, NEGOTIATE, WARN, 6, false)               \
    X(TLS13_MISSING, NEGOTIATE, INFO, 6, false)                         \
    X(VERSION_INTOLERANCE, NEGOTIATE, FAIL, 4, false)                   \
    X(NO_SHARED_CIPHER, NEGOTIATE, FAIL, 4, false)                      \
    X(WEAK_CIPHERS_ONLY, NEGOTIATE, FAIL, 6, false)                     \
    X(WEAK_CIPHERS_ENABLED, NEGOTIATE, WARN, 6, false)                  \
    X(NO_FORWARD_SECRECY, NEGOTIATE, WARN, 6, false)                    \
    X(NO_SHARED_GROUP, NEGOTIATE, FAIL, 4, false)                       \
    X(DH_TOO_SMALL, NEGOTIATE, FAIL, 6, false)                          \
    X(SERVER_ALERT, NEGOTIATE, FAIL, 4, false)                          \
    X(SERVER_PROTOCOL_VIOLATION, NEGOTIATE, FAIL, 4, false)             \
    X(SNI_REQUIRED, NEGOTIATE, WARN, 6, false)                          \
    X(SNI_DEFAULT_CERT, NEGOTIATE, WARN, 6, false)                      \
    X(CLIENT_CERT_REQUIRED, NEGOTIATE, WARN, 6, false)                  \
    X(ALPN_MISMATCH, NEGOTIATE, FAIL, 6, false)                         \
    X(RENEGOTIATION_INSECURE, NEGOTIATE, WARN, 6, false)                \
    X(CERT_EXPIRED, CERT, FAIL, 5, false)                               \
    X(CERT_NOT_YET_VALID, CERT, FAIL, 5, false)                         \
    X(CERT_EXPIRING_SOON, CERT, WARN, 6, false)                         \
    X(HOSTNAME_MISMATCH, CERT, FAIL, 5, false)                          \
    X(NO_SAN, CERT, WARN, 6, false)                                     \
    X(CHAIN_INCOMPLETE, CERT, FAIL, 5, false)                           \
    X(CHAIN_ORDER, CERT, FAIL, 6, false)                                \
    X(CHAIN_CERT_EXPIRED, CERT, FAIL, 5, false)                         \
    X(SELF_SIGNED, CERT, FAIL, 5, false)                                \
    X(UNTRUSTED_CA, CERT, FAIL, 5, false)                               \
    X(KEY_TOO_SMALL, CERT, FAIL, 5, false)                              \
    X(WEAK_SIGNATURE, CERT, FAIL, 5, false)                             \
    X(CERT_PURPOSE, CERT, FAIL, 5, false)                               \
    X(OCSP_STAPLING_MISSING, CERT, INFO, 6, false)                      \
    X(INCONSISTENT_BACKENDS, TIME, FAIL, 6, false)                      \
    X(RESUMPTION_BROKEN, TIME, WARN, 6, false)                          \
    X(TLS_INTERCEPTED, TIME, WARN, 5, false)                             \
    X(CLIENT_REJECTED_CERT, CLIENT_SIDE, FAIL, 5, false)                \
    X(CLIENT_ALERT, CLIENT_SIDE, FAIL, 4, false)                        \
    X(CLIENT_CERT_REJECTED, CLIENT_SIDE, FAIL, 5, false)                \
    X(CONFIG_CERT_KEY_MISMATCH, CONFIG, FAIL, 5, false)                  \
    X(CONFIG_FILE_PROBLEM, CONFIG, FAIL, 5, false)                       \
    X(CONFIG_SHADOWED, CONFIG, WARN, 6, false)                           \
    X(CONFIG_UPSTREAM_NO_SNI, CONFIG, FAIL, 6, false)                    \
    X(CONFIG_UPSTREAM_NO_VERIFY, CONFIG, WARN, 6, false)                 \
    X(CONFIG_PROFILE_DEVIATION, CONFIG, WARN, 6, false)                  \
    X(CONFIG_LIVE_MISMATCH, CONFIG, FAIL, 6, false)                      \
    X(CLIENT_INCOMPATIBLE, CLIENTS, WARN, 6, false)

typedef enum {
    TD_ID_NONE = 0,
#define TD_CATALOG_ENUM(name, sec, sev, layer, planned) TD_ID_##name,
    TD_CATALOG(TD_CATALOG_ENUM)
#undef TD_CATALOG_ENUM
    TD_ID_COUNT
} td_id;

/* The longest list of causes, plus its TD_ID_NONE end marker. */
#define TD_CATALOG_MAX_CAUSES 26

typedef struct td_catalog_entry {
    td_id id;
    const char *name;     /* "NO_SHARED_CIPHER" */
    td_section section;
    td_severity severity; /* the usual one; some rules raise or lower it */
    int layer;
    bool planned;
} td_catalog_entry;

/* The entry of an ID; NULL for TD_ID_NONE or anything outside the enum. */
const td_catalog_entry *td_catalog(td_id id);
/* "NO_SHARED_CIPHER"; "?" outside the enum. */
const char *td_id_name(td_id id);
/* TD_ID_NONE when the name is not in the catalog.  The only place IDs are
 * compared as text. */
td_id td_id_by_name(const char *name);
/* The findings an ID may be a symptom of, in order of preference, ended by
 * TD_ID_NONE: rank.c links a finding to one of them only when the report
 * holds it and the facts agree. */
const td_id *td_id_causes(td_id symptom);
bool td_id_may_be_symptom_of(td_id symptom, td_id cause);
/* "Reaching the server" ...: the heading in docs/diagnoses.md. */
const char *td_section_title(td_section s);

/* Why a client fails, as a stable token for machines (JSON reason_code)
 * and for ranking.  Kept here because findings carry it too. */
#define TD_REASONS(X)                          \
    X(VERSION, "version")                      \
    X(SUITE, "suite")                          \
    X(GROUP, "group")                          \
    X(DH, "dh")                                \
    X(DH_TOO_LARGE, "dh-too-large")            \
    X(KEY, "key")                              \
    X(CHAIN, "chain")                          \
    X(TRUST, "trust")                          \
    X(SELF_SIGNED, "self-signed")              \
    X(HOSTNAME, "hostname")                    \
    X(CN_ONLY, "cn-only")                      \
    X(EXPIRED, "expired")                      \
    X(NOT_YET_VALID, "not-yet-valid")          \
    X(SIGNATURE, "signature")                  \
    X(PURPOSE, "purpose")                      \
    X(SNI, "sni")                              \
    X(RESET, "reset")                          \
    X(CLOSED, "closed")                        \
    X(TIMEOUT, "timeout")                      \
    X(ALERT, "alert")                          \
    X(CHOICE, "choice")                        \
    X(UNREACHABLE, "unreachable")              \
    X(NOT_TLS, "not-tls")

typedef enum {
    TD_REASON_NONE = 0,
#define TD_REASON_ENUM(name, token) TD_REASON_##name,
    TD_REASONS(TD_REASON_ENUM)
#undef TD_REASON_ENUM
    TD_REASON_COUNT
} td_reason;

/* "version", ...; NULL for TD_REASON_NONE or outside the enum. */
const char *td_reason_token(td_reason r);

#endif
