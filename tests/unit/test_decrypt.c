/* Unit tests for TLS 1.3 decryption with logged secrets (lib/wire/keylog.c,
 * lib/wire/decrypt.c): RFC 8448 section 3, the simple 1-RTT handshake, its
 * secrets and its records; other AEADs by round trip; wrong secrets and
 * tampered records must fail authentication. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hexkit.h"
#include "wire/decrypt.h"
#include "wire/keylog.h"
#include "wire/tls.h"

/* RFC 8448 section 3: ClientHello.random and the traffic secrets. */
#define CLIENT_RANDOM "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"
#define C_HS "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
#define S_HS "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
#define C_AP "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
#define S_AP "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"

/* RFC 8448 section 3: the protected records ("complete record") and the
 * server's handshake plaintext ("payload"). */
static const char server_flight_record[] =
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca"
    "07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b"
    "d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c"
    "7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092"
    "8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8"
    "9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f"
    "4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a3"
    "6ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e"
    "1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052c"
    "f93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe"
    "5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb"
    "5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038"
    "ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd50278"
    "4016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e"
    "750edc53370d2b";

static const char server_flight[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c00024001000000000b0001b9000001b5"
    "0001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a0603550403130372"
    "7361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372"
    "736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c"
    "0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0cc"
    "b0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a"
    "8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0"
    "300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594"
    "365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1"
    "fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4"
    "2b4de100000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc"
    "90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671"
    "459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3140000"
    "209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

static const char ticket_record[] =
    "17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a"
    "015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e0"
    "9c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77"
    "f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74"
    "bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f";

static const char client_fin_record[] =
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1c"
    "aeacab6867d726c40546";

static const char client_data_record[] =
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b"
    "62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";

static const char server_data_record[] =
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8"
    "fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";

static const char client_alert_record[] =
    "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";

static const char server_alert_record[] =
    "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";

/* The application data both sides send: bytes 0x00 to 0x31. */
static const char app_payload[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                  "202122232425262728292a2b2c2d2e2f3031";

static uint8_t REC[4096], WANT[4096];

static void expect_key(const char *secret, const char *key, const char *iv)
{
    uint8_t s[32], k[16], v[12];
    unhex(secret, s, sizeof s);
    unhex(key, k, sizeof k);
    unhex(iv, v, sizeof v);
    td_tls13_keys keys;
    assert_int_equal(td_tls13_keys_init(&keys, 0x1301, s, sizeof s), 0);
    assert_int_equal(keys.key_len, 16);
    assert_memory_equal(keys.key, k, 16);
    assert_memory_equal(keys.iv, v, 12);
}

/* RFC 8448 section 3: "derive write traffic keys" for each secret. */
static void test_key_derivation(void **state)
{
    (void)state;
    expect_key(S_HS, "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30");
    expect_key(C_HS, "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f");
    expect_key(S_AP, "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984");
    expect_key(C_AP, "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9");
    uint8_t s[48] = {0};
    td_tls13_keys keys;
    assert_int_equal(td_tls13_keys_init(&keys, 0x1301, s, 48), -1); /* SHA-256 suite, 48-byte secret */
    assert_int_equal(td_tls13_keys_init(&keys, 0x1302, s, 32), -1);
    assert_int_equal(td_tls13_keys_init(&keys, 0x1302, s, 48), 0);
    assert_int_equal(td_tls13_keys_init(&keys, 0xc02f, s, 32), -1); /* a TLS 1.2 suite */
}

static td_keylog KL;

static void load_keylog(const char *s_hs)
{
    char text[1024];
    snprintf(text, sizeof text,
             "# SSL/TLS secrets log file, generated by a test\n"
             "\n"
             "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CLIENT_RANDOM " " C_HS "\r\n"
             "SERVER_HANDSHAKE_TRAFFIC_SECRET " CLIENT_RANDOM " %s\n"
             "CLIENT_TRAFFIC_SECRET_0 " CLIENT_RANDOM " " C_AP "\n"
             "SERVER_TRAFFIC_SECRET_0 " CLIENT_RANDOM " " S_AP,
             s_hs);
    td_keylog_free(&KL);
    assert_int_equal(td_keylog_add(&KL, text, strlen(text)), 4);
    assert_int_equal(KL.bad_lines, 0);
}

static void client_random(uint8_t cr[32])
{
    unhex(CLIENT_RANDOM, cr, 32);
}

static td_dec_status feed(td_tls13_dir *d, const char *record_hex)
{
    size_t n = unhex(record_hex, REC, sizeof REC);
    return td_tls13_dir_record(d, REC, n);
}

static void expect_plain(const td_tls13_dir *d, uint8_t type, const char *hex)
{
    size_t n = unhex(hex, WANT, sizeof WANT);
    assert_int_equal(d->plain_type, type);
    assert_int_equal(d->plain_len, n);
    assert_memory_equal(d->plain, WANT, n);
}

/* The server's side: EncryptedExtensions, Certificate, CertificateVerify
 * and Finished in one record under the handshake keys, then the
 * NewSessionTicket, the data and the close_notify under the application
 * keys. */
static void test_rfc8448_server(void **state)
{
    (void)state;
    static const uint8_t types[] = {TD_HS_ENCRYPTED_EXT, TD_HS_CERTIFICATE, 15, 20};
    uint8_t cr[32];
    td_tls13_dir d;
    load_keylog(S_HS);
    client_random(cr);
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, true), 0);
    assert_int_equal(feed(&d, server_flight_record), TD_DEC_OK);
    assert_int_equal(d.plain_type, TD_CT_HANDSHAKE);
    assert_true(d.application);

    size_t want_len = unhex(server_flight, WANT, sizeof WANT), at = 0;
    uint8_t type;
    td_rd msg;
    for (size_t i = 0; i < sizeof types; i++) {
        assert_true(td_tls13_dir_next(&d, &type, &msg));
        assert_int_equal(type, types[i]);
        assert_memory_equal(td_rd_ptr(&msg), WANT + at, td_rd_left(&msg));
        at += td_rd_left(&msg);
    }
    assert_int_equal(at, want_len);
    assert_false(td_tls13_dir_next(&d, &type, &msg));

    assert_int_equal(feed(&d, ticket_record), TD_DEC_OK);
    assert_true(td_tls13_dir_next(&d, &type, &msg));
    assert_int_equal(type, TD_HS_NEW_SESSION_TICKET);
    assert_int_equal(td_rd_left(&msg), 205);
    assert_int_equal(feed(&d, server_data_record), TD_DEC_OK);
    expect_plain(&d, TD_CT_APPDATA, app_payload);
    assert_int_equal(feed(&d, server_alert_record), TD_DEC_OK);
    expect_plain(&d, TD_CT_ALERT, "0100"); /* warning close_notify */
    td_tls13_dir_free(&d);
}

