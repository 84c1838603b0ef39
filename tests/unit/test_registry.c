/* Registry tables: ordering (lookups binary-search), completeness, and the
 * classifications the findings depend on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <strings.h>

#include "registry/registry.h"
#include "wire/tls.h"

static void suites_sorted_unique(void **state)
{
    (void)state;
    for (size_t i = 1; i < td_suite_count(); i++)
        assert_true(td_suite_at(i - 1)->id < td_suite_at(i)->id);
    assert_null(td_suite_at(td_suite_count()));
}

static void suite_names_unique(void **state)
{
    (void)state;
    size_t n = td_suite_count();
    for (size_t i = 0; i < n; i++) {
        const td_suite *a = td_suite_at(i);
        for (size_t j = i + 1; j < n; j++) {
            const td_suite *b = td_suite_at(j);
            assert_int_not_equal(strcasecmp(a->iana, b->iana), 0);
            if (a->openssl && b->openssl)
                assert_int_not_equal(strcasecmp(a->openssl, b->openssl), 0);
        }
    }
}

static bool known_version(uint16_t v)
{
    return v == TD_SSL3 || v == TD_TLS10 || v == TD_TLS11 || v == TD_TLS12 || v == TD_TLS13;
}

static void suites_sane(void **state)
{
    (void)state;
    for (size_t i = 0; i < td_suite_count(); i++) {
        const td_suite *s = td_suite_at(i);
        assert_non_null(s->iana);
        assert_non_null(s->cipher);
        assert_non_null(s->mac);
        assert_true(known_version(s->min_version));
        assert_true(s->max_version == TD_TLS12 || s->max_version == TD_TLS13);
        assert_true(s->min_version <= s->max_version);
        /* A suite is either 1.3-only or pre-1.3; none spans both. */
        assert_int_equal(s->min_version == TD_TLS13, s->max_version == TD_TLS13);
        assert_int_equal(s->kx == TD_KX_TLS13, s->min_version == TD_TLS13);
        assert_int_equal(s->cls == TD_CLASS_NULL, strcmp(s->cipher, "NULL") == 0);
        assert_int_equal(s->cls == TD_CLASS_NULL, s->bits == 0);
        if (s->cls == TD_CLASS_AEAD)
            assert_string_equal(s->mac, "AEAD");
        if (s->cls == TD_CLASS_EXPORT)
            assert_in_range(s->bits, 40, 56);
        if (s->auth == TD_AU_NONE && s->cls != TD_CLASS_NULL)
            assert_int_equal(s->cls, TD_CLASS_ANON);
        if (strcmp(s->mac, "AEAD") == 0 && s->kx != TD_KX_TLS13)
            assert_int_equal(s->min_version, TD_TLS12);
        assert_true(td_suite_by_id(s->id) == s);
    }
}

