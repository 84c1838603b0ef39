/* JSON text written straight into a td_str, for reports written one line
 * per item while the input is read (pcap's JSON lines), where building a
 * jansson tree for every line costs more than the reading itself.
 * Internal to lib/report.
 *
 * A member is written after a comma unless it is the first in its object
 * or array: td_jl_open and td_jl_close keep that straight. */
#ifndef TD_REPORT_JLINE_H
#define TD_REPORT_JLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/str.h"

/* "{" or "[" after the key (NULL: an array element), and its end. */
void td_jl_open(td_str *b, const char *key, char bracket);
void td_jl_close(td_str *b, char bracket);
void td_jl_str(td_str *b, const char *key, const char *v);   /* NULL v: null */
void td_jl_int(td_str *b, const char *key, int64_t v);
void td_jl_bool(td_str *b, const char *key, bool v);
void td_jl_null(td_str *b, const char *key);
/* v rounded to `decimals` places (at most 9), trailing zeros dropped: 0.5,
 * 1796651649.521066, 0.0.  Non-finite values are null. */
void td_jl_fixed(td_str *b, const char *key, double v, unsigned decimals);
/* Text that already is JSON (a value dumped by jansson). */
void td_jl_raw(td_str *b, const char *key, const char *json);

#endif
