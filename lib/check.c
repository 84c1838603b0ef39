#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/probe.h"
#include "registry/clients.h"
#include "util/str.h"

#define DEFAULT_PORT      443
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

/* How much of what the user typed is echoed back in an error. */
#define ECHO_MAX "80"

const char *td_version(void)
{
    return TLSDIAG_VERSION;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

td_options *td_options_new(void)
{
    td_options *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->port = DEFAULT_PORT;
    o->timeout_s = DEFAULT_TIMEOUT;
    o->deadline_s = DEFAULT_DEADLINE;
    o->max_conns = DEFAULT_MAX_CONNS;
    o->repeat = DEFAULT_REPEAT;
    o->warn_days = DEFAULT_WARN_DAYS;
    return o;
}

void td_options_free(td_options *o)
{
    free(o);
}

static bool is_ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

static bool is_ipv6(const char *s)
{
    struct in6_addr a;
    return inet_pton(AF_INET6, s, &a) == 1;
}

/* A host name as DNS and SNI accept it: labels of 1-63 letters, digits,
 * '-' or '_', 253 characters in all.  A single trailing dot (as dig prints
 * names) is tolerated by the caller, not here. */
static int check_dns_name(const char *s, char *err, size_t errlen)
{
    size_t n = strlen(s);
    if (n == 0) {
        seterr(err, errlen, "empty host name");
        return -1;
    }
    if (n > 253) {
        seterr(err, errlen, "host name is %zu characters long; DNS allows at most 253", n);
        return -1;
    }
    bool only_digits_and_dots = true;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == '\0') {
            if (label == 0) {
                seterr(err, errlen, "empty label in host name '%." ECHO_MAX "s'", s);
                return -1;
            }
            if (label > 63) {
                seterr(err, errlen, "a label in '%." ECHO_MAX "s' is %zu characters long; DNS allows at most 63",
                       s, label);
                return -1;
            }
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) {
            if (c > 0x20 && c < 0x7f)
                seterr(err, errlen, "invalid character '%c' in host name '%." ECHO_MAX "s'", c, s);
            else
                seterr(err, errlen, "invalid byte 0x%02x in host name", c);
            return -1;
        }
        if (c < '0' || c > '9')
            only_digits_and_dots = false;
        label++;
    }
    /* No top-level domain is numeric, so this was meant as an IPv4 address
     * and sending it to DNS would only produce a confusing "no such host". */
    if (only_digits_and_dots) {
        seterr(err, errlen, "'%." ECHO_MAX "s' is not a valid IPv4 address", s);
        return -1;
    }
    return 0;
}

/* Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address
 * into host (brackets removed) and port, 0 when none was given.  what names
 * the thing in errors. */
