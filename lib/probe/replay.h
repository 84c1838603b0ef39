/* A captured client's hello, replayed against a live server.
 *
 * `tlsdiag pcap --replay HOST[:PORT]` sends what the captured client
 * offered (rebuilt by td_hello_rebuild: fresh random and key shares, no
 * resumption, no early data) and records the answer.  When the server
 * turns it down, the replay takes the offer apart: without the padding,
 * without each extension in turn, without halves of the cipher suites and
 * of the signature algorithms, without each group, until one removal
 * makes the server answer: that element is what the server rejects.
 * Before taking it apart, the replay asks whether the server answers a
 * hello of tlsdiag's own (OpenSSL 3's defaults, the same SNI), so that
 * "only this client is turned down" can be told from "everything is".
 * Every connection is an observation (what was left out, what
 * came back); the engine judges nothing. */
#ifndef TD_PROBE_REPLAY_H
#define TD_PROBE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"
#include "obs/addr.h"
#include "wire/chello.h"

#define TD_REPLAY_MAX_STEPS     96
#define TD_REPLAY_DEFAULT_CONNS 64
#define TD_REPLAY_DETAIL_LEN    200

/* What one replayed hello got back. */
typedef enum {
    TD_REPLAY_HELLO,       /* a ServerHello (or HelloRetryRequest): the offer is acceptable */
    TD_REPLAY_ALERT,       /* an alert instead */
    TD_REPLAY_RESET,       /* TCP reset after the hello */
    TD_REPLAY_CLOSED,      /* the server closed without answering */
    TD_REPLAY_TIMEOUT,     /* no answer within the timeout */
    TD_REPLAY_NOT_TLS,     /* an answer that is not TLS */
    TD_REPLAY_MALFORMED,   /* a TLS answer that breaks the protocol */
    TD_REPLAY_NO_CONNECT,  /* refused, unreachable, or no SYN-ACK: nothing about the hello */
    TD_REPLAY_LOCAL_ERROR  /* the hello could not be built or sent */
} td_replay_outcome;

typedef struct td_replay_answer {
    td_replay_outcome outcome;
    td_io_status io;            /* how the connection ended */
    size_t hello_len;           /* bytes of the hello sent, record headers included */
    /* a ServerHello */
    uint16_t version, suite, group;
    bool hrr;
    /* an alert */
    uint8_t alert_level, alert_desc;
    char detail[TD_REPLAY_DETAIL_LEN]; /* the parser's or the socket's reason, "" when none */
} td_replay_answer;

/* What one bisection step left out of the replayed hello. */
typedef enum {
    TD_DROP_NOTHING,      /* the captured offer as it was */
    TD_DROP_PADDING,      /* the padding extension: a smaller hello */
    TD_DROP_EXTENSION,    /* one extension (value: its type) */
    TD_DROP_SUITES,       /* cipher suites (values: the suites left out) */
    TD_DROP_GROUP,        /* one group from supported_groups and key_share (value) */
    TD_DROP_SIGALGS       /* signature algorithms (values: the ones left out) */
} td_drop_kind;

#define TD_REPLAY_MAX_VALUES 16

typedef struct td_replay_step {
    td_drop_kind drop;
    uint16_t values[TD_REPLAY_MAX_VALUES]; /* what was left out (the first ones when more) */
    size_t n_values;                       /* how many were left out */
    td_replay_answer answer;
} td_replay_step;

typedef struct td_replay_req {
    const td_chello *hello;     /* the captured hello, parsed (its bytes must stay valid) */
    td_addr addr;               /* the server, resolved */
    const char *sni;            /* NULL: the captured server_name; "": none; else this name */
    double timeout_s;           /* each connection's step timeout; 0: 5 s */
    bool bisect;                /* when turned down, look for the element rejected */
    unsigned max_conns;         /* connections in all, original included; 0: TD_REPLAY_DEFAULT_CONNS */
} td_replay_req;

typedef struct td_replay_result {
    td_replay_step steps[TD_REPLAY_MAX_STEPS]; /* every connection, in order; steps[0] is the
                                                  captured offer as it was */
    size_t n_steps;
    bool rejected;              /* steps[0] did not get a ServerHello (and did connect) */
    /* when rejected and asked to bisect: the answer to tlsdiag's own hello
     * (the openssl-3 profile's), sent before the bisection */
    bool baseline_sent;
    td_replay_answer baseline;
    /* The conclusion of the bisection: the one removal that made the
     * server answer with a ServerHello, its step; found false when the
     * offer was accepted, no single removal helped, or the connections
     * ran out. */
    bool found;
    size_t culprit_step;
    bool out_of_connections;
    char error[TD_REPLAY_DETAIL_LEN]; /* why nothing was sent: "" normally */
    /* td_replay_confirm: the whole hello and the hello without the
     * culprit, each once more on a fresh connection */
    bool confirm_sent;
    td_replay_answer confirm_full, confirm_without;
    bool stable;                /* the full hello turned down again and the other answered again */
} td_replay_result;

/* Replays req->hello against req->addr; when rejected and asked to,
 * sends the baseline hello and bisects.  Connections made in all: n_steps,
 * plus one for the baseline.  Blocking: runs its own scheduler.  Returns 0, or -1 when not
 * even the first hello could be built (out->error says why). */
int td_replay_run(const td_replay_req *req, td_replay_result *out);

/* When the bisection found a culprit: sends the whole hello and the hello
 * without the culprit once more, and sets out->stable when the answers
 * are the same as before.  A server that answers at random must not get
 * an element named. */
void td_replay_confirm(const td_replay_req *req, td_replay_result *out);

/* "answered", "alert", "reset", ...; and "nothing", "padding", ... */
const char *td_replay_outcome_name(td_replay_outcome o);
const char *td_drop_kind_name(td_drop_kind k);

#endif
