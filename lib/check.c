#include "check.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/tlspipe.h"
#include "probe/probe.h"
#include "registry/clients.h"
#include "starttls/starttls.h"
#include "util/hostport.h"
#include "util/str.h"

#define DNS_PORT          53
#define DEFAULT_TIMEOUT   5.0
#define DEFAULT_DEADLINE  60.0
#define DEFAULT_MAX_CONNS 8u
#define DEFAULT_REPEAT    4u
#define DEFAULT_WARN_DAYS 21

#define MIN_STEP_S   0.05
#define MAX_STEP_S   300.0
#define MAX_DEADLINE 3600.0
#define MAX_CONNS    256u
#define MAX_REPEAT   64u
#define MAX_WARN_DAYS 3650u
#define MIN_RATE     0.05
#define MAX_RATE     1000.0

/* How much of what the user typed is echoed back in an error. */
#define ECHO_MAX "80"

const char *td_version(void)
{
    return TLSDIAG_VERSION;
}

/* Records why the caller's input was refused, for td_options_error(). */
static td_status bad(td_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static td_status bad(td_options *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->error, sizeof o->error, fmt, ap);
    va_end(ap);
    return TD_ERR_USAGE;
}

/* The check could not run, and not for anything the caller gave. */
static td_status internal_error(td_options *o)
{
    snprintf(o->error, sizeof o->error, "the check could not run (out of memory or event loop failure)");
    return TD_ERR_INTERNAL;
}

/* Each call that can fail starts afresh, so the error is the last call's. */
static void clear_error(td_options *o)
{
    o->error[0] = '\0';
}

td_options *td_options_new(void)
{
    td_options *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->target.port = td_starttls_port(NULL);
    o->timeout_s = DEFAULT_TIMEOUT;
    o->deadline_s = DEFAULT_DEADLINE;
    o->max_conns = DEFAULT_MAX_CONNS;
    o->repeat = DEFAULT_REPEAT;
    o->warn_days = DEFAULT_WARN_DAYS;
    o->clients_level = TD_LEVEL_DEFAULT;
    return o;
}

void td_options_free(td_options *o)
{
    free(o);
}

const char *td_options_error(const td_options *o)
{
    return o && o->error[0] ? o->error : NULL;
}

/* A host name as DNS and SNI accept it: labels of 1-63 letters, digits,
 * '-' or '_', 253 characters in all.  A single trailing dot (as dig prints
 * names) is tolerated by the caller, not here. */
static td_status check_dns_name(td_options *o, const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return bad(o, "empty host name");
    if (n > 253)
        return bad(o, "host name is %zu characters long; DNS allows at most 253", n);
    bool only_digits_and_dots = true;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == '\0') {
            if (label == 0)
                return bad(o, "empty label in host name '%." ECHO_MAX "s'", s);
            if (label > 63)
                return bad(o, "a label in '%." ECHO_MAX "s' is %zu characters long; DNS allows at most 63", s,
                           label);
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok && c > 0x20 && c < 0x7f)
            return bad(o, "invalid character '%c' in host name '%." ECHO_MAX "s'", c, s);
        if (!ok)
            return bad(o, "invalid byte 0x%02x in host name", c);
        if (c < '0' || c > '9')
            only_digits_and_dots = false;
        label++;
    }
    /* No top-level domain is numeric, so this was meant as an IPv4 address
     * and sending it to DNS would only produce a confusing "no such host". */
    if (only_digits_and_dots)
        return bad(o, "'%." ECHO_MAX "s' is not a valid IPv4 address", s);
    return TD_OK;
}

td_status td_options_set_target(td_options *o, const char *target)
{
    clear_error(o);
    if (!target || !*target)
        return bad(o, "empty target: give HOST[:PORT]");
    if (strlen(target) >= sizeof o->target.host + 8)
        return bad(o, "target is too long");
    if (strstr(target, "://"))
        return bad(o, "'%." ECHO_MAX "s' is a URL: give HOST[:PORT] instead, e.g. example.com:443", target);

    td_target t;
    bool v6;
    if (td_split_host_port(target, "target", t.host, sizeof t.host, &t.port, &v6, o->error, sizeof o->error) != 0)
        return TD_ERR_USAGE;
    bool given = t.port != 0;
    if (!given)
        t.port = td_starttls_port(o->starttls);
    t.host_is_ip = v6 || td_is_ipv4(t.host);
    if (!t.host_is_ip) {
        size_t n = strlen(t.host);
        if (n > 1 && t.host[n - 1] == '.')
            t.host[n - 1] = '\0'; /* SNI must not carry the root dot (RFC 6066 section 3) */
        if (check_dns_name(o, t.host) != TD_OK)
            return TD_ERR_USAGE;
    }
    o->target = t;
    o->port_given = given;
    return TD_OK;
}

