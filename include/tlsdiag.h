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

#include <signal.h>
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
    TD_ERR_DB = -3,       /* the history database: unreachable, refused, or newer than this library */
    TD_ERR_INTERRUPTED = -4, /* stopped on request before the end (td_scan_run) */
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

/* "host", "host:port", "1.2.3.4:443", "[::1]:8443"; the port defaults to 443,
 * or with td_options_set_starttls() (called before or after) to the
 * protocol's usual port (smtp 25, imap 143, postgres 5432, ...). */
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
/* Upgrades every connection to TLS the way the protocol does before the
 * handshake: "smtp", "lmtp", "imap", "pop3", "ftp", "xmpp", "xmpp-server",
 * "ldap", "postgres", "mysql", "nntp", "sieve", "irc"; "postgres-direct"
 * for PostgreSQL 17's direct TLS (ALPN "postgresql", no exchange before).
 * NULL or "" clears it.  Without it, a port that greets in SMTP, IMAP,
 * POP3, FTP or MySQL is checked through that protocol's upgrade (the report
 * says so).  Through an upgrade the connection cap defaults to twice 8,
 * unless td_options_set_max_connections() was called. */
td_status td_options_set_starttls(td_options *o, const char *protocol);
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
/* Every connection of the check goes through this proxy:
 * "http://[user:pass@]host[:port]" (HTTP CONNECT; port 3128 by default),
 * "https://..." (HTTP CONNECT inside TLS to the proxy; port 443 by
 * default), "socks5://..." (the target resolved here) or "socks5h://..."
 * (resolved by the proxy; port 1080 by default); no scheme means http://,
 * as for curl. */
td_status td_options_set_proxy(td_options *o, const char *url);
/* An https:// proxy's certificate is verified against the CA
 * certificates in this PEM file instead of the system's store (curl's
 * --proxy-cacert).  TD_ERR_USAGE when it cannot be read or holds none. */
td_status td_options_set_proxy_cacert(td_options *o, const char *path);
/* An https:// proxy's certificate is not verified (curl's
 * --proxy-insecure). */
void td_options_set_proxy_insecure(td_options *o, bool insecure);
/* Takes the proxy from the environment as curl does, when no proxy is set:
 * https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY, unless no_proxy (or
 * NO_PROXY) matches the target (names with their subdomains, IPs, CIDR
 * ranges, "*").  A malformed variable makes td_check() fail with
 * TD_ERR_USAGE. */
void td_options_set_proxy_env(td_options *o, bool use);
/* The certificate must come from a CA whose name holds this text (case
 * does not matter), e.g. "Let's Encrypt": any other issuer is reported as
 * TLS_INTERCEPTED. */
td_status td_options_set_expect_issuer(td_options *o, const char *name);
/* Public key pins as curl's --pinnedpubkey: "sha256//BASE64", several
 * separated by ';' (up to 8 in all); a leaf key matching none of them is
 * reported as TLS_INTERCEPTED. */
td_status td_options_add_pin(td_options *o, const char *pins);
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
/* One self-contained HTML page (inline CSS and SVG, no request when
 * opened): the verdict, root cause, handshake diagram, clients, chain,
 * versions and every finding.  0, or -1 when memory or the write failed. */
int td_report_write_html(const td_report *r, FILE *f);
/* What td_report_write_text_ex prints, or-ed together. */
enum {
    TD_TEXT_COLOR = 1 << 0,   /* ANSI colours */
    TD_TEXT_VERBOSE = 1 << 1, /* the long form: every finding with its evidence,
                                 fix and verify command, every client, the
                                 certificate chain, the path and the observations */
};
/* The report for people.  Without TD_TEXT_VERBOSE it fits a screen: the
 * verdict, the handshake, the root cause with its fix and verify command, a
 * line per group of findings that follow from it, the other problems, the
 * failing clients; wrapped to width columns (0 means 80; at least 40).  A
 * verify command is broken only at a space outside quotes, the line ending
 * in " \", so it still pastes into a shell; a word wider than a line stays
 * whole.  The long form keeps each item on one line, whatever the width.
 * Returns 0, or -1 when memory or the write failed. */
