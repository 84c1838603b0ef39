/* libFuzzer target: the Apache httpd configuration reader of `tlsdiag
 * lint` (lib/conf/apache.c, apache_eff.c) and the rules and renderings
 * after it (fuzz/conf_target.h). */
#include "conf_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_conf(data, size, "/nonexistent-fuzz/httpd.conf", td_conf_parse_apache, td_conf_apache_effective,
                     "2.4.62", "intermediate");
}
