/* Observations of one TCP connection seen in a capture: what each side
 * sent and when, the TLS messages as the wire engine parsed them, and the
 * IP and TCP facts a reset is judged by.  lib/capture fills it in, the
 * rules (lib/diag/capture.c) read it; nothing here is a judgement. */
#ifndef TD_OBS_CAPOBS_H
#define TD_OBS_CAPOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs/obs.h"
#include "wire/chello.h"

/* The trust store's verdict on a chain a server sent: path verification
 * is I/O (the store's directory is read per issuer looked up), so the
 * capture reader does it (lib/capture/trust.c), not a rule, and once per
 * chain, name and day: connections that carried the same chain share one
 * (counted references). */
typedef struct td_cap_trust {
    unsigned refs;
    uint64_t key;             /* the chain's DER, the name, the day */
    td_path path;             /* td_verify_path's verdict, at the first such connection's start */
    char store_name[300];     /* the store, as reports print it */
} td_cap_trust;

void td_cap_trust_hold(td_cap_trust *t);
void td_cap_trust_release(td_cap_trust *t);

/* One rung of the ladder. */
typedef enum {
    TD_CS_SYN,
    TD_CS_SYNACK,
    TD_CS_HANDSHAKE,   /* a handshake message in the clear: code = its type */
    TD_CS_SSLV2_HELLO, /* an SSLv2-format CLIENT-HELLO */
    TD_CS_CCS,         /* ChangeCipherSpec */
    TD_CS_ALERT,       /* level and code */
    TD_CS_ENCRYPTED,   /* records of encrypted handshake or application data; count of them */
    TD_CS_NOT_TLS,     /* bytes that are no TLS record */
    TD_CS_FIN,
    TD_CS_RST
} td_cap_step_kind;

typedef struct td_cap_step {
    td_cap_step_kind kind;
    bool from_server;
    double t;          /* seconds after the connection's first packet */
    uint8_t code;      /* handshake type, alert description */
    uint8_t level;     /* alert level */
    uint32_t len;      /* bytes of the message or records */
    unsigned count;    /* records folded into an ENCRYPTED step */
    bool cut;          /* the capture lost part of it */
    bool hrr;          /* a ServerHello that is a HelloRetryRequest (RFC 8446 section 4.1.4) */
    uint8_t ttl;       /* for SYN, SYN-ACK, FIN and RST: their IP header */
    bool has_ip_id;
    uint16_t ip_id;
} td_cap_step;

#define TD_CAP_MAX_STEPS 32

/* How a packet from the server side looked at the IP layer: a reset is
 * judged against these. */
typedef struct td_cap_ipstats {
    unsigned packets;
    uint8_t ttl_min, ttl_max;
    bool has_ip_id;
    uint16_t last_ip_id;
} td_cap_ipstats;

