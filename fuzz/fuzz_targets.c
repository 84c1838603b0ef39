/* libFuzzer target: scan's target-line parser (lib/scan/targets.c) on any
 * bytes a target list may hold, one line at a time: a refusal must say
 * why, a target must have a host and a port, and a range must stay within
 * its cap and expand to addresses of its own family. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= TD_TLINE_MAX)
        return 0;
    char line[TD_TLINE_MAX];
    memcpy(line, data, size);
    line[size] = '\0';
    td_tline t;
    int rc = td_tline_parse(line, &t);
    if (rc < 0 && !t.error[0])
        abort();
    if (rc != 1)
        return 0;
    if (!t.host[0] || t.port == 0)
        abort();
    uint32_t n = td_tline_count(&t);
    if (n == 0 || (t.kind == TD_TL_RANGE && n > 65536u))
        abort();
    char ip[64];
    uint8_t buf[16];
    if (t.kind == TD_TL_RANGE) {
        td_tline_range_at(&t, n - 1, ip, sizeof ip);
        if (inet_pton(t.v6 ? AF_INET6 : AF_INET, ip, buf) != 1)
            abort();
    }
    return 0;
}