td_status td_options_set_sni(td_options *o, const char *name)
{
    clear_error(o);
    if (!name || !*name)
        return bad(o, "empty SNI name (use --no-sni to send none)");
    if (td_is_ipv4(name) || td_is_ipv6(name))
        return bad(o, "SNI must be a DNS name, not an IP address (RFC 6066 section 3)");
    if (strlen(name) >= sizeof o->sni)
        return bad(o, "SNI name is too long");
    if (check_dns_name(o, name) != TD_OK)
        return TD_ERR_USAGE;
    snprintf(o->sni, sizeof o->sni, "%s", name);
    o->sni_set = true;
    return TD_OK;
}

void td_options_set_no_sni(td_options *o, bool no_sni)
{
    o->no_sni = no_sni;
}

/* Readable now, so a typo is a usage error at once rather than a confusing
 * observation after a minute of probing.  what names the file in errors
 * ("CA file"); a directory must also be searchable, since OpenSSL looks
 * certificates up in it by hashed name. */
static td_status check_path(td_options *o, const char *path, const char *what, bool dir, size_t dstlen)
{
    if (!path || !*path)
        return bad(o, "empty %s name", what);
    if (strlen(path) >= dstlen)
        return bad(o, "%s path is too long", what);
    struct stat st;
    if (stat(path, &st) != 0)
        return bad(o, "cannot read %s '%s': %s", what, path, strerror(errno));
    if (dir && !S_ISDIR(st.st_mode))
        return bad(o, "%s '%s' is not a directory", what, path);
    if (!dir && !S_ISREG(st.st_mode))
        return bad(o, "%s '%s' is not a regular file", what, path);
    if (access(path, dir ? R_OK | X_OK : R_OK) != 0)
        return bad(o, "cannot read %s '%s': %s", what, path, strerror(errno));
    return TD_OK;
}

td_status td_options_set_ca_file(td_options *o, const char *path)
{
    clear_error(o);
    if (check_path(o, path, "CA file", false, sizeof o->ca_file) != TD_OK)
        return TD_ERR_USAGE;
    snprintf(o->ca_file, sizeof o->ca_file, "%s", path);
    return TD_OK;
}

td_status td_options_set_ca_path(td_options *o, const char *dir)
{
    clear_error(o);
    if (check_path(o, dir, "CA directory", true, sizeof o->ca_path) != TD_OK)
        return TD_ERR_USAGE;
    snprintf(o->ca_path, sizeof o->ca_path, "%s", dir);
    return TD_OK;
}

td_status td_options_set_client_cert(td_options *o, const char *cert_file, const char *key_file)
{
    clear_error(o);
    if (!cert_file || !key_file)
        return bad(o, "a client certificate needs its private key: give --cert and --key together");
    if (check_path(o, cert_file, "client certificate", false, sizeof o->cert_file) != TD_OK ||
        check_path(o, key_file, "client key", false, sizeof o->key_file) != TD_OK)
        return TD_ERR_USAGE;
    snprintf(o->cert_file, sizeof o->cert_file, "%s", cert_file);
    snprintf(o->key_file, sizeof o->key_file, "%s", key_file);
    return TD_OK;
}

/* RFC 7301 section 3.1: each protocol name is 1 to 255 bytes.  Only
 * printable ASCII without spaces is accepted: every registered name is, and
 * "h2, http/1.1" would otherwise offer " http/1.1" without a word. */