int td_report_write_text_ex(const td_report *r, FILE *f, unsigned flags, unsigned width);
/* td_report_write_text_ex() in 80 columns; color adds ANSI colours. */
int td_report_write_text(const td_report *r, FILE *f, bool color);
void td_report_free(td_report *r);

/* ------------------------------------------------------------ explain
 * Explains an error text (a curl, OpenSSL, Java, Go, Node.js, Python, .NET,
 * browser message, or a server's log lines) or a code:
 *
 *     td_explain *x = td_explain_new();
 *     td_explain_add_text(x, text, len);     (or td_explain_add_code)
 *     td_explain_run(x);
 *     td_explain_write_text(x, stdout, false);
 *     td_explain_free(x);
 *
 * The candidates are catalog IDs (docs/diagnoses.md), best first. */
typedef struct td_explain td_explain;

td_explain *td_explain_new(void);
void td_explain_free(td_explain *x);
/* Why the last failed call on x failed; NULL when it did not. */
const char *td_explain_error(const td_explain *x);
/* Any bytes: lines are looked at one by one; a line over 64 KiB or with a
 * NUL byte is skipped and counted.  TD_ERR_INTERNAL when the compiled-in
 * knowledge does not load. */
td_status td_explain_add_text(td_explain *x, const char *text, size_t len);
/* kind "alert" (a TLS alert number), "x509" (an OpenSSL verify code),
 * "openssl" (a packed error code in hex, OpenSSL 1.1 or 3, or a reason
 * code), "curl" (an exit code).  TD_ERR_USAGE for an unknown code. */
td_status td_explain_add_code(td_explain *x, const char *kind, const char *code);
/* Ranks the causes; TD_OK also when nothing was recognised (no candidate). */
td_status td_explain_run(td_explain *x);
size_t td_explain_candidate_count(const td_explain *x);
const char *td_explain_candidate_id(const td_explain *x, size_t i);
/* Sets the target (and SNI) of the check that decides between the
 * candidates, from the text; TD_ERR_USAGE when the text names no server. */
td_status td_explain_check_options(const td_explain *x, td_options *o);
/* Narrows the answer with the report of that check: the first candidate the
 * check finds is the one answer, with the check's evidence. */
td_status td_explain_narrow(td_explain *x, const td_report *r);
/* Whether any line of the input was recognised. */
bool td_explain_recognised(const td_explain *x);
/* Schema: docs/json.md ("tlsdiag explain").  Return 0, or -1 when the
 * write failed. */
int td_explain_write_json(const td_explain *x, FILE *f);
int td_explain_write_text(const td_explain *x, FILE *f, bool color);

/* --------------------------------------------------------------- logs
 * Summarises the failed handshakes in server logs (nginx and Apache httpd
 * error logs, HAProxy logs, journald exports of them; gzip or plain):
 *
 *     td_logs *l = td_logs_new();
 *     td_logs_add_file(l, "/var/log/nginx/error.log");   ("-": stdin)
 *     td_logs_write_text(l, stdout, false);
 *     td_logs_free(l);
 *
 * Memory is bounded whatever the size of the logs: counters, never lines. */
typedef struct td_logs td_logs;

td_logs *td_logs_new(void);
void td_logs_free(td_logs *l);
const char *td_logs_error(const td_logs *l);
/* Only what was logged from then on: "2026-12-07 10:00", "2026-12-07
 * 10:00:00", "2026-12-07T10:00:00", a date, or an age: "90m", "2h", "3d". */
td_status td_logs_set_since(td_logs *l, const char *when);
/* Reads a whole file ("-": standard input, gzip or not).  A line over
 * 64 KiB or with a NUL byte is skipped and counted.  TD_ERR_USAGE with the
 * reason in td_logs_error() for a file that cannot be read. */
td_status td_logs_add_file(td_logs *l, const char *path);
/* The same for text in memory (whole lines). */
td_status td_logs_add_text(td_logs *l, const char *text, size_t len);
/* Reads path and then what is appended to it, calling tick at most every
 * interval seconds when lines came in, until *stop is set or tick returns
 * nonzero. */
