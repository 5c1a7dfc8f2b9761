/*
** rt_rng.c: xoshiro256++ seeded by splitmix64; uniform, normal, bounded integers, shuffle.
*/
#include <math.h>
#include <stddef.h>

#include "rt_rng.h"

/* splitmix64: advances *x and returns a well mixed 64-bit value. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Rotate x left by k bits, 0 < k < 64. */
static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/*
** Mix the seed, fold the stream in with a different odd constant, mix again, and fill
** the four state words from the result.
*/
void rt_rng_seed(RtRng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    x = h ^ (stream * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull);
    (void)splitmix64(&x);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
    r->spare = 0.0;
    r->has_spare = false;
}

/*
** The same mixing as rt_rng_seed, then 16 splitmix64 values fill the 32 state words (low
** half first, word-major); a lane left all zero gets s[0] = 1.
*/
void rt_rng8_seed(RtRng8 *g, uint64_t key, uint64_t stream)
{
    uint64_t x = key;
    uint64_t h = splitmix64(&x);
    x = h ^ (stream * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull);
    (void)splitmix64(&x);
    for (int k = 0; k < 4; k++)
        for (int l = 0; l < 8; l += 2) {
            uint64_t z = splitmix64(&x);
            g->s[k][l] = (uint32_t)z;
            g->s[k][l + 1] = (uint32_t)(z >> 32);
        }
    for (int l = 0; l < 8; l++)
        if ((g->s[0][l] | g->s[1][l] | g->s[2][l] | g->s[3][l]) == 0)
            g->s[0][l] = 1;
}

/* xoshiro256++ step. */
uint64_t rt_rng_next(RtRng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* The top 53 bits scaled by 2^-53: every value is a multiple of 2^-53 in [0, 1). */
double rt_rng_uniform(RtRng *r)
{
    return (double)(rt_rng_next(r) >> 11) * 0x1.0p-53;
}

/*
** Polar method: draw (u, v) uniform in the unit disc (excluding the centre), return
** u*f and keep v*f for the next call, f = sqrt(-2 ln s / s).
*/
double rt_rng_normal(RtRng *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rt_rng_uniform(r) - 1.0;
        v = 2.0 * rt_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = true;
    return u * f;
}

/* Rejection of the low 2^64 mod n raw values, then reduce modulo n. */
uint64_t rt_rng_below(RtRng *r, uint64_t n)
{
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = rt_rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

/* Fisher-Yates: for k = n-1 down to 1 swap idx[k] with idx[below(k+1)]. */
void rt_rng_shuffle(RtRng *r, size_t *idx, size_t n)
{
    for (size_t k = n; k > 1; k--) {
        size_t m = (size_t)rt_rng_below(r, (uint64_t)k);
        size_t t = idx[k - 1];
        idx[k - 1] = idx[m];
        idx[m] = t;
    }
}