static int split_host_port(const char *in, const char *what, char *host, size_t hostlen, uint16_t *port,
                           bool *v6, char *err, size_t errlen)
{
    const char *h = in, *p = NULL;
    size_t hlen;
    *v6 = false;

    if (in[0] == '[') {
        const char *close = strchr(in, ']');
        if (!close) {
            seterr(err, errlen, "unbalanced '[' in %s '%." ECHO_MAX "s'", what, in);
            return -1;
        }
        h = in + 1;
        hlen = (size_t)(close - h);
        if (close[1] == ':')
            p = close + 2;
        else if (close[1] != '\0') {
            seterr(err, errlen, "unexpected text after ']' in %s '%." ECHO_MAX "s'", what, in);
            return -1;
        }
        *v6 = true;
    } else if (strchr(in, ']')) {
        seterr(err, errlen, "unbalanced ']' in %s '%." ECHO_MAX "s'", what, in);
        return -1;
    } else {
        const char *colon = strchr(in, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* Several colons: only a whole IPv6 address makes sense. */
            if (!is_ipv6(in)) {
                seterr(err, errlen, "'%." ECHO_MAX "s' is not a valid IPv6 address; write an address with a port as [ADDR]:PORT",
                       in);
                return -1;
            }
            *v6 = true;
            hlen = strlen(in);
        } else if (colon) {
            hlen = (size_t)(colon - in);
            p = colon + 1;
        } else {
            hlen = strlen(in);
        }
    }

    if (hlen == 0) {
        seterr(err, errlen, "no host in %s '%." ECHO_MAX "s'", what, in);
        return -1;
    }
    if (hlen >= hostlen) {
        seterr(err, errlen, "host in %s is too long (%zu characters)", what, hlen);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (*v6 && !is_ipv6(host)) {
        seterr(err, errlen, "'%." ECHO_MAX "s' is not a valid IPv6 address", host);
        return -1;
    }

    if (!p) {
        *port = 0;
        return 0;
    }
    unsigned long v;
    if (td_parse_uint(p, 1, 65535, &v) != 0) {
        seterr(err, errlen, "bad port '%." ECHO_MAX "s' in %s: use a number from 1 to 65535", p, what);
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}

int td_options_set_target(td_options *o, const char *target, char *err, size_t errlen)
{
    if (!target || !*target) {
        seterr(err, errlen, "empty target: give HOST[:PORT]");
        return -1;
    }
    if (strlen(target) >= sizeof o->host + 8) {
        seterr(err, errlen, "target is too long");
        return -1;
    }
    if (strstr(target, "://")) {
        seterr(err, errlen, "'%." ECHO_MAX "s' is a URL: give HOST[:PORT] instead, e.g. example.com:443", target);
        return -1;
    }

    char host[sizeof o->host];
    uint16_t port;
    bool v6;
    if (split_host_port(target, "target", host, sizeof host, &port, &v6, err, errlen) != 0)
        return -1;

    bool ip = v6 || is_ipv4(host);
    if (!ip) {
        size_t n = strlen(host);
        if (n > 1 && host[n - 1] == '.')
            host[n - 1] = '\0'; /* SNI must not carry the root dot (RFC 6066 section 3) */
        if (check_dns_name(host, err, errlen) != 0)
            return -1;
    }

    memcpy(o->host, host, sizeof host);
    o->port = port ? port : DEFAULT_PORT;
    o->host_is_ip = ip;
    return 0;
}

int td_options_set_sni(td_options *o, const char *name, char *err, size_t errlen)
{
    if (!name || !*name) {
        seterr(err, errlen, "empty SNI name (use --no-sni to send none)");
        return -1;
    }
    if (is_ipv4(name) || is_ipv6(name)) {
        seterr(err, errlen, "SNI must be a DNS name, not an IP address (RFC 6066 section 3)");
        return -1;
    }
    if (strlen(name) >= sizeof o->sni) {
        seterr(err, errlen, "SNI name is too long");
        return -1;
    }
    if (check_dns_name(name, err, errlen) != 0)
        return -1;
    snprintf(o->sni, sizeof o->sni, "%s", name);
    o->sni_set = true;
    return 0;
}

void td_options_set_no_sni(td_options *o, bool no_sni)
{
    o->no_sni = no_sni;
}

/* Readable now, so a typo is a usage error at once rather than a confusing
 * observation after a minute of probing.  what names the file in errors
 * ("CA file"); a directory must also be searchable, since OpenSSL looks
 * certificates up in it by hashed name. */
static int check_path(const char *path, const char *what, bool dir, size_t dstlen, char *err, size_t errlen)
{
    if (!path || !*path) {
        seterr(err, errlen, "empty %s name", what);
        return -1;
    }
    if (strlen(path) >= dstlen) {
        seterr(err, errlen, "%s path is too long", what);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        seterr(err, errlen, "cannot read %s '%s': %s", what, path, strerror(errno));
        return -1;
    }
    if (dir && !S_ISDIR(st.st_mode)) {
        seterr(err, errlen, "%s '%s' is not a directory", what, path);
        return -1;
    }
    if (!dir && !S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s '%s' is not a regular file", what, path);
        return -1;
    }
    if (access(path, dir ? R_OK | X_OK : R_OK) != 0) {
        seterr(err, errlen, "cannot read %s '%s': %s", what, path, strerror(errno));
        return -1;
    }
    return 0;
}

int td_options_set_ca_file(td_options *o, const char *path, char *err, size_t errlen)
{
    if (check_path(path, "CA file", false, sizeof o->ca_file, err, errlen) != 0)
        return -1;
    snprintf(o->ca_file, sizeof o->ca_file, "%s", path);
    return 0;
}

int td_options_set_ca_path(td_options *o, const char *dir, char *err, size_t errlen)
{
    if (check_path(dir, "CA directory", true, sizeof o->ca_path, err, errlen) != 0)
        return -1;
    snprintf(o->ca_path, sizeof o->ca_path, "%s", dir);
    return 0;
}

int td_options_set_client_cert(td_options *o, const char *cert_file, const char *key_file, char *err,
                               size_t errlen)
{
    if (!cert_file || !key_file) {
        seterr(err, errlen, "a client certificate needs its private key: give --cert and --key together");
        return -1;
    }
    if (check_path(cert_file, "client certificate", false, sizeof o->cert_file, err, errlen) != 0 ||
        check_path(key_file, "client key", false, sizeof o->key_file, err, errlen) != 0)
        return -1;
    snprintf(o->cert_file, sizeof o->cert_file, "%s", cert_file);
    snprintf(o->key_file, sizeof o->key_file, "%s", key_file);
    return 0;
}

/* RFC 7301 section 3.1: each protocol name is 1 to 255 bytes.  Only
 * printable ASCII without spaces is accepted: every registered name is, and
 * "h2, http/1.1" would otherwise offer " http/1.1" without a word. */
int td_options_set_alpn(td_options *o, const char *list, char *err, size_t errlen)
{
    if (!list || !*list) {
        seterr(err, errlen, "empty ALPN list: give protocol names separated by commas, e.g. h2,http/1.1");
        return -1;
    }
    size_t n = strlen(list);
    if (n >= sizeof o->alpn) {
        seterr(err, errlen, "ALPN list is %zu characters long; at most %zu are supported", n, sizeof o->alpn - 1);
        return -1;
    }
    size_t len = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)list[i];
        if (c == ',' || c == '\0') {
            if (len == 0) {
                seterr(err, errlen, "empty protocol name in ALPN list '%." ECHO_MAX "s'", list);
                return -1;
            }
            if (len > 255) {
                seterr(err, errlen, "an ALPN protocol name is %zu bytes long; at most 255 are allowed", len);
                return -1;
            }
            len = 0;
            continue;
        }
        if (c <= 0x20 || c >= 0x7f) {
            if (c == ' ')
                seterr(err, errlen, "space in ALPN list '%." ECHO_MAX "s': separate names with commas only", list);
            else
                seterr(err, errlen, "invalid byte 0x%02x in ALPN list: names are printable ASCII", c);
            return -1;
        }
        len++;
    }
    snprintf(o->alpn, sizeof o->alpn, "%s", list);
    return 0;
}