static void test_rfc8448_client(void **state)
{
    (void)state;
    uint8_t cr[32], type;
    td_rd msg;
    td_tls13_dir d;
    load_keylog(S_HS);
    client_random(cr);
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, false), 0);
    assert_int_equal(feed(&d, client_fin_record), TD_DEC_OK);
    assert_true(td_tls13_dir_next(&d, &type, &msg));
    assert_int_equal(type, 20);
    assert_int_equal(td_rd_left(&msg), 36);
    assert_int_equal(feed(&d, client_data_record), TD_DEC_OK);
    expect_plain(&d, TD_CT_APPDATA, app_payload);
    assert_int_equal(feed(&d, client_alert_record), TD_DEC_OK);
    expect_plain(&d, TD_CT_ALERT, "0100");
    td_tls13_dir_free(&d);
}

/* One bit off in the secret: the record fails authentication, nothing is
 * passed on, the counter stays. */
static void test_wrong_secret(void **state)
{
    (void)state;
    char bad[] = S_HS;
    bad[0] = 'c';
    uint8_t cr[32], type;
    td_rd msg;
    td_tls13_dir d;
    load_keylog(bad);
    client_random(cr);
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, true), 0);
    assert_int_equal(feed(&d, server_flight_record), TD_DEC_AUTH_FAILED);
    assert_non_null(strstr(d.error, "record 0 does not authenticate"));
    assert_int_equal(d.plain_len, 0);
    assert_int_equal(d.keys.seq, 0);
    assert_false(td_tls13_dir_next(&d, &type, &msg));
    assert_false(d.application);
    td_tls13_dir_free(&d);

    /* The right secret, a record one byte changed. */
    load_keylog(S_HS);
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, true), 0);
    size_t n = unhex(server_flight_record, REC, sizeof REC);
    REC[100] ^= 1;
    assert_int_equal(td_tls13_dir_record(&d, REC, n), TD_DEC_AUTH_FAILED);
    td_tls13_dir_free(&d);
    /* The application keys cannot open a handshake record either. */
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, true), 0);
    assert_int_equal(feed(&d, ticket_record), TD_DEC_AUTH_FAILED);
    td_tls13_dir_free(&d);
}

