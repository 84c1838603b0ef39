/* Checking through a proxy (via.h). */
#include "via.h"

#include <stdio.h>
#include <string.h>

#include "handshake.h"

static double step_of(const td_probe_cfg *cfg)
{
    return cfg->sched.step_timeout_s > 0 ? cfg->sched.step_timeout_s : 5;
}

/* At most max addresses of host; false with err saying why. */
static bool resolve(const td_probe_cfg *cfg, const char *host, uint16_t port, td_addr *out, size_t max, size_t *n,
                    char *err, size_t errlen)
{
    *n = 0;
    err[0] = '\0';
    if (td_resolve(host, port, cfg->dns_server, step_of(cfg), out, max, n, err, errlen) == 0 && *n > 0)
        return true;
    if (!err[0])
        snprintf(err, errlen, "no address");
    return false;
}

int td_via_prepare(const td_probe_cfg *cfg, td_obs *o, td_via *v)
{
    const td_proxy *px = cfg->proxy;
    td_obs_proxy *op = &o->proxy;
    op->used = true;
    op->scheme = px->scheme;
    op->auth = px->auth;
    snprintf(op->user, sizeof op->user, "%s", px->user);
    td_proxy_url(px, op->url, sizeof op->url);
    td_hostport(op->hostport, sizeof op->hostport, px->host, px->port);
    snprintf(op->from, sizeof op->from, "%s", cfg->proxy_from ? cfg->proxy_from : "--proxy");
    op->leadin = td_proxy_leadin_ops(px->scheme)->name;

    size_t n;
    if (!resolve(cfg, px->host, px->port, &v->addr, 1, &n, op->dns_error, sizeof op->dns_error))
        return 0;
    snprintf(op->addr, sizeof op->addr, "%s", v->addr.text);
    v->lcfg = (td_proxy_leadin_cfg){ .px = *px, .port = cfg->target.port, .stats = &op->stats };
    snprintf(v->lcfg.host, sizeof v->lcfg.host, "%s", cfg->target.host);
    v->chain[0] = (td_leadin){ td_proxy_leadin_ops(px->scheme), &v->lcfg, &v->addr };

    if (td_proxy_by_name(px)) {
        o->addrs[0] = v->addr;
        o->n_addrs = 1;
        return 1;
    }
    if (!resolve(cfg, cfg->target.host, cfg->target.port, o->addrs, TD_MAX_ADDRS, &n, o->dns_error,
                 sizeof o->dns_error))
        return 0;
    o->n_addrs = n;
    return 1;
}

static void on_direct(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl)
{
    td_hs *d = ctx;
    d->done = io->status == TD_IO_DONE && tls && tls->handshake_done;
    d->out = d->done ? TD_OUT_HELLO : TD_OUT_ERROR;
    d->ms = io->total_ms;
    snprintf(d->error, sizeof d->error, "%s", tls && tls->error[0] ? tls->error : td_io_status_name(io->status));
    if (ssl)
        td_hs_take_chain(d, ssl);
}

void td_via_direct(const td_probe_cfg *cfg, td_obs *o)
{
    td_obs_proxy *op = &o->proxy;
    td_hs *d = &op->direct;
    if (!o->hs.done) {
        snprintf(op->direct_note, sizeof op->direct_note, "no handshake completed through the proxy");
        return;
    }
    /* The upgrade's own state lives in the probes' run; a direct
     * handshake without it would meet the plain-text protocol. */
    if (cfg->starttls) {
        snprintf(op->direct_note, sizeof op->direct_note, "not compared without the proxy through --starttls");
        return;
    }
    if (op->scheme == TD_PROXY_SOCKS5H) {
        snprintf(op->direct_note, sizeof op->direct_note,
                 "not compared without the proxy: socks5h leaves resolving the name to the proxy");
        return;
    }
    td_addr addr = o->addrs[0];
    size_t n = 0;
    char err[160];
    if (op->scheme == TD_PROXY_HTTP &&
        !resolve(cfg, cfg->target.host, cfg->target.port, &addr, 1, &n, err, sizeof err)) {
        snprintf(op->direct_note, sizeof op->direct_note, "the name does not resolve here: %s", err);
        return;
    }
    td_sched_opts so = cfg->sched;
    so.max_conns = 1;
    /* Within what is left of the check's deadline. */
    if (so.deadline_s > 0) {
        so.deadline_s -= o->elapsed_ms / 1000.0;
        if (so.deadline_s < step_of(cfg)) {
            snprintf(op->direct_note, sizeof op->direct_note, "not compared without the proxy: no time left");
            return;
        }
    }
    td_sched *s = td_sched_new(&so);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!s || !ctx) {
        SSL_CTX_free(ctx);
        td_sched_free(s);
        return;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    td_tls_opts to = { .ctx = ctx, .sni = cfg->sni };
    snprintf(d->addr, sizeof d->addr, "%s", addr.text);
    if (td_sched_submit_tls(s, &addr, &to, on_direct, d) == 0)
        td_sched_run(s);
    if (!d->done)
        snprintf(op->direct_note, sizeof op->direct_note, "without the proxy the server is not reachable: %s",
                 d->error);
    SSL_CTX_free(ctx);
    td_sched_free(s);
}
