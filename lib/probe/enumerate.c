/* Suite enumeration for one version: see enumerate.h. */
#include "enumerate.h"

#include <string.h>

#include "../registry/registry.h"

/* The state of one query slot: nothing to ask, ready to go out, out,
 * answered (for a boundary: it held), W_FAILED (a boundary that did not). */
enum { W_NONE, W_READY, W_OUT, W_DONE, W_FAILED };

enum { PH_HEAD, PH_CHAINS, PH_SORT, PH_DONE };

/* A query id: its kind above the low byte, a band, boundary or merge step
 * in it. */
enum { Q_HEAD = 0, Q_ORDER = 1 << 8, Q_FWD = 2 << 8, Q_REV = 3 << 8, Q_BOUND = 4 << 8, Q_MERGE = 5 << 8 };
#define Q_KIND(id) ((id) & ~0xff)
#define Q_INDEX(id) ((size_t)((id) & 0xff))

/* The merge's four queries: the two binary searches, top and bottom. */
enum { M_P, M_Q, M_TOP, M_BOTTOM };

static int band_of(uint16_t id)
{
    /* Servers list forward-secret AEAD suites first, then the other
     * forward-secret ones, then AEAD suites without forward secrecy, then
     * the rest: OpenSSL sorts every cipher string that way unless told
     * otherwise (it counts the PSK key exchanges with the rest), and
     * Mozilla's server profiles are written that way. */
    const td_suite *s = td_suite_by_id(id);
    if (!s)
        return TD_ENUM_BANDS - 1;
    bool eph = s->kx == TD_KX_DHE || s->kx == TD_KX_ECDHE || s->kx == TD_KX_TLS13;
    return (eph ? 0 : 2) + (s->cls == TD_CLASS_AEAD ? 0 : 1);
}

static int find(const td_enum *e, uint16_t id)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->cand[i] == id)
            return (int)i;
    return -1;
}

/* Candidates not picked and not known to be refused, of one chain (or of
 * all when c < 0), in registry order; out may be NULL to count. */
static size_t alive(const td_enum *e, int c, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->picked[i] || e->dead[i] || (c >= 0 && e->chain[i] != c))
            continue;
        if (out)
            out[n] = e->cand[i];
        n++;
    }
    return n;
}

static void append(td_enum *e, uint16_t id)
{
    if (e->n_result < TD_MAX_SUITES)
        e->result[e->n_result++] = id;
}

/* What a single chain offering everything finds from a server that
 * honours the client's order: the accepted suites in registry order. */
static void finish_registry_order(td_enum *e)
{
    e->n_result = 0;
    for (size_t i = 0; i < e->n; i++)
        if (e->picked[i])
            append(e, e->cand[i]);
    e->phase = PH_DONE;
}

/* Server order: first and second, then the lists as they stand. */
static void finish_lists(td_enum *e)
{
    e->n_result = 0;
    for (size_t h = 0; h < e->n_head; h++)
        append(e, e->head[h]);
    for (size_t l = 0; l < e->n_lists; l++)
        for (size_t k = 0; k < e->list_n[l]; k++)
            append(e, e->list[l][k]);
    e->phase = PH_DONE;
}

/* ---- server order: boundaries and merges ---------------------------------- */

/* A boundary needs a comparison unless the two suites either side of it
 * were compared already. */
static void refresh_bounds(td_enum *e)
{
    for (size_t b = 0; b < TD_ENUM_CHAINS; b++) {
        if (b + 1 >= e->n_lists) {
            e->bound[b] = W_NONE;
            continue;
        }
        uint16_t hi = e->list[b][e->list_n[b] - 1], lo = e->list[b + 1][0];
        if (e->bound[b] == W_NONE || e->bound_pair[b][0] != hi || e->bound_pair[b][1] != lo) {
            e->bound_pair[b][0] = hi;
            e->bound_pair[b][1] = lo;
            e->bound[b] = W_READY;
        }
    }
}

/* Drops list l (merged or joined into l - 1): the boundary before it goes,
 * the one after it now follows l - 1. */
static void remove_list(td_enum *e, size_t l)
{
    for (size_t k = l; k + 1 < e->n_lists; k++) {
        memcpy(e->list[k], e->list[k + 1], e->list_n[k + 1] * sizeof e->list[k][0]);
        e->list_n[k] = e->list_n[k + 1];
    }
    for (size_t b = l - 1; b + 1 < TD_ENUM_CHAINS; b++) {
        e->bound[b] = e->bound[b + 1];
        memcpy(e->bound_pair[b], e->bound_pair[b + 1], sizeof e->bound_pair[b]);
    }
    e->bound[TD_ENUM_CHAINS - 1] = W_NONE;
    e->n_lists--;
}

