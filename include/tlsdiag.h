/* tlsdiag: diagnose TLS handshake failures.
 *
 * The library behind the `tlsdiag` command.  A caller fills in options,
 * runs a check, and renders or inspects the report:
 *
 *     td_options *o = td_options_new();
 *     if (td_options_set_target(o, "example.com:443") != TD_OK)
 *         errx(2, "%s", td_options_error(o));
 *     td_report *r = NULL;
 *     if (td_check(o, &r) != TD_OK)
 *         errx(3, "%s", td_options_error(o));
 *     td_report_write_text(r, stdout, false);
 *     bool broken = td_report_failed(r);
 *     td_report_free(r);
 *     td_options_free(o);
 *
 * A function that can fail returns a td_status and keeps a one-line reason
 * in the object, read with td_options_error().  All types are opaque; the
 * functions below are the whole interface. */
#ifndef TLSDIAG_H
#define TLSDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TLSDIAG_VERSION "0.1.0"

typedef enum td_status {
    TD_OK = 0,
    TD_ERR_USAGE = -1,    /* bad input: a malformed value, a missing file, no target */
    TD_ERR_INTERNAL = -2, /* out of memory, event loop failure */
} td_status;

typedef struct td_options td_options;
typedef struct td_report td_report;

const char *td_version(void);

td_options *td_options_new(void);
void td_options_free(td_options *o);
/* Why the last failed call on o failed, in one line; NULL when the last
 * call that can fail did not.  Valid until the next call on o. */
const char *td_options_error(const td_options *o);
/* The setters return TD_OK, or TD_ERR_USAGE for a bad value, which leaves
 * the option as it was. */

/* "host", "host:port", "1.2.3.4:443", "[::1]:8443"; the port defaults to 443. */
td_status td_options_set_target(td_options *o, const char *target);
td_status td_options_set_sni(td_options *o, const char *name);
void td_options_set_no_sni(td_options *o, bool no_sni);
/* The trust store certificates are verified against: a PEM file of CA
 * certificates, a directory hashed with `openssl rehash`, or both.  Neither
 * set: the system's store. */
td_status td_options_set_ca_file(td_options *o, const char *path);
td_status td_options_set_ca_path(td_options *o, const char *dir);
/* A client certificate and its private key (PEM files, may be the same
 * file), presented in one extra handshake to see whether the server accepts
 * them.  Both are required: a certificate without its key is useless. */
td_status td_options_set_client_cert(td_options *o, const char *cert_file, const char *key_file);
/* ALPN protocols to offer, comma-separated, e.g. "h2,http/1.1". */
td_status td_options_set_alpn(td_options *o, const char *list);
/* Handshakes to the first address, to tell the backends behind a load
 * balancer apart: 1 to 64, default 4. */
td_status td_options_set_repeat(td_options *o, unsigned n);
/* How close to its end a certificate must be to be reported as expiring:
 * 0 to 3650 days, default 21. */
td_status td_options_set_warn_days(td_options *o, unsigned days);
/* Whether the text report prints each certificate sent in PEM (the JSON
 * report always carries them). */
void td_options_set_show_certs(td_options *o, bool show);
/* Never fetch a missing issuer certificate over HTTP (the URL its child
 * names in authorityInfoAccess), as browsers would. */
void td_options_set_no_aia(td_options *o, bool no_aia);
td_status td_options_set_timeout(td_options *o, double seconds);
td_status td_options_set_deadline(td_options *o, double seconds);
td_status td_options_set_max_connections(td_options *o, unsigned n);
/* A polite check: at most per_second new connections a second (0.05 to
 * 1000, decimals allowed), evenly spaced; 0 lifts the limit (the default).
 * The deadline still applies, so a slow rate may need a longer one.  A
 * server found cutting connections makes the check go slower still, never
 * faster. */
td_status td_options_set_rate(td_options *o, double per_second);
/* "IP", "IP:PORT" or "[IPv6]:PORT": a DNS server to ask instead of the
 * system's; the port defaults to 53. */
td_status td_options_set_dns_server(td_options *o, const char *server);
/* Simulates only this client profile (an id from td_write_client_list(),
 * case-insensitive); call again to add more.  Without any, every profile is
 * simulated.  An unknown id is TD_ERR_USAGE. */
td_status td_options_add_client(td_options *o, const char *id);
/* Which clients the server is meant to serve, after Mozilla's server-side
 * TLS guidelines: "modern" (clients with TLS 1.3), "intermediate" (with
 * TLS 1.2; the default) or "old" (back to TLS 1.0: Java 7, Android 4.4).
 * A client below the level that cannot connect is expected to fail and is
 * reported as info; one at or above it is a warning; one named with
 * td_options_add_client() fails the check.  Anything else is TD_ERR_USAGE. */
td_status td_options_set_clients_level(td_options *o, const char *level);
/* Lists every client profile, one a line: its id, its name and the kind of
 * trust store it uses.  Returns 0, or -1 when the write failed. */
int td_write_client_list(FILE *f);

/* Runs the check.  Returns TD_OK with *out set, even when the server is
 * unreachable (the report says what is wrong); or TD_ERR_USAGE (no target
 * set) or TD_ERR_INTERNAL, with the reason in td_options_error(o) (none
 * when o or out is NULL). */
td_status td_check(td_options *o, td_report **out);

/* Whether any finding has severity fail: a handshake fails for someone. */
bool td_report_failed(const td_report *r);
size_t td_report_finding_count(const td_report *r);
const char *td_report_finding_id(const td_report *r, size_t i);
const char *td_report_finding_severity(const td_report *r, size_t i); /* "fail"/"warn"/"info" */
const char *td_report_finding_summary(const td_report *r, size_t i);
/* One JSON document (schema: docs/json.md). */
int td_report_write_json(const td_report *r, FILE *f);
/* The report for people; color adds ANSI colours. */
int td_report_write_text(const td_report *r, FILE *f, bool color);
void td_report_free(td_report *r);

#ifdef __cplusplus
}
#endif

#endif
