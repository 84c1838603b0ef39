/* The probe plan: which ClientHellos to send, in which order, and how each
 * answer becomes an observation.
 *
 * Stage 1 sends, at once: the baseline (a modern hello offering TLS 1.3 down
 * to 1.0 and every suite), the same without SNI, and one hello per protocol
 * version offering only that version and every suite defined for it.  Each
 * accepted version immediately starts its own suite enumeration
 * (enumerate.h): a chain per band of suites (offer what is not yet picked,
 * note the pick, repeat until the server refuses), all side by side with
 * the test of whose order the server follows, and under a server order a
 * round of comparisons that confirms (or merges) the bands' order.
 * Versions run side by side too, so a check costs about as many round
 * trips as the longest band chain.
 *
 * Stage 2 starts when stage 1 has answered and TLS was seen at all: group
 * enumeration (started earlier, as soon as its version answers), the
 * fallback SCSV test, the intolerance hellos (no extensions, a padded
 * hello, GREASE values) and the full handshakes (handshake.c).
 *
 * The simulated clients' hellos need nothing from the other probes: they
 * start as soon as the baseline gets a ServerHello (else with stage 2),
 * at low priority, so they fill the slots the chains leave idle without
 * delaying the next link of a chain.
 *
 * Probes only build bytes and read parsed flights; the scheduler does all
 * I/O and timing. */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../registry/clients.h"
#include "../starttls/starttls.h"
#include "../registry/registry.h"
#include "../wire/flight.h"
#include "../wire/hello.h"
#include "../wire/offer.h"
#include "../wire/tls.h"
#include "confirm.h"
#include "enumerate.h"
#include "handshake.h"
#include "via.h"

#define HELLO_CAP 16384
#define G13_KINDS 3 /* elliptic curves, finite-field groups, hybrids */

enum jkind {
    J_BASELINE, J_NOSNI, J_VERSION, J_CHAIN,
    J_OLDSTYLE, J_BIGHELLO, J_GREASE, J_FALLBACK,
    J_G13_ALL, J_G13_REST, J_G12_ONE, J_G12_REST,
    J_CLIENT
};

struct run {
    const td_probe_cfg *cfg;
    td_obs *o;
    td_sched *s;
    td_confirm *cf;           /* every job goes through it (confirm.c) */
    const td_addr *addr;
    int stage1_pending;
    bool stage2_started;
    bool g12_started;
    bool clients_started;
    size_t sim_twin[TD_MAX_CLIENTS]; /* 1 + the profile whose answer a profile shares, or 0 */
    bool internal_error;
    td_hsrun *hsrun;          /* the full handshakes (handshake.c) */
    td_enum suites[TD_NVERSIONS]; /* suite enumeration per version (enumerate.h) */
    /* groups not yet picked, for the chains: TLS 1.3 per kind (g13_kind),
     * TLS 1.2 the rare ones */
    uint16_t g13_remain[G13_KINDS][TD_MAX_GROUPS], g12_remain[TD_MAX_GROUPS];
    size_t n_g13_remain[G13_KINDS], n_g12_remain;
    int groups_pending;       /* group probes whose answer is still due */
    bool groups_incomplete;   /* one of them ended without a clear answer */
    uint16_t group_preferred; /* picked when every group was offered */
    td_starttls_cfg st_cfg;   /* what the STARTTLS engine is told, for the scheduler's lead-in */
    td_via *via;              /* with --proxy: the tunnel every connection opens, or NULL */
    td_probe_done done;       /* on a pool: whom to tell when it is over */
    void *done_arg;
};

struct job {
    struct run *run;
    enum jkind kind;
    int vi;
    td_attempt a;
    td_flight f;
    uint16_t pair[2]; /* J_CHAIN: pair[0] is the enumeration's query id; J_G1x_ONE: the group */
    bool offered;     /* offer holds what the hello offered (not for SSLv2 hellos) */
    td_offer offer;
};

/* ---- what a hello offers ------------------------------------------------ */

static const char *sni_of(const struct run *r, enum jkind k)
{
    if (k == J_NOSNI)
        return NULL;
    return (r->cfg->sni && r->cfg->sni[0]) ? r->cfg->sni : NULL;
}

/* Suites defined for a version (SSLv3 .. TLS 1.2 share the pre-1.3 table,
 * filtered by each suite's min/max version). */
static size_t suites_for(int vi, uint16_t *out, size_t cap)
{
    uint16_t v = td_vat(vi);
    size_t n = 0;
    for (size_t i = 0; i < td_suite_count() && n < cap; i++) {
        const td_suite *s = td_suite_at(i);
        if (s->min_version <= v && v <= s->max_version) {
            /* TLS 1.3 suites are only meaningful in a TLS 1.3 hello and vice
             * versa (RFC 8446 section 4.1.2 lists them as disjoint). */
            if ((v == TD_TLS13) != (s->min_version == TD_TLS13))
                continue;
            out[n++] = s->id;
        }
    }
    return n;
}

/* A strength rank so that the baseline lists strong suites first, the way
 * real clients do: a server honouring client order then picks a sane one. */
static int rank(const td_suite *s)
{
    int r = (int)s->cls * 4;
    if (td_suite_fs(s))
        r += 2;
    if (s->min_version == TD_TLS13)
        r += 100;
    return r;
}

static int by_rank(const void *a, const void *b)
{
    const td_suite *x = td_suite_by_id(*(const uint16_t *)a);
    const td_suite *y = td_suite_by_id(*(const uint16_t *)b);
    int rx = x ? rank(x) : 0, ry = y ? rank(y) : 0;
    if (rx != ry)
        return ry - rx;
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int by_id(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static size_t all_suites_ranked(uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < td_suite_count() && n < cap; i++) {
        const td_suite *s = td_suite_at(i);
        if (s->max_version >= TD_TLS10)
            out[n++] = s->id;
    }
    qsort(out, n, sizeof out[0], by_rank);
    return n;
}

/* Elliptic-curve groups only: below TLS 1.3 listing ffdhe groups invokes
 * RFC 7919 section 4 rules that would change which DHE suites a server may
 * pick, and the probe must see the server's own DHE parameters. */
static size_t groups_for(bool tls13, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < td_group_count() && n < cap; i++) {
        const td_group *g = td_group_at(i);
        if (g->id >= 0xff00 || g->kind == TD_GROUP_OTHER)
            continue;
        if (!tls13 && g->kind != TD_GROUP_EC && g->kind != TD_GROUP_ECX)
            continue;
        if (!tls13 && g->kind == TD_GROUP_HYBRID)
            continue;
        out[n++] = g->id;
    }
    return n;
}

static size_t sigalgs_all(uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < td_sigalg_count() && n < cap; i++)
        out[n++] = td_sigalg_at(i)->id;
    return n;
}

static const uint16_t shares_default[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1};

/* ---- running a job ------------------------------------------------------- */

static void on_done(void *ctx, const td_io_result *io, const td_tries *t);

