/* The configuration readers: a source of observations (lib/obs/conf.h)
 * for `tlsdiag lint`.  Parsers turn each server's syntax into the
 * directive tree (tree.h); the per-server readers compute the effective
 * policy from it, as the software applies inheritance and defaults; tls.c
 * and certs.c ask the linked OpenSSL what a cipher string means and read
 * the certificate and key files. */
#ifndef TD_CONF_CONF_H
#define TD_CONF_CONF_H

#include "cert/cert.h"
#include "conf/tree.h"
#include "obs/conf.h"

/* nginx.c: path is the main file; with dump (the bytes of `nginx -T`
 * output) the files come from there.  main_path receives the main file's
 * name.  0, or -1 with t->err set. */
int td_conf_parse_nginx(td_ctree *t, const char *path, const char *dump, size_t dump_len, char *main_path,
                        size_t cap);
/* apache.c: an Apache httpd configuration (Include, Define, sections).
 * A conditional section that does not hold is renamed TD_CONF_OFF.  0, or
 * -1 with t->err set. */
#define TD_CONF_OFF "#off"
int td_conf_parse_apache(td_ctree *t, const char *path, char *main_path, size_t cap);
/* apache_eff.c: each <VirtualHost> with SSLEngine on, with the server
 * level's SSL* settings it inherits and mod_ssl's defaults; SSLProxy* and
 * ProxyPass https:// as upstreams. */
void td_conf_apache_effective(const td_cnode *root, const char *version, td_cobs *o);
void td_conf_apache_version(char *buf, size_t cap);

/* haproxy.c: the sections of a HAProxy configuration file, each line a
 * directive.  0, or -1 with t->err set. */
int td_conf_parse_haproxy(td_ctree *t, const char *path, char *main_path, size_t cap);
/* haproxy_eff.c: each `bind ... ssl` line of a frontend or listen section
 * as a virtual server, with the global ssl-default-bind-* settings it
 * inherits or overrides and HAProxy's defaults; the certificates of its
 * crt files, directories and crt-lists; each backend's `server ... ssl`
 * lines as upstreams.  Reads the crt-lists and lists the crt directories. */
void td_conf_haproxy_effective(const td_cnode *root, const char *version, td_cobs *o);
/* The version a server binary prints: the digits and dots after marker in
 * the output of cmd ("" when nothing answers). */
void td_conf_binary_version(const char *cmd, const char *marker, char *buf, size_t cap);
/* The version of the haproxy binary on PATH ("" when none answers). */
void td_conf_haproxy_version(char *buf, size_t cap);

/* nginx_eff.c: the virtual servers and listeners of a parsed nginx
 * configuration, with nginx's inheritance and the defaults of version
 * (e.g. "1.22.1"; "" unknown). */
void td_conf_nginx_effective(const td_cnode *root, const char *version, td_cobs *o);
/* The version of the nginx binary on PATH ("" when none answers). */
void td_conf_nginx_version(char *buf, size_t cap);

/* policy.c: a new virtual server for block (its location and insertion
 * point; NULL out of memory, o->oom set), and the listeners of all of them
 * (each address once, its servers, its default server: the one marked
 * default, else the first). */
td_cvhost *td_cobs_add_vhost(td_cobs *o, const td_cnode *block);
/* A setting from directive d (its arguments, place and span), or the
 * default dflt when d is NULL. */
void td_cset_from(td_cobs *o, td_cset *dst, const char *name, const td_cnode *d, const char *dflt);
/* The arguments of d (server_name, ServerName, ServerAlias) as names of v. */
void td_cvhost_add_names(td_cobs *o, td_cvhost *v, const td_cnode *d);
void td_conf_listeners(td_cobs *o);

/* tls.c: the suites, versions and security level the linked OpenSSL
 * makes of a virtual server's protocols, cipher string and TLS 1.3 suites
 * (v->versions_written, v->ciphers, v->tls13_suites). */
void td_conf_tls_expand(td_cvhost *v);
/* What td_conf_tls_expand made of src, for a dst with the same protocols,
 * cipher string and TLS 1.3 suites (an http{} policy many servers share:
 * asking OpenSSL once is what makes a thousand servers quick).  False when
 * out of memory. */
bool td_conf_tls_copy(td_cvhost *dst, const td_cvhost *src);
/* Whether two servers' TLS settings expand alike. */
bool td_conf_tls_same(const td_cvhost *a, const td_cvhost *b);
/* "TLSv1 TLSv1.2" -> mask; words it does not know go to *unknown. */
unsigned td_conf_versions_parse(const char *words, char *unknown, size_t cap);

/* certs.c: reads the certificate and key files of c (relative names
 * against dir), checks that they belong together and verifies the chain
 * against st at the time now.  Files with the bytes of a pair read before
 * (one wildcard certificate for many servers) take that pair's results
 * from cache: OpenSSL 3's decoders take most of a millisecond per key. */
typedef struct td_certcache {
    struct td_certseen *v;
    size_t n, cap;
} td_certcache;
void td_conf_read_cert(td_ccert *c, const char *dir, td_store *st, int64_t now, td_certcache *cache);
void td_certcache_free(td_certcache *cache);

#endif
