/* Observations: bookkeeping for the structure the probes fill in. */
#include "obs/obs.h"

#include <stdlib.h>
#include <string.h>

#include "wire/tls.h"

static const uint16_t versions[TD_NVERSIONS] = {TD_SSL2, TD_SSL3, TD_TLS10, TD_TLS11, TD_TLS12, TD_TLS13};

int td_vidx(uint16_t v)
{
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (versions[i] == v)
            return i;
    return -1;
}

uint16_t td_vat(int idx)
{
    return (idx >= 0 && idx < TD_NVERSIONS) ? versions[idx] : 0;
}

const char *td_outcome_name(td_outcome o)
{
    switch (o) {
    case TD_OUT_NOT_RUN: return "not-run";
    case TD_OUT_HELLO: return "hello";
    case TD_OUT_HRR: return "hello-retry-request";
    case TD_OUT_SSLV2: return "sslv2-hello";
    case TD_OUT_ALERT: return "alert";
    case TD_OUT_RESET: return "reset";
    case TD_OUT_CLOSED: return "closed";
    case TD_OUT_TIMEOUT: return "timeout";
    case TD_OUT_REFUSED: return "refused";
    case TD_OUT_CONNECT_TIMEOUT: return "connect-timeout";
    case TD_OUT_UNREACHABLE: return "unreachable";
    case TD_OUT_NOT_TLS: return "not-tls";
    case TD_OUT_MALFORMED: return "malformed";
    case TD_OUT_DEADLINE: return "deadline";
    case TD_OUT_ERROR: return "error";
    case TD_OUT_LIMITED: return "limited";
    case TD_OUT_LEADIN: return "lead-in";
    }
    return "unknown";
}

bool td_obs_handshake_done(const td_obs *o)
{
    const td_hs *hs[] = {&o->hs, &o->hs_nosni, &o->hs_client, &o->hs_resume};
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (hs[i]->done)
            return true;
    for (size_t i = 0; i < o->n_backends && i < TD_MAX_BACKENDS; i++)
        if (o->backends[i].done)
            return true;
    const td_attempt *a[] = {&o->baseline, &o->nosni, &o->oldstyle, &o->bighello, &o->futurever, &o->fallback};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
        if (a[i]->complete)
            return true;
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->ver[i].complete)
            return true;
    for (size_t i = 0; i < o->n_sims && i < TD_MAX_CLIENTS; i++)
        if (o->sims[i].hello.complete)
            return true;
    return false;
}

bool td_outcome_untold(td_outcome o)
{
    return o == TD_OUT_NOT_RUN || o == TD_OUT_DEADLINE || o == TD_OUT_ERROR || o == TD_OUT_LIMITED;
}

void td_obs_init(td_obs *o)
{
    memset(o, 0, sizeof *o);
    o->addr_used = -1;
    td_hs_init(&o->hs);
    td_hs_init(&o->hs_nosni);
    td_hs_init(&o->hs_client);
    td_hs_init(&o->hs_resume);
    td_hs_init(&o->proxy.direct);
    o->warn_days = 21;
    o->clients_level = TD_LEVEL_DEFAULT;
}

void td_obs_free(td_obs *o)
{
    for (size_t i = 0; i < o->n_ca_names; i++)
        free(o->ca_names[i]);
    for (size_t i = 0; i < o->n_certs; i++)
        free(o->certs[i].der);
    o->n_ca_names = 0;
    o->n_certs = 0;
    td_hs_free(&o->hs);
    td_hs_free(&o->hs_nosni);
    td_hs_free(&o->hs_client);
    td_hs_free(&o->hs_resume);
    td_hs_free(&o->proxy.direct);
    for (size_t i = 0; i < o->n_backends; i++)
        td_hs_free(&o->backends[i]);
    o->n_backends = 0;
    free(o->aia_cert.der);
    o->aia_cert.der = NULL;
    o->aia_cert.len = 0;
}

void td_hs_init(td_hs *h)
{
    memset(h, 0, sizeof *h);
    h->alert_received = -1;
    h->alert_sent = -1;
    h->ocsp_status = -1;
}

void td_hs_free(td_hs *h)
{
    for (size_t i = 0; i < h->n_chain; i++)
        free(h->chain[i].der);
    h->n_chain = 0;
}
