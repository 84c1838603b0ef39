/* One line of a scan's target list.
 *
 *     # a comment; blank lines are skipped too
 *     example.com                      port 443
 *     example.com:8443  sni=www.example.com  client=java-8,android-4.4
 *     https://example.com:8443/login   the scheme https, the path ignored
 *     192.0.2.10:443    [2001:db8::1]:443    2001:db8::1
 *     192.0.2.0/24:443  [2001:db8::/120]:443   every address of the range
 *
 * After the target, settings separated by spaces: sni=NAME, no-sni,
 * client=ID[,ID...], starttls=PROTO (as check's --sni, --no-sni, --client
 * and --starttls, for this line only), starttls=none (no upgrade, whatever
 * the scan's --starttls says).  A line without a port takes its upgrade's
 * usual port (25 for smtp), else 443; an https:// URL names port 443.
 * Pure text work: nothing here resolves or connects. */
#ifndef TD_SCAN_TARGETS_H
#define TD_SCAN_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest range a line may name: 65,536 addresses (an IPv4 /16, an
 * IPv6 /112), so a typo cannot turn into billions of targets. */
#define TD_RANGE_MIN_PREFIX4 16
#define TD_RANGE_MIN_PREFIX6 112
#define TD_TLINE_MAX 4096 /* longest line read */

struct td_starttls_info;

typedef enum { TD_TL_NAME, TD_TL_ADDR, TD_TL_RANGE } td_tline_kind;

typedef struct td_tline {
    td_tline_kind kind;
    char host[256];   /* a DNS name, or an address (no brackets), or a range's first address */
    uint16_t port;
    unsigned prefix;  /* TD_TL_RANGE: the prefix length */
    bool v6;
    char sni[256];    /* sni=: "" when not given */
    bool no_sni;
    char clients[256]; /* client=: comma-separated ids, "" when not given */
    const struct td_starttls_info *starttls; /* the upgrade: starttls=PROTO, or the scan's; NULL: none */
    bool starttls_set; /* starttls= given (a protocol or none): the scan's --starttls does not apply */
    bool port_given;  /* the line names its port (or the https:// scheme does) */
    char error[256];  /* why the line was refused */
} td_tline;

/* Returns 1 for a target, 0 for a blank or comment line, -1 for a line
 * that is no target (t->error says why, naming the bad part). */
int td_tline_parse(const char *line, td_tline *t);

/* The scan's --starttls (NULL: none) for a line that names no upgrade of
 * its own; a line without a port then takes that protocol's usual port. */
void td_tline_default_starttls(td_tline *t, const struct td_starttls_info *st);

/* The count of addresses in a range line (1 for the others). */
uint32_t td_tline_count(const td_tline *t);
/* The i-th address of a range line, as text. */
void td_tline_range_at(const td_tline *t, uint32_t i, char *out, size_t cap);

#endif
