/* What the text and JSON reporters must say alike: the verdict sentence,
 * suite names, certificate and DN text.  Internal to lib/report. */
#ifndef TD_REPORT_REPORT_H
#define TD_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "util/str.h"

typedef enum { TD_VERDICT_OK, TD_VERDICT_WARN, TD_VERDICT_FAIL } td_verdict;

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

#endif
