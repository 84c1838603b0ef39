/* Proxies: which one to use, and the bytes a client exchanges with it
 * before the tunnel to the server is up.
 *
 * The engines are I/O-free, like lib/wire: td_proxy_start() gives the bytes
 * to send first, td_proxy_feed() takes whatever the proxy sent and says
 * whether it needs more (perhaps with more bytes to send), the tunnel is up,
 * or the proxy refused (td_proxy_fail says how, in the proxy's own terms).
 * Every byte from the proxy goes through the bounded reader td_rd.
 *
 * Schemes: http:// (HTTP CONNECT, RFC 9110 section 9.3.6, with Basic
 * credentials from the URL), socks5:// (RFC 1928, the target's address
 * resolved here) and socks5h:// (the target's name resolved by the proxy),
 * both with RFC 1929 user/password.  An https:// proxy (TLS to the proxy,
 * then the tunnel inside it) is not supported: the parser says so. */
#ifndef TD_PROXY_PROXY_H
#define TD_PROXY_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs/addr.h"
#include "wire/bytes.h"

typedef enum { TD_PROXY_NONE = 0, TD_PROXY_HTTP, TD_PROXY_SOCKS5, TD_PROXY_SOCKS5H } td_proxy_scheme;

typedef struct td_proxy {
    td_proxy_scheme scheme;
    char host[256];  /* name or IP literal, without brackets */
    uint16_t port;   /* default 1080 for SOCKS, 3128 for HTTP (curl's and Squid's) */
    char user[256];  /* percent-decoded; "" none */
    char pass[256];
    bool auth;       /* user:pass was in the URL */
} td_proxy;

/* "scheme://[user[:pass]@]host[:port][/]"; no scheme means http:// as for
 * curl.  Returns false with err filled for anything else. */
bool td_proxy_parse_url(td_proxy *px, const char *url, char *err, size_t errlen);
const char *td_proxy_scheme_name(td_proxy_scheme s); /* "http", "socks5", "socks5h" */
/* "http://host:port" without the credentials: for reports and commands. */
bool td_proxy_url(const td_proxy *px, char *buf, size_t len);
/* Whether the proxy takes the target by name (so the target is never
 * resolved here): HTTP CONNECT and socks5h. */
bool td_proxy_by_name(const td_proxy *px);

/* Looks a variable up; getenv in the command, a table in tests. */
typedef const char *(*td_env_fn)(const char *name);
/* The proxy curl would use for https://host: https_proxy, HTTPS_PROXY,
 * all_proxy, ALL_PROXY, the first set and not empty; none when no_proxy
 * (or NO_PROXY) matches host.  Returns 1 with px filled, 0 for no proxy,
 * -1 with err filled when the variable's URL is malformed; *from names the
 * variable used (or the no_proxy variable that excluded host). */
int td_proxy_from_env(td_proxy *px, const char *host, td_env_fn env, const char **from, char *err,
                      size_t errlen);
/* curl's no_proxy matching: a comma- or space-separated list; "*" matches
 * every host; a name matches itself and its subdomains (a leading dot is
 * ignored: ".example.com" and "example.com" are the same entry); an IP
 * literal matches that address, an IP with "/bits" a CIDR range; case does
 * not matter, nor a trailing dot on either side. */
bool td_no_proxy_match(const char *no_proxy, const char *host);

/* ---- the engines ------------------------------------------------------- */

/* The most an HTTP answer's status line and headers may take. */
#define TD_PROXY_MAX_HEAD 16384

typedef enum { TD_PX_MORE, TD_PX_DONE, TD_PX_FAIL } td_px_step;

