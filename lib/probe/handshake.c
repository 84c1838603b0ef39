/* Full handshakes through OpenSSL: see handshake.h. */
#include "handshake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../cert/cert.h"
#include "../util/str.h"
#include "../starttls/starttls.h"
#include "../wire/alpn.h"

#define AIA_MAX_BYTES (256u * 1024u) /* an issuer certificate is a few KiB */

/* Which handshake a job fills in. */
enum hkind { H_MAIN, H_NOSNI, H_CLIENT, H_RESUME, H_BACKEND, H_AIA };

/* Set by the client-certificate callback of the context it belongs to: the
 * server sent a CertificateRequest (TLS 1.2 and 1.3 alike). */
struct reqflag {
    bool requested;
};

struct td_hsrun {
    const td_probe_cfg *cfg;
    td_obs *o;
    td_sched *s;
    td_confirm *cf;
    const td_addr *addr;
    td_store *store;
    SSL_CTX *ctx_main, *ctx_nosni, *ctx_client, *ctx_plain;
    struct reqflag req_main, req_nosni;
    unsigned char alpn[256];
    size_t alpn_len;
    bool path_done;
};

struct hjob {
    td_hsrun *h;
    enum hkind kind;
    td_hs *dst;
    /* H_AIA: the response as it arrives */
    uint8_t *buf;
    size_t len;
};

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    (void)x509;
    (void)pkey;
    struct reqflag *f = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (f)
        f->requested = true;
    return 0; /* no certificate: the server decides whether that is fatal */
}

/* A client that accepts anything, so that whatever the server sends
 * arrives and can be judged: verification is tlsdiag's own, afterwards. */
static SSL_CTX *new_ctx(struct reqflag *flag)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c)
        return NULL;
    SSL_CTX_set_security_level(c, 0);
    SSL_CTX_set_min_proto_version(c, 0);
    SSL_CTX_set_cipher_list(c, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    /* Ask for a stapled OCSP response (RFC 6066 section 8). */
    SSL_CTX_set_tlsext_status_type(c, TLSEXT_STATUSTYPE_ocsp);
    if (flag) {
        SSL_CTX_set_app_data(c, flag);
        SSL_CTX_set_client_cert_cb(c, client_cert_cb);
    }
    return c;
}

/* "h2,http/1.1" as SSL_set_alpn_protos() takes it; 0 when it is not a
 * valid list or does not fit. */
static size_t alpn_wire(const char *list, unsigned char *out, size_t cap)
{
    td_wr w;
    td_wr_init(&w, out, cap);
    return td_alpn_write(&w, list) && td_wr_ok(&w) ? w.len : 0;
}

static const char *sni_for(const td_hsrun *h, enum hkind k)
{
    if (k == H_NOSNI)
        return NULL;
    return (h->cfg->sni && h->cfg->sni[0]) ? h->cfg->sni : NULL;
}

/* ---- collecting what a handshake showed ----------------------------------- */

void td_hs_take_chain(td_hs *d, SSL *ssl)
{
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
    int n = sk ? sk_X509_num(sk) : 0;
    for (int i = 0; i < n && d->n_chain < TD_FLIGHT_MAX_CERTS; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509(sk_X509_value(sk, i), &der);
        if (len <= 0)
            continue;
        uint8_t *copy = malloc((size_t)len);
        if (copy) {
            memcpy(copy, der, (size_t)len);
            d->chain[d->n_chain].der = copy;
            d->chain[d->n_chain].len = (size_t)len;
            d->n_chain++;
        }
        OPENSSL_free(der);
    }
}

static void take_ocsp(td_hs *d, SSL *ssl)
{
    const unsigned char *p = NULL;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &p);
    if (len <= 0 || !p)
        return;
    d->ocsp_stapled = true;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, len);
    OCSP_BASICRESP *basic = resp ? OCSP_response_get1_basic(resp) : NULL;
    OCSP_SINGLERESP *single = basic ? OCSP_resp_get0(basic, 0) : NULL;
    if (single)
        d->ocsp_status = OCSP_single_get0_status(single, NULL, NULL, NULL, NULL);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(resp);
}

