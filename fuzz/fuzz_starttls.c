/* libFuzzer target: every STARTTLS engine on the same server bytes.
 *
 * The first byte picks the engine and the read size (so the same bytes
 * also arrive as many small reads); the rest is the server's side.  The
 * engine must say MORE, DONE or FAIL, never use more than it was given, say
 * why when it fails, and stay within its output buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "starttls/starttls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const td_starttls_info *st = td_starttls_get((td_starttls_proto)(1 + data[0] % (TD_STARTTLS_COUNT - 1)));
    if (!st || !st->ops)
        return 0;
    size_t split = data[0] >> 4;
    static const td_starttls_cfg cfg = {.domain = "fuzz.test"};
    uint8_t out[8 * TD_LEADIN_OUT_MAX];
    size_t out_len = 0, used = 0;
    char why[TD_LEADIN_WHY_MAX];
    td_leadin_rc rc = td_leadin_simulate(st->ops, &cfg, NULL, data + 1, size - 1, split, out, sizeof out, &out_len,
                                         &used, why, sizeof why);
    if (rc != TD_LEADIN_MORE && rc != TD_LEADIN_DONE && rc != TD_LEADIN_FAIL)
        abort();
    if (used > size - 1 || out_len > sizeof out)
        abort();
    if (rc == TD_LEADIN_FAIL && !why[0])
        abort();
    if (rc == TD_LEADIN_FAIL && strlen(why) >= sizeof why)
        abort();
    return 0;
}
