/* The server's first flight: record layer, handshake reassembly and the
 * individual message parsers.
 *
 * Each feed appends to the buffer and re-parses it from the first byte.  A
 * first flight is a few kilobytes, so the repeated work is small, and the
 * result is a pure function of the bytes received: there is no half-updated
 * state to get wrong when a record or message straddles two reads.  Two
 * limits keep a peer that trickles bytes from making that quadratic: nothing
 * is re-parsed until the unit the parser is waiting for (a record header, a
 * record, the rest of a fragmented handshake message) is complete, and the
 * parses of one flight may not walk more than
 * TD_FLIGHT_MAX_REPARSE bytes in all.  The number of records is not capped:
 * a flight may be cut into records as small as one byte. */
#include "flight.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpn.h"
#include "tls.h"

/* RFC 5246 section 6.2.3: no record may carry more than 2^14 + 2048 bytes. */
#define MAX_RECORD_BODY (16384u + 2048u)
#define RECORD_HEADER 5u
#define MIN_SNIFF 5u

/* RFC 8446 section 4.1.3: SHA-256("HelloRetryRequest") marks an HRR. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* RFC 8446 section 4.1.3: "DOWNGRD" plus 01 (from TLS 1.2) or 00 (from
 * TLS 1.1 and below) in the last 8 bytes of ServerHello.random. */
