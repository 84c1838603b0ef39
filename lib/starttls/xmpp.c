/* XMPP STARTTLS (RFC 6120 section 5), client-to-server and
 * server-to-server.
 *
 * The client opens a stream; the server answers with its own stream header
 * and <stream:features>, which must hold a <starttls/> element in the
 * urn:ietf:params:xml:ns:xmpp-tls namespace (section 5.3.1); the client
 * sends <starttls/>, and <proceed/> lets it start TLS (section 5.4.2.3),
 * <failure/> does not (5.4.2.2).  This is no XML parser: the elements that
 * matter are found by their text in the bytes gathered, which is what the
 * few fixed forms servers send allow. */
#include "starttls/starttls.h"

#include <stdio.h>
#include <string.h>

#include "wire/bytes.h"

#define NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
/* Stream headers and features of real servers take a few hundred bytes. */
#define XMPP_MAX 8192

typedef struct xmpp_st {
    char buf[XMPP_MAX + 1];
    size_t n;
    bool asked; /* <starttls/> sent */
} xmpp_st;

static const char *find(const xmpp_st *x, const char *s)
{
    return memmem(x->buf, x->n, s, strlen(s));
}

/* Where the element starting at p ends (after "/>" or its end tag), or NULL
 * when not all of it is here. */
static const char *element_end(const xmpp_st *x, const char *p, const char *end_tag)
{
    const char *gt = memchr(p, '>', (size_t)(x->buf + x->n - p));
    if (!gt)
        return NULL;
    if (gt[-1] == '/')
        return gt + 1;
    const char *e = memmem(gt, (size_t)(x->buf + x->n - gt), end_tag, strlen(end_tag));
    return e ? e + strlen(end_tag) : NULL;
}

static td_leadin_rc stream_error(const xmpp_st *x, td_leadin_io *io)
{
    /* The condition is the first child: <stream:error><host-unknown xmlns=.../> */
    const char *p = find(x, "<stream:error>");
    const char *c = p ? memchr(p + 14, '<', (size_t)(x->buf + x->n - p - 14)) : NULL;
    size_t n = c ? strcspn(c + 1, " />") : 0;
    return td_leadin_fail(io, "the XMPP server sent a stream error%s%.*s", n ? ": " : "", (int)(n < 60 ? n : 60),
                          c ? c + 1 : "");
}

static td_leadin_rc xmpp_feed(void *state, const uint8_t *in, size_t len, td_leadin_io *io)
{
    xmpp_st *x = state;
    /* This feed's byte k sits at buf[before + k - shift]. */
    size_t before = x->n, shift = 0;
    td_rd r;
    td_rd_init(&r, in, len);
    size_t take = len < XMPP_MAX - x->n ? len : XMPP_MAX - x->n;
    td_rd_copy(&r, (uint8_t *)x->buf + x->n, take);
    x->n += take;
    if (find(x, "<stream:error"))
        return element_end(x, find(x, "<stream:error"), "</stream:error>") ? stream_error(x, io) : TD_LEADIN_MORE;
    if (!x->asked) {
        const char *f = find(x, "<stream:features");
        const char *end = f ? element_end(x, f, "</stream:features>") : NULL;
        if (!end) {
            if (x->n == XMPP_MAX)
                goto too_long;
            return TD_LEADIN_MORE;
        }
        if (!memmem(f, (size_t)(end - f), NS_TLS, strlen(NS_TLS)))
            return td_leadin_fail(io, "STARTTLS not in the XMPP stream features");
        static const char ask[] = "<starttls xmlns='" NS_TLS "'/>";
        memcpy(io->out, ask, sizeof ask - 1);
        io->out_len = sizeof ask - 1;
        x->asked = true;
        /* What came after the features is the answer to come. */
        size_t rest = (size_t)(x->buf + x->n - end);
        shift = (size_t)(end - x->buf);
        memmove(x->buf, end, rest);
        x->n = rest;
        if (!rest)
            return TD_LEADIN_MORE;
    }
    const char *p = find(x, "<proceed");
    if (p) {
        const char *end = element_end(x, p, "</proceed>");
        if (!end)
            return TD_LEADIN_MORE;
        size_t upto = (size_t)(end - x->buf) + shift;
        io->used = upto > before ? upto - before : 0;
        return TD_LEADIN_DONE;
    }
    if (find(x, "<failure"))
        return td_leadin_fail(io, "STARTTLS answered <failure/>");
    if (x->n == XMPP_MAX)
        goto too_long;
    return TD_LEADIN_MORE;
too_long:
    return td_leadin_fail(io, "no STARTTLS answer in the first %d bytes of the XMPP stream", XMPP_MAX);
}

/* RFC 6120 section 4.7: 'to' names the domain served; version='1.0' is
 * what makes the server send features at all. */
static td_leadin_rc open_stream(const void *cfg, td_leadin_io *io, const char *ns)
{
    const td_starttls_cfg *c = cfg;
    int n = snprintf((char *)io->out, sizeof io->out,
                     "<?xml version='1.0'?><stream:stream xmlns='%s' xmlns:stream='http://etherx.jabber.org/streams' "
                     "to='%s' version='1.0'>",
                     ns, c && c->domain[0] ? c->domain : "localhost");
    io->out_len = n > 0 && (size_t)n < sizeof io->out ? (size_t)n : 0;
    return TD_LEADIN_MORE;
}

static td_leadin_rc client_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)state;
    (void)target;
    return open_stream(cfg, io, "jabber:client");
}

static td_leadin_rc server_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)state;
    (void)target;
    return open_stream(cfg, io, "jabber:server");
}

const td_leadin_ops td_starttls_xmpp_ops = {"xmpp", sizeof(xmpp_st), false, client_start, xmpp_feed};
const td_leadin_ops td_starttls_xmpp_server_ops = {"xmpp-server", sizeof(xmpp_st), false, server_start, xmpp_feed};
