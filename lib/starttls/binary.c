/* The binary STARTTLS protocols: LDAP's StartTLS extended operation,
 * PostgreSQL's SSLRequest and MySQL's SSLRequest.
 *
 * Each answer is one message; the bytes are gathered until it is whole
 * (any split), then read with td_rd. */
#include "starttls/starttls.h"

#include <stdio.h>
#include <string.h>

#include "wire/bytes.h"

/* The largest answer taken: an LDAP ExtendedResponse with a diagnostic
 * text, a MySQL greeting (about 100 bytes) with a long version string. */
#define MSG_MAX 4096

typedef struct bin_st {
    uint8_t buf[MSG_MAX];
    size_t n;
} bin_st;


/* Appends what fits; *taken says how much of in that was. */
static void gather(bin_st *b, const uint8_t *in, size_t len, size_t *taken)
{
    size_t room = sizeof b->buf - b->n;
    *taken = len < room ? len : room;
    memcpy(b->buf + b->n, in, *taken);
    b->n += *taken;
}

/* After a whole message of msg_len bytes was found in the buffer: how many
 * of this feed's bytes it used (the rest follows the upgrade). */
static size_t used_of(const bin_st *b, size_t taken, size_t msg_len)
{
    size_t before = b->n - taken;
    return msg_len > before ? msg_len - before : 0;
}

/* Printable text of at most 100 bytes from an answer, for a reason. */
static void text_of(td_rd r, char *out, size_t cap)
{
    size_t o = 0;
    uint8_t c;
    while (o + 1 < cap && o < 100 && td_rd_u8(&r, &c))
        out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    out[o] = '\0';
}

/* ---- LDAP ------------------------------------------------------------------ */

/* RFC 4511 section 4.14.1: an ExtendedRequest (messageID 1, [APPLICATION 23])
 * whose requestName [0] is the StartTLS OID 1.3.6.1.4.1.1466.20037. */
static const uint8_t LDAP_STARTTLS[] = {
    0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, '1', '.', '3', '.', '6', '.', '1', '.',
    '4',  '.',  '1',  '.',  '1',  '4',  '6',  '6',  '.',  '2', '0', '0', '3', '7',
};

/* One BER element (X.690 section 8.1) with a definite length, short or long
 * form: servers such as OpenLDAP write four-byte lengths where DER would use
 * one.  1 when whole, 0 when more bytes are needed, -1 when malformed. */
static int ber(td_rd *r, uint8_t *tag, td_rd *content)
{
    uint8_t l;
    if (!td_rd_u8(r, tag) || !td_rd_u8(r, &l))
        return 0;
    if ((*tag & 0x1f) == 0x1f)
        return -1; /* high tag numbers: none in an LDAP response */
    size_t len = l;
    if (l & 0x80) {
        unsigned k = l & 0x7f;
        if (k == 0 || k > 4)
            return -1; /* indefinite length is not allowed in LDAP (RFC 4511 section 5.1) */
        len = 0;
        for (unsigned i = 0; i < k; i++) {
            uint8_t d;
            if (!td_rd_u8(r, &d))
                return 0;
            len = len << 8 | d;
        }
    }
    if (len > MSG_MAX)
        return -1;
    return td_rd_sub(r, len, content) ? 1 : 0;
}

static int ber_int(td_rd r, long *v)
{
    uint8_t d;
    *v = 0;
    if (td_rd_left(&r) == 0 || td_rd_left(&r) > 4)
        return -1;
    for (bool first = true; td_rd_u8(&r, &d); first = false)
        *v = first ? (int8_t)d : (*v << 8 | d);
    return 1;
}

static const char *ldap_result_name(long code)
{
    switch (code) {
    case 1: return "operationsError";
    case 2: return "protocolError";
    case 12: return "unavailableCriticalExtension";
    case 51: return "busy";
    case 52: return "unavailable";
    case 53: return "unwillingToPerform";
    case 80: return "other";
    default: return "error";
    }
}

