/* Certificates: facts from DER, RFC 6125 name matching, the order a server
 * sent its chain in, and path verification against trust stores.
 *
 * Pure analysis: nothing here opens a connection.  td_store_new() reads the
 * trust store's files (the caller decides when); everything else works on
 * bytes already in memory.  The rules in lib/diag/ turn these results into
 * findings (CERT_EXPIRED, HOSTNAME_MISMATCH, CHAIN_INCOMPLETE, ...).
 *
 * Every string written here is NUL-terminated, truncated to its buffer
 * (with "..." at the end when cut) and printable ASCII: bytes a certificate
 * carries outside that range come out escaped (\XX in names, \xNN in SAN
 * entries), so reports and JSON can quote them as they are. */
#ifndef TD_CERT_CERT_H
#define TD_CERT_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A DER certificate; the bytes are not owned and must outlive the call. */
typedef struct td_der {
    const uint8_t *p;
    size_t len;
} td_der;

#define TD_CERT_MAX_SAN 32   /* SAN entries kept in td_cert_info (all are counted) */

/* ---- facts about one certificate ---------------------------------------- */

typedef struct td_cert_info {
    char subject[256];          /* subject DN, RFC 2253 one-liner ("CN=a.example,O=Org") */
    char issuer[256];           /* issuer DN, same form */
    char cn[128];               /* the subject's last (most specific) commonName, "" if none */
    int64_t not_before;         /* validity start, unix seconds UTC */
    int64_t not_after;          /* validity end (inclusive, RFC 5280 4.1.2.5), unix seconds UTC */
    char not_before_iso[24];    /* "2026-12-23T10:49:56Z" */
    char not_after_iso[24];
    char key_type[16];          /* "RSA", "RSA-PSS", "EC", "Ed25519", "Ed448", "DSA", "unknown" */
    int key_bits;               /* modulus / group order size; 0 when unknown */
    char key_curve[32];         /* named curve of an EC key ("prime256v1"), "explicit" for
                                   explicit parameters, "" for other key types */
    char sig_alg[48];           /* the certificate's signatureAlgorithm ("sha256WithRSAEncryption"),
                                   dotted OID when OpenSSL does not know it */
    bool sig_weak;              /* the signature hashes with MD2, MD4, MD5 or SHA-1 */
    size_t n_san;               /* entries in san[] (at most TD_CERT_MAX_SAN) */
    char san[TD_CERT_MAX_SAN][256]; /* subjectAltName entries in certificate order, prefixed:
                                   "DNS:a.example", "IP:192.0.2.1", "IP:2001:db8::1",
                                   "email:", "URI:", "DirName:", "othername:", ... */
    size_t n_san_total;         /* every SAN entry in the certificate, kept or not */
    bool has_san_ext;           /* a subjectAltName extension is present (even if empty or
                                   undecodable) */
    bool is_ca;                 /* basicConstraints cA=TRUE (RFC 5280 4.2.1.9) */
    bool self_issued;           /* subject DN == issuer DN (RFC 5280 3.2) */
    bool self_signed;           /* self-issued AND the signature verifies with its own key */
    char aia_ca_issuers[512];   /* first caIssuers URI of authorityInfoAccess, "" if none */
    char ocsp_url[512];         /* first OCSP URI of authorityInfoAccess, "" if none */
    bool ku_present;            /* a keyUsage extension is present (RFC 5280 4.2.1.3); the
                                   ku_* bits below mean something only then */
    bool ku_digital_signature, ku_key_encipherment, ku_key_agreement, ku_cert_sign;
    bool eku_present;           /* an extendedKeyUsage extension is present (RFC 5280 4.2.1.12) */
    bool eku_server_auth;       /* it lists id-kp-serverAuth */
    bool eku_any;               /* it lists anyExtendedKeyUsage */
    char sha256[65];            /* lower-case hex SHA-256 of the DER */
    char serial[84];            /* serialNumber in lower-case hex, "-" first when negative;
                                   RFC 5280 4.1.2.2 allows 20 octets, a longer one is cut */
} td_cert_info;

/* Fills *out from one DER certificate.  Returns 0, or -1 with a reason in err
 * (not a certificate, trailing bytes after it, an unreadable validity time);
 * never reads outside d. */
int td_cert_info_from_der(td_der d, td_cert_info *out, char *err, size_t errlen);

/* When a certificate stops/starts being valid at time `at`: the leaf's view
 * for CERT_EXPIRED / CERT_NOT_YET_VALID / CERT_EXPIRING_SOON, or any other
 * certificate's for CHAIN_CERT_EXPIRED. */
