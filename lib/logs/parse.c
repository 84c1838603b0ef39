/* The log-line parser (parse.h). */
#include "logs/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "explain/kb.h"

static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec" };

static int month_of(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (tolower((unsigned char)s[0]) == months[i][0] && tolower((unsigned char)s[1]) == months[i][1] &&
            tolower((unsigned char)s[2]) == months[i][2])
            return i;
    return -1;
}

/* n digits at s, or -1 */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t mktime_utc(int y, int mon, int d, int h, int mi, int s)
{
    if (y < 1970 || y > 9999 || mon < 0 || mon > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || h < 0 ||
        mi < 0 || s < 0)
        return -1;
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mon, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
    return (int64_t)timegm(&tm);
}

/* "HH:MM:SS" at s */
static bool clock_at(const char *s, size_t n, int *h, int *m, int *sec)
{
    if (n < 8 || s[2] != ':' || s[5] != ':')
        return false;
    *h = digits(s, 2), *m = digits(s + 3, 2), *sec = digits(s + 6, 2);
    return *h >= 0 && *m >= 0 && *sec >= 0;
}

/* "YYYY/MM/DD HH:MM:SS" (nginx) or "YYYY-MM-DD[T ]HH:MM:SS" (ISO) */
static int64_t ymd(const char *s, size_t n)
{
    int h, m, sec;
    if (n < 19 || (s[4] != '/' && s[4] != '-') || s[7] != s[4] || (s[10] != ' ' && s[10] != 'T') ||
        !clock_at(s + 11, n - 11, &h, &m, &sec))
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    return y < 0 || mo < 1 || d < 0 ? -1 : mktime_utc(y, mo - 1, d, h, m, sec);
}

/* "[Mon Dec 07 11:00:00.123456 2026]" (Apache) */
static int64_t apache(const char *s, size_t n)
{
    int h, m, sec;
    if (n < 26 || s[0] != '[' || s[4] != ' ' || s[8] != ' ' || s[11] != ' ' || !clock_at(s + 12, n - 12, &h, &m, &sec))
        return -1;
    const char *y = memchr(s + 20, ' ', n - 20 < 12 ? n - 20 : 12);
    if (!y || (size_t)(y - s) + 5 > n)
        return -1;
    return mktime_utc(digits(y + 1, 4), month_of(s + 5), digits(s + 9, 2), h, m, sec);
}

/* "Dec  7 11:00:00" (syslog, no year) */
static int64_t syslog_time(const char *s, size_t n, int year)
{
    int h, m, sec;
    if (n < 15 || s[3] != ' ' || month_of(s) < 0 || !clock_at(s + 7, n - 7, &h, &m, &sec))
        return -1;
    int d = s[4] == ' ' ? digits(s + 5, 1) : digits(s + 4, 2);
    return d < 0 ? -1 : mktime_utc(year, month_of(s), d, h, m, sec);
}

/* "[07/Dec/2026:11:00:00" anywhere (HAProxy's accept date) */
static int64_t haproxy(const char *s, size_t n)
{
    for (const char *p = memchr(s, '[', n); p; p = memchr(p + 1, '[', (size_t)(s + n - (p + 1)))) {
        size_t left = (size_t)(s + n - p);
        int h, m, sec;
        if (left >= 21 && p[3] == '/' && p[7] == '/' && p[12] == ':' && clock_at(p + 13, left - 13, &h, &m, &sec))
            return mktime_utc(digits(p + 8, 4), month_of(p + 4), digits(p + 1, 2), h, m, sec);
    }
    return -1;
}

int64_t td_ltime(const char *s, size_t n, int year)
{
    int64_t t = ymd(s, n);
    if (t < 0)
        t = apache(s, n);
    if (t < 0)
        t = syslog_time(s, n, year);
    if (t < 0)
        t = haproxy(s, n);
    return t;
}

int64_t td_lsince(const char *s, int64_t now_local, int year)
{
    size_t n = strlen(s);
    if (n >= 2 && n <= 8 && strspn(s, "0123456789") == n - 1) {
        long v = 0;
        for (size_t i = 0; i + 1 < n; i++)
            v = v * 10 + (s[i] - '0');
        long unit = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60 : s[n - 1] == 'h' ? 3600 : s[n - 1] == 'd' ? 86400 : 0;
        return unit ? now_local - (int64_t)v * unit : -1;
    }
    if (n == 10) {
        char buf[20];
        snprintf(buf, sizeof buf, "%s 00:00:00", s);
        return ymd(buf, 19);
    }
    if (n == 16) {
        char buf[20];
        snprintf(buf, sizeof buf, "%s:00", s);
        return ymd(buf, 19);
    }
    return td_ltime(s, n, year);
}

/* ----------------------------------------------------------- the client */

