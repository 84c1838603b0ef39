/* The line-based STARTTLS protocols: SMTP and LMTP, FTP, NNTP (numeric
 * replies), IMAP, POP3, ManageSieve and IRC.
 *
 * One state and one feed for all: the feed cuts the input into lines
 * (whatever the reads' split) and hands each whole line to the protocol's
 * on_line, which answers MORE, DONE (the line was the go-ahead) or FAIL.
 * Where the protocol lets the client speak before the greeting, the command
 * goes out at once, saving a round trip (IMAP, POP3, IRC). */
#include "starttls/starttls.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "wire/bytes.h"

/* RFC 5321 section 4.5.3.1.5 allows reply lines of 512 octets, RFC 3501
 * section 4.4 greetings with a capability list run longer; anything past
 * this is no server of these protocols. */
#define LINE_MAX_LEN 1024
/* Lines before the go-ahead: a banner, a capability list, IRC notices. */
#define LINES_MAX 256

typedef struct text_st text_st;
typedef td_leadin_rc (*on_line_fn)(text_st *t, const char *line, td_leadin_io *io);

struct text_st {
    on_line_fn on_line;
    const td_starttls_cfg *cfg;
    char line[LINE_MAX_LEN + 1];
    size_t n;
    unsigned lines;
    int phase;
    int ml_code;        /* the code of the multi-line reply under way, 0 none */
    bool capable;       /* STARTTLS seen in the capabilities */
    bool caps_seen;     /* a capability list was seen at all */
};

static void say(td_leadin_io *io, const char *cmd)
{
    size_t n = strlen(cmd);
    memcpy(io->out + io->out_len, cmd, n);
    io->out_len += n;
}


/* Lines end in LF (CRLF on the wire; a bare LF is taken too). */
static td_leadin_rc text_feed(void *state, const uint8_t *in, size_t len, td_leadin_io *io)
{
    text_st *t = state;
    td_rd r;
    td_rd_init(&r, in, len);
    uint8_t c;
    while (td_rd_u8(&r, &c)) {
        if (c == '\0')
            return td_leadin_fail(io, "a NUL byte in the server's answer");
        if (c != '\n') {
            if (t->n == LINE_MAX_LEN)
                return td_leadin_fail(io, "a line of the server's answer is longer than %d bytes", LINE_MAX_LEN);
            t->line[t->n++] = (char)c;
            continue;
        }
        if (t->n && t->line[t->n - 1] == '\r')
            t->n--;
        t->line[t->n] = '\0';
        t->n = 0;
        if (++t->lines > LINES_MAX)
            return td_leadin_fail(io, "more than %d lines before the upgrade", LINES_MAX);
        td_leadin_rc rc = t->on_line(t, t->line, io);
        if (rc != TD_LEADIN_MORE) {
            io->used = len - td_rd_left(&r);
            return rc;
        }
    }
    return TD_LEADIN_MORE;
}

static td_leadin_rc text_start(text_st *t, const void *cfg, on_line_fn fn)
{
    t->cfg = cfg;
    t->on_line = fn;
    return TD_LEADIN_MORE;
}

/* ---- numeric replies: SMTP, LMTP, FTP, NNTP ----------------------------- */

/* One line of a reply (RFC 5321 section 4.2, RFC 959 section 4.2): "250-"
 * opens or continues a multi-line reply, "250 " (or a bare "250") ends it.
 * In FTP the lines between may be any text.  Returns the code, 0 for a
 * line of text inside a multi-line reply, -1 for a line that is no reply. */
static int reply_line(text_st *t, const char *line, bool *final)
{
    *final = false;
    bool coded = isdigit((unsigned char)line[0]) && isdigit((unsigned char)line[1]) &&
                 isdigit((unsigned char)line[2]) && (line[3] == '\0' || line[3] == ' ' || line[3] == '-');
    int code = coded ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0') : -1;
    if (t->ml_code) {
        if (code != t->ml_code)
            return 0;
        if (line[3] != '-') {
            t->ml_code = 0;
            *final = true;
        }
        return code;
    }
    if (code < 100)
        return -1;
    if (line[3] == '-')
        t->ml_code = code;
    else
        *final = true;
    return code;
}

/* RFC 3207 section 4: the EHLO keyword, alone or with parameters. */
static bool ehlo_keyword(const char *line, const char *kw)
{
    size_t n = strlen(kw);
    return strlen(line) >= 4 + n && strncasecmp(line + 4, kw, n) == 0 && (line[4 + n] == '\0' || line[4 + n] == ' ');
}

/* RFC 3207 (SMTP) and RFC 2033 (LMTP): greeting 220, EHLO (LHLO), then
 * STARTTLS, answered 220 "Ready to start TLS".  The EHLO answer must name
 * STARTTLS; RFC 2920 section 3.1 puts EHLO last in a pipelined group, so the
 * commands go one at a time. */