typedef struct td_capobs {
    unsigned long stream;     /* the connection's index in the file, from 0 */
    uint8_t family;           /* 4 or 6 */
    char client[64], server[64]; /* addresses as text */
    uint16_t client_port, server_port;
    double start;             /* seconds since the epoch of its first packet */
    double end;               /* its last packet, seconds after the first */
    bool sides_known;         /* a SYN or a ClientHello told who the client is */

    td_cap_step steps[TD_CAP_MAX_STEPS]; /* the ladder, in capture order */
    size_t n_steps;
    unsigned steps_dropped;   /* rungs past TD_CAP_MAX_STEPS */

    /* TCP */
    bool syn, synack;
    double rtt;               /* SYN to SYN-ACK, seconds; -1 unknown */
    uint16_t server_mss;      /* the MSS in the SYN-ACK: the largest segment the client may send; 0 unknown */

    /* the client's hello */
    bool hello;               /* a ClientHello (or SSLv2 CLIENT-HELLO) began */
    bool hello_sslv2;
    double hello_t;
    uint32_t hello_len;       /* bytes of the ClientHello message */
    unsigned hello_segments;  /* TCP segments it took: as captured, or by the server's MSS when
                                 the capture saw them before segmentation offload cut them */
    unsigned hello_retrans;   /* client segments sent again before any answer */
    bool client_not_tls;      /* the client's first bytes are no TLS */

    /* what the ClientHello offered, as lib/wire/chello.c parsed it */
    bool offer_read;          /* the whole hello was captured and parsed cleanly */
    bool offer_bad;           /* it was captured whole but is malformed: offer_error says how */
    char offer_error[TD_CHELLO_ERROR_LEN];
    uint16_t offer_version;   /* the highest version offered (supported_versions, else legacy) */
    uint16_t offer_min_version; /* the lowest (the legacy version when no supported_versions) */
    size_t offer_suites;      /* cipher suites offered (SCSVs and GREASE included) */
    size_t offer_suites13;    /* of which TLS 1.3 suites (RFC 8446 appendix B.4) */
    bool offer_sni;
    /* who the client is, from the hello it offered (lib/diag/fingerprint.c) */
    bool fp_read;             /* the fingerprints below were computed */
    char ja3[33];             /* JA3: the MD5 of its text */
    char ja4[40];             /* JA4 (client, TLS over TCP) */
    const td_client *fp_like[4]; /* the profiles it looks like, at or above TD_FP_THRESHOLD
                                 (several only when their hellos are the same); none: NULL */
    const td_client *fp_nearest; /* the best score, even below the threshold */
    unsigned fp_score;        /* fp_nearest's score, per mille */
    char sni[256];            /* the server_name asked for, "" none */

    /* the server's first flight, as td_flight parsed it (out: HELLO,
     * HRR, SSLV2, ALERT, NOT_TLS, MALFORMED; RESET, CLOSED or TIMEOUT
     * when no byte came back; NOT_RUN when the capture has no answer yet) */
    td_attempt answer;
    bool answer_cut;          /* the capture lost bytes of it: answer.out is only what the
                                 record headers show (HELLO, ALERT), never a violation */
    double answer_t;          /* its first byte */
    td_cert chain[TD_FLIGHT_MAX_CERTS]; /* as sent (TLS 1.2 and below; DER, owned) */
    size_t n_chain;
    td_cap_trust *trust;      /* the chain verified against the system store; NULL: no chain,
                                 or no store could be opened (shared, held) */
    bool cert_request;
    bool hello_done;
    bool encrypted_flight;    /* TLS 1.3: the rest of the flight is encrypted */

    /* after the server's first flight */
    bool client_cert;         /* the client's Certificate message held a certificate */
    bool client_empty_cert;   /* ... or was empty (none to send) */
    bool client_ccs;          /* the client sent ChangeCipherSpec */
    bool client_alert;
    uint8_t client_alert_level, client_alert_desc;
    double client_alert_t;
    bool client_alert_encrypted; /* a record of an alert's size after the keys changed */
    bool late_server_alert;   /* the server's alert after the client's second flight */
    uint8_t late_alert_level, late_alert_desc;
    bool late_alert_encrypted;
    bool app_data[2];         /* application data records after the handshake [client, server] */
    bool client_went_on;      /* the client passed the server's flight: its ChangeCipherSpec (TLS
                                 1.2 and below) or an encrypted record that is no alert (TLS 1.3),
                                 and the server sent no alert after it */
    bool server_ccs;

    /* the end */
    bool fin[2], rst[2];      /* [client, server] */
    double end_t[2];          /* when each side first sent a FIN or RST; -1 never */
    double rst_t;             /* the first reset */
    bool rst_from_server;
    uint8_t rst_ttl;
    bool rst_has_ip_id;
    uint16_t rst_ip_id;
    double rst_after_client;  /* seconds between the client's last packet and the reset */
    td_cap_ipstats server_ip; /* the server's packets other than resets */

    /* how good the capture is */
    uint32_t snaplen;         /* of the file */
    bool snap_cut;            /* the snap length cut TLS bytes of this connection */
    bool cap_cut;             /* the per-connection cap made bytes be dropped */
    bool missing;             /* bytes never captured (a hole) */
    unsigned retrans[2], out_of_order[2], overlaps[2];
    unsigned duplicates;      /* packets captured twice (same IP ID, sequence and length), read once */
    uint64_t bytes[2];
} td_capobs;

void td_capobs_init(td_capobs *c);
void td_capobs_free(td_capobs *c);

#endif