td_status td_options_set_alpn(td_options *o, const char *list)
{
    clear_error(o);
    if (!list || !*list)
        return bad(o, "empty ALPN list: give protocol names separated by commas, e.g. h2,http/1.1");
    size_t n = strlen(list);
    if (n >= sizeof o->alpn)
        return bad(o, "ALPN list is %zu characters long; at most %zu are supported", n, sizeof o->alpn - 1);
    size_t len = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)list[i];
        if (c == ',' || c == '\0') {
            if (len == 0)
                return bad(o, "empty protocol name in ALPN list '%." ECHO_MAX "s'", list);
            if (len > 255)
                return bad(o, "an ALPN protocol name is %zu bytes long; at most 255 are allowed", len);
            len = 0;
            continue;
        }
        if (c == ' ')
            return bad(o, "space in ALPN list '%." ECHO_MAX "s': separate names with commas only", list);
        if (c < 0x20 || c >= 0x7f)
            return bad(o, "invalid byte 0x%02x in ALPN list: names are printable ASCII", c);
        len++;
    }
    snprintf(o->alpn, sizeof o->alpn, "%s", list);
    return TD_OK;
}

td_status td_options_set_starttls(td_options *o, const char *protocol)
{
    clear_error(o);
    const td_starttls_info *st = NULL;
    if (protocol && *protocol && !(st = td_starttls_find(protocol)))
        return bad(o, "unknown STARTTLS protocol '%." ECHO_MAX "s': one of %s", protocol, td_starttls_names());
    o->starttls = st;
    /* A target without a port is on the protocol's usual one: "check
     * --starttls smtp mail.example.com" means port 25, not 443. */
    if (!o->port_given)
        o->target.port = td_starttls_port(st);
    return TD_OK;
}

td_status td_options_set_repeat(td_options *o, unsigned n)
{
    clear_error(o);
    if (n < 1 || n > MAX_REPEAT)
        return bad(o, "repeat must be between 1 and %u handshakes", MAX_REPEAT);
    o->repeat = n;
    return TD_OK;
}

td_status td_options_set_warn_days(td_options *o, unsigned days)
{
    clear_error(o);
    if (days > MAX_WARN_DAYS)
        return bad(o, "warn days must be between 0 and %u", MAX_WARN_DAYS);
    o->warn_days = (int)days;
    return TD_OK;
}

void td_options_set_show_certs(td_options *o, bool show)
{
    o->show_certs = show;
}

void td_options_set_no_aia(td_options *o, bool no_aia)
{
    o->no_aia = no_aia;
}

static td_status set_seconds(td_options *o, double *dst, double v, double min, double max, const char *what)
{
    clear_error(o);
    if (!isfinite(v) || v < min || v > max)
        return bad(o, "%s must be between %g and %g seconds", what, min, max);
    *dst = v;
    return TD_OK;
}

td_status td_options_set_timeout(td_options *o, double seconds)
{
    return set_seconds(o, &o->timeout_s, seconds, MIN_STEP_S, MAX_STEP_S, "timeout");
}

td_status td_options_set_deadline(td_options *o, double seconds)
{
    return set_seconds(o, &o->deadline_s, seconds, MIN_STEP_S, MAX_DEADLINE, "deadline");
}

td_status td_options_set_max_connections(td_options *o, unsigned n)
{
    clear_error(o);
    if (n < 1 || n > MAX_CONNS)
        return bad(o, "max connections must be between 1 and %u", MAX_CONNS);
    o->max_conns = n;
    o->max_conns_set = true;
    return TD_OK;
}

td_status td_options_set_rate(td_options *o, double per_second)
{
    clear_error(o);
    if (!isfinite(per_second) || (per_second != 0 && (per_second < MIN_RATE || per_second > MAX_RATE)))
        return bad(o, "rate must be 0 (no limit) or between %g and %g new connections a second", MIN_RATE,
                   MAX_RATE);
    o->rate = per_second;
    return TD_OK;
}

td_status td_options_set_dns_server(td_options *o, const char *server)
{
    clear_error(o);
    if (!server || !*server)
        return bad(o, "empty DNS server");
    char ip[64];
    uint16_t port;
    bool v6;
    if (td_split_host_port(server, "DNS server", ip, sizeof ip, &port, &v6, o->error, sizeof o->error) != 0)
        return TD_ERR_USAGE;
    td_addr a;
    if (!td_addr_from_ip(ip, port ? port : DNS_PORT, &a))
        return bad(o, "DNS server must be an IP address, IP:PORT or [IPv6]:PORT, not '%." ECHO_MAX "s'", server);
    o->dns_server = a;
    o->dns_server_set = true;
    return TD_OK;
}

td_status td_options_set_proxy(td_options *o, const char *url)
{
    clear_error(o);
    if (!url || !*url)
        return bad(o, "empty proxy URL");
    char err[200];
    td_proxy px;
    if (!td_proxy_parse_url(&px, url, err, sizeof err))
        return bad(o, "%s", err);
    o->proxy = px;
    return TD_OK;
}