int td_options_set_repeat(td_options *o, unsigned n, char *err, size_t errlen)
{
    if (n < 1 || n > MAX_REPEAT) {
        seterr(err, errlen, "repeat must be between 1 and %u handshakes", MAX_REPEAT);
        return -1;
    }
    o->repeat = n;
    return 0;
}

int td_options_set_warn_days(td_options *o, unsigned days, char *err, size_t errlen)
{
    if (days > MAX_WARN_DAYS) {
        seterr(err, errlen, "warn days must be between 0 and %u", MAX_WARN_DAYS);
        return -1;
    }
    o->warn_days = (int)days;
    return 0;
}

void td_options_set_show_certs(td_options *o, bool show)
{
    o->show_certs = show;
}

void td_options_set_no_aia(td_options *o, bool no_aia)
{
    o->no_aia = no_aia;
}

static int set_seconds(double *dst, double v, double min, double max, const char *what, char *err,
                       size_t errlen)
{
    if (!isfinite(v) || v < min || v > max) {
        seterr(err, errlen, "%s must be between %g and %g seconds", what, min, max);
        return -1;
    }
    *dst = v;
    return 0;
}

int td_options_set_timeout(td_options *o, double seconds, char *err, size_t errlen)
{
    return set_seconds(&o->timeout_s, seconds, MIN_STEP_S, MAX_STEP_S, "timeout", err, errlen);
}

int td_options_set_deadline(td_options *o, double seconds, char *err, size_t errlen)
{
    return set_seconds(&o->deadline_s, seconds, MIN_STEP_S, MAX_DEADLINE, "deadline", err, errlen);
}

int td_options_set_max_connections(td_options *o, unsigned n, char *err, size_t errlen)
{
    if (n < 1 || n > MAX_CONNS) {
        seterr(err, errlen, "max connections must be between 1 and %u", MAX_CONNS);
        return -1;
    }
    o->max_conns = n;
    return 0;
}

int td_options_set_dns_server(td_options *o, const char *server, char *err, size_t errlen)
{
    if (!server || !*server) {
        seterr(err, errlen, "empty DNS server");
        return -1;
    }
    char ip[64];
    uint16_t port;
    bool v6;
    if (split_host_port(server, "DNS server", ip, sizeof ip, &port, &v6, err, errlen) != 0)
        return -1;
    if (!v6 && !is_ipv4(ip)) {
        seterr(err, errlen, "DNS server must be an IP address, IP:PORT or [IPv6]:PORT, not '%." ECHO_MAX "s'",
               server);
        return -1;
    }
    /* Stored as IP, IP:PORT or [IPv6]:PORT: a bare IPv6 address with a
     * port appended would be ambiguous. */
    if (!port)
        snprintf(o->dns_server, sizeof o->dns_server, "%s", ip);
    else if (v6)
        snprintf(o->dns_server, sizeof o->dns_server, "[%s]:%u", ip, (unsigned)port);
    else
        snprintf(o->dns_server, sizeof o->dns_server, "%s:%u", ip, (unsigned)port);
    return 0;
}