static void suite_spot_checks(void **state)
{
    (void)state;
    const td_suite *s;

    s = td_suite_by_id(0x0000);
    assert_non_null(s);
    assert_string_equal(s->iana, "TLS_NULL_WITH_NULL_NULL");
    assert_int_equal(s->cls, TD_CLASS_NULL);

    s = td_suite_by_id(0x0003);
    assert_string_equal(s->openssl, "EXP-RC4-MD5");
    assert_int_equal(s->cls, TD_CLASS_EXPORT);
    assert_int_equal(s->kx, TD_KX_RSA_EXPORT);
    assert_int_equal(s->bits, 40);

    s = td_suite_by_id(0x0005);
    assert_string_equal(s->iana, "TLS_RSA_WITH_RC4_128_SHA");
    assert_string_equal(s->openssl, "RC4-SHA");
    assert_int_equal(s->cls, TD_CLASS_RC4);
    assert_true(td_suite_weak(s));

    s = td_suite_by_id(0x0009);
    assert_int_equal(s->cls, TD_CLASS_DES);

    s = td_suite_by_id(0x000A);
    assert_string_equal(s->openssl, "DES-CBC3-SHA");
    assert_int_equal(s->cls, TD_CLASS_3DES);
    assert_true(td_suite_weak(s));
    assert_false(td_suite_fs(s));

    s = td_suite_by_id(0x0018); /* anonymous wins over RC4 */
    assert_int_equal(s->cls, TD_CLASS_ANON);
    s = td_suite_by_id(0x0017); /* ... and over EXPORT */
    assert_int_equal(s->cls, TD_CLASS_ANON);
    s = td_suite_by_id(0xC015); /* NULL wins over anonymous */
    assert_int_equal(s->cls, TD_CLASS_NULL);

    s = td_suite_by_id(0x002F);
    assert_string_equal(s->openssl, "AES128-SHA");
    assert_int_equal(s->cls, TD_CLASS_CBC);
    assert_false(td_suite_fs(s));
    assert_false(td_suite_weak(s));
    assert_int_equal(s->min_version, TD_SSL3);
    assert_int_equal(s->max_version, TD_TLS12);

    s = td_suite_by_id(0x0062);
    assert_string_equal(s->openssl, "EXP1024-DES-CBC-SHA");
    assert_int_equal(s->cls, TD_CLASS_EXPORT);
    assert_int_equal(s->bits, 56);

    s = td_suite_by_id(0xC02F);
    assert_string_equal(s->iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(s->openssl, "ECDHE-RSA-AES128-GCM-SHA256");
    assert_int_equal(s->min_version, TD_TLS12);

    s = td_suite_by_id(0xC030);
    assert_int_equal(s->cls, TD_CLASS_AEAD);
    assert_true(td_suite_fs(s));
    assert_false(td_suite_weak(s));
    assert_int_equal(s->kx, TD_KX_ECDHE);
    assert_int_equal(s->auth, TD_AU_RSA);
    assert_int_equal(s->bits, 256);

    s = td_suite_by_id(0xCCA8);
    assert_string_equal(s->openssl, "ECDHE-RSA-CHACHA20-POLY1305");
    assert_int_equal(s->cls, TD_CLASS_AEAD);

    s = td_suite_by_id(0x1301);
    assert_string_equal(s->iana, "TLS_AES_128_GCM_SHA256");
    assert_string_equal(s->openssl, "TLS_AES_128_GCM_SHA256");
    assert_int_equal(s->min_version, TD_TLS13);
    assert_int_equal(s->max_version, TD_TLS13);
    assert_int_equal(s->kx, TD_KX_TLS13);
    assert_true(td_suite_fs(s));

    for (uint16_t id = 0x1301; id <= 0x1305; id++)
        assert_non_null(td_suite_by_id(id));
    for (uint16_t id = 0xCCA8; id <= 0xCCAE; id++)
        assert_non_null(td_suite_by_id(id));
    for (uint16_t id = 0xC001; id <= 0xC0B5; id++)
        assert_non_null(td_suite_by_id(id));
    for (uint16_t id = 0xC100; id <= 0xC106; id++)
        assert_non_null(td_suite_by_id(id));
    for (uint16_t id = 0x0084; id <= 0x00C7; id++)
        assert_non_null(td_suite_by_id(id));
}

static void suite_unknown(void **state)
{
    (void)state;
    assert_null(td_suite_by_id(0x00FF)); /* SCSV, not a suite */
    assert_null(td_suite_by_id(0x5600));
    assert_null(td_suite_by_id(0x0A0A)); /* GREASE */
    assert_null(td_suite_by_id(0xD004));
    assert_null(td_suite_by_id(0xFFFF));
    assert_null(td_suite_by_name("TLS_NOT_A_SUITE"));
    assert_null(td_suite_by_name(""));
    assert_null(td_suite_by_name(NULL));

    char buf[64];
    assert_string_equal(td_suite_label(0x5600, buf, sizeof buf), "unknown (0x5600)");
    assert_string_equal(td_suite_label(0xC02F, buf, sizeof buf),
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xC02F)");
    char small[8];
    assert_int_equal(strlen(td_suite_label(0xC02F, small, sizeof small)), sizeof small - 1);
    assert_string_equal(td_suite_label(0xC02F, NULL, 0), "");
}

static void suite_by_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < td_suite_count(); i++) {
        const td_suite *s = td_suite_at(i);
        assert_true(td_suite_by_name(s->iana) == s);
        if (s->openssl)
            assert_true(td_suite_by_name(s->openssl) == s);
    }
    assert_int_equal(td_suite_by_name("ecdhe-rsa-aes128-gcm-sha256")->id, 0xC02F);
    assert_int_equal(td_suite_by_name("tls_rsa_with_3des_ede_cbc_sha")->id, 0x000A);
    assert_int_equal(td_suite_by_name("SSL_RSA_WITH_RC4_128_MD5")->id, 0x0004);
    assert_int_equal(td_suite_by_name("EDH-RSA-DES-CBC3-SHA")->id, 0x0016);
    assert_int_equal(td_suite_by_name("DHE-RSA-DES-CBC-SHA")->id, 0x0015);
}