static td_want on_data(void *ctx, const uint8_t *data, size_t len)
{
    struct job *j = ctx;
    return td_flight_feed(&j->f, data, len) == TD_FEED_MORE ? TD_WANT_READ : TD_WANT_DONE;
}

/* Builds and queues one hello.  On failure the job is accounted as an
 * internal error and dropped (its continuation never runs). */
static bool submit(struct run *r, enum jkind kind, int vi, const td_hello_spec *spec, bool sslv2,
                   const uint32_t *v2specs, size_t n_v2, const uint16_t pair[2])
{
    /* Through an upgrade a hello speaks the upgraded protocol.  Every hello
     * carries the protocol's own ALPN where it has one (postgres-direct:
     * "postgresql", which PostgreSQL 17 demands); a simulated client offers
     * that, the --alpn given, or none.  A browser's h2,http/1.1 means
     * nothing to a mail or database server, and PostgreSQL 17 answers a
     * list without "postgresql" with no_application_protocol (RFC 7301
     * section 3.2): a refusal no real client of that port meets. */
    td_hello_spec forced;
    const td_starttls_info *st = r->cfg->starttls;
    if (!sslv2 && st && (st->alpn || kind == J_CLIENT)) {
        forced = *spec;
        forced.alpn = st->alpn ? st->alpn : r->cfg->alpn;
        spec = &forced;
    }
    uint8_t *buf = malloc(HELLO_CAP);
    struct job *j = calloc(1, sizeof *j);
    size_t len = 0;
    int rc = -1;
    if (buf && j) {
        rc = sslv2 ? td_hello_build_sslv2(v2specs, n_v2, buf, HELLO_CAP, &len)
                   : td_hello_build(spec, buf, HELLO_CAP, &len);
    }
    if (rc != 0) {
        free(buf);
        free(j);
        r->internal_error = true;
        return false;
    }
    j->run = r;
    j->kind = kind;
    j->vi = vi;
    if (pair) {
        j->pair[0] = pair[0];
        j->pair[1] = pair[1];
    }
    j->a.offered_version = sslv2 ? TD_SSL2 : spec->version;
    j->a.offered_suites = sslv2 ? n_v2 : spec->n_suites;
    j->a.hello_len = len;
    j->a.offered_sni = !sslv2 && spec->sni && spec->sni[0];
    j->offered = !sslv2;
    if (!sslv2)
        td_offer_from_spec(&j->offer, spec);
    td_flight_init(&j->f, sslv2, td_suite_kx);
    /* No probe waits on a client's answer: those hellos fill the slots the
     * chains leave idle instead of holding up the next link. */
    if (td_confirm_submit(r->cf, kind == J_CLIENT, buf, len, on_data, on_done, j) != 0) {
        td_flight_free(&j->f);
        free(buf);
        free(j);
        r->internal_error = true;
        return false;
    }
    free(buf);
    return true;
}

/* A ServerHello below TLS 1.3 whose flight stopped before ServerHelloDone:
 * the handshake did not go on (RFC 5246 section 7.3).  TLS 1.3 flights end
 * at the ServerHello for the parser, as the rest is encrypted. */
static bool cut_short(const td_flight *f)
{
    return f->kind == TD_FLIGHT_HELLO && !f->hello_done && f->version >= TD_SSL3 && f->version <= TD_TLS12;
}

static void flight_cut_short(td_attempt *a, const td_io_result *io, const td_flight *f)
{
    /* A server still sending when the time is up has not finished the
     * handshake: no answer, like silence.  One that ends the connection
     * there, without an alert, breaks RFC 5246 section 7.2.1. */
    if (io->status == TD_IO_TIMEOUT) {
        a->out = TD_OUT_TIMEOUT;
        return;
    }
    a->out = TD_OUT_MALFORMED;
    snprintf(a->error, sizeof a->error, "connection %s at offset %zu, after the ServerHello and before "
             "ServerHelloDone, without an alert (RFC 5246 sections 7.2.1 and 7.3)",
             io->status == TD_IO_RESET ? "reset" : "closed", f->total);
}

void td_attempt_from(td_attempt *a, const td_io_result *io, const td_flight *f)
{
    a->sys_errno = io->sys_errno;
    a->connect_ms = io->connect_ms;
    a->first_ms = io->first_ms;
    a->total_ms = io->total_ms;
    a->bytes_in = io->bytes_in;
    a->leadin = io->leadin_name;
    a->leadin_ms = io->leadin_ms;
    if (f) {
        a->version = f->version;
        a->legacy_version = f->legacy_version;
        a->suite = f->suite;
        a->group = f->group ? f->group : f->ske_group;
        a->alert_level = f->alert_level;
        a->alert_desc = f->alert_desc;
        a->downgrade = f->downgrade;
        a->reneg_info = f->reneg_info;
        a->reneg_info_empty = f->reneg_info_empty;
        memcpy(a->alpn, f->alpn, sizeof a->alpn);
        a->alpn[sizeof a->alpn - 1] = '\0';
        a->n_first = f->n_first < sizeof a->first ? f->n_first : sizeof a->first;
        memcpy(a->first, f->first, a->n_first);
        memcpy(a->error, f->error, sizeof a->error);
        a->error[sizeof a->error - 1] = '\0';
    }

    td_outcome by_flight = TD_OUT_NOT_RUN;
    if (f) {
        switch (f->kind) {
        case TD_FLIGHT_HELLO: by_flight = TD_OUT_HELLO; break;
        case TD_FLIGHT_HRR: by_flight = TD_OUT_HRR; break;
        case TD_FLIGHT_ALERT: by_flight = TD_OUT_ALERT; break;
        case TD_FLIGHT_SSLV2: by_flight = TD_OUT_SSLV2; break;
        case TD_FLIGHT_NOT_TLS: by_flight = TD_OUT_NOT_TLS; break;
        case TD_FLIGHT_MALFORMED: by_flight = TD_OUT_MALFORMED; break;
        case TD_FLIGHT_NONE: break;
        }
        if (by_flight == TD_OUT_NOT_TLS)
            a->protocol = td_sniff_protocol(f->first, f->n_first);
    }

    switch (io->status) {
    case TD_IO_DONE:
        a->out = by_flight != TD_OUT_NOT_RUN ? by_flight : TD_OUT_MALFORMED;
        break;
    case TD_IO_REFUSED: a->out = TD_OUT_REFUSED; break;
    case TD_IO_CONNECT_TIMEOUT: a->out = TD_OUT_CONNECT_TIMEOUT; break;
    case TD_IO_UNREACHABLE: a->out = TD_OUT_UNREACHABLE; break;
    case TD_IO_DEADLINE: a->out = by_flight != TD_OUT_NOT_RUN ? by_flight : TD_OUT_DEADLINE; break;
    case TD_IO_ERROR: a->out = TD_OUT_ERROR; break;
    case TD_IO_LEADIN:
        a->out = TD_OUT_LEADIN;
        snprintf(a->error, sizeof a->error, "%s", io->leadin_why);
        break;
    case TD_IO_RESET:
    case TD_IO_EOF:
    case TD_IO_TIMEOUT:
        /* What arrived before the connection ended decides first: a server
         * that sends an alert and then closes has answered with the alert. */
        if (f && cut_short(f))
            flight_cut_short(a, io, f);
        else if (by_flight != TD_OUT_NOT_RUN)
            a->out = by_flight;
        else if (f && f->total > 0 && io->status != TD_IO_TIMEOUT) {
            a->out = TD_OUT_MALFORMED;
            if (!a->error[0])
                snprintf(a->error, sizeof a->error, "connection ended inside a record");
        } else
            /* Bytes that stopped short of a record (a drip) are still no
             * answer: bytes_in tells the two apart. */
            a->out = io->status == TD_IO_RESET ? TD_OUT_RESET
                     : io->status == TD_IO_EOF ? TD_OUT_CLOSED
                                               : TD_OUT_TIMEOUT;
        break;
    }
    a->complete = a->out == TD_OUT_HELLO && f && f->hello_done;
}