/* The ExtendedResponse (RFC 4511 section 4.12, [APPLICATION 24]):
 * resultCode success lets the client start TLS; messageID 0 is a Notice of
 * Disconnection (section 4.4.1). */
static td_leadin_rc ldap_feed(void *state, const uint8_t *in, size_t len, td_leadin_io *io)
{
    bin_st *b = state;
    size_t taken;
    gather(b, in, len, &taken);
    td_rd all, msg, f;
    td_rd_init(&all, b->buf, b->n);
    uint8_t tag;
    int got = ber(&all, &tag, &msg);
    if (got == 0)
        return b->n == sizeof b->buf ? td_leadin_fail(io, "the LDAP answer is longer than %d bytes", MSG_MAX) : TD_LEADIN_MORE;
    if (got < 0 || tag != 0x30)
        return td_leadin_fail(io, "the answer to StartTLS is not an LDAP message");
    long id, code;
    td_rd op, dn, diag;
    if (ber(&msg, &tag, &f) != 1 || tag != 0x02 || ber_int(f, &id) != 1 || ber(&msg, &tag, &op) != 1 || tag != 0x78 ||
        ber(&op, &tag, &f) != 1 || tag != 0x0a || ber_int(f, &code) != 1 || ber(&op, &tag, &dn) != 1 ||
        ber(&op, &tag, &diag) != 1)
        return td_leadin_fail(io, "the answer to StartTLS is not an LDAP ExtendedResponse");
    char text[101];
    text_of(diag, text, sizeof text);
    if (id == 0)
        return td_leadin_fail(io, "the LDAP server disconnected: resultCode %ld (%s)%s%s", code, ldap_result_name(code),
                    text[0] ? ": " : "", text);
    if (code != 0)
        return td_leadin_fail(io, "StartTLS answered resultCode %ld (%s)%s%s", code, ldap_result_name(code),
                    text[0] ? ": " : "", text);
    io->used = used_of(b, taken, b->n - td_rd_left(&all));
    return TD_LEADIN_DONE;
}

static td_leadin_rc ldap_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)state;
    (void)cfg;
    (void)target;
    memcpy(io->out, LDAP_STARTTLS, sizeof LDAP_STARTTLS);
    io->out_len = sizeof LDAP_STARTTLS;
    return TD_LEADIN_MORE;
}

/* ---- PostgreSQL ------------------------------------------------------------- */

/* PostgreSQL protocol, "SSL Session Encryption": an SSLRequest (length 8,
 * code 80877103) answered with the single byte S (go ahead) or N (no TLS).
 * Nothing may follow the S before the handshake (CVE-2021-23222). */
static td_leadin_rc pg_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)state;
    (void)cfg;
    (void)target;
    td_wr w;
    td_wr_init(&w, io->out, sizeof io->out);
    td_wr_u32(&w, 8);
    td_wr_u32(&w, 80877103);
    io->out_len = w.len;
    return TD_LEADIN_MORE;
}

static td_leadin_rc pg_feed(void *state, const uint8_t *in, size_t len, td_leadin_io *io)
{
    (void)state;
    td_rd r;
    td_rd_init(&r, in, len);
    uint8_t c;
    if (!td_rd_u8(&r, &c))
        return TD_LEADIN_MORE;
    io->used = 1;
    switch (c) {
    case 'S': return TD_LEADIN_DONE;
    case 'N': return td_leadin_fail(io, "PostgreSQL answered N to SSLRequest");
    /* Servers before 7.0, or one refusing the connection outright. */
    case 'E': return td_leadin_fail(io, "PostgreSQL answered SSLRequest with an error message");
    /* A TLS alert record: the port speaks TLS at once, and took the
     * SSLRequest for a broken ClientHello. */
    case 0x15: return td_leadin_fail(io, "a TLS alert answered SSLRequest: the port speaks TLS at once (no --starttls)");
    default: return td_leadin_fail(io, "the answer to SSLRequest is byte 0x%02x, neither S nor N", c);
    }
}

/* ---- MySQL / MariaDB ------------------------------------------------------- */