static void searches_done(td_enum *e);

static void start_merge(td_enum *e, size_t at)
{
    td_enum_merge *m = &e->m;
    memset(m, 0, sizeof *m);
    m->on = true;
    m->at = at;
    /* The boundary failed: the lower list's first beats the upper list's
     * last.  p: how many of the upper list beat the lower list's first;
     * q: how many of the lower list beat the upper list's last. */
    m->plo = 0;
    m->phi = e->list_n[at] - 1;
    m->qlo = 1;
    m->qhi = e->list_n[at + 1];
    m->q_state[M_P] = m->plo < m->phi ? W_READY : W_DONE;
    m->q_state[M_Q] = m->qlo < m->qhi ? W_READY : W_DONE;
    if (m->q_state[M_P] == W_DONE && m->q_state[M_Q] == W_DONE)
        searches_done(e);
}

static void sort_step(td_enum *e);

/* Both searches are done: the overlap is upper[p..] and lower[..q). */
static void middle_step(td_enum *e)
{
    td_enum_merge *m = &e->m;
    if (m->q_state[M_P] != W_DONE || m->q_state[M_Q] != W_DONE || m->q_state[M_TOP] == W_OUT ||
        m->q_state[M_BOTTOM] == W_OUT)
        return;
    size_t ra = m->ba - m->ta, rb = m->bb - m->tb;
    if (ra > 0 && rb > 0) {
        m->q_state[M_TOP] = W_READY;
        /* Bottom and top compare different suites unless one each is left. */
        m->q_state[M_BOTTOM] = ra + rb > 2 ? W_READY : W_NONE;
        return;
    }
    size_t at = m->at, nb = e->list_n[at + 1];
    uint16_t out[TD_MAX_SUITES];
    size_t n = 0;
    for (size_t k = 0; k < m->plo; k++)
        out[n++] = e->list[at][k];
    for (size_t k = 0; k < m->n_top; k++)
        out[n++] = m->top[k];
    for (size_t k = m->ta; k < m->ba; k++)
        out[n++] = e->list[at][k];
    for (size_t k = m->tb; k < m->bb; k++)
        out[n++] = e->list[at + 1][k];
    for (size_t k = m->n_bottom; k-- > 0;)
        out[n++] = m->bottom[k];
    for (size_t k = m->qlo; k < nb; k++)
        out[n++] = e->list[at + 1][k];
    memcpy(e->list[at], out, n * sizeof out[0]);
    e->list_n[at] = n;
    remove_list(e, at + 1);
    m->on = false;
    refresh_bounds(e);
    sort_step(e);
}

static void searches_done(td_enum *e)
{
    td_enum_merge *m = &e->m;
    m->ta = m->plo;
    m->ba = e->list_n[m->at];
    m->tb = 0;
    m->bb = m->qlo;
    middle_step(e);
}

/* The pair a merge query offers, expected winner last. */
static void merge_pair(const td_enum *e, size_t k, uint16_t pair[2])
{
    const td_enum_merge *m = &e->m;
    const uint16_t *a = e->list[m->at], *b = e->list[m->at + 1];
    size_t na = e->list_n[m->at];
    switch (k) {
    case M_P: pair[0] = b[0]; pair[1] = a[(m->plo + m->phi) / 2]; break;
    case M_Q: pair[0] = a[na - 1]; pair[1] = b[(m->qlo + m->qhi) / 2]; break;
    case M_TOP: pair[0] = b[m->tb]; pair[1] = a[m->ta]; break;
    default: pair[0] = b[m->bb - 1]; pair[1] = a[m->ba - 1]; break;
    }
}

/* One step of a binary search for a split point in [lo, hi]: the suite
 * at the middle won its comparison (up), so the point lies past it. */
static void halve(size_t *lo, size_t *hi, bool up)
{
    size_t mid = (*lo + *hi) / 2;
    if (up)
        *lo = mid + 1;
    else
        *hi = mid;
}

/* Applies a merge answer; false when it is not one of the pair or breaks
 * what earlier answers said. */
