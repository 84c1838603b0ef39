/* Observations: the facts a check collects, before anything is concluded.
 *
 * Probes fill this in from what the network showed; the rules read it and
 * nothing else; the reporters print its raw parts beside the findings.  The
 * pcap reader will fill the same structure from a capture. */
#ifndef TD_OBS_OBS_H
#define TD_OBS_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert.h"
#include "obs/addr.h"
#include "proxy/proxy.h"
#include "registry/clients.h"
#include "wire/flight.h"

#define TD_MAX_ADDRS   16
#define TD_MAX_SUITES  400
#define TD_MAX_GROUPS  64
#define TD_NVERSIONS   6    /* SSLv2, SSLv3, TLS 1.0, 1.1, 1.2, 1.3 */

/* Index of a version in the per-version arrays. */
int td_vidx(uint16_t version);      /* -1 when not one of the six */
uint16_t td_vat(int idx);           /* TD_SSL2 .. TD_TLS13 */

typedef enum { TD_UNKNOWN = 0, TD_YES, TD_NO } td_tri;

/* What one probe connection ended in. */
typedef enum {
    TD_OUT_NOT_RUN,
    TD_OUT_HELLO,           /* ServerHello: the server accepted */
    TD_OUT_HRR,             /* HelloRetryRequest */
    TD_OUT_SSLV2,           /* SSLv2 SERVER-HELLO */
    TD_OUT_ALERT,           /* TLS alert instead of a ServerHello */
    TD_OUT_RESET,           /* TCP RST after the ClientHello, no alert */
    TD_OUT_CLOSED,          /* FIN after the ClientHello, no alert */
    TD_OUT_TIMEOUT,         /* connected, no answer to the ClientHello */
    TD_OUT_REFUSED,
    TD_OUT_CONNECT_TIMEOUT,
    TD_OUT_UNREACHABLE,
    TD_OUT_NOT_TLS,
    TD_OUT_MALFORMED,       /* TLS framing, broken content */
    TD_OUT_DEADLINE,        /* not finished before the run's deadline */
    TD_OUT_ERROR,           /* local/internal failure */
    TD_OUT_LEADIN,          /* a lead-in (proxy, STARTTLS) refused the connection before
                               the hello: td_attempt.leadin and error say which and why */
    TD_OUT_LIMITED          /* cut (reset, closed, unanswered, refused) every time it was
                               tried while the server was cutting connections it answers
                               at other times: not tested (lib/probe/confirm.c) */
} td_outcome;

const char *td_outcome_name(td_outcome o); /* "hello", "alert", "reset", ... */
/* An outcome that says nothing about how the server treats the hello:
 * never run, cut short by the deadline, a local error, or LIMITED. */
bool td_outcome_untold(td_outcome o);

/* How a connection that was cut (reset, closed, left unanswered or
 * refused, no byte back) was checked before it counted: the same bytes
 * again on a fresh connection after a pause (lib/probe/confirm.c). */
typedef struct td_retry {
    unsigned tries;          /* connections the probe took; 0 or 1: asked once */
    td_outcome first_out;    /* how the first ended, when tries > 1 */
    bool confirmed;          /* the cut repeated, while the server kept answering: it stands */
} td_retry;

/* One probe: what was offered, and what came back. */
typedef struct td_attempt {
    td_outcome out;
    /* offered */
    uint16_t offered_version;
    size_t offered_suites;
    size_t hello_len;          /* bytes of the ClientHello record(s) */
    bool offered_sni;
    /* answered */
    uint16_t version, suite, group;
    uint16_t legacy_version;
    uint8_t alert_level, alert_desc;
    uint8_t downgrade;
    bool reneg_info, reneg_info_empty;
    char alpn[64];
    const char *protocol;      /* for NOT_TLS: "HTTP", "SSH", ... or NULL */
    const char *leadin;        /* the lead-in that failed, or was waiting when the
                                  connection ended ("smtp"), NULL none */
    uint8_t first[TD_FLIGHT_FIRST_BYTES];
    size_t n_first;
    char error[TD_FLIGHT_ERROR_LEN]; /* for MALFORMED: where, and the rule broken */
    int sys_errno;
    double connect_ms, first_ms, total_ms;
    double leadin_ms;          /* the lead-ins (STARTTLS) after the connect, -1 none or unfinished */
    size_t bytes_in;           /* bytes the server sent: > 0 on a TIMEOUT is a drip */
    /* The first flight ran to ServerHelloDone, parsed cleanly and fit the
     * offer: a handshake a client can finish (below TLS 1.3; a TLS 1.3
     * flight is encrypted past the ServerHello, td_hs.done says it). */
    bool complete;
    td_retry retry;
} td_attempt;