#define MYSQL_CLIENT_LONG_PASSWORD 0x00000001u
#define MYSQL_CLIENT_PROTOCOL_41 0x00000200u
#define MYSQL_CLIENT_SSL 0x00000800u
#define MYSQL_CLIENT_SECURE_CONNECTION 0x00008000u

static bool rd_le16(td_rd *r, uint16_t *v)
{
    uint8_t a, b;
    if (!td_rd_u8(r, &a) || !td_rd_u8(r, &b))
        return false;
    *v = (uint16_t)(a | b << 8);
    return true;
}

static void wr_le(td_wr *w, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        td_wr_u8(w, (uint8_t)(v >> (8 * i)));
}

/* The server's Protocol::HandshakeV10 (or an ERR packet): CLIENT_SSL among
 * its capability flags lets the client send an SSLRequest -- a handshake
 * response cut after the character set -- and start TLS at once, with no
 * answer to wait for. */
static td_leadin_rc mysql_feed(void *state, const uint8_t *in, size_t len, td_leadin_io *io)
{
    bin_st *b = state;
    size_t taken;
    gather(b, in, len, &taken);
    td_rd r, p;
    td_rd_init(&r, b->buf, b->n);
    uint8_t l0, l1, l2, seq, proto;
    if (!td_rd_u8(&r, &l0) || !td_rd_u8(&r, &l1) || !td_rd_u8(&r, &l2) || !td_rd_u8(&r, &seq))
        return TD_LEADIN_MORE;
    size_t plen = (size_t)l0 | (size_t)l1 << 8 | (size_t)l2 << 16;
    if (plen > MSG_MAX - 4)
        return td_leadin_fail(io, "the MySQL greeting is %zu bytes long", plen);
    if (!td_rd_sub(&r, plen, &p))
        return TD_LEADIN_MORE;
    if (!td_rd_u8(&p, &proto))
        return td_leadin_fail(io, "the MySQL greeting is empty");
    char text[101];
    if (proto == 0xff) {
        uint16_t err = 0;
        rd_le16(&p, &err);
        text_of(p, text, sizeof text);
        return td_leadin_fail(io, "MySQL refused the connection: error %u: %s", err, text);
    }
    if (proto != 10)
        return td_leadin_fail(io, "the MySQL greeting is protocol version %u, not 10", proto);
    uint8_t c = 1;
    while (c && td_rd_u8(&p, &c)) /* server version, NUL-terminated */
        ;
    uint16_t caps;
    if (c || !td_rd_skip(&p, 4 + 8 + 1) || !rd_le16(&p, &caps))
        return td_leadin_fail(io, "the MySQL greeting is cut short");
    if (!(caps & MYSQL_CLIENT_SSL))
        return td_leadin_fail(io, "the MySQL server does not offer TLS (CLIENT_SSL not in its capability flags)");
    td_wr w;
    td_wr_init(&w, io->out, sizeof io->out);
    wr_le(&w, 32, 3);
    td_wr_u8(&w, (uint8_t)(seq + 1));
    wr_le(&w, MYSQL_CLIENT_LONG_PASSWORD | MYSQL_CLIENT_PROTOCOL_41 | MYSQL_CLIENT_SSL | MYSQL_CLIENT_SECURE_CONNECTION,
          4);
    wr_le(&w, 1u << 24, 4); /* max packet size */
    td_wr_u8(&w, 33);       /* utf8_general_ci */
    td_wr_zeros(&w, 23);
    io->out_len = w.len;
    io->used = used_of(b, taken, 4 + plen);
    return TD_LEADIN_DONE;
}

static td_leadin_rc none_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)state;
    (void)cfg;
    (void)target;
    (void)io;
    return TD_LEADIN_MORE;
}

const td_leadin_ops td_starttls_ldap_ops = {"ldap", sizeof(bin_st), false, ldap_start, ldap_feed};
const td_leadin_ops td_starttls_postgres_ops = {"postgres", 1, false, pg_start, pg_feed};
const td_leadin_ops td_starttls_mysql_ops = {"mysql", sizeof(bin_st), false, none_start, mysql_feed};
