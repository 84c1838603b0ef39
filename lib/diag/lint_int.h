/* What the lint rules (lint.c) and the profile comparison
 * (lint_profile.c) share: the finding builder and the phrases. */
#ifndef TD_DIAG_LINT_INT_H
#define TD_DIAG_LINT_INT_H

#include "diag/finding.h"
#include "obs/conf.h"
#include "registry/mozilla.h"
#include "util/str.h"

typedef struct td_lctx {
    const td_cobs *o;
    td_findings *out;
    const char *sname;   /* "nginx", "HAProxy" */
    char reload[4400];   /* the command that tests and reloads the configuration */
    char live_fix[4600]; /* the fix of a live mismatch */
} td_lctx;

/* "server app.test (127.0.0.1:443)". */
void td_lint_label(const td_cvhost *v, td_str *s);
/* Adds a finding about v at loc (the server block when loc has no file),
 * with the verify command of v; summary and evidence are taken.  NULL when
 * the same finding about the same line with the same evidence is there
 * (an http{} directive many servers inherit). */
td_finding *td_lint_add(td_lctx *c, const td_cvhost *v, td_id id, td_loc loc, td_str *summary, td_str *evidence,
                        const char *fix);
/* f's edit sets the directive s to value: replaced where it is written,
 * else added at the top of v's block. */
void td_lint_set_directive(td_lctx *c, td_finding *f, const td_cvhost *v, const td_cset *s, const char *value);
/* "ssl_protocols TLSv1; at FILE:LINE", or the default that applies. */
void td_lint_where(const td_cset *s, const td_cobs *o, td_str *ev);
void td_lint_versions_text(unsigned mask, td_str *s);
/* The versions in the server's own syntax: "TLSv1.2 TLSv1.3" for nginx,
 * "ssl-min-ver TLSv1.2" for HAProxy. */
void td_lint_versions_value(const td_cobs *o, unsigned mask, td_str *s);
/* "In FILE:LINE write `NAME VALUE;`", or "Add `NAME VALUE;` ...". */
void td_lint_fix_text(td_str *s, const td_cset *set, const char *value);
/* lint_profile.c: CONFIG_PROFILE_DEVIATION items of v against p. */
void td_lint_profile(td_lctx *c, const td_cvhost *v, const td_moz_profile *p);

#endif