static td_leadin_rc mail_line(text_st *t, const char *line, td_leadin_io *io, const char *hello)
{
    bool final;
    int code = reply_line(t, line, &final);
    if (code < 0)
        return td_leadin_fail(io, "not an SMTP reply: \"%.100s\"", line);
    if (t->phase == 1 && code == 250 && ehlo_keyword(line, "STARTTLS"))
        t->capable = true;
    if (!final)
        return TD_LEADIN_MORE;
    switch (t->phase) {
    case 0:
        if (code != 220)
            return td_leadin_fail(io, "the greeting is \"%.100s\", not 220", line);
        say(io, hello);
        t->phase = 1;
        return TD_LEADIN_MORE;
    case 1:
        if (code != 250)
            return td_leadin_fail(io, "EHLO refused: \"%.100s\"", line);
        if (!t->capable)
            return td_leadin_fail(io, "STARTTLS not in the EHLO answer");
        say(io, "STARTTLS\r\n");
        t->phase = 2;
        return TD_LEADIN_MORE;
    default:
        if (code != 220)
            return td_leadin_fail(io, "STARTTLS answered \"%.100s\"", line);
        return TD_LEADIN_DONE;
    }
}

static td_leadin_rc smtp_line(text_st *t, const char *line, td_leadin_io *io)
{
    return mail_line(t, line, io, "EHLO tlsdiag.invalid\r\n");
}

static td_leadin_rc lmtp_line(text_st *t, const char *line, td_leadin_io *io)
{
    return mail_line(t, line, io, "LHLO tlsdiag.invalid\r\n");
}

/* Greeting, one command, one go-ahead code: FTP (RFC 4217 section 4: AUTH
 * TLS, answered 234) and NNTP (RFC 4642 section 2.2: STARTTLS, answered
 * 382). */
static td_leadin_rc command_line(text_st *t, const char *line, td_leadin_io *io, const char *proto, int hello_lo,
                                 int hello_hi, const char *cmd, int go)
{
    bool final;
    int code = reply_line(t, line, &final);
    if (code < 0)
        return td_leadin_fail(io, "not an %s reply: \"%.100s\"", proto, line);
    /* RFC 959 section 4.2: 1yz is a preliminary reply ("120 ready in 5 minutes"). */
    if (!final || code / 100 == 1)
        return TD_LEADIN_MORE;
    if (t->phase == 0) {
        if (code < hello_lo || code > hello_hi)
            return td_leadin_fail(io, "the %s greeting is \"%.100s\"", proto, line);
        say(io, cmd);
        t->phase = 1;
        return TD_LEADIN_MORE;
    }
    if (code != go)
        return td_leadin_fail(io, "%.*s answered \"%.100s\"", (int)strcspn(cmd, "\r"), cmd, line);
    return TD_LEADIN_DONE;
}

static td_leadin_rc ftp_line(text_st *t, const char *line, td_leadin_io *io)
{
    return command_line(t, line, io, "FTP", 220, 220, "AUTH TLS\r\n", 234);
}

/* RFC 3977 section 5.1.1: 200 or 201 (posting allowed or not). */
static td_leadin_rc nntp_line(text_st *t, const char *line, td_leadin_io *io)
{
    return command_line(t, line, io, "NNTP", 200, 201, "STARTTLS\r\n", 382);
}

/* ---- IMAP, POP3 ------------------------------------------------------------ */

/* RFC 3501 section 6.2.1 (RFC 2595 section 3.1): "a STARTTLS", answered
 * "a OK".  The command goes out with the connection: the server reads it
 * after its greeting (section 5.5 lets a client send without waiting).  A
 * PREAUTH greeting means an authenticated session, where STARTTLS is not
 * allowed. */
static td_leadin_rc imap_line(text_st *t, const char *line, td_leadin_io *io)
{
    if (strncmp(line, "* ", 2) == 0) {
        if (t->phase == 0) {
            t->phase = 1;
            if (strncasecmp(line, "* PREAUTH", 9) == 0)
                return td_leadin_fail(io, "the IMAP greeting is PREAUTH, where STARTTLS is not allowed: \"%.100s\"", line);
            if (strncasecmp(line, "* OK", 4) != 0)
                return td_leadin_fail(io, "the IMAP greeting is \"%.100s\"", line);
        }
        if (strcasestr(line, "CAPABILITY")) {
            t->caps_seen = true;
            if (strcasestr(line, " STARTTLS"))
                t->capable = true;
        }
        return TD_LEADIN_MORE;
    }
    if (strncmp(line, "a ", 2) != 0)
        return td_leadin_fail(io, "not an IMAP response: \"%.100s\"", line);
    if (strncasecmp(line + 2, "OK", 2) == 0)
        return TD_LEADIN_DONE;
    if (t->caps_seen && !t->capable)
        return td_leadin_fail(io, "STARTTLS not in the IMAP capabilities (\"%.100s\")", line);
    return td_leadin_fail(io, "STARTTLS answered \"%.100s\"", line);
}

static td_leadin_rc imap_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)target;
    say(io, "a STARTTLS\r\n");
    return text_start(state, cfg, imap_line);
}

