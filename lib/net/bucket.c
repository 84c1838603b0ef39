/* The token bucket that paces connection starts (td_sched_set_rate): pure
 * arithmetic on the times it is given, so it can be tested without a clock. */
#include "net/sched_int.h"

#include <math.h>

/* Refills are sums of products of milliseconds: a token earned "exactly"
 * may come out a hair short, which must not cost another timer round. */
#define EPS 1e-9

static bool limited(const td_bucket *b)
{
    return b->rate > 0;
}

/* Adds what was earned since the last look.  A clock that went backwards
 * (it does not: the times are monotonic, but a caller may pass stale
 * ones) earns nothing rather than taking tokens away. */
static void refill(td_bucket *b, double now_ms)
{
    if (now_ms > b->t_ms && limited(b))
        b->tokens = fmin(b->burst, b->tokens + (now_ms - b->t_ms) * b->rate / 1000.0);
    if (now_ms > b->t_ms)
        b->t_ms = now_ms;
}

static double sane_rate(double rate)
{
    return (isfinite(rate) && rate > 0) ? rate : 0;
}

void td_bucket_init(td_bucket *b, double rate, double burst, double now_ms)
{
    b->rate = sane_rate(rate);
    b->burst = (isfinite(burst) && burst >= 1) ? burst : 1;
    b->tokens = b->burst;
    b->t_ms = now_ms;
}

void td_bucket_set_rate(td_bucket *b, double rate, double now_ms)
{
    bool was = limited(b);
    refill(b, now_ms);
    b->rate = sane_rate(rate);
    if (!was && limited(b))
        b->tokens = 0;
}

double td_bucket_wait_ms(td_bucket *b, double now_ms)
{
    refill(b, now_ms);
    if (!limited(b) || b->tokens >= 1 - EPS)
        return 0;
    return (1 - b->tokens) * 1000.0 / b->rate;
}

bool td_bucket_take(td_bucket *b, double now_ms)
{
    if (td_bucket_wait_ms(b, now_ms) > 0)
        return false;
    if (limited(b))
        b->tokens -= 1;
    return true;
}
