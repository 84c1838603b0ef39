/* The tlsdiag command: argument handling only; the work is in the library. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tlsdiag.h"

/* The exit status (README "Exit status"): the library returns statuses and
 * a report; only the command turns them into these. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "tlsdiag " TLSDIAG_VERSION ": diagnose TLS handshake failures\n"
    "\n"
    "Usage:\n"
    "  tlsdiag check [options] HOST[:PORT]   probe a server and explain what fails\n"
    "  tlsdiag explain [options] [TEXT]      explain an error message or log excerpt\n"
    "                                        (TEXT, or standard input)\n"
    "  tlsdiag explain alert|x509|openssl|curl CODE\n"
    "                                        explain a TLS alert, verify, OpenSSL\n"
    "                                        error or curl exit code\n"
    "  tlsdiag logs [options] FILE...        summarise the failed handshakes in nginx,\n"
    "                                        Apache httpd and HAProxy logs\n"
    "  tlsdiag pcap [options] FILE           diagnose the TLS handshakes in a packet\n"
    "                                        capture (tcpdump -w; - for stdin)\n"
    "  tlsdiag diff --db URL [options]       what changed between the checks recorded\n"
    "                                        in a history database (check --db URL)\n"
    "  tlsdiag lint [options] PATH           read an nginx, Apache httpd or HAProxy\n"
    "                                        configuration (PATH, or - for nginx -T\n"
    "                                        output) and say what will fail\n"
    "  tlsdiag scan [options] FILE|-         check every target of a list, on one\n"
    "                                        event loop, as JSON lines or a summary\n"
    "  tlsdiag merge [options] PART...       join the JSON-lines parts of a scan\n"
    "  tlsdiag help COMMAND                  the options of a command (check, explain,\n"
    "                                        logs, pcap, diff, lint, scan, merge)\n"
    "  tlsdiag --help                        this text\n"
    "  tlsdiag --version                     print the version\n"
    "\n"
    "Exit status: 0 no failure found, 1 a handshake fails (see the findings),\n"
    "2 bad usage or input, 3 internal error or the history database failed.\n";

static const char check_usage_text[] =
    "Usage: tlsdiag check [options] HOST[:PORT]\n"
    "\n"
    "Probes the server with hand-built ClientHellos, reports what fails, why,\n"
    "and how to fix it.  PORT defaults to 443.  Targets look like example.com,\n"
    "example.com:8443, 192.0.2.1:443, [2001:db8::1]:443 or 2001:db8::1.\n"
    "\n"
    "Options:\n"
    "  --sni NAME              send NAME as the server name (default: HOST,\n"
    "                          none when HOST is an IP address)\n"
    "  --no-sni                send no server name\n"
    "  --ca-file FILE          PEM file of CA certificates to trust instead of\n"
    "                          the system's store\n"
    "  --ca-path DIR           directory of CA certificates (openssl rehash)\n"
    "                          to trust; with --ca-file, both are used\n"
    "  --cert FILE --key FILE  present this client certificate (PEM) and its\n"
    "                          private key in one extra handshake; give both\n"
    "  --alpn LIST             ALPN protocols to offer, comma-separated, e.g.\n"
    "                          h2,http/1.1\n"
    "  --starttls PROTO        upgrade each connection the protocol's way\n"
    "                          first: smtp, lmtp, imap, pop3, ftp, xmpp,\n"
    "                          xmpp-server, ldap, postgres, mysql, nntp,\n"
    "                          sieve, irc; postgres-direct for PostgreSQL's\n"
    "                          direct TLS (ALPN postgresql).  Without it an\n"
    "                          SMTP, IMAP, POP3, FTP or MySQL greeting\n"
    "                          picks one.  A target without a port is on the\n"
    "                          protocol's usual one (smtp: 25)\n"
    "  --repeat N              handshakes to the first address, to compare the\n"
    "                          backends behind it; default 4, 1 to 64\n"
    "  --warn-days N           warn when a certificate expires within N days;\n"
    "                          default 21, 0 to 3650\n"
    "  --show-certs            print each certificate sent in PEM (the JSON\n"
    "                          report always has them)\n"
    "  --no-aia                never download a missing issuer certificate from\n"
    "                          the URL its child names (as browsers do)\n"
    "  --client NAME           judge the server from this real client's point\n"
    "                          of view only (its own ClientHello and checks);\n"
    "                          repeatable; default: every profile.  --client\n"
    "                          list prints the profiles (id, name, trust store)\n"
    "  --clients LEVEL         the clients the server is meant to serve, after\n"
    "                          Mozilla's server-side TLS guidelines: modern\n"
    "                          (TLS 1.3 clients), intermediate (TLS 1.2 and\n"
    "                          newer; the default) or old (back to TLS 1.0:\n"
    "                          Java 7, Android 4.4).  A client below the level\n"
    "                          that cannot connect is expected (info); one at\n"
    "                          or above it is a warning\n"
    "  -v, --verbose           the long report: every finding with its evidence,\n"
    "                          fix and verify command, every client, the\n"
    "                          certificate chain and path, the observations\n"
    "                          (default: a report that fits a screen, wrapped\n"
    "                          to the terminal's width, else $COLUMNS, else 80)\n"
    "  --json                  print one JSON document instead of text\n"
    "  --format FORMAT         what to print: text (the default), json (as\n"
    "                          --json) or html (one self-contained page)\n"
    "  --html FILE             also write the report as one self-contained HTML\n"
    "                          page to FILE (opens offline, prints, attaches)\n"
    "  --no-color              no colours (also off when NO_COLOR is set or\n"
    "                          the output is not a terminal)\n"
    "  --timeout SEC           wait per step (connect, each answer); default 5,\n"
    "                          0.05 to 300, decimals allowed\n"
    "  --deadline SEC          time for the whole check; default 60, 0.05 to 3600\n"
    "  --max-connections N     connections at once; default 8 (16 through a\n"
    "                          STARTTLS upgrade), 1 to 256\n"
    "  --rate N                at most N new connections a second (a polite\n"
    "                          check; decimals allowed, 0.05 to 1000, 0 = no\n"
    "                          limit, the default); --deadline still applies\n"
    "  --dns-server IP[:PORT]  ask this DNS server instead of the system's\n"
    "                          (an IPv6 server with a port: [ADDR]:PORT)\n"
    "  --db URL                also record the check, as a run of one target, in\n"
    "                          this history database: sqlite:PATH (or a bare\n"
    "                          PATH) or postgresql://USER@HOST/DB; see diff\n"
    "  --proxy URL             every connection through this proxy:\n"
    "                          http://[USER:PASS@]HOST[:PORT] (CONNECT),\n"
    "                          https://... (CONNECT inside TLS to the proxy),\n"
    "                          socks5://... or socks5h://... (the proxy\n"
    "                          resolves the name)\n"
    "  --proxy-env             the proxy curl would use: https_proxy,\n"
    "                          HTTPS_PROXY, all_proxy, ALL_PROXY, and no_proxy\n"
    "  --proxy-cacert FILE     an https:// proxy's certificate is checked\n"
    "                          against the CAs in FILE, not the system's\n"
    "  --proxy-insecure        an https:// proxy's certificate is not checked\n"
    "  --expect-issuer NAME    the certificate must come from a CA whose name\n"
    "                          holds NAME; any other is TLS_INTERCEPTED\n"
    "  --pin sha256//BASE64    the leaf's public key must match (as curl's\n"
    "                          --pinnedpubkey; several with ';'); repeatable\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 no failure found, 1 a handshake fails (see the findings),\n"
    "2 bad usage or input, 3 internal error or the history database failed.\n";

static const char scan_usage_text[] =
    "Usage: tlsdiag scan [options] FILE|-\n"
    "\n"
    "Checks every target of a list (FILE, or - for standard input) on one event\n"
    "loop.  One target a line: host, host:port, https://host[:port]/path,\n"
    "[IPv6]:port, an address, or a range ADDR/LEN:PORT (at most a /16, or an\n"
    "IPv6 /112); after it, optional settings sni=NAME, no-sni, client=ID[,ID],\n"
    "starttls=PROTO, starttls=none.  Without a port, a target with an upgrade\n"
    "takes the protocol's usual port (smtp 25, postgres 5432), else 443.\n"
    "'#' starts a comment.  Names are resolved once each; every address of a\n"
    "name is a target of its own.  A bad line (garbage, a bad port, a name that\n"
    "does not resolve) is reported as an error and the run goes on.\n"
    "\n"
    "Options:\n"
    "  --json                  one line per target (check's JSON document), then\n"
    "                          a summary line (default: one line per failing\n"
    "                          target, then a summary table)\n"
    "  --format FORMAT         what to print: text (the default), json (as\n"
    "                          --json) or html (one self-contained page, and\n"
    "                          no lines)\n"
    "  --html FILE             also write one self-contained HTML page to FILE:\n"
    "                          a sortable, filterable table of this run's\n"
    "                          targets (with --state, not those an earlier run\n"
    "                          wrote; with a shard, this shard's), a chart of\n"
    "                          the root causes, the expiry timeline and a\n"
    "                          section per target\n"
    "  --profile NAME          quick: baseline, certificate, trust, SNI and the\n"
    "                          clients; full: the whole check (the default)\n"
    "  --concurrency N         connections open at once in all; default 64,\n"
    "                          1 to 4096\n"
    "  --per-ip N              connections (and checks) at once to one IP\n"
    "                          address; default 8, 0 = no cap\n"
    "  --rate N                new connections a second to one IP address;\n"
    "                          0 = no limit (the default), decimals allowed\n"
    "  --state FILE            record each target written; a run with the same\n"
    "                          FILE skips them (resume after SIGINT or a crash)\n"
    "  --shard I/N             only the targets whose IP address hashes to shard\n"
    "                          I of N (0 <= I < N)\n"
    "  --shards N              the shard index from JOB_COMPLETION_INDEX or\n"
    "                          AWS_BATCH_JOB_ARRAY_INDEX; SLURM_ARRAY_TASK_ID and\n"
    "                          SLURM_ARRAY_TASK_COUNT need no --shards\n"
    "  --db URL                also keep the scan, as a run (each shard a run of\n"
    "                          its own), in this history database: sqlite:PATH\n"
    "                          (or a bare PATH) or postgresql://USER@HOST/DB;\n"
    "                          see tlsdiag help diff\n"
    "  --deadline SEC          time for each target's check; default 60\n"
    "  --starttls PROTO        as for check, the upgrade of every target whose\n"
    "                          line says no starttls=PROTO or starttls=none.\n"
    "                          A target with no upgrade asked for (starttls=none,\n"
    "                          or neither) is checked as check without\n"
    "                          --starttls: an SMTP, IMAP, POP3, FTP or MySQL\n"
    "                          greeting picks the upgrade, and the report says so\n"
    "  --sni, --no-sni, --ca-file, --ca-path, --cert, --key, --alpn, --repeat,\n"
    "  --warn-days, --no-aia, --client, --clients, --timeout,\n"
    "  --max-connections, --dns-server\n"
    "                          as for check, the defaults of every target\n"
    "                          (--max-connections: per target)\n"
    "  -h, --help              this text\n"
    "\n"
    "A progress line goes to standard error when it is a terminal.  SIGINT\n"
    "stops the run: the checks under way are finished and written, the rest\n"
    "are left for a run with the same --state.\n"
    "\n"
    "Exit status: 0 no failure found, 1 a target fails or a line is bad,\n"
    "2 bad usage, 3 internal error (or the output or the history database\n"
    "could not be written), 130 interrupted.\n";

static const char merge_usage_text[] =
    "Usage: tlsdiag merge [options] PART...\n"
    "\n"
    "Joins the outputs of tlsdiag scan --json (the shards of one scan, or the\n"
    "runs of a resumed one; - is standard input): every target once, then a\n"
    "summary computed from all of them.\n"
    "\n"
    "Options:\n"
    "  --json                  JSON lines (default: failing targets and the\n"
    "                          summary table)\n"
    "  --warn-days N           certificates ending within N days are listed;\n"
    "                          default 21\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 merged, 2 bad usage or input, 3 internal error.\n";

static const char explain_usage_text[] =
    "Usage: tlsdiag explain [options] [TEXT...]\n"
    "       tlsdiag explain [options] alert|x509|openssl|curl CODE\n"
    "\n"
    "Explains a TLS error message: which software wrote it, which handshake step\n"
    "failed and on which side, the likely causes (catalog IDs, best first) with\n"
    "the fix for the first, and the `tlsdiag check` that decides between them.\n"
    "TEXT is the message (after -- when it starts with -); without it (or with\n"
    "-) standard input is read, so a whole stack trace or log excerpt can be\n"
    "pasted or piped.  Codes: a TLS\n"
    "alert number (alert 48), an OpenSSL verify code (x509 20), a packed OpenSSL\n"
    "error code, 1.1 or 3 (openssl 0A000086), a curl exit code (curl 60).\n"
    "\n"
    "Options:\n"
    "  --check                 run the deciding check against the host, port and\n"
    "                          SNI the text names, and narrow the answer to the\n"
    "                          cause it finds\n"
    "  --ca-file FILE          with --check: trust these CA certificates (PEM)\n"
    "                          instead of the system's store\n"
    "  --json                  print one JSON document (docs/json.md)\n"
    "  --no-color              no colours\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 the text was recognised, 1 nothing in it was, 2 bad usage\n"
    "or input, 3 internal error.\n";

static const char logs_usage_text[] =
    "Usage: tlsdiag logs [options] FILE...\n"
    "\n"
    "Summarises the failed TLS handshakes in server logs: nginx and Apache httpd\n"
    "(mod_ssl) error logs, HAProxy logs, journald exports of those units\n"
    "(journalctl -o short, -o export, -o json); plain or gzip; - is standard\n"
    "input.  By cause (catalog IDs), by client address, by name (SNI), per\n"
    "minute, the first and last time seen, the top clients of each cause, and\n"
    "the fix of each cause.  Memory stays bounded whatever the size of the logs.\n"
    "\n"
    "Options:\n"
    "  --since WHEN            only what was logged from WHEN on: 2026-12-07 10:00,\n"
    "                          2026-12-07T10:00:00, a date, or an age: 90m, 2h, 3d\n"
    "  --follow                keep reading the one FILE as it grows, and print the\n"
    "                          summary every --interval seconds while lines come in,\n"
    "                          and once more when stopped (Ctrl-C)\n"
    "  --interval SEC          with --follow: seconds between summaries; default 10\n"
    "  --json                  print one JSON document (docs/json.md)\n"
    "  --no-color              no colours\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 no failed handshake, 1 failed handshakes were found, 2 bad\n"
    "usage or an unreadable file, 3 internal error.\n";

static const char pcap_usage_text[] =
    "Usage: tlsdiag pcap [options] FILE\n"
    "\n"
    "Diagnoses the TLS handshakes in a packet capture (pcap or pcapng, as\n"
    "`tcpdump -i any -s 0 -w tls.pcap port 443` writes it; - is standard input).\n"
    "Each TCP connection is reassembled and its handshake judged: a summary\n"
    "first (handshakes, failures by root cause and by server), then each failed\n"
    "connection as a ladder of what each side sent, with its findings (catalog\n"
    "IDs, as `check` names them), the fix and a verify command (the first 100\n"
    "failed connections; --json writes every one as it is judged).  Each says\n"
    "who the client is: JA3, JA4 and the client profile its hello matches, if\n"
    "any; the summary counts by client fingerprint too.  Link types:\n"
    "Ethernet (VLAN tags too), Linux cooked v1 and v2, loopback, raw IP; IPv4\n"
    "and IPv6.\n"
    "\n"
    "Options:\n"
    "  --port N                only connections with port N on either side\n"
    "  --host ADDR             only connections with the IPv4 or IPv6 address ADDR\n"
    "  --stream N              only the N-th TCP connection of the file (from 0),\n"
    "                          shown in full whatever its verdict\n"
    "  --keylog FILE           session keys the clients logged (SSLKEYLOGFILE):\n"
    "                          TLS 1.3 handshakes are opened to read the\n"
    "                          certificates, the CertificateRequest and the\n"
    "                          encrypted alerts\n"
    "  --replay HOST[:PORT]    send the captured ClientHello (of --stream N, else\n"
    "                          of the first failed connection) to the live server\n"
    "                          (port 443 by default), with a fresh random and key\n"
    "                          shares; when turned down, leave out one element at\n"
    "                          a time (padding, each extension, each group, cipher\n"
    "                          suites, signature algorithms) and name the one the\n"
    "                          server rejects, once confirmed on fresh connections\n"
    "  --json                  JSON lines: one object per connection, then a\n"
    "                          summary object (docs/json.md)\n"
    "  --format FORMAT         what to print: text (the default), json (as\n"
    "                          --json) or html (one self-contained page)\n"
    "  --html FILE             also write the report as one self-contained HTML\n"
    "                          page to FILE: the summary with a chart of the root\n"
    "                          causes, each listed connection with its ladder\n"
    "                          drawn (not with --json)\n"
    "  -v, --verbose           every connection and every finding\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 no failed handshake, 1 a handshake failed, 2 bad usage or an\n"
    "unusable file (no capture, an unknown link type, no TLS handshake), 3\n"
    "internal error.\n";
static const char diff_usage_text[] =
    "Usage: tlsdiag diff --db URL [options]\n"
    "\n"
    "Says what changed in a history database between the latest run and the one\n"
    "before (or --since): new failures, fixed ones, root causes changed,\n"
    "certificates rotated (another SHA-256), certificates expiring soon, and\n"
    "clients newly shut out.  Each target counts with its latest record up to\n"
    "each run, so a history of single checks (check --db) compares as well as\n"
    "one of scans.  Runs are recorded by tlsdiag check HOST --db URL.\n"
    "\n"
    "Options:\n"
    "  --db URL                the history: sqlite:PATH (or a bare PATH) or\n"
    "                          postgresql://USER@HOST/DB (also postgres://)\n"
    "  --since RUN|TIME        compare with run RUN, or with the last run started\n"
    "                          at or before TIME (UTC: 2026-12-07, 2026-12-07\n"
    "                          10:00, 2026-12-07T10:00:00Z) or an age (90m, 2h,\n"
    "                          3d); default: the run before the latest\n"
    "  --warn-days N           list certificates that end within N days;\n"
    "                          default 21, 0 to 3650\n"
    "  --json                  print one JSON document (docs/json.md)\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 nothing got worse, 1 a new failure, another root cause or a\n"
    "client newly shut out, 2 bad usage or input (no run yet), 3 internal error\n"
    "or the history database failed.\n";
static const char lint_usage_text[] =
    "Usage: tlsdiag lint [options] PATH\n"
    "\n"
    "Reads an nginx, Apache httpd or HAProxy configuration (PATH is the main\n"
    "file, or - for the output of nginx -T) and computes what each server\n"
    "block, VirtualHost or bind line really does: the versions, the cipher suites the linked OpenSSL makes of\n"
    "the cipher string, the certificate and key files, the upstreams.  Each\n"
    "finding names the file:line that decides, the exact edit and a command\n"
    "that verifies it.\n"
    "\n"
    "Options:\n"
    "  --server KIND           nginx, apache or haproxy (detected from the\n"
    "                          content when not given)\n"
    "  --profile LEVEL         also compare with Mozilla's server-side TLS profile\n"
    "                          modern, intermediate or old (guidelines 5.7):\n"
    "                          each departure is a CONFIG_PROFILE_DEVIATION\n"
    "  --live[=HOST]           also run check against each TLS listener (at HOST,\n"
    "                          or at the listen address) and report\n"
    "                          CONFIG_LIVE_MISMATCH where the certificate or the\n"
    "                          versions differ from the configuration\n"
    "  --ca-file FILE          judge chain completeness against these CA\n"
    "                          certificates (PEM) instead of the system's\n"
    "  --ca-path DIR           ... or against this hashed directory\n"
    "  --diff                  print the edits as a unified diff (patch -p0)\n"
    "  --json                  print one JSON document (docs/json.md)\n"
    "  --no-color              no colours\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 nothing will fail, 1 a finding of severity fail, 2 bad\n"
    "usage or a configuration that cannot be read, 3 internal error.\n";

/* Says what is wrong in one line, then where to look. */
static int usage_error(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tlsdiag: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see '%s')\n", hint);
    return EXIT_USAGE;
}