void td_options_set_proxy_env(td_options *o, bool use)
{
    o->proxy_env = use;
}

td_status td_options_set_proxy_cacert(td_options *o, const char *path)
{
    clear_error(o);
    if (check_path(o, path, "proxy CA file", false, sizeof o->proxy_cacert) != TD_OK)
        return TD_ERR_USAGE;
    char err[200];
    SSL_CTX *ctx = td_tlspipe_ctx(path, false, err, sizeof err);
    if (!ctx)
        return bad(o, "--proxy-cacert %s", err);
    SSL_CTX_free(ctx);
    snprintf(o->proxy_cacert, sizeof o->proxy_cacert, "%s", path);
    return TD_OK;
}

void td_options_set_proxy_insecure(td_options *o, bool insecure)
{
    o->proxy_insecure = insecure;
}

td_status td_options_set_expect_issuer(td_options *o, const char *name)
{
    clear_error(o);
    if (!name || !*name || strlen(name) >= sizeof o->expect.issuer)
        return bad(o, "the expected issuer must be 1 to %zu characters", sizeof o->expect.issuer - 1);
    snprintf(o->expect.issuer, sizeof o->expect.issuer, "%s", name);
    return TD_OK;
}

td_status td_options_add_pin(td_options *o, const char *pins)
{
    clear_error(o);
    td_obs_expect e = o->expect;
    for (const char *p = pins ? pins : ""; ; p++) {
        size_t n = strcspn(p, ";");
        if (e.n_pins == TD_MAX_PINS)
            return bad(o, "at most %d pins", TD_MAX_PINS);
        if (!td_pin_parse(p, n, e.pins[e.n_pins++]))
            return bad(o, "a pin is sha256// and the base64 of a SHA-256 (44 characters), not '%.*s'",
                       (int)(n > 60 ? 60 : n), p);
        p += n;
        if (!*p)
            break;
    }
    o->expect = e;
    return TD_OK;
}

td_status td_options_add_client(td_options *o, const char *id)
{
    clear_error(o);
    if (!id || !*id)
        return bad(o, "empty client name: 'tlsdiag check --client list' lists the profiles");
    /* Profile ids are lower case; people type "Java-8" too. */
    char low[64];
    size_t n = strlen(id);
    if (n >= sizeof low)
        return bad(o, "unknown client '%." ECHO_MAX "s': 'tlsdiag check --client list' lists the profiles", id);
    for (size_t i = 0; i <= n; i++)
        low[i] = (id[i] >= 'A' && id[i] <= 'Z') ? (char)(id[i] - 'A' + 'a') : id[i];
    const td_client *c = td_client_by_id(low);
    if (!c || !c->id)
        return bad(o, "unknown client '%." ECHO_MAX "s': 'tlsdiag check --client list' lists the profiles", id);
    for (size_t i = 0; i < o->n_clients; i++)
        if (strcmp(o->clients[i], c->id) == 0)
            return TD_OK;
    if (o->n_clients >= TD_MAX_CLIENTS)
        return bad(o, "too many --client options: at most %d", TD_MAX_CLIENTS);
    o->clients[o->n_clients++] = c->id;
    return TD_OK;
}

td_status td_options_set_clients_level(td_options *o, const char *level)
{
    clear_error(o);
    td_client_level l;
    if (td_client_level_parse(level, &l) != 0)
        return bad(o, "unknown client level '%." ECHO_MAX "s': use modern, intermediate or old", level ? level : "");
    o->clients_level = l;
    return TD_OK;
}

