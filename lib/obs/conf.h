/* What a configuration says, as observations: the files read, each
 * virtual server's effective TLS settings (with the place each was
 * written, or the default the software applies), the certificates and keys
 * read from disk, the listeners and which virtual server answers a
 * ClientHello on each.  Filled by lib/conf (the configuration readers);
 * read by lib/diag/lint.c; judges nothing. */
#ifndef TD_OBS_CONF_H
#define TD_OBS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert.h"
#include "obs/obs.h"

/* A place in the configuration; file NULL when nothing was written (a
 * default applies). */
typedef struct td_loc {
    const char *file;
    unsigned line;
} td_loc;

/* A replacement of bytes [start, end) of a file by text: an insertion when
 * start == end.  What `lint --diff` prints. */
typedef struct td_edit {
    const char *file;
    size_t start, end;
    char *text;
} td_edit;

typedef struct td_cfile {
    char *path;
    char *text;
    size_t len;
} td_cfile;

typedef struct td_cfiles {
    td_cfile **v;
    size_t n, cap;
} td_cfiles;

typedef struct td_cnote {
    td_loc loc;
    char *text;
} td_cnote;

typedef struct td_cnotes {
    td_cnote *v;
    size_t n, cap;
    bool oom;
} td_cnotes;

typedef enum { TD_CSERVER_NGINX, TD_CSERVER_APACHE, TD_CSERVER_HAPROXY } td_cserver;

/* One setting as the server applies it: written at loc with its text and
 * byte span, or (loc.file NULL) the default, given as value. */
typedef struct td_cset {
    td_loc loc;
    size_t start, end;
    char *value;        /* the arguments as written, joined by spaces; the default's text */
    char name[40];      /* the directive ("ssl_protocols") */
    /* How to write it with another value: prefix + value + suffix (NULL:
     * "NAME VALUE;"), and where it goes when nothing is written (block:
     * "the global section"; NULL the server block). */
    char *prefix, *suffix;
    const char *block;
} td_cset;

static inline bool td_cset_written(const td_cset *s)
{
    return s->loc.file != NULL;
}

typedef enum {
    TD_CFILE_OK,
    TD_CFILE_MISSING,
    TD_CFILE_UNREADABLE,
    TD_CFILE_EMPTY,
    TD_CFILE_NOT_PEM,     /* no PEM block of the kind expected */
    TD_CFILE_PER_HANDSHAKE /* the name holds variables: read at each handshake */
} td_cfile_state;

/* A certificate and its key as configured together, each file read. */
typedef struct td_ccert {
    td_cset cert, key;
    td_cset chain_file; /* Apache httpd: SSLCertificateChainFile, read after the certificate */
    bool key_beside;     /* HAProxy: a certificate file without its key has it in FILE.key */
    td_cfile_state cert_state, key_state, chain_state;
    char cert_why[160], key_why[160], chain_why[160];
    td_cert *chain;      /* the certificates of the file, in file order (DER) */
    size_t n_chain;
    td_tri key_match;    /* the key is the certificate's; UNKNOWN when either did not load */
    td_cert_info *leaf;  /* the first certificate's facts; NULL when it does not parse */
    td_path path;        /* the chain verified against the trust store, at td_cobs.now */
    bool path_done;
} td_ccert;

/* A TLS connection the server makes to an upstream. */
typedef struct td_cupstream {
    td_loc loc;          /* the proxy_pass (or server line) */
    char *target;        /* "https://backend.example:8443" */
    char host[256];      /* its host, as the upstream would see it in SNI */
    td_cset sni, verify; /* proxy_ssl_server_name, proxy_ssl_verify (written or default) */
    bool sni_on, verify_on;
    const char *block_file;  /* where a directive can be inserted: the enclosing block */
    size_t block_body;
    unsigned block_line;
} td_cupstream;

#define TD_CV_SSL3 (1u << 0)
#define TD_CV_TLS10 (1u << 1)
#define TD_CV_TLS11 (1u << 2)
#define TD_CV_TLS12 (1u << 3)
#define TD_CV_TLS13 (1u << 4)
#define TD_CV_LEGACY (TD_CV_SSL3 | TD_CV_TLS10 | TD_CV_TLS11)

typedef struct td_clisten {
    char addr[96];       /* "127.0.0.1:443", "*:443", "[::]:443" */
    bool tls, def;       /* ssl; default_server */
    td_loc loc;
} td_clisten;

/* A virtual server (nginx server{}, Apache <VirtualHost>, HAProxy bind). */
typedef struct td_cvhost {
    td_loc loc;
    const char *body_file;   /* where a setting nothing wrote can be added: this file, */
    size_t body;             /* at this offset (nginx: after the server's '{') */
    char **names;            /* server_name */
    td_loc *names_loc;       /* where each was written */
    size_t n_names;
    td_clisten *listens;
    size_t n_listens;
    bool tls;                /* some listener of it speaks TLS */
    td_cset protocols, ciphers, tls13_suites, groups, verify_client, stapling, cache, tickets, prefer;
    unsigned versions_written;   /* what protocols says */
    unsigned versions;           /* what the linked OpenSSL will negotiate of them */
    int seclevel;                /* OpenSSL security level after the cipher string */
    int versions_from;           /* the vhost whose protocols decide (the address's default
                                    server), its own index when itself */
    uint16_t *suites12, *suites13;   /* expanded, IANA code points, in preference order */
    size_t n12, n13;
    char cipher_err[160];        /* the cipher string matches no suite */
    char **tls13_in_ciphers;     /* TLS 1.3 suite names written in the TLS 1.2 list */
    size_t n_tls13_in_ciphers;
    td_ccert *certs;
    size_t n_certs;
    /* settings written for all servers that this one replaces with its own
     * (HAProxy: a bind line's keyword over the global ssl-default-bind-*) */
    td_cset shadowed[4];
    size_t n_shadowed;
    td_cupstream *ups;
    size_t n_ups;
} td_cvhost;

/* An address:port and the virtual servers on it. */
typedef struct td_clistener {
    char addr[96];
    bool tls;
    size_t *vh;
    size_t n_vh;
    size_t def;              /* the one answering a hello whose SNI matches no name */
    /* --live: what `check` saw there (live_run false when not asked) */
    bool live_run;
    char live_target[300];   /* "127.0.0.1:443" as checked */
    char live_sni[256];      /* the name sent, "" none */
    bool live_tls;           /* a TLS handshake completed */
    char live_error[160];    /* why not */
    td_cert live_leaf;       /* the certificate it sent first (DER, owned) */
    unsigned live_versions;  /* TD_CV_* it accepted */
} td_clistener;

typedef struct td_cobs {
    td_cserver server;
    char server_version[32];     /* "1.22.1" when known, "" otherwise */
    char defaults_of[64];        /* whose defaults applied: "nginx 1.22.1" */
    char main_file[4096];
    bool from_dump;              /* read from `nginx -T` output */
    td_cfiles files;
    td_cnotes notes;
    td_cvhost *vh;
    size_t n_vh, cap_vh;
    td_clistener *ls;
    size_t n_ls, cap_ls;
    int64_t now;
    char store_name[512];
    char ca_file[4096], ca_path[4096];   /* for the verify commands */
    bool oom;
} td_cobs;

void td_cobs_free(td_cobs *o);
/* Adds a note about what was skipped or could not be followed. */
void td_cnote_add(td_cnotes *ns, td_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void td_cset_free(td_cset *s);
void td_ccert_free(td_ccert *c);
/* The versions in a mask as "TLSv1 TLSv1.1", the way nginx writes them. */
const char *td_cv_name(unsigned bit);

#endif