#define CHECK_HINT "tlsdiag check --help"
#define EXPLAIN_HINT "tlsdiag explain --help"
#define LOGS_HINT "tlsdiag logs --help"
#define PCAP_HINT "tlsdiag pcap --help"
#define DIFF_HINT "tlsdiag diff --help"
#define LINT_HINT "tlsdiag lint --help"
#define SCAN_HINT "tlsdiag scan --help"
#define MERGE_HINT "tlsdiag merge --help"
#define TOP_HINT   "tlsdiag --help"

/* Help and version go to stdout; a failed write there is still a failure. */
static int print_stdout(const char *text)
{
    if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
        fprintf(stderr, "tlsdiag: cannot write to standard output: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

/* Digits only: strtoul alone would take leading blanks, a sign and "0x",
 * none of which belong in a count typed on a command line. */
static bool parse_count(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (!s || !*s || s[strspn(s, "0123456789")] != '\0')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, NULL, 10);
    if (errno == ERANGE || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A count option's value, or the usage error that names its range. */
static int count_option(const char *hint, const char *opt, const char *arg, unsigned long min, unsigned long max,
                        unsigned long *out)
{
    if (parse_count(arg, min, max, out))
        return 0;
    return usage_error(hint, "%s needs a whole number from %lu to %lu, not '%.40s'", opt, min, max, arg ? arg : "");
}

/* strtod accepts leading blanks, and "inf"/"nan"; a timeout or a rate is
 * none of these.  unit names what the number counts, for the message. */
static int parse_number(const char *opt, const char *s, const char *unit, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = (s && *s && !isspace((unsigned char)*s)) ? strtod(s, &end) : NAN;
    if (!end || end == s || *end || errno == ERANGE || !isfinite(v))
        return usage_error(CHECK_HINT, "%s needs a number of %s, not '%.40s'", opt, unit, s ? s : "");
    *out = v;
    return 0;
}

static int parse_seconds(const char *opt, const char *s, double *out)
{
    return parse_number(opt, s, "seconds", out);
}

enum {
    OPT_SNI = 256,
    OPT_NO_SNI,
    OPT_CA_FILE,
    OPT_JSON,
    OPT_NO_COLOR,
    OPT_TIMEOUT,
    OPT_DEADLINE,
    OPT_MAX_CONNS,
    OPT_DNS_SERVER,
    OPT_CA_PATH,
    OPT_CERT,
    OPT_KEY,
    OPT_ALPN,
    OPT_STARTTLS,
    OPT_REPEAT,
    OPT_WARN_DAYS,
    OPT_SHOW_CERTS,
    OPT_NO_AIA,
    OPT_CLIENT,
    OPT_CLIENTS,
    OPT_VERBOSE,
    OPT_RATE,
    OPT_FORMAT,
    OPT_HTML,
    OPT_DB,
    OPT_PROXY,
    OPT_PROXY_ENV,
    OPT_PROXY_CACERT,
    OPT_PROXY_INSECURE,
    OPT_EXPECT_ISSUER,
    OPT_PIN,
};

static const struct option check_opts[] = {
    { "sni", required_argument, NULL, OPT_SNI },
    { "no-sni", no_argument, NULL, OPT_NO_SNI },
    { "ca-file", required_argument, NULL, OPT_CA_FILE },
    { "json", no_argument, NULL, OPT_JSON },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "deadline", required_argument, NULL, OPT_DEADLINE },
    { "max-connections", required_argument, NULL, OPT_MAX_CONNS },
    { "dns-server", required_argument, NULL, OPT_DNS_SERVER },
    { "ca-path", required_argument, NULL, OPT_CA_PATH },
    { "cert", required_argument, NULL, OPT_CERT },
    { "key", required_argument, NULL, OPT_KEY },
    { "alpn", required_argument, NULL, OPT_ALPN },
    { "starttls", required_argument, NULL, OPT_STARTTLS },
    { "repeat", required_argument, NULL, OPT_REPEAT },
    { "warn-days", required_argument, NULL, OPT_WARN_DAYS },
    { "show-certs", no_argument, NULL, OPT_SHOW_CERTS },
    { "no-aia", no_argument, NULL, OPT_NO_AIA },
    { "client", required_argument, NULL, OPT_CLIENT },
    { "clients", required_argument, NULL, OPT_CLIENTS },
    { "verbose", no_argument, NULL, OPT_VERBOSE },
    { "rate", required_argument, NULL, OPT_RATE },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "html", required_argument, NULL, OPT_HTML },
    { "db", required_argument, NULL, OPT_DB },
    { "proxy", required_argument, NULL, OPT_PROXY },
    { "proxy-env", no_argument, NULL, OPT_PROXY_ENV },
    { "proxy-cacert", required_argument, NULL, OPT_PROXY_CACERT },
    { "proxy-insecure", no_argument, NULL, OPT_PROXY_INSECURE },
    { "expect-issuer", required_argument, NULL, OPT_EXPECT_ISSUER },
    { "pin", required_argument, NULL, OPT_PIN },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* What the command line says beyond td_options: output choices, and the
 * options that only mean something together. */
typedef struct cli {
    bool json, html, no_color, sni, no_sni, verbose;
    const char *cert, *key; /* checked as a pair once all options are read */
    const char *html_file;  /* --html: the page goes there too */
    const char *db;         /* --db: the history to record the check in */
} cli;

#define LIST_CLIENTS (-2)

/* The library's one-line reason for the last failure on o. */
static const char *why(const td_options *o)
{
    const char *e = td_options_error(o);
    return e ? e : "invalid option value";
}

/* --format FORMAT and --html FILE, as check and pcap read them. */
static int format_option(const char *hint, int c, const char *arg, bool *json, bool *html, const char **html_file)
{
    if (c == OPT_HTML) {
        if (!*arg)
            return usage_error(hint, "--html needs a file name");
        *html_file = arg;
        return EXIT_OK;
    }
    if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 && strcmp(arg, "html") != 0)
        return usage_error(hint, "--format is text, json or html, not '%.40s'", arg);
    *json = strcmp(arg, "json") == 0;
    *html = strcmp(arg, "html") == 0;
    return EXIT_OK;
}

/* Applies one option to o; returns 0, a usage error, -1 for --help, or
 * LIST_CLIENTS for --client list. */
static int apply_option(td_options *o, int c, const char *arg, cli *cl)
{
    td_status st = TD_OK;
    double secs, per_s;
    unsigned long n;
    switch (c) {
    case OPT_SNI:
        cl->sni = true;
        st = td_options_set_sni(o, arg);
        break;
    case OPT_NO_SNI:
        cl->no_sni = true;
        td_options_set_no_sni(o, true);
        break;
    case OPT_CA_FILE:
        st = td_options_set_ca_file(o, arg);
        break;
    case OPT_JSON:
        cl->json = true;
        break;
    case OPT_FORMAT:
    case OPT_HTML:
        return format_option(CHECK_HINT, c, arg, &cl->json, &cl->html, &cl->html_file);
    case OPT_NO_COLOR:
        cl->no_color = true;
        break;
    case OPT_DB:
        cl->db = arg;
        break;
    case 'v':
    case OPT_VERBOSE:
        cl->verbose = true;
        break;
    case OPT_TIMEOUT:
        if (parse_seconds("--timeout", arg, &secs) != 0)
            return EXIT_USAGE;
        st = td_options_set_timeout(o, secs);
        break;
    case OPT_DEADLINE:
        if (parse_seconds("--deadline", arg, &secs) != 0)
            return EXIT_USAGE;
        st = td_options_set_deadline(o, secs);
        break;
    case OPT_MAX_CONNS:
        if (count_option(CHECK_HINT, "--max-connections", arg, 1, 256, &n) != 0)
            return EXIT_USAGE;
        st = td_options_set_max_connections(o, (unsigned)n);
        break;
    case OPT_DNS_SERVER:
        st = td_options_set_dns_server(o, arg);
        break;
    case OPT_CA_PATH:
        st = td_options_set_ca_path(o, arg);
        break;
    case OPT_CERT:
        cl->cert = arg;
        break;
    case OPT_KEY:
        cl->key = arg;
        break;
    case OPT_ALPN:
        st = td_options_set_alpn(o, arg);
        break;
    case OPT_STARTTLS:
        st = td_options_set_starttls(o, arg);
        break;
    case OPT_REPEAT:
        if (count_option(CHECK_HINT, "--repeat", arg, 1, 64, &n) != 0)
            return EXIT_USAGE;
        st = td_options_set_repeat(o, (unsigned)n);
        break;
    case OPT_WARN_DAYS:
        if (count_option(CHECK_HINT, "--warn-days", arg, 0, 3650, &n) != 0)
            return EXIT_USAGE;
        st = td_options_set_warn_days(o, (unsigned)n);
        break;
    case OPT_SHOW_CERTS:
        td_options_set_show_certs(o, true);
        break;
    case OPT_NO_AIA:
        td_options_set_no_aia(o, true);
        break;
    case OPT_CLIENT:
        if (arg && strcmp(arg, "list") == 0)
            return LIST_CLIENTS;
        st = td_options_add_client(o, arg);
        break;
    case OPT_CLIENTS:
        st = td_options_set_clients_level(o, arg);
        break;
    case OPT_RATE:
        if (parse_number("--rate", arg, "new connections a second", &per_s) != 0)
            return EXIT_USAGE;
        st = td_options_set_rate(o, per_s);
        break;
    case OPT_PROXY:
        st = td_options_set_proxy(o, arg);
        break;
    case OPT_PROXY_ENV:
        td_options_set_proxy_env(o, true);
        break;
    case OPT_PROXY_CACERT:
        st = td_options_set_proxy_cacert(o, arg);
        break;
    case OPT_PROXY_INSECURE:
        td_options_set_proxy_insecure(o, true);
        break;
    case OPT_EXPECT_ISSUER:
        st = td_options_set_expect_issuer(o, arg);
        break;
    case OPT_PIN:
        st = td_options_add_pin(o, arg);
        break;
    case 'h':
        return -1;
    }
    if (st != TD_OK)
        return usage_error(CHECK_HINT, "%s", why(o));
    return 0;
}

/* Columns to fit the text report to: the terminal's, else $COLUMNS (what a
 * shell exports, and what a pipe into a pager can be given), else 80. */
static unsigned output_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    unsigned long n;
    if (parse_count(getenv("COLUMNS"), 1, 10000, &n))
        return (unsigned)n;
    return 80;
}

