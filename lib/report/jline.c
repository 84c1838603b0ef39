#include "report/jline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The comma before a member that is not the first, then "key":. */
static void member(td_str *b, const char *key)
{
    if (b->len && b->s[b->len - 1] != '{' && b->s[b->len - 1] != '[')
        td_str_addn(b, ",", 1);
    if (key) {
        td_str_addn(b, "\"", 1);
        td_str_add(b, key);
        td_str_addn(b, "\":", 2);
    }
}

void td_jl_open(td_str *b, const char *key, char bracket)
{
    member(b, key);
    td_str_addn(b, &bracket, 1);
}

void td_jl_close(td_str *b, char bracket)
{
    td_str_addn(b, &bracket, 1);
}

/* RFC 8259 section 7: the quotation mark, the reverse solidus and the
 * control characters escaped; everything else (UTF-8 included) as is. */
static void quoted(td_str *b, const char *v)
{
    td_str_addn(b, "\"", 1);
    const char *run = v;
    for (const char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        td_str_addn(b, run, (size_t)(p - run));
        char esc[8];
        if (ch == '"' || ch == '\\')
            snprintf(esc, sizeof esc, "\\%c", ch);
        else if (ch == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (ch == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else
            snprintf(esc, sizeof esc, "\\u%04x", ch);
        td_str_add(b, esc);
        run = p + 1;
    }
    td_str_add(b, run);
    td_str_addn(b, "\"", 1);
}

void td_jl_str(td_str *b, const char *key, const char *v)
{
    member(b, key);
    if (v)
        quoted(b, v);
    else
        td_str_addn(b, "null", 4);
}

void td_jl_int(td_str *b, const char *key, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    member(b, key);
    td_str_addn(b, num, (size_t)n);
}

void td_jl_bool(td_str *b, const char *key, bool v)
{
    member(b, key);
    td_str_add(b, v ? "true" : "false");
}

void td_jl_null(td_str *b, const char *key)
{
    member(b, key);
    td_str_addn(b, "null", 4);
}

/* Integer arithmetic rather than printf's floating-point conversion, which
 * is the dearest part of a line. */
void td_jl_fixed(td_str *b, const char *key, double v, unsigned decimals)
{
    if (decimals > 9)
        decimals = 9;
    double scale = 1;
    for (unsigned k = 0; k < decimals; k++)
        scale *= 10;
    double r = round(fabs(v) * scale);
    if (!isfinite(v) || r >= 9.2e18) {
        td_jl_null(b, key);
        return;
    }
    uint64_t u = (uint64_t)r, unit = (uint64_t)scale;
    uint64_t whole = u / unit, frac = u % unit;
    char num[48];
    int n = snprintf(num, sizeof num, "%s%llu.", v < 0 && u ? "-" : "", (unsigned long long)whole);
    char digits[10];
    for (unsigned k = decimals; k-- > 0;) {
        digits[k] = (char)('0' + frac % 10);
        frac /= 10;
    }
    size_t nd = decimals;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (nd == 0)
        digits[nd++] = '0';
    memcpy(num + n, digits, nd);
    member(b, key);
    td_str_addn(b, num, (size_t)n + nd);
}

void td_jl_raw(td_str *b, const char *key, const char *json)
{
    member(b, key);
    td_str_add(b, json ? json : "null");
}
