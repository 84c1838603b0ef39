/* Calendar arithmetic after Howard Hinnant's days_from_civil and
 * civil_from_days: counted in 400-year eras from a March-based year, so
 * leap days fall at the end of the year and every era is alike. */
#include "util/utc.h"

#include <stdio.h>

#define SECS_PER_DAY 86400
#define DAYS_PER_ERA 146097
#define EPOCH_SHIFT  719468 /* days from 0000-03-01 to 1970-01-01 */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += EPOCH_SHIFT;
    int64_t era = (z >= 0 ? z : z - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
    int64_t doe = z - era * DAYS_PER_ERA;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t td_utc_seconds(int64_t year, int month, int day, int hour, int min, int sec)
{
    return days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
}

bool td_utc_iso(int64_t t, char *buf, size_t cap)
{
    if (cap == 0)
        return false;
    int64_t days = t / SECS_PER_DAY, secs = t % SECS_PER_DAY;
    if (secs < 0) {
        secs += SECS_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(buf, cap, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return false;
    }
    return true;
}

bool td_utc_parse_iso(const char *s, int64_t *t)
{
    int y, mo, d, h, mi, se, n = 0;
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n == 0)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    *t = td_utc_seconds(y, mo, d, h, mi, se);
    return true;
}
