/* libFuzzer target: a key log file (NSS key log format), then a lookup of
 * every label for the client random of its first entry. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_keylog kl;
    td_keylog_init(&kl);
    size_t added = td_keylog_add(&kl, (const char *)data, size);
    if (added != kl.n || kl.n > TD_KEYLOG_MAX_ENTRIES)
        abort();
    if (kl.bad_lines > 0 && !kl.first_bad[0])
        abort();
    if (strlen(kl.first_bad) >= sizeof kl.first_bad)
        abort();
    for (size_t i = 0; i < kl.n; i++)
        if (kl.entries[i].secret_len == 0 || kl.entries[i].secret_len > TD_KEYLOG_MAX_SECRET)
            abort();
    if (kl.n > 0) {
        for (int l = 0; l < TD_KL_N_LABELS; l++) {
            size_t n = 0;
            const uint8_t *s = td_keylog_find(&kl, kl.entries[0].client_random, (td_kl_label)l, &n);
            if (s && (n == 0 || n > TD_KEYLOG_MAX_SECRET))
                abort();
        }
    }
    td_keylog_free(&kl);
    return 0;
}