static bool merge_apply(td_enum *e, size_t k, uint16_t pick)
{
    td_enum_merge *m = &e->m;
    const uint16_t *a = e->list[m->at], *b = e->list[m->at + 1];
    uint16_t pair[2];
    merge_pair(e, k, pair);
    /* The suite offered last won: the search's middle one, or the upper
     * list's. */
    bool last = pick == pair[1];
    if (!last && pick != pair[0])
        return false;
    switch (k) {
    case M_P:
        halve(&m->plo, &m->phi, last);
        return true;
    case M_Q:
        halve(&m->qlo, &m->qhi, last);
        return true;
    case M_TOP:
        if (last ? m->ta >= m->ba : m->tb >= m->bb)
            return false;
        m->top[m->n_top++] = last ? a[m->ta++] : b[m->tb++];
        return true;
    default:
        /* The loser goes to the bottom. */
        if (last ? m->tb >= m->bb : m->ta >= m->ba)
            return false;
        m->bottom[m->n_bottom++] = last ? b[--m->bb] : a[--m->ba];
        return true;
    }
}

static void merge_answer(td_enum *e, size_t k, td_answer a, uint16_t suite)
{
    td_enum_merge *m = &e->m;
    m->q_state[k] = W_DONE;
    if (a != TD_ANS_PICK || !merge_apply(e, k, suite)) {
        /* The order is known only as far as the lists go. */
        e->complete = false;
        m->on = false;
        finish_lists(e);
        return;
    }
    if (k == M_P && m->plo < m->phi)
        m->q_state[M_P] = W_READY;
    else if (k == M_Q && m->qlo < m->qhi)
        m->q_state[M_Q] = W_READY;
    else if (k <= M_Q && m->q_state[M_P] == W_DONE && m->q_state[M_Q] == W_DONE)
        searches_done(e);
    else if (k >= M_TOP)
        middle_step(e);
}

static bool any_bound(const td_enum *e, int s)
{
    for (size_t b = 0; b < TD_ENUM_CHAINS; b++)
        if (e->bound[b] == s)
            return true;
    return false;
}

/* Once no comparison is out: lists joined by boundaries that held form
 * runs, each in the server's order; the first two runs are merged, and
 * the merged list checked against the next, until one run is left. */
static void sort_step(td_enum *e)
{
    if (e->m.on || any_bound(e, W_READY) || any_bound(e, W_OUT))
        return;
    for (size_t l = e->n_lists; l-- > 1;) {
        if (e->bound[l - 1] != W_DONE)
            continue;
        memcpy(&e->list[l - 1][e->list_n[l - 1]], e->list[l], e->list_n[l] * sizeof e->list[l][0]);
        e->list_n[l - 1] += e->list_n[l];
        remove_list(e, l);
    }
    if (e->n_lists > 1)
        start_merge(e, 0);
    else
        finish_lists(e);
}

static void bound_answer(td_enum *e, size_t b, td_answer a, uint16_t suite)
{
    if (a != TD_ANS_PICK || (suite != e->bound_pair[b][0] && suite != e->bound_pair[b][1])) {
        e->bound[b] = W_NONE;
        e->complete = false;
        finish_lists(e);
        return;
    }
    e->bound[b] = suite == e->bound_pair[b][0] ? W_DONE : W_FAILED;
    sort_step(e);
}

static void sort(td_enum *e)
{
    if (e->order != TD_YES) {
        finish_registry_order(e);
        return;
    }
    /* Each chain's picks, in the server's order, chain after chain as the
     * bands and their parts go; empty ones drop out. */
    const size_t row = sizeof e->list[0];
    uint16_t tmp[TD_ENUM_CHAINS][TD_MAX_SUITES];
    size_t n[TD_ENUM_CHAINS];
    memcpy(tmp, e->list, sizeof tmp);
    memcpy(n, e->list_n, sizeof n);
    e->n_lists = 0;
    for (size_t k = 0; k < e->n_chains; k++) {
        size_t c = e->seq[k];
        if (n[c] == 0)
            continue;
        memcpy(e->list[e->n_lists], tmp[c], row);
        e->list_n[e->n_lists++] = n[c];
    }
    e->phase = PH_SORT;
    refresh_bounds(e);
    sort_step(e);
}

/* ---- the chains ----------------------------------------------------------- */

static bool chain_busy(const td_enum *e, size_t c)
{
    return e->fwd[c] == W_READY || e->fwd[c] == W_OUT || e->rev[c] == W_READY || e->rev[c] == W_OUT;
}

static void chain_step(td_enum *e, size_t c)
{
    size_t n = alive(e, (int)c, NULL);
    if (e->ended[c] || n == 0) {
        e->fwd[c] = e->rev[c] = W_DONE;
        return;
    }
    e->fwd[c] = W_READY;
    e->rev[c] = e->order == TD_NO && n >= 2 ? W_READY : W_NONE;
    e->step_pick[c] = 0;
}