static void test_missing_secrets(void **state)
{
    (void)state;
    uint8_t cr[32], type;
    td_rd msg;
    td_tls13_dir d;
    client_random(cr);
    td_keylog_free(&KL);
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, true), -1);
    assert_non_null(strstr(d.error, "no SERVER_HANDSHAKE_TRAFFIC_SECRET"));
    /* The handshake secret only: the flight reads, what follows cannot. */
    const char *line = "SERVER_HANDSHAKE_TRAFFIC_SECRET " CLIENT_RANDOM " " S_HS "\n";
    assert_int_equal(td_keylog_add(&KL, line, strlen(line)), 1);
    assert_int_equal(td_tls13_dir_init(&d, &KL, cr, 0x1301, true), 0);
    assert_int_equal(feed(&d, server_flight_record), TD_DEC_MALFORMED);
    assert_non_null(strstr(d.error, "no SERVER_TRAFFIC_SECRET_0"));
    assert_true(td_tls13_dir_next(&d, &type, &msg));
    assert_int_equal(type, TD_HS_ENCRYPTED_EXT);
    td_tls13_dir_free(&d);
}

static void test_malformed_records(void **state)
{
    (void)state;
    uint8_t s[32], out[64], type;
    size_t n = 0;
    char err[TD_DEC_ERROR_LEN];
    unhex(S_HS, s, 32);
    td_tls13_keys k;
    assert_int_equal(td_tls13_keys_init(&k, 0x1301, s, 32), 0);
    static const uint8_t hs_type[] = {0x16, 0x03, 0x03, 0x00, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(td_tls13_open(&k, hs_type, sizeof hs_type, out, sizeof out, &type, &n, err, sizeof err),
                     TD_DEC_MALFORMED);
    assert_non_null(strstr(err, "not application_data(23) (RFC 8446 section 5.2)"));
    static const uint8_t only_tag[] = {0x17, 0x03, 0x03, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(td_tls13_open(&k, only_tag, sizeof only_tag, out, sizeof out, &type, &n, err, sizeof err),
                     TD_DEC_MALFORMED);
    assert_non_null(strstr(err, "no room for a tag and a content type"));
    assert_int_equal(td_tls13_open(&k, only_tag, sizeof only_tag - 1, out, sizeof out, &type, &n, err, sizeof err),
                     TD_DEC_MALFORMED);
    assert_non_null(strstr(err, "not one whole record"));
    assert_int_equal(k.seq, 0);
}

/* Seals content || type || zeros the way a peer does (RFC 8446 sections
 * 5.2 to 5.4), with the test's own nonce, for the AEADs RFC 8448 does not
 * cover. */
static size_t seal(const td_tls13_keys *k, const char *cipher, bool ccm, const uint8_t *content, size_t n,
                   uint8_t type, uint8_t *rec)
{
    uint8_t inner[64], nonce[12];
    memcpy(inner, content, n);
    inner[n] = type;
    memset(inner + n + 1, 0, 3);
    int len = (int)(n + 4), outl = 0, fin = 0;
    size_t total = (size_t)len + k->tag_len;
    uint8_t head[5] = {0x17, 0x03, 0x03, (uint8_t)(total >> 8), (uint8_t)total};
    memcpy(rec, head, 5);
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    assert_true(EVP_EncryptInit_ex2(ctx, c, NULL, NULL, NULL));
    assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL));
    if (ccm)
        assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)k->tag_len, NULL));
    assert_true(EVP_EncryptInit_ex2(ctx, NULL, k->key, nonce, NULL));
    if (ccm)
        assert_true(EVP_EncryptUpdate(ctx, NULL, &outl, NULL, len));
    assert_true(EVP_EncryptUpdate(ctx, NULL, &outl, head, 5));
    assert_true(EVP_EncryptUpdate(ctx, rec + 5, &outl, inner, len));
    assert_true(EVP_EncryptFinal_ex(ctx, rec + 5 + outl, &fin));
    assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)k->tag_len, rec + 5 + len));
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return 5 + total;
}

