/* Signature schemes: the IANA "TLS SignatureScheme" registry, plus the TLS 1.2
 * HashAlgorithm/SignatureAlgorithm pairs (RFC 5246 section 7.4.1.4.1) that
 * the 1.3 registry only reserves, because TLS 1.2 servers still list them in
 * CertificateRequest and sign ServerKeyExchange with them. */
#include <stdlib.h>

#include "registry/registry.h"

#include <stddef.h>

static const td_sigalg sigalgs[] = {
    { 0x0101, "rsa_pkcs1_md5", true },
    { 0x0102, "dsa_md5", true },
    { 0x0103, "ecdsa_md5", true },
    { 0x0201, "rsa_pkcs1_sha1", true },
    { 0x0202, "dsa_sha1", true },
    { 0x0203, "ecdsa_sha1", true },
    { 0x0301, "rsa_pkcs1_sha224", false },
    { 0x0302, "dsa_sha224", false },
    { 0x0303, "ecdsa_sha224", false },
    { 0x0401, "rsa_pkcs1_sha256", false },
    { 0x0402, "dsa_sha256", false },
    { 0x0403, "ecdsa_secp256r1_sha256", false },
    /* draft-ietf-tls-tls13-pkcs1: PKCS#1 v1.5 in TLS 1.3 CertificateVerify for
     * keys in hardware that cannot do PSS. */
    { 0x0420, "rsa_pkcs1_sha256_legacy", false },
    { 0x0501, "rsa_pkcs1_sha384", false },
    { 0x0502, "dsa_sha384", false },
    { 0x0503, "ecdsa_secp384r1_sha384", false },
    { 0x0520, "rsa_pkcs1_sha384_legacy", false },
    { 0x0601, "rsa_pkcs1_sha512", false },
    { 0x0602, "dsa_sha512", false },
    { 0x0603, "ecdsa_secp521r1_sha512", false },
    { 0x0620, "rsa_pkcs1_sha512_legacy", false },
    { 0x0704, "eccsi_sha256", false },
    { 0x0705, "iso_ibs1", false },
    { 0x0706, "iso_ibs2", false },
    { 0x0707, "iso_chinese_ibs", false },
    { 0x0708, "sm2sig_sm3", false },
    { 0x0709, "gostr34102012_256a", false },
    { 0x070A, "gostr34102012_256b", false },
    { 0x070B, "gostr34102012_256c", false },
    { 0x070C, "gostr34102012_256d", false },
    { 0x070D, "gostr34102012_512a", false },
    { 0x070E, "gostr34102012_512b", false },
    { 0x070F, "gostr34102012_512c", false },
    { 0x0804, "rsa_pss_rsae_sha256", false },
    { 0x0805, "rsa_pss_rsae_sha384", false },
    { 0x0806, "rsa_pss_rsae_sha512", false },
    { 0x0807, "ed25519", false },
    { 0x0808, "ed448", false },
    { 0x0809, "rsa_pss_pss_sha256", false },
    { 0x080A, "rsa_pss_pss_sha384", false },
    { 0x080B, "rsa_pss_pss_sha512", false },
    { 0x081A, "ecdsa_brainpoolP256r1tls13_sha256", false },
    { 0x081B, "ecdsa_brainpoolP384r1tls13_sha384", false },
    { 0x081C, "ecdsa_brainpoolP512r1tls13_sha512", false },
    /* ML-DSA (draft-ietf-tls-mldsa). */
    { 0x0904, "mldsa44", false },
    { 0x0905, "mldsa65", false },
    { 0x0906, "mldsa87", false },
};

size_t td_sigalg_count(void)
{
    return sizeof sigalgs / sizeof sigalgs[0];
}

const td_sigalg *td_sigalg_at(size_t i)
{
    return i < td_sigalg_count() ? &sigalgs[i] : NULL;
}

const td_sigalg *td_sigalg_by_id(uint16_t id)
{
    return bsearch(&id, sigalgs, td_sigalg_count(), sizeof sigalgs[0], td_registry_cmp_id);
}
