/* A received ClientHello (RFC 8446 section 4.1.2, RFC 5246 section
 * 7.4.1.2) and the SSLv2-compatible CLIENT-HELLO (RFC 5246 appendix E.2),
 * read with td_rd only: every field is a sub-reader of the one before, so
 * no check below does offset arithmetic. */
#include "chello.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alpn.h"
#include "tls.h"

/* The rule text where a field is cut short or overruns what holds it. */
#define HELLO_RULE "RFC 8446 section 4.1.2"

__attribute__((format(printf, 3, 4)))
static bool fail_at(td_chello *h, const td_rd *at, const char *fmt, ...)
{
    /* The innermost check knows most about the fault, and it runs first. */
    if (h->error[0])
        return false;
    char what[TD_CHELLO_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* A text cut at the end of error is still a useful text. */
    if (snprintf(h->error, sizeof h->error, "%s offset %zu: %s", h->msg_name, td_rd_pos(&h->msg, at), what) < 0)
        h->error[0] = '\0';
    return false;
}

static void begin(td_chello *h, const char *name, const uint8_t *p, size_t len)
{
    memset(h, 0, sizeof *h);
    td_rd_init(&h->msg, p, len);
    h->msg_name = name;
    h->size = td_rd_left(&h->msg);
}

bool td_grease(uint16_t v)
{
    /* RFC 8701 section 2: 0x0A0A, 0x1A1A, ..., 0xFAFA */
    return (v & 0x0f0fu) == 0x0a0au && (v >> 12) == ((v >> 4) & 0x0fu);
}

/* Reads a list of 16-bit values that fills d exactly, keeping the first
 * cap of them.  False when d is empty or of odd length. */
static bool u16_list(td_rd *d, uint16_t *out, size_t cap, size_t *n, bool *truncated)
{
    if (td_rd_empty(d) || td_rd_left(d) % 2 != 0)
        return false;
    uint16_t v;
    while (td_rd_u16(d, &v)) {
        if (*n < cap)
            out[(*n)++] = v;
        else
            *truncated = true;
    }
    return true;
}

/* ---- extensions ---- */

/* RFC 6066 section 3: ServerNameList<1..2^16-1>, each entry a name_type
 * and, for host_name(0), HostName<1..2^16-1>; "The ServerNameList MUST NOT
 * contain more than one name of the same name_type." */
static bool ext_server_name(td_chello *h, td_rd *d)
{
    td_rd list, name, at = *d;
    if (!td_rd_prefixed16(d, &list) || !td_rd_empty(d) || td_rd_empty(&list))
        return fail_at(h, &at, "server_name list malformed (RFC 6066 section 3)");
    while (!td_rd_empty(&list)) {
        uint8_t type;
        at = list;
        if (!td_rd_u8(&list, &type) || !td_rd_prefixed16(&list, &name))
            return fail_at(h, &at, "server_name entry overruns the list (RFC 6066 section 3)");
        if (type != 0)
            continue;
        if (h->has_sni)
            return fail_at(h, &at, "two host_name entries (RFC 6066 section 3)");
        if (td_rd_empty(&name))
            return fail_at(h, &at, "empty HostName (RFC 6066 section 3)");
        h->has_sni = true;
        size_t n = td_rd_left(&name);
        if (n >= sizeof h->sni) {
            n = sizeof h->sni - 1;
            h->sni_truncated = true;
        }
        td_rd_copy(&name, (uint8_t *)h->sni, n);
        h->sni[n] = '\0';
    }
    return true;
}

/* Appends one ProtocolName to the comma-separated text, or marks it cut. */
static void alpn_append(td_chello *h, const td_rd *name)
{
    size_t have = strlen(h->alpn), n = td_rd_left(name);
    size_t need = n + (have > 0 ? 1 : 0);
    if (h->alpn_truncated || need >= sizeof h->alpn - have) {
        h->alpn_truncated = true;
        return;
    }
    td_rd copy = *name;
    if (have > 0)
        h->alpn[have++] = ',';
    td_rd_copy(&copy, (uint8_t *)h->alpn + have, n);
    h->alpn[have + n] = '\0';
}

/* RFC 7301 section 3.1: ProtocolNameList of ProtocolName<1..2^8-1>. */
static bool ext_alpn(td_chello *h, td_rd *d)
{
    td_rd list, name, at = *d;
    if (!td_rd_prefixed16(d, &list) || !td_rd_empty(d) ||
        !td_alpn_list_ok(td_rd_ptr(&list), td_rd_left(&list)))
        return fail_at(h, &at, "ALPN protocol list malformed (RFC 7301 section 3.1)");
    h->has_alpn = true;
    while (td_alpn_next(&list, &name)) {
        if (h->alpn_first_len == 0) {
            h->alpn_first_len = td_rd_left(&name);
            td_rd first = name;
            td_rd_copy(&first, h->alpn_first, h->alpn_first_len);
        }
        alpn_append(h, &name);
    }
    return true;
}

/* RFC 8446 section 4.2.1: ProtocolVersion versions<2..254>. */
static bool ext_versions(td_chello *h, td_rd *d)
{
    td_rd list, at = *d;
    if (!td_rd_prefixed8(d, &list) || !td_rd_empty(d) ||
        !u16_list(&list, h->versions, TD_CHELLO_MAX_LIST, &h->n_versions, &h->versions_truncated))
        return fail_at(h, &at, "supported_versions malformed (RFC 8446 section 4.2.1)");
    return true;
}

/* A u16 list in a 2-byte prefix that is the whole extension body:
 * supported_groups (RFC 8446 section 4.2.7, named_group_list<2..2^16-1>)
 * and signature_algorithms (section 4.2.3, <2..2^16-2>). */
static bool ext_u16_list(td_chello *h, td_rd *d, uint16_t *out, size_t *n, bool *trunc, const char *what)
{
    td_rd list, at = *d;
    if (!td_rd_prefixed16(d, &list) || !td_rd_empty(d) ||
        !u16_list(&list, out, TD_CHELLO_MAX_LIST, n, trunc))
        return fail_at(h, &at, "%s", what);
    return true;
}

/* RFC 8446 section 4.2.8: client_shares<0..2^16-1> of KeyShareEntry
 * { NamedGroup group; opaque key_exchange<1..2^16-1>; }, "Clients MUST
 * NOT offer multiple KeyShareEntry values for the same group." */
static bool ext_key_share(td_chello *h, td_rd *d)
{
    td_rd list, kx, at = *d;
    if (!td_rd_prefixed16(d, &list) || !td_rd_empty(d))
        return fail_at(h, &at, "key_share list malformed (RFC 8446 section 4.2.8)");
    h->has_key_share = true;
    while (!td_rd_empty(&list)) {
        uint16_t group;
        at = list;
        if (!td_rd_u16(&list, &group) || !td_rd_prefixed16(&list, &kx) || td_rd_empty(&kx))
            return fail_at(h, &at, "KeyShareEntry malformed (RFC 8446 section 4.2.8)");
        for (size_t i = 0; i < h->n_shares; i++)
            if (h->share_groups[i] == group)
                return fail_at(h, &at, "two key shares for group 0x%04x (RFC 8446 section 4.2.8)", group);
        if (h->n_shares == TD_CHELLO_MAX_LIST) {
            h->shares_truncated = true;
            continue;
        }
        h->share_groups[h->n_shares] = group;
        h->share_lens[h->n_shares++] = (uint16_t)td_rd_left(&kx);
    }
    return true;
}

/* RFC 8422 section 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>. */
static bool ext_point_formats(td_chello *h, td_rd *d)
{
    td_rd list, at = *d;
    if (!td_rd_prefixed8(d, &list) || !td_rd_empty(d) || td_rd_empty(&list))
        return fail_at(h, &at, "ec_point_formats malformed (RFC 8422 section 5.1.2)");
    h->has_point_formats = true;
    uint8_t f;
    while (td_rd_u8(&list, &f)) {
        if (h->n_point_formats < TD_CHELLO_MAX_LIST)
            h->point_formats[h->n_point_formats++] = f;
        else
            h->point_formats_truncated = true;
    }
    return true;
}

/* RFC 7685 section 3: "The client MUST fill the padding extension
 * completely with zero bytes". */
static bool ext_padding(td_chello *h, td_rd *d)
{
    h->has_padding = true;
    h->padding_len = td_rd_left(d);
    uint8_t b;
    for (td_rd at = *d; td_rd_u8(d, &b); at = *d)
        if (b != 0)
            return fail_at(h, &at, "padding byte 0x%02x is not zero (RFC 7685 section 3)", b);
    return true;
}

/* Decodes the extensions a diagnosis reads; the rest are kept by type and
 * body only. */
static bool decode_ext(td_chello *h, uint16_t type, td_rd *d)
{
    switch (type) {
    case TD_EXT_SERVER_NAME: return ext_server_name(h, d);
    case TD_EXT_ALPN: return ext_alpn(h, d);
    case TD_EXT_SUPPORTED_VERSIONS: return ext_versions(h, d);
    case TD_EXT_SUPPORTED_GROUPS:
        h->has_groups = true;
        return ext_u16_list(h, d, h->groups, &h->n_groups, &h->groups_truncated,
                            "supported_groups malformed (RFC 8446 section 4.2.7)");
    case TD_EXT_SIGNATURE_ALGS:
        h->has_sigalgs = true;
        return ext_u16_list(h, d, h->sigalgs, &h->n_sigalgs, &h->sigalgs_truncated,
                            "signature_algorithms malformed (RFC 8446 section 4.2.3)");
    case TD_EXT_KEY_SHARE: return ext_key_share(h, d);
    case TD_EXT_EC_POINT_FORMATS: return ext_point_formats(h, d);
    case TD_EXT_PADDING: return ext_padding(h, d);
    case TD_EXT_PRE_SHARED_KEY: h->psk = true; return true;
    case TD_EXT_EARLY_DATA: h->early_data = true; return true;
    case TD_EXT_SESSION_TICKET:
        h->session_ticket = true;
        h->ticket_len = td_rd_left(d);
        return true;
    default: return true;
    }
}

/* RFC 8446 section 4.2: "There MUST NOT be more than one extension of the
 * same type in a given extension block"; section 4.2.11: pre_shared_key
 * "MUST be the last extension in the ClientHello". */
static bool parse_extensions(td_chello *h, td_rd *exts)
{
    /* Past the cap types are still checked for repeats here. */
    uint8_t seen[65536 / 8];
    memset(seen, 0, sizeof seen);
    while (!td_rd_empty(exts)) {
        uint16_t type;
        td_rd data, at = *exts;
        if (!td_rd_u16(exts, &type) || !td_rd_prefixed16(exts, &data))
            return fail_at(h, &at, "extension overruns the extensions block (RFC 8446 section 4.2)");
        uint8_t bit = (uint8_t)(1u << (type & 7));
        if (seen[type >> 3] & bit)
            return fail_at(h, &at, "duplicate extension %u (RFC 8446 section 4.2)", type);
        seen[type >> 3] |= bit;
        if (h->psk)
            return fail_at(h, &at, "extension %u after pre_shared_key (RFC 8446 section 4.2.11)", type);
        if (h->n_exts < TD_CHELLO_MAX_EXTS)
            h->exts[h->n_exts++] = (td_chello_ext){.type = type, .body = data};
        else
            h->exts_truncated = true;
        if (!decode_ext(h, type, &data))
            return false;
    }
    return true;
}

/* ---- the TLS ClientHello ---- */

/* RFC 8446 section 4.1.2: cipher_suites<2..2^16-2>, two bytes each. */
static bool parse_suites(td_chello *h, td_rd *body)
{
    td_rd list, at = *body;
    if (!td_rd_prefixed16(body, &list))
        return fail_at(h, &at, "cipher_suites overruns the message (" HELLO_RULE ")");
    if (!u16_list(&list, h->suites, TD_CHELLO_MAX_SUITES, &h->n_suites, &h->suites_truncated))
        return fail_at(h, &at, "cipher_suites empty or of odd length %zu (" HELLO_RULE ")", td_rd_left(&list));
    return true;
}

/* RFC 5246 section 7.4.1.2: compression_methods<1..2^8-1>. */
static bool parse_compressions(td_chello *h, td_rd *body)
{
    td_rd list, at = *body;
    if (!td_rd_prefixed8(body, &list))
        return fail_at(h, &at, "compression_methods overruns the message (RFC 5246 section 7.4.1.2)");
    if (td_rd_empty(&list))
        return fail_at(h, &at, "compression_methods is empty (RFC 5246 section 7.4.1.2)");
    uint8_t m;
    while (td_rd_u8(&list, &m)) {
        if (h->n_compressions < TD_CHELLO_MAX_COMP)
            h->compressions[h->n_compressions++] = m;
        else
            h->compressions_truncated = true;
    }
    return true;
}

static bool parse_body(td_chello *h, td_rd *body)
{
    td_rd sid, at = *body;
    if (!td_rd_u16(body, &h->legacy_version) || !td_rd_copy(body, h->random, sizeof h->random))
        return fail_at(h, &at, "truncated before the session id (" HELLO_RULE ")");
    at = *body;
    if (!td_rd_prefixed8(body, &sid))
        return fail_at(h, &at, "session id overruns the message (" HELLO_RULE ")");
    /* RFC 8446 section 4.1.2: legacy_session_id<0..32>. */
    if (td_rd_left(&sid) > sizeof h->session_id)
        return fail_at(h, &at, "session id of %zu bytes, at most 32 (" HELLO_RULE ")", td_rd_left(&sid));
    h->session_id_len = td_rd_left(&sid);
    td_rd_copy(&sid, h->session_id, h->session_id_len);
    if (!parse_suites(h, body) || !parse_compressions(h, body))
        return false;
    /* RFC 5246 section 7.4.1.2: the extensions block may be absent. */
    if (td_rd_empty(body))
        return true;
    td_rd exts;
    at = *body;
    if (!td_rd_prefixed16(body, &exts))
        return fail_at(h, &at, "extensions overrun the message (" HELLO_RULE ")");
    if (!td_rd_empty(body))
        return fail_at(h, body, "%zu bytes after the extensions (" HELLO_RULE ")", td_rd_left(body));
    h->has_extensions = true;
    return parse_extensions(h, &exts);
}

bool td_chello_parse(td_chello *h, const uint8_t *msg, size_t len)
{
    begin(h, "ClientHello", msg, len);
    td_rd r = h->msg, body;
    uint8_t type;
    /* RFC 8446 section 4: Handshake { HandshakeType msg_type; uint24
     * length; ... }, client_hello(1). */
    if (!td_rd_u8(&r, &type))
        return fail_at(h, &r, "empty message (RFC 8446 section 4)");
    if (type != TD_HS_CLIENT_HELLO)
        return fail_at(h, &h->msg, "handshake type %u is not client_hello(1) (RFC 8446 section 4)", type);
    td_rd at = r;
    if (!td_rd_prefixed24(&r, &body))
        return fail_at(h, &at, "length runs past the %zu bytes given (RFC 8446 section 4)", len);
    if (!td_rd_empty(&r))
        return fail_at(h, &r, "%zu bytes after the message (RFC 8446 section 4)", td_rd_left(&r));
    return parse_body(h, &body);
}

/* ---- SSLv2-compatible CLIENT-HELLO ---- */

#define V2_RULE "RFC 5246 appendix E.2"

bool td_chello_is_sslv2(const uint8_t *rec, size_t len)
{
    td_rd r;
    uint8_t b0, type;
    td_rd_init(&r, rec, len);
    return td_rd_peek(&r, 0, &b0) && (b0 & 0x80u) && td_rd_peek(&r, 2, &type) && type == 1;
}

/* The cipher specs: 3 bytes each; a TLS suite is written 0x00 followed by
 * its two bytes (E.2), anything else is an SSLv2-only kind. */
static bool parse_v2_specs(td_chello *h, td_rd *specs)
{
    td_rd at = *specs;
    if (td_rd_empty(specs) || td_rd_left(specs) % 3 != 0)
        return fail_at(h, &at, "cipher_spec_length %zu is not a non-zero multiple of 3 (" V2_RULE ")",
                       td_rd_left(specs));
    uint8_t kind;
    uint16_t suite;
    while (td_rd_u8(specs, &kind) && td_rd_u16(specs, &suite)) {
        if (kind != 0)
            h->n_v2_only++;
        else if (h->n_suites < TD_CHELLO_MAX_SUITES)
            h->suites[h->n_suites++] = suite;
        else
            h->suites_truncated = true;
    }
    return true;
}

static bool parse_v2_body(td_chello *h, td_rd *body)
{
    uint8_t type;
    uint16_t spec_len, sid_len, ch_len;
    td_rd specs, sid, challenge, at = *body;
    if (!td_rd_u8(body, &type) || !td_rd_u16(body, &h->legacy_version) || !td_rd_u16(body, &spec_len) ||
        !td_rd_u16(body, &sid_len) || !td_rd_u16(body, &ch_len))
        return fail_at(h, &at, "truncated (" V2_RULE ")");
    if (type != 1)
        return fail_at(h, &at, "msg_type %u is not client_hello(1) (" V2_RULE ")", type);
    at = *body;
    if (!td_rd_sub(body, spec_len, &specs) || !td_rd_sub(body, sid_len, &sid) || !td_rd_sub(body, ch_len, &challenge))
        return fail_at(h, &at, "cipher specs, session id and challenge overrun the record (" V2_RULE ")");
    if (!td_rd_empty(body))
        return fail_at(h, body, "%zu bytes after the challenge (" V2_RULE ")", td_rd_left(body));
    if (!parse_v2_specs(h, &specs))
        return false;
    /* E.2: session_id_length "MUST be zero for a client that claims to
     * support TLS 1.2"; SSLv2 allows 16 bytes, so only the TLS limit holds. */
    if (sid_len > sizeof h->session_id)
        return fail_at(h, &sid, "session id of %u bytes, at most 32 (" V2_RULE ")", sid_len);
    /* E.2: the challenge is 16 to 32 bytes and becomes the right end of
     * ClientHello.random, zero-padded on the left. */
    if (ch_len < 16 || ch_len > sizeof h->random)
        return fail_at(h, &challenge, "challenge of %u bytes, not 16 to 32 (" V2_RULE ")", ch_len);
    h->session_id_len = sid_len;
    td_rd_copy(&sid, h->session_id, sid_len);
    td_rd_copy(&challenge, h->random + sizeof h->random - ch_len, ch_len);
    /* The compression a TLS server assumes for a v2 hello: null only. */
    h->compressions[h->n_compressions++] = 0;
    return true;
}

bool td_chello_parse_sslv2(td_chello *h, const uint8_t *rec, size_t len)
{
    begin(h, "SSLv2 CLIENT-HELLO", rec, len);
    h->sslv2 = true;
    td_rd r = h->msg, body;
    uint16_t head;
    if (!td_rd_u16(&r, &head))
        return fail_at(h, &r, "no record header (" V2_RULE ")");
    /* E.2: "The highest bit MUST be 1; the remaining bits contain the
     * length of the following data in bytes." */
    if (!(head & 0x8000u))
        return fail_at(h, &h->msg, "record header without the high bit (" V2_RULE ")");
    td_rd at = r;
    if (!td_rd_sub(&r, head & 0x7fffu, &body))
        return fail_at(h, &at, "record length %u runs past the %zu bytes given (" V2_RULE ")", head & 0x7fffu, len);
    if (!td_rd_empty(&r))
        return fail_at(h, &r, "%zu bytes after the record (" V2_RULE ")", td_rd_left(&r));
    return parse_v2_body(h, &body);
}

/* ---- queries ---- */

uint16_t td_chello_max_version(const td_chello *h)
{
    uint16_t best = 0;
    for (size_t i = 0; i < h->n_versions; i++)
        if (!td_grease(h->versions[i]) && h->versions[i] > best)
            best = h->versions[i];
    return best ? best : h->legacy_version;
}

const td_chello_ext *td_chello_ext_find(const td_chello *h, uint16_t type)
{
    for (size_t i = 0; i < h->n_exts; i++)
        if (h->exts[i].type == type)
            return &h->exts[i];
    return NULL;
}