struct td_starttls_info;

typedef struct td_cert {
    uint8_t *der;
    size_t len;
} td_cert;
static inline td_der td_cert_der(const td_cert *c)
{
    return (td_der){ c->der, c->len };
}

#define TD_MAX_BACKENDS 16
#define TD_HS_MAX_CANAMES 16

/* One full handshake through OpenSSL (the local library's own client),
 * used where the handshake must go further than the first flight: the TLS
 * 1.3 certificate chain, OCSP staples, client certificates, ALPN,
 * resumption, and comparing backends. */
typedef struct td_hs {
    td_outcome out;            /* NOT_RUN; HELLO = completed; ALERT; RESET; CLOSED; TIMEOUT; REFUSED ... */
    bool done;                 /* the handshake completed */
    char addr[64];             /* address connected to */
    char sni[256];             /* SNI sent, "" none */
    uint16_t version, suite;
    char alpn[64];             /* negotiated protocol, "" none */
    int alert_received;        /* -1 none */
    int alert_sent;            /* -1 none */
    char error[160];           /* why it failed, "" when it did not */
    bool violation;            /* the server broke the protocol (error says how) */
    td_cert chain[TD_FLIGHT_MAX_CERTS]; /* as sent, in order (DER, owned) */
    size_t n_chain;
    bool ocsp_stapled;         /* a CertificateStatus / status_request response arrived */
    int ocsp_status;           /* -1 none or unparseable, else V_OCSP_CERTSTATUS_GOOD/REVOKED/UNKNOWN */
    bool cert_request;         /* the server asked for a client certificate */
    char ca_names[TD_HS_MAX_CANAMES][256]; /* acceptable CA names it sent (RFC 2253) */
    size_t n_ca_names;
    bool client_cert_sent;     /* we presented --cert: the server asked for a certificate */
    bool resumed;              /* SSL_session_reused */
    bool ticket;               /* the session carries a ticket */
    bool session_id;           /* the session carries a non-empty id */
    double ms;
    td_retry retry;
} td_hs;

/* The trust store the user named (--ca-file, --ca-path), as given: both
 * empty is the system store.  What a verify command passes to judge trust
 * the way the check did; the store's display text is td_obs.store_name. */
typedef struct td_store_opts {
    char ca_file[4096];
    char ca_path[4096];
} td_store_opts;

static inline bool td_store_opts_given(const td_store_opts *s)
{
    return s->ca_file[0] || s->ca_path[0];
}

#define TD_MAX_CLIENTS 64

/* A server (or a device before it) that cuts connections it answers at
 * other times: a limit on connections per time, or one that drops some at
 * random.  What lib/probe/confirm.c saw, and what the check did about it. */
typedef struct td_limit {
    unsigned answered_first;   /* connections answered before the first cut */
    td_outcome first_cut;      /* how that one ended (NOT_RUN: nothing was cut) */
    double first_cut_ms;       /* when it started, ms into the check */
    unsigned cuts;             /* connections cut while the server answered others */
    unsigned vanished;         /* probes that were cut, then answered when asked again */
    unsigned blocks;           /* spells in which every connection was cut, then answered again */
    bool random;               /* cuts between answers, not explained by a spell */
    double quick_step_s;       /* then silence was a cut after this long; 0: the step timeout stayed */
    double block_ms;           /* the longest spell, from its first cut to the next answer */
    double rate;               /* connections a second the check slowed to; 0: it did not */
    double user_rate;          /* the rate asked for (--rate), 0 none */
    unsigned limited;          /* probes that ended LIMITED */
} td_limit;

