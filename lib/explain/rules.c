/* The rules of `tlsdiag explain` (rules.h). */
#include "explain/rules.h"

#include <string.h>

static size_t count_causes(const td_id *c)
{
    size_t n = 0;
    while (n < TD_X_MAX_CAUSES && c[n] != TD_ID_NONE)
        n++;
    return n;
}

const td_id *td_xhit_causes(const td_xhit *h, td_xside writer)
{
    const td_xpat *p = h->pat;
    const td_id *own = writer == TD_XSIDE_SERVER ? p->server : p->client;
    if (count_causes(own) > 0 || h->alert < 0)
        return own;
    /* An alert means what it means to the side that received it. */
    const td_kb *kb = td_kb_get();
    td_xside receiver = h->alert_sent ? (writer == TD_XSIDE_SERVER ? TD_XSIDE_CLIENT : TD_XSIDE_SERVER) : writer;
    const td_xalert *a = kb ? &kb->alerts[h->alert & 0xff] : NULL;
    if (!a || !a->known)
        return own;
    return receiver == TD_XSIDE_SERVER ? a->server : a->client;
}

/* A hit that names one cause says more than one that names five: each hit
 * gives 100 in all, more to its first causes, so a specific text
 * ("certificate has expired") outweighs a general one ("certificate verify
 * failed") that lists the same cause fourth. */
static int weight(size_t rank, size_t n)
{
    return (int)(100 * (n - rank) / (n * n)) + 1;
}

static td_xside decide_writer(const td_xhit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].pat->writer != TD_XSIDE_UNKNOWN)
            return hits[i].pat->writer;
    for (size_t i = 0; i < n; i++)
        if (td_xsw_is_server(hits[i].pat->software))
            return TD_XSIDE_SERVER;
    return TD_XSIDE_CLIENT;
}

static td_xside other(td_xside s)
{
    return s == TD_XSIDE_SERVER ? TD_XSIDE_CLIENT : TD_XSIDE_SERVER;
}

/* Which side ended the handshake: the sender of an alert; else the
 * verifier of the certificate at stake; else, for a client's text, the
 * server that did not go on; for a server's, the server refusing unless
 * the client gave up. */
static td_xside stopper(const td_xverdict *v)
{
    if (v->alert >= 0)
        return v->alert_sent ? v->writer : other(v->writer);
    switch (v->step) {
    case TD_XSTEP_CERT: return TD_XSIDE_CLIENT;
    case TD_XSTEP_CLIENT_CERT: return TD_XSIDE_SERVER;
    case TD_XSTEP_DNS:
    case TD_XSTEP_CONNECT: return TD_XSIDE_CLIENT;
    default: break;
    }
    if (v->ncands && (v->cands[0].id == TD_ID_CLIENT_ALERT || v->cands[0].id == TD_ID_CLIENT_REJECTED_CERT))
        return TD_XSIDE_CLIENT;
    return TD_XSIDE_SERVER;
}

static bool has_cause(const td_id *c, size_t n, td_id id)
{
    for (size_t i = 0; i < n; i++)
        if (c[i] == id)
            return true;
    return false;
}

/* The narrowest other hit whose causes are all among hit i's and fewer:
 * "certificate verify failed" lists five causes, "unable to get local
 * issuer certificate" on the same error three of them, and the general
 * text must not bring back the two the specific one rules out.  NULL when
 * no hit narrows it. */
static const td_id *narrower(const td_xhit *hits, size_t n, size_t i, td_xside writer, size_t *kn)
{
    const td_id *ci = td_xhit_causes(&hits[i], writer);
    size_t ki = count_causes(ci);
    const td_id *best = NULL;
    *kn = 0;
    for (size_t j = 0; j < n; j++) {
        const td_id *cj = td_xhit_causes(&hits[j], writer);
        size_t kj = count_causes(cj), r = 0;
        if (j == i || kj == 0 || kj >= ki)
            continue;
        while (r < kj && has_cause(ci, ki, cj[r]))
            r++;
        if (r == kj && (!best || kj < *kn)) {
            best = cj;
            *kn = kj;
        }
    }
    return best;
}

static int by_score(const void *a, const void *b)
{
    const td_xcand *x = a, *y = b;
    return x->score != y->score ? y->score - x->score : 0;
}

void td_xrules(const td_xhit *hits, size_t n, td_xside writer, td_xverdict *v)
{
    memset(v, 0, sizeof *v);
    v->alert = -1;
    v->writer = writer != TD_XSIDE_UNKNOWN ? writer : decide_writer(hits, n);
    int order[TD_ID_COUNT], best[TD_ID_COUNT] = { 0 }, top = -1;
    int score[TD_ID_COUNT] = { 0 };
    const td_xhit *from[TD_ID_COUNT] = { 0 };
    int next = 0;
    for (size_t i = 0; i < n; i++) {
        const td_id *c = td_xhit_causes(&hits[i], v->writer);
        size_t k = count_causes(c);
        int lead = k ? weight(0, k) : 0;
        /* the most specific hit sets the step and the software; ties go to
         * the first, and a named program beats the TLS library under it */
        bool generic = hits[i].pat->software == TD_XSW_OPENSSL || hits[i].pat->software == TD_XSW_TLS;
        int rank = lead * 2 + (generic ? 0 : 1);
        if (rank > top) {
            top = rank;
            v->top = hits[i].pat;
            v->step = hits[i].pat->step;
            v->alert = hits[i].alert;
            v->alert_sent = hits[i].alert_sent;
        }
        if (v->software == TD_XSW_UNKNOWN || (!generic && (v->software == TD_XSW_OPENSSL || v->software == TD_XSW_TLS)))
            v->software = hits[i].pat->software;
        size_t kn;
        const td_id *narrow = narrower(hits, n, i, v->writer, &kn);
        for (size_t r = 0; r < k; r++) {
            td_id id = c[r];
            if (narrow && !has_cause(narrow, kn, id))
                continue;
            if (!score[id])
                order[next++] = id;
            int w = weight(r, k);
            score[id] += w;
            if (w > best[id]) {
                best[id] = w;
                from[id] = &hits[i];
            }
        }
    }
    for (int i = 0; i < next; i++) {
        td_id id = (td_id)order[i];
        v->cands[v->ncands++] = (td_xcand){ id, score[id], from[id]->pat, from[id]->alert };
    }
    /* insertion sort, stable: equal scores keep the order the text gave */
    for (size_t i = 1; i < v->ncands; i++) {
        td_xcand c = v->cands[i];
        size_t j = i;
        while (j > 0 && by_score(&v->cands[j - 1], &c) > 0) {
            v->cands[j] = v->cands[j - 1];
            j--;
        }
        v->cands[j] = c;
    }
    if (v->step == TD_XSTEP_UNKNOWN && v->alert >= 0) {
        const td_kb *kb = td_kb_get();
        if (kb && kb->alerts[v->alert].known)
            v->step = kb->alerts[v->alert].step;
    }
    v->stopped_by = stopper(v);
}
