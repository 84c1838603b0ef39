/* libFuzzer target: the log-line parsers and counters of `tlsdiag logs`
 * (lib/logs), on any bytes a log file may hold, fed in two pieces split where
 * the first byte says (lines cut across reads): the summary must come back,
 * its counts must add up, and its renderings must be written. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "logs/logs_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_logs *l = td_logs_new();
    if (!l)
        return 0;
    size_t cut = size ? data[0] % (size + 1) : 0;
    td_logs_feed(l, (const char *)data, cut);
    if (td_logs_add_text(l, (const char *)data + cut, size - cut) != TD_OK)
        abort();
    uint64_t sum = 0;
    for (int i = 0; i < TD_ID_COUNT; i++)
        sum += l->causes[i].count;
    if (sum != l->failures || l->lines_long + l->lines_nul > l->lines)
        abort();
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        if (td_logs_write_json(l, devnull) != 0 || td_logs_write_text(l, devnull, true) != 0)
            abort();
        fclose(devnull);
    }
    td_logs_free(l);
    return 0;
}