static void suite_names(void **state)
{
    (void)state;
    assert_string_equal(td_suite_class_name(TD_CLASS_NULL), "NULL");
    assert_string_equal(td_suite_class_name(TD_CLASS_ANON), "anon");
    assert_string_equal(td_suite_class_name(TD_CLASS_3DES), "3DES");
    assert_string_equal(td_suite_class_name(TD_CLASS_AEAD), "AEAD");
    assert_string_equal(td_kx_name(TD_KX_ECDHE), "ECDHE");
    assert_string_equal(td_auth_name(TD_AU_NONE), "anon");
    assert_string_equal(td_auth_name(TD_AU_ECDSA), "ECDSA");
    assert_false(td_suite_weak(NULL));
    assert_false(td_suite_fs(NULL));
}

static void v2_specs(void **state)
{
    (void)state;
    assert_int_equal(td_v2spec_count(), 7);
    const td_v2spec *v = td_v2spec_by_id(0x010080);
    assert_string_equal(v->name, "SSL_CK_RC4_128_WITH_MD5");
    assert_int_equal(v->cls, TD_CLASS_RC4);
    assert_int_equal(td_v2spec_by_id(0x020080)->cls, TD_CLASS_EXPORT);
    assert_int_equal(td_v2spec_by_id(0x040080)->cls, TD_CLASS_EXPORT);
    assert_int_equal(td_v2spec_by_id(0x060040)->cls, TD_CLASS_DES);
    assert_int_equal(td_v2spec_by_id(0x0700C0)->cls, TD_CLASS_3DES);
    assert_null(td_v2spec_by_id(0x080080));
    assert_null(td_v2spec_at(7));
    for (size_t i = 0; i < td_v2spec_count(); i++)
        assert_true(td_v2spec_at(i)->cls <= TD_CLASS_CBC);
}

static void groups_table(void **state)
{
    (void)state;
    assert_true(td_group_count() >= 40);
    for (size_t i = 1; i < td_group_count(); i++)
        assert_true(td_group_at(i - 1)->id < td_group_at(i)->id);
    for (size_t i = 0; i < td_group_count(); i++) {
        const td_group *g = td_group_at(i);
        assert_true(td_group_by_id(g->id) == g);
        assert_true(td_group_by_name(g->name) == g);
    }
    const td_group *g = td_group_by_id(29);
    assert_string_equal(g->name, "x25519");
    assert_int_equal(g->kind, TD_GROUP_ECX);
    assert_false(g->deprecated);
    assert_int_equal(td_group_by_id(23)->bits, 256);
    assert_false(td_group_by_id(23)->deprecated);
    assert_true(td_group_by_id(1)->deprecated);   /* sect163k1 */
    assert_true(td_group_by_id(21)->deprecated);  /* secp224r1 */
    assert_int_equal(td_group_by_id(256)->kind, TD_GROUP_FFDHE);
    assert_int_equal(td_group_by_id(256)->bits, 2048);
    assert_string_equal(td_group_by_id(0x11EC)->name, "X25519MLKEM768");
    assert_int_equal(td_group_by_id(0x11EC)->kind, TD_GROUP_HYBRID);
    assert_non_null(td_group_by_id(0x11EB));
    assert_non_null(td_group_by_id(0x11ED));
    assert_non_null(td_group_by_id(0x6399));
    assert_non_null(td_group_by_id(0xFF01));
    assert_non_null(td_group_by_id(0xFF02));
    for (uint16_t id = 1; id <= 41; id++)
        assert_non_null(td_group_by_id(id));
    assert_null(td_group_by_id(0));
    assert_null(td_group_by_id(0x0A0A));
    assert_int_equal(td_group_by_name("X25519")->id, 29);
    assert_int_equal(td_group_by_name("prime256v1")->id, 23);
    assert_null(td_group_by_name("nope"));

    char buf[64];
    assert_string_equal(td_group_label(29, buf, sizeof buf), "x25519 (0x001D)");
    assert_string_equal(td_group_label(0x0A0A, buf, sizeof buf), "unknown (0x0A0A)");
}