static void take_ca_names(td_hs *d, SSL *ssl)
{
    STACK_OF(X509_NAME) *names = SSL_get_client_CA_list(ssl);
    int n = names ? sk_X509_NAME_num(names) : 0;
    for (int i = 0; i < n && d->n_ca_names < TD_HS_MAX_CANAMES; i++, d->n_ca_names++)
        td_cert_dn_text(sk_X509_NAME_value(names, i), d->ca_names[d->n_ca_names], sizeof d->ca_names[0]);
}

static td_outcome outcome_of(const td_io_result *io, const td_tls_result *tls)
{
    switch (io->status) {
    case TD_IO_DONE:
        if (tls && tls->handshake_done)
            return TD_OUT_HELLO;
        return (tls && tls->alert_received >= 0) ? TD_OUT_ALERT : TD_OUT_MALFORMED;
    case TD_IO_REFUSED: return TD_OUT_REFUSED;
    case TD_IO_CONNECT_TIMEOUT: return TD_OUT_CONNECT_TIMEOUT;
    case TD_IO_UNREACHABLE: return TD_OUT_UNREACHABLE;
    case TD_IO_RESET: return TD_OUT_RESET;
    case TD_IO_EOF: return TD_OUT_CLOSED;
    case TD_IO_TIMEOUT: return TD_OUT_TIMEOUT;
    case TD_IO_DEADLINE: return TD_OUT_DEADLINE;
    case TD_IO_ERROR: return TD_OUT_ERROR;
    case TD_IO_LEADIN: return TD_OUT_LEADIN;
    }
    return TD_OUT_ERROR;
}

/* ---- the certificate verdicts --------------------------------------------- */

static void verdicts(td_hsrun *h, const td_cert *chain, size_t n);

static bool submit_hs(td_hsrun *h, enum hkind kind, td_hs *dst, SSL_CTX *ctx, const td_addr *addr,
                      SSL_SESSION *session);

static void on_tls_done(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl, const td_tries *t)
{
    struct hjob *j = ctx;
    td_hsrun *h = j->h;
    td_hs *d = j->dst;
    d->out = outcome_of(io, tls);
    td_tries_apply(t, &d->out, &d->retry);
    d->done = d->out == TD_OUT_HELLO;
    d->ms = io->total_ms;
    if (tls) {
        d->alert_received = tls->alert_received;
        d->alert_sent = tls->alert_sent;
        snprintf(d->error, sizeof d->error, "%s", tls->error);
        /* OpenSSL's own words for it are "unexpected message". */
        d->violation = tls->hrrs > 1 && !d->done;
        if (d->violation)
            snprintf(d->error, sizeof d->error, "second HelloRetryRequest, in answer to the ClientHello that "
                     "answered the first (RFC 8446 section 4.1.4)");
    }
    if (!d->error[0] && io->status != TD_IO_DONE)
        snprintf(d->error, sizeof d->error, "%s", td_io_status_name(io->status));
    if (io->status == TD_IO_DEADLINE)
        h->o->deadline_hit = true;

    SSL_SESSION *sess = NULL;
    if (ssl) {
        td_hs_take_chain(d, ssl);
        take_ca_names(d, ssl);
        if (d->done) {
            d->version = (uint16_t)SSL_version(ssl);
            const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
            d->suite = c ? SSL_CIPHER_get_protocol_id(c) : 0;
            const unsigned char *a = NULL;
            unsigned al = 0;
            SSL_get0_alpn_selected(ssl, &a, &al);
            if (a && al < sizeof d->alpn) {
                memcpy(d->alpn, a, al);
                d->alpn[al] = '\0';
            }
            take_ocsp(d, ssl);
            d->resumed = SSL_session_reused(ssl) == 1;
            sess = SSL_get1_session(ssl);
            if (sess) {
                unsigned idlen = 0;
                SSL_SESSION_get_id(sess, &idlen);
                d->ticket = SSL_SESSION_has_ticket(sess) == 1;
                /* TLS 1.3 resumes by ticket only; its session id field is
                 * compatibility padding (RFC 8446 appendix D.4). */
                d->session_id = idlen > 0 && d->version < TLS1_3_VERSION;
            }
        }
    }
    if (j->kind == H_MAIN)
        d->cert_request = h->req_main.requested;
    else if (j->kind == H_NOSNI)
        d->cert_request = h->req_nosni.requested;
    else if (j->kind == H_CLIENT) {
        /* With a certificate configured OpenSSL never asks the callback:
         * the job saw the CertificateRequest itself.  A client sends its
         * certificate only when asked (RFC 8446 section 4.4.2, RFC 5246
         * section 7.4.6). */
        d->cert_request = (tls && tls->cert_requested) || d->n_ca_names > 0;
        d->client_cert_sent = d->cert_request;
    }

    /* A CertificateRequest comes after the ServerHello, so the version is
     * known even when the handshake then failed over the certificate. */
    if (ssl && !d->done && d->cert_request)
        d->version = (uint16_t)SSL_version(ssl);

    if (j->kind == H_MAIN) {
        if (d->n_chain > 0)
            verdicts(h, d->chain, d->n_chain);
        /* Offer the session back: a server that hands out tickets or ids
         * should take it (RFC 8446 section 2.2, RFC 5246 section 7.3). */
        if (sess && SSL_SESSION_is_resumable(sess) && (d->ticket || d->session_id))
            submit_hs(h, H_RESUME, &h->o->hs_resume, h->ctx_main, h->addr, sess);
    }
    SSL_SESSION_free(sess);
    free(j);
}

