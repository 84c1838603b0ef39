#include "util/hash.h"

#include <string.h>

uint64_t td_hash64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, b + k, 8);
        h = (h ^ w) * 1099511628211u;
        h ^= h >> 29;
    }
    for (; k < n; k++)
        h = (h ^ b[k]) * 1099511628211u;
    return h;
}
