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
#define TD_EXT_SUPPORTED_VERSIONS 43
#define TD_EXT_PSK_MODES          45
#define TD_EXT_KEY_SHARE          51
#define TD_EXT_RENEGOTIATION_INFO 0xff01

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
