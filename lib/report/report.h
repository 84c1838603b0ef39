/* What the text and JSON reporters must say alike: the verdict sentence,
 * suite names, certificate and DN text.  Internal to lib/report. */
#ifndef TD_REPORT_REPORT_H
#define TD_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "check.h"
#include "util/str.h"

typedef enum { TD_VERDICT_OK, TD_VERDICT_WARN, TD_VERDICT_FAIL } td_verdict;

/* The JSON document of td_report_write_json (docs/json.md), to render or
 * to read back; NULL when out of memory.  The caller owns it. */
json_t *td_report_to_json(const td_report *r);

/* The worst severity among the findings. */
td_verdict td_report_verdict(const td_report *r);
const char *td_verdict_name(td_verdict v);  /* "ok", "warn", "fail" */
const char *td_verdict_label(td_verdict v); /* "OK", "WARN", "FAIL" */
/* The verdict sentence after its label: "example.com:443 — ...". */
void td_verdict_sentence(const td_report *r, td_str *out);
/* The simulated clients the server is meant to serve: every client but
 * those below the level asked for (--clients), whose failure is expected.
 * Every count "of N clients" a report prints is of these. */
size_t td_report_served(const td_report *r);

/* "TLS 1.2", or "unknown (0x7f1c)" for a code point that is none of the six. */
const char *td_version_text(uint16_t v, char *buf, size_t len);
/* IANA name of a suite, or "unknown (0x1234)". */
const char *td_suite_name(uint16_t id, char *buf, size_t len);
/* IANA name of a group, or "unknown (0x1234)". */
const char *td_group_name(uint16_t id, char *buf, size_t len);
/* Lower-case hex without separators; truncated to what fits. */
void td_hex_compact(const uint8_t *p, size_t n, char *buf, size_t len);

/* What went wrong locally in an attempt, in words: the recorded detail, else
 * the system error for outcomes that are about the local side; NULL if none. */
const char *td_attempt_error(const td_attempt *a);

/* Appends the PEM form of a DER certificate to out; false when the DER does
 * not parse (out->err says whether memory ran out). */
bool td_cert_pem(const uint8_t *der, size_t len, td_str *out);
/* The certificate a handshake saw first (the leaf when the server is well
 * configured), or NULL when it sent none. */
const td_cert *td_hs_leaf(const td_hs *h);
/* Whether td_verify_path() ran on p: it always leaves a reason there. */
bool td_path_done(const td_path *p);
/* The name of a td_path_src as the reports say it: "sent", "extra", "store". */
const char *td_path_src_name(td_path_src s);

/* ---- the handshake, step by step (steps.c) ---------------------------- */

/* Who speaks at a step; FROM_MIDDLE is a packet sent by something on the
 * path in the server's name (a capture's middlebox reset). */
typedef enum { TD_STEP_LOCAL, TD_STEP_TO_SERVER, TD_STEP_TO_CLIENT, TD_STEP_FROM_MIDDLE } td_step_dir;
typedef enum {
    TD_STEP_MSG,  /* a step: a label and what happened there */
    TD_STEP_NOTE, /* a remark on the steps above it */
    TD_STEP_NONE, /* the only line when no connection was attempted */
} td_step_kind;

typedef struct td_step {
    td_step_kind kind;
    bool ok;
    bool detail;       /* a note the short text form leaves out */
    td_step_dir dir;
    const char *label; /* "DNS", "TCP connect", "ClientHello", ...; "" for notes */
    double ms;         /* when it happened, ms into its connection; -1 unknown */
    td_str text;
} td_step;

#define TD_STEPS_MAX 16
typedef struct td_steps {
    td_step v[TD_STEPS_MAX];
    size_t n;
    bool err; /* memory ran out: a step may be missing or cut */
} td_steps;

/* The steps of the baseline handshake, up to the one that broke; ci is
 * scratch for decoding the leaf.  Free with td_steps_free(). */
void td_handshake_steps(const td_obs *obs, td_cert_info *ci, td_steps *s);
/* Index of the step that broke, -1 when none did. */
int td_steps_broken(const td_steps *s);
void td_steps_free(td_steps *s);

/* The decoded form of a certificate in ci, or NULL when there is none or it
 * does not decode (td_cert_info is kilobytes: one per report, lent around). */
td_cert_info *td_report_cert_info(const td_cert *c, td_cert_info *ci);
/* How a full handshake that did not complete ended, in words. */
void td_hs_failure(const td_hs *h, char *buf, size_t len);
/* The broken link of a path, as a clause; nothing for a sound path. */
void td_path_break(const td_path *p, td_str *b);

/* One finding as the JSON reports write it (json.c); NULL when out of
 * memory.  For the other JSON renderings (`tlsdiag lint`). */
struct json_t;
struct json_t *td_finding_json(const td_findings *fs, size_t k);

#endif