static bool submit_hs(td_hsrun *h, enum hkind kind, td_hs *dst, SSL_CTX *ctx, const td_addr *addr,
                      SSL_SESSION *session)
{
    struct hjob *j = calloc(1, sizeof *j);
    if (!j)
        return false;
    j->h = h;
    j->kind = kind;
    j->dst = dst;
    td_hs_init(dst);
    snprintf(dst->addr, sizeof dst->addr, "%s", addr->text);
    const char *sni = sni_for(h, kind);
    snprintf(dst->sni, sizeof dst->sni, "%s", sni ? sni : "");
    td_tls_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.ctx = ctx;
    opts.sni = sni;
    opts.alpn = h->alpn_len ? h->alpn : NULL;
    opts.alpn_len = h->alpn_len;
    opts.session = session;
    /* TLS 1.3 tickets come after the handshake (RFC 8446 section 4.6.1);
     * only the main handshake's session is offered back. */
    opts.ticket_wait_s = kind == H_MAIN ? 0.3 : 0;
    if (td_confirm_submit_tls(h->cf, addr, &opts, on_tls_done, j) != 0) {
        free(j);
        dst->out = TD_OUT_ERROR;
        snprintf(dst->error, sizeof dst->error, "could not start the handshake");
        return false;
    }
    dst->out = TD_OUT_DEADLINE; /* until the job reports */
    return true;
}

/* ---- AIA: fetching the missing issuer the way browsers do ------------------ */

static td_want on_aia_data(void *ctx, const uint8_t *data, size_t len)
{
    struct hjob *j = ctx;
    if (j->len + len > AIA_MAX_BYTES)
        return TD_WANT_DONE;
    uint8_t *nb = realloc(j->buf, j->len + len);
    if (!nb)
        return TD_WANT_DONE;
    j->buf = nb;
    memcpy(j->buf + j->len, data, len);
    j->len += len;
    return TD_WANT_READ; /* HTTP/1.0 with Connection: close ends at EOF */
}

static void on_aia_done(void *ctx, const td_io_result *io)
{
    struct hjob *j = ctx;
    td_hsrun *h = j->h;
    td_obs *o = h->o;
    if (io->status != TD_IO_EOF && io->status != TD_IO_DONE) {
        snprintf(o->aia_error, sizeof o->aia_error, "the fetch ended: %s", td_io_status_name(io->status));
    } else {
        uint8_t *der;
        size_t len;
        if (td_aia_cert_from_http(j->buf, j->len, &der, &len, o->aia_error, sizeof o->aia_error) == 0) {
            o->aia_cert.der = der;
            o->aia_cert.len = len;
            o->aia_error[0] = '\0';
        }
    }
    if (o->aia_cert.len > 0 && h->store) {
        td_der chain[TD_FLIGHT_MAX_CERTS];
        size_t n = 0;
        for (; n < o->hs.n_chain; n++) {
            chain[n].p = o->hs.chain[n].der;
            chain[n].len = o->hs.chain[n].len;
        }
        td_der extra = {o->aia_cert.der, o->aia_cert.len};
        td_verify_path(h->store, chain, n, &extra, 1, o->now, &o->path_aia);
    }
    free(j->buf);
    free(j);
}