static void sigalgs_table(void **state)
{
    (void)state;
    assert_true(td_sigalg_count() >= 25);
    for (size_t i = 1; i < td_sigalg_count(); i++)
        assert_true(td_sigalg_at(i - 1)->id < td_sigalg_at(i)->id);
    for (size_t i = 0; i < td_sigalg_count(); i++) {
        const td_sigalg *a = td_sigalg_at(i);
        assert_true(td_sigalg_by_id(a->id) == a);
        /* Hash byte 1 is MD5, 2 is SHA-1 in the TLS 1.2 encoding. */
        uint8_t hash = (uint8_t)(a->id >> 8);
        assert_int_equal(a->weak, hash == 1 || hash == 2);
    }
    assert_string_equal(td_sigalg_by_id(0x0401)->name, "rsa_pkcs1_sha256");
    assert_string_equal(td_sigalg_by_id(0x0804)->name, "rsa_pss_rsae_sha256");
    assert_string_equal(td_sigalg_by_id(0x0807)->name, "ed25519");
    assert_string_equal(td_sigalg_by_id(0x0808)->name, "ed448");
    assert_true(td_sigalg_by_id(0x0201)->weak);
    assert_true(td_sigalg_by_id(0x0203)->weak);
    assert_true(td_sigalg_by_id(0x0101)->weak);
    assert_false(td_sigalg_by_id(0x0403)->weak);
    assert_non_null(td_sigalg_by_id(0x081A));
    assert_non_null(td_sigalg_by_id(0x081C));
    assert_null(td_sigalg_by_id(0x0000));
    assert_null(td_sigalg_by_id(0xFFFF));
}

static void alerts_table(void **state)
{
    (void)state;
    assert_true(td_alert_count() >= 30);
    static const uint8_t codes[] = { 0,  10,  20,  21,  22,  30,  40,  41,  42,  43,  44,  45,
                                     46, 47,  48,  49,  50,  51,  60,  70,  71,  80,  86,  90,
                                     100, 109, 110, 111, 112, 113, 114, 115, 116, 120, 121 };
    for (size_t i = 0; i < sizeof codes; i++) {
        const td_alert *a = td_alert_by_code(codes[i]);
        assert_non_null(a);
        assert_true(strlen(a->name) > 0);
        assert_true(strncmp(a->rfc, "RFC ", 4) == 0 || strncmp(a->rfc, "draft-", 6) == 0);
        assert_true(strlen(a->meaning) > 20);
        assert_true(td_alert_by_name(a->name) == a);
    }
    assert_string_equal(td_alert_by_code(40)->name, "handshake_failure");
    assert_string_equal(td_alert_by_code(70)->name, "protocol_version");
    assert_string_equal(td_alert_name(40, "?"), "handshake_failure");
    assert_string_equal(td_alert_name(200, "unassigned"), "unassigned");
    assert_string_equal(td_alert_name(-1, "none"), "none");
    assert_string_equal(td_alert_name(256, "none"), "none");
    assert_string_equal(td_alert_by_code(112)->name, "unrecognized_name");
    assert_int_equal(td_alert_by_name("HANDSHAKE_FAILURE")->code, 40);
    assert_null(td_alert_by_code(255));
    assert_null(td_alert_by_name("no_such_alert"));
    assert_null(td_alert_by_name(NULL));
}

/* The named constants of wire/tls.h and the tables agree: every alert the
 * IANA registry assigns has its constant, and each constant its name. */
