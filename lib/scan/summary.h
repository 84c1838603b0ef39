/* What a scan says about a fleet as a whole, computed from the JSON lines
 * alone, so that `tlsdiag merge` recomputes it from the parts exactly as
 * the run that wrote them would have: counts by verdict and root cause,
 * the worst targets, the certificates that end soon. */
#ifndef TD_SCAN_SUMMARY_H
#define TD_SCAN_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct td_summary td_summary;

td_summary *td_summary_new(int warn_days);
void td_summary_free(td_summary *s);
/* One line: a check's document, or an input error ({"line", "input",
 * "error"}).  Returns false when out of memory. */
bool td_summary_add(td_summary *s, const json_t *line);
/* The key a line is known by in a state file and when parts are merged:
 * host, port and address of a target, and the upgrade asked for (a port
 * checked with and without STARTTLS, or with postgres and postgres-direct,
 * is two targets); the line number and input of an error line.  Writes
 * "" for a line that is neither. */
void td_scan_line_key(const json_t *line, char *out, size_t cap);
/* A target's key from its parts; starttls NULL or "" when none was asked for. */
void td_scan_target_key(const char *host, long long port, const char *addr, const char *starttls, char *out,
                        size_t cap);
/* Whether a line fails: a check with verdict fail, or an input error. */
bool td_summary_failing(const json_t *line);
unsigned long td_summary_count(const td_summary *s);
unsigned long td_summary_failures(const td_summary *s);
/* {"summary": {...}} (docs/json.md, "tlsdiag scan"); NULL when out of memory. */
json_t *td_summary_json(const td_summary *s, bool interrupted);
/* The table for people.  0, or -1 when the write failed. */
int td_summary_write_text(const td_summary *s, FILE *f, bool interrupted);
/* One line for a failing target or input error, for text mode. */
int td_summary_write_failure(const json_t *line, FILE *f);

#endif