/* Writes a page to f: 0, or -1 when memory or the write failed. */
typedef int (*page_writer)(const void *what, FILE *f);

/* The HTML page to the file --html names, written whole or not at all. */
static int write_html_file(page_writer write, const void *what, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "tlsdiag: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_INTERNAL;
    }
    int rc = write(what, f);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "tlsdiag: cannot write %s: %s\n", path, errno ? strerror(errno) : "output error");
        remove(path);
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

static int report_page(const void *r, FILE *f)
{
    return td_report_write_html(r, f);
}

static int write_report(const td_report *r, const cli *cl, bool color)
{
    if (cl->html_file && write_html_file(report_page, r, cl->html_file) != EXIT_OK)
        return EXIT_INTERNAL;
    unsigned flags = (color ? TD_TEXT_COLOR : 0) | (cl->verbose ? TD_TEXT_VERBOSE : 0);
    int rc = cl->json   ? td_report_write_json(r, stdout)
             : cl->html ? td_report_write_html(r, stdout)
                        : td_report_write_text_ex(r, stdout, flags, output_width());
    if (rc != 0 || fflush(stdout) == EOF || ferror(stdout)) {
        fprintf(stderr, "tlsdiag: cannot write the report: %s\n", errno ? strerror(errno) : "output error");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

/* A history's failure: a bad URL is bad usage; the rest is the database's. */
static int history_error(const td_history *h, td_status st, const char *hint)
{
    const char *e = td_history_error(h) ? td_history_error(h) : "history database error";
    if (st == TD_ERR_USAGE)
        return usage_error(hint, "%s", e);
    fprintf(stderr, "tlsdiag: %s\n", e);
    return EXIT_INTERNAL;
}

/* The command line a run records: what ran, without --db and its value
 * (the run is in that database, and a PostgreSQL URL may hold a password). */
static void command_line(int argc, char **argv, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "tlsdiag");
    for (int i = 0; i < argc && n < cap; i++) {
        if (!strcmp(argv[i], "--db")) {
            i++;
            continue;
        }
        if (!strncmp(argv[i], "--db=", 5))
            continue;
        n += (size_t)snprintf(buf + n, cap - n, " %s", argv[i]);
    }
}

/* Opens the history --db names before the check, so that a bad URL or an
 * unreachable database stops the command before it probes anything. */
static int history_open(td_history **out, const char *url, unsigned flags, const char *hint)
{
    td_history *h = td_history_new();
    if (!h) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return EXIT_INTERNAL;
    }
    td_status st = td_history_open(h, url, flags);
    if (st != TD_OK) {
        int rc = history_error(h, st, hint);
        td_history_free(h);
        return rc;
    }
    *out = h;
    return EXIT_OK;
}