static void constants_match_tables(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name;
    } alerts[] = {
        { TD_ALERT_CLOSE_NOTIFY, "close_notify" },
        { TD_ALERT_UNEXPECTED_MESSAGE, "unexpected_message" },
        { TD_ALERT_BAD_RECORD_MAC, "bad_record_mac" },
        { TD_ALERT_DECRYPTION_FAILED, "decryption_failed" },
        { TD_ALERT_RECORD_OVERFLOW, "record_overflow" },
        { TD_ALERT_DECOMPRESSION_FAILURE, "decompression_failure" },
        { TD_ALERT_HANDSHAKE_FAILURE, "handshake_failure" },
        { TD_ALERT_NO_CERTIFICATE, "no_certificate" },
        { TD_ALERT_BAD_CERTIFICATE, "bad_certificate" },
        { TD_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate" },
        { TD_ALERT_CERTIFICATE_REVOKED, "certificate_revoked" },
        { TD_ALERT_CERTIFICATE_EXPIRED, "certificate_expired" },
        { TD_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown" },
        { TD_ALERT_ILLEGAL_PARAMETER, "illegal_parameter" },
        { TD_ALERT_UNKNOWN_CA, "unknown_ca" },
        { TD_ALERT_ACCESS_DENIED, "access_denied" },
        { TD_ALERT_DECODE_ERROR, "decode_error" },
        { TD_ALERT_DECRYPT_ERROR, "decrypt_error" },
        { TD_ALERT_TOO_MANY_CIDS_REQUESTED, "too_many_cids_requested" },
        { TD_ALERT_EXPORT_RESTRICTION, "export_restriction" },
        { TD_ALERT_PROTOCOL_VERSION, "protocol_version" },
        { TD_ALERT_INSUFFICIENT_SECURITY, "insufficient_security" },
        { TD_ALERT_INTERNAL_ERROR, "internal_error" },
        { TD_ALERT_INAPPROPRIATE_FALLBACK, "inappropriate_fallback" },
        { TD_ALERT_USER_CANCELED, "user_canceled" },
        { TD_ALERT_NO_RENEGOTIATION, "no_renegotiation" },
        { TD_ALERT_MISSING_EXTENSION, "missing_extension" },
        { TD_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension" },
        { TD_ALERT_CERTIFICATE_UNOBTAINABLE, "certificate_unobtainable" },
        { TD_ALERT_UNRECOGNIZED_NAME, "unrecognized_name" },
        { TD_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, "bad_certificate_status_response" },
        { TD_ALERT_BAD_CERTIFICATE_HASH_VALUE, "bad_certificate_hash_value" },
        { TD_ALERT_UNKNOWN_PSK_IDENTITY, "unknown_psk_identity" },
        { TD_ALERT_CERTIFICATE_REQUIRED, "certificate_required" },
        { TD_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol" },
        { TD_ALERT_ECH_REQUIRED, "ech_required" },
    }, groups[] = {
        { TD_GROUP_SECP256R1, "secp256r1" },
        { TD_GROUP_SECP384R1, "secp384r1" },
        { TD_GROUP_SECP521R1, "secp521r1" },
        { TD_GROUP_X25519, "x25519" },
        { TD_GROUP_X448, "x448" },
        { TD_GROUP_BRAINPOOLP256R1TLS13, "brainpoolP256r1tls13" },
        { TD_GROUP_BRAINPOOLP384R1TLS13, "brainpoolP384r1tls13" },
        { TD_GROUP_BRAINPOOLP512R1TLS13, "brainpoolP512r1tls13" },
        { TD_GROUP_FFDHE2048, "ffdhe2048" },
        { TD_GROUP_FFDHE3072, "ffdhe3072" },
        { TD_GROUP_FFDHE4096, "ffdhe4096" },
        { TD_GROUP_FFDHE6144, "ffdhe6144" },
        { TD_GROUP_FFDHE8192, "ffdhe8192" },
        { TD_GROUP_SECP256R1MLKEM768, "SecP256r1MLKEM768" },
        { TD_GROUP_X25519MLKEM768, "X25519MLKEM768" },
        { TD_GROUP_SECP384R1MLKEM1024, "SecP384r1MLKEM1024" },
    };
    assert_int_equal(sizeof alerts / sizeof alerts[0], td_alert_count());
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
        assert_string_equal(td_alert_name(alerts[i].code, "?"), alerts[i].name);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        const td_group *g = td_group_by_id((uint16_t)groups[i].code);
        assert_non_null(g);
        assert_string_equal(g->name, groups[i].name);
    }
}

static void counts(void **state)
{
    (void)state;
    assert_true(td_suite_count() > 300);
    assert_true(td_alert_count() >= 30);
    assert_true(td_group_count() >= 40);
    assert_true(td_sigalg_count() >= 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(suites_sorted_unique),
        cmocka_unit_test(suite_names_unique),
        cmocka_unit_test(suites_sane),
        cmocka_unit_test(suite_spot_checks),
        cmocka_unit_test(suite_unknown),
        cmocka_unit_test(suite_by_name),
        cmocka_unit_test(suite_names),
        cmocka_unit_test(v2_specs),
        cmocka_unit_test(groups_table),
        cmocka_unit_test(sigalgs_table),
        cmocka_unit_test(alerts_table),
        cmocka_unit_test(constants_match_tables),
        cmocka_unit_test(counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