/* One client profile's ClientHello sent to the server, and the answer. */
typedef struct td_sim {
    const td_client *client;   /* the profile (static data) */
    td_attempt hello;          /* what the server answered */
    uint16_t dh_bits;          /* DHE prime in its ServerKeyExchange, 0 if none */
    uint16_t ske_group;        /* ECDHE curve in its ServerKeyExchange, 0 if none */
} td_sim;

/* The proxy every connection of the check went through. */
typedef struct td_obs_proxy {
    bool used;
    td_proxy_scheme scheme;
    char url[300];             /* "http://host:port", never the credentials */
    char hostport[300];        /* "host:port", as curl -x and s_client -proxy take it */
    char from[32];             /* "--proxy", "https_proxy", ... */
    bool auth;                 /* credentials were given */
    char user[256];            /* their user name (never the password), for commands */
    char dns_error[160];       /* the proxy's own name did not resolve */
    char addr[64];             /* the proxy's address */
    const char *leadin;        /* its lead-in's name, as td_attempt.leadin carries it */
    td_proxy_stats stats;      /* tunnels up, refusals, the first refusal */
    /* The full handshake again without the proxy, to compare the chain
     * (TLS_INTERCEPTED); out NOT_RUN when not tried, direct_note says why. */
    td_hs direct;
    char direct_note[240];
} td_obs_proxy;

#define TD_MAX_PINS 8

/* What the user expects the server's certificate to be (--expect-issuer,
 * --pin): a certificate from elsewhere is intercepted. */
typedef struct td_obs_expect {
    char issuer[256];          /* a part of the issuing CA's name, "" none */
    uint8_t pins[TD_MAX_PINS][32]; /* SHA-256 of the leaf's SubjectPublicKeyInfo, as curl's --pinnedpubkey */
    size_t n_pins;
} td_obs_expect;