static bool accepted(const td_attempt *a)
{
    return a->out == TD_OUT_HELLO || a->out == TD_OUT_HRR || a->out == TD_OUT_SSLV2;
}

/* An alert, or a close or reset: the server accepts nothing offered. */
static bool refused(const td_attempt *a)
{
    return a->out == TD_OUT_ALERT || a->out == TD_OUT_CLOSED || a->out == TD_OUT_RESET;
}

/* ---- harvesting facts that any answer may carry -------------------------- */

static void harvest(struct run *r, const td_flight *f)
{
    td_obs *o = r->o;
    if (f->kind != TD_FLIGHT_HELLO)
        return;
    if (f->n_certs > 0 && (o->n_certs == 0 || f->version > o->certs_version)) {
        for (size_t i = 0; i < o->n_certs; i++)
            free(o->certs[i].der);
        o->n_certs = 0;
        for (size_t i = 0; i < f->n_certs && i < TD_FLIGHT_MAX_CERTS; i++) {
            uint8_t *d = malloc(f->certs[i].len ? f->certs[i].len : 1);
            if (!d) {
                r->internal_error = true;
                break;
            }
            memcpy(d, f->certs[i].p, f->certs[i].len);
            o->certs[o->n_certs].der = d;
            o->certs[o->n_certs].len = f->certs[i].len;
            o->n_certs++;
        }
        o->certs_version = f->version;
    }
    if (f->cert_request && !o->cert_request) {
        o->cert_request = true;
        for (size_t i = 0; i < f->n_ca_names && i < TD_FLIGHT_MAX_CANAMES; i++) {
            uint8_t *d = malloc(f->ca_names[i].len ? f->ca_names[i].len : 1);
            if (!d) {
                r->internal_error = true;
                break;
            }
            memcpy(d, f->ca_names[i].p, f->ca_names[i].len);
            o->ca_names[o->n_ca_names] = d;
            o->ca_name_len[o->n_ca_names] = f->ca_names[i].len;
            o->n_ca_names++;
        }
    }
    if (f->has_ske && f->dh_bits) {
        if (!o->dh_bits_min || f->dh_bits < o->dh_bits_min)
            o->dh_bits_min = f->dh_bits;
        if (f->dh_bits > o->dh_bits_max)
            o->dh_bits_max = f->dh_bits;
    }
}

static void add_group(td_obs *o, uint16_t g)
{
    for (size_t i = 0; i < o->n_groups; i++)
        if (o->groups[i] == g)
            return;
    if (o->n_groups < TD_MAX_GROUPS)
        o->groups[o->n_groups++] = g;
}

static bool remove_id(uint16_t *list, size_t *n, uint16_t id)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == id) {
            memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof list[0]);
            (*n)--;
            return true;
        }
    }
    return false;
}

/* ---- the hellos ----------------------------------------------------------- */

/* Buffers behind a td_hello_spec: the spec points into them. */
struct offer {
    uint16_t suites[TD_MAX_SUITES], groups[TD_MAX_GROUPS], sigalgs[128];
};

/* The hello of a client that speaks only version v, with the extensions
 * such a client sends; the caller sets the suites. */
static void spec_for_version(struct run *r, enum jkind kind, uint16_t v, struct offer *b, td_hello_spec *sp)
{
    static const uint16_t only13[] = {TD_TLS13};
    memset(sp, 0, sizeof *sp);
    sp->version = v;
    sp->sni = sni_of(r, kind);
    if (v == TD_SSL3) {
        /* A real SSLv3 client sends no extensions; the SCSV stands in for
         * renegotiation_info (RFC 5746 section 3.3). */
        sp->flags = TD_HELLO_NO_EXTENSIONS | TD_HELLO_SCSV_RENEG;
        sp->record_version = TD_SSL3;
        sp->sni = NULL;
        return;
    }
    sp->groups = b->groups;
    sp->n_groups = groups_for(v == TD_TLS13, b->groups, TD_MAX_GROUPS);
    if (v >= TD_TLS12) {
        sp->sigalgs = b->sigalgs;
        sp->n_sigalgs = sigalgs_all(b->sigalgs, 128);
    }
    if (v == TD_TLS13) {
        sp->versions = only13;
        sp->n_versions = 1;
        sp->key_shares = shares_default;
        sp->n_key_shares = 2;
        sp->flags = TD_HELLO_PSK_MODES;
    } else {
        sp->flags = TD_HELLO_RENEG_EXT | TD_HELLO_EC_POINT_FORMATS;
        if (v == TD_TLS12)
            sp->flags |= TD_HELLO_EMS;
    }
}

static void send_version(struct run *r, int vi)
{
    uint16_t v = td_vat(vi);
    if (v == TD_SSL2 && r->cfg->starttls && r->cfg->starttls->alpn) {
        /* A port that takes only hellos naming its protocol by ALPN
         * (postgres-direct) cannot speak SSLv2, whose hello has no
         * extensions: asking would only earn a close and the pause that
         * confirms it.  The job is accounted as settled. */
        r->o->version_ok[vi] = TD_NO;
        r->stage1_pending--;
        return;
    }
    if (v == TD_SSL2) {
        uint32_t specs[TD_FLIGHT_MAX_V2SPECS];
        size_t n = 0;
        for (size_t i = 0; i < td_v2spec_count() && n < TD_FLIGHT_MAX_V2SPECS; i++)
            specs[n++] = td_v2spec_at(i)->id;
        submit(r, J_VERSION, vi, NULL, true, specs, n, NULL);
        return;
    }
    struct offer b;
    td_hello_spec sp;
    spec_for_version(r, J_VERSION, v, &b, &sp);
    sp.suites = b.suites;
    sp.n_suites = suites_for(vi, b.suites, TD_MAX_SUITES);
    submit(r, J_VERSION, vi, &sp, false, NULL, 0, NULL);
}

/* The enumeration's next queries for a version, each its own hello. */
static void send_chain(struct run *r, int vi)
{
    td_enum_query q;
    while (td_enum_next(&r->suites[vi], &q)) {
        struct offer b;
        td_hello_spec sp;
        spec_for_version(r, J_CHAIN, td_vat(vi), &b, &sp);
        sp.suites = q.suites;
        sp.n_suites = q.n;
        uint16_t tag[2] = {(uint16_t)q.id, 0};
        submit(r, J_CHAIN, vi, &sp, false, NULL, 0, tag);
    }
}