int td_write_client_list(FILE *f)
{
    if (!f)
        return -1;
    size_t n = td_client_count(), idw = 0, namew = 0;
    for (size_t i = 0; i < n; i++) {
        const td_client *c = td_client_at(i);
        if (!c || !c->id)
            continue;
        size_t a = strlen(c->id), b = c->name ? strlen(c->name) : 0;
        idw = a > idw ? a : idw;
        namew = b > namew ? b : namew;
    }
    /* Aligned for people; the id stays the first word for scripts. */
    idw = idw > 40 ? 40 : idw;
    namew = namew > 60 ? 60 : namew;
    for (size_t i = 0; i < n; i++) {
        const td_client *c = td_client_at(i);
        if (!c || !c->id)
            continue;
        const char *store = td_store_kind_name(c->store);
        if (fprintf(f, "%-*s  %-*s  trust store: %s\n", (int)idw, c->id, (int)namew, c->name ? c->name : "",
                    store ? store : "?") < 0)
            return -1;
    }
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* The name to send: --no-sni wins, then --sni, then the target unless it
 * is an address (RFC 6066 forbids IP literals in server_name). */
static const char *effective_sni(const td_options *o)
{
    if (o->no_sni)
        return "";
    if (o->sni_set)
        return o->sni;
    if (o->target.host_is_ip)
        return "";
    return o->target.host;
}

/* Connections open at once.  Through an upgrade each connection first
 * spends round trips on the protocol's plain-text exchange (SMTP: the
 * greeting, EHLO, STARTTLS; RFC 2920 section 3.1 and RFC 3207 let none be
 * pipelined), during which the server holds a waiting session and no TLS
 * state.  Unless --max-connections says otherwise twice the default is
 * kept open, so those round trips overlap instead of adding up. */
static unsigned upgrade_conns(const td_options *o, const td_starttls_info *st)
{
    if (o->max_conns_set || !st || !st->ops)
        return o->max_conns;
    return o->max_conns * 2;
}

void td_check_probe_cfg(const td_options *o, td_probe_cfg *cfg)
{
    const char *sni = effective_sni(o);
    *cfg = (td_probe_cfg){
        .target = o->target,
        .sni = sni[0] ? sni : NULL,
        .dns_server = o->dns_server_set ? &o->dns_server : NULL,
        .sched = { .max_conns = upgrade_conns(o, o->starttls), .step_timeout_s = o->timeout_s, .deadline_s = o->deadline_s,
                   .rate = o->rate },
        .ca_file = o->ca_file[0] ? o->ca_file : NULL,
        .ca_path = o->ca_path[0] ? o->ca_path : NULL,
        .cert_file = o->cert_file[0] ? o->cert_file : NULL,
        .key_file = o->key_file[0] ? o->key_file : NULL,
        .alpn = o->alpn[0] ? o->alpn : NULL,
        .repeat = o->repeat,
        .warn_days = o->warn_days,
        .no_aia = o->no_aia,
        .clients = o->n_clients ? o->clients : NULL,
        .n_clients = o->n_clients,
        .starttls = o->starttls,
    };
}

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

/* --proxy, else with --proxy-env the one curl would take for the target. */
static td_status choose_proxy(td_options *o, td_probe_cfg *cfg, char *bypass, size_t bypass_len, td_proxy *px)
{
    if (o->proxy.scheme != TD_PROXY_NONE) {
        *px = o->proxy;
        cfg->proxy = px;
        cfg->proxy_from = "--proxy";
    } else if (o->proxy_env) {
        const char *from = NULL;
        char err[240];
        int rc = td_proxy_from_env(px, o->target.host, env_lookup, &from, err, sizeof err);
        if (rc < 0)
            return bad(o, "%s", err);
        if (rc > 0) {
            cfg->proxy = px;
            cfg->proxy_from = from;
        } else if (from) {
            snprintf(bypass, bypass_len, "%s", from);
        }
    }
    cfg->proxy_cacert = o->proxy_cacert[0] ? o->proxy_cacert : NULL;
    cfg->proxy_insecure = o->proxy_insecure;
    /* A missing issuer is fetched from its own server, which a tunnel to
     * the target cannot reach. */
    if (cfg->proxy)
        cfg->no_aia = true;
    return TD_OK;
}

/* A port that greets in a protocol with one way to upgrade is checked again
 * through it, and the report says the upgrade was chosen.  td_check runs
 * the second probe run at once, a pooled check when its first run is over;
 * both decide and merge here, so the two agree. */
typedef struct upgrade {
    const td_starttls_info *st; /* the upgrade the greeting asks for */
    td_obs *again;              /* the second run's observations, until merged */
    unsigned conns;             /* what cfg had before, put back afterwards */
    double deadline_s;
} upgrade;

/* Whether the first run calls for a second through the greeting's upgrade:
 * none was asked for, the port is no TLS port, and its greeting names a
 * protocol with one way to upgrade.  If so, cfg is set for that run into
 * u->again and 1 is returned; 0 when not; -1 when out of memory. */
static int upgrade_begin(const td_options *o, td_probe_cfg *cfg, const td_obs *first, upgrade *u)
{
    *u = (upgrade){ .st = NULL };
    if (o->starttls || first->baseline.out != TD_OUT_NOT_TLS)
        return 0;
    u->st = td_starttls_for_banner(first->baseline.protocol);
    if (!u->st)
        return 0;
    u->again = malloc(sizeof *u->again);
    if (!u->again)
        return -1;
    td_obs_init(u->again);
    u->conns = cfg->sched.max_conns;
    u->deadline_s = cfg->sched.deadline_s;
    cfg->starttls = u->st;
    cfg->sched.max_conns = upgrade_conns(o, u->st);
    /* --deadline is for the whole check: the second run gets what is left. */
    double left = u->deadline_s - first->elapsed_ms / 1000.0;
    if (u->deadline_s > 0)
        cfg->sched.deadline_s = left > 1 ? left : 1;
    return 1;
}

/* The second run is over (rc as td_probe_run returns): cfg as it was, and
 * its observations replace the first.  When the upgrade itself failed, the
 * port still is no TLS port: the first observations stay, with how the
 * upgrade failed.  On rc != 0 the first stay as they are. */
static void upgrade_end(td_probe_cfg *cfg, upgrade *u, td_obs *first, int rc)
{
    cfg->starttls = NULL;
    cfg->sched.max_conns = u->conns;
    cfg->sched.deadline_s = u->deadline_s;
    td_obs *again = u->again;
    u->again = NULL;
    const td_attempt *b = &again->baseline;
    if (rc == 0 && b->leadin && strcmp(b->leadin, u->st->ops->name) == 0) {
        snprintf(first->starttls_tried, sizeof first->starttls_tried, "%s: %s", u->st->name,
                 b->out == TD_OUT_LEADIN ? b->error : td_outcome_name(b->out));
        td_obs_free(again);
    } else if (rc == 0) {
        snprintf(again->starttls_banner, sizeof again->starttls_banner, "%s", first->baseline.protocol);
        again->starttls_auto = true;
        td_obs_free(first);
        *first = *again;
    } else {
        td_obs_free(again);
    }
    free(again);
}

/* td_check's second run, when the first calls for one.  0, or -1 on
 * internal failure. */
static int upgrade_by_greeting(const td_options *o, td_probe_cfg *cfg, td_obs *first)
{
    upgrade u;
    int go = upgrade_begin(o, cfg, first, &u);
    if (go <= 0)
        return go;
    int rc = td_probe_run(cfg, u.again);
    upgrade_end(cfg, &u, first, rc);
    return rc;
}

static td_report *report_new(const td_options *o)
{
    td_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    td_obs_init(&r->obs);
    r->show_certs = o->show_certs;
    td_hostport(r->target, sizeof r->target, o->target.host, o->target.port);
    return r;
}

/* From observations to findings, once the probes are over.  Returns false
 * when out of memory (r is then freed). */
static bool report_conclude(const td_options *o, const td_probe_cfg *cfg, const char *bypass, td_report *r)
{
    /* The filter, the level and the certificate asked for, and the
     * no_proxy that sent the check direct, are facts of the run the report
     * states, whatever the probe made of them. */
    r->obs.expect = o->expect;
    snprintf(r->obs.proxy_bypass, sizeof r->obs.proxy_bypass, "%s", bypass);
    r->obs.clients_filtered = cfg->n_clients > 0;
    r->obs.clients_level = o->clients_level;

    td_diagnose(&r->obs, &r->findings);
    td_judge_clients(&r->obs, &r->clients, &r->findings);
    /* Root cause first, each symptom linked to it; this also orders the
     * rest fail-first, as td_findings_sort would. */
    td_rank_findings(&r->obs, &r->findings);
    if (r->findings.oom) {
        td_report_free(r);
        return false;
    }
    return true;
}

td_status td_check(td_options *o, td_report **out)
{
    if (!o || !out)
        return TD_ERR_USAGE;
    clear_error(o);
    *out = NULL;
    if (!o->target.host[0])
        return bad(o, "the options do not describe a check");

    td_report *r = report_new(o);
    if (!r)
        return internal_error(o);
    td_probe_cfg cfg;
    td_proxy px;
    char bypass[sizeof r->obs.proxy_bypass] = "";
    td_check_probe_cfg(o, &cfg);
    if (choose_proxy(o, &cfg, bypass, sizeof bypass, &px) != TD_OK) {
        td_report_free(r);
        return TD_ERR_USAGE;
    }
    if (td_probe_run(&cfg, &r->obs) != 0) {
        td_report_free(r);
        return internal_error(o);
    }
    if (upgrade_by_greeting(o, &cfg, &r->obs) != 0) {
        td_report_free(r);
        return internal_error(o);
    }
    if (!report_conclude(o, &cfg, bypass, r))
        return internal_error(o);
    *out = r;
    return TD_OK;
}

/* A check under way on a pool: its own copy of the options, which the
 * probe configuration points into. */
struct td_check_run {
    td_options o;
    td_addr addr;
    td_probe_cfg cfg;
    td_proxy px;                  /* the proxy cfg points to, if any */
    char bypass[sizeof ((td_obs *)0)->proxy_bypass];
    td_report *r;
    td_pool *pool;
    upgrade up;                   /* up.again: the second run is under way */
    td_check_done done;
    void *arg;
};

static void pooled_done(void *arg, int rc);

/* After the first run: the second through the greeting's upgrade, on the
 * same pool (its caps hold for it too), when the first calls for one.
 * Returns true when it is under way (pooled_done is called again), false
 * when the check is over, *rc saying how. */
static bool pooled_upgrade(td_check_run *c, int *rc)
{
    int go = upgrade_begin(&c->o, &c->cfg, &c->r->obs, &c->up);
    if (go <= 0) {
        *rc = go;
        return false;
    }
    int started = td_probe_start(&c->cfg, c->up.again, c->pool, pooled_done, c);
    if (started == 0)
        return true;
    /* Nothing to probe is a run that saw nothing, as td_probe_run has it. */
    *rc = started > 0 ? 0 : -1;
    upgrade_end(&c->cfg, &c->up, &c->r->obs, *rc);
    return false;
}

static void pooled_done(void *arg, int rc)
{
    td_check_run *c = arg;
    if (c->up.again)
        upgrade_end(&c->cfg, &c->up, &c->r->obs, rc);
    else if (rc == 0 && pooled_upgrade(c, &rc))
        return;
    td_report *r = c->r;
    if (rc != 0) {
        td_report_free(r);
        r = NULL;
    } else if (!report_conclude(&c->o, &c->cfg, c->bypass, r)) {
        r = NULL;
    }
    td_check_done done = c->done;
    void *done_arg = c->arg;
    free(c);
    done(done_arg, r);
}

int td_check_start(const td_options *o, const td_addr *addr, bool quick, struct td_store *store, td_pool *pool,
                   td_check_done done, void *arg)
{
    td_check_run *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->o = *o;
    c->addr = *addr;
    c->done = done;
    c->arg = arg;
    c->pool = pool;
    c->r = report_new(&c->o);
    if (!c->r) {
        free(c);
        return -1;
    }
    td_check_probe_cfg(&c->o, &c->cfg);
    c->cfg.addr = &c->addr;
    c->cfg.quick = quick;
    c->cfg.store = store;
    if (choose_proxy(&c->o, &c->cfg, c->bypass, sizeof c->bypass, &c->px) != TD_OK ||
        td_probe_start(&c->cfg, &c->r->obs, pool, pooled_done, c) != 0) {
        td_report_free(c->r);
        free(c);
        return -1;
    }
    return 0;
}

bool td_report_failed(const td_report *r)
{
    for (size_t i = 0; r && i < r->findings.n; i++)
        if (r->findings.v[i].sev == TD_SEV_FAIL)
            return true;
    return false;
}

size_t td_report_finding_count(const td_report *r)
{
    return r ? r->findings.n : 0;
}

static const td_finding *finding_at(const td_report *r, size_t i)
{
    return (r && i < r->findings.n) ? &r->findings.v[i] : NULL;
}

const char *td_report_finding_id(const td_report *r, size_t i)
{
    const td_finding *f = finding_at(r, i);
    return f ? td_id_name(f->id) : NULL;
}

const char *td_report_finding_severity(const td_report *r, size_t i)
{
    const td_finding *f = finding_at(r, i);
    return f ? td_severity_name(f->sev) : NULL;
}

const char *td_report_finding_summary(const td_report *r, size_t i)
{
    const td_finding *f = finding_at(r, i);
    return f ? f->summary : NULL;
}

void td_report_free(td_report *r)
{
    if (!r)
        return;
    td_obs_free(&r->obs);
    td_findings_free(&r->findings);
    free(r);
}