/* RFC 2595 section 4: STLS, answered +OK. */
static td_leadin_rc pop3_line(text_st *t, const char *line, td_leadin_io *io)
{
    bool ok = strncmp(line, "+OK", 3) == 0;
    if (!ok && strncmp(line, "-ERR", 4) != 0)
        return td_leadin_fail(io, "not a POP3 response: \"%.100s\"", line);
    if (t->phase++ == 0)
        return ok ? TD_LEADIN_MORE : td_leadin_fail(io, "the POP3 greeting is \"%.100s\"", line);
    return ok ? TD_LEADIN_DONE : td_leadin_fail(io, "STLS answered \"%.100s\"", line);
}

static td_leadin_rc pop3_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)target;
    say(io, "STLS\r\n");
    return text_start(state, cfg, pop3_line);
}

/* ---- ManageSieve, IRC ---------------------------------------------------- */

/* RFC 5804 section 1.8: the server opens with its capabilities, one quoted
 * string a line, closed by OK; "STARTTLS" among them allows the command
 * (section 2.2), answered OK. */
static td_leadin_rc sieve_line(text_st *t, const char *line, td_leadin_io *io)
{
    if (line[0] == '"') {
        if (strncasecmp(line, "\"STARTTLS\"", 10) == 0)
            t->capable = true;
        return TD_LEADIN_MORE;
    }
    bool ok = strncasecmp(line, "OK", 2) == 0;
    if (!ok && strncasecmp(line, "NO", 2) != 0 && strncasecmp(line, "BYE", 3) != 0)
        return td_leadin_fail(io, "not a ManageSieve response: \"%.100s\"", line);
    if (t->phase == 0) {
        if (!ok)
            return td_leadin_fail(io, "the ManageSieve greeting is \"%.100s\"", line);
        if (!t->capable)
            return td_leadin_fail(io, "STARTTLS not in the ManageSieve capabilities");
        say(io, "STARTTLS\r\n");
        t->phase = 1;
        return TD_LEADIN_MORE;
    }
    return ok ? TD_LEADIN_DONE : td_leadin_fail(io, "STARTTLS answered \"%.100s\"", line);
}

/* The IRCv3 STARTTLS extension: STARTTLS before registration, answered
 * with numeric 670 (RPL_STARTTLS), or 691 (ERR_STARTTLS); a server without
 * the extension says 421 (ERR_UNKNOWNCOMMAND) or 451 (not registered).
 * Notices before that are skipped, a PING is answered. */
static td_leadin_rc irc_line(text_st *t, const char *line, td_leadin_io *io)
{
    (void)t;
    const char *cmd = line;
    if (cmd[0] == ':') {
        cmd = strchr(cmd, ' ');
        if (!cmd)
            return td_leadin_fail(io, "not an IRC message: \"%.100s\"", line);
        cmd++;
    }
    if (strncmp(cmd, "670", 3) == 0 && (cmd[3] == ' ' || cmd[3] == '\0'))
        return TD_LEADIN_DONE;
    if (strncmp(cmd, "PING ", 5) == 0) {
        size_t n = strlen(cmd + 5);
        if (n + 8 > sizeof io->out - io->out_len)
            return td_leadin_fail(io, "an IRC PING too long to answer");
        say(io, "PONG ");
        say(io, cmd + 5);
        say(io, "\r\n");
        return TD_LEADIN_MORE;
    }
    if (!strncmp(cmd, "691", 3) || !strncmp(cmd, "421", 3) || !strncmp(cmd, "451", 3) || !strncmp(cmd, "ERROR", 5))
        return td_leadin_fail(io, "STARTTLS answered \"%.100s\"", line);
    return TD_LEADIN_MORE;
}

static td_leadin_rc irc_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)target;
    say(io, "STARTTLS\r\n");
    return text_start(state, cfg, irc_line);
}

/* ---- the engines -------------------------------------------------------------- */

#define WAITING_START(fn)                                                                          \
    static td_leadin_rc fn##_start(void *state, const void *cfg, const td_addr *target, td_leadin_io *io) \
    {                                                                                              \
        (void)target;                                                                              \
        (void)io;                                                                                  \
        return text_start(state, cfg, fn##_line);                                                  \
    }
WAITING_START(smtp)
WAITING_START(lmtp)
WAITING_START(ftp)
WAITING_START(nntp)
WAITING_START(sieve)

/* No bytes may follow the go-ahead: the server waits for the ClientHello,
 * and one that already answers more is answering commands injected before
 * the upgrade (CVE-2011-0411). */
#define TEXT_OPS(fn, nm) const td_leadin_ops td_starttls_##fn##_ops = {nm, sizeof(text_st), false, fn##_start, text_feed}
TEXT_OPS(smtp, "smtp");
TEXT_OPS(lmtp, "lmtp");
TEXT_OPS(ftp, "ftp");
TEXT_OPS(nntp, "nntp");
TEXT_OPS(sieve, "sieve");
TEXT_OPS(imap, "imap");
TEXT_OPS(pop3, "pop3");
TEXT_OPS(irc, "irc");
