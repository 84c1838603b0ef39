/* TLS 1.3 records decrypted with logged secrets: bytes only, no I/O.
 *
 * A capture shows a TLS 1.3 handshake up to the ServerHello; the rest
 * (EncryptedExtensions, Certificate, CertificateRequest, the alerts) is
 * encrypted.  With the traffic secrets of a key log (lib/wire/keylog.h)
 * each direction is decrypted here: key and IV by HKDF-Expand-Label (RFC
 * 8446 sections 7.1 and 7.3), the per-record nonce (section 5.3), AEAD
 * open (section 5.2), the inner content type (section 5.4).  A record that
 * does not authenticate is reported as such, never passed on as
 * plaintext.
 *
 * Not read: 0-RTT data (the client's early traffic secret), TLS 1.2 and
 * below (CLIENT_RANDOM: their handshake is in the clear up to Finished),
 * and change_cipher_spec records, which TLS 1.3's compatibility mode
 * sends unencrypted (RFC 8446 appendix D.4): the caller skips those. */
#ifndef TD_WIRE_DECRYPT_H
#define TD_WIRE_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "keylog.h"

#define TD_DEC_MAX_KEY   32
#define TD_DEC_IV_LEN    12
#define TD_DEC_MAX_HS    (256u * 1024u) /* handshake bytes one direction may hold */
#define TD_DEC_ERROR_LEN 200

/* One direction's key and IV for one epoch, and its record counter. */
typedef struct td_tls13_keys {
    uint16_t suite;            /* TLS_AES_128_GCM_SHA256 (0x1301) ... TLS_AES_128_CCM_8_SHA256 (0x1305) */
    uint8_t key[TD_DEC_MAX_KEY];
    size_t key_len;
    uint8_t iv[TD_DEC_IV_LEN];
    size_t tag_len;
    uint64_t seq;              /* the next record's sequence number */
} td_tls13_keys;

/* Derives key and IV from a traffic secret for the suite's AEAD and hash.
 * 0, or -1 for a suite that is not TLS 1.3's or a secret whose length is
 * not the suite hash's. */
int td_tls13_keys_init(td_tls13_keys *k, uint16_t suite, const uint8_t *secret, size_t secret_len);

typedef enum {
    TD_DEC_OK,          /* decrypted; the sequence number moved on */
    TD_DEC_AUTH_FAILED, /* the tag does not verify: wrong secret, or not this record's keys */
    TD_DEC_MALFORMED    /* not an encrypted TLS 1.3 record, or no content type inside */
} td_dec_status;

/* Opens one TLSCiphertext record (its 5-byte header included) into out,
 * which needs the record's length.  On TD_DEC_OK *type is the inner
 * content type and *out_len the plaintext's length, padding removed; on
 * failure err says why and the counter stays. */
td_dec_status td_tls13_open(td_tls13_keys *k, const uint8_t *record, size_t len, uint8_t *out, size_t cap,
                            uint8_t *type, size_t *out_len, char *err, size_t errlen);

/* One direction of a connection, from its first encrypted record: the
 * handshake keys until the direction's Finished, then the application
 * keys (traffic secret 0).  Handshake plaintext is kept until taken with
 * td_tls13_dir_next, so a message may span records. */
typedef struct td_tls13_dir {
    bool from_server;
    td_tls13_keys keys;
    bool application;          /* past Finished: the traffic secret 0 keys */
    bool have_application;     /* the key log has that secret */
    uint8_t app_secret[TD_KEYLOG_MAX_SECRET];
    size_t app_secret_len;
    /* the last record's plaintext (alerts and application data) */
    uint8_t *plain;
    size_t plain_len;
    uint8_t plain_type;
    /* handshake plaintext not yet taken, and how much of it was walked */
    uint8_t *hs;
    size_t hs_len, hs_taken, hs_walked;
    char error[TD_DEC_ERROR_LEN];
} td_tls13_dir;

/* Sets a direction up from the key log: the handshake traffic secret of
 * this client random and, when logged, the traffic secret 0.  0, or -1
 * with d->error naming the missing label or the bad suite. */
int td_tls13_dir_init(td_tls13_dir *d, const td_keylog *kl, const uint8_t client_random[32], uint16_t suite,
                      bool from_server);
/* Decrypts the direction's next encrypted record (content type
 * application_data(23) on the wire).  On TD_DEC_OK d->plain_type says
 * what it held: handshake bytes are queued for td_tls13_dir_next; an
 * alert (RFC 8446 section 6) or application data is in d->plain. */
td_dec_status td_tls13_dir_record(td_tls13_dir *d, const uint8_t *record, size_t len);
/* The next complete handshake message queued, its 4-byte header
 * included (valid until the next record); false when none is complete
 * yet. */
bool td_tls13_dir_next(td_tls13_dir *d, uint8_t *type, td_rd *msg);
void td_tls13_dir_free(td_tls13_dir *d);

#endif