static void copy_addr(char *out, size_t cap, const char *s, size_t n)
{
    /* "10.1.2.3:50000" -> "10.1.2.3"; "[::1]:443" -> "::1"; a bare IPv6
     * address (several colons, no brackets) is kept whole */
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close)
            s++, n = (size_t)(close - s);
    } else {
        const char *c1 = memchr(s, ':', n);
        if (c1 && !memchr(c1 + 1, ':', (size_t)(s + n - (c1 + 1))))
            n = (size_t)(c1 - s);
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (isxdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == ':')
            out[k++] = s[i];
        else
            break;
    out[k] = '\0';
}

/* a run of address characters (and a port) ending at one of stop */
static size_t token(const char *s, size_t n, const char *stop)
{
    size_t i = 0;
    while (i < n && !strchr(stop, s[i]))
        i++;
    return i;
}

static void client_of(const char *s, size_t n, char *out, size_t cap)
{
    static const char *const keys[] = { ", client: ", "[client ", "handshake error from " };
    for (size_t k = 0; k < 3; k++) {
        size_t kl = strlen(keys[k]);
        const char *at = memmem(s, n, keys[k], kl);
        if (at) {
            at += kl;
            copy_addr(out, cap, at, token(at, (size_t)(s + n - at), k == 1 ? "] " : ", "));
            return;
        }
    }
    /* HAProxy: "10.1.2.3:50000 [07/Dec/2026:..." after the syslog prefix */
    for (const char *b = memmem(s, n, " [", 2); b; b = memmem(b + 1, (size_t)(s + n - (b + 1)), " [", 2)) {
        if ((size_t)(s + n - b) < 5 || !isdigit((unsigned char)b[2]) || b[4] != '/')
            continue;
        const char *start = b;
        while (start > s && start[-1] != ' ')
            start--;
        copy_addr(out, cap, start, (size_t)(b - start));
        return;
    }
}

static void sni_of(const char *s, size_t n, char *out, size_t cap)
{
    static const char *const keys[] = { "ssl_fc_sni=", "servername ", ", host: \"" };
    for (size_t k = 0; k < 3; k++) {
        size_t kl = strlen(keys[k]);
        const char *at = memmem(s, n, keys[k], kl);
        if (!at)
            continue;
        at += kl;
        size_t i = 0;
        while (i + 1 < cap && at + i < s + n && (isalnum((unsigned char)at[i]) || at[i] == '.' || at[i] == '-' ||
                                                  at[i] == '_' || at[i] == '*'))
            out[i] = at[i], i++;
        out[i] = '\0';
        return;
    }
}

/* ------------------------------------------------------------- the line */

/* Texts a TLS failure line holds one of: cheap to look for, so that the
 * matcher runs on those lines only. */
static bool tls_line(const char *s, size_t n)
{
    return memmem(s, n, "SSL", 3) || memmem(s, n, "ssl", 3) || memmem(s, n, "TLS", 3) || memmem(s, n, "tls", 3) ||
           memmem(s, n, "andshake", 8) || memmem(s, n, "HTTPS", 5);
}

void td_lparse(const td_kb *kb, const char *s, size_t n, char *norm, td_lrec *r)
{
    memset(r, 0, sizeof *r);
    r->t = -1;
    r->writer = TD_XSIDE_SERVER;
    if (!tls_line(s, n))
        return;
    td_xnorm(s, n, norm, n + 1);
    /* the servers' own texts; OpenSSL's reasons come as packed codes there */
    static const unsigned servers = 1u << TD_XSW_NGINX | 1u << TD_XSW_APACHE | 1u << TD_XSW_HAPROXY |
                                    1u << TD_XSW_GO | 1u << TD_XSW_TLS;
    r->nhits = td_xmatch_line_sw(kb, norm, n, NULL, servers, r->hits, TD_LREC_HITS);
    if (r->nhits == 0)
        return;
    if (memmem(norm, n, "to upstream", 11) || memmem(norm, n, "ssl proxy", 9))
        r->writer = TD_XSIDE_CLIENT;
    const char *th = memmem(s, n, "[pid ", 5);
    if (th) {
        size_t k = token(th, (size_t)(s + n - th), "]");
        if (k + 1 < sizeof r->thread)
            memcpy(r->thread, th, k), r->thread[k] = '\0';
    }
    client_of(s, n, r->client, sizeof r->client);
    sni_of(s, n, r->sni, sizeof r->sni);
    if (memmem(norm, n, "ssl library error: ", 19))
        r->kind = TD_LREC_REASON;
    else if (memmem(norm, n, "ah02008: ", 9) || memmem(norm, n, "ah01996: ", 9))
        r->kind = TD_LREC_OPENS;
    else if (r->client[0])
        r->kind = TD_LREC_FAIL; /* a failure names its client; start-up warnings do not */
}
