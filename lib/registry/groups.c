/* Supported groups (IANA "TLS Supported Groups", formerly "EC Named Curve").
 *
 * bits is the size that drives security decisions: the field size for
 * elliptic curves, the modulus for FFDHE, and for the post-quantum entries
 * the classical component of a hybrid (the ML-KEM part adds to it) or the
 * parameter set number of a pure ML-KEM group.
 *
 * deprecated follows RFC 8422 section 5.1.1, which deprecated every curve it
 * inherited except secp256r1/384r1/521r1 (values 1-22, so secp256k1 too) and
 * the explicit-curve values, plus the pre-standard Kyber draft code point
 * that browsers have since withdrawn. */
#include <stdlib.h>

#include "registry/registry.h"

#include <stdio.h>
#include <strings.h>

static const td_group groups[] = {
    { 1, "sect163k1", TD_GROUP_EC, 163, true },
    { 2, "sect163r1", TD_GROUP_EC, 163, true },
    { 3, "sect163r2", TD_GROUP_EC, 163, true },
    { 4, "sect193r1", TD_GROUP_EC, 193, true },
    { 5, "sect193r2", TD_GROUP_EC, 193, true },
    { 6, "sect233k1", TD_GROUP_EC, 233, true },
    { 7, "sect233r1", TD_GROUP_EC, 233, true },
    { 8, "sect239k1", TD_GROUP_EC, 239, true },
    { 9, "sect283k1", TD_GROUP_EC, 283, true },
    { 10, "sect283r1", TD_GROUP_EC, 283, true },
    { 11, "sect409k1", TD_GROUP_EC, 409, true },
    { 12, "sect409r1", TD_GROUP_EC, 409, true },
    { 13, "sect571k1", TD_GROUP_EC, 571, true },
    { 14, "sect571r1", TD_GROUP_EC, 571, true },
    { 15, "secp160k1", TD_GROUP_EC, 160, true },
    { 16, "secp160r1", TD_GROUP_EC, 160, true },
    { 17, "secp160r2", TD_GROUP_EC, 160, true },
    { 18, "secp192k1", TD_GROUP_EC, 192, true },
    { 19, "secp192r1", TD_GROUP_EC, 192, true },
    { 20, "secp224k1", TD_GROUP_EC, 224, true },
    { 21, "secp224r1", TD_GROUP_EC, 224, true },
    { 22, "secp256k1", TD_GROUP_EC, 256, true },
    { 23, "secp256r1", TD_GROUP_EC, 256, false },
    { 24, "secp384r1", TD_GROUP_EC, 384, false },
    { 25, "secp521r1", TD_GROUP_EC, 521, false },
    /* RFC 7027: TLS 1.2 only; TLS 1.3 uses 31-33 below. */
    { 26, "brainpoolP256r1", TD_GROUP_EC, 256, false },
    { 27, "brainpoolP384r1", TD_GROUP_EC, 384, false },
    { 28, "brainpoolP512r1", TD_GROUP_EC, 512, false },
    { 29, "x25519", TD_GROUP_ECX, 255, false },
    { 30, "x448", TD_GROUP_ECX, 448, false },
    { 31, "brainpoolP256r1tls13", TD_GROUP_EC, 256, false },
    { 32, "brainpoolP384r1tls13", TD_GROUP_EC, 384, false },
    { 33, "brainpoolP512r1tls13", TD_GROUP_EC, 512, false },
    /* RFC 9189: GOST R 34.10-2012 curves. */
    { 34, "GC256A", TD_GROUP_EC, 256, false },
    { 35, "GC256B", TD_GROUP_EC, 256, false },
    { 36, "GC256C", TD_GROUP_EC, 256, false },
    { 37, "GC256D", TD_GROUP_EC, 256, false },
    { 38, "GC512A", TD_GROUP_EC, 512, false },
    { 39, "GC512B", TD_GROUP_EC, 512, false },
    { 40, "GC512C", TD_GROUP_EC, 512, false },
    /* RFC 8998 */
    { 41, "curveSM2", TD_GROUP_EC, 256, false },
    /* RFC 7919 */
    { 256, "ffdhe2048", TD_GROUP_FFDHE, 2048, false },
    { 257, "ffdhe3072", TD_GROUP_FFDHE, 3072, false },
    { 258, "ffdhe4096", TD_GROUP_FFDHE, 4096, false },
    { 259, "ffdhe6144", TD_GROUP_FFDHE, 6144, false },
    { 260, "ffdhe8192", TD_GROUP_FFDHE, 8192, false },
    /* Pure ML-KEM (draft-connolly-tls-mlkem-key-agreement). */
    { 0x0200, "MLKEM512", TD_GROUP_OTHER, 512, false },
    { 0x0201, "MLKEM768", TD_GROUP_OTHER, 768, false },
    { 0x0202, "MLKEM1024", TD_GROUP_OTHER, 1024, false },
    /* Hybrids (draft-ietf-tls-ecdhe-mlkem, draft-yang-tls-hybrid-sm2-mlkem). */
    { 0x11EB, "SecP256r1MLKEM768", TD_GROUP_HYBRID, 256, false },
    { 0x11EC, "X25519MLKEM768", TD_GROUP_HYBRID, 255, false },
    { 0x11ED, "SecP384r1MLKEM1024", TD_GROUP_HYBRID, 384, false },
    { 0x11EE, "curveSM2MLKEM768", TD_GROUP_HYBRID, 256, false },
    /* Pre-standard Kyber hybrids, sent by browsers before X25519MLKEM768. */
    { 0x6399, "X25519Kyber768Draft00", TD_GROUP_HYBRID, 255, true },
    { 0x639A, "SecP256r1Kyber768Draft00", TD_GROUP_HYBRID, 256, true },
    /* RFC 8422 deprecated these along with the small curves. */
    { 0xFF01, "arbitrary_explicit_prime_curves", TD_GROUP_OTHER, 0, true },
    { 0xFF02, "arbitrary_explicit_char2_curves", TD_GROUP_OTHER, 0, true },
};

size_t td_group_count(void)
{
    return sizeof groups / sizeof groups[0];
}

const td_group *td_group_at(size_t i)
{
    return i < td_group_count() ? &groups[i] : NULL;
}

const td_group *td_group_by_id(uint16_t id)
{
    return bsearch(&id, groups, td_group_count(), sizeof groups[0], td_registry_cmp_id);
}

const td_group *td_group_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < td_group_count(); i++)
        if (strcasecmp(groups[i].name, name) == 0)
            return &groups[i];
    /* The names OpenSSL and most configs use for the three NIST curves. */
    static const struct { const char *alias; uint16_t id; } alias[] = {
        { "P-256", 23 }, { "prime256v1", 23 }, { "P-384", 24 }, { "P-521", 25 },
    };
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcasecmp(alias[i].alias, name) == 0)
            return td_group_by_id(alias[i].id);
    return NULL;
}
