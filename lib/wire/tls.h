/* Protocol constants shared by the wire engine (RFC 8446, 5246, 6101, SSLv2). */
#ifndef TD_WIRE_TLS_H
#define TD_WIRE_TLS_H

#include <stdint.h>

#define TD_SSL2  0x0002
#define TD_SSL3  0x0300
#define TD_TLS10 0x0301
#define TD_TLS11 0x0302
#define TD_TLS12 0x0303
#define TD_TLS13 0x0304

/* Record content types, RFC 8446 section 5.1 */
#define TD_CT_CCS       20
#define TD_CT_ALERT     21
#define TD_CT_HANDSHAKE 22
#define TD_CT_APPDATA   23

/* Handshake message types, RFC 8446 section 4 and RFC 5246 section 7.4 */
#define TD_HS_CLIENT_HELLO       1
#define TD_HS_SERVER_HELLO       2
#define TD_HS_NEW_SESSION_TICKET 4
#define TD_HS_ENCRYPTED_EXT      8
#define TD_HS_CERTIFICATE        11
#define TD_HS_SERVER_KEY_EXCH    12
#define TD_HS_CERT_REQUEST       13
#define TD_HS_SERVER_HELLO_DONE  14
#define TD_HS_CERT_STATUS        22

/* Extension code points (IANA TLS ExtensionType Values) */
#define TD_EXT_SERVER_NAME        0
#define TD_EXT_STATUS_REQUEST     5
#define TD_EXT_SUPPORTED_GROUPS   10
#define TD_EXT_EC_POINT_FORMATS   11
#define TD_EXT_SIGNATURE_ALGS     13
#define TD_EXT_ALPN               16
#define TD_EXT_SCT                18
#define TD_EXT_PADDING            21
#define TD_EXT_ENCRYPT_THEN_MAC   22
#define TD_EXT_EMS                23
#define TD_EXT_SESSION_TICKET     35
#define TD_EXT_PRE_SHARED_KEY     41
#define TD_EXT_EARLY_DATA         42
#define TD_EXT_SUPPORTED_VERSIONS 43
#define TD_EXT_PSK_MODES          45
#define TD_EXT_KEY_SHARE          51
#define TD_EXT_RENEGOTIATION_INFO 0xff01

/* Alert levels, RFC 8446 section 6 */
enum {
    TD_ALERT_LEVEL_WARNING = 1,
    TD_ALERT_LEVEL_FATAL = 2
};

/* Alert descriptions: RFC 8446 section 6 and the rest of the IANA "TLS
 * Alerts" registry (the RFC beside each value RFC 8446 does not list);
 * lib/registry has their names and what each usually means. */
enum {
    TD_ALERT_CLOSE_NOTIFY = 0,
    TD_ALERT_UNEXPECTED_MESSAGE = 10,
    TD_ALERT_BAD_RECORD_MAC = 20,
    TD_ALERT_DECRYPTION_FAILED = 21,       /* RFC 5246 */
    TD_ALERT_RECORD_OVERFLOW = 22,
    TD_ALERT_DECOMPRESSION_FAILURE = 30,   /* RFC 5246 */
    TD_ALERT_HANDSHAKE_FAILURE = 40,
    TD_ALERT_NO_CERTIFICATE = 41,          /* RFC 6101: SSL 3.0 only */
    TD_ALERT_BAD_CERTIFICATE = 42,
    TD_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    TD_ALERT_CERTIFICATE_REVOKED = 44,
    TD_ALERT_CERTIFICATE_EXPIRED = 45,
    TD_ALERT_CERTIFICATE_UNKNOWN = 46,
    TD_ALERT_ILLEGAL_PARAMETER = 47,
    TD_ALERT_UNKNOWN_CA = 48,
    TD_ALERT_ACCESS_DENIED = 49,
    TD_ALERT_DECODE_ERROR = 50,
    TD_ALERT_DECRYPT_ERROR = 51,
    TD_ALERT_TOO_MANY_CIDS_REQUESTED = 52, /* RFC 9147 */
    TD_ALERT_EXPORT_RESTRICTION = 60,      /* RFC 4346 */
    TD_ALERT_PROTOCOL_VERSION = 70,
    TD_ALERT_INSUFFICIENT_SECURITY = 71,
    TD_ALERT_INTERNAL_ERROR = 80,
    TD_ALERT_INAPPROPRIATE_FALLBACK = 86,
    TD_ALERT_USER_CANCELED = 90,
    TD_ALERT_NO_RENEGOTIATION = 100,       /* RFC 5246 */
    TD_ALERT_MISSING_EXTENSION = 109,
    TD_ALERT_UNSUPPORTED_EXTENSION = 110,
    TD_ALERT_CERTIFICATE_UNOBTAINABLE = 111, /* RFC 6066 */
    TD_ALERT_UNRECOGNIZED_NAME = 112,
    TD_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    TD_ALERT_BAD_CERTIFICATE_HASH_VALUE = 114, /* RFC 6066 */
    TD_ALERT_UNKNOWN_PSK_IDENTITY = 115,
    TD_ALERT_CERTIFICATE_REQUIRED = 116,
    TD_ALERT_NO_APPLICATION_PROTOCOL = 120,
    TD_ALERT_ECH_REQUIRED = 121            /* Encrypted Client Hello */
};

