/* Pieces of the verify commands the findings carry (lib/diag only): they
 * are pasted into a shell, so whatever comes from the server or the user
 * is written bare only when no shell would read it differently. */
#ifndef TD_DIAG_CMD_H
#define TD_DIAG_CMD_H

#include <stdbool.h>
#include <stddef.h>

/* s is non-empty and made only of characters no shell treats specially. */
bool td_shell_safe(const char *s);

/* The s_client options naming the store the verdicts were made with
 * (" -CAfile F", " -CApath D", both, or "" for the system store), so a
 * verify command judges trust the way the check did.  store is
 * td_store_name's text: "ca-file F", "ca-path D" or "ca-file F, ca-path D".
 * A path holding a single quote is left out (it cannot be quoted safely). */
void td_store_option(const char *store, char *out, size_t cap);

#endif