/* Sends what a version's enumeration asks next, and records its result
 * once it is done. */
static void enum_step(struct run *r, int vi)
{
    td_enum *e = &r->suites[vi];
    td_obs *o = r->o;
    send_chain(r, vi);
    if (!td_enum_done(e))
        return;
    const uint16_t *got;
    o->n_suites[vi] = td_enum_result(e, &got);
    memcpy(o->suites[vi], got, o->n_suites[vi] * sizeof got[0]);
    o->suites_complete[vi] = td_enum_complete(e);
    o->server_order[vi] = td_enum_order(e);
}

static void send_baseline(struct run *r, enum jkind kind)
{
    static const uint16_t vers[] = {TD_TLS13, TD_TLS12, TD_TLS11, TD_TLS10};
    uint16_t suites[TD_MAX_SUITES], groups[TD_MAX_GROUPS], sigalgs[128];
    td_hello_spec sp = {
        .version = TD_TLS13,
        .versions = vers,
        .n_versions = 4,
        .suites = suites,
        .n_suites = all_suites_ranked(suites, TD_MAX_SUITES),
        .groups = groups,
        .n_groups = groups_for(true, groups, TD_MAX_GROUPS),
        .key_shares = shares_default,
        .n_key_shares = 2,
        .sigalgs = sigalgs,
        .n_sigalgs = sigalgs_all(sigalgs, 128),
        .sni = sni_of(r, kind),
    };
    sp.flags = TD_HELLO_RENEG_EXT | TD_HELLO_EMS | TD_HELLO_EC_POINT_FORMATS | TD_HELLO_PSK_MODES |
               TD_HELLO_TICKET | TD_HELLO_STATUS_REQUEST | TD_HELLO_SCT;
    submit(r, kind, -1, &sp, false, NULL, 0, NULL);
}

/* Suites every client of the last decade has, valid from TLS 1.0 on. */
static const uint16_t classic_suites[] = {
    0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009c, 0x009d, 0xc013, 0xc014,
    0xc009, 0xc00a, 0x0033, 0x0039, 0x002f, 0x0035, 0x000a, 0x0005,
};

static void send_oldstyle(struct run *r)
{
    /* The most conservative hello there is: TLS 1.0, no extensions at all,
     * as sent by clients from before RFC 4366. */
    static const uint16_t tls10[] = {0xc013, 0xc014, 0xc009, 0xc00a, 0x0033, 0x0039,
                                     0x002f, 0x0035, 0x000a, 0x0005, 0x0004};
    td_hello_spec sp = {
        .version = TD_TLS10,
        .suites = tls10,
        .n_suites = sizeof tls10 / sizeof tls10[0],
        .flags = TD_HELLO_NO_EXTENSIONS | TD_HELLO_SCSV_RENEG,
    };
    submit(r, J_OLDSTYLE, -1, &sp, false, NULL, 0, NULL);
}

/* A tolerance hello asks whether the server copes with the hello's form,
 * so it must also offer what the server is known to take: the suite each
 * accepted version's own hello got (stage 1 has answered by now), for
 * versions lo..hi.  Without it a server with one unusual suite (DHE or
 * CHACHA20 only) refuses for want of a shared suite, which says nothing
 * about tolerance. */
static size_t add_accepted_suites(const td_obs *o, int lo, int hi, uint16_t *out, size_t n, size_t cap)
{
    for (int vi = hi; vi >= lo; vi--) {
        if (o->version_ok[vi] != TD_YES || o->n_suites[vi] == 0)
            continue;
        uint16_t s = o->suites[vi][0];
        bool have = false;
        for (size_t i = 0; i < n; i++)
            have |= out[i] == s;
        if (!have && n < cap)
            out[n++] = s;
    }
    return n;
}

static size_t classic_plus_accepted(const td_obs *o, int hi, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof classic_suites / sizeof classic_suites[0] && n < cap; i++)
        out[n++] = classic_suites[i];
    return add_accepted_suites(o, td_vidx(TD_SSL3), hi, out, n, cap);
}

static void send_bighello(struct run *r)
{
    /* A TLS 1.2 hello padded past 512 bytes: some stacks fail on hellos
     * between 256 and 511 bytes, others on anything larger (RFC 7685
     * section 1 tells the story). */
    uint16_t suites[64], groups[TD_MAX_GROUPS], sigalgs[128];
    td_hello_spec sp = {
        .version = TD_TLS12,
        .suites = suites,
        .n_suites = classic_plus_accepted(r->o, td_vidx(TD_TLS12), suites, 64),
        .groups = groups,
        .n_groups = groups_for(false, groups, TD_MAX_GROUPS),
        .sigalgs = sigalgs,
        .n_sigalgs = sigalgs_all(sigalgs, 128),
        .sni = sni_of(r, J_BIGHELLO),
    };
    sp.flags = TD_HELLO_RENEG_EXT | TD_HELLO_EMS | TD_HELLO_EC_POINT_FORMATS | TD_HELLO_TICKET |
               TD_HELLO_STATUS_REQUEST | TD_HELLO_SCT | TD_HELLO_ETM;
    sp.pad_to = 700;
    submit(r, J_BIGHELLO, -1, &sp, false, NULL, 0, NULL);
}

static void send_grease(struct run *r)
{
    /* RFC 8701: servers must ignore unknown versions, suites and groups.
     * Offering a reserved value first shows whether this one does; the
     * versions below TLS 1.2 that the server accepts are offered too, so
     * that only the reserved values can make it refuse. */
    uint16_t vers[5] = {0x7a7a, TD_TLS13, TD_TLS12};
    size_t nv = 3;
    for (int vi = td_vidx(TD_TLS11); vi >= td_vidx(TD_TLS10); vi--)
        if (r->o->version_ok[vi] == TD_YES)
            vers[nv++] = td_vat(vi);
    uint16_t suites[64], groups[TD_MAX_GROUPS], sigalgs[128];
    size_t n = 0;
    suites[n++] = 0x0a0a;
    for (uint16_t s = 0x1301; s <= 0x1303; s++)
        suites[n++] = s;
    n += classic_plus_accepted(r->o, td_vidx(TD_TLS12), suites + n, 64 - n);
    n = add_accepted_suites(r->o, td_vidx(TD_TLS13), td_vidx(TD_TLS13), suites, n, 64);
    size_t ng = 0;
    groups[ng++] = 0x1a1a;
    ng += groups_for(true, groups + 1, TD_MAX_GROUPS - 1);
    td_hello_spec sp = {
        .version = TD_TLS13,
        .versions = vers,
        .n_versions = nv,
        .suites = suites,
        .n_suites = n,
        .groups = groups,
        .n_groups = ng,
        .key_shares = shares_default,
        .n_key_shares = 2,
        .sigalgs = sigalgs,
        .n_sigalgs = sigalgs_all(sigalgs, 128),
        .sni = sni_of(r, J_GREASE),
        .flags = TD_HELLO_RENEG_EXT | TD_HELLO_EMS | TD_HELLO_EC_POINT_FORMATS | TD_HELLO_PSK_MODES,
    };
    submit(r, J_GREASE, -1, &sp, false, NULL, 0, NULL);
}