typedef enum {
    TD_TIME_VALID,
    TD_TIME_EXPIRING_SOON,   /* valid, but not_after is less than `warn` seconds away */
    TD_TIME_EXPIRED,         /* at > not_after */
    TD_TIME_NOT_YET_VALID    /* at < not_before */
} td_cert_time;
td_cert_time td_cert_check_time(const td_cert_info *ci, int64_t at, int64_t warn);

/* KEY_TOO_SMALL: RSA or DSA below 2048 bits, EC below 224 bits.  why (may be
 * NULL) says which, e.g. "RSA 1024 bits (clients at OpenSSL security level 2
 * need 2048)". */
bool td_cert_key_too_small(const td_cert_info *ci, char *why, size_t whylen);

/* CERT_PURPOSE: whether keyUsage and extendedKeyUsage allow a TLS server
 * certificate (what OpenSSL's "sslserver" purpose demands of a leaf).  Returns
 * true when allowed; otherwise why says what is missing. */
bool td_cert_server_purpose_ok(const td_cert_info *ci, char *why, size_t whylen);

/* A certificate as the reports quote it, from DER that only has to start
 * with a certificate (unlike td_cert_info_from_der): fields a DER that does
 * not parse cannot give stay empty; sha256 is always filled in. */
typedef struct td_cert_text {
    bool parsed;
    char sha256[65];
    char subject[512];   /* as td_cert_dn_text() */
    char issuer[512];
    char not_before[32]; /* "2025-01-31T12:00:00Z", as not_before_iso */
    char not_after[32];
} td_cert_text;
void td_cert_describe(const uint8_t *der, size_t len, td_cert_text *out);

/* ---- distinguished names as text ------------------------------------------ */

/* OpenSSL's X509_NAME, named without its headers. */
struct X509_name_st;

/* A distinguished name as one RFC 2253 line ("CN=a.example,O=Org"), every
 * byte outside printable ASCII written \XX: the form of every DN tlsdiag
 * prints.  A longer name is cut at cap - 1 bytes without a mark, as the
 * reports and CA lists quote it (td_cert_info's fields end a cut with
 * "..."). */
void td_cert_dn_text(const struct X509_name_st *name, char *dst, size_t cap);
/* The same from a DER Name (a CertificateRequest's certificate_authorities
 * entry).  False, dst untouched, when the bytes do not start with a Name. */
bool td_cert_dn_der(const uint8_t *der, size_t len, char *dst, size_t cap);

/* ---- names ------------------------------------------------------------- */

/* RFC 6125 section 6.4 name matching.  A host that is an IP address matches
 * IP SANs only (RFC 2818 3.1, RFC 5280 4.2.1.6); a DNS name matches DNS SANs, case-
 * insensitively, a trailing dot ignored, a wildcard only as the whole
 * left-most label standing for exactly one label, never directly under a
 * top-level domain.  The subject CN is consulted only when the certificate
 * carries no DNS-ID or URI-ID SAN (RFC 6125 6.4.4: then with no SAN
 * extension at all, or one holding only other types), and a match there is
 * flagged via_cn_only because browsers, Go and others ignore the CN. */
typedef struct td_name_check {
    bool ok;                /* some identifier covers the host */
    bool via_cn_only;       /* ... and it is the subject CN (no DNS SAN to use) */
    char matched[256];      /* the identifier that matched, as in the certificate
                               ("*.example.com", "192.0.2.1"), "" if none */
    char near_miss[256];    /* on failure: an identifier that almost covers the host
                               (a wildcard one label short, the apex, a misplaced
                               wildcard, the address as a DNS name or CN), "" if none */
    char why[256];          /* one sentence: how it matched, or why nothing did */
} td_name_check;

/* Checks the SANs in *leaf.  When the certificate had more SAN entries than
 * td_cert_info keeps (n_san_total > n_san) the result may miss a match: the
 * why says so; use td_cert_check_name_der(), which sees them all. */
/* ---- public key pins (curl's --pinnedpubkey) ------------------------------ */

/* "sha256//" and 44 characters of base64: the SHA-256 into out. */
bool td_pin_parse(const char *s, size_t len, uint8_t out[32]);
/* SHA-256 of the certificate's SubjectPublicKeyInfo; false for bad DER. */
bool td_cert_spki_sha256(td_der cert, uint8_t out[32]);
/* The pin of a hash, "sha256//...=" (52 characters), cut to cap. */
void td_pin_text(const uint8_t sha[32], char *buf, size_t cap);

void td_cert_check_name(const td_cert_info *leaf, const char *host, td_name_check *out);
/* The same from the DER, over every SAN.  An undecodable certificate gives
 * ok=false with the reason in why. */
void td_cert_check_name_der(td_der leaf, const char *host, td_name_check *out);

