/* libFuzzer target: the HAProxy configuration reader of `tlsdiag lint`
 * (lib/conf/haproxy.c, haproxy_eff.c) and the rules and renderings after
 * it (fuzz/conf_target.h). */
#include "conf_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_conf(data, size, "/nonexistent-fuzz/haproxy.cfg", td_conf_parse_haproxy, td_conf_haproxy_effective,
                     "2.6.12", "old");
}
