/* STARTTLS: reaching TLS on ports where it follows a plain-text (or binary)
 * exchange -- mail, news, directory, database and chat protocols.
 *
 * Each protocol is a lead-in engine (net/leadin.h): it does no I/O, says
 * what to send and judges the server's answers, and fails in the protocol's
 * own terms ("STARTTLS not in the EHLO answer", "PostgreSQL answered N to
 * SSLRequest").  The scheduler runs it on every connection of a check, so
 * every probe, full handshake and simulated client goes through the upgrade
 * on its own connection. */
#ifndef TD_STARTTLS_H
#define TD_STARTTLS_H

#include <stdint.h>

#include "net/leadin.h"

typedef enum {
    TD_STARTTLS_NONE,
    TD_STARTTLS_SMTP,
    TD_STARTTLS_LMTP,
    TD_STARTTLS_IMAP,
    TD_STARTTLS_POP3,
    TD_STARTTLS_FTP,
    TD_STARTTLS_XMPP,
    TD_STARTTLS_XMPP_SERVER,
    TD_STARTTLS_LDAP,
    TD_STARTTLS_POSTGRES,
    TD_STARTTLS_POSTGRES_DIRECT,
    TD_STARTTLS_MYSQL,
    TD_STARTTLS_NNTP,
    TD_STARTTLS_SIEVE,
    TD_STARTTLS_IRC,
    TD_STARTTLS_COUNT
} td_starttls_proto;

typedef struct td_starttls_info {
    td_starttls_proto proto;
    const char *name;          /* the --starttls value: "smtp", "xmpp-server", "postgres-direct" */
    const char *label;         /* for people: "SMTP", "PostgreSQL" */
    const td_leadin_ops *ops;  /* NULL: no exchange before the ClientHello (postgres-direct) */
    const char *alpn;          /* ALPN every hello must offer, or NULL (postgres-direct: "postgresql") */
    const char *sclient;       /* `openssl s_client -starttls` value, NULL when it has none */
    uint16_t port;             /* the protocol's usual plain-text port */
} td_starttls_info;

/* By --starttls name (case-insensitive); NULL for an unknown one. */
const td_starttls_info *td_starttls_find(const char *name);
const td_starttls_info *td_starttls_get(td_starttls_proto p);
/* The port a target without one is on: st's usual port, 443 (HTTPS)
 * without an upgrade. */
uint16_t td_starttls_port(const td_starttls_info *st);
/* The names, comma-separated, for usage texts: "smtp, lmtp, ...". */
const char *td_starttls_names(void);
/* The upgrade for a greeting that td_sniff_protocol() named ("SMTP",
 * "IMAP", "POP3", "FTP", "MySQL"), NULL when the name is ambiguous
 * ("SMTP/FTP") or has none. */
const td_starttls_info *td_starttls_for_banner(const char *protocol);

/* What an engine needs to know of the check: the server's name, for XMPP's
 * stream header (RFC 6120 section 4.7.2: 'to' is the domain served). */
typedef struct td_starttls_cfg {
    char domain[256];
} td_starttls_cfg;

/* The engines, one per protocol (text.c, xmpp.c, binary.c). */
extern const td_leadin_ops td_starttls_smtp_ops, td_starttls_lmtp_ops, td_starttls_imap_ops,
    td_starttls_pop3_ops, td_starttls_ftp_ops, td_starttls_nntp_ops, td_starttls_sieve_ops,
    td_starttls_irc_ops, td_starttls_xmpp_ops, td_starttls_xmpp_server_ops, td_starttls_ldap_ops,
    td_starttls_postgres_ops, td_starttls_mysql_ops;

#endif
