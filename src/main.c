/* The tlsdiag command: argument handling only; the work is in the library. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    "  tlsdiag help check                    the options of check\n"
    "  tlsdiag --help                        this text\n"
    "  tlsdiag --version                     print the version\n"
    "\n"
    "Exit status: 0 no failure found, 1 a handshake fails (see the findings),\n"
    "2 bad usage or input, 3 internal error.\n";

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
    "  --json                  print one JSON document instead of text\n"
    "  --no-color              no colours (also off when NO_COLOR is set or\n"
    "                          the output is not a terminal)\n"
    "  --timeout SEC           wait per step (connect, each answer); default 5,\n"
    "                          0.05 to 300, decimals allowed\n"
    "  --deadline SEC          time for the whole check; default 60, 0.05 to 3600\n"
    "  --max-connections N     connections at once; default 8, 1 to 256\n"
    "  --rate N                at most N new connections a second (a polite\n"
    "                          check; decimals allowed, 0.05 to 1000, 0 = no\n"
    "                          limit, the default); --deadline still applies\n"
    "  --dns-server IP[:PORT]  ask this DNS server instead of the system's\n"
    "                          (an IPv6 server with a port: [ADDR]:PORT)\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 no failure found, 1 a handshake fails (see the findings),\n"
    "2 bad usage or input, 3 internal error.\n";

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
    OPT_REPEAT,
    OPT_WARN_DAYS,
    OPT_SHOW_CERTS,
    OPT_NO_AIA,
    OPT_CLIENT,
    OPT_CLIENTS,
    OPT_RATE,
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
    { "repeat", required_argument, NULL, OPT_REPEAT },
    { "warn-days", required_argument, NULL, OPT_WARN_DAYS },
    { "show-certs", no_argument, NULL, OPT_SHOW_CERTS },
    { "no-aia", no_argument, NULL, OPT_NO_AIA },
    { "client", required_argument, NULL, OPT_CLIENT },
    { "clients", required_argument, NULL, OPT_CLIENTS },
    { "rate", required_argument, NULL, OPT_RATE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* What the command line says beyond td_options: output choices, and the
 * options that only mean something together. */
typedef struct cli {
    bool json, no_color, sni, no_sni;
    const char *cert, *key; /* checked as a pair once all options are read */
} cli;

#define LIST_CLIENTS (-2)

/* The library's one-line reason for the last failure on o. */
static const char *why(const td_options *o)
{
    const char *e = td_options_error(o);
    return e ? e : "invalid option value";
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
    case OPT_NO_COLOR:
        cl->no_color = true;
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
        if (!parse_count(arg, 1, 256, &n))
            return usage_error(CHECK_HINT, "--max-connections needs a whole number from 1 to 256, not '%.40s'", arg);
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
    case OPT_REPEAT:
        if (!parse_count(arg, 1, 64, &n))
            return usage_error(CHECK_HINT, "--repeat needs a whole number from 1 to 64, not '%.40s'", arg);
        st = td_options_set_repeat(o, (unsigned)n);
        break;
    case OPT_WARN_DAYS:
        if (!parse_count(arg, 0, 3650, &n))
            return usage_error(CHECK_HINT, "--warn-days needs a whole number from 0 to 3650, not '%.40s'", arg);
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
    case 'h':
        return -1;
    }
    if (st != TD_OK)
        return usage_error(CHECK_HINT, "%s", why(o));
    return 0;
}

static int write_report(const td_report *r, bool json, bool color)
{
    int rc = json ? td_report_write_json(r, stdout) : td_report_write_text(r, stdout, color);
    if (rc != 0 || fflush(stdout) == EOF || ferror(stdout)) {
        fprintf(stderr, "tlsdiag: cannot write the report: %s\n", errno ? strerror(errno) : "output error");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

static int cmd_check(int argc, char **argv, td_options *o)
{
    cli cl = { 0 };
    opterr = 0; /* the messages below say more than getopt's */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", check_opts, NULL)) != -1) {
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

    td_report *r = NULL;
    td_status st = td_check(o, &r);
    if (st == TD_ERR_USAGE)
        return usage_error(CHECK_HINT, "%s", why(o));
    if (st != TD_OK) {
        fprintf(stderr, "tlsdiag: internal error: %s\n", why(o));
        return EXIT_INTERNAL;
    }

    const char *nc = getenv("NO_COLOR");
    bool color = !cl.json && !cl.no_color && !nc && isatty(STDOUT_FILENO);
    int rc = write_report(r, cl.json, color);
    if (rc == EXIT_OK && td_report_failed(r))
        rc = EXIT_FAIL;
    td_report_free(r);
    return rc;
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
        return usage_error(TOP_HINT, "no help for '%s': the only command is check", argv[2]);
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
    if (cmd[0] == '-')
        return usage_error(TOP_HINT, "unknown option '%s'", cmd);
    return usage_error(TOP_HINT, "unknown command '%s'", cmd);
}
