/* The knowledge behind `tlsdiag explain` and `tlsdiag logs`: the error-text
 * patterns, the OpenSSL reason, verify and alert tables, and what each cause
 * means, read once from the data files compiled into the library
 * (data/explain/, and the OpenSSL table scripts/gen-openssl.sh writes at
 * build time).  Immutable once loaded. */
#ifndef TD_EXPLAIN_KB_H
#define TD_EXPLAIN_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/catalog.h"

/* Who writes a text.  The first server-side one is TD_XSW_NGINX. */
#define TD_XSW_LIST(X)                                                                             \
    X(UNKNOWN, "unknown", "")                                                                      \
    X(CURL, "curl", "curl")                                                                        \
    X(OPENSSL, "openssl", "OpenSSL")                                                               \
    X(GNUTLS, "gnutls", "GnuTLS")                                                                  \
    X(WGET, "wget", "wget")                                                                        \
    X(PYTHON, "python", "Python")                                                                  \
    X(JAVA, "java", "Java")                                                                        \
    X(GO, "go", "Go")                                                                              \
    X(NODE, "node", "Node.js")                                                                     \
    X(DOTNET, "dotnet", ".NET/Schannel")                                                           \
    X(CHROME, "chrome", "Chrome")                                                                  \
    X(FIREFOX, "firefox", "Firefox")                                                               \
    X(TLS, "tls", "TLS")                                                                           \
    X(NGINX, "nginx", "nginx")                                                                     \
    X(APACHE, "apache", "Apache httpd")                                                            \
    X(HAPROXY, "haproxy", "HAProxy")

typedef enum {
#define TD_XSW_ENUM(n, tok, label) TD_XSW_##n,
    TD_XSW_LIST(TD_XSW_ENUM)
#undef TD_XSW_ENUM
    TD_XSW_COUNT
} td_xsw;

const char *td_xsw_token(td_xsw s); /* "curl" */
const char *td_xsw_label(td_xsw s); /* "Apache httpd" */
td_xsw td_xsw_by_token(const char *tok, size_t len);
/* Whether this software is a server, so that its texts are the server's view. */
bool td_xsw_is_server(td_xsw s);

/* The handshake step a text shows failing, in handshake order. */
#define TD_XSTEP_LIST(X)                                              \
    X(UNKNOWN, "unknown", "an unknown step")                           \
    X(DNS, "dns", "resolving the name")                                \
    X(CONNECT, "connect", "the TCP connection")                        \
    X(HELLO, "hello", "the ClientHello and the server's first answer") \
    X(VERSION, "version", "agreeing on a protocol version")            \
    X(CIPHER, "cipher", "agreeing on a cipher suite or group")         \
    X(SNI, "sni", "the server name (SNI)")                             \
    X(CERT, "cert", "verifying the server's certificate")              \
    X(CLIENT_CERT, "client-cert", "the client certificate")            \
    X(ALPN, "alpn", "the application protocol (ALPN)")                 \
    X(DATA, "data", "after the handshake")

typedef enum {
#define TD_XSTEP_ENUM(n, tok, words) TD_XSTEP_##n,
    TD_XSTEP_LIST(TD_XSTEP_ENUM)
#undef TD_XSTEP_ENUM
    TD_XSTEP_COUNT
} td_xstep;

const char *td_xstep_token(td_xstep s);
const char *td_xstep_words(td_xstep s);

typedef enum { TD_XSIDE_UNKNOWN = 0, TD_XSIDE_CLIENT, TD_XSIDE_SERVER } td_xside;
const char *td_xside_token(td_xside s); /* "client", "server", "unknown" */

#define TD_X_MAX_CAUSES 6

/* Where a pattern came from. */
typedef enum { TD_XSRC_TEXT, TD_XSRC_SSL, TD_XSRC_X509 } td_xsrc;

typedef struct td_xpat {
    const char *name;   /* "curl-60-local", "ssl:258", "x509:20" */
    td_xsrc src;
    td_xsw software;
    const char *match;  /* normalised (td_xnorm), `*` between the parts */
    td_xstep step;
    td_xside writer;    /* TD_XSIDE_UNKNOWN: the software's usual side */
    int alert;          /* -1, or the alert this text reports */
    bool alert_sent;    /* the writer sent it (else received it) */
    int verify;         /* -1, or the X.509 verify code */
    int ossl;           /* -1, or the OpenSSL SSL reason code */
    bool disabled;      /* the text shows verification turned off */
    bool free_text;     /* matched anywhere in a line (else only by code) */
    td_id client[TD_X_MAX_CAUSES]; /* causes when a client wrote it */
    td_id server[TD_X_MAX_CAUSES]; /* causes when a server wrote it */
    const char *example;
} td_xpat;

typedef struct td_xalert {
    bool known;
    td_xstep step;
    td_id client[TD_X_MAX_CAUSES]; /* the client received it */
    td_id server[TD_X_MAX_CAUSES]; /* the server received it */
} td_xalert;

typedef struct td_xcause {
    const char *why;
    const char *fix; /* NULL: lib/diag's td_fix() */
} td_xcause;

typedef struct td_kb {
    td_xpat *pats;
    size_t npats;
    size_t ntext; /* hand-written patterns (data/explain/patterns.tsv) */
    td_xalert alerts[256];
    td_xcause causes[TD_ID_COUNT];
    const char *openssl_version; /* "OpenSSL 3.0.19 27 Jan 2026" */
} td_kb;

/* The knowledge, loaded on first use; NULL when the compiled-in data do not
 * parse (a build fault), with the reason in td_kb_error(). */
const td_kb *td_kb_get(void);
const char *td_kb_error(void);

/* The hand-written pattern of that name (one matched only by code, such as
 * "gnutls-self-issued"); NULL when there is none. */
const td_xpat *td_kb_named(const td_kb *kb, const char *name);
/* The pattern of an OpenSSL SSL reason code or X.509 verify code; NULL when
 * the installed OpenSSL does not define it. */
const td_xpat *td_kb_ssl(const td_kb *kb, int reason);
const td_xpat *td_kb_x509(const td_kb *kb, int code);
/* The SSL reason named SSL_R_<name> (case-insensitive), e.g. from Python's
 * "[SSL: WRONG_VERSION_NUMBER]" or Node's "ERR_SSL_WRONG_VERSION_NUMBER". */
const td_xpat *td_kb_ssl_by_name(const td_kb *kb, const char *name, size_t len);

/* What the matcher compares: ASCII lower case, and `-` as a space, so that
 * "self-signed" and "self signed" (OpenSSL 3 and 1.1) are one text.  Writes
 * at most cap-1 bytes and a NUL; returns the length written. */
size_t td_xnorm(const char *in, size_t len, char *out, size_t cap);

#endif
