/* tlsdiag: diagnose TLS handshake failures.
 *
 * The library behind the `tlsdiag` command.  A caller fills in options,
 * runs a check, and renders or inspects the report:
 *
 *     td_options *o = td_options_new();
 *     if (td_options_set_target(o, "example.com:443", err, sizeof err) != 0) ...
 *     td_report *r = NULL;
 *     td_check(o, &r);
 *     td_report_write_text(r, stdout, false);
 *     int code = td_report_exit_code(r);
 *     td_report_free(r);
 *     td_options_free(o);
 *
 * All types are opaque; the functions below are the whole interface. */
#ifndef TLSDIAG_H
#define TLSDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TLSDIAG_VERSION "0.1.0"

/* Exit codes of the command, and results of td_check(). */
#define TD_EXIT_OK       0 /* no finding of severity fail */
#define TD_EXIT_FAIL     1 /* at least one finding of severity fail */
#define TD_EXIT_USAGE    2 /* bad usage or input (bad option, target, file) */
#define TD_EXIT_INTERNAL 3 /* internal error (out of memory, event loop failure) */

typedef struct td_options td_options;
typedef struct td_report td_report;

const char *td_version(void);

td_options *td_options_new(void);
void td_options_free(td_options *o);
/* "host", "host:port", "1.2.3.4:443", "[::1]:8443".  Returns 0, or -1 with a
 * one-line reason in err. */
int td_options_set_target(td_options *o, const char *target, char *err, size_t errlen);
int td_options_set_sni(td_options *o, const char *name, char *err, size_t errlen);
void td_options_set_no_sni(td_options *o, bool no_sni);
/* The trust store certificates are verified against: a PEM file of CA
 * certificates, a directory hashed with `openssl rehash`, or both.  Neither
 * set: the system's store. */
int td_options_set_ca_file(td_options *o, const char *path, char *err, size_t errlen);
int td_options_set_ca_path(td_options *o, const char *dir, char *err, size_t errlen);
/* A client certificate and its private key (PEM files, may be the same
 * file), presented in one extra handshake to see whether the server accepts
 * them.  Both are required: a certificate without its key is useless. */
int td_options_set_client_cert(td_options *o, const char *cert_file, const char *key_file, char *err,
                               size_t errlen);
/* ALPN protocols to offer, comma-separated, e.g. "h2,http/1.1". */
int td_options_set_alpn(td_options *o, const char *list, char *err, size_t errlen);
/* Handshakes to the first address, to tell the backends behind a load
 * balancer apart: 1 to 64, default 4. */
int td_options_set_repeat(td_options *o, unsigned n, char *err, size_t errlen);
/* How close to its end a certificate must be to be reported as expiring:
 * 0 to 3650 days, default 21. */
int td_options_set_warn_days(td_options *o, unsigned days, char *err, size_t errlen);
/* Whether the text report prints each certificate sent in PEM (the JSON
 * report always carries them). */
void td_options_set_show_certs(td_options *o, bool show);
/* Never fetch a missing issuer certificate over HTTP (the URL its child
 * names in authorityInfoAccess), as browsers would. */
void td_options_set_no_aia(td_options *o, bool no_aia);
int td_options_set_timeout(td_options *o, double seconds, char *err, size_t errlen);
int td_options_set_deadline(td_options *o, double seconds, char *err, size_t errlen);
int td_options_set_max_connections(td_options *o, unsigned n, char *err, size_t errlen);
/* "IP" or "IP:PORT": a DNS server to ask instead of the system's. */
int td_options_set_dns_server(td_options *o, const char *server, char *err, size_t errlen);
/* Simulates only this client profile (an id from td_write_client_list(),
 * case-insensitive); call again to add more.  Without any, every profile is
 * simulated.  Returns 0, or -1 with a reason in err for an unknown id. */
int td_options_add_client(td_options *o, const char *id, char *err, size_t errlen);
/* Lists every client profile, one a line: its id, its name and the kind of
 * trust store it uses.  Returns 0, or -1 when the write failed. */
int td_write_client_list(FILE *f);

/* Runs the check.  Returns TD_EXIT_OK with *out set (the report says whether
 * the server is healthy), or TD_EXIT_USAGE / TD_EXIT_INTERNAL. */
int td_check(const td_options *o, td_report **out);

int td_report_exit_code(const td_report *r);
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