/* ---- chain order -------------------------------------------------------- */

/* The order the server sent (RFC 8446 4.4.2, RFC 5246 7.4.2): the leaf first,
 * each next certificate the issuer of the previous one (issuer DN == subject
 * DN and the signature verifies with the next one's key).  Only the first
 * TD_CHAIN_MAX_ORDER certificates are examined. */
#define TD_CHAIN_MAX_ORDER 32
typedef struct td_chain_order {
    bool ok;                /* in path order, no duplicate, nothing unrelated
                               (a root sent along does not make it wrong) */
    bool leaf_first;        /* the first certificate issued none of the others */
    int first_out_of_place; /* index (0 = first sent) of the first certificate that
                               is not the issuer of the one before it; -1 when ok */
    size_t n_unrelated;     /* distinct certificates outside the path from the leaf
                               (undecodable ones included) */
    size_t n_duplicates;    /* certificates sent again (byte-identical to an earlier one) */
    bool root_sent;         /* the path ends in a self-signed CA certificate that was
                               sent (RFC 8446 4.4.2: it MAY be omitted; clients must
                               have it anyway) */
    char detail[256];       /* one sentence: the order is right, or the first fault */
} td_chain_order;
void td_chain_check_order(const td_der *chain, size_t n, td_chain_order *out);

/* ---- trust stores and paths -------------------------------------------- */

typedef struct td_store td_store;
/* ca_file: a PEM file of trusted certificates; ca_path: a directory hashed
 * with `openssl rehash`; both may be given.  Both NULL: the system store
 * (X509_STORE_set_default_paths(), which honours SSL_CERT_FILE and
 * SSL_CERT_DIR; on Debian /usr/lib/ssl/certs -> /etc/ssl/certs).  Returns
 * NULL with a reason in err when a given file holds no certificate or a given
 * directory is not readable. */
td_store *td_store_new(const char *ca_file, const char *ca_path, char *err, size_t errlen);
/* "system (/usr/lib/ssl/cert.pem, /usr/lib/ssl/certs)", "ca-file x.pem",
 * "ca-path /dir", "ca-file x.pem, ca-path /dir". */
const char *td_store_name(const td_store *s);
void td_store_free(td_store *s);

typedef enum {
    TD_PATH_OK,
    TD_PATH_INCOMPLETE,        /* the issuer of the top of the path is nowhere: not sent,
                                  not in `extra`, not in the store (CHAIN_INCOMPLETE) */
    TD_PATH_UNTRUSTED_ROOT,    /* the path ends in a self-signed root the store lacks
                                  (UNTRUSTED_CA) */
    TD_PATH_SELF_SIGNED_LEAF,  /* the leaf is self-signed and not in the store (SELF_SIGNED) */
    TD_PATH_EXPIRED,           /* a certificate of the path is past notAfter at `at` */
    TD_PATH_NOT_YET_VALID,     /* a certificate of the path is before notBefore at `at` */
    TD_PATH_BAD_SIGNATURE,     /* a signature in the path does not verify */
    TD_PATH_PURPOSE,           /* a certificate's keyUsage/extendedKeyUsage does not allow
                                  TLS server authentication (CERT_PURPOSE) */
    TD_PATH_OTHER              /* anything else: see x509_err_text */
} td_path_verdict;

typedef enum {
    TD_SRC_SENT,   /* one of the certificates the server sent */
    TD_SRC_EXTRA,  /* only in `extra` (e.g. fetched through AIA) */
    TD_SRC_STORE   /* only in the trust store */
} td_path_src;

#define TD_PATH_MAX 10  /* certificates of the path kept in td_path */

