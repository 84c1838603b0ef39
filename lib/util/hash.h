/* A 64-bit hash for memo keys (chains seen again, hellos seen again):
 * FNV-1a over 64-bit words, the tail byte by byte.  Not for anything an
 * attacker may try to collide on purpose: a key's users compare what they
 * can afford to, and a collision costs a wrong memo hit at worst. */
#ifndef TD_UTIL_HASH_H
#define TD_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define TD_HASH64_INIT 14695981039346656037u

uint64_t td_hash64(uint64_t h, const void *p, size_t n);

#endif