typedef int (*td_logs_tick)(const td_logs *l, void *arg);
td_status td_logs_follow(td_logs *l, const char *path, double interval, td_logs_tick tick, void *arg,
                         volatile sig_atomic_t *stop);
/* Failed handshakes counted so far. */
unsigned long long td_logs_failure_count(const td_logs *l);
/* Schema: docs/json.md ("tlsdiag logs").  0, or -1 when the write failed. */
int td_logs_write_json(const td_logs *l, FILE *f);
int td_logs_write_text(const td_logs *l, FILE *f, bool color);

/* --------------------------------------------------------------- pcap
 * Diagnoses the TLS handshakes in a packet capture (pcap or pcapng, as
 * tcpdump, dumpcap and Wireshark write them):
 *
 *     td_capture *c = td_capture_new();
 *     td_capture_set_port(c, 443);                       (optional filters)
 *     if (td_capture_read_file(c, "tls.pcap") != TD_OK)  ("-": stdin)
 *         errx(2, "%s", td_capture_error(c));
 *     td_capture_write_text(c, stdout, 0);
 *     bool broken = td_capture_failed(c);
 *     td_capture_free(c);
 *
 * Each TCP connection is reassembled and its handshake judged by the same
 * rules and catalog IDs as a check, plus what only a capture shows (the
 * client's alerts, resets that did not come from the server).  Memory is
 * bounded per connection; a connection idle for a long stretch of the
 * capture is judged and released. */
typedef struct td_capture td_capture;

td_capture *td_capture_new(void);
void td_capture_free(td_capture *c);
/* Why the last failed call on c failed, in one line; NULL when it did not. */
const char *td_capture_error(const td_capture *c);
/* Something the reader put up with (a file cut short in its last packet),
 * in one line; NULL when nothing. */
const char *td_capture_warning(const td_capture *c);
/* Only connections with this port on either side (1 to 65535). */
td_status td_capture_set_port(td_capture *c, unsigned port);
/* Only connections with this IPv4 or IPv6 address on either side. */
td_status td_capture_set_host(td_capture *c, const char *addr);
/* Only the n-th TCP connection of the file (from 0, in the order of their
 * first packets, after the filters above), reported whatever its verdict. */
td_status td_capture_set_stream(td_capture *c, unsigned long n);
/* The session keys clients logged (SSLKEYLOGFILE format): TLS 1.3
 * handshakes whose keys it holds are opened to read the server's
 * certificate and CertificateRequest, the client's certificate and the
 * alerts either side sent encrypted.  TD_ERR_USAGE when the file cannot
 * be read or holds no key log line. */
td_status td_capture_set_keylog(td_capture *c, const char *path);
/* --replay HOST[:PORT] (443 when no port): keeps the ClientHello of the
 * connection --stream names, else of the first failed connection with
 * one, else of the first with one, for td_capture_replay().  TD_ERR_USAGE
 * for a malformed target. */
td_status td_capture_set_replay(td_capture *c, const char *target);
/* After td_capture_read_*: sends that hello to the live server, takes it
 * apart when turned down, confirms what it names, and judges it; the
 * reports then carry a Replay section (text) or object (JSON).
 * TD_ERR_USAGE with the reason in td_capture_error() when the target does
 * not resolve or the capture holds no whole ClientHello to send. */
td_status td_capture_replay(td_capture *c);
/* Reads and judges a whole capture ("-": standard input).  TD_ERR_USAGE
 * with the reason in td_capture_error() for input that is no capture, a
 * link type it does not read, or a capture without a TLS handshake. */
td_status td_capture_read_file(td_capture *c, const char *path);
/* The same for a capture file in memory (for tests and fuzzing). */
td_status td_capture_read_mem(td_capture *c, const void *data, size_t len);
/* TLS handshakes seen, and those with a finding of severity fail. */
size_t td_capture_handshake_count(const td_capture *c);
size_t td_capture_failure_count(const td_capture *c);
bool td_capture_failed(const td_capture *c);
/* The summary (handshakes, failures by root cause and by server), then
 * each failed connection: its ladder and findings with fix and verify;
 * TD_TEXT_VERBOSE adds every connection and every finding.  0, or -1 when
 * memory or the write failed. */