static void fetch_aia(td_hsrun *h, const char *url)
{
    td_obs *o = h->o;
    char host[256], path[1024];
    uint16_t port;
    o->aia_tried = true;
    snprintf(o->aia_url, sizeof o->aia_url, "%s", url);
    if (!td_aia_parse_url(url, host, sizeof host, &port, path, sizeof path)) {
        snprintf(o->aia_error, sizeof o->aia_error, "not an http:// URL");
        return;
    }
    /* The name lookup waits at most one step timeout; the AIA host is
     * usually a CA's CDN that answers at once. */
    td_addr addr;
    size_t n = 0;
    double t = h->cfg->sched.step_timeout_s > 0 ? h->cfg->sched.step_timeout_s : 5;
    if (td_resolve(host, port, h->cfg->dns_server, t, &addr, 1, &n, o->aia_error, sizeof o->aia_error) != 0 ||
        n == 0) {
        if (!o->aia_error[0])
            snprintf(o->aia_error, sizeof o->aia_error, "%.100s: no address", host);
        return;
    }
    td_str req;
    td_str_init(&req);
    td_str_printf(&req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: tlsdiag\r\nConnection: close\r\n\r\n", path, host);
    struct hjob *j = calloc(1, sizeof *j);
    if (!j || req.err || !req.s) {
        free(j);
        td_str_free(&req);
        snprintf(o->aia_error, sizeof o->aia_error, "out of memory");
        return;
    }
    j->h = h;
    j->kind = H_AIA;
    /* The CA's web server is no STARTTLS server: the fetch runs the chain
     * of lead-ins without the upgrade (which is last). */
    td_leadin chain[TD_LEADIN_MAX];
    size_t n_chain = td_sched_get_leadins(h->s, chain, TD_LEADIN_MAX);
    bool upgrade = h->cfg->starttls && h->cfg->starttls->ops && n_chain > 0;
    if (upgrade)
        td_sched_set_leadins(h->s, chain, n_chain - 1);
    if (td_sched_submit(h->s, &addr, (const uint8_t *)req.s, req.len, on_aia_data, on_aia_done, j) != 0) {
        free(j);
        snprintf(o->aia_error, sizeof o->aia_error, "could not start the fetch");
    }
    if (upgrade)
        td_sched_set_leadins(h->s, chain, n_chain);
    td_str_free(&req);
}

/* Verifies the chain as strict clients do and, when its top's issuer is
 * missing, fetches it the way browsers do. */
static void verdicts(td_hsrun *h, const td_cert *chain, size_t n)
{
    td_obs *o = h->o;
    if (h->path_done || !h->store || n == 0)
        return;
    h->path_done = true;
    td_der d[TD_FLIGHT_MAX_CERTS];
    for (size_t i = 0; i < n && i < TD_FLIGHT_MAX_CERTS; i++) {
        d[i].p = chain[i].der;
        d[i].len = chain[i].len;
    }
    td_verify_path(h->store, d, n, NULL, 0, o->now, &o->path);
    bool incomplete = td_path_is(&o->path, TD_PATH_INCOMPLETE);
    if (incomplete && o->path.missing_issuer_aia[0] && !h->cfg->no_aia && chain == o->hs.chain)
        fetch_aia(h, o->path.missing_issuer_aia);
}

/* ---- the run --------------------------------------------------------------- */

td_hsrun *td_hsrun_new(const td_probe_cfg *cfg, td_obs *o, td_sched *s, td_confirm *cf, const td_addr *addr)
{
    td_hsrun *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cfg = cfg;
    h->o = o;
    h->s = s;
    h->cf = cf;
    h->addr = addr;
    o->now = (int64_t)time(NULL);
    o->warn_days = cfg->warn_days >= 0 ? cfg->warn_days : 0;
    o->path.verdict = TD_PATH_OTHER;
    o->path.depth = -1;
    o->path_aia.verdict = TD_PATH_OTHER;
    /* PostgreSQL's direct TLS needs its ALPN protocol in every hello. */
    const char *alpn = cfg->starttls && cfg->starttls->alpn ? cfg->starttls->alpn : cfg->alpn;
    if (alpn && alpn[0]) {
        snprintf(o->alpn_offered, sizeof o->alpn_offered, "%s", alpn);
        h->alpn_len = alpn_wire(alpn, h->alpn, sizeof h->alpn);
    }
    h->store = td_store_new(cfg->ca_file, cfg->ca_path, o->store_error, sizeof o->store_error);
    if (h->store) {
        snprintf(o->store_name, sizeof o->store_name, "%s", td_store_name(h->store));
        snprintf(o->store.ca_file, sizeof o->store.ca_file, "%s", cfg->ca_file ? cfg->ca_file : "");
        snprintf(o->store.ca_path, sizeof o->store.ca_path, "%s", cfg->ca_path ? cfg->ca_path : "");
    }
    h->ctx_main = new_ctx(&h->req_main);
    h->ctx_nosni = new_ctx(&h->req_nosni);
    h->ctx_plain = new_ctx(NULL);
    if (!h->ctx_main || !h->ctx_nosni || !h->ctx_plain) {
        td_hsrun_free(h);
        return NULL;
    }
    if (cfg->cert_file && cfg->key_file) {
        o->client_cert_given = true;
        h->ctx_client = new_ctx(NULL);
        if (!h->ctx_client || SSL_CTX_use_certificate_chain_file(h->ctx_client, cfg->cert_file) != 1 ||
            SSL_CTX_use_PrivateKey_file(h->ctx_client, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(h->ctx_client) != 1) {
            td_hs_init(&o->hs_client);
            o->hs_client.out = TD_OUT_ERROR;
            snprintf(o->hs_client.error, sizeof o->hs_client.error,
                     "cannot use the client certificate/key (%s, %s): not PEM, or they do not match",
                     cfg->cert_file, cfg->key_file);
            SSL_CTX_free(h->ctx_client);
            h->ctx_client = NULL;
        }
    }
    return h;
}

void td_hsrun_start(td_hsrun *h)
{
    td_obs *o = h->o;
    submit_hs(h, H_MAIN, &o->hs, h->ctx_main, h->addr, NULL);
    if (h->cfg->sni && h->cfg->sni[0])
        submit_hs(h, H_NOSNI, &o->hs_nosni, h->ctx_nosni, h->addr, NULL);
    if (h->ctx_client)
        submit_hs(h, H_CLIENT, &o->hs_client, h->ctx_client, h->addr, NULL);
    /* Every other address once, then more handshakes to the first: a load
     * balancer in front shows its backends one connection at a time. */
    unsigned repeat = h->cfg->repeat ? h->cfg->repeat : 1;
    for (size_t i = 1; i < o->n_addrs && o->n_backends < TD_MAX_BACKENDS; i++)
        submit_hs(h, H_BACKEND, &o->backends[o->n_backends++], h->ctx_plain, &o->addrs[i], NULL);
    for (unsigned k = 1; k < repeat && o->n_backends < TD_MAX_BACKENDS; k++)
        submit_hs(h, H_BACKEND, &o->backends[o->n_backends++], h->ctx_plain, h->addr, NULL);
}

void td_hsrun_finish(td_hsrun *h)
{
    td_obs *o = h->o;
    if (!h->path_done && o->n_certs > 0)
        verdicts(h, o->certs, o->n_certs);
}

void td_hsrun_free(td_hsrun *h)
{
    if (!h)
        return;
    SSL_CTX_free(h->ctx_main);
    SSL_CTX_free(h->ctx_nosni);
    SSL_CTX_free(h->ctx_client);
    SSL_CTX_free(h->ctx_plain);
    td_store_free(h->store);
    free(h);
}