/* A run begun before the first probe: a check is a run of one target, a
 * scan (or one shard of it, "I/N") a run of its list.  A command that
 * breaks or is stopped leaves its run unfinished. */
static int history_begin(td_history *h, int argc, char **argv, const char *shard, const char *hint, long long *run)
{
    char cmd[2048];
    command_line(argc, argv, cmd, sizeof cmd);
    td_status st = td_history_run_begin(h, cmd, shard, run);
    return st == TD_OK ? EXIT_OK : history_error(h, st, hint);
}

static int history_record(td_history *h, long long run, const td_report *r)
{
    td_status st = td_history_record(h, run, r);
    if (st == TD_OK)
        st = td_history_run_end(h, run);
    return st == TD_OK ? EXIT_OK : history_error(h, st, CHECK_HINT);
}

static int cmd_check(int argc, char **argv, td_options *o)
{
    cli cl = { 0 };
    opterr = 0; /* the messages below say more than getopt's */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":hv", check_opts, NULL)) != -1) {
        if (c == '?') {
            /* glibc reports "--json=1" with the long option's own value */
            if (optopt >= OPT_SNI)
                return usage_error(CHECK_HINT, "option '%s' takes no value", argv[optind - 1]);
            if (optopt)
                return usage_error(CHECK_HINT, "unknown option '-%c'", optopt);
            return usage_error(CHECK_HINT, "unknown option '%s'", argv[optind - 1]);
        }
        if (c == ':')
            return usage_error(CHECK_HINT, "option '%s' needs a value", argv[optind - 1]);
        int rc = apply_option(o, c, optarg, &cl);
        if (rc == -1)
            return print_stdout(check_usage_text);
        if (rc == LIST_CLIENTS) {
            if (td_write_client_list(stdout) != 0) {
                fprintf(stderr, "tlsdiag: cannot write to standard output: %s\n", strerror(errno));
                return EXIT_INTERNAL;
            }
            return EXIT_OK;
        }
        if (rc != 0)
            return rc;
    }
    if (cl.sni && cl.no_sni)
        return usage_error(CHECK_HINT, "--sni and --no-sni contradict each other");
    if (cl.cert && !cl.key)
        return usage_error(CHECK_HINT, "--cert needs --key: the client certificate's private key");
    if (cl.key && !cl.cert)
        return usage_error(CHECK_HINT, "--key needs --cert: the client certificate it belongs to");
    if (optind >= argc)
        return usage_error(CHECK_HINT, "check needs a target: HOST[:PORT]");
    if (argc - optind > 1)
        return usage_error(CHECK_HINT, "check takes one target, got '%s' and '%s'", argv[optind], argv[optind + 1]);

    if (cl.cert && td_options_set_client_cert(o, cl.cert, cl.key) != TD_OK)
        return usage_error(CHECK_HINT, "%s", why(o));
    if (td_options_set_target(o, argv[optind]) != TD_OK)
        return usage_error(CHECK_HINT, "%s", why(o));

    td_history *h = NULL;
    long long run = 0;
    if (cl.db) {
        int hrc = history_open(&h, cl.db, TD_HISTORY_CREATE, CHECK_HINT);
        if (hrc == EXIT_OK)
            hrc = history_begin(h, argc, argv, NULL, CHECK_HINT, &run);
        if (hrc != EXIT_OK) {
            td_history_free(h);
            return hrc;
        }
    }
    td_report *r = NULL;
    td_status st = td_check(o, &r);
    if (st != TD_OK) {
        td_history_free(h);
        if (st == TD_ERR_USAGE)
            return usage_error(CHECK_HINT, "%s", why(o));
        fprintf(stderr, "tlsdiag: internal error: %s\n", why(o));
        return EXIT_INTERNAL;
    }

    const char *nc = getenv("NO_COLOR");
    bool color = !cl.json && !cl.html && !cl.no_color && !nc && isatty(STDOUT_FILENO);
    int rc = write_report(r, &cl, color);
    if (h && history_record(h, run, r) != EXIT_OK)
        rc = EXIT_INTERNAL;
    if (rc == EXIT_OK && td_report_failed(r))
        rc = EXIT_FAIL;
    td_report_free(r);
    td_history_free(h);
    return rc;
}

