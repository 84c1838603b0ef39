/* The page of a fleet scan, drawn from its JSON lines (docs/json.md,
 * "tlsdiag scan --json"): what a run writes is what the page shows, so a
 * run and a merge of its parts draw the same page.  Internal to
 * lib/report. */
#ifndef TD_REPORT_SCANHTML_H
#define TD_REPORT_SCANHTML_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct td_scan_page td_scan_page;

td_scan_page *td_scan_page_new(void);
void td_scan_page_free(td_scan_page *p);
/* One line: a target (check's document) or an input error; the few fields
 * the page shows are copied.  False when out of memory. */
bool td_scan_page_add(td_scan_page *p, const json_t *line);
/* The upgrade a scan line's "target" was checked through because its line
 * or --starttls asked ("smtp"), NULL when none was asked: one a port's
 * greeting chose is the check's finding, not part of the target (its key,
 * its row). */
const char *td_scan_asked_starttls(const json_t *target);
/* The page: the counts of summary ({"summary": {...}}, the run's last
 * line), the targets as a table sortable and filterable offline, the root
 * causes as a bar chart, the expiry timeline (days counted from now, Unix
 * seconds) and a section per target.  0, or -1 when memory or the write
 * failed. */
int td_scan_page_write(const td_scan_page *p, const json_t *summary, int64_t now, FILE *f);

#endif