int td_capture_write_text(const td_capture *c, FILE *f, unsigned flags);
/* The same report as one self-contained HTML page (inline CSS and SVG, no
 * request when opened): the summary with a chart of the root causes, then
 * a section per connection the text lists (TD_TEXT_VERBOSE: as for the
 * text) with its ladder drawn as a sequence diagram.  0, or -1 when memory
 * or the write failed. */
int td_capture_write_html(const td_capture *c, FILE *f, unsigned flags);
/* JSON lines (docs/json.md, "tlsdiag pcap"): one object per connection,
 * then a summary object.  After td_capture_set_json_stream() the
 * connections are already written: only the summary is left. */
int td_capture_write_json(const td_capture *c, FILE *f);
/* Called before td_capture_read_*: each connection's JSON line goes to f
 * as soon as the connection is judged, and none is kept, so memory stays
 * bounded whatever the size of the capture.  The text report keeps the
 * first failed connections only (it says how many more there were). */
td_status td_capture_set_json_stream(td_capture *c, FILE *f);
/* ------------------------------------------------------------ history
 * Keeps the reports of checks in a database (SQLite or PostgreSQL), run
 * after run, and says what changed between runs:
 *
 *     td_history *h = td_history_new();
 *     if (td_history_open(h, "sqlite:tls.db", TD_HISTORY_CREATE) != TD_OK)
 *         errx(3, "%s", td_history_error(h));
 *     long long run;
 *     td_history_run_begin(h, "nightly", NULL, &run);
 *     td_history_record(h, run, report);          (once per target checked)
 *     td_history_run_end(h, run);
 *     td_history_free(h);
 *
 * Each record is one transaction: a crash loses at most the target being
 * written.  Schema: docs/internals.md ("history"). */
typedef struct td_history td_history;
typedef struct td_diff td_diff;

td_history *td_history_new(void);
/* Closes the database. */
void td_history_free(td_history *h);
/* Why the last failed call on h failed, in one line; NULL when it did not. */
const char *td_history_error(const td_history *h);
enum {
    TD_HISTORY_CREATE = 1 << 0, /* create a SQLite file that does not exist */
};
/* url: "sqlite:PATH", "PATH" (SQLite too), "postgresql://..." or
 * "postgres://..." (libpq's URL, connect_timeout 10 s unless it says
 * otherwise).  Brings the schema up to date.  TD_ERR_USAGE for a bad URL;
 * TD_ERR_DB when the database cannot be opened or reached, or its schema
 * is newer than this library. */
td_status td_history_open(td_history *h, const char *url, unsigned flags);
/* Starts a run, now: command is what ran (for people), shard "I/N" for one
 * shard of a scan or NULL.  *run gets its id. */
td_status td_history_run_begin(td_history *h, const char *command, const char *shard, long long *run);
/* Records one checked target of the run: its host, port and address, the
 * verdict, the root cause, every finding, the certificates served and the
 * clients that fail. */
td_status td_history_record(td_history *h, long long run, const td_report *r);
/* Marks the run finished (a run never ended was stopped). */
td_status td_history_run_end(td_history *h, long long run);

/* What changed between two runs: each target's latest record up to the
 * newest run against its latest record up to the baseline.  since: NULL
 * (the run before the newest), a run id ("12"), or a time (UTC: 2026-12-07,
 * "2026-12-07 10:00", 2026-12-07T10:00:00Z) or an age (90m, 2h, 3d): the
 * last run started then or before.  warn_days: certificates that end within
 * that many days are listed (0 to 3650).  TD_ERR_USAGE for a bad since, no
 * run yet, or no run at that time. */
td_status td_history_diff(td_history *h, const char *since, unsigned warn_days, td_diff **out);
/* Whether something got worse: a new failure, another root cause, a client
 * newly shut out. */
bool td_diff_worse(const td_diff *d);
/* Changes found, expiring certificates included. */
size_t td_diff_change_count(const td_diff *d);
/* The answer first, then a section per kind of change.  0, or -1 when
 * memory or the write failed. */