static void send_fallback(struct run *r, uint16_t v)
{
    /* RFC 7507 section 3: a hello below the server's highest version that
     * carries TLS_FALLBACK_SCSV must be refused with inappropriate_fallback. */
    int vi = td_vidx(v);
    struct offer b;
    td_hello_spec sp;
    spec_for_version(r, J_FALLBACK, v, &b, &sp);
    sp.suites = b.suites;
    sp.n_suites = suites_for(vi, b.suites, TD_MAX_SUITES);
    sp.flags |= TD_HELLO_SCSV_FALLBACK;
    submit(r, J_FALLBACK, vi, &sp, false, NULL, 0, NULL);
}

/* TLS 1.2: curves almost every server that supports any offers, tested
 * one per connection, all at once, so they cost one round trip instead of
 * one per curve.  Rare curves share one chain. */
static const uint16_t common_groups[] = {
    TD_GROUP_X25519, TD_GROUP_SECP256R1, TD_GROUP_SECP384R1, TD_GROUP_SECP521R1, TD_GROUP_X448,
    TD_GROUP_FFDHE2048, TD_GROUP_FFDHE3072, TD_GROUP_FFDHE4096, TD_GROUP_FFDHE6144, TD_GROUP_FFDHE8192,
    TD_GROUP_X25519MLKEM768, TD_GROUP_SECP256R1MLKEM768, TD_GROUP_SECP384R1MLKEM1024,
};

static bool is_common_group(uint16_t g)
{
    for (size_t i = 0; i < sizeof common_groups / sizeof common_groups[0]; i++)
        if (common_groups[i] == g)
            return true;
    return false;
}

static void send_groups13(struct run *r, enum jkind kind, const uint16_t *groups, size_t n)
{
    /* No key share at all: the server must answer with a HelloRetryRequest
     * naming the group it wants (RFC 8446 section 4.2.8), which is the
     * group it prefers among those offered. */
    uint16_t sigalgs[128];
    static const uint16_t only13[] = {TD_TLS13};
    static const uint16_t s13[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
    td_hello_spec sp = {
        .version = TD_TLS13,
        .versions = only13,
        .n_versions = 1,
        .suites = s13,
        .n_suites = 5,
        .groups = groups,
        .n_groups = n,
        .sigalgs = sigalgs,
        .n_sigalgs = sigalgs_all(sigalgs, 128),
        .sni = sni_of(r, kind),
        .flags = TD_HELLO_PSK_MODES,
    };
    uint16_t tag[2] = {n == 1 ? groups[0] : 0, 0};
    submit(r, kind, td_vidx(TD_TLS13), &sp, false, NULL, 0, tag);
}

static void send_groups12(struct run *r, enum jkind kind, const uint16_t *groups, size_t n)
{
    /* Below TLS 1.3 the curve shows in the ServerKeyExchange of an ECDHE
     * suite (RFC 8422 section 5.4); only ECDHE suites are offered, so a
     * server without the curve has to refuse. */
    uint16_t suites[TD_MAX_SUITES], sigalgs[128];
    size_t ns = 0;
    for (size_t i = 0; i < td_suite_count() && ns < TD_MAX_SUITES; i++) {
        const td_suite *s = td_suite_at(i);
        if (s->kx == TD_KX_ECDHE && s->min_version <= TD_TLS12 && s->max_version >= TD_TLS12)
            suites[ns++] = s->id;
    }
    td_hello_spec sp = {
        .version = TD_TLS12,
        .suites = suites,
        .n_suites = ns,
        .groups = groups,
        .n_groups = n,
        .sigalgs = sigalgs,
        .n_sigalgs = sigalgs_all(sigalgs, 128),
        .sni = sni_of(r, kind),
        .flags = TD_HELLO_RENEG_EXT | TD_HELLO_EC_POINT_FORMATS,
    };
    uint16_t tag[2] = {n == 1 ? groups[0] : 0, 0};
    submit(r, kind, td_vidx(TD_TLS12), &sp, false, NULL, 0, tag);
}

static void start_groups(struct run *r, bool tls13)
{
    uint16_t all[TD_MAX_GROUPS];
    size_t n = groups_for(tls13, all, TD_MAX_GROUPS);
    if (tls13) {
        /* The chains of the other groups start from its answer. */
        send_groups13(r, J_G13_ALL, all, n);
        r->groups_pending++;
        return;
    }
    r->n_g12_remain = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_common_group(all[i])) {
            send_groups12(r, J_G12_ONE, &all[i], 1);
            r->groups_pending++;
        } else {
            r->g12_remain[r->n_g12_remain++] = all[i];
        }
    }
    if (r->n_g12_remain > 0) {
        send_groups12(r, J_G12_REST, r->g12_remain, r->n_g12_remain);
        r->groups_pending++;
    }
}

static int g13_kind(uint16_t id)
{
    const td_group *g = td_group_by_id(id);
    if (!g || g->kind == TD_GROUP_EC || g->kind == TD_GROUP_ECX)
        return 0;
    return g->kind == TD_GROUP_FFDHE ? 1 : 2;
}

/* TLS 1.3 groups besides the favourite: a chain per kind, side by side.
 * A server accepts a few of the dozens of groups known, so a chain costs a
 * connection per group accepted and one refusal, where a hello per common
 * group cost thirteen. */
static void start_groups13_chains(struct run *r, uint16_t favourite)
{
    uint16_t all[TD_MAX_GROUPS];
    size_t n = groups_for(true, all, TD_MAX_GROUPS);
    for (int k = 0; k < G13_KINDS; k++)
        r->n_g13_remain[k] = 0;
    for (size_t i = 0; i < n; i++) {
        int k = g13_kind(all[i]);
        if (all[i] != favourite)
            r->g13_remain[k][r->n_g13_remain[k]++] = all[i];
    }
    for (int k = 0; k < G13_KINDS; k++) {
        if (r->n_g13_remain[k] == 0)
            continue;
        send_groups13(r, J_G13_REST, r->g13_remain[k], r->n_g13_remain[k]);
        r->groups_pending++;
    }
}

/* A real client's own hello, as its profile describes it
 * (lib/registry/clients.h): the answer shows whether that client gets
 * through the negotiation; its certificate checks are judged by the rules. */
static void send_client(struct run *r, size_t k, const td_client *c)
{
    td_hello_spec sp;
    td_client_hello_spec(c, sni_of(r, J_CLIENT), &sp);
    uint16_t max = sp.version;
    r->o->sims[k].client = c;
    r->o->sims[k].hello.offered_version = max;
    submit(r, J_CLIENT, (int)k, &sp, false, NULL, 0, NULL);
}

static bool same_ids(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    return na == nb && memcmp(a, b, na * sizeof a[0]) == 0;
}

