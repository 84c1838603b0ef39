/* libFuzzer target: one received ClientHello handshake message, or (when
 * the input starts like one) an SSLv2-compatible CLIENT-HELLO record. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/chello.h"

static void check(const td_chello *h, bool ok)
{
    if (!ok && !h->error[0])
        abort();
    if (h->n_suites > TD_CHELLO_MAX_SUITES || h->n_exts > TD_CHELLO_MAX_EXTS ||
        h->n_groups > TD_CHELLO_MAX_LIST || h->n_shares > TD_CHELLO_MAX_LIST ||
        h->n_sigalgs > TD_CHELLO_MAX_LIST || h->n_versions > TD_CHELLO_MAX_LIST ||
        h->session_id_len > sizeof h->session_id || h->alpn_first_len > sizeof h->alpn_first)
        abort();
    if (strlen(h->sni) >= sizeof h->sni || strlen(h->alpn) >= sizeof h->alpn)
        abort();
    /* Every extension body lies inside the input. */
    volatile unsigned sink = 0;
    for (size_t i = 0; i < h->n_exts; i++)
        for (size_t k = 0; k < h->exts[i].body.len; k++)
            sink += h->exts[i].body.p[k];
    (void)sink;
    (void)td_chello_max_version(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static td_chello h;
    if (td_chello_is_sslv2(data, size))
        check(&h, td_chello_parse_sslv2(&h, data, size));
    else
        check(&h, td_chello_parse(&h, data, size));
    return 0;
}
