/* What the text, JSON and HTML reports of a capture say alike: a rung of
 * the ladder in words, the endpoints, the verdict of a connection, the
 * notes on what the capture lost.  Internal to lib/report. */
#ifndef TD_REPORT_PCAP_INT_H
#define TD_REPORT_PCAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "capture/capture_int.h"
#include "util/str.h"

/* The handshake message a rung carries: "ClientHello", "HelloRetryRequest". */
const char *td_cap_step_message(const td_cap_step *s);
/* One rung in words: "ClientHello (512 bytes)", "Alert fatal unknown_ca(48)". */
void td_cap_step_text(const td_cap_step *s, td_str *out);
/* "addr:port" ("[addr]:port" for IPv6) of the client or the server. */
void td_cap_endpoint(const td_capobs *o, bool server, char *buf, size_t len);

typedef void (*td_cap_put)(void *arg, const char *line);
/* What the capture lost of a connection, one line each. */
void td_cap_notes(const td_capture *c, const td_capobs *o, td_cap_put put, void *arg);
/* What the summary says about the capture as a whole, one line each. */
void td_cap_summary_notes(const td_capture *c, td_cap_put put, void *arg);

/* Who the client looks like from its hello: "looks like curl 7.88 (Debian
 * 12)", "unknown client (nearest profile: ...)". */
void td_cap_client_words(const td_capobs *o, td_str *out);

/* "fail", "not-tls", "ok", "incomplete"; and "FAIL", "NO TLS", ... */
const char *td_cap_verdict_name(const td_cap_result *r);
const char *td_cap_verdict_label(const td_cap_result *r);
/* The rung a failed connection broke at; -1 for one that did not fail. */
int td_cap_broken_step(const td_cap_result *r);

/* One finding as the connection's text shows it; label before the severity. */
void td_cap_finding_text(FILE *f, const td_finding *x, bool verbose, const char *label);
/* v dumped as key's value (v is released); an error marks b. */
struct json_t;
void td_cap_dumped(td_str *b, const char *key, struct json_t *v, bool err);
/* The Replay section after the connections, and its JSON line (nothing
 * when the replay did not run). */
void td_cap_replay_text(const td_cap_replay *rp, FILE *f, bool verbose);
int td_cap_replay_json(const td_cap_replay *rp, FILE *f);
#endif
