/* The proxy engines as lead-ins: the scheduler moves their bytes on every
 * connection of a check, before the job's own. */
#include "proxy/proxy.h"

#include <string.h>

#include "net/leadin.h"

static td_leadin_rc verdict(td_proxy_conn *c, const td_proxy_leadin_cfg *cfg, td_px_step st, td_wr *w,
                            td_leadin_io *io)
{
    io->out_len = w->len;
    if (st == TD_PX_FAIL) {
        td_proxy_fail_text(&c->fail, io->why, sizeof io->why);
        if (cfg->stats && cfg->stats->refused++ == 0)
            cfg->stats->first = c->fail;
        return TD_LEADIN_FAIL;
    }
    if (st == TD_PX_DONE && cfg->stats)
        cfg->stats->up++;
    return st == TD_PX_DONE ? TD_LEADIN_DONE : TD_LEADIN_MORE;
}

struct state {
    td_proxy_conn c;
    const td_proxy_leadin_cfg *cfg;
};

static td_leadin_rc px_start(void *st, const void *cfgp, const td_addr *target, td_leadin_io *io)
{
    struct state *s = st;
    s->cfg = cfgp;
    td_wr w;
    td_wr_init(&w, io->out, sizeof io->out);
    bool ok = td_proxy_conn_init(&s->c, &s->cfg->px, s->cfg->host, s->cfg->port, target) &&
              td_proxy_start(&s->c, &w);
    return verdict(&s->c, s->cfg, ok ? TD_PX_MORE : TD_PX_FAIL, &w, io);
}

static td_leadin_rc px_feed(void *st, const uint8_t *in, size_t len, td_leadin_io *io)
{
    struct state *s = st;
    td_wr w;
    td_wr_init(&w, io->out, sizeof io->out);
    td_px_step step = td_proxy_feed(&s->c, in, len, &w);
    const uint8_t *rest;
    /* The tunnel's first bytes are the tail of this read. */
    io->used = len - td_proxy_rest(&s->c, &rest);
    return verdict(&s->c, s->cfg, step, &w, io);
}

static const td_leadin_ops ops[] = {
    { "http-connect", sizeof(struct state), true, px_start, px_feed },
    { "socks5", sizeof(struct state), true, px_start, px_feed },
    { "socks5h", sizeof(struct state), true, px_start, px_feed },
};

const struct td_leadin_ops *td_proxy_leadin_ops(td_proxy_scheme scheme)
{
    switch (scheme) {
    case TD_PROXY_HTTP: return &ops[0];
    case TD_PROXY_SOCKS5: return &ops[1];
    case TD_PROXY_SOCKS5H: return &ops[2];
    case TD_PROXY_NONE: break;
    }
    return NULL;
}