typedef struct td_path {
    td_path_verdict verdict;   /* the first error a strict client reports (x509_err) */
    int x509_err;              /* X509_V_OK or the X509_V_ERR_* OpenSSL reports */
    char x509_err_text[128];   /* X509_verify_cert_error_string(), or why there was no
                                  verification (bad input) */
    int depth;                 /* depth of the certificate x509_err is about (0 = leaf),
                                  -1 when ok */
    td_path_verdict trust;     /* the verdict with time checks off: whether the path is
                                  sound apart from validity dates */
    int strict_err;            /* when the path is ok: the error with X509_V_FLAG_X509_STRICT
                                  (RFC 5280 profile checks; Python 3.13 sets it), else X509_V_OK */
    char strict_err_text[128];
    size_t n;                  /* certificates in subjects[] / src[] (the path built, from
                                  the leaf up, capped at TD_PATH_MAX) */
    char subjects[TD_PATH_MAX][256];
    td_path_src src[TD_PATH_MAX];
    bool used_extra;           /* the path takes a certificate only `extra` provided */
    char top_subject[256];     /* the last certificate of the path (the root when ok) */
    bool top_in_store;         /* that exact certificate is in the store */
    bool top_is_ca;            /* that certificate has basicConstraints cA=TRUE */
    char missing_issuer[256];  /* INCOMPLETE (verdict or trust): the issuer DN the top names */
    char missing_issuer_aia[512]; /* ... and the top's caIssuers URI, where the issuer could
                                  be fetched ("" if none) */
    bool missing_issuer_in_store; /* ... and the store holds a certificate of that name, though
                                  none that issued the top (another key) */
    int expired_depth;         /* lowest depth in the path past notAfter at `at`, -1 */
    int not_yet_valid_depth;   /* lowest depth in the path before notBefore at `at`, -1 */
    int weak_sig_depth;        /* lowest depth signed with MD5/SHA-1 (a self-signed top's
                                  own signature excluded: nobody checks it), -1 */
    char weak_sig_alg[48];     /* that certificate's signature algorithm */
    int small_key_depth;       /* lowest depth whose key is too small (as
                                  td_cert_key_too_small), -1 */
} td_path;

/* Builds and verifies the path the way strict clients do: the leaf is
 * chain[0]; the untrusted pool is chain[1..n-1] plus `extra`; the anchors are
 * the store's; the time is `at`; the purpose is sslserver (as libssl sets for
 * a client checking a server); no partial chains; no host name check (see
 * td_cert_check_name).  Certificates that do not decode are left out of the
 * pool.  Returns 0 with *out filled, or -1 when there is nothing to verify
 * (no leaf, undecodable leaf, out of memory) with the reason in
 * out->x509_err_text and verdict TD_PATH_OTHER. */
int td_verify_path(td_store *st, const td_der *chain, size_t n, const td_der *extra,
                   size_t n_extra, int64_t at, td_path *out);

/* "ok", "incomplete chain", "untrusted root", ... for reports and tests. */
const char *td_path_verdict_name(td_path_verdict v);
/* The path fails with v either way a client may see it: its verdict, or
 * the same path with dates ignored (so an expired leaf does not hide a
 * broken chain). */
static inline bool td_path_is(const td_path *p, td_path_verdict v)
{
    return p->verdict == v || p->trust == v;
}

/* What the issuer an incomplete path lacks is, as far as the chain's
 * structure shows: an intermediate the server must send (CHAIN_INCOMPLETE)
 * or a root the clients must be given (UNTRUSTED_CA).  Sending more
 * certificates cannot fix the second; the server rightly omits roots (RFC
 * 8446 section 4.4.2).  The issuer's name plays no part: "Root" in a DN
 * proves nothing.  An issuer fetched through AIA is judged by the caller,
 * which has it. */
typedef enum {
    TD_MISSING_NONE,          /* the path is not incomplete */
    TD_MISSING_LEAF_ISSUER,   /* the leaf is the top of the path: no CA certificate sent links
                                 it to anything, and server certificates come from
                                 intermediates */
    TD_MISSING_AIA_NAMED,     /* the top names a caIssuers URL: its issuer is a published CA
                                 certificate the server can send */
    TD_MISSING_NOT_SENT_CA,   /* the top is not a CA certificate the server sent (an end-entity
                                 certificate, or one from the store) */
    TD_MISSING_NAME_IN_STORE, /* the store knows the issuer's name but holds no certificate
                                 that issued the top: the linking one must come from the
                                 server */
    TD_MISSING_ROOT           /* the top sent is a CA certificate, names no caIssuers URL, and
                                 its issuer's name is nowhere in the store: most likely a
                                 private root the store lacks */
} td_missing_kind;
td_missing_kind td_path_missing_kind(const td_path *p);

/* ---- the issuer an AIA caIssuers URL points at -------------------------- */

/* Splits an "http://HOST[:PORT][/PATH]" URL from a certificate (IPv6 hosts
 * in brackets, written here without them) into host, port (80 unless
 * given) and the path to request ("/" when none).  False for any other
 * scheme, user info, a bad port, a host or path that does not fit, or
 * bytes that would break an HTTP request line. */
bool td_aia_parse_url(const char *url, char *host, size_t hcap, uint16_t *port, char *path, size_t pcap);

/* The certificate in an HTTP/1.x 200 response (DER, PEM or a certs-only
 * PKCS#7 bundle: the first certificate), as DER in *der (malloc'd, the
 * caller frees).  Returns 0, or -1 with err set: not HTTP, another status,
 * no body, not a certificate. */
int td_aia_cert_from_http(const uint8_t *buf, size_t len, uint8_t **der, size_t *der_len, char *err,
                          size_t errlen);

#endif
