/* UTC calendar times and their one text form, for certificates' validity
 * dates and the report's timestamps alike. */
#ifndef TD_UTIL_UTC_H
#define TD_UTIL_UTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unix seconds of a UTC date and time (proleptic Gregorian calendar, month
 * 1-12).  Plain arithmetic: it does not depend on the width of time_t. */
int64_t td_utc_seconds(int64_t year, int month, int day, int hour, int min, int sec);

/* Unix seconds as RFC 3339 "2026-11-23T10:00:00Z", the year in at least
 * four digits.  False, with buf "" (when cap allows), when it does not fit;
 * 21 bytes hold any year up to 9999. */
bool td_utc_iso(int64_t t, char *buf, size_t cap);

/* The other way: Unix seconds of "2026-11-23T10:00:00Z" (what td_utc_iso
 * writes; the zone suffix is not read).  False for text that is not one. */
bool td_utc_parse_iso(const char *s, int64_t *t);

#endif