/* Client order: everything offered before the pick is refused, and the
 * reverse query offered the chain's suites backwards. */
static void drop_before(td_enum *e, size_t c, size_t at, bool reverse)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->chain[i] == c && !e->picked[i] && (reverse ? i > at : i < at))
            e->dead[i] = true;
}

/* Inside a band OpenSSL lists suites with SHA-2 MACs (the TLS 1.2 ones)
 * before the others, then 256-bit keys before 128-bit ones: the levels a
 * chain may split its rest at, 0 for the side that comes first. */
static int sub_key(uint16_t id, int level)
{
    const td_suite *s = td_suite_by_id(id);
    if (!s)
        return 1;
    if (level == 0 && s->cls != TD_CLASS_AEAD)
        return strcmp(s->mac, "SHA256") != 0 && strcmp(s->mac, "SHA384") != 0;
    return s->bits < 256;
}

/* Server order: a chain whose picks (five or more: a shorter band gains
 * too little to pay for the new chain's refusal and its boundary check)
 * all sit on the first side of a level while its rest has both sides
 * hands the second side to a new chain, whose list follows its own.  A
 * server that does not follow that order inside the band fails the
 * boundary check and gets merged. */
static void maybe_split(td_enum *e, size_t c)
{
    for (int level = 0; level < 2 && e->order == TD_YES && e->n_chains < TD_ENUM_CHAINS; level++) {
        size_t seen[2] = {0, 0}, left[2] = {0, 0};
        for (size_t i = 0; i < e->n; i++)
            if (e->chain[i] == c)
                (e->picked[i] ? seen : left)[sub_key(e->cand[i], level)]++;
        if (seen[1] > 0 || seen[0] < 5 || left[0] == 0 || left[1] == 0)
            continue;
        size_t nc = e->n_chains++, at = 0;
        for (size_t i = 0; i < e->n; i++)
            if (e->chain[i] == c && !e->picked[i] && sub_key(e->cand[i], level))
                e->chain[i] = (uint8_t)nc;
        while (e->seq[at] != c)
            at++;
        memmove(&e->seq[at + 2], &e->seq[at + 1], (nc - at - 1) * sizeof e->seq[0]);
        e->seq[at + 1] = (uint8_t)nc;
        e->fwd[nc] = W_READY;
        return;
    }
}

static void chain_answer(td_enum *e, size_t c, bool reverse, td_answer a, uint16_t suite)
{
    int i = a == TD_ANS_PICK ? find(e, suite) : -1;
    /* Both ends name the same suite when it is the chain's last. */
    bool again = i >= 0 && e->picked[i] && e->step_pick[c] == suite;
    if (i >= 0 && e->chain[i] == c && !e->dead[i] && (!e->picked[i] || again)) {
        if (!again) {
            e->picked[i] = true;
            e->step_pick[c] = suite;
            if (!reverse)
                e->list[c][e->list_n[c]++] = suite;
            maybe_split(e, c);
        }
        if (e->order == TD_NO)
            drop_before(e, c, (size_t)i, reverse);
    } else if (a == TD_ANS_REFUSED) {
        /* Nothing the chain offered is accepted. */
        for (size_t k = 0; k < e->n; k++)
            if (e->chain[k] == c && !e->picked[k])
                e->dead[k] = true;
    } else {
        /* Silence, or a suite it did not offer: incomplete. */
        e->ended[c] = true;
        e->complete = false;
    }
    if (reverse)
        e->rev[c] = W_DONE;
    else
        e->fwd[c] = W_DONE;
    if (!chain_busy(e, c))
        chain_step(e, c);
}

static void start_chains(td_enum *e)
{
    e->phase = PH_CHAINS;
    e->order_state = W_READY;
    e->n_chains = TD_ENUM_BANDS;
    for (size_t b = 0; b < TD_ENUM_BANDS; b++) {
        e->seq[b] = (uint8_t)b;
        chain_step(e, b);
    }
}

static void next_head(td_enum *e)
{
    if (e->n_head == 2)
        start_chains(e);
    else if (alive(e, -1, NULL) == 0)
        finish_registry_order(e);
    else
        e->head_state = W_READY;
}