typedef enum {
    TD_PXF_NONE = 0,
    TD_PXF_HTTP_STATUS,  /* CONNECT answered with a status other than 2xx */
    TD_PXF_SOCKS_METHOD, /* no authentication method acceptable (RFC 1928 section 3: X'FF') */
    TD_PXF_SOCKS_AUTH,   /* the username/password were refused (RFC 1929 section 2) */
    TD_PXF_SOCKS_REPLY,  /* the CONNECT reply's REP field is not succeeded (RFC 1928 section 6) */
    TD_PXF_MALFORMED,    /* not an answer of the protocol asked, or over its bounds */
    TD_PXF_CLOSED,       /* the proxy closed before the tunnel was up */
    TD_PXF_TIMEOUT,      /* the proxy did not answer in time (the tunnel never came up) */
    TD_PXF_REQUEST       /* the request could not be made: the target or the credentials do not fit it */
} td_pxf_kind;

typedef struct td_proxy_fail {
    td_pxf_kind kind;
    int code;               /* HTTP status; SOCKS method, status or REP */
    char reason[160];       /* the reason phrase, the SOCKS reply's name, or what was malformed */
    char authenticate[160]; /* Proxy-Authenticate (RFC 9110 section 11.7.1), "" none */
} td_proxy_fail;

const char *td_pxf_kind_name(td_pxf_kind k); /* "http-status", "socks-reply", ... */
/* RFC 1928 section 6's name of a REP value: "connection refused", ... */
const char *td_socks_reply_name(uint8_t rep);

typedef struct td_proxy_conn {
    td_proxy px;
    char host[256];         /* the target, as the proxy is told */
    uint16_t port;
    td_addr ip;             /* the target by address (socks5), when !by_name */
    bool by_name;
    int state;
    uint8_t in[TD_PROXY_MAX_HEAD]; /* bytes read and not yet parsed */
    size_t n_in;
    size_t rest_off;        /* after DONE: where the tunnel's first bytes start in in[] */
    td_proxy_fail fail;
} td_proxy_conn;

/* Sets c up to reach host:port through px: by name when the scheme takes
 * names, else by ip (which must then be given).  False when it cannot be
 * said (a name over 255 bytes, no address for socks5); c->fail says so. */
bool td_proxy_conn_init(td_proxy_conn *c, const td_proxy *px, const char *host, uint16_t port,
                        const td_addr *ip);
/* The first bytes to send.  False, with c->fail set, when they cannot be
 * written (a target with control characters, credentials too long). */
bool td_proxy_start(td_proxy_conn *c, td_wr *out);
/* Bytes the proxy sent.  MORE: wait for more, after sending whatever was
 * written to out; DONE: the tunnel is up (td_proxy_rest gives bytes of the
 * tunnel that came with the answer); FAIL: c->fail says why. */
td_px_step td_proxy_feed(td_proxy_conn *c, const uint8_t *data, size_t len, td_wr *out);
/* The proxy closed, or went quiet: records it as the failure when the
 * tunnel was not up yet.  Returns FAIL then, DONE when it was up. */
td_px_step td_proxy_end(td_proxy_conn *c, bool timeout);
/* After DONE: bytes of the tunnel read together with the proxy's answer. */
size_t td_proxy_rest(const td_proxy_conn *c, const uint8_t **p);

/* ---- as a lead-in of the scheduler (net/leadin.h) -------------------------- */

/* What the proxy did to the connections of a check. */
typedef struct td_proxy_stats {
    unsigned up;          /* tunnels that came up */
    unsigned refused;     /* connections the proxy refused */
    td_proxy_fail first;  /* the first refusal */
} td_proxy_stats;

/* One proxy, for every connection of a scheduler run. */
typedef struct td_proxy_leadin_cfg {
    td_proxy px;
    char host[256];        /* the target, as the proxy is told when it takes names */
    uint16_t port;
    td_proxy_stats *stats; /* each connection adds to it (the scheduler runs on one thread) */
} td_proxy_leadin_cfg;

struct td_leadin_ops;
/* The engine for px's scheme ("http-connect", "socks5", "socks5h"); the
 * target's address (socks5) is the job's. */
const struct td_leadin_ops *td_proxy_leadin_ops(td_proxy_scheme scheme);

/* One line ("status 407 Proxy Authentication Required", "SOCKS reply 5
 * (connection refused)") for reports. */
bool td_proxy_fail_text(const td_proxy_fail *f, char *buf, size_t len);

#endif
