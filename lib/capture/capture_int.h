/* The insides of td_capture: the connections judged so far, and the
 * counts the summary prints.  Shared by lib/capture and lib/report. */
#ifndef TD_CAPTURE_CAPTURE_INT_H
#define TD_CAPTURE_CAPTURE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../include/tlsdiag.h"
#include "diag/finding.h"
#include "obs/capobs.h"
#include "probe/replay.h"

/* Connections kept with their ladder and findings for the text report:
 * this many failed ones (what it lists) and this many others (what -v
 * adds); the rest are counted.  JSON lines are written as connections are
 * judged and keep nothing. */
#define TD_CAPTURE_KEEP 100u
/* Servers the summary counts one by one; the rest are counted together. */
#define TD_CAPTURE_SERVERS 64
/* Client fingerprints the summary counts one by one; the rest together. */
#define TD_CAPTURE_CLIENTS 32
/* Seconds of capture time a connection may stay silent before it is
 * judged and released. */
#define TD_CAPTURE_IDLE 300.0
/* Connections open at once; past this the least recently active is judged
 * early, as if the capture had ended for it. */
#define TD_CAPTURE_LIVE 20000u

typedef struct td_cap_result {
    td_capobs obs;
    td_findings fs;
    bool failed;
} td_cap_result;

typedef struct td_cap_count {
    char name[80];            /* "addr:port" or a catalog ID */
    unsigned long n, failed;
} td_cap_count;

/* Handshakes by the client's fingerprint (JA4 and JA3 together). */
typedef struct td_cap_fpcount {
    char ja3[33], ja4[40];
    const td_client *like;     /* the first profile it looks like, or NULL */
    unsigned long n, failed;
} td_cap_fpcount;

typedef struct td_cap_table td_cap_table;

/* --replay HOST[:PORT]: the hello kept from the capture, and what the live
 * server made of it (lib/capture/replay.c). */
typedef struct td_cap_replay {
    char target[300];
    char host[256];
    uint16_t port;
    uint8_t *msg;             /* the chosen connection's ClientHello (owned) */
    size_t len;
    unsigned long stream;
    bool failed;              /* that connection failed in the capture */
    bool ran;
    td_chello hello;          /* msg, parsed: its extensions point into msg */
    td_replay_result res;
    td_findings fs;
    char addr[80];            /* the address replayed to */
} td_cap_replay;

struct td_cap_conn;
/* Keeps conn's hello when it is the one to replay; failed: the connection's verdict. */
void td_cap_replay_offer(td_cap_replay *rp, bool stream_set, struct td_cap_conn *conn, bool failed);
void td_cap_replay_free(td_cap_replay *rp);

/* Where a judged connection goes when it is not kept: its JSON line.  0,
 * or -1 when the write failed. */
typedef int (*td_cap_sink)(const td_capture *c, const td_cap_result *r, void *arg);

struct td_capture {
    /* options */
    uint16_t port;
    uint8_t host_family;
    uint8_t host[16];
    bool stream_set;
    unsigned long stream;

    /* what was read */
    char file[256];
    int linktype;
    uint32_t snaplen;
    unsigned long packets, tcp_packets, bad_frames;
    char first_bad[160];
    unsigned long connections;  /* TCP connections after the filters */
    unsigned long handshakes;   /* with a ClientHello */
    unsigned long completed;
    unsigned long failed;
    unsigned long not_tls;      /* connections whose client spoke something else */
    bool snap_cut, cap_cut;     /* some connection lost TLS bytes to either */
    uint32_t snap_cut_at;

    td_cap_result *results;
    size_t n_results, cap_results;
    size_t kept_failed, kept_other;
    unsigned long results_dropped; /* judged, but not kept (TD_CAPTURE_KEEP) */
    unsigned long failed_dropped;  /* of which failed */
    td_cap_sink sink;              /* set: every connection goes there, none is kept */
    void *sink_arg;
    bool sink_failed;
    unsigned long judged_early;    /* judged while still open (TD_CAPTURE_LIVE) */

    td_cap_count causes[TD_ID_COUNT]; /* by root cause */
    td_cap_count servers[TD_CAPTURE_SERVERS];
    size_t n_servers;
    unsigned long other_servers, other_servers_failed;
    td_cap_fpcount clients[TD_CAPTURE_CLIENTS];
    size_t n_clients;
    unsigned long other_clients, other_clients_failed; /* past the table, or no fingerprint */

    td_cap_table *table;
    struct td_cap_whomemo *who;      /* client fingerprints by offer */
    struct td_keylog *keylog;        /* --keylog: TLS 1.3 records opened with these keys */
    unsigned long decrypted;         /* connections whose keys the key log held */
    struct td_cap_trustmemo *trusts; /* the store, and its verdicts on the chains seen */
    td_capcerts *certs;         /* the certificate rules' memory of chains */
    td_cap_replay *replay;      /* --replay, or NULL */
    char error[1024];
    char warning[1024];
};

#endif
