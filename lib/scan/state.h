/* The record of a scan's progress (--state FILE): one line per target
 * written, appended and fsync'd after its result was written, so a run
 * stopped at any point resumes without repeating a recorded target. */
#ifndef TD_SCAN_STATE_H
#define TD_SCAN_STATE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct td_scan_state td_scan_state;

/* Opens (or creates) the file and reads what it lists; a NULL path makes
 * a set of keys in memory only.  A last line cut
 * short by a crash is dropped.  NULL with err filled on failure. */
td_scan_state *td_scan_state_open(const char *path, char *err, size_t errlen);
/* Whether key is listed; false for a NULL state. */
bool td_scan_state_has(const td_scan_state *st, const char *key);
/* Appends key and syncs it to disk.  0, or -1 with errno; 0 for a NULL state. */
int td_scan_state_add(td_scan_state *st, const char *key);
void td_scan_state_close(td_scan_state *st);


#endif