/* Standard input, whole, up to a bound: an excerpt, not a log (tlsdiag
 * logs reads those). */
#define EXPLAIN_MAX_INPUT (64u << 20)
static char *read_stdin(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= EXPLAIN_MAX_INPUT) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    if (buf && ferror(stdin)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

enum { OPT_CHECK = 512 };

static const struct option explain_opts[] = {
    { "check", no_argument, NULL, OPT_CHECK },
    { "ca-file", required_argument, NULL, OPT_CA_FILE },
    { "json", no_argument, NULL, OPT_JSON },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static bool is_code_kind(const char *s)
{
    return !strcmp(s, "alert") || !strcmp(s, "x509") || !strcmp(s, "openssl") || !strcmp(s, "curl");
}

/* The text or code on the command line, else standard input, into x. */
static int explain_input(td_explain *x, int argc, char **argv)
{
    td_status st = TD_OK;
    if (argc - optind == 2 && is_code_kind(argv[optind])) {
        st = td_explain_add_code(x, argv[optind], argv[optind + 1]);
    } else if (optind < argc && !(argc - optind == 1 && !strcmp(argv[optind], "-"))) {
        for (int i = optind; i < argc && st == TD_OK; i++)
            st = td_explain_add_text(x, argv[i], strlen(argv[i]));
    } else {
        size_t len = 0;
        char *text = read_stdin(&len);
        if (!text) {
            fprintf(stderr, "tlsdiag: cannot read standard input: %s\n",
                    errno == EFBIG ? "over 64 MiB (give an excerpt; `tlsdiag logs` reads whole logs)" : strerror(errno));
            return EXIT_USAGE;
        }
        st = td_explain_add_text(x, text, len);
        free(text);
    }
    if (st == TD_ERR_USAGE)
        return usage_error(EXPLAIN_HINT, "%s", td_explain_error(x) ? td_explain_error(x) : "bad input");
    if (st != TD_OK) {
        fprintf(stderr, "tlsdiag: internal error: %s\n", td_explain_error(x) ? td_explain_error(x) : "?");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

/* --check: the deciding check, then the narrowed answer. */
static int explain_check(td_explain *x, const char *ca_file)
{
    td_options *o = td_options_new();
    if (!o) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return EXIT_INTERNAL;
    }
    int rc = EXIT_OK;
    if (td_explain_check_options(x, o) != TD_OK) {
        rc = usage_error(EXPLAIN_HINT, "--check needs a server, and the text names none: run tlsdiag check HOST");
    } else if (ca_file && td_options_set_ca_file(o, ca_file) != TD_OK) {
        rc = usage_error(EXPLAIN_HINT, "%s", why(o));
    } else {
        td_report *r = NULL;
        if (td_check(o, &r) != TD_OK) {
            fprintf(stderr, "tlsdiag: internal error: %s\n", why(o));
            rc = EXIT_INTERNAL;
        } else {
            td_explain_narrow(x, r);
            td_report_free(r);
        }
    }
    td_options_free(o);
    return rc;
}

static int cmd_explain(int argc, char **argv)
{
    bool json = false, no_color = false, check = false;
    const char *ca_file = NULL;
    opterr = 0;
    optind = 1;
    int c;
    /* options anywhere; a text that starts with "-" goes after "--" */
    while ((c = getopt_long(argc, argv, ":h", explain_opts, NULL)) != -1) {
        if (c == '?')
            return usage_error(EXPLAIN_HINT, "unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error(EXPLAIN_HINT, "option '%s' needs a value", argv[optind - 1]);
        if (c == 'h')
            return print_stdout(explain_usage_text);
        json |= c == OPT_JSON;
        no_color |= c == OPT_NO_COLOR;
        check |= c == OPT_CHECK;
        if (c == OPT_CA_FILE)
            ca_file = optarg;
    }
    if (ca_file && !check)
        return usage_error(EXPLAIN_HINT, "--ca-file goes with --check");
    td_explain *x = td_explain_new();
    if (!x) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return EXIT_INTERNAL;
    }
    int rc = explain_input(x, argc, argv);
    if (rc == EXIT_OK && td_explain_run(x) != TD_OK) {
        fprintf(stderr, "tlsdiag: internal error: %s\n", td_explain_error(x) ? td_explain_error(x) : "?");
        rc = EXIT_INTERNAL;
    }
    if (rc == EXIT_OK && check)
        rc = explain_check(x, ca_file);
    if (rc == EXIT_OK) {
        bool color = !json && !no_color && !getenv("NO_COLOR") && isatty(STDOUT_FILENO);
        int w = json ? td_explain_write_json(x, stdout) : td_explain_write_text(x, stdout, color);
        if (w != 0 || fflush(stdout) == EOF) {
            fprintf(stderr, "tlsdiag: cannot write the answer: %s\n", strerror(errno));
            rc = EXIT_INTERNAL;
        } else if (td_explain_candidate_count(x) == 0 && !td_explain_recognised(x)) {
            rc = EXIT_FAIL;
        }
    }
    td_explain_free(x);
    return rc;
}

enum { OPT_SINCE = 600, OPT_FOLLOW, OPT_INTERVAL };

static const struct option logs_opts[] = {
    { "since", required_argument, NULL, OPT_SINCE },
    { "follow", no_argument, NULL, OPT_FOLLOW },
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { "json", no_argument, NULL, OPT_JSON },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* Set by SIGINT or SIGTERM where a command stops cleanly: logs --follow,
 * scan. */
static volatile sig_atomic_t stop_requested;
static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct logs_out {
    bool json, color;
} logs_out;

static int write_logs(const td_logs *l, void *arg)
{
    const logs_out *o = arg;
    int w = o->json ? td_logs_write_json(l, stdout) : td_logs_write_text(l, stdout, o->color);
    if (w != 0 || fflush(stdout) == EOF) {
        fprintf(stderr, "tlsdiag: cannot write the summary: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int cmd_logs(int argc, char **argv)
{
    logs_out out = { 0 };
    bool no_color = false, follow = false;
    double interval = 10;
    const char *since = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", logs_opts, NULL)) != -1) {
        if (c == '?')
            return usage_error(LOGS_HINT, "unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error(LOGS_HINT, "option '%s' needs a value", argv[optind - 1]);
        if (c == 'h')
            return print_stdout(logs_usage_text);
        out.json |= c == OPT_JSON;
        no_color |= c == OPT_NO_COLOR;
        follow |= c == OPT_FOLLOW;
        if (c == OPT_SINCE)
            since = optarg;
        if (c == OPT_INTERVAL) {
            char *end = NULL;
            interval = strtod(optarg, &end);
            if (!end || *end || !(interval >= 0.1 && interval <= 86400))
                return usage_error(LOGS_HINT, "--interval needs seconds from 0.1 to 86400, not '%.40s'", optarg);
        }
    }
    if (optind >= argc)
        return usage_error(LOGS_HINT, "logs needs a FILE (- for standard input)");
    if (follow && argc - optind != 1)
        return usage_error(LOGS_HINT, "--follow reads one file");
    out.color = !out.json && !no_color && !getenv("NO_COLOR") && isatty(STDOUT_FILENO);
    td_logs *l = td_logs_new();
    if (!l) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return EXIT_INTERNAL;
    }
    int rc = EXIT_OK;
    if (since && td_logs_set_since(l, since) != TD_OK)
        rc = usage_error(LOGS_HINT, "%s", td_logs_error(l));
    td_status st = TD_OK;
    if (rc == EXIT_OK && follow) {
        signal(SIGINT, on_stop);
        signal(SIGTERM, on_stop);
        st = td_logs_follow(l, argv[optind], interval, write_logs, &out, &stop_requested);
    } else {
        for (int i = optind; rc == EXIT_OK && st == TD_OK && i < argc; i++)
            st = td_logs_add_file(l, argv[i]);
    }
    if (rc == EXIT_OK && st != TD_OK) {
        fprintf(stderr, "tlsdiag: %s\n", td_logs_error(l) ? td_logs_error(l) : "cannot read the logs");
        rc = st == TD_ERR_USAGE ? EXIT_USAGE : EXIT_INTERNAL;
    }
    if (rc == EXIT_OK) {
        rc = write_logs(l, &out) == 0 ? EXIT_OK : EXIT_INTERNAL;
        if (rc == EXIT_OK && td_logs_failure_count(l) > 0)
            rc = EXIT_FAIL;
    }
    td_logs_free(l);
    return rc;
}

enum { OPT_PORT = 700, OPT_HOST, OPT_STREAM, OPT_KEYLOG, OPT_REPLAY };

static const struct option pcap_opts[] = {
    { "port", required_argument, NULL, OPT_PORT },
    { "host", required_argument, NULL, OPT_HOST },
    { "stream", required_argument, NULL, OPT_STREAM },
    { "keylog", required_argument, NULL, OPT_KEYLOG },
    { "replay", required_argument, NULL, OPT_REPLAY },
    { "json", no_argument, NULL, OPT_JSON },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "html", required_argument, NULL, OPT_HTML },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* What pcap prints, and where its page goes. */
typedef struct pcap_out {
    bool json, html, verbose, replay;
    const char *html_file;
} pcap_out;

/* One option of pcap: a setter's refusal is a usage error. */
static int pcap_option(td_capture *cap, int c, const char *arg, pcap_out *out)
{
    unsigned long n = 0;
    td_status st = TD_OK;
    if (c == OPT_JSON)
        out->json = true;
    else if (c == OPT_FORMAT || c == OPT_HTML)
        return format_option(PCAP_HINT, c, arg, &out->json, &out->html, &out->html_file);
    else if (c == 'v')
        out->verbose = true;
    else if (c == OPT_PORT) {
        if (!parse_count(arg, 1, 65535, &n))
            return usage_error(PCAP_HINT, "--port needs a number from 1 to 65535, not '%.40s'", arg);
        st = td_capture_set_port(cap, (unsigned)n);
    } else if (c == OPT_HOST) {
        st = td_capture_set_host(cap, arg);
    } else if (c == OPT_STREAM) {
        if (!parse_count(arg, 0, ULONG_MAX, &n))
            return usage_error(PCAP_HINT, "--stream needs a connection number (0, 1, ...), not '%.40s'", arg);
        st = td_capture_set_stream(cap, n);
    } else if (c == OPT_KEYLOG) {
        st = td_capture_set_keylog(cap, arg);
    } else if (c == OPT_REPLAY) {
        out->replay = true;
        st = td_capture_set_replay(cap, arg);
    }
    if (st != TD_OK)
        return usage_error(PCAP_HINT, "%s", td_capture_error(cap) ? td_capture_error(cap) : "bad value");
    return EXIT_OK;
}

static int capture_page(const void *cap, FILE *f)
{
    return td_capture_write_html(cap, f, 0);
}

static int capture_page_verbose(const void *cap, FILE *f)
{
    return td_capture_write_html(cap, f, TD_TEXT_VERBOSE);
}

/* The report of a capture read whole: the page to --html's file, then the
 * report asked for to standard output. */
static int write_capture(const td_capture *cap, const pcap_out *out)
{
    if (out->html_file && write_html_file(out->verbose ? capture_page_verbose : capture_page, cap,
                                          out->html_file) != EXIT_OK)
        return EXIT_INTERNAL;
    unsigned flags = out->verbose ? TD_TEXT_VERBOSE : 0;
    int w = out->json   ? td_capture_write_json(cap, stdout)
            : out->html ? td_capture_write_html(cap, stdout, flags)
                        : td_capture_write_text(cap, stdout, flags);
    if (w != 0 || fflush(stdout) == EOF) {
        fprintf(stderr, "tlsdiag: cannot write the report: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    return td_capture_failed(cap) ? EXIT_FAIL : EXIT_OK;
}

static int cmd_pcap(int argc, char **argv)
{
    td_capture *cap = td_capture_new();
    if (!cap) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return EXIT_INTERNAL;
    }
    pcap_out out = { 0 };
    int rc = EXIT_OK, c;
    opterr = 0;
    optind = 1;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, ":hv", pcap_opts, NULL)) != -1) {
        if (c == '?')
            rc = usage_error(PCAP_HINT, "unknown option '%s'", argv[optind - 1]);
        else if (c == ':')
            rc = usage_error(PCAP_HINT, "option '%s' needs a value", argv[optind - 1]);
        else if (c == 'h') {
            td_capture_free(cap);
            return print_stdout(pcap_usage_text);
        } else
            rc = pcap_option(cap, c, optarg, &out);
    }
    if (rc == EXIT_OK && optind != argc - 1)
        rc = usage_error(PCAP_HINT, optind >= argc ? "pcap needs a FILE (- for standard input)"
                                                   : "pcap reads one FILE");
    /* JSON lines are written as connections are judged, and then none is
     * kept for a page. */
    if (rc == EXIT_OK && out.json && out.html_file)
        rc = usage_error(PCAP_HINT, "--html FILE lists connections that JSON lines do not keep: run pcap once "
                                    "for each");
    if (rc == EXIT_OK && out.json)
        td_capture_set_json_stream(cap, stdout);
    if (rc == EXIT_OK) {
        td_status st = td_capture_read_file(cap, argv[optind]);
        if (td_capture_warning(cap))
            fprintf(stderr, "tlsdiag: %s\n", td_capture_warning(cap));
        if (st != TD_OK) {
            fprintf(stderr, "tlsdiag: %s\n", td_capture_error(cap) ? td_capture_error(cap) : "cannot read it");
            rc = st == TD_ERR_USAGE ? EXIT_USAGE : EXIT_INTERNAL;
        }
    }
    if (rc == EXIT_OK && out.replay) {
        td_status st = td_capture_replay(cap);
        if (st != TD_OK) {
            fprintf(stderr, "tlsdiag: %s\n", td_capture_error(cap) ? td_capture_error(cap) : "the replay failed");
            rc = st == TD_ERR_USAGE ? EXIT_USAGE : EXIT_INTERNAL;
        }
    }
    if (rc == EXIT_OK)
        rc = write_capture(cap, &out);
    td_capture_free(cap);
    return rc;
}

enum { OPT_DIFF_SINCE = 700 };

static const struct option diff_opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "since", required_argument, NULL, OPT_DIFF_SINCE },
    { "warn-days", required_argument, NULL, OPT_WARN_DAYS },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int cmd_diff(int argc, char **argv)
{
    bool json = false;
    const char *db = NULL, *since = NULL;
    unsigned long warn_days = 21;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", diff_opts, NULL)) != -1) {
        if (c == '?')
            return usage_error(DIFF_HINT, "unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error(DIFF_HINT, "option '%s' needs a value", argv[optind - 1]);
        if (c == 'h')
            return print_stdout(diff_usage_text);
        json |= c == OPT_JSON;
        if (c == OPT_DB)
            db = optarg;
        if (c == OPT_DIFF_SINCE)
            since = optarg;
        if (c == OPT_WARN_DAYS && !parse_count(optarg, 0, 3650, &warn_days))
            return usage_error(DIFF_HINT, "--warn-days needs a whole number from 0 to 3650, not '%.40s'", optarg);
    }
    if (optind < argc)
        return usage_error(DIFF_HINT, "diff takes no argument, got '%s'", argv[optind]);
    if (!db)
        return usage_error(DIFF_HINT, "diff needs --db URL: the history to read");
    td_history *h = NULL;
    int rc = history_open(&h, db, 0, DIFF_HINT);
    if (rc != EXIT_OK)
        return rc;
    td_diff *d = NULL;
    td_status st = td_history_diff(h, since, (unsigned)warn_days, &d);
    if (st != TD_OK) {
        rc = history_error(h, st, DIFF_HINT);
    } else {
        int w = json ? td_diff_write_json(d, stdout) : td_diff_write_text(d, stdout);
        if (w != 0 || fflush(stdout) == EOF) {
            fprintf(stderr, "tlsdiag: cannot write the answer: %s\n", strerror(errno));
            rc = EXIT_INTERNAL;
        } else if (td_diff_worse(d)) {
            rc = EXIT_FAIL;
        }
    }
    td_diff_free(d);
    td_history_free(h);
    return rc;
}

enum { OPT_SERVER = 700, OPT_DIFF, OPT_LINT_CA_FILE, OPT_LINT_CA_PATH, OPT_PROFILE, OPT_LIVE };

static const struct option lint_opts[] = {
    { "server", required_argument, NULL, OPT_SERVER },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "live", optional_argument, NULL, OPT_LIVE },
    { "ca-file", required_argument, NULL, OPT_LINT_CA_FILE },
    { "ca-path", required_argument, NULL, OPT_LINT_CA_PATH },
    { "diff", no_argument, NULL, OPT_DIFF },
    { "json", no_argument, NULL, OPT_JSON },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int lint_option(td_lint *l, int c, const char *arg)
{
    td_status st = TD_OK;
    if (c == OPT_SERVER)
        st = td_lint_set_server(l, arg);
    else if (c == OPT_LIVE)
        st = td_lint_set_live(l, arg);
    else if (c == OPT_PROFILE)
        st = td_lint_set_profile(l, arg);
    else if (c == OPT_LINT_CA_FILE)
        st = td_lint_set_ca_file(l, arg);
    else if (c == OPT_LINT_CA_PATH)
        st = td_lint_set_ca_path(l, arg);
    return st == TD_OK ? EXIT_OK : usage_error(LINT_HINT, "%s", td_lint_error(l));
}

static int cmd_lint(int argc, char **argv, td_lint *l)
{
    bool json = false, diff = false, no_color = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", lint_opts, NULL)) != -1) {
        if (c == '?')
            return usage_error(LINT_HINT, "unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error(LINT_HINT, "option '%s' needs a value", argv[optind - 1]);
        if (c == 'h')
            return print_stdout(lint_usage_text);
        json |= c == OPT_JSON;
        diff |= c == OPT_DIFF;
        no_color |= c == OPT_NO_COLOR;
        int rc = lint_option(l, c, optarg);
        if (rc != EXIT_OK)
            return rc;
    }
    if (optind >= argc)
        return usage_error(LINT_HINT, "lint needs a PATH: the main configuration file (- for nginx -T output)");
    if (argc - optind > 1)
        return usage_error(LINT_HINT, "lint takes one PATH, got '%s' and '%s'", argv[optind], argv[optind + 1]);
    if (json && diff)
        return usage_error(LINT_HINT, "--json and --diff contradict each other");
    td_status st;
    if (strcmp(argv[optind], "-") == 0) {
        size_t len = 0;
        char *text = read_stdin(&len);
        if (!text)
            return usage_error(LINT_HINT, "cannot read the nginx -T output on standard input: %s", strerror(errno));
        st = td_lint_run_dump(l, text, len);
        free(text);
    } else {
        st = td_lint_run(l, argv[optind]);
    }
    if (st != TD_OK) {
        fprintf(stderr, "tlsdiag: %s\n", td_lint_error(l) ? td_lint_error(l) : "cannot read the configuration");
        return st == TD_ERR_USAGE ? EXIT_USAGE : EXIT_INTERNAL;
    }
    bool color = !json && !diff && !no_color && !getenv("NO_COLOR") && isatty(STDOUT_FILENO);
    int w = json ? td_lint_write_json(l, stdout) : diff ? td_lint_write_diff(l, stdout) : td_lint_write_text(l, stdout, color);
    if (w != 0 || fflush(stdout) == EOF) {
        fprintf(stderr, "tlsdiag: cannot write the report: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    return td_lint_failed(l) ? EXIT_FAIL : EXIT_OK;
}

/* ---- scan and merge ------------------------------------------------------ */

enum { OPT_SCAN_PROFILE = 768, OPT_CONCURRENCY, OPT_PER_IP, OPT_STATE, OPT_SHARD, OPT_SHARDS };

static const struct option scan_opts[] = {
    { "json", no_argument, NULL, OPT_JSON },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "html", required_argument, NULL, OPT_HTML },
    { "profile", required_argument, NULL, OPT_SCAN_PROFILE },
    { "concurrency", required_argument, NULL, OPT_CONCURRENCY },
    { "per-ip", required_argument, NULL, OPT_PER_IP },
    { "rate", required_argument, NULL, OPT_RATE },
    { "state", required_argument, NULL, OPT_STATE },
    { "shard", required_argument, NULL, OPT_SHARD },
    { "shards", required_argument, NULL, OPT_SHARDS },
    { "deadline", required_argument, NULL, OPT_DEADLINE },
    { "sni", required_argument, NULL, OPT_SNI },
    { "no-sni", no_argument, NULL, OPT_NO_SNI },
    { "ca-file", required_argument, NULL, OPT_CA_FILE },
    { "ca-path", required_argument, NULL, OPT_CA_PATH },
    { "cert", required_argument, NULL, OPT_CERT },
    { "key", required_argument, NULL, OPT_KEY },
    { "alpn", required_argument, NULL, OPT_ALPN },
    { "starttls", required_argument, NULL, OPT_STARTTLS },
    { "repeat", required_argument, NULL, OPT_REPEAT },
    { "warn-days", required_argument, NULL, OPT_WARN_DAYS },
    { "no-aia", no_argument, NULL, OPT_NO_AIA },
    { "client", required_argument, NULL, OPT_CLIENT },
    { "clients", required_argument, NULL, OPT_CLIENTS },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "max-connections", required_argument, NULL, OPT_MAX_CONNS },
    { "dns-server", required_argument, NULL, OPT_DNS_SERVER },
    { "db", required_argument, NULL, OPT_DB },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* "I/N". */
static bool parse_shard(const char *arg, unsigned long *i, unsigned long *n)
{
    const char *slash = strchr(arg, '/');
    char idx[16];
    if (!slash || (size_t)(slash - arg) >= sizeof idx)
        return false;
    memcpy(idx, arg, (size_t)(slash - arg));
    idx[slash - arg] = '\0';
    return parse_count(idx, 0, 99999, i) && parse_count(slash + 1, 1, 100000, n) && *i < *n;
}

/* The scan's own options; the rest go to check's apply_option. */
static int apply_scan_option(td_scan *s, td_options *o, int c, const char *arg, cli *cl, unsigned long *shards)
{
    unsigned long n, i;
    double per_s;
    td_status st = TD_OK;
    switch (c) {
    case OPT_SCAN_PROFILE:
        st = td_scan_set_profile(s, arg);
        break;
    case OPT_CONCURRENCY:
        if (count_option(SCAN_HINT, "--concurrency", arg, 1, 4096, &n) != 0)
            return EXIT_USAGE;
        st = td_scan_set_concurrency(s, (unsigned)n);
        break;
    case OPT_PER_IP:
        if (count_option(SCAN_HINT, "--per-ip", arg, 0, 4096, &n) != 0)
            return EXIT_USAGE;
        st = td_scan_set_per_ip(s, (unsigned)n);
        break;
    case OPT_RATE:
        if (parse_number("--rate", arg, "new connections a second", &per_s) != 0)
            return EXIT_USAGE;
        st = td_scan_set_rate(s, per_s);
        break;
    case OPT_STATE:
        st = td_scan_set_state_file(s, arg);
        break;
    case OPT_SHARD:
        if (!parse_shard(arg, &i, &n))
            return usage_error(SCAN_HINT, "--shard needs I/N with 0 <= I < N, not '%.40s'", arg);
        st = td_scan_set_shard(s, (unsigned)i, (unsigned)n);
        break;
    case OPT_SHARDS:
        if (count_option(SCAN_HINT, "--shards", arg, 1, 100000, shards) != 0)
            return EXIT_USAGE;
        break;
    case OPT_FORMAT:
    case OPT_HTML:
        return format_option(SCAN_HINT, c, arg, &cl->json, &cl->html, &cl->html_file);
    default:
        return apply_option(o, c, arg, cl);
    }
    if (st != TD_OK)
        return usage_error(SCAN_HINT, "%s", td_scan_error(s));
    return 0;
}

static int scan_args(int argc, char **argv, td_scan *s, td_options *o, cli *out)
{
    cli cl = { 0 };
    unsigned long shards = 0;
    bool shard_given = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", scan_opts, NULL)) != -1) {
        if (c == '?')
            return usage_error(SCAN_HINT, "unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error(SCAN_HINT, "option '%s' needs a value", argv[optind - 1]);
        if (c == 'h')
            return -1;
        shard_given |= c == OPT_SHARD;
        int rc = apply_scan_option(s, o, c, optarg, &cl, &shards);
        if (rc == LIST_CLIENTS)
            return usage_error(SCAN_HINT, "'tlsdiag check --client list' lists the client profiles");
        if (rc != 0)
            return rc;
    }
    td_scan_set_json(s, cl.json);
    if (cl.sni && cl.no_sni)
        return usage_error(SCAN_HINT, "--sni and --no-sni contradict each other");
    if ((cl.cert != NULL) != (cl.key != NULL))
        return usage_error(SCAN_HINT, "--cert and --key go together");
    if (cl.cert && td_options_set_client_cert(o, cl.cert, cl.key) != TD_OK)
        return usage_error(SCAN_HINT, "%s", why(o));
    if (!shard_given && td_scan_shard_from_env(s, (unsigned)shards) != TD_OK)
        return usage_error(SCAN_HINT, "%s", td_scan_error(s));
    if (optind >= argc)
        return usage_error(SCAN_HINT, "scan needs a target list: FILE, or - for standard input");
    for (int i = optind; i < argc; i++)
        if (td_scan_add_input(s, argv[i]) != TD_OK)
            return usage_error(SCAN_HINT, "%s", td_scan_error(s));
    if (td_scan_set_options(s, o) != TD_OK)
        return usage_error(SCAN_HINT, "%s", td_scan_error(s));
    *out = cl;
    return 0;
}

/* The history --db names, opened and its run begun before the first probe
 * (a bad URL or an unreachable database stops the scan first). */
static int scan_history(td_scan *s, const char *db, int argc, char **argv, td_history **h, long long *run)
{
    char shard[32] = "";
    unsigned i, n;
    if (td_scan_shard(s, &i, &n))
        snprintf(shard, sizeof shard, "%u/%u", i, n);
    int rc = history_open(h, db, TD_HISTORY_CREATE, SCAN_HINT);
    if (rc == EXIT_OK)
        rc = history_begin(*h, argc, argv, shard, SCAN_HINT, run);
    if (rc == EXIT_OK && td_scan_set_history(s, *h, *run) != TD_OK) {
        fprintf(stderr, "tlsdiag: %s\n", td_scan_error(s));
        rc = EXIT_INTERNAL;
    }
    return rc;
}

/* Runs the scan: its lines to standard output (none with --format html),
 * its page to page (NULL: none). */
static int scan_run(td_scan *s, td_history *h, long long run, bool lines, FILE *page)
{
    /* The first SIGINT finishes the checks under way; a second one kills
     * at once (the state file is still whole). */
    struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESETHAND | SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed reader is a write error, reported, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    td_scan_set_progress(s, isatty(STDERR_FILENO) ? stderr : NULL);
    td_scan_set_html(s, page);
    td_status st = td_scan_run(s, lines ? STDOUT_FILENO : -1, &stop_requested);
    if (st != TD_OK)
        fprintf(stderr, "tlsdiag: %s\n", td_scan_error(s) ? td_scan_error(s) : "the scan failed");
    else if (h && (st = td_history_run_end(h, run)) != TD_OK)
        fprintf(stderr, "tlsdiag: %s\n", td_history_error(h) ? td_history_error(h) : "history database error");
    return st == TD_OK                ? (td_scan_failure_count(s) ? EXIT_FAIL : EXIT_OK)
           : st == TD_ERR_USAGE       ? EXIT_USAGE
           : st == TD_ERR_INTERRUPTED ? 130
                                      : EXIT_INTERNAL;
}

/* --html FILE: opened before the first probe (a path that cannot be
 * written stops the scan first), removed when no whole page went there. */
static int scan_with_page(td_scan *s, td_history *h, long long run, const cli *cl)
{
    if (!cl->html_file)
        return scan_run(s, h, run, !cl->html, cl->html ? stdout : NULL);
    if (cl->html)
        return usage_error(SCAN_HINT, "--format html and --html FILE: give one of them");
    FILE *f = fopen(cl->html_file, "w");
    if (!f) {
        fprintf(stderr, "tlsdiag: cannot write %s: %s\n", cl->html_file, strerror(errno));
        return EXIT_INTERNAL;
    }
    int rc = scan_run(s, h, run, true, f);
    bool whole = rc == EXIT_OK || rc == EXIT_FAIL || rc == 130;
    if (fclose(f) != 0 && whole) {
        fprintf(stderr, "tlsdiag: cannot write %s: %s\n", cl->html_file, strerror(errno));
        rc = EXIT_INTERNAL;
        whole = false;
    }
    if (!whole)
        remove(cl->html_file);
    return rc;
}

static int cmd_scan(int argc, char **argv)
{
    td_scan *s = td_scan_new();
    td_options *o = td_options_new();
    cli cl = { 0 };
    td_history *h = NULL;
    long long run = 0;
    int rc = s && o ? scan_args(argc, argv, s, o, &cl) : EXIT_INTERNAL;
    if (rc == EXIT_INTERNAL)
        fprintf(stderr, "tlsdiag: out of memory\n");
    if (rc == 0 && cl.db)
        rc = scan_history(s, cl.db, argc, argv, &h, &run);
    if (rc == -1)
        rc = print_stdout(scan_usage_text);
    else if (rc == 0)
        rc = scan_with_page(s, h, run, &cl);
    td_options_free(o);
    td_scan_free(s);
    td_history_free(h);
    return rc;
}

static const struct option merge_opts[] = {
    { "json", no_argument, NULL, OPT_JSON },
    { "warn-days", required_argument, NULL, OPT_WARN_DAYS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int cmd_merge(int argc, char **argv)
{
    bool json = false;
    unsigned long warn_days = 21;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", merge_opts, NULL)) != -1) {
        if (c == '?')
            return usage_error(MERGE_HINT, "unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error(MERGE_HINT, "option '%s' needs a value", argv[optind - 1]);
        if (c == 'h')
            return print_stdout(merge_usage_text);
        json |= c == OPT_JSON;
        if (c == OPT_WARN_DAYS && count_option(MERGE_HINT, "--warn-days", optarg, 0, 3650, &warn_days) != 0)
            return EXIT_USAGE;
    }
    if (optind >= argc)
        return usage_error(MERGE_HINT, "merge needs the parts: files written by tlsdiag scan --json");
    char err[300] = "";
    td_status st = td_merge((const char *const *)argv + optind, (size_t)(argc - optind), json,
                            (unsigned)warn_days, stdout, err, sizeof err);
    if (st != TD_OK) {
        fprintf(stderr, "tlsdiag: %s\n", err);
        return st == TD_ERR_USAGE ? EXIT_USAGE : EXIT_INTERNAL;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return print_stdout(usage_text);
    if (!strcmp(cmd, "--version")) {
        char line[64];
        snprintf(line, sizeof line, "tlsdiag %s\n", td_version());
        return print_stdout(line);
    }
    if (!strcmp(cmd, "help")) {
        if (argc == 2)
            return print_stdout(usage_text);
        if (argc > 3)
            return usage_error(TOP_HINT, "help takes one command name");
        if (!strcmp(argv[2], "check"))
            return print_stdout(check_usage_text);
        if (!strcmp(argv[2], "explain"))
            return print_stdout(explain_usage_text);
        if (!strcmp(argv[2], "logs"))
            return print_stdout(logs_usage_text);
        if (!strcmp(argv[2], "pcap"))
            return print_stdout(pcap_usage_text);
        if (!strcmp(argv[2], "diff"))
            return print_stdout(diff_usage_text);
        if (!strcmp(argv[2], "lint"))
            return print_stdout(lint_usage_text);
        if (!strcmp(argv[2], "scan"))
            return print_stdout(scan_usage_text);
        if (!strcmp(argv[2], "merge"))
            return print_stdout(merge_usage_text);
        return usage_error(TOP_HINT, "no help for '%s': the commands are check, explain, logs, pcap, diff, lint, "
                           "scan and merge",
                           argv[2]);
    }
    if (!strcmp(cmd, "check")) {
        td_options *o = td_options_new();
        if (!o) {
            fprintf(stderr, "tlsdiag: out of memory\n");
            return EXIT_INTERNAL;
        }
        int rc = cmd_check(argc - 1, argv + 1, o);
        td_options_free(o);
        return rc;
    }
    if (!strcmp(cmd, "explain"))
        return cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "logs"))
        return cmd_logs(argc - 1, argv + 1);
    if (!strcmp(cmd, "pcap"))
        return cmd_pcap(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "lint")) {
        td_lint *l = td_lint_new();
        if (!l) {
            fprintf(stderr, "tlsdiag: out of memory\n");
            return EXIT_INTERNAL;
        }
        int rc = cmd_lint(argc - 1, argv + 1, l);
        td_lint_free(l);
        return rc;
    }
    if (!strcmp(cmd, "scan"))
        return cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return usage_error(TOP_HINT, "unknown option '%s'", cmd);
    return usage_error(TOP_HINT, "unknown command '%s'", cmd);
}