void td_enum_start(td_enum *e, const uint16_t *cands, size_t n, uint16_t first)
{
    memset(e, 0, sizeof *e);
    e->n = n < TD_MAX_SUITES ? n : TD_MAX_SUITES;
    for (size_t i = 0; i < e->n; i++) {
        e->cand[i] = cands[i];
        e->chain[i] = (uint8_t)band_of(cands[i]);
    }
    e->complete = true;
    e->order = TD_UNKNOWN;
    int i = first ? find(e, first) : -1;
    if (i >= 0) {
        e->picked[i] = true;
        e->head[e->n_head++] = first;
    }
    e->phase = PH_HEAD;
    next_head(e);
}

static void head_answer(td_enum *e, td_answer a, uint16_t suite)
{
    e->head_state = W_DONE;
    int i = a == TD_ANS_PICK ? find(e, suite) : -1;
    if (i >= 0 && !e->picked[i]) {
        e->picked[i] = true;
        e->head[e->n_head++] = suite;
        next_head(e);
        return;
    }
    if (a != TD_ANS_REFUSED)
        e->complete = false;
    finish_registry_order(e);
}

void td_enum_answer(td_enum *e, int id, td_answer a, uint16_t suite)
{
    size_t k = Q_INDEX(id);
    switch (Q_KIND(id)) {
    case Q_HEAD: head_answer(e, a, suite); return;
    case Q_BOUND: bound_answer(e, k, a, suite); return;
    case Q_MERGE: merge_answer(e, k, a, suite); return;
    case Q_ORDER:
        /* Offered {second, first}: a server with its own order takes
         * first again, one honouring the client's takes second. */
        e->order_state = W_DONE;
        if (a == TD_ANS_PICK && suite == e->head[0])
            e->order = TD_YES;
        else if (a == TD_ANS_PICK && suite == e->head[1])
            e->order = TD_NO;
        break;
    case Q_FWD: chain_answer(e, k, false, a, suite); break;
    case Q_REV: chain_answer(e, k, true, a, suite); break;
    }
    for (size_t c = 0; c < e->n_chains; c++)
        if (chain_busy(e, c))
            return;
    if (e->phase == PH_CHAINS && e->order_state == W_DONE)
        sort(e);
}

/* ---- the queries ---------------------------------------------------------- */

static bool take(uint8_t *state)
{
    if (*state != W_READY)
        return false;
    *state = W_OUT;
    return true;
}

static bool pair_query(td_enum_query *q, int id, uint16_t lo, uint16_t hi)
{
    q->id = id;
    q->suites[0] = lo;
    q->suites[1] = hi;
    q->n = 2;
    return true;
}

static bool next_chain(td_enum *e, td_enum_query *q)
{
    if (take(&e->order_state))
        return pair_query(q, Q_ORDER, e->head[1], e->head[0]);
    for (size_t c = 0; c < e->n_chains; c++) {
        bool rev = !take(&e->fwd[c]);
        if (rev && !take(&e->rev[c]))
            continue;
        q->id = (rev ? Q_REV : Q_FWD) | (int)c;
        q->n = alive(e, (int)c, q->suites);
        for (size_t i = 0; rev && i < q->n / 2; i++) {
            uint16_t t = q->suites[i];
            q->suites[i] = q->suites[q->n - 1 - i];
            q->suites[q->n - 1 - i] = t;
        }
        return true;
    }
    return false;
}

static bool next_sort(td_enum *e, td_enum_query *q)
{
    for (size_t b = 0; b < TD_ENUM_CHAINS; b++)
        if (take(&e->bound[b]))
            return pair_query(q, Q_BOUND | (int)b, e->bound_pair[b][1], e->bound_pair[b][0]);
    for (size_t k = 0; e->m.on && k < 4; k++) {
        if (take(&e->m.q_state[k])) {
            uint16_t pair[2];
            merge_pair(e, k, pair);
            return pair_query(q, Q_MERGE | (int)k, pair[0], pair[1]);
        }
    }
    return false;
}

bool td_enum_next(td_enum *e, td_enum_query *q)
{
    q->n = 0;
    switch (e->phase) {
    case PH_HEAD:
        if (!take(&e->head_state))
            return false;
        q->id = Q_HEAD;
        q->n = alive(e, -1, q->suites);
        return true;
    case PH_CHAINS: return next_chain(e, q);
    case PH_SORT: return next_sort(e, q);
    default: return false;
    }
}

bool td_enum_done(const td_enum *e)
{
    return e->phase == PH_DONE;
}

size_t td_enum_result(const td_enum *e, const uint16_t **suites)
{
    *suites = e->result;
    return e->n_result;
}

bool td_enum_complete(const td_enum *e)
{
    return e->complete;
}

td_tri td_enum_order(const td_enum *e)
{
    return e->order;
}