/* Profiles whose hellos differ only in their random values (Chrome and
 * Edge, Java 17 and 21, ...) get the same answer: one connection serves
 * them all. */
static bool same_hello(const td_client *a, const td_client *b)
{
    bool alpn = a->alpn && b->alpn ? strcmp(a->alpn, b->alpn) == 0 : a->alpn == b->alpn;
    return alpn && a->sni == b->sni && a->hello_flags == b->hello_flags &&
           same_ids(a->versions, a->n_versions, b->versions, b->n_versions) &&
           same_ids(a->suites, a->n_suites, b->suites, b->n_suites) &&
           same_ids(a->groups, a->n_groups, b->groups, b->n_groups) &&
           same_ids(a->key_shares, a->n_key_shares, b->key_shares, b->n_key_shares) &&
           same_ids(a->sigalgs, a->n_sigalgs, b->sigalgs, b->n_sigalgs);
}

static void start_clients(struct run *r)
{
    if (r->clients_started)
        return;
    r->clients_started = true;
    td_obs *o = r->o;
    const td_probe_cfg *cfg = r->cfg;
    o->clients_filtered = cfg->n_clients > 0;
    size_t n = o->clients_filtered ? cfg->n_clients : td_client_count();
    for (size_t i = 0; i < n && o->n_sims < TD_MAX_CLIENTS; i++) {
        const td_client *c = o->clients_filtered ? td_client_by_id(cfg->clients[i]) : td_client_at(i);
        if (!c)
            continue;
        size_t k = o->n_sims++, t = 0;
        while (t < k && !same_hello(o->sims[t].client, c))
            t++;
        if (t == k) {
            send_client(r, k, c);
            continue;
        }
        o->sims[k].client = c;
        o->sims[k].hello.offered_version = o->sims[t].hello.offered_version;
        r->sim_twin[k] = t + 1;
    }
}

static void client_done(struct run *r, const struct job *j)
{
    td_obs *o = r->o;
    for (size_t k = 0; k < o->n_sims; k++) {
        if (k != (size_t)j->vi && r->sim_twin[k] != (size_t)j->vi + 1)
            continue;
        o->sims[k].hello = j->a;
        o->sims[k].dh_bits = j->f.dh_bits;
        o->sims[k].ske_group = j->f.ske_group;
    }
}

/* ---- continuations -------------------------------------------------------- */

static bool reached_tls(const td_obs *o)
{
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->version_ok[i] == TD_YES)
            return true;
    return accepted(&o->baseline) || o->baseline.out == TD_OUT_ALERT ||
           o->baseline.out == TD_OUT_MALFORMED;
}

/* The baseline and every other stage-1 hello met silence.  Each further
 * hello would wait the whole step timeout for the same silence, in batches
 * of the connection cap (the clients alone are dozens), so the check ends
 * here, one step timeout after it began.  A server that drips its answer
 * costs every hello the scheduler's per-connection bound (3 step
 * timeouts) instead: once the baseline is such a drip and no stage-1 hello
 * got a ServerHello, a dripped refusal (a slow alert) among them changes
 * nothing, and the check ends too. */
static bool stage1_still(const td_attempt *a, bool drip)
{
    return a->out == TD_OUT_NOT_RUN || (drip ? !accepted(a) : a->out == TD_OUT_TIMEOUT);
}

static bool all_silent(const td_obs *o)
{
    if (o->baseline.out != TD_OUT_TIMEOUT)
        return false;
    bool drip = o->baseline.bytes_in > 0;
    if (!stage1_still(&o->nosni, drip))
        return false;
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (!stage1_still(&o->ver[i], drip))
            return false;
    return true;
}

static void start_stage2(struct run *r)
{
    td_obs *o = r->o;
    r->stage2_started = true;
    /* Nothing speaks TLS here (refused, silent, another protocol): more
     * hellos would only repeat the same answer. */
    if (!reached_tls(o) && o->baseline.out != TD_OUT_RESET && o->baseline.out != TD_OUT_CLOSED &&
        o->baseline.out != TD_OUT_TIMEOUT)
        return;
    if (o->baseline.out == TD_OUT_NOT_TLS || o->baseline.out == TD_OUT_LEADIN || all_silent(o))
        return;

    if (r->hsrun)
        td_hsrun_start(r->hsrun);
    start_clients(r);
    if (r->cfg->quick)
        return;
    send_oldstyle(r);
    send_bighello(r);
    send_grease(r);

    /* Fallback SCSV: needs two versions, offered at the lower one. */
    uint16_t best = 0, second = 0;
    for (int i = td_vidx(TD_TLS10); i < TD_NVERSIONS; i++) {
        if (o->version_ok[i] == TD_YES) {
            second = best;
            best = td_vat(i);
        }
    }
    if (second && second <= TD_TLS12)
        send_fallback(r, second);
}

/* TLS 1.2 curves are enumerated once the server is seen to pick an ECDHE
 * suite at all, whichever link of the chain shows it. */
static void maybe_group12(struct run *r, uint16_t suite)
{
    const td_suite *s = td_suite_by_id(suite);
    if (r->g12_started || !s || s->kx != TD_KX_ECDHE)
        return;
    r->g12_started = true;
    start_groups(r, false);
}

static void version_done(struct run *r, struct job *j)
{
    td_obs *o = r->o;
    int vi = j->vi;
    uint16_t v = td_vat(vi);
    o->ver[vi] = j->a;
    bool ok;
    if (v == TD_SSL2) {
        ok = j->a.out == TD_OUT_SSLV2 && j->f.n_v2_specs > 0;
        if (ok) {
            o->n_v2_specs = j->f.n_v2_specs;
            memcpy(o->v2_specs, j->f.v2_specs, j->f.n_v2_specs * sizeof o->v2_specs[0]);
        }
    } else if (v == TD_TLS13) {
        ok = (j->a.out == TD_OUT_HELLO && j->a.version == TD_TLS13) || j->a.out == TD_OUT_HRR;
    } else {
        ok = j->a.out == TD_OUT_HELLO && j->a.version == v;
    }
    /* No TCP connection, or a port that does not speak TLS, says nothing
     * about versions; a reset, close or silence after the hello does. */
    td_outcome out = j->a.out;
    bool silent = out == TD_OUT_NOT_TLS || out == TD_OUT_DEADLINE || out == TD_OUT_REFUSED ||
                  out == TD_OUT_CONNECT_TIMEOUT || out == TD_OUT_UNREACHABLE || out == TD_OUT_ERROR ||
                  out == TD_OUT_LIMITED || out == TD_OUT_LEADIN;
    o->version_ok[vi] = ok ? TD_YES : silent ? TD_UNKNOWN : TD_NO;
    if (ok && v >= TD_SSL3 && v <= TD_TLS12 && j->a.version == v)
        o->secure_reneg = (j->a.reneg_info || o->secure_reneg == TD_YES) ? TD_YES : TD_NO;

    /* Group enumeration depends only on this version's answer: start it now
     * rather than after the slowest stage-1 probe. */
    if (ok && v == TD_TLS13) {
        start_groups(r, true);
    }
    if (ok && v == TD_TLS12)
        maybe_group12(r, j->a.suite);

    if (ok && v != TD_SSL2) {
        uint16_t cands[TD_MAX_SUITES];
        size_t n = suites_for(vi, cands, TD_MAX_SUITES);
        /* Stage 2 offers this pick before the enumeration is done. */
        for (size_t i = 0; i < n; i++)
            if (j->a.suite && cands[i] == j->a.suite)
                o->suites[vi][o->n_suites[vi]++] = j->a.suite;
        td_enum_start(&r->suites[vi], cands, n, j->a.suite);
        enum_step(r, vi);
    } else if (ok) {
        o->suites_complete[vi] = true;
    }
}