static void test_other_aeads(void **state)
{
    (void)state;
    static const struct {
        uint16_t suite;
        const char *cipher;
        bool ccm;
        size_t secret, key, tag;
    } s[] = {
        {0x1302, "AES-256-GCM", false, 48, 32, 16},
        {0x1303, "ChaCha20-Poly1305", false, 32, 32, 16},
        {0x1304, "AES-128-CCM", true, 32, 16, 16},
        {0x1305, "AES-128-CCM", true, 32, 16, 8},
    };
    static const uint8_t alert[] = {2, 48}; /* fatal unknown_ca */
    uint8_t secret[48], rec[128], out[128], type;
    memset(secret, 0x5a, sizeof secret);
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        td_tls13_keys k;
        char err[TD_DEC_ERROR_LEN];
        size_t n = 0;
        assert_int_equal(td_tls13_keys_init(&k, s[i].suite, secret, s[i].secret), 0);
        assert_int_equal(k.key_len, s[i].key);
        assert_int_equal(k.tag_len, s[i].tag);
        k.seq = 7; /* a later record: the nonce must follow the counter */
        size_t len = seal(&k, s[i].cipher, s[i].ccm, alert, 2, TD_CT_ALERT, rec);
        assert_int_equal(td_tls13_open(&k, rec, len, out, sizeof out, &type, &n, err, sizeof err), TD_DEC_OK);
        assert_int_equal(type, TD_CT_ALERT);
        assert_int_equal(n, 2);
        assert_memory_equal(out, alert, 2);
        assert_int_equal(k.seq, 8);
        /* the same record again: the counter moved on, so it cannot open */
        assert_int_equal(td_tls13_open(&k, rec, len, out, sizeof out, &type, &n, err, sizeof err),
                         TD_DEC_AUTH_FAILED);
        k.seq = 7;
        rec[len - 1] ^= 0x80; /* the tag */
        assert_int_equal(td_tls13_open(&k, rec, len, out, sizeof out, &type, &n, err, sizeof err),
                         TD_DEC_AUTH_FAILED);
    }
}

static void test_keylog_lines(void **state)
{
    (void)state;
    static const char text[] =
        "# comment\n"
        "RSA 0123456789abcdef 0303aabb\n"                                  /* not ours: skipped */
        "CLIENT_RANDOM " CLIENT_RANDOM " 00\n"                             /* 1 byte, not 48 */
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET cb34 " C_HS "\n"                 /* short random */
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CLIENT_RANDOM " " C_HS " x\n"  /* four fields */
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CLIENT_RANDOM " zz\n"          /* not hex */
        "CLIENT_RANDOM " CLIENT_RANDOM " " C_HS "0123456789abcdef0123456789abcdef\n"
        "EXPORTER_SECRET " CLIENT_RANDOM " " S_HS "\n"
        "EXPORTER_SECRET " CLIENT_RANDOM " " S_AP; /* a later line wins */
    td_keylog kl;
    td_keylog_init(&kl);
    assert_int_equal(td_keylog_add(&kl, text, strlen(text)), 3);
    assert_int_equal(kl.lines, 9);
    assert_int_equal(kl.bad_lines, 4);
    assert_string_equal(kl.first_bad, "line 3: CLIENT_RANDOM secret of 1 bytes, not 48");
    uint8_t cr[32], want[32];
    size_t n = 0;
    client_random(cr);
    const uint8_t *ms = td_keylog_find(&kl, cr, TD_KL_CLIENT_RANDOM, &n);
    assert_non_null(ms);
    assert_int_equal(n, 48);
    const uint8_t *ex = td_keylog_find(&kl, cr, TD_KL_EXPORTER, &n);
    unhex(S_AP, want, 32);
    assert_non_null(ex);
    assert_memory_equal(ex, want, 32);
    assert_null(td_keylog_find(&kl, cr, TD_KL_CLIENT_HANDSHAKE, &n));
    cr[0] ^= 1;
    assert_null(td_keylog_find(&kl, cr, TD_KL_EXPORTER, &n));
    td_keylog_free(&kl);
}

/* ---- a real OpenSSL handshake, in memory ---- */

typedef struct live {
    char keylog[4096];
    size_t keylog_len;
    uint8_t from_server[65536];
    size_t n_from_server;
} live;

static live L;

static void keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    int n = snprintf(L.keylog + L.keylog_len, sizeof L.keylog - L.keylog_len, "%s\n", line);
    assert_true(n > 0 && (size_t)n < sizeof L.keylog - L.keylog_len);
    L.keylog_len += (size_t)n;
}

/* A self-signed P-256 certificate for the server. */
static void server_identity(SSL_CTX *ctx)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    assert_non_null(key);
    assert_non_null(x);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"live.test",
                               -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
    X509_free(x);
    EVP_PKEY_free(key);
}

/* Moves what one side wrote to the other; with record, keeps a copy. */
static size_t shuttle(SSL *from, SSL *to, bool record)
{
    uint8_t buf[16384];
    size_t moved = 0;
    int n;
    while ((n = BIO_read(SSL_get_wbio(from), buf, sizeof buf)) > 0) {
        if (record) {
            assert_true(L.n_from_server + (size_t)n <= sizeof L.from_server);
            memcpy(L.from_server + L.n_from_server, buf, (size_t)n);
            L.n_from_server += (size_t)n;
        }
        assert_int_equal(BIO_write(SSL_get_rbio(to), buf, n), n);
        moved += (size_t)n;
    }
    return moved;
}