/* The supported groups (IANA "TLS Supported Groups") tlsdiag names in code;
 * lib/registry has them all. */
enum {
    TD_GROUP_SECP256R1 = 0x0017,
    TD_GROUP_SECP384R1 = 0x0018,
    TD_GROUP_SECP521R1 = 0x0019,
    TD_GROUP_X25519 = 0x001d,
    TD_GROUP_X448 = 0x001e,
    TD_GROUP_BRAINPOOLP256R1TLS13 = 0x001f, /* RFC 8734 */
    TD_GROUP_BRAINPOOLP384R1TLS13 = 0x0020,
    TD_GROUP_BRAINPOOLP512R1TLS13 = 0x0021,
    TD_GROUP_FFDHE2048 = 0x0100,            /* RFC 7919 */
    TD_GROUP_FFDHE3072 = 0x0101,
    TD_GROUP_FFDHE4096 = 0x0102,
    TD_GROUP_FFDHE6144 = 0x0103,
    TD_GROUP_FFDHE8192 = 0x0104,
    TD_GROUP_SECP256R1MLKEM768 = 0x11eb,
    TD_GROUP_X25519MLKEM768 = 0x11ec,
    TD_GROUP_SECP384R1MLKEM1024 = 0x11ed
};

/* Signalling cipher suite values */
#define TD_SCSV_RENEGOTIATION 0x00ff /* RFC 5746 section 3.3 */
#define TD_SCSV_FALLBACK      0x5600 /* RFC 7507 section 2 */

/* A cipher suite's key exchange and authentication, as its name spells
 * them (TLS_<kx>_WITH_...): the ServerKeyExchange layout depends on them
 * (RFC 5246 section 7.4.3).  lib/registry says which suite has which. */
typedef enum {
    TD_KX_NULL, TD_KX_RSA, TD_KX_RSA_EXPORT, TD_KX_DH, TD_KX_DHE, TD_KX_ECDH,
    TD_KX_ECDHE, TD_KX_PSK, TD_KX_DHE_PSK, TD_KX_RSA_PSK, TD_KX_ECDHE_PSK,
    TD_KX_SRP, TD_KX_KRB5, TD_KX_GOST, TD_KX_ECCPWD, TD_KX_TLS13
} td_kx;

typedef enum {
    TD_AU_NONE /* anonymous */, TD_AU_RSA, TD_AU_DSS, TD_AU_ECDSA, TD_AU_PSK,
    TD_AU_KRB5, TD_AU_SRP, TD_AU_GOST, TD_AU_ECCPWD, TD_AU_TLS13 /* by certificate, any type */
} td_auth;

#define TD_MAX_VERSION_NAME 16
/* "TLS 1.2", "SSLv2", ...; "unknown" for any other code point (a fixed
 * string, so the result is reentrant: print the hex value beside it). */
const char *td_version_name(uint16_t v);

#endif