static void chain_done(struct run *r, struct job *j)
{
    int vi = j->vi;
    uint16_t v = td_vat(vi);
    bool ok = (j->a.out == TD_OUT_HELLO && j->a.version == v) || (v == TD_TLS13 && j->a.out == TD_OUT_HRR);
    if (ok && v == TD_TLS12)
        maybe_group12(r, j->a.suite);
    td_enum_answer(&r->suites[vi], j->pair[0], ok ? TD_ANS_PICK : refused(&j->a) ? TD_ANS_REFUSED : TD_ANS_UNCLEAR,
                   j->a.suite);
    enum_step(r, vi);
}

/* An answer that says nothing either way about a group. */
static bool inconclusive(const td_attempt *a)
{
    return a->out == TD_OUT_TIMEOUT || a->out == TD_OUT_DEADLINE || a->out == TD_OUT_ERROR ||
           a->out == TD_OUT_MALFORMED || a->out == TD_OUT_CONNECT_TIMEOUT || a->out == TD_OUT_REFUSED ||
           a->out == TD_OUT_LIMITED || a->out == TD_OUT_LEADIN;
}

static void group_done(struct run *r, struct job *j)
{
    td_obs *o = r->o;
    bool tls13 = j->kind == J_G13_ALL || j->kind == J_G13_REST;
    uint16_t g = tls13 ? ((j->a.out == TD_OUT_HRR || j->a.out == TD_OUT_HELLO) ? j->a.group : 0)
                       : (j->a.out == TD_OUT_HELLO ? j->f.ske_group : 0);
    switch (j->kind) {
    case J_G13_ALL:
        /* hold_to_offer already made a group never offered a violation
         * (RFC 8446 section 4.2.8): g is 0 then. */
        if (g) {
            r->group_preferred = g;
            add_group(o, g);
        }
        /* Every group known was offered: after a refusal no chain can
         * find one. */
        if (g || !refused(&j->a))
            start_groups13_chains(r, g);
        break;
    case J_G12_ONE:
        /* A server naming a group that was not offered breaks RFC 8446
         * section 4.1.4 / RFC 8422 section 5.4: it does not count. */
        if (g && g == j->pair[0])
            add_group(o, g);
        break;
    case J_G13_REST:
    case J_G12_REST: {
        /* A TLS 1.3 pick names its chain by its kind. */
        uint16_t *rest = tls13 ? r->g13_remain[g13_kind(g)] : r->g12_remain;
        size_t *n_rest = tls13 ? &r->n_g13_remain[g13_kind(g)] : &r->n_g12_remain;
        if (g && remove_id(rest, n_rest, g)) {
            add_group(o, g);
            if (*n_rest > 0) {
                if (tls13)
                    send_groups13(r, j->kind, rest, *n_rest);
                else
                    send_groups12(r, j->kind, rest, *n_rest);
                return; /* this chain is still pending */
            }
        }
        break;
    }
    default:
        return;
    }
    if (inconclusive(&j->a))
        r->groups_incomplete = true;
    if (--r->groups_pending == 0)
        o->groups_complete = !r->groups_incomplete;
}

/* The server may only choose what the hello offered: an answer that
 * chooses anything else is no answer a client can use. */
static void hold_to_offer(struct job *j)
{
    char err[TD_FLIGHT_ERROR_LEN];
    if (!j->offered || (j->a.out != TD_OUT_HELLO && j->a.out != TD_OUT_HRR) ||
        td_offer_check(&j->offer, &j->f, err, sizeof err))
        return;
    j->a.out = TD_OUT_MALFORMED;
    j->a.complete = false;
    snprintf(j->a.error, sizeof j->a.error, "%s", err);
}

static void note_violation(td_obs *o, const td_attempt *a)
{
    if (a->out != TD_OUT_MALFORMED)
        return;
    if (o->n_violations++ == 0)
        o->violation = *a;
}

static void on_done(void *ctx, const td_io_result *io, const td_tries *t)
{
    struct job *j = ctx;
    struct run *r = j->run;
    td_obs *o = r->o;

    if (io->status == TD_IO_EOF || io->status == TD_IO_RESET)
        (void)td_flight_eof(&j->f);
    td_attempt_from(&j->a, io, &j->f);
    td_tries_apply(t, &j->a.out, &j->a.retry);
    hold_to_offer(j);
    note_violation(o, &j->a);
    if (j->a.out == TD_OUT_HELLO)
        harvest(r, &j->f);
    if (io->status == TD_IO_DEADLINE)
        o->deadline_hit = true;

    switch (j->kind) {
    case J_BASELINE:
        o->baseline = j->a;
        /* A server that answers with a ServerHello speaks TLS: the clients'
         * hellos need nothing else from stage 1, so they start now. */
        if ((j->a.out == TD_OUT_HELLO || j->a.out == TD_OUT_HRR) && !o->deadline_hit)
            start_clients(r);
        break;
    case J_NOSNI: o->nosni = j->a; break;
    case J_VERSION: version_done(r, j); break;
    case J_CHAIN: chain_done(r, j); break;
    case J_OLDSTYLE: o->oldstyle = j->a; break;
    case J_BIGHELLO: o->bighello = j->a; break;
    case J_GREASE: o->futurever = j->a; break;
    case J_FALLBACK:
        o->fallback = j->a;
        if (j->a.out == TD_OUT_ALERT && j->a.alert_desc == TD_ALERT_INAPPROPRIATE_FALLBACK)
            o->fallback_scsv = TD_YES;
        else if (j->a.out == TD_OUT_HELLO)
            o->fallback_scsv = TD_NO;
        break;
    case J_G13_ALL:
    case J_G13_REST:
    case J_G12_ONE:
    case J_G12_REST: group_done(r, j); break;
    case J_CLIENT: client_done(r, j); break;
    }
    bool stage1 = j->kind == J_BASELINE || j->kind == J_NOSNI || j->kind == J_VERSION;
    td_flight_free(&j->f);
    free(j);

    if (stage1 && --r->stage1_pending == 0 && !r->stage2_started && !o->deadline_hit)
        start_stage2(r);
}

/* Every connection upgrades first: the STARTTLS engine goes last in the
 * scheduler's chain of lead-ins, after any already there (a proxy). */
