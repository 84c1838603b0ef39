/* One TCP connection of a capture: both directions reassembled, cut into
 * TLS records, the handshake messages named, the server's first flight
 * parsed by the wire engine (lib/wire/flight.c), and the facts written to
 * a td_capobs.  The records of each direction stay available, with their
 * boundaries and times, until the connection is finished: what a later
 * step (decryption with the session keys) reads. */
#ifndef TD_CAPTURE_CONN_H
#define TD_CAPTURE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/frame.h"
#include "capture/reasm.h"
#include "obs/capobs.h"
#include "wire/flight.h"

/* The directions, as arrays index them. */
enum { TD_CAP_CLIENT = 0, TD_CAP_SERVER = 1 };

/* Bytes one connection may hold: segments waiting behind a hole, and
 * record bodies kept for a later step.  Past it, records are counted but
 * their bodies dropped, and a hole is given up on. */
#define TD_CAP_CONN_BYTES (256u * 1024u)
#define TD_CAP_DIR_BYTES (TD_CAP_CONN_BYTES / 2)
/* Records listed per direction; the rest are counted. */
#define TD_CAP_MAX_RECORDS 256

typedef struct td_cap_record {
    uint8_t type;            /* content type; TD_CAP_SSLV2 for an SSLv2-format record */
    uint16_t version;        /* of its header; 0 for SSLv2 */
    uint32_t len;            /* body length */
    double t_first, t_last;  /* when its first and last bytes arrived, seconds after the connection began */
    uint8_t *body;           /* NULL when not kept (the cap) */
    uint32_t have;           /* bytes of body that are the record's, from its start: len
                                unless the capture lost part of it */
    bool cut;                /* the capture lost part of the body */
} td_cap_record;
#define TD_CAP_SSLV2 0x80

typedef struct td_cap_stream {
    td_cap_record *v;        /* grown as records come, up to TD_CAP_MAX_RECORDS */
    size_t n, cap;
    size_t kept;             /* body bytes kept */
    unsigned long dropped;   /* records past TD_CAP_MAX_RECORDS */
} td_cap_stream;

/* The last packet of a direction, to tell a packet captured twice. */
typedef struct td_cap_last {
    bool valid;
    uint16_t ip_id;
    uint32_t seq, len;
    uint8_t flags;
    double ts;
} td_cap_last;

/* One direction being read. */
typedef struct td_cap_dir {
    td_cap_last last;
    td_reasm rs;
    td_cap_stream recs;
    uint8_t hdr[5];          /* the record header being read */
    size_t hdr_have;
    td_cap_record cur;       /* the record whose body is being read */
    bool in_body;
    uint32_t body_have;
    uint8_t *body;           /* its bytes so far, NULL when not kept */
    bool lost;               /* a hole fell on a record header, or the bytes are no TLS */
    bool keys_changed;       /* ChangeCipherSpec seen: handshake records are encrypted */
    uint8_t hs_hdr[4];       /* a handshake message header split across records */
    size_t hs_hdr_have;
    uint32_t hs_left;        /* body bytes of the current handshake message still to come */
    bool hs_lost;            /* a hole fell on a handshake message header */
    double last_t;
} td_cap_dir;

typedef struct td_cap_conn {
    td_capobs obs;
    uint8_t client_addr[16];  /* the client's address as in td_pkt, to tell directions apart */
    td_cap_dir dir[2];
    td_flight flight;
    bool flight_on, flight_done;
    bool flight_cut;         /* the capture lost bytes of the server's first flight */
    bool hello_complete;
    bool closed;             /* both FINs or a reset: nothing more to learn */
    double last_seen;        /* seconds since the epoch */
    struct td_cap_whomemo *who; /* the capture's memory of client fingerprints, or NULL */
    const struct td_keylog *keylog; /* the session keys given (--keylog), or NULL */
    uint8_t client_random[32];  /* the ClientHello's, to find them */
    bool have_random;
    bool decrypted;             /* the key log held this connection's keys */
    bool keep_hello;            /* --replay: keep the ClientHello's bytes */
    uint8_t *hello_msg;         /* ... here (owned), when it parsed cleanly */
    size_t hello_msg_len;
} td_cap_conn;

/* A connection whose first packet is pkt (stream: its index in the file).
 * NULL when out of memory. */
td_cap_conn *td_cap_conn_new(const td_pkt *pkt, unsigned long stream, uint32_t snaplen);
/* Whether pkt goes from the client to the server of c. */
bool td_cap_conn_from_client(const td_cap_conn *c, const td_pkt *pkt);
void td_cap_conn_packet(td_cap_conn *c, const td_pkt *pkt);
/* The capture ended or the connection is over: fills in the rest of
 * c->obs (the server's answer, how the connection ended). */
void td_cap_conn_finish(td_cap_conn *c);
void td_cap_conn_free(td_cap_conn *c);

#endif
