#include "capture/keys.h"

#include <stdlib.h>
#include <string.h>

#include "wire/decrypt.h"
#include "wire/tls.h"

/* RFC 8446 section 4.4.2: certificate_request_context<0..2^8-1>, then
 * certificate_list<0..2^24-1> of {cert_data<1..2^24-1>,
 * extensions<0..2^16-1>}.  msg starts at the message header. */
static bool certificate_list(td_rd msg, td_rd *list)
{
    td_rd ctx;
    return td_rd_skip(&msg, 4) && td_rd_prefixed8(&msg, &ctx) && td_rd_prefixed24(&msg, list);
}

static void server_chain(td_capobs *o, td_rd msg)
{
    td_rd list;
    if (o->n_chain || !certificate_list(msg, &list))
        return;
    td_rd cert, exts;
    while (o->n_chain < TD_FLIGHT_MAX_CERTS && td_rd_prefixed24(&list, &cert) && td_rd_prefixed16(&list, &exts)) {
        size_t n = td_rd_left(&cert);
        uint8_t *der = n ? malloc(n) : NULL;
        if (!der)
            return;
        memcpy(der, td_rd_ptr(&cert), n);
        o->chain[o->n_chain].der = der;
        o->chain[o->n_chain].len = n;
        o->n_chain++;
    }
}

static void message(td_cap_conn *c, int d, uint8_t type, td_rd msg)
{
    td_capobs *o = &c->obs;
    if (d == TD_CAP_SERVER && type == TD_HS_CERT_REQUEST) {
        o->cert_request = true;
    } else if (d == TD_CAP_SERVER && type == TD_HS_CERTIFICATE) {
        server_chain(o, msg);
    } else if (d == TD_CAP_CLIENT && type == TD_HS_CERTIFICATE) {
        td_rd list;
        if (certificate_list(msg, &list)) {
            o->client_cert = !td_rd_empty(&list);
            o->client_empty_cert = td_rd_empty(&list);
        }
    }
}

/* The rung that showed the alert as an encrypted record gets its name. */
static void name_rung(td_capobs *o, int d, double t, uint8_t level, uint8_t desc)
{
    for (size_t k = 0; k < o->n_steps; k++) {
        td_cap_step *s = &o->steps[k];
        if (s->from_server == (d == TD_CAP_SERVER) && s->kind == TD_CS_ENCRYPTED && s->count <= 1 &&
            s->t >= t - 1e-9 && s->t <= t + 1e-9) {
            s->kind = TD_CS_ALERT;
            s->level = level;
            s->code = desc;
            s->cut = false;
            return;
        }
    }
}

/* An alert read in the clear at last: the facts the record's size only
 * suggested (RFC 8446 section 6). */
static void alert(td_cap_conn *c, int d, const td_cap_record *r, const uint8_t *plain)
{
    td_capobs *o = &c->obs;
    uint8_t level = plain[0], desc = plain[1];
    if (d == TD_CAP_CLIENT && o->client_alert && o->client_alert_encrypted) {
        o->client_alert_level = level;
        o->client_alert_desc = desc;
        o->client_alert_encrypted = false;
    } else if (d == TD_CAP_SERVER && o->late_server_alert && o->late_alert_encrypted) {
        o->late_alert_level = level;
        o->late_alert_desc = desc;
        o->late_alert_encrypted = false;
    } else {
        return;
    }
    name_rung(o, d, r->t_first, level, desc);
}

/* One direction's encrypted records, from the ServerHello on, in order,
 * until one is missing from the capture or does not open. */
static void direction(td_cap_conn *c, int d)
{
    td_capobs *o = &c->obs;
    td_tls13_dir dir;
    if (td_tls13_dir_init(&dir, c->keylog, c->client_random, o->answer.suite, d == TD_CAP_SERVER) != 0)
        return;
    c->decrypted = true;
    const td_cap_stream *st = &c->dir[d].recs;
    for (size_t k = 0; k < st->n; k++) {
        const td_cap_record *r = &st->v[k];
        if (r->type != TD_CT_APPDATA || r->t_first < o->answer_t)
            continue; /* records in the clear, or early data before the ServerHello */
        if (!r->body || r->have != r->len)
            break;
        uint8_t *rec = malloc(5 + (size_t)r->len);
        if (!rec)
            break;
        td_wr w;
        td_wr_init(&w, rec, 5 + (size_t)r->len);
        td_wr_u8(&w, TD_CT_APPDATA);
        td_wr_u16(&w, r->version);
        td_wr_u16(&w, (uint16_t)r->len);
        td_wr_bytes(&w, r->body, r->len);
        bool opened = td_wr_ok(&w) && td_tls13_dir_record(&dir, rec, 5 + (size_t)r->len) == TD_DEC_OK;
        free(rec);
        if (!opened)
            break;
        if (dir.plain_type == TD_CT_ALERT && dir.plain_len == 2)
            alert(c, d, r, dir.plain);
        uint8_t type;
        td_rd msg;
        while (td_tls13_dir_next(&dir, &type, &msg))
            message(c, d, type, msg);
    }
    td_tls13_dir_free(&dir);
}

void td_cap_decrypt(td_cap_conn *c)
{
    const td_capobs *o = &c->obs;
    if (!c->keylog || !c->have_random || o->answer.out != TD_OUT_HELLO || o->answer.version != TD_TLS13)
        return;
    direction(c, TD_CAP_SERVER);
    direction(c, TD_CAP_CLIENT);
}