int td_diff_write_text(const td_diff *d, FILE *f);
/* Schema: docs/json.md ("tlsdiag diff"). */
int td_diff_write_json(const td_diff *d, FILE *f);
void td_diff_free(td_diff *d);
/* --------------------------------------------------------------- lint
 * Reads a server's configuration, computes the TLS policy each virtual
 * server really has (inheritance, defaults, the cipher strings expanded by
 * the linked OpenSSL, the certificate and key files read) and reports what
 * will fail and why, each finding with its file:line, the exact edit and a
 * verify command.  This version reads nginx configurations:
 *
 *     td_lint *l = td_lint_new();
 *     if (td_lint_run(l, "/etc/nginx/nginx.conf") != TD_OK)   (or td_lint_run_dump)
 *         errx(2, "%s", td_lint_error(l));
 *     td_lint_write_text(l, stdout, false);
 *     td_lint_free(l);
 */
typedef struct td_lint td_lint;

td_lint *td_lint_new(void);
void td_lint_free(td_lint *l);
const char *td_lint_error(const td_lint *l);
/* "nginx" (apache and haproxy: TD_ERR_USAGE, not read by this version);
 * unset, the kind is detected from the content. */
td_status td_lint_set_server(td_lint *l, const char *kind);
/* Also compares each server's effective policy with one of Mozilla's
 * server-side TLS profiles (guidelines 5.7, compiled in): "modern",
 * "intermediate" or "old"; each departure is a CONFIG_PROFILE_DEVIATION. */
td_status td_lint_set_profile(td_lint *l, const char *name);
/* Also runs td_check() against each TLS listener (at host, or at the
 * listen address when host is NULL; a wildcard address as the loopback
 * address) with its default server's name as SNI, and reports
 * CONFIG_LIVE_MISMATCH where the certificate sent or the versions
 * accepted are not what the configuration says. */
td_status td_lint_set_live(td_lint *l, const char *host);
/* The trust store chain completeness is judged against, as td_check's. */
td_status td_lint_set_ca_file(td_lint *l, const char *path);
td_status td_lint_set_ca_path(td_lint *l, const char *dir);
/* Reads and judges the configuration whose main file is path.
 * TD_ERR_USAGE with the reason in td_lint_error() when it cannot be read at
 * all (a missing main file, an include loop); a file that cannot be
 * followed is a note instead.  Runs once per object. */
td_status td_lint_run(td_lint *l, const char *path);
/* The same for the output of `nginx -T` in memory: its "# configuration
 * file PATH:" lines name the files, the first one is the main file. */
td_status td_lint_run_dump(td_lint *l, const char *text, size_t len);
bool td_lint_failed(const td_lint *l);
size_t td_lint_finding_count(const td_lint *l);
const char *td_lint_finding_id(const td_lint *l, size_t i);
/* The verdict first, then each finding with file:line, the fix and the
 * verify command, then the notes.  0, or -1 when the write failed. */
int td_lint_write_text(const td_lint *l, FILE *f, bool color);
/* Schema: docs/json.md ("tlsdiag lint"): findings as check's, plus
 * location {file, line} and edit. */
int td_lint_write_json(const td_lint *l, FILE *f);
/* A unified diff (`patch -p0` applies it) making every exact edit. */
int td_lint_write_diff(const td_lint *l, FILE *f);
/* --------------------------------------------------------------- scan
 * Checks a fleet: every target of a list, on one event loop, with caps on
 * connections in all and per IP address:
 *
 *     td_scan *s = td_scan_new();
 *     td_scan_set_options(s, o);        (check's options, for every target)
 *     td_scan_add_input(s, "targets.txt");
 *     td_scan_set_json(s, true);
 *     td_scan_run(s, STDOUT_FILENO, &stop);
 *     td_scan_free(s);
 *
 * The list has one target a line (docs/tlsdiag.1, "TARGET LISTS"): host,
 * host:port, https:// URL, [IPv6]:port, an address, or a range
 * ADDR/LEN:PORT, then optional settings sni=NAME, no-sni, client=ID,...;
 * '#' starts a comment. */
