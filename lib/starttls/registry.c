/* The STARTTLS protocols by name, and which greeting asks for which. */
#include "starttls/starttls.h"

#include <string.h>
#include <strings.h>

static const td_starttls_info TABLE[] = {
    {TD_STARTTLS_SMTP, "smtp", "SMTP", &td_starttls_smtp_ops, NULL, "smtp", 25},
    {TD_STARTTLS_LMTP, "lmtp", "LMTP", &td_starttls_lmtp_ops, NULL, "lmtp", 24},
    {TD_STARTTLS_IMAP, "imap", "IMAP", &td_starttls_imap_ops, NULL, "imap", 143},
    {TD_STARTTLS_POP3, "pop3", "POP3", &td_starttls_pop3_ops, NULL, "pop3", 110},
    {TD_STARTTLS_FTP, "ftp", "FTP", &td_starttls_ftp_ops, NULL, "ftp", 21},
    {TD_STARTTLS_XMPP, "xmpp", "XMPP", &td_starttls_xmpp_ops, NULL, "xmpp", 5222},
    {TD_STARTTLS_XMPP_SERVER, "xmpp-server", "XMPP (server to server)", &td_starttls_xmpp_server_ops, NULL,
     "xmpp-server", 5269},
    {TD_STARTTLS_LDAP, "ldap", "LDAP", &td_starttls_ldap_ops, NULL, "ldap", 389},
    {TD_STARTTLS_POSTGRES, "postgres", "PostgreSQL", &td_starttls_postgres_ops, NULL, "postgres", 5432},
    {TD_STARTTLS_POSTGRES_DIRECT, "postgres-direct", "PostgreSQL (direct TLS)", NULL, "postgresql", NULL, 5432},
    {TD_STARTTLS_MYSQL, "mysql", "MySQL", &td_starttls_mysql_ops, NULL, "mysql", 3306},
    {TD_STARTTLS_NNTP, "nntp", "NNTP", &td_starttls_nntp_ops, NULL, "nntp", 119},
    {TD_STARTTLS_SIEVE, "sieve", "ManageSieve", &td_starttls_sieve_ops, NULL, "sieve", 4190},
    {TD_STARTTLS_IRC, "irc", "IRC", &td_starttls_irc_ops, NULL, "irc", 6667},
};

const td_starttls_info *td_starttls_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof TABLE / sizeof TABLE[0]; i++)
        if (strcasecmp(TABLE[i].name, name) == 0)
            return &TABLE[i];
    return NULL;
}

const td_starttls_info *td_starttls_get(td_starttls_proto p)
{
    for (size_t i = 0; i < sizeof TABLE / sizeof TABLE[0]; i++)
        if (TABLE[i].proto == p)
            return &TABLE[i];
    return NULL;
}

uint16_t td_starttls_port(const td_starttls_info *st)
{
    return st && st->port ? st->port : 443;
}

const char *td_starttls_names(void)
{
    return "smtp, lmtp, imap, pop3, ftp, xmpp, xmpp-server, ldap, postgres, postgres-direct, mysql, nntp, sieve, irc";
}

const td_starttls_info *td_starttls_for_banner(const char *protocol)
{
    static const struct {
        const char *banner;
        td_starttls_proto proto;
    } BY_BANNER[] = {
        {"SMTP", TD_STARTTLS_SMTP},
        {"IMAP", TD_STARTTLS_IMAP},
        {"POP3", TD_STARTTLS_POP3},
        {"FTP", TD_STARTTLS_FTP},
        {"MySQL", TD_STARTTLS_MYSQL},
    };
    for (size_t i = 0; protocol && i < sizeof BY_BANNER / sizeof BY_BANNER[0]; i++)
        if (strcmp(BY_BANNER[i].banner, protocol) == 0)
            return td_starttls_get(BY_BANNER[i].proto);
    return NULL;
}