typedef struct td_obs {
    /* the target */
    char host[256];
    uint16_t port;
    char sni[256];             /* "" = no SNI sent */
    bool host_is_ip;
    /* the upgrade every connection went through before its hello
     * (lib/starttls), NULL none; auto: chosen from the port's greeting
     * (NOT_TLS of a first check without it), not asked for */
    const struct td_starttls_info *starttls;
    bool starttls_auto;
    char starttls_banner[16]; /* with auto: the protocol the greeting showed ("SMTP") */
    /* NOT_TLS whose greeting picked an upgrade that then failed: how ("smtp:
     * STARTTLS not in the EHLO answer"); the observations are the first
     * check's, without the upgrade */
    char starttls_tried[240];

    /* reaching it */
    char dns_error[160];       /* non-empty: resolution failed */
    td_addr addrs[TD_MAX_ADDRS];
    size_t n_addrs;
    int addr_used;             /* index into addrs of the address probed */

    /* the first, modern hello (TLS 1.3 + 1.2, every suite, SNI as configured) */
    td_attempt baseline;
    /* the same hello without SNI; out == NOT_RUN when no SNI is configured */
    td_attempt nosni;

    /* per version: a hello offering only that version and every suite of it */
    td_attempt ver[TD_NVERSIONS];
    td_tri version_ok[TD_NVERSIONS];
    /* accepted suites per version, in the server's preference order when it
     * has one (server_order YES), else in registry order */
    uint16_t suites[TD_NVERSIONS][TD_MAX_SUITES];
    size_t n_suites[TD_NVERSIONS];
    td_tri server_order[TD_NVERSIONS];
    bool suites_complete[TD_NVERSIONS]; /* enumeration ran to the end */
    uint32_t v2_specs[TD_FLIGHT_MAX_V2SPECS]; /* SSLv2 cipher specs the server listed */
    size_t n_v2_specs;

    /* groups the server accepts (TLS 1.3 key exchange, and ECDHE curves seen
     * in TLS 1.2 ServerKeyExchange), in its preference order */
    uint16_t groups[TD_MAX_GROUPS];
    size_t n_groups;
    bool groups_complete;
    uint16_t dh_bits_min;      /* smallest finite-field DH prime seen, 0 = no DHE */
    uint16_t dh_bits_max;

    /* version intolerance: the same server, asked old-style vs new-style */
    td_attempt oldstyle;       /* TLS 1.0-style hello: no extensions, short suite list */
    td_attempt bighello;       /* TLS 1.2 hello padded past 512 bytes, many extensions */
    td_attempt futurever;      /* supported_versions offering a future version first */

    td_tri fallback_scsv;      /* RFC 7507: inappropriate_fallback on a downgraded hello */
    td_attempt fallback;       /* the probe that decided it */
    td_tri secure_reneg;       /* RFC 5746 renegotiation_info in the ServerHello */

    /* mutual TLS, as seen in a TLS 1.2 CertificateRequest */
    bool cert_request;
    uint8_t *ca_names[TD_FLIGHT_MAX_CANAMES];
    size_t ca_name_len[TD_FLIGHT_MAX_CANAMES];
    size_t n_ca_names;

    /* the certificate chain as sent in TLS 1.2 and below (best available) */
    td_cert certs[TD_FLIGHT_MAX_CERTS];
    size_t n_certs;
    uint16_t certs_version;    /* version the chain was seen with */

    /* ---- full handshakes (certificates, identity, sessions) ---- */
    td_hs hs;                  /* SNI as configured, first address */
    td_hs hs_nosni;            /* no SNI; NOT_RUN when no SNI is configured */
    td_hs hs_client;           /* presenting --cert/--key; NOT_RUN without them */
    td_hs hs_resume;           /* offering hs's session again; NOT_RUN when nothing to resume */
    td_hs backends[TD_MAX_BACKENDS]; /* every address once, then --repeat more to the first */
    size_t n_backends;
    char alpn_offered[1024];   /* --alpn as given, "" none */
    bool client_cert_given;

    /* certificate verdicts, computed from hs.chain (or the TLS 1.2 chain)
     * with the trust store; the rules only read them */
    char store_name[300];      /* which store the verdicts used, as reports print it */
    td_store_opts store;       /* the same store as options; filled with store_name */
    char store_error[160];     /* the store could not be loaded */
    int64_t now;               /* the time the verdicts were made for */
    int warn_days;
    td_path path;              /* strict clients: chain as sent + store */
    td_path path_aia;          /* browsers: + the issuer fetched via AIA; verdict set only if tried */
    bool aia_tried;
    char aia_url[512];
    char aia_error[160];       /* "" when the fetch worked */
    td_cert aia_cert;          /* the fetched issuer (DER), len 0 if none */

    /* Answers that broke the protocol without an alert (malformed records
     * or messages, a flight cut short, a version, suite or group the hello
     * never offered): how many of the probes' hellos got one, and the first
     * (out MALFORMED, error naming the offset and the rule).  A full
     * handshake that sees one sets its td_hs.violation instead. */
    unsigned n_violations;
    td_attempt violation;

    /* ---- client simulation: each profile's own hello ---- */
    td_sim sims[TD_MAX_CLIENTS];
    size_t n_sims;
    bool clients_filtered;     /* --client named some; only those ran */
    td_client_level clients_level; /* --clients: the oldest clients the server means to serve */

    td_limit limit;

    td_obs_proxy proxy;
    char proxy_bypass[32];     /* --proxy-env: the no_proxy variable that sent the check direct, "" */
    td_obs_expect expect;

    /* bookkeeping */
    unsigned connections;
    double elapsed_ms;
    bool deadline_hit;
} td_obs;

/* Some handshake completed: a full handshake (td_hs.done), or a first
 * flight below TLS 1.3 that ran to ServerHelloDone, parsed cleanly and
 * fit its offer (td_attempt.complete).  A ServerHello alone is no
 * completed handshake: a server may answer with one and still never let
 * a client through. */
bool td_obs_handshake_done(const td_obs *o);

void td_obs_init(td_obs *o);
void td_obs_free(td_obs *o);
void td_hs_init(td_hs *h);
void td_hs_free(td_hs *h);

#endif
