/* Fitting text to a terminal's width, for the text report: columns counted
 * the way a terminal shows them, prose wrapped under a hanging indent, and
 * shell commands broken so they still paste.  Internal to lib/report. */
#ifndef TD_REPORT_WRAP_H
#define TD_REPORT_WRAP_H

#include <stddef.h>

#include "util/str.h"

/* Columns the first n bytes of s take on a terminal: one per UTF-8 code
 * point, none for an ANSI escape sequence (ESC [ ... final letter). */
size_t td_cols(const char *s, size_t n);

/* Appends s cut to at most cols columns, "..." marking a cut (when cols
 * leaves room for it), never inside a UTF-8 sequence. */
void td_cut_add(td_str *b, const char *s, size_t cols);

/* Appends text wrapped to width columns, then a newline.  The first line
 * continues one already col columns wide; every later line starts with
 * indent spaces.  Lines break at spaces and at the text's own newlines; a
 * word wider than a line breaks after a ':', ',', ';' or '/' that fits
 * (cipher lists, paths), else where it must. */
void td_wrap_add(td_str *b, const char *text, size_t col, size_t indent, size_t width);

/* Appends a shell command wrapped to width columns, then a newline, so that
 * it still pastes into a shell: lines break only at a space outside
 * quotes, and a broken line ends with " \" (the continuation a shell
 * removes; the next line's indent is a word separator like the space it
 * replaces).  A word wider than a line stays whole; after a comment
 * starts, nothing breaks.  col and indent as for td_wrap_add. */
void td_wrap_command_add(td_str *b, const char *cmd, size_t col, size_t indent, size_t width);

#endif
