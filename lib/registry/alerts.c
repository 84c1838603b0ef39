/* Alert descriptions (IANA "TLS Alerts"), each with the sentence an on-call
 * engineer needs: not the RFC definition but what usually causes it when a
 * server sends it to a client during the handshake. */
#include "registry/registry.h"

#include <strings.h>

static const td_alert alerts[] = {
    { 0, "close_notify", "RFC 8446 section 6.1",
      "the peer closed the connection in an orderly way; before the handshake completes this "
      "usually means the server or a middlebox dropped the client without giving a reason" },
    { 10, "unexpected_message", "RFC 8446 section 6.2",
      "a message arrived out of order, typically an implementation bug or a middlebox that "
      "injected or rewrote records" },
    { 20, "bad_record_mac", "RFC 8446 section 6.2",
      "a record failed its integrity check, usually a broken TLS stack, a middlebox corrupting "
      "traffic, or keys that disagree after a faulty session resumption" },
    { 21, "decryption_failed", "RFC 5246 section 7.2.2",
      "obsolete TLS 1.0 alert for a record that did not decrypt; modern stacks send "
      "bad_record_mac instead, so this points to a very old implementation" },
    { 22, "record_overflow", "RFC 8446 section 6.2",
      "a record was longer than allowed, usually a bug or a peer ignoring a negotiated "
      "max_fragment_length or record_size_limit" },
    { 30, "decompression_failure", "RFC 5246 section 7.2.2",
      "TLS compression failed to decompress a record; only possible with compression "
      "negotiated, which current stacks no longer support" },
    { 40, "handshake_failure", "RFC 8446 section 6.2",
      "no cipher suite, group or signature algorithm in common, or the server refused the "
      "client for a policy reason" },
    { 41, "no_certificate", "RFC 6101 section 5.4.2",
      "SSL 3.0 only: the client had no certificate to send when the server asked for one" },
    { 42, "bad_certificate", "RFC 8446 section 6.2",
      "a certificate was corrupt or its signature did not verify; from a server it means the "
      "client certificate was rejected" },
    { 43, "unsupported_certificate", "RFC 8446 section 6.2",
      "the peer cannot use that kind of certificate, e.g. an unsupported key type or curve, or "
      "key usage / extended key usage that does not allow TLS" },
    { 44, "certificate_revoked", "RFC 8446 section 6.2",
      "a certificate in the chain was revoked by its issuer (found through a CRL or OCSP)" },
    { 45, "certificate_expired", "RFC 8446 section 6.2",
      "a certificate in the chain has expired or is not yet valid, often a missed renewal or a "
      "wrong clock (from a server: the client certificate)" },
    { 46, "certificate_unknown", "RFC 8446 section 6.2",
      "the peer rejected a certificate for some other reason, commonly an untrusted chain, a "
      "name mismatch or a missing intermediate" },
    { 47, "illegal_parameter", "RFC 8446 section 6.2",
      "a handshake field was out of range or inconsistent, e.g. a key_share for a group not "
      "offered or a malformed extension; usually an interoperability bug" },
    { 48, "unknown_ca", "RFC 8446 section 6.2",
      "the chain does not lead to a CA the peer trusts; from a server it means the client "
      "certificate's issuer is not in its trusted CA list" },
    { 49, "access_denied", "RFC 8446 section 6.2",
      "the certificate was acceptable but access control refused the connection, e.g. a client "
      "certificate that is not authorised or a source address not on an allow list" },
    { 50, "decode_error", "RFC 8446 section 6.2",
      "a message could not be parsed, usually a bug or a ClientHello the server's parser cannot "
      "handle (too large, or an extension it mis-parses)" },
    { 51, "decrypt_error", "RFC 8446 section 6.2",
      "a handshake cryptographic check failed: a signature did not verify, the Finished message "
      "did not match, or the key exchange could not be completed" },
    { 52, "too_many_cids_requested", "RFC 9147 section 9",
      "DTLS 1.3 only: the peer asked for more connection IDs than the other side will provide" },
    { 60, "export_restriction", "RFC 4346 section 7.2.2",
      "obsolete alert about export-grade key limits; only very old implementations send it" },
    { 70, "protocol_version", "RFC 8446 section 6.2",
      "the server does not accept any version the client offered" },
    { 71, "insufficient_security", "RFC 8446 section 6.2",
      "the server requires stronger parameters than any the client offered, e.g. its policy "
      "rejects every cipher suite or group in the ClientHello" },
    { 80, "internal_error", "RFC 8446 section 6.2",
      "the server failed for a reason unrelated to the protocol (bad key configuration, HSM or "
      "backend failure, out of memory); its own logs say more" },
    { 86, "inappropriate_fallback", "RFC 7507 section 2",
      "the client retried at a lower version with TLS_FALLBACK_SCSV but the server supports a "
      "higher one, so the first failure was not about the version" },
    { 90, "user_canceled", "RFC 8446 section 6.2",
      "the peer abandoned the handshake for a reason unrelated to the protocol" },
    { 100, "no_renegotiation", "RFC 5246 section 7.2.2",
      "the peer refused a renegotiation, typical of servers that disable client-initiated "
      "renegotiation" },
    { 109, "missing_extension", "RFC 8446 section 6.2",
      "an extension required for the negotiated version was absent, e.g. a TLS 1.3 ClientHello "
      "without supported_groups or signature_algorithms" },
    { 110, "unsupported_extension", "RFC 8446 section 6.2",
      "the peer received an extension it did not ask for or that is not allowed there, "
      "pointing to a buggy peer or a middlebox" },
    { 111, "certificate_unobtainable", "RFC 6066 section 9",
      "the server could not fetch the client certificate from the URL the client gave in "
      "client_certificate_url (rarely deployed)" },
    { 112, "unrecognized_name", "RFC 6066 section 3",
      "the server has no certificate for the SNI name sent (or requires SNI)" },
    { 113, "bad_certificate_status_response", "RFC 6066 section 8",
      "the client rejected the OCSP response stapled by the server: stale, badly signed or for "
      "another certificate" },
    { 114, "bad_certificate_hash_value", "RFC 6066 section 9",
      "a certificate fetched through client_certificate_url did not match its advertised hash "
      "(rarely deployed)" },
    { 115, "unknown_psk_identity", "RFC 4279 section 2",
      "the server does not know the PSK identity offered, typically a PSK-only service and a "
      "client configured with another key" },
    { 116, "certificate_required", "RFC 8446 section 6.2",
      "the server requires a client certificate (mutual TLS) and the client sent none" },
    { 120, "no_application_protocol", "RFC 7301 section 3.2",
      "no ALPN protocol in common: the client offered only protocols (e.g. h2) that the server "
      "does not serve on that port" },
    { 121, "ech_required", "draft-ietf-tls-esni (Encrypted Client Hello)",
      "the client insists on Encrypted Client Hello and the server did not accept it, usually "
      "because its ECH keys were rotated; the client should retry with the new configuration" },
};

size_t td_alert_count(void)
{
    return sizeof alerts / sizeof alerts[0];
}

const td_alert *td_alert_by_code(uint8_t code)
{
    for (size_t i = 0; i < td_alert_count(); i++)
        if (alerts[i].code == code)
            return &alerts[i];
    return NULL;
}

const char *td_alert_name(int code, const char *unknown)
{
    const td_alert *a = code >= 0 && code <= 255 ? td_alert_by_code((uint8_t)code) : NULL;
    return a ? a->name : unknown;
}

const td_alert *td_alert_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < td_alert_count(); i++)
        if (strcasecmp(alerts[i].name, name) == 0)
            return &alerts[i];
    return NULL;
}