typedef struct td_scan td_scan;

td_scan *td_scan_new(void);
void td_scan_free(td_scan *s);
const char *td_scan_error(const td_scan *s);
/* Copies o: check's options as the defaults of every target (its target
 * is not used). */
td_status td_scan_set_options(td_scan *s, const td_options *o);
/* "quick" (the baseline, certificate, trust, SNI and the clients) or
 * "full" (the whole check, the default). */
td_status td_scan_set_profile(td_scan *s, const char *name);
/* Open connections in all, 1 to 4096 (default 64); also the most checks
 * in flight. */
td_status td_scan_set_concurrency(td_scan *s, unsigned n);
/* Open connections to one IP address, and checks in flight against it: 0
 * (no cap) to 4096, default 8. */
td_status td_scan_set_per_ip(td_scan *s, unsigned n);
/* New connections a second to one IP address; 0 = no limit (default). */
td_status td_scan_set_rate(td_scan *s, double per_second);
/* One JSON line per target and a summary line, or (false, the default)
 * one line per failing target and a summary table. */
void td_scan_set_json(td_scan *s, bool json);
/* Also the run's page on f, written when the run ends (after the summary,
 * also when stopped): one self-contained HTML page with a row and a section
 * for each target this run wrote (with a state file, not those an earlier
 * run wrote; with a shard, this shard's), a chart of the root causes and
 * the expiry timeline.  f stays the caller's; NULL (the default): no page. */
void td_scan_set_html(td_scan *s, FILE *f);
/* A progress line, rewritten in place, on f (a terminal); NULL: none. */
void td_scan_set_progress(td_scan *s, FILE *f);
/* Only the targets whose IP address hashes to shard i of n (0 <= i < n). */
td_status td_scan_set_shard(td_scan *s, unsigned i, unsigned n);
/* The shard from the environment of a job array: JOB_COMPLETION_INDEX
 * (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX with shards, or
 * SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.  TD_OK without a change
 * when none is set and shards is 0. */
td_status td_scan_shard_from_env(td_scan *s, unsigned shards);
/* The shard td_scan_set_shard or td_scan_shard_from_env chose: false
 * when the scan is not sharded. */
bool td_scan_shard(const td_scan *s, unsigned *i, unsigned *n);
/* Records each finished check in h (td_history_record), as part of run
 * (from td_history_run_begin; ending it is the caller's, once td_scan_run
 * returns TD_OK).  h stays the caller's and must outlive the run; NULL: no
 * history.  A record that fails ends the run with TD_ERR_DB: the target is
 * neither written nor marked done in the state file. */
td_status td_scan_set_history(td_scan *s, td_history *h, long long run);
/* Records progress in path: a later run with the same file skips every
 * target already written. */
td_status td_scan_set_state_file(td_scan *s, const char *path);
/* A target list to read ("-": standard input); call again for more. */
td_status td_scan_add_input(td_scan *s, const char *path);
/* Runs the scan, writing to out_fd (-1: no lines, only the page of
 * td_scan_set_html).  When *stop becomes nonzero (a signal
 * handler sets it), no further check starts, those in flight are written,
 * and the run returns TD_ERR_INTERRUPTED.  TD_ERR_USAGE for an unreadable
 * list or state file, TD_ERR_INTERNAL when out of memory or the output
 * cannot be written (a full disk: the output keeps only whole lines),
 * TD_ERR_DB when the history cannot be written (td_scan_set_history; the
 * output keeps only whole lines there too). */
td_status td_scan_run(td_scan *s, int out_fd, volatile sig_atomic_t *stop);
/* Targets that failed, and input lines refused, in the last run. */
unsigned long td_scan_failure_count(const td_scan *s);

/* Joins JSON-lines outputs of td_scan_run (the shards of one scan, or the
 * runs of a resumed one): every target once, and a summary computed from
 * them all (warn_days: the expiry window).  json false: the text form. */
td_status td_merge(const char *const *parts, size_t n, bool json, unsigned warn_days, FILE *out, char *err,
                   size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
