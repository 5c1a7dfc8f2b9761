/*
** rt_rng.c: xoshiro256++ seeded by splitmix64; uniform, normal, bounded integers, shuffle.
*/
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "rt_rng.h"
#include "rt_vec.h"

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
**
** Kernels seed one of these per sample and per row that fires (3% of an fcn_fashion epoch,
** 4% of an analog LeNet's), so the 16 values are computed as independent lanes: value k is
** the mix of x + (k + 1) golden, which is what k + 1 calls of splitmix64 from x return. In
** little-endian memory the 16 values are then exactly the 32 words in order.
*/
RT_WIDE_LOOP
void rt_rng8_seed(RtRng8 *g, uint64_t key, uint64_t stream)
{
    uint64_t x = key;
    uint64_t h = splitmix64(&x);
    x = h ^ (stream * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull);
    x += 0x9E3779B97F4A7C15ull; /* the discarded second mix */
    uint64_t z[16];
    for (int k = 0; k < 16; k++) {
        uint64_t v = x + (uint64_t)(k + 1) * 0x9E3779B97F4A7C15ull;
        v = (v ^ (v >> 30)) * 0xBF58476D1CE4E5B9ull;
        v = (v ^ (v >> 27)) * 0x94D049BB133111EBull;
        z[k] = v ^ (v >> 31);
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(g->s, z, sizeof z);
#else
    for (int k = 0; k < 4; k++)
        for (int l = 0; l < 8; l += 2) {
            g->s[k][l] = (uint32_t)z[k * 4 + l / 2];
            g->s[k][l + 1] = (uint32_t)(z[k * 4 + l / 2] >> 32);
        }
#endif
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