static bool upgrade_first(struct run *r)
{
    const td_starttls_info *st = r->cfg->starttls;
    if (!st || !st->ops)
        return true;
    /* RFC 6120 section 4.7.2: XMPP's stream names the domain served. */
    snprintf(r->st_cfg.domain, sizeof r->st_cfg.domain, "%s",
             r->cfg->sni && r->cfg->sni[0] ? r->cfg->sni : r->cfg->target.host);
    td_leadin chain[TD_LEADIN_MAX];
    size_t n = td_sched_get_leadins(r->s, chain, TD_LEADIN_MAX);
    if (n >= TD_LEADIN_MAX)
        return false;
    chain[n++] = (td_leadin){ .ops = st->ops, .cfg = &r->st_cfg };
    return td_sched_set_leadins(r->s, chain, n) == 0;
}

/* What every probe needs before the first hello: the target in o and its
 * address, or with --proxy the tunnel (*via).  Returns 1 when ready, 0 when
 * there is nothing to probe (o says why), -1 when out of memory. */
static int prepare(const td_probe_cfg *cfg, td_obs *o, td_via **via)
{
    snprintf(o->host, sizeof o->host, "%s", cfg->target.host);
    o->port = cfg->target.port;
    o->host_is_ip = cfg->target.host_is_ip;
    if (cfg->sni)
        snprintf(o->sni, sizeof o->sni, "%s", cfg->sni);

    *via = NULL;
    size_t n = 0;
    if (cfg->proxy) {
        td_via *v = calloc(1, sizeof *v);
        if (!v)
            return -1;
        int vr = td_via_prepare(cfg, o, v);
        if (vr <= 0) {
            td_via_free(v);
            return vr;
        }
        *via = v;
    } else if (cfg->addr) {
        o->addrs[0] = *cfg->addr;
        o->n_addrs = 1;
    } else {
        double t = cfg->sched.step_timeout_s > 0 ? cfg->sched.step_timeout_s : 5;
        if (td_resolve(cfg->target.host, cfg->target.port, cfg->dns_server, t, o->addrs, TD_MAX_ADDRS, &n,
                       o->dns_error, sizeof o->dns_error) != 0 || n == 0) {
            if (!o->dns_error[0])
                snprintf(o->dns_error, sizeof o->dns_error, "no address");
            return 0;
        }
        o->n_addrs = n;
    }
    o->addr_used = 0;
    return 1;
}

static void run_free(struct run *r)
{
    td_sched_free(r->s);
    td_confirm_free(r->cf);
    td_hsrun_free(r->hsrun);
    td_via_free(r->via);
    free(r);
}

static void pooled_idle(void *arg);

/* Sets up the probes on a scheduler of their own (in pool, or alone when
 * pool is NULL) and queues stage 1; the run owns via.  NULL on internal
 * failure. */
static struct run *run_new(const td_probe_cfg *cfg, td_obs *o, td_pool *pool, td_via *via)
{
    struct run *r = calloc(1, sizeof *r);
    if (!r) {
        td_via_free(via);
        return NULL;
    }
    r->cfg = cfg;
    r->o = o;
    r->via = via;
    r->addr = &o->addrs[0];
    r->s = pool ? td_sched_new_in(pool, &cfg->sched, pooled_idle, r) : td_sched_new(&cfg->sched);
    /* Every connection of the check goes through the proxy. */
    if (r->s && via)
        td_sched_set_leadins(r->s, via->chain, 1);
    o->starttls = cfg->starttls;
    bool chained = r->s && upgrade_first(r);
    r->cf = chained ? td_confirm_new(r->s, r->addr, &o->limit) : NULL;
    r->hsrun = r->cf ? td_hsrun_new(cfg, o, r->s, r->cf, r->addr) : NULL;
    if (!r->hsrun) {
        run_free(r);
        return NULL;
    }
    /* Count first: a job can finish (and decrement) only once the loop runs,
     * but every submission must be in place before stage 2 may start. */
    bool nosni = cfg->sni && cfg->sni[0];
    r->stage1_pending = 1 + (cfg->quick ? 0 : TD_NVERSIONS) + (nosni ? 1 : 0);
    send_baseline(r, J_BASELINE);
    if (nosni)
        send_baseline(r, J_NOSNI);
    for (int vi = TD_NVERSIONS - 1; vi >= 0 && !cfg->quick; vi--)
        send_version(r, vi);
    if (r->internal_error) {
        run_free(r);
        return NULL;
    }
    return r;
}

/* Every probe has settled: what is left to note, then the run is freed.
 * direct: through a proxy, one handshake straight to the server afterwards
 * (it runs a loop of its own, so not on a pool).  Returns what
 * td_probe_run returns. */
static int run_finish(struct run *r, int rc, bool direct)
{
    td_obs *o = r->o;
    const td_probe_cfg *cfg = r->cfg;
    td_hsrun_finish(r->hsrun);
    /* Groups are found in parallel, so their arrival order means nothing:
     * the one the server picked from all of them first, then by code point. */
    qsort(o->groups, o->n_groups, sizeof o->groups[0], by_id);
    for (size_t i = 0; i < o->n_groups; i++) {
        if (o->groups[i] == r->group_preferred) {
            memmove(&o->groups[1], &o->groups[0], i * sizeof o->groups[0]);
            o->groups[0] = r->group_preferred;
            break;
        }
    }
    o->connections = td_sched_connections(r->s);
    o->elapsed_ms = td_sched_elapsed_ms(r->s);
    bool ierr = r->internal_error;
    bool via = r->via != NULL;
    run_free(r);
    if (via && direct && !o->deadline_hit)
        td_via_direct(cfg, o);
    return (rc != 0 || ierr) ? -1 : 0;
}

int td_probe_run(const td_probe_cfg *cfg, td_obs *o)
{
    td_via *via;
    int ready = prepare(cfg, o, &via);
    if (ready <= 0)
        return ready;
    struct run *r = run_new(cfg, o, NULL, via);
    if (!r)
        return -1;
    /* Probes held to be confirmed may outlast a run of the scheduler. */
    int rc;
    do
        rc = td_sched_run(r->s);
    while (rc == 0 && td_confirm_flush(r->cf));
    return run_finish(r, rc, true);
}

/* The pooled scheduler has nothing left: what td_probe_run's loop does
 * between runs, then the end. */
static void pooled_idle(void *arg)
{
    struct run *r = arg;
    while (td_confirm_flush(r->cf))
        if (!td_sched_idle_now(r->s))
            return;
    td_probe_done done = r->done;
    void *done_arg = r->done_arg;
    done(done_arg, run_finish(r, 0, false));
}

int td_probe_start(const td_probe_cfg *cfg, td_obs *o, td_pool *pool, td_probe_done done, void *arg)
{
    if (!pool || !done)
        return -1;
    td_via *via;
    int ready = prepare(cfg, o, &via);
    if (ready <= 0)
        return ready < 0 ? -1 : 1;
    struct run *r = run_new(cfg, o, pool, via);
    if (!r)
        return -1;
    r->done = done;
    r->done_arg = arg;
    td_sched_begin(r->s);
    return 0;
}
