/* Facts about one certificate, read from its DER with OpenSSL's decoder. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert/cert_int.h"
#include "util/utc.h"

/* ---- strings ------------------------------------------------------------ */

/* Room kept at the end of a cut string for the "..." that marks the cut. */
static void mark_cut(char *dst, size_t cap)
{
    if (cap >= 4)
        memcpy(dst + cap - 4, "...", 4);
}

void td_cert_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return;
    size_t len = strlen(src);
    if (len < cap) {
        memcpy(dst, src, len + 1);
        return;
    }
    memcpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
    mark_cut(dst, cap);
}

void td_cert_fmt(char *dst, size_t cap, const char *fmt, ...)
{
    if (cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    if (n < 0)
        dst[0] = '\0';
    else if ((size_t)n >= cap)
        mark_cut(dst, cap);
}

void td_cert_esc(char *dst, size_t cap, const void *src, size_t len, bool allow_space)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = src;
    size_t o = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        /* Certificate strings reach terminals and JSON: control bytes,
         * non-ASCII and an embedded NUL (the old "a\0.evil" trick) must not
         * pass through unchanged. */
        bool plain = (c > 0x20 || (c == 0x20 && allow_space)) && c < 0x7f && c != '\\';
        size_t need = plain ? 1 : 4;
        if (o + need >= cap) {
            dst[o] = '\0';
            mark_cut(dst, cap);
            return;
        }
        if (plain) {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    dst[o] = '\0';
}

/* The one printer of names: OpenSSL's RFC 2253 form, whose flags escape
 * bytes >= 0x80 and control characters as \XX, so the text is ASCII; the
 * pass below catches anything left over.  Writes what fits of it; returns
 * whether all of it did. */
static bool dn_print(const X509_NAME *name, char *dst, size_t cap)
{
    if (cap == 0)
        return false;
    dst[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return true;
    bool whole = true;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(b, &p);
        size_t o = 0;
        for (long i = 0; p && i < n && whole; i++) {
            unsigned char c = (unsigned char)p[i];
            bool plain = c >= 0x20 && c < 0x7f;
            if (o + (plain ? 1 : 3) >= cap) {
                whole = false;
            } else if (plain) {
                dst[o++] = (char)c;
            } else {
                snprintf(dst + o, cap - o, "\\%02X", c);
                o += 3;
            }
        }
        dst[o] = '\0';
    }
    BIO_free(b);
    return whole;
}

void td_cert_dn(const X509_NAME *name, char *dst, size_t cap)
{
    if (!dn_print(name, dst, cap))
        mark_cut(dst, cap);
}

void td_cert_dn_text(const X509_NAME *name, char *dst, size_t cap)
{
    dn_print(name, dst, cap);
}

bool td_cert_dn_der(const uint8_t *der, size_t len, char *dst, size_t cap)
{
    if (cap == 0 || len > (size_t)LONG_MAX)
        return false;
    const unsigned char *p = der;
    X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
    if (!name) {
        ERR_clear_error();
        return false;
    }
    dn_print(name, dst, cap);
    X509_NAME_free(name);
    return true;
}

void td_cert_cn(const X509_NAME *name, char *dst, size_t cap)
{
    if (cap == 0)
        return;
    dst[0] = '\0';
    /* RFC 6125 6.4.4 speaks of "the" CN; with several, the last one in the
     * DN is the most specific, which is the one clients have looked at. */
    int idx = -1, last = -1;
    while ((idx = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0)
        last = idx;
    if (last < 0)
        return;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
    unsigned char *u = NULL;
    int ulen = ASN1_STRING_to_UTF8(&u, s);
    if (ulen >= 0)
        td_cert_esc(dst, cap, u, (size_t)ulen, true);
    OPENSSL_free(u);
    ERR_clear_error();
}

/* ---- decoding ----------------------------------------------------------- */

X509 *td_cert_d2i(td_der d, char *err, size_t errlen)
{
    char dummy[1];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    if (!d.p || d.len == 0) {
        snprintf(err, errlen, "empty certificate");
        return NULL;
    }
    if (d.len > (size_t)LONG_MAX) {
        snprintf(err, errlen, "certificate of %zu bytes is too large", d.len);
        return NULL;
    }
    const unsigned char *p = d.p;
    X509 *x = d2i_X509(NULL, &p, (long)d.len);
    if (!x) {
        unsigned long e = ERR_peek_last_error();
        const char *r = e ? ERR_reason_error_string(e) : NULL;
        snprintf(err, errlen, "not a DER X.509 certificate%s%s%s", r ? " (" : "", r ? r : "",
                 r ? ")" : "");
        ERR_clear_error();
        return NULL;
    }
    size_t used = (size_t)(p - d.p);
    if (used != d.len) {
        /* A TLS Certificate entry is exactly one certificate: libssl refuses
         * an entry whose certificate ends early, so we do too. */
        snprintf(err, errlen, "%zu bytes after the end of the certificate", d.len - used);
        X509_free(x);
        ERR_clear_error();
        return NULL;
    }
    return x;
}

static int asn1_time(const ASN1_TIME *t, int64_t *secs, char *iso, size_t isolen)
{
    struct tm tm;
    /* ASN1_TIME_to_tm() with NULL means "now": never let that through. */
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    *secs = td_utc_seconds((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                           tm.tm_sec);
    td_utc_iso(*secs, iso, isolen);
    return 0;
}

static void san_entry(const GENERAL_NAME *g, char *dst, size_t cap)
{
    char body[256];
    const char *prefix = "";
    body[0] = '\0';
    switch (g->type) {
    case GEN_DNS:
        prefix = "DNS:";
        td_cert_esc(body, sizeof body, ASN1_STRING_get0_data(g->d.dNSName),
                    (size_t)ASN1_STRING_length(g->d.dNSName), false);
        break;
    case GEN_IPADD: {
        const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
        int n = ASN1_STRING_length(g->d.iPAddress);
        prefix = "IP:";
        if (n == 4 || n == 16) {
            if (!inet_ntop(n == 4 ? AF_INET : AF_INET6, a, body, sizeof body))
                snprintf(body, sizeof body, "?");
        } else {
            /* RFC 5280 4.2.1.6: 4 or 16 octets; anything else matches nothing. */
            snprintf(body, sizeof body, "<%d bytes>", n);
        }
        break;
    }
    case GEN_EMAIL:
        prefix = "email:";
        td_cert_esc(body, sizeof body, ASN1_STRING_get0_data(g->d.rfc822Name),
                    (size_t)ASN1_STRING_length(g->d.rfc822Name), false);
        break;
    case GEN_URI:
        prefix = "URI:";
        td_cert_esc(body, sizeof body, ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
                    (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier), false);
        break;
    case GEN_DIRNAME:
        prefix = "DirName:";
        td_cert_dn(g->d.directoryName, body, sizeof body);
        break;
    case GEN_RID:
        prefix = "RID:";
        OBJ_obj2txt(body, sizeof body, g->d.registeredID, 1);
        break;
    case GEN_OTHERNAME:
        prefix = "othername:";
        OBJ_obj2txt(body, sizeof body, g->d.otherName->type_id, 0);
        break;
    case GEN_X400:
        prefix = "X400Name";
        break;
    case GEN_EDIPARTY:
        prefix = "EdiPartyName";
        break;
    default:
        prefix = "unknown";
        break;
    }
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s%s", prefix, body);
    td_cert_copy(dst, cap, tmp);
}

static void fill_sans(X509 *x, td_cert_info *out)
{
    out->has_san_ext = X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (!gens)
        return;
    int n = sk_GENERAL_NAME_num(gens);
    for (int i = 0; i < n; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        out->n_san_total++;
        if (out->n_san < TD_CERT_MAX_SAN)
            san_entry(g, out->san[out->n_san++], sizeof out->san[0]);
    }
    GENERAL_NAMES_free(gens);
}

static void fill_aia(X509 *x, td_cert_info *out)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
    if (!aia)
        return;
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (ad->location->type != GEN_URI)
            continue;
        const ASN1_IA5STRING *u = ad->location->d.uniformResourceIdentifier;
        int nid = OBJ_obj2nid(ad->method);
        char *dst = nid == NID_ad_ca_issuers ? out->aia_ca_issuers
                    : nid == NID_ad_OCSP     ? out->ocsp_url
                                             : NULL;
        if (dst && !dst[0])
            td_cert_esc(dst, sizeof out->ocsp_url, ASN1_STRING_get0_data(u),
                        (size_t)ASN1_STRING_length(u), false);
    }
    AUTHORITY_INFO_ACCESS_free(aia);
}

static void fill_key(X509 *x, td_cert_info *out)
{
    const char *type = "unknown";
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk) {
        switch (EVP_PKEY_get_base_id(pk)) {
        case EVP_PKEY_RSA: type = "RSA"; break;
        case EVP_PKEY_RSA_PSS: type = "RSA-PSS"; break;
        case EVP_PKEY_EC: type = "EC"; break;
        case EVP_PKEY_ED25519: type = "Ed25519"; break;
        case EVP_PKEY_ED448: type = "Ed448"; break;
        case EVP_PKEY_DSA: type = "DSA"; break;
        case EVP_PKEY_X25519: type = "X25519"; break;
        case EVP_PKEY_X448: type = "X448"; break;
        default: break;
        }
        int bits = EVP_PKEY_get_bits(pk);
        out->key_bits = bits > 0 ? bits : 0;
        if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
            char g[64];
            size_t glen = 0;
            if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, g, sizeof g, &glen))
                td_cert_esc(out->key_curve, sizeof out->key_curve, g, glen, false);
            else
                td_cert_copy(out->key_curve, sizeof out->key_curve, "explicit");
        }
    }
    td_cert_copy(out->key_type, sizeof out->key_type, type);
}

