/* Display names and the derived properties reports and rules ask about. */
#include "registry/registry.h"

#include <stdio.h>

bool td_suite_weak(const td_suite *s)
{
    return s && s->cls <= TD_CLASS_3DES;
}

bool td_suite_fs(const td_suite *s)
{
    if (!s)
        return false;
    switch (s->kx) {
    case TD_KX_DHE:
    case TD_KX_ECDHE:
    case TD_KX_DHE_PSK:
    case TD_KX_ECDHE_PSK:
    case TD_KX_TLS13:
        return true;
    default:
        return false;
    }
}

const char *td_suite_class_name(td_suite_class c)
{
    switch (c) {
    case TD_CLASS_NULL: return "NULL";
    case TD_CLASS_ANON: return "anon";
    case TD_CLASS_EXPORT: return "EXPORT";
    case TD_CLASS_DES: return "DES";
    case TD_CLASS_RC4: return "RC4";
    case TD_CLASS_3DES: return "3DES";
    case TD_CLASS_CBC: return "CBC";
    case TD_CLASS_AEAD: return "AEAD";
    }
    return "?";
}

const char *td_kx_name(td_kx k)
{
    switch (k) {
    case TD_KX_NULL: return "NULL";
    case TD_KX_RSA: return "RSA";
    case TD_KX_RSA_EXPORT: return "RSA_EXPORT";
    case TD_KX_DH: return "DH";
    case TD_KX_DHE: return "DHE";
    case TD_KX_ECDH: return "ECDH";
    case TD_KX_ECDHE: return "ECDHE";
    case TD_KX_PSK: return "PSK";
    case TD_KX_DHE_PSK: return "DHE_PSK";
    case TD_KX_RSA_PSK: return "RSA_PSK";
    case TD_KX_ECDHE_PSK: return "ECDHE_PSK";
    case TD_KX_SRP: return "SRP";
    case TD_KX_KRB5: return "KRB5";
    case TD_KX_GOST: return "GOST";
    case TD_KX_ECCPWD: return "ECCPWD";
    /* TLS 1.3 suites do not fix the key exchange; key_share does. */
    case TD_KX_TLS13: return "any (TLS 1.3)";
    }
    return "?";
}

const char *td_auth_name(td_auth a)
{
    switch (a) {
    case TD_AU_NONE: return "anon";
    case TD_AU_RSA: return "RSA";
    case TD_AU_DSS: return "DSS";
    case TD_AU_ECDSA: return "ECDSA";
    case TD_AU_PSK: return "PSK";
    case TD_AU_KRB5: return "KRB5";
    case TD_AU_SRP: return "SRP";
    case TD_AU_GOST: return "GOST";
    case TD_AU_ECCPWD: return "ECCPWD";
    case TD_AU_TLS13: return "any (TLS 1.3)";
    }
    return "?";
}

const char *td_suite_label(uint16_t id, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    const td_suite *s = td_suite_by_id(id);
    snprintf(buf, len, "%s (0x%04X)", s ? s->iana : "unknown", (unsigned)id);
    return buf;
}

const char *td_group_label(uint16_t id, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    const td_group *g = td_group_by_id(id);
    snprintf(buf, len, "%s (0x%04X)", g ? g->name : "unknown", (unsigned)id);
    return buf;
}

int td_registry_cmp_id(const void *key, const void *entry)
{
    /* Each table's entry starts with its uint16_t id (C11 6.7.2.1p15: a
     * pointer to a structure points to its first member). */
    uint16_t k = *(const uint16_t *)key, e = *(const uint16_t *)entry;
    return (k > e) - (k < e);
}

const char *td_name_or_code(const char *name, uint16_t code, char *buf, size_t cap)
{
    if (name)
        return name;
    snprintf(buf, cap, "unknown (0x%04x)", (unsigned)code);
    return buf;
}

/* The IANA TLS ExtensionType Values a client commonly sends. */
const char *td_ext_label(uint16_t type, char *buf, size_t len)
{
    static const struct {
        uint16_t type;
        const char *name;
    } names[] = {
        { 0, "server_name" }, { 5, "status_request" }, { 10, "supported_groups" },
        { 11, "ec_point_formats" }, { 13, "signature_algorithms" }, { 16, "application_layer_protocol_negotiation" },
        { 18, "signed_certificate_timestamp" }, { 21, "padding" }, { 22, "encrypt_then_mac" },
        { 23, "extended_master_secret" }, { 27, "compress_certificate" }, { 28, "record_size_limit" },
        { 35, "session_ticket" }, { 41, "pre_shared_key" }, { 42, "early_data" },
        { 43, "supported_versions" }, { 45, "psk_key_exchange_modes" }, { 49, "post_handshake_auth" },
        { 50, "signature_algorithms_cert" }, { 51, "key_share" }, { 0xff01, "renegotiation_info" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].type == type) {
            snprintf(buf, len, "%s (0x%04x)", names[i].name, type);
            return buf;
        }
    snprintf(buf, len, "extension 0x%04x", type);
    return buf;
}