/* A TLS 1.3 handshake with this suite in which the server asks for a
 * client certificate, gets none and fails the handshake: its flight
 * carries a CertificateRequest and its last record an encrypted
 * certificate_required alert. */
static void live_handshake(const char *suite_name, uint8_t client_random[32], uint16_t *suite)
{
    memset(&L, 0, sizeof L);
    SSL_CTX *sc = SSL_CTX_new(TLS_server_method()), *cc = SSL_CTX_new(TLS_client_method());
    assert_non_null(sc);
    assert_non_null(cc);
    server_identity(sc);
    SSL_CTX_set_min_proto_version(sc, TLS1_3_VERSION);
    SSL_CTX_set_min_proto_version(cc, TLS1_3_VERSION);
    assert_int_equal(SSL_CTX_set_ciphersuites(sc, suite_name), 1);
    assert_int_equal(SSL_CTX_set_ciphersuites(cc, suite_name), 1);
    SSL_CTX_set_verify(sc, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_keylog_callback(cc, keylog_line);
    SSL *s = SSL_new(sc), *c = SSL_new(cc);
    SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_bio(c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    for (int round = 0; round < 10; round++) {
        SSL_do_handshake(c);
        size_t a = shuttle(c, s, false);
        SSL_do_handshake(s);
        size_t b = shuttle(s, c, true);
        if (a == 0 && b == 0)
            break;
    }
    assert_int_equal(SSL_get_client_random(c, client_random, 32), 32);
    *suite = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(c));
    SSL_free(s);
    SSL_free(c);
    SSL_CTX_free(sc);
    SSL_CTX_free(cc);
}

static void test_openssl_live(void **state)
{
    (void)state;
    static const char *const suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                         "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
                                         "TLS_AES_128_CCM_8_SHA256"};
    static const uint8_t want[] = {TD_HS_ENCRYPTED_EXT, TD_HS_CERT_REQUEST, TD_HS_CERTIFICATE, 15, 20};
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        uint8_t cr[32], type;
        uint16_t suite = 0;
        live_handshake(suites[i], cr, &suite);
        td_keylog_free(&KL);
        assert_int_equal(td_keylog_add(&KL, L.keylog, L.keylog_len), 5); /* with EXPORTER_SECRET */
        td_tls13_dir d;
        assert_int_equal(td_tls13_dir_init(&d, &KL, cr, suite, true), 0);
        size_t n_msgs = 0, n_alerts = 0;
        uint8_t alert_desc = 0;
        td_rd r, frag, msg;
        td_rd_init(&r, L.from_server, L.n_from_server);
        for (td_rd rec = r; !td_rd_empty(&r); rec = r) {
            uint8_t ct;
            uint16_t ver;
            assert_true(td_rd_u8(&r, &ct) && td_rd_u16(&r, &ver) && td_rd_prefixed16(&r, &frag));
            if (ct != TD_CT_APPDATA)
                continue; /* the ServerHello, the compatibility change_cipher_spec */
            size_t len = td_rd_left(&rec) - td_rd_left(&r);
            if (td_tls13_dir_record(&d, td_rd_ptr(&rec), len) != TD_DEC_OK)
                fail_msg("%s: %s", suites[i], d.error);
            while (td_tls13_dir_next(&d, &type, &msg)) {
                assert_true(n_msgs < sizeof want);
                assert_int_equal(type, want[n_msgs++]);
            }
            if (d.plain_type == TD_CT_ALERT) {
                n_alerts++;
                assert_int_equal(d.plain_len, 2);
                alert_desc = d.plain[1];
            }
        }
        assert_int_equal(n_msgs, sizeof want);
        assert_int_equal(n_alerts, 1);
        assert_int_equal(alert_desc, TD_ALERT_CERTIFICATE_REQUIRED);
        td_tls13_dir_free(&d);
    }
}

static int teardown(void **state)
{
    (void)state;
    td_keylog_free(&KL);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_derivation),
        cmocka_unit_test(test_rfc8448_server),
        cmocka_unit_test(test_rfc8448_client),
        cmocka_unit_test(test_wrong_secret),
        cmocka_unit_test(test_missing_secrets),
        cmocka_unit_test(test_malformed_records),
        cmocka_unit_test(test_other_aeads),
        cmocka_unit_test(test_keylog_lines),
        cmocka_unit_test(test_openssl_live),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