static void fill_sig(X509 *x, td_cert_info *out)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    char name[128] = "";
    X509_get0_signature(NULL, &alg, x);
    if (alg) {
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
        if (obj)
            OBJ_obj2txt(name, sizeof name, obj, 0);
    }
    td_cert_copy(out->sig_alg, sizeof out->sig_alg, name[0] ? name : "unknown");

    int md = NID_undef, pkn = NID_undef, secbits = 0;
    uint32_t flags = 0;
    /* X509_get_signature_info() also reads the hash out of RSA-PSS
     * parameters, which the plain OID does not name. */
    if (!X509_get_signature_info(x, &md, &pkn, &secbits, &flags)) {
        int sn = X509_get_signature_nid(x);
        if (!OBJ_find_sigid_algs(sn, &md, &pkn))
            md = NID_undef;
    }
    out->sig_weak = md == NID_md2 || md == NID_md4 || md == NID_md5 || md == NID_sha1 ||
                    md == NID_md5_sha1;
}

/* The fingerprint reports and evidence quote: lower-case hex SHA-256. */
static bool sha256_hex(const uint8_t *der, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return false;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return true;
}

/* The serial as a history of certificates keys it: lower-case hex, so the
 * same certificate reads the same whatever printed it. */
static void fill_serial(X509 *x, td_cert_info *out)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex) {
        snprintf(out->serial, sizeof out->serial, "%s", hex);
        for (char *c = out->serial; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    OPENSSL_free(hex);
    BN_free(bn);
}

int td_cert_info_from_x509(X509 *x, const uint8_t *der, size_t derlen, td_cert_info *out,
                           char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const X509_NAME *subj = X509_get_subject_name(x), *iss = X509_get_issuer_name(x);
    td_cert_dn(subj, out->subject, sizeof out->subject);
    td_cert_dn(iss, out->issuer, sizeof out->issuer);

    td_cert_cn(subj, out->cn, sizeof out->cn);

    if (asn1_time(X509_get0_notBefore(x), &out->not_before, out->not_before_iso,
                  sizeof out->not_before_iso) != 0) {
        snprintf(err, errlen, "notBefore is not a valid time");
        ERR_clear_error();
        return -1;
    }
    if (asn1_time(X509_get0_notAfter(x), &out->not_after, out->not_after_iso,
                  sizeof out->not_after_iso) != 0) {
        snprintf(err, errlen, "notAfter is not a valid time");
        ERR_clear_error();
        return -1;
    }

    fill_key(x, out);
    fill_sig(x, out);
    fill_sans(x, out);
    fill_aia(x, out);
    fill_serial(x, out);

    uint32_t ex = X509_get_extension_flags(x);
    out->is_ca = (ex & EXFLAG_CA) != 0;
    out->self_issued = X509_NAME_cmp(subj, iss) == 0;
    if (out->self_issued) {
        EVP_PKEY *pk = X509_get0_pubkey(x);
        /* RFC 5280 3.2 separates self-issued (names) from self-signed (the
         * key): a re-keyed CA's link certificate is the former only. */
        out->self_signed = pk && X509_verify(x, pk) == 1;
    }

    out->ku_present = (ex & EXFLAG_KUSAGE) != 0;
    if (out->ku_present) {
        uint32_t ku = X509_get_key_usage(x);
        out->ku_digital_signature = (ku & KU_DIGITAL_SIGNATURE) != 0;
        out->ku_key_encipherment = (ku & KU_KEY_ENCIPHERMENT) != 0;
        out->ku_key_agreement = (ku & KU_KEY_AGREEMENT) != 0;
        out->ku_cert_sign = (ku & KU_KEY_CERT_SIGN) != 0;
    }
    out->eku_present = (ex & EXFLAG_XKUSAGE) != 0;
    if (out->eku_present) {
        uint32_t xku = X509_get_extended_key_usage(x);
        out->eku_server_auth = (xku & XKU_SSL_SERVER) != 0;
        out->eku_any = (xku & XKU_ANYEKU) != 0;
    }

    if (!sha256_hex(der, derlen, out->sha256)) {
        snprintf(err, errlen, "cannot compute SHA-256");
        ERR_clear_error();
        return -1;
    }

    ERR_clear_error();
    return 0;
}

int td_cert_info_from_der(td_der d, td_cert_info *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    X509 *x = td_cert_d2i(d, err, errlen);
    if (!x)
        return -1;
    int rc = td_cert_info_from_x509(x, d.p, d.len, out, err, errlen);
    X509_free(x);
    return rc;
}

void td_cert_describe(const uint8_t *der, size_t len, td_cert_text *out)
{
    memset(out, 0, sizeof *out);
    sha256_hex(der, len, out->sha256);
    const unsigned char *p = der;
    X509 *x = len <= (size_t)LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (x) {
        out->parsed = true;
        int64_t secs;
        td_cert_dn_text(X509_get_subject_name(x), out->subject, sizeof out->subject);
        td_cert_dn_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
        asn1_time(X509_get0_notBefore(x), &secs, out->not_before, sizeof out->not_before);
        asn1_time(X509_get0_notAfter(x), &secs, out->not_after, sizeof out->not_after);
        X509_free(x);
    }
    ERR_clear_error();
}

/* ---- judgements on the facts ------------------------------------------- */

td_cert_time td_cert_check_time(const td_cert_info *ci, int64_t at, int64_t warn)
{
    /* RFC 5280 4.1.2.5: both ends of the validity period are inclusive. */
    if (at < ci->not_before)
        return TD_TIME_NOT_YET_VALID;
    if (at > ci->not_after)
        return TD_TIME_EXPIRED;
    if (warn > 0 && ci->not_after - at < warn)
        return TD_TIME_EXPIRING_SOON;
    return TD_TIME_VALID;
}

bool td_cert_key_small(const char *key_type, int key_bits)
{
    if (!strcmp(key_type, "RSA") || !strcmp(key_type, "RSA-PSS") || !strcmp(key_type, "DSA"))
        return key_bits < 2048;
    if (!strcmp(key_type, "EC"))
        return key_bits < 224;
    return false;
}

bool td_cert_key_too_small(const td_cert_info *ci, char *why, size_t whylen)
{
    bool small = td_cert_key_small(ci->key_type, ci->key_bits);
    if (why && whylen) {
        why[0] = '\0';
        if (small)
            snprintf(why, whylen, "%s %d bits (clients at OpenSSL security level 2 need %d)",
                     ci->key_type, ci->key_bits, strcmp(ci->key_type, "EC") ? 2048 : 224);
    }
    return small;
}

bool td_cert_server_purpose_ok(const td_cert_info *ci, char *why, size_t whylen)
{
    char dummy[1];
    if (!why || !whylen) {
        why = dummy;
        whylen = sizeof dummy;
    }
    why[0] = '\0';
    /* RFC 5280 4.2.1.3 with RFC 5246 7.4.2 / RFC 8446 4.4.2.2: a TLS server
     * key signs (ECDHE, TLS 1.3), decrypts the premaster (RSA key exchange)
     * or agrees a key (static ECDH); keyUsage must allow one of them. */
    if (ci->ku_present && !ci->ku_digital_signature && !ci->ku_key_encipherment &&
        !ci->ku_key_agreement) {
        snprintf(why, whylen,
                 "keyUsage allows none of digitalSignature, keyEncipherment, keyAgreement");
        return false;
    }
    /* RFC 5280 4.2.1.12: with the extension present the key may be used only
     * for the purposes listed; OpenSSL (and so curl, Python) wants
     * serverAuth itself and does not take anyExtendedKeyUsage for it. */
    if (ci->eku_present && !ci->eku_server_auth) {
        snprintf(why, whylen, "%s",
                 ci->eku_any ? "extendedKeyUsage has anyExtendedKeyUsage but not serverAuth "
                               "(OpenSSL-based clients refuse it)"
                             : "extendedKeyUsage does not include serverAuth");
        return false;
    }
    return true;
}
