/* A TLS session as a transform: plaintext in and out on one side,
 * ciphertext in and out on the other, over OpenSSL memory BIOs.  No
 * sockets and no waiting here; lib/net/xport.c moves the ciphertext over
 * a job's connection, tests move it to a server in memory.
 *
 * Used for the TLS session to an https:// proxy, inside which the proxy's
 * CONNECT, and then the check's own bytes, travel. */
#ifndef TD_NET_TLSPIPE_H
#define TD_NET_TLSPIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/* Why the session could not be made, by whose move it is to fix. */
typedef enum {
    TD_PIPE_OK = 0,
    TD_PIPE_UNTRUSTED, /* the peer's chain does not lead to a trusted CA */
    TD_PIPE_EXPIRED,   /* a certificate of the chain is expired or not yet valid */
    TD_PIPE_NAME,      /* the certificate does not carry the name (or IP) asked for */
    TD_PIPE_CERT,      /* another certificate fault (revoked, bad signature, ...) */
    TD_PIPE_NOT_TLS,   /* the peer answered, but not in TLS */
    TD_PIPE_HANDSHAKE, /* an alert, no common parameters, a closed connection */
    TD_PIPE_BROKEN     /* a TLS error after the handshake */
} td_pipe_fault;

typedef struct td_tlspipe td_tlspipe;

/* An SSL_CTX for sessions to a proxy: the system's trust store, or the
 * PEM file cacert (not NULL or ""), or no verification at all (insecure).
 * NULL with err filled when the file holds no certificate. */
SSL_CTX *td_tlspipe_ctx(const char *cacert, bool insecure, char *err, size_t errlen);
/* A client session to host (a name: SNI, and the name checked; an IP
 * literal: no SNI, the address checked), verified as ctx says.  NULL when
 * out of memory. */
td_tlspipe *td_tlspipe_new(SSL_CTX *ctx, const char *host);
void td_tlspipe_free(td_tlspipe *p);

/* Drives the handshake: 1 done, 0 wants more ciphertext (after what
 * td_tlspipe_out has), -1 failed (td_tlspipe_fault says why). */
int td_tlspipe_handshake(td_tlspipe *p);
/* Ciphertext the peer sent.  Returns false when out of memory. */
bool td_tlspipe_put(td_tlspipe *p, const uint8_t *in, size_t len);
/* Plaintext to send: returns len, or -1 (errno EPROTO) when the session is
 * broken.  The records wait in td_tlspipe_out. */
int td_tlspipe_write(td_tlspipe *p, const uint8_t *buf, size_t len);
/* Plaintext received: > 0 bytes; 0 the peer closed the session
 * (close_notify); -1 with errno EAGAIN when more ciphertext is needed, or
 * EPROTO when the session is broken. */
int td_tlspipe_read(td_tlspipe *p, uint8_t *buf, size_t len);
/* Plaintext can be read without more ciphertext. */
bool td_tlspipe_readable(const td_tlspipe *p);
/* Ciphertext waiting to be sent: *data and its length; td_tlspipe_sent
 * drops the first n bytes of it once they are out. */
size_t td_tlspipe_out(td_tlspipe *p, const uint8_t **data);
void td_tlspipe_sent(td_tlspipe *p, size_t n);
/* After a failure: why, in words naming the peer as "the proxy" does
 * ("the proxy's certificate is not trusted (self-signed certificate)"). */
td_pipe_fault td_tlspipe_fault(const td_tlspipe *p, char *why, size_t len);
/* "untrusted", "expired", "name", "certificate", "not-tls", "handshake",
 * "broken"; "none" for TD_PIPE_OK. */
const char *td_pipe_fault_name(td_pipe_fault f);
/* The negotiated version, "" before the handshake is done. */
const char *td_tlspipe_version(const td_tlspipe *p);

#endif