static const uint8_t downgrade_prefix[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

typedef enum { P_MORE, P_DONE, P_ERROR } pstate;

/* The connection ended inside a record or message. */
#define TRUNCATED "cut short by the end of the connection (RFC 5246 section 6.2.1)"

__attribute__((format(printf, 2, 0)))
static void vfail(td_flight *f, const char *fmt, va_list ap)
{
    /* The innermost check knows most about the fault, and it runs first. */
    if (!f->error[0])
        vsnprintf(f->error, sizeof f->error, fmt, ap);
}

/* Records why parsing failed; returns false for the message parsers. */
__attribute__((format(printf, 2, 3)))
static bool fail(td_flight *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(f, fmt, ap);
    va_end(ap);
    return false;
}

/* Records the error as "<where>: <what>": where the fault sits, then what
 * it is and the rule broken. */
__attribute__((format(printf, 3, 0)))
static void vfail_where(td_flight *f, const char *where, const char *fmt, va_list ap)
{
    if (f->error[0])
        return;
    char what[sizeof f->error];
    vsnprintf(what, sizeof what, fmt, ap);
    fail(f, "%s: %s", where, what);
}

/* Every message parser starts here, so that a fault can name its offset. */
static void begin_message(td_flight *f, const char *name, const td_rd *body)
{
    f->msg = *body;
    f->msg_name = name;
}

/* The same as fail, naming where in the message the fault sits: `at` is a
 * view into the message begin_message saw, at the offending field.  The
 * text should end with the rule broken, "(RFC ... section ...)". */
__attribute__((format(printf, 3, 4)))
static bool fail_at(td_flight *f, const td_rd *at, const char *fmt, ...)
{
    char where[64];
    snprintf(where, sizeof where, "%s offset %zu", f->msg_name, td_rd_pos(&f->msg, at));
    va_list ap;
    va_start(ap, fmt);
    vfail_where(f, where, fmt, ap);
    va_end(ap);
    return false;
}

/* The same, for the record and flight layers. */
__attribute__((format(printf, 2, 3)))
static pstate bad(td_flight *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(f, fmt, ap);
    va_end(ap);
    return P_ERROR;
}

/* bad, naming the offset: of the record in what the server sent (unit
 * "record"), or of the message in the reassembled handshake stream (unit
 * "handshake message"). */
__attribute__((format(printf, 4, 5)))
static pstate bad_at(td_flight *f, const char *unit, size_t off, const char *fmt, ...)
{
    char where[64];
    snprintf(where, sizeof where, "%s at offset %zu", unit, off);
    va_list ap;
    va_start(ap, fmt);
    vfail_where(f, where, fmt, ap);
    va_end(ap);
    return P_ERROR;
}

static bool is_printable(uint8_t c)
{
    return c >= 0x20 && c < 0x7f;
}

/* ---- ServerHello ---- */

static bool ext_supported_versions(td_rd *d, td_flight *f)
{
    /* RFC 8446 section 4.2.1: a ServerHello carries one selected_version. */
    uint16_t v;
    td_rd at = *d;
    if (!td_rd_u16(d, &v) || !td_rd_empty(d))
        return fail_at(f, &at, "supported_versions is not a single version (RFC 8446 section 4.2.1)");
    f->version = v;
    f->version_at = td_rd_pos(&f->msg, &at);
    return true;
}

static bool ext_key_share(td_rd *d, td_flight *f, bool hrr)
{
    uint16_t g;
    td_rd at = *d;
    if (!td_rd_u16(d, &g))
        return fail_at(f, &at, "key_share too short for a group (RFC 8446 section 4.2.8)");
    if (!hrr) {
        /* RFC 8446 section 4.2.8: KeyShareEntry, key_exchange<1..2^16-1> */
        td_rd key;
        if (!td_rd_prefixed16(d, &key) || td_rd_empty(&key))
            return fail_at(f, d, "key_share entry malformed (RFC 8446 section 4.2.8)");
    }
    /* An HRR carries only selected_group (RFC 8446 section 4.2.8). */
    if (!td_rd_empty(d))
        return fail_at(f, d, "bytes left over in key_share (RFC 8446 section 4.2.8)");
    f->group = g;
    f->group_at = td_rd_pos(&f->msg, &at);
    return true;
}

static bool ext_alpn(td_rd *d, td_flight *f)
{
    /* RFC 7301 section 3.1: the server's list holds exactly one name. */
    td_rd list, name, at = *d;
    if (!td_rd_prefixed16(d, &list) || !td_rd_empty(d))
        return fail_at(f, &at, "ALPN extension malformed (RFC 7301 section 3.1)");
    if (!td_alpn_next(&list, &name) || !td_rd_empty(&list))
        return fail_at(f, &at, "ALPN extension must name exactly one protocol (RFC 7301 section 3.1)");
    size_t n = 0;
    uint8_t c;
    /* Kept printable and bounded: it ends up verbatim in reports. */
    while (n + 1 < sizeof f->alpn && td_rd_u8(&name, &c))
        f->alpn[n++] = is_printable(c) ? (char)c : '?';
    f->alpn[n] = '\0';
    return true;
}

static bool ext_must_be_empty(td_rd *d, td_flight *f, const char *name, const char *rule)
{
    if (!td_rd_empty(d))
        return fail_at(f, d, "%s extension must be empty (%s)", name, rule);
    return true;
}

static bool server_hello_ext(uint16_t type, td_rd *d, td_flight *f, bool hrr)
{
    switch (type) {
    case TD_EXT_SUPPORTED_VERSIONS:
        return ext_supported_versions(d, f);
    case TD_EXT_KEY_SHARE:
        return ext_key_share(d, f, hrr);
    case TD_EXT_RENEGOTIATION_INFO: {
        /* RFC 5746 section 3.2: renegotiated_connection<0..255> */
        td_rd rc;
        if (!td_rd_prefixed8(d, &rc) || !td_rd_empty(d))
            return fail_at(f, d, "renegotiation_info malformed (RFC 5746 section 3.2)");
        f->reneg_info = true;
        f->reneg_info_empty = td_rd_empty(&rc);
        return true;
    }
    case TD_EXT_EMS:
        f->ems = true;
        return ext_must_be_empty(d, f, "extended_master_secret", "RFC 7627 section 5.1");
    case TD_EXT_SESSION_TICKET:
        f->ticket_ext = true;
        return ext_must_be_empty(d, f, "session_ticket", "RFC 5077 section 3.2");
    case TD_EXT_STATUS_REQUEST:
        f->status_request = true;
        return ext_must_be_empty(d, f, "status_request", "RFC 6066 section 8");
    case TD_EXT_ALPN:
        return ext_alpn(d, f);
    default:
        /* Anything else is only recorded by type. */
        return true;
    }
}

bool td_parse_server_hello(td_rd *body, td_flight *f)
{
    uint16_t legacy, suite;
    uint8_t comp;
    td_rd rnd, sid;
    begin_message(f, "ServerHello", body);
    if (!td_rd_u16(body, &legacy) || !td_rd_sub(body, sizeof f->random, &rnd) ||
        !td_rd_prefixed8(body, &sid) || !td_rd_u16(body, &suite) || !td_rd_u8(body, &comp))
        return fail_at(f, body, "truncated (RFC 8446 section 4.1.3)");
    if (td_rd_left(&sid) > 32)
        return fail_at(f, &sid, "session id of %zu bytes, at most 32 (RFC 5246 section 7.4.1.2)", td_rd_left(&sid));

    td_rd_copy(&rnd, f->random, sizeof f->random);
    f->legacy_version = legacy;
    f->version = legacy;
    f->session_id_len = (uint8_t)td_rd_left(&sid);
    f->suite = suite;
    f->compression = comp;
    f->group = 0;
    f->version_at = 0;
    f->group_at = 0;
    f->downgrade = 0;
    f->n_exts = 0;
    bool hrr = memcmp(f->random, hrr_random, sizeof hrr_random) == 0;

    if (!hrr) {
        td_rd r, tail;
        uint8_t mark[7], last;
        td_rd_init(&r, f->random, sizeof f->random);
        td_rd_skip(&r, sizeof f->random - 8);
        td_rd_sub(&r, 8, &tail);
        td_rd_copy(&tail, mark, sizeof mark);
        td_rd_u8(&tail, &last);
        if (memcmp(mark, downgrade_prefix, sizeof mark) == 0 && (last == 0x00 || last == 0x01))
            f->downgrade = last == 0x01 ? 0x12 : 0x11;
    }

    /* RFC 5246 section 7.4.1.3: extensions may be absent altogether. */
    if (!td_rd_empty(body)) {
        td_rd exts;
        if (!td_rd_prefixed16(body, &exts))
            return fail_at(f, body, "extensions overrun the message (RFC 8446 section 4.1.3)");
        if (!td_rd_empty(body))
            return fail_at(f, body, "%zu bytes after the extensions (RFC 8446 section 4.1.3)", td_rd_left(body));
        /* RFC 8446 section 4.2: at most one extension of each type. */
        uint8_t seen[65536 / 8];
        memset(seen, 0, sizeof seen);
        while (!td_rd_empty(&exts)) {
            uint16_t type;
            td_rd data, at = exts;
            if (!td_rd_u16(&exts, &type) || !td_rd_prefixed16(&exts, &data))
                return fail_at(f, &at, "extension overruns the extensions block (RFC 8446 section 4.2)");
            uint8_t bit = (uint8_t)(1u << (type & 7));
            if (seen[type >> 3] & bit)
                return fail_at(f, &at, "duplicate extension %u (RFC 8446 section 4.2)", type);
            seen[type >> 3] |= bit;
            if (f->n_exts < TD_FLIGHT_MAX_EXTS)
                f->exts[f->n_exts++] = type;
            if (!server_hello_ext(type, &data, f, hrr))
                return false;
        }
    }
    f->kind = hrr ? TD_FLIGHT_HRR : TD_FLIGHT_HELLO;
    return true;
}

/* ---- Certificate, CertificateStatus ---- */

/* A certificate that is not what RFC 5280 says, with its number (from 1)
 * and the offset inside it; der: the fault is in the DER framing itself. */
__attribute__((format(printf, 6, 7)))
static bool cert_fail(td_flight *f, size_t n, const td_rd *cert, const td_rd *at, bool der, const char *fmt, ...)
{
    char where[96];
    snprintf(where, sizeof where, "Certificate message: certificate %zu is not %s at offset %zu", n,
             der ? "DER" : "an X.509 certificate", td_rd_pos(cert, at));
    va_list ap;
    va_start(ap, fmt);
    vfail_where(f, where, fmt, ap);
    va_end(ap);
    return false;
}

/* RFC 5280 section 4.1: Certificate ::= SEQUENCE { tbsCertificate,
 * signatureAlgorithm, signatureValue }, in DER.  Only that outer shape is
 * checked here (lib/cert decodes the rest): enough to tell random bytes,
 * a cut or inflated length, or an empty shell from a certificate. */
static bool check_cert(td_flight *f, size_t n, const td_rd *cert)
{
    static const uint8_t tags[3] = {0x30, 0x30, 0x03};
    static const char *const parts[3] = {"tbsCertificate", "signatureAlgorithm", "signatureValue"};
    td_rd r = *cert, body, part;
    uint8_t tag;
    const char *why = "";
    if (!td_rd_der(&r, &tag, &body, &why))
        return cert_fail(f, n, cert, &r, true, "%s", why);
    if (tag != 0x30)
        return cert_fail(f, n, cert, cert, false, "tag 0x%02x where the Certificate SEQUENCE (0x30) belongs "
                         "(RFC 5280 section 4.1)", tag);
    if (!td_rd_empty(&r))
        return cert_fail(f, n, cert, &r, true, "%zu bytes after the Certificate SEQUENCE (RFC 5246 section 7.4.2)",
                         td_rd_left(&r));
    for (size_t i = 0; i < 3; i++) {
        td_rd at = body;
        if (!td_rd_der(&body, &tag, &part, &why))
            return cert_fail(f, n, cert, &at, true, "%s: %s", parts[i], why);
        if (tag != tags[i])
            return cert_fail(f, n, cert, &at, false, "%s has tag 0x%02x, not 0x%02x (RFC 5280 section 4.1)",
                             parts[i], tag, tags[i]);
        if (td_rd_empty(&part))
            return cert_fail(f, n, cert, &at, false, "%s is empty (RFC 5280 section 4.1)", parts[i]);
    }
    if (!td_rd_empty(&body))
        return cert_fail(f, n, cert, &body, false, "%zu bytes after signatureValue (RFC 5280 section 4.1)",
                         td_rd_left(&body));
    return true;
}

bool td_parse_certificate(td_rd *body, td_flight *f)
{
    /* RFC 5246 section 7.4.2: certificate_list<0..2^24-1>, each
     * ASN.1Cert<1..2^24-1> */
    td_rd list;
    begin_message(f, "Certificate", body);
    if (!td_rd_prefixed24(body, &list))
        return fail_at(f, body, "certificate_list overruns the message (RFC 5246 section 7.4.2)");
    if (!td_rd_empty(body))
        return fail_at(f, body, "%zu bytes after certificate_list (RFC 5246 section 7.4.2)", td_rd_left(body));
    f->n_certs = 0;
    for (size_t n = 1; !td_rd_empty(&list); n++) {
        td_rd cert, at = list;
        if (!td_rd_prefixed24(&list, &cert))
            return fail_at(f, &at, "certificate %zu overruns certificate_list (RFC 5246 section 7.4.2)", n);
        if (td_rd_empty(&cert))
            return fail_at(f, &at, "certificate %zu is empty (RFC 5246 section 7.4.2)", n);
        if (!check_cert(f, n, &cert))
            return false;
        if (f->n_certs < TD_FLIGHT_MAX_CERTS) {
            f->certs[f->n_certs].p = td_rd_ptr(&cert);
            f->certs[f->n_certs].len = td_rd_left(&cert);
            f->n_certs++;
        }
    }
    return true;
}

static bool parse_cert_status(td_rd *body, td_flight *f)
{
    /* RFC 6066 section 8: status_type, then OCSPResponse<1..2^24-1>; RFC
     * 6961's ocsp_multi has the same outer framing. */
    uint8_t type;
    td_rd resp;
    begin_message(f, "CertificateStatus", body);
    if (!td_rd_u8(body, &type) || !td_rd_prefixed24(body, &resp) || td_rd_empty(&resp))
        return fail_at(f, body, "malformed (RFC 6066 section 8)");
    if (!td_rd_empty(body))
        return fail_at(f, body, "%zu bytes after the response (RFC 6066 section 8)", td_rd_left(body));
    f->cert_status = true;
    return true;
}

/* ---- ServerKeyExchange ---- */

static bool nonempty16(td_rd *r, td_rd *out)
{
    return td_rd_prefixed16(r, out) && !td_rd_empty(out);
}

static bool ske_dh(td_rd *body, td_flight *f)
{
    /* RFC 5246 section 7.4.3: dh_p, dh_g, dh_Ys, each <1..2^16-1> */
    td_rd p, g, ys;
    if (!nonempty16(body, &p) || !nonempty16(body, &g) || !nonempty16(body, &ys))
        return fail_at(f, body, "ServerDHParams malformed (RFC 5246 section 7.4.3)");
    uint8_t top = 0;
    while (td_rd_peek(&p, 0, &top) && top == 0)
        td_rd_skip(&p, 1);
    if (td_rd_empty(&p))
        return fail_at(f, &p, "DH prime is zero (RFC 5246 section 7.4.3)");
    unsigned top_bits = 0;
    while (top >> top_bits)
        top_bits++;
    size_t bits = (td_rd_left(&p) - 1) * 8 + top_bits;
    f->dh_bits = bits > 0xffff ? 0xffff : (uint16_t)bits;
    return true;
}

static bool ske_ec(td_rd *body, td_flight *f)
{
    /* RFC 8422 section 5.4: ECParameters then ECPoint point<1..2^8-1> */
    uint8_t curve_type;
    uint16_t group;
    td_rd point;
    td_rd at = *body;
    if (!td_rd_u8(body, &curve_type))
        return fail_at(f, body, "ServerECDHParams truncated (RFC 8422 section 5.4)");
    if (curve_type != 3)
        return fail_at(f, &at, "ECParameters curve_type %u is not named_curve (RFC 8422 section 5.4)", curve_type);
    at = *body;
    if (!td_rd_u16(body, &group) || !td_rd_prefixed8(body, &point) || td_rd_empty(&point))
        return fail_at(f, body, "ServerECDHParams malformed (RFC 8422 section 5.4)");
    f->ske_group = group;
    f->ske_group_at = td_rd_pos(&f->msg, &at);
    return true;
}

static bool ske_rsa(td_rd *body, td_flight *f)
{
    /* RFC 4346 appendix A.4.3 (export): rsa_modulus, rsa_exponent */
    td_rd m, e;
    if (!nonempty16(body, &m) || !nonempty16(body, &e))
        return fail_at(f, body, "ServerRSAParams malformed (RFC 4346 appendix A.4.3)");
    return true;
}

static bool ske_srp(td_rd *body, td_flight *f)
{
    /* RFC 5054 section 2.8.1: N, g <1..2^16-1>, s <1..2^8-1>, B <1..2^16-1> */
    td_rd n, g, s, b;
    if (!nonempty16(body, &n) || !nonempty16(body, &g) || !td_rd_prefixed8(body, &s) || td_rd_empty(&s) ||
        !nonempty16(body, &b))
        return fail_at(f, body, "ServerSRPParams malformed (RFC 5054 section 2.8.1)");
    return true;
}

static bool ske_psk_hint(td_rd *body, td_flight *f)
{
    /* RFC 4279 section 2: psk_identity_hint<0..2^16-1> */
    td_rd hint;
    if (!td_rd_prefixed16(body, &hint))
        return fail_at(f, body, "psk_identity_hint malformed (RFC 4279 section 2)");
    return true;
}

static bool ske_signature(td_rd *body, td_flight *f)
{
    /* RFC 5246 section 4.7: from TLS 1.2 on, digitally-signed starts with
     * the SignatureAndHashAlgorithm; before that it is the bare signature. */
    if (f->version == TD_TLS12 && !td_rd_u16(body, &f->ske_sigalg))
        return fail_at(f, body, "signature algorithm missing (RFC 5246 section 4.7)");
    td_rd sig;
    if (!td_rd_prefixed16(body, &sig))
        return fail_at(f, body, "signature malformed (RFC 5246 section 4.7)");
    return true;
}

bool td_parse_server_key_exchange(td_rd *body, td_flight *f)
{
    td_kx kx;
    td_auth auth;
    begin_message(f, "ServerKeyExchange", body);
    if (!f->suite_kx || !f->suite_kx(f->suite, &kx, &auth))
        return fail_at(f, body, "ServerKeyExchange for unknown cipher suite 0x%04x", f->suite);
    if (f->version >= TD_TLS13 || kx == TD_KX_TLS13)
        return fail_at(f, body, "no such message in TLS 1.3 (RFC 8446 section 4)");
    f->ske_group = 0;
    f->ske_group_at = 0;
    f->dh_bits = 0;
    f->ske_sigalg = 0;

    bool anon = auth == TD_AU_NONE;
    /* Suites authenticated by a certificate sign their parameters. */
    bool signed_params = auth == TD_AU_RSA || auth == TD_AU_DSS || auth == TD_AU_ECDSA;
    bool ok;
    switch (kx) {
    case TD_KX_DHE:
        ok = ske_dh(body, f);
        break;
    case TD_KX_ECDHE:
        ok = ske_ec(body, f);
        break;
    case TD_KX_DH:
    case TD_KX_ECDH:
        /* RFC 5246 section 7.4.3: static DH with a certificate sends no
         * ServerKeyExchange; only the anonymous variants do. */
        if (!anon)
            return fail_at(f, body, "not allowed for static DH suite 0x%04x (RFC 5246 section 7.4.3)", f->suite);
        ok = kx == TD_KX_DH ? ske_dh(body, f) : ske_ec(body, f);
        break;
    case TD_KX_RSA_EXPORT:
        ok = ske_rsa(body, f);
        break;
    case TD_KX_SRP:
        ok = ske_srp(body, f);
        break;
    case TD_KX_PSK:
    case TD_KX_RSA_PSK:
        /* RFC 4279 section 2 and 4: only the hint, never signed */
        signed_params = false;
        ok = ske_psk_hint(body, f);
        break;
    case TD_KX_DHE_PSK:
        signed_params = false;
        ok = ske_psk_hint(body, f) && ske_dh(body, f);
        break;
    case TD_KX_ECDHE_PSK:
        /* RFC 5489 section 2 */
        signed_params = false;
        ok = ske_psk_hint(body, f) && ske_ec(body, f);
        break;
    case TD_KX_RSA:
    case TD_KX_NULL:
        /* RFC 5246 section 7.4.3: not legal for plain RSA key exchange. */
        return fail_at(f, body, "not allowed for suite 0x%04x (RFC 5246 section 7.4.3)", f->suite);
    default:
        /* Kerberos, GOST, ECCPWD: formats tlsdiag does not interpret.  The
         * message is accepted as present and its content skipped. */
        td_rd_skip(body, td_rd_left(body));
        f->has_ske = true;
        return true;
    }
    if (!ok)
        return false;
    if (signed_params && !ske_signature(body, f))
        return false;
    if (!td_rd_empty(body))
        return fail_at(f, body, "%zu bytes after ServerKeyExchange (RFC 5246 section 7.4.3)", td_rd_left(body));
    f->has_ske = true;
    return true;
}

/* ---- CertificateRequest ---- */

bool td_parse_cert_request(td_rd *body, td_flight *f)
{
    /* RFC 5246 section 7.4.4; RFC 4346 section 7.4.4 lacks the signature
     * algorithm list. */
    td_rd types, algs, cas;
    begin_message(f, "CertificateRequest", body);
    if (!td_rd_prefixed8(body, &types) || td_rd_empty(&types))
        return fail_at(f, body, "certificate_types malformed (RFC 5246 section 7.4.4)");
    if (f->version == TD_TLS12) {
        /* supported_signature_algorithms<2..2^16-2> */
        td_rd at = *body;
        if (!td_rd_prefixed16(body, &algs) || td_rd_left(&algs) < 2 || td_rd_left(&algs) % 2 != 0)
            return fail_at(f, &at, "supported_signature_algorithms malformed (RFC 5246 section 7.4.4)");
    }
    if (!td_rd_prefixed16(body, &cas))
        return fail_at(f, body, "certificate_authorities overrun the message (RFC 5246 section 7.4.4)");
    if (!td_rd_empty(body))
        return fail_at(f, body, "%zu bytes after CertificateRequest (RFC 5246 section 7.4.4)", td_rd_left(body));
    f->n_ca_names = 0;
    while (!td_rd_empty(&cas)) {
        /* DistinguishedName<1..2^16-1> */
        td_rd dn;
        if (!td_rd_prefixed16(&cas, &dn) || td_rd_empty(&dn))
            return fail_at(f, &cas, "DistinguishedName malformed (RFC 5246 section 7.4.4)");
        if (f->n_ca_names < TD_FLIGHT_MAX_CANAMES) {
            f->ca_names[f->n_ca_names].p = td_rd_ptr(&dn);
            f->ca_names[f->n_ca_names].len = td_rd_left(&dn);
            f->n_ca_names++;
        }
    }
    f->cert_request = true;
    return true;
}

/* ---- Alert ---- */

bool td_parse_alert(td_rd *body, td_flight *f)
{
    uint8_t level, desc;
    begin_message(f, "Alert", body);
    /* RFC 8446 section 6: an alert is exactly level and description. */
    td_rd at = *body;
    if (!td_rd_u8(body, &level) || !td_rd_u8(body, &desc) || !td_rd_empty(body))
        return fail_at(f, body, "alert is not 2 bytes (RFC 8446 section 6)");
    /* RFC 5246 section 7.2 (and RFC 8446 appendix B.2) define no level
     * beside these two. */
    if (level != TD_ALERT_LEVEL_WARNING && level != TD_ALERT_LEVEL_FATAL)
        return fail_at(f, &at, "level %u is neither warning(1) nor fatal(2) (RFC 5246 section 7.2)", level);
    f->alert = true;
    f->alert_level = level;
    f->alert_desc = desc;
    return true;
}

/* ---- SSLv2 ---- */

bool td_parse_sslv2_server_hello(td_rd *record_body, td_flight *f)
{
    /* draft-hickman-netscape-ssl-00, SERVER-HELLO: msg type 4, session id
     * hit, certificate type, version, three lengths, then the three fields */
    uint8_t type, hit, cert_type;
    uint16_t version, cert_len, specs_len, conn_len;
    begin_message(f, "SSLv2 SERVER-HELLO", record_body);
    if (!td_rd_u8(record_body, &type) || type != 4)
        return fail(f, "not an SSLv2 SERVER-HELLO");
    if (!td_rd_u8(record_body, &hit) || !td_rd_u8(record_body, &cert_type) ||
        !td_rd_u16(record_body, &version) || !td_rd_u16(record_body, &cert_len) ||
        !td_rd_u16(record_body, &specs_len) || !td_rd_u16(record_body, &conn_len))
        return fail_at(f, record_body, "truncated (draft-hickman-netscape-ssl-00, SERVER-HELLO)");
    td_rd cert, specs, conn;
    if (!td_rd_sub(record_body, cert_len, &cert) || !td_rd_sub(record_body, specs_len, &specs) ||
        !td_rd_sub(record_body, conn_len, &conn))
        return fail_at(f, record_body, "fields overrun the record (draft-hickman-netscape-ssl-00, SERVER-HELLO)");
    if (!td_rd_empty(record_body))
        return fail_at(f, record_body, "%zu bytes after the message (draft-hickman-netscape-ssl-00)",
                       td_rd_left(record_body));
    /* Each cipher spec is 3 bytes. */
    if (specs_len % 3 != 0)
        return fail_at(f, &specs, "CIPHER-SPECS-LENGTH %u is not a multiple of 3 (draft-hickman-netscape-ssl-00)",
                       specs_len);
    f->v2_version = version;
    f->v2_cert.p = td_rd_ptr(&cert);
    f->v2_cert.len = td_rd_left(&cert);
    f->n_v2_specs = 0;
    uint32_t spec;
    while (td_rd_u24(&specs, &spec))
        if (f->n_v2_specs < TD_FLIGHT_MAX_V2SPECS)
            f->v2_specs[f->n_v2_specs++] = spec;
    f->kind = TD_FLIGHT_SSLV2;
    return true;
}

/* ---- the flight ---- */

/* Order of the TLS 1.2-and-below first flight, RFC 5246 section 7.3. */
static int flight_rank(uint8_t type)
{
    switch (type) {
    case TD_HS_SERVER_HELLO: return 1;
    case TD_HS_CERTIFICATE: return 2;
    case TD_HS_CERT_STATUS: return 3;
    case TD_HS_SERVER_KEY_EXCH: return 4;
    case TD_HS_CERT_REQUEST: return 5;
    case TD_HS_SERVER_HELLO_DONE: return 6;
    default: return 0;
    }
}

typedef struct parse_state {
    int rank;          /* rank of the last handshake message */
    bool hello;        /* a ServerHello has been parsed */
    td_wr hs;          /* the reassembled handshake stream, in f->hs */
    size_t consumed;   /* bytes of it parsed as whole messages */
    size_t at;         /* where in it the message being parsed starts */
} parse_state;

#define HS_UNIT "handshake message"

static pstate handshake_message(td_flight *f, parse_state *st, uint8_t type, td_rd *body)
{
    /* RFC 5246 section 7.4.1.1: a HelloRequest during a handshake is ignored. */
    if (type == 0) {
        if (!td_rd_empty(body))
            return bad_at(f, HS_UNIT, st->at, "HelloRequest is not empty (RFC 5246 section 7.4.1.1)");
        return P_MORE;
    }
    int rank = flight_rank(type);
    if (rank == 0)
        return bad_at(f, HS_UNIT, st->at, "unexpected handshake message type %u (RFC 5246 section 7.3)", type);
    if (!st->hello && type != TD_HS_SERVER_HELLO)
        return bad_at(f, HS_UNIT, st->at, "handshake message type %u before ServerHello (RFC 5246 section 7.3)",
                      type);
    if (rank <= st->rank)
        return bad_at(f, HS_UNIT, st->at, "handshake message type %u out of order (RFC 5246 section 7.3)", type);
    st->rank = rank;

    bool ok = false;
    switch (type) {
    case TD_HS_SERVER_HELLO:
        if (!td_parse_server_hello(body, f))
            return P_ERROR;
        st->hello = true;
        /* An HRR, TLS 1.3 (the rest is encrypted) or a version this parser
         * has no layout for: the ServerHello is the answer. */
        if (f->kind == TD_FLIGHT_HRR || f->version < TD_SSL3 || f->version > TD_TLS12)
            return P_DONE;
        return P_MORE;
    case TD_HS_CERTIFICATE:
        ok = td_parse_certificate(body, f);
        break;
    case TD_HS_CERT_STATUS:
        ok = parse_cert_status(body, f);
        break;
    case TD_HS_SERVER_KEY_EXCH:
        ok = td_parse_server_key_exchange(body, f);
        break;
    case TD_HS_CERT_REQUEST:
        ok = td_parse_cert_request(body, f);
        break;
    case TD_HS_SERVER_HELLO_DONE:
        /* RFC 5246 section 7.4.5: struct { } ServerHelloDone; */
        if (!td_rd_empty(body))
            return bad_at(f, HS_UNIT, st->at, "ServerHelloDone is not empty (RFC 5246 section 7.4.5)");
        f->hello_done = true;
        return P_DONE;
    }
    return ok ? P_MORE : P_ERROR;
}

/* Parses every whole handshake message now in the stream. */
static pstate drain_handshake(td_flight *f, parse_state *st)
{
    for (;;) {
        td_rd s, body;
        uint8_t type;
        uint32_t len;
        td_rd_init(&s, f->hs, st->hs.len);
        td_rd_skip(&s, st->consumed);
        if (!td_rd_u8(&s, &type) || !td_rd_u24(&s, &len))
            return P_MORE;
        if (len > TD_FLIGHT_MAX_BYTES)
            return bad_at(f, HS_UNIT, st->consumed, "handshake message of %u bytes, more than the %u a first flight "
                          "may take", (unsigned)len, TD_FLIGHT_MAX_BYTES);
        if (!td_rd_sub(&s, len, &body))
            return P_MORE;
        st->at = st->consumed;
        st->consumed += 4 + (size_t)len;
        pstate r = handshake_message(f, st, type, &body);
        if (r != P_MORE)
            return r;
    }
}

static bool alert_is_terminal(uint8_t level, uint8_t desc)
{
    /* RFC 5246 section 7.2: only a warning may be followed by more of the
     * handshake; close_notify ends the connection whatever its level. */
    return level != TD_ALERT_LEVEL_WARNING || desc == TD_ALERT_CLOSE_NOTIFY;
}

static pstate alert_record(td_flight *f, parse_state *st, td_rd *payload, size_t start)
{
    /* Several alerts may share a record; they are taken in order, and the
     * first one that ends the connection is the answer. */
    size_t n = td_rd_left(payload);
    if (n < 2 || n % 2 != 0)
        return bad_at(f, "record", start, "alert record of %zu bytes (RFC 5246 section 7.2)", n);
    if (!st->hello)
        f->kind = TD_FLIGHT_ALERT;
    td_rd one;
    while (td_rd_sub(payload, 2, &one)) {
        bool had = f->alert;
        uint8_t old_level = f->alert_level, old_desc = f->alert_desc;
        if (!td_parse_alert(&one, f))
            return P_ERROR;
        if (alert_is_terminal(f->alert_level, f->alert_desc))
            return P_DONE;
        if (had) {
            f->alert_level = old_level;
            f->alert_desc = old_desc;
        }
    }
    return P_MORE;
}

typedef struct record_header {
    uint8_t type, major, minor;
    uint16_t len;
} record_header;

static bool read_record_header(td_rd *in, record_header *h)
{
    return td_rd_u8(in, &h->type) && td_rd_u8(in, &h->major) && td_rd_u8(in, &h->minor) && td_rd_u16(in, &h->len);
}

/* RFC 8446 section 5.1: legacy_record_version is not checked beyond being
 * some SSLv3/TLS version. */
static bool record_version_ok(const record_header *h)
{
    return h->major == 3 && h->minor <= 4;
}

/* The records so far are whole and a handshake message still lacks bytes:
 * until that many more handshake bytes, or a record of another type,
 * arrive, no parse can change the answer.  td_flight_feed then only walks
 * the new record headers (records_may_conclude), so a message cut into
 * one-byte records (RFC 5246 section 6.2.1) costs a few parses, not one
 * per record. */
static void wait_for_message(td_flight *f, const parse_state *st)
{
    td_rd pending;
    uint8_t type;
    uint32_t len;
    td_rd_init(&pending, f->hs, st->hs.len);
    td_rd_skip(&pending, st->consumed);
    size_t have = td_rd_left(&pending);
    if (have == 0)
        return;
    /* drain_handshake left this message because it is incomplete: what it
     * lacks is the rest of its header, or of its body. */
    bool header = td_rd_u8(&pending, &type) && td_rd_u24(&pending, &len);
    f->hs_wait = header ? 4 + (size_t)len - have : 4 - have;
    f->scan = f->buf_len;
}

/* Walks the records that arrived since wait_for_message; true when a parse
 * could now conclude something (or find a fault). */
static bool records_may_conclude(td_flight *f)
{
    td_rd in;
    td_rd_init(&in, f->buf, f->buf_len);
    td_rd_skip(&in, f->scan);
    for (;;) {
        record_header h;
        if (!read_record_header(&in, &h))
            return false;
        if (h.type != TD_CT_HANDSHAKE || !record_version_ok(&h) || h.len == 0 || h.len > MAX_RECORD_BODY)
            return true;
        if (!td_rd_skip(&in, h.len))
            return false;
        f->scan = f->buf_len - td_rd_left(&in);
        if (h.len >= f->hs_wait)
            return true;
        f->hs_wait -= h.len;
    }
}

static pstate parse_records(td_flight *f, bool eof)
{
    parse_state st;
    memset(&st, 0, sizeof st);
    td_wr_init(&st.hs, f->hs, f->hs_cap);

    td_rd in;
    td_rd_init(&in, f->buf, f->buf_len);
    while (!td_rd_empty(&in)) {
        record_header h;
        td_rd payload;
        size_t start = f->buf_len - td_rd_left(&in);
        if (!read_record_header(&in, &h)) {
            if (eof)
                return bad_at(f, "record", start, TRUNCATED);
            f->parse_need = start + RECORD_HEADER;
            return P_MORE;
        }
        uint8_t type = h.type;
        uint16_t len = h.len;
        if (type < TD_CT_CCS || type > TD_CT_APPDATA)
            return bad_at(f, "record", start, "content type %u (RFC 8446 section 5)", type);
        if (!record_version_ok(&h))
            return bad_at(f, "record", start, "version 0x%02x%02x (RFC 5246 appendix E.1)", h.major, h.minor);
        if (len > MAX_RECORD_BODY)
            return bad_at(f, "record", start, "%u bytes exceeds 2^14+2048 (RFC 5246 section 6.2.3)", len);
        if (!td_rd_sub(&in, len, &payload)) {
            if (eof)
                return bad_at(f, "record", start, TRUNCATED);
            f->parse_need = start + RECORD_HEADER + len;
            return P_MORE;
        }
        if (start == 0)
            f->record_version = (uint16_t)((h.major << 8) | h.minor);
        bool mid_message = st.consumed < st.hs.len;
        /* RFC 8446 section 5.1 (and RFC 5246 6.2.1): no empty handshake,
         * alert or change_cipher_spec fragments. */
        if (len == 0)
            return bad_at(f, "record", start, "empty record of content type %u (RFC 8446 section 5.1)", type);

        pstate r;
        switch (type) {
        case TD_CT_HANDSHAKE:
            td_wr_bytes(&st.hs, td_rd_ptr(&payload), len);
            if (!td_wr_ok(&st.hs))
                return bad(f, "handshake reassembly overflow");
            r = drain_handshake(f, &st);
            break;
        case TD_CT_ALERT:
            /* An alert, even one that cuts into a fragmented handshake
             * message, is the answer a diagnosis wants. */
            r = alert_record(f, &st, &payload, start);
            break;
        case TD_CT_CCS: {
            /* RFC 8446 section 5.1: other records may not interleave with a
             * fragmented handshake message. */
            if (mid_message)
                return bad_at(f, "record", start, "change_cipher_spec inside a fragmented handshake message "
                              "(RFC 8446 section 5.1)");
            uint8_t v;
            if (len != 1 || !td_rd_u8(&payload, &v) || v != 1)
                return bad_at(f, "record", start, "change_cipher_spec is not the single byte 1 (RFC 5246 section 7.1)");
            /* Before the ServerHello, RFC 8446 section 5 says to drop it;
             * after a TLS 1.2 ServerHello it means an abbreviated handshake,
             * and what follows is encrypted. */
            r = st.hello ? P_DONE : P_MORE;
            break;
        }
        default:
            return bad_at(f, "record", start, "application data before the handshake finished (RFC 5246 section 7.3)");
        }
        if (r != P_MORE)
            return r;
    }
    if (eof && st.consumed < st.hs.len)
        return bad_at(f, HS_UNIT, st.consumed, TRUNCATED);
    wait_for_message(f, &st);
    return P_MORE;
}

static pstate parse_sslv2(td_flight *f, bool eof)
{
    td_rd in, body;
    uint16_t hdr;
    uint8_t type;
    td_rd_init(&in, f->buf, f->buf_len);
    td_rd_u16(&in, &hdr);
    td_rd_peek(&in, 0, &type);
    f->record_version = TD_SSL2;
    if (!td_rd_sub(&in, hdr & 0x7fffu, &body)) {
        if (eof)
            return bad_at(f, "record", 0, TRUNCATED);
        f->parse_need = 2 + (size_t)(hdr & 0x7fffu);
        return P_MORE;
    }
    if (type == 0) {
        /* MSG-ERROR: type, then a 2-byte error code */
        uint16_t code;
        td_rd_skip(&body, 1);
        if (!td_rd_u16(&body, &code) || !td_rd_empty(&body))
            return bad_at(f, "record", 0, "SSLv2 ERROR message malformed (draft-hickman-netscape-ssl-00)");
        f->alert = true;
        f->alert_level = TD_ALERT_LEVEL_FATAL;
        switch (code) {
        case 0x0001: f->alert_desc = TD_ALERT_HANDSHAKE_FAILURE; break;
        case 0x0002: f->alert_desc = TD_ALERT_NO_CERTIFICATE; break;
        case 0x0004: f->alert_desc = TD_ALERT_BAD_CERTIFICATE; break;
        case 0x0006: f->alert_desc = TD_ALERT_UNSUPPORTED_CERTIFICATE; break;
        default: f->alert_desc = TD_ALERT_HANDSHAKE_FAILURE; break;
        }
        f->kind = TD_FLIGHT_ALERT;
        return P_DONE;
    }
    return td_parse_sslv2_server_hello(&body, f) ? P_DONE : P_ERROR;
}

typedef enum { LOOKS_UNKNOWN, LOOKS_TLS, LOOKS_SSLV2, LOOKS_OTHER } looks;

/* Decides from the first bytes which framing the peer uses. */
static looks classify(const td_flight *f)
{
    td_rd in;
    uint8_t b0, b1, b2;
    td_rd_init(&in, f->buf, f->buf_len);
    if (!td_rd_peek(&in, 0, &b0))
        return LOOKS_UNKNOWN;
    if (b0 >= TD_CT_CCS && b0 <= TD_CT_APPDATA) {
        if (!td_rd_peek(&in, 1, &b1))
            return LOOKS_UNKNOWN;
        return b1 == 3 ? LOOKS_TLS : LOOKS_OTHER;
    }
    if (b0 & 0x80) {
        if (!td_rd_peek(&in, 2, &b2))
            return LOOKS_UNKNOWN;
        /* Servers answer with SSLv2 even to a TLS hello now and then, so a
         * SERVER-HELLO is taken either way; a 3-byte MSG-ERROR is too
         * generic to trust unless an SSLv2 hello went out. */
        if (b2 == 4)
            return LOOKS_SSLV2;
        if (b2 == 0 && f->sslv2_offered) {
            td_rd_peek(&in, 1, &b1);
            if ((b0 & 0x7f) == 0 && b1 == 3)
                return LOOKS_SSLV2;
        }
        return LOOKS_OTHER;
    }
    return LOOKS_OTHER;
}

/* Clears everything derived from the bytes, keeping the bytes. */
static void reset_results(td_flight *f)
{
    td_flight keep = *f;
    memset(f, 0, sizeof *f);
    f->buf = keep.buf;
    f->buf_len = keep.buf_len;
    f->buf_cap = keep.buf_cap;
    f->hs = keep.hs;
    f->hs_cap = keep.hs_cap;
    f->sslv2_offered = keep.sslv2_offered;
    f->suite_kx = keep.suite_kx;
    memcpy(f->first, keep.first, sizeof f->first);
    f->n_first = keep.n_first;
    f->total = keep.total;
    f->reparsed = keep.reparsed;
}

static td_feed finish(td_flight *f, pstate r)
{
    if (r == P_ERROR) {
        f->kind = TD_FLIGHT_MALFORMED;
        if (!f->error[0])
            fail(f, "malformed flight");
        return TD_FEED_ERROR;
    }
    return r == P_DONE ? TD_FEED_DONE : TD_FEED_MORE;
}

static td_feed parse_all(td_flight *f, bool eof)
{
    td_rd in;
    uint8_t b0;
    reset_results(f);
    if (f->buf_len == 0)
        return TD_FEED_MORE;
    /* The reassembled stream is never longer than the bytes received. */
    if (f->hs_cap < f->buf_len) {
        uint8_t *p = realloc(f->hs, f->buf_cap);
        if (!p) {
            fail(f, "out of memory");
            return TD_FEED_ERROR;
        }
        f->hs = p;
        f->hs_cap = f->buf_cap;
    }
    switch (classify(f)) {
    case LOOKS_UNKNOWN:
        if (!eof)
            return TD_FEED_MORE;
        /* One byte of a TLS record header is still a record cut short. */
        td_rd_init(&in, f->buf, f->buf_len);
        if (td_rd_peek(&in, 0, &b0) && b0 >= TD_CT_CCS && b0 <= TD_CT_APPDATA)
            return finish(f, bad_at(f, "record", 0, TRUNCATED));
        f->kind = TD_FLIGHT_NOT_TLS;
        return TD_FEED_DONE;
    case LOOKS_TLS:
        return finish(f, parse_records(f, eof));
    case LOOKS_SSLV2:
        return finish(f, parse_sslv2(f, eof));
    case LOOKS_OTHER:
        break;
    }
    /* Wait for a few bytes so the evidence names the protocol. */
    if (f->buf_len < MIN_SNIFF && !eof)
        return TD_FEED_MORE;
    f->kind = TD_FLIGHT_NOT_TLS;
    return TD_FEED_DONE;
}

void td_flight_init(td_flight *f, bool sslv2_offered, td_suite_kx_fn suite_kx)
{
    memset(f, 0, sizeof *f);
    f->sslv2_offered = sslv2_offered;
    f->suite_kx = suite_kx;
}

td_feed td_flight_feed(td_flight *f, const uint8_t *data, size_t len)
{
    if (!data)
        len = 0;
    f->total += len;
    size_t ev = TD_FLIGHT_FIRST_BYTES - f->n_first;
    if (ev > len)
        ev = len;
    if (ev > 0)
        memcpy(f->first + f->n_first, data, ev);
    f->n_first += ev;

    size_t room = TD_FLIGHT_MAX_BYTES - f->buf_len;
    size_t take = len < room ? len : room;
    if (f->buf_len + take > f->buf_cap) {
        size_t cap = f->buf_cap ? f->buf_cap : 4096;
        while (cap < f->buf_len + take)
            cap *= 2;
        if (cap > TD_FLIGHT_MAX_BYTES)
            cap = TD_FLIGHT_MAX_BYTES;
        uint8_t *p = realloc(f->buf, cap);
        if (!p) {
            reset_results(f);
            fail(f, "out of memory");
            return TD_FEED_ERROR;
        }
        f->buf = p;
        f->buf_cap = cap;
    }
    if (take > 0)
        memcpy(f->buf + f->buf_len, data, take);
    f->buf_len += take;

    /* Until the awaited unit is complete the answer is still MORE, and
     * every field is as the last parse left it.  That includes the blobs: a
     * MORE answer's blobs point into f->hs, which only a parse moves. */
    td_feed r = TD_FEED_MORE;
    if (f->buf_len < TD_FLIGHT_MAX_BYTES &&
        (f->buf_len < f->parse_need || (f->hs_wait > 0 && !records_may_conclude(f))))
        return r;
    f->reparsed += f->buf_len;
    if (f->reparsed > TD_FLIGHT_MAX_REPARSE) {
        f->kind = TD_FLIGHT_MALFORMED;
        fail(f, "first flight trickled in too many pieces (%zu bytes re-parsed)", f->reparsed);
        return TD_FEED_ERROR;
    }
    r = parse_all(f, false);
    if (r == TD_FEED_MORE && f->buf_len >= TD_FLIGHT_MAX_BYTES) {
        f->kind = TD_FLIGHT_MALFORMED;
        fail(f, "first flight larger than %u bytes", TD_FLIGHT_MAX_BYTES);
        return TD_FEED_ERROR;
    }
    return r;
}

td_feed td_flight_eof(td_flight *f)
{
    if (f->buf_len == 0)
        return TD_FEED_MORE;
    td_feed r = parse_all(f, true);
    /* Whole records but no conclusion (say, only a change_cipher_spec): the
     * caller treats it like a plain close. */
    if (r == TD_FEED_MORE && f->kind != TD_FLIGHT_NONE)
        return TD_FEED_DONE;
    return r;
}

void td_flight_free(td_flight *f)
{
    free(f->buf);
    free(f->hs);
    f->buf = NULL;
    f->hs = NULL;
    f->buf_len = f->buf_cap = f->hs_cap = 0;
}

bool td_flight_is_hrr(const uint8_t *msg, size_t len)
{
    td_rd r;
    uint8_t type, random[32];
    td_rd_init(&r, msg, len);
    /* type, length, legacy_version, then the random */
    return td_rd_u8(&r, &type) && type == TD_HS_SERVER_HELLO && td_rd_skip(&r, 3 + 2) &&
           td_rd_copy(&r, random, sizeof random) && memcmp(random, hrr_random, sizeof random) == 0;
}

/* ---- sniffing ---- */

static char lower(uint8_t c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

static bool starts_with(const td_rd *r, const char *s, bool nocase)
{
    for (size_t i = 0; s[i]; i++) {
        uint8_t c;
        if (!td_rd_peek(r, i, &c))
            return false;
        if (nocase ? lower(c) != lower((uint8_t)s[i]) : c != (uint8_t)s[i])
            return false;
    }
    return true;
}

static bool has_word(const td_rd *r, const char *s)
{
    td_rd cur = *r;
    while (!td_rd_empty(&cur)) {
        if (starts_with(&cur, s, true))
            return true;
        td_rd_skip(&cur, 1);
    }
    return false;
}

const char *td_sniff_protocol(const uint8_t *p, size_t n)
{
    td_rd r;
    td_rd_init(&r, p, n);
    if (starts_with(&r, "HTTP/", false))
        return "HTTP";
    /* Some servers answer garbage with a bare error page. */
    if (starts_with(&r, "<!doctype html", true) || starts_with(&r, "<html", true))
        return "HTTP";
    if (starts_with(&r, "SSH-", false))
        return "SSH";
    /* RFC 5321 section 4.2 and RFC 959 section 4.2: "220" greetings, with
     * "220-" opening a multi-line one. */
    if (starts_with(&r, "220 ", false) || starts_with(&r, "220-", false)) {
        if (has_word(&r, "smtp"))
            return "SMTP";
        if (has_word(&r, "ftp"))
            return "FTP";
        if (starts_with(&r, "220-", false))
            return "FTP";
        return "SMTP/FTP";
    }
    if (starts_with(&r, "* OK", false) || starts_with(&r, "* PREAUTH", false))
        return "IMAP";
    if (starts_with(&r, "+OK", false))
        return "POP3";
    /* MySQL and MariaDB speak first (Protocol::HandshakeV10): a packet
     * header (3-byte little-endian length, sequence 0), protocol version 10,
     * then the server's version, which starts with a digit ("8.0.36",
     * "5.5.5-10.11.6-MariaDB"). */
    uint8_t seq, version, digit;
    if (td_rd_peek(&r, 3, &seq) && seq == 0 && td_rd_peek(&r, 4, &version) && version == 10 &&
        td_rd_peek(&r, 5, &digit) && digit >= '0' && digit <= '9')
        return "MySQL";
    return NULL;
}
