/* The advice context: the target, the name and the trust store the fixes
 * and verify commands are written from, and the command pieces they share. */
#include "advice.h"

#include <stdio.h>
#include <string.h>

#include "../starttls/starttls.h"

bool td_shell_safe(const char *s)
{
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/+-:@,=", *p))
            return false;
    return true;
}

const char *td_host_port(char *buf, size_t cap, const char *host, unsigned port)
{
    bool v6 = strchr(host, ':') != NULL;
    if (port)
        snprintf(buf, cap, v6 ? "[%s]:%u" : "%s:%u", host, port);
    else
        snprintf(buf, cap, v6 ? "[%s]" : "%s", host);
    return buf;
}

/* Appends " OPT VALUE" at out[*used], VALUE quoted unless td_shell_safe;
 * nothing for an empty value or one holding a single quote, which no
 * quoting makes safe. */
static void add_option(char *out, size_t cap, size_t *used, const char *opt, const char *value)
{
    if (!value[0] || strchr(value, '\'') || *used >= cap)
        return;
    int w = snprintf(out + *used, cap - *used, td_shell_safe(value) ? " %s %s" : " %s '%s'", opt, value);
    if (w > 0)
        *used += (size_t)w < cap - *used ? (size_t)w : cap - *used - 1;
}

/* The store as a command's options: file_opt for --ca-file, dir_opt for
 * --ca-path, in that order; "" for the system store. */
static void store_options(char *out, size_t cap, const td_store_opts *s, const char *file_opt, const char *dir_opt)
{
    size_t used = 0;
    out[0] = '\0';
    add_option(out, cap, &used, file_opt, s->ca_file);
    add_option(out, cap, &used, dir_opt, s->ca_path);
}

/* The proxy's options for s_client (HTTP CONNECT only) and curl. */
static void proxy_options(td_advice *a, const td_obs_proxy *p)
{
    size_t used = 0;
    char *sclient_px = a->sclient_proxy;
    size_t cap = sizeof a->sclient_proxy;
    sclient_px[0] = a->curl_proxy[0] = '\0';
    if (!p->used)
        return;
    add_option(a->curl_proxy, sizeof a->curl_proxy, &used, "-x", p->url);
    if (p->auth)
        add_option(a->curl_proxy, sizeof a->curl_proxy, &used, "--proxy-user", p->user);
    if (p->scheme != TD_PROXY_HTTP)
        return;
    used = 0;
    add_option(sclient_px, cap, &used, "-proxy", p->hostport);
    if (p->auth) {
        add_option(sclient_px, cap, &used, "-proxy_user", p->user);
        add_option(sclient_px, cap, &used, "-proxy_pass", "env:PROXY_PASSWORD");
    }
}

void td_advice_init(td_advice *a, const td_obs *o)
{
    proxy_options(a, &o->proxy);
    const char *px = a->sclient_proxy;
    a->host = o->host;
    a->port = o->port;
    td_host_port(a->connect, sizeof a->connect, o->host, o->port);
    a->name = o->sni[0] ? o->sni : o->host;
    a->sni = o->sni;
    a->store = &o->store;
    snprintf(a->servername, sizeof a->servername, "%s%s", o->sni[0] ? " -servername " : "", o->sni);
    /* Through the same upgrade the check went through: s_client's
     * -starttls, or the ALPN PostgreSQL's direct TLS needs. */
    char upgrade[48] = "";
    if (o->starttls && o->starttls->sclient)
        snprintf(upgrade, sizeof upgrade, " -starttls %s", o->starttls->sclient);
    else if (o->starttls && o->starttls->alpn)
        snprintf(upgrade, sizeof upgrade, " -alpn %s", o->starttls->alpn);
    snprintf(a->sclient, sizeof a->sclient, "openssl s_client -connect %s%s%s%s", a->connect, px, a->servername,
             upgrade);
    snprintf(a->sclient_nosni, sizeof a->sclient_nosni, "openssl s_client -connect %s%s%s%s", a->connect, px,
             o->sni[0] ? " -noservername" : "", upgrade);
    store_options(a->ca_opt, sizeof a->ca_opt, a->store, "-CAfile", "-CApath");
    store_options(a->curl_ca, sizeof a->curl_ca, a->store, "--cacert", "--capath");
}