int td_options_add_client(td_options *o, const char *id, char *err, size_t errlen)
{
    if (!id || !*id) {
        seterr(err, errlen, "empty client name: 'tlsdiag check --client list' lists the profiles");
        return -1;
    }
    /* Profile ids are lower case; people type "Java-8" too. */
    char low[64];
    size_t n = strlen(id);
    if (n >= sizeof low) {
        seterr(err, errlen, "unknown client '%." ECHO_MAX "s': 'tlsdiag check --client list' lists the profiles",
               id);
        return -1;
    }
    for (size_t i = 0; i <= n; i++)
        low[i] = (id[i] >= 'A' && id[i] <= 'Z') ? (char)(id[i] - 'A' + 'a') : id[i];
    const td_client *c = td_client_by_id(low);
    if (!c || !c->id) {
        seterr(err, errlen, "unknown client '%." ECHO_MAX "s': 'tlsdiag check --client list' lists the profiles",
               id);
        return -1;
    }
    for (size_t i = 0; i < o->n_clients; i++)
        if (strcmp(o->clients[i], c->id) == 0)
            return 0;
    if (o->n_clients >= TD_MAX_CLIENTS) {
        seterr(err, errlen, "too many --client options: at most %d", TD_MAX_CLIENTS);
        return -1;
    }
    o->clients[o->n_clients++] = c->id;
    return 0;
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
    if (o->host_is_ip)
        return "";
    return o->host;
}

void td_check_probe_cfg(const td_options *o, td_probe_cfg *cfg)
{
    const char *sni = effective_sni(o);
    *cfg = (td_probe_cfg){
        .host = o->host,
        .port = o->port,
        .sni = sni[0] ? sni : NULL,
        .dns_server = o->dns_server[0] ? o->dns_server : NULL,
        .sched = { .max_conns = o->max_conns, .step_timeout_s = o->timeout_s, .deadline_s = o->deadline_s },
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
    };
}

int td_check(const td_options *o, td_report **out)
{
    if (!o || !out)
        return TD_EXIT_USAGE;
    *out = NULL;
    if (!o->host[0])
        return TD_EXIT_USAGE;

    td_report *r = calloc(1, sizeof *r);
    if (!r)
        return TD_EXIT_INTERNAL;
    td_obs_init(&r->obs);

    const char *sni = effective_sni(o);
    snprintf(r->obs.host, sizeof r->obs.host, "%s", o->host);
    r->obs.port = o->port;
    snprintf(r->obs.sni, sizeof r->obs.sni, "%s", sni);
    r->obs.host_is_ip = o->host_is_ip;
    r->show_certs = o->show_certs;
    if (strchr(o->host, ':'))
        snprintf(r->target, sizeof r->target, "[%s]:%u", o->host, (unsigned)o->port);
    else
        snprintf(r->target, sizeof r->target, "%s:%u", o->host, (unsigned)o->port);

    td_probe_cfg cfg;
    td_check_probe_cfg(o, &cfg);
    if (td_probe_run(&cfg, &r->obs) != 0) {
        td_report_free(r);
        return TD_EXIT_INTERNAL;
    }

    /* The filter is a fact of the run the report states, whatever the
     * probe made of it. */
    r->obs.clients_filtered = cfg.n_clients > 0;

    td_diagnose(&r->obs, &r->findings);
    td_judge_clients(&r->obs, &r->clients, &r->findings);
    /* Root cause first, each symptom linked to it; this also orders the
     * rest fail-first, as td_findings_sort would. */
    td_rank_findings(&r->obs, &r->findings);
    if (r->findings.oom) {
        td_report_free(r);
        return TD_EXIT_INTERNAL;
    }
    *out = r;
    return TD_EXIT_OK;
}

int td_report_exit_code(const td_report *r)
{
    if (!r)
        return TD_EXIT_INTERNAL;
    for (size_t i = 0; i < r->findings.n; i++)
        if (r->findings.v[i].sev == TD_SEV_FAIL)
            return TD_EXIT_FAIL;
    return TD_EXIT_OK;
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
