/* libFuzzer target: certificate facts and name matching (lib/cert/) on
 * arbitrary bytes, as a server may send them in its Certificate message.
 * The whole input is the DER; its last bytes double as a host name, so the
 * RFC 6125 matcher also sees hosts nobody would type. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"

static void check_str(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap))
        abort();
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            abort(); /* everything written is printable ASCII */
}

static void check_name(const td_name_check *nc)
{
    check_str(nc->matched, sizeof nc->matched);
    check_str(nc->near_miss, sizeof nc->near_miss);
    check_str(nc->why, sizeof nc->why);
    if (nc->ok != (nc->matched[0] != '\0'))
        abort();
    if (nc->via_cn_only && !nc->ok)
        abort();
    if (!nc->ok && !nc->why[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hosts[] = { "leaf.example", "a.b.wild.example", "x.wild.example",
                                         "192.0.2.1",    "[2001:db8::1]",    "example.com." };
    td_der d = { data, size };
    td_cert_info *ci = malloc(sizeof *ci);
    if (!ci)
        return 0;
    char err[256] = "";
    td_name_check nc;

    char host[65];
    size_t hl = size < sizeof host - 1 ? size : sizeof host - 1;
    memcpy(host, data + size - hl, hl);
    host[hl] = '\0';

    if (td_cert_info_from_der(d, ci, err, sizeof err) == 0) {
        check_str(ci->subject, sizeof ci->subject);
        check_str(ci->issuer, sizeof ci->issuer);
        check_str(ci->cn, sizeof ci->cn);
        check_str(ci->sig_alg, sizeof ci->sig_alg);
        check_str(ci->aia_ca_issuers, sizeof ci->aia_ca_issuers);
        check_str(ci->ocsp_url, sizeof ci->ocsp_url);
        if (ci->n_san > TD_CERT_MAX_SAN || ci->n_san > ci->n_san_total)
            abort();
        if (ci->n_san && !ci->has_san_ext)
            abort();
        for (size_t i = 0; i < ci->n_san; i++)
            check_str(ci->san[i], sizeof ci->san[i]);
        if (strlen(ci->sha256) != 64 || ci->not_before_iso[0] == '\0')
            abort();
        if (ci->self_signed && !ci->self_issued)
            abort();
        for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
            td_cert_check_name(ci, hosts[i], &nc);
            check_name(&nc);
        }
        td_cert_check_name(ci, host, &nc);
        check_name(&nc);
        if (ci->cn[0]) {
            td_cert_check_name(ci, ci->cn, &nc);
            check_name(&nc);
        }
    } else if (!err[0]) {
        abort();
    }
    td_cert_check_name_der(d, hosts[size % (sizeof hosts / sizeof *hosts)], &nc);
    check_name(&nc);
    td_cert_check_name_der(d, host, &nc);
    check_name(&nc);

    /* the same bytes twice: a duplicate, or two undecodable entries */
    td_der two[2] = { d, d };
    td_chain_order o;
    td_chain_check_order(two, 2, &o);
    check_str(o.detail, sizeof o.detail);
    if (o.ok)
        abort();

    free(ci);
    return 0;
}
