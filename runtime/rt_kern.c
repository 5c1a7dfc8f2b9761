/*
** rt_kern.c: the fast kernels of the pulsed update (see rt_kern.h), in 8-lane GCC vectors.
**
** This file is compiled three times: as is (the x86-64 baseline, symbols *_base), with -mavx2
** -mpopcnt (symbols *_avx2) and with AVX-512 F/VL/BW/DQ as well (symbols *_avx512: the same
** 8-lane vectors, with mask registers and 32 vector registers). The only code that differs
** between the builds is in the small helpers marked "ISA": movemask, the expand permute,
** sqrt, the list of a row's pending columns, the normals two blocks at a time in AVX-512's
** 16 lanes and their stores, the stream seeding in 64-bit lanes (AVX-512 DQ), the I/O
** stages' width, rounding, clipping and loads and their float prefilter (none in the baseline
** build), and the short products' width and fused multiply-add (none in the baseline build,
** which leaves them to BLIS), which compute exactly the same values either way. Everything
** else is the same C, so the same IEEE operations in the same order (the build uses
** -ffp-contract=off: no FMA is formed).
**
** Legend: one chunk = 8 consecutive columns of a row (the last one may be shorter; its
** missing lanes are loaded as 0 and never stored); n = the coincidence count of each lane,
** up = all-ones in lanes whose pulses go up. v is the device state w + ref.
*/
#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "rt_kern_impl.h"

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512BW__) && \
    defined(__AVX512DQ__)
#define KERN(name) name##_avx512
#define KERN_NAME "avx512"
#elif defined(__AVX2__)
#define KERN(name) name##_avx2
#define KERN_NAME "avx2"
#else
#define KERN(name) name##_base
#define KERN_NAME "baseline"
#endif

#define INLINE static inline __attribute__((always_inline))

typedef float F8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));
typedef uint32_t U8 __attribute__((vector_size(32)));
typedef double D8 __attribute__((vector_size(64))); /* 8 lanes in double (train tests) */
typedef int64_t L8 __attribute__((vector_size(64)));

/*
** ====================================================================================
** Vector helpers
** ====================================================================================
*/

INLINE F8 f8(float a)
{
    return (F8){a, a, a, a, a, a, a, a};
}

INLINE I8 i8(int32_t a)
{
    return (I8){a, a, a, a, a, a, a, a};
}

INLINE U8 u8(uint32_t a)
{
    return (U8){a, a, a, a, a, a, a, a};
}

/* 8 floats from p; with len < 8 only len are read and the rest is 0. */
INLINE F8 ldf(const float *p, size_t len)
{
    F8 v = f8(0.0f);
    if (__builtin_expect(len >= 8, 1))
        memcpy(&v, p, 8 * sizeof(float));
    else
        for (size_t l = 0; l < len; l++)
            v[l] = p[l];
    return v;
}

INLINE U8 ldu(const uint32_t *p, size_t len)
{
    U8 v = u8(0);
    if (__builtin_expect(len >= 8, 1))
        memcpy(&v, p, 8 * sizeof(uint32_t));
    else
        for (size_t l = 0; l < len; l++)
            v[l] = p[l];
    return v;
}

/* Store the first len (at most 8) lanes of v at p. */
INLINE void stf(float *p, F8 v, size_t len)
{
    if (__builtin_expect(len >= 8, 1))
        memcpy(p, &v, 8 * sizeof(float));
    else
        for (size_t l = 0; l < len; l++)
            p[l] = v[l];
}

/* The same for words. */
INLINE void stu(uint32_t *p, U8 v, size_t len)
{
    if (__builtin_expect(len >= 8, 1))
        memcpy(p, &v, 8 * sizeof(uint32_t));
    else
        for (size_t l = 0; l < len; l++)
            p[l] = v[l];
}

/* m ? a : b per lane (m all-ones or zero). */
INLINE F8 sel(I8 m, F8 a, F8 b)
{
    return (F8)(((I8)a & m) | ((I8)b & ~m));
}

/* ISA: a < b ? a : b and a > b ? a : b per lane (minps/maxps have exactly these semantics). */
INLINE F8 fmin8(F8 a, F8 b)
{
#if defined(__AVX2__)
    return (F8)_mm256_min_ps((__m256)a, (__m256)b);
#else
    return sel(a < b, a, b);
#endif
}

INLINE F8 fmax8(F8 a, F8 b)
{
#if defined(__AVX2__)
    return (F8)_mm256_max_ps((__m256)a, (__m256)b);
#else
    return sel(a > b, a, b);
#endif
}

INLINE F8 fabs8(F8 a)
{
    return (F8)((I8)a & i8(INT32_MAX));
}

INLINE F8 cvtf(I8 a)
{
    return __builtin_convertvector(a, F8);
}

/* ISA: the sign bits of m's lanes as an 8-bit mask. */
INLINE unsigned mask8(I8 m)
{
#if defined(__AVX2__)
    return (unsigned)_mm256_movemask_ps((__m256)m);
#elif defined(__SSE2__)
    __m128 lo, hi;
    memcpy(&lo, &m, 16);
    memcpy(&hi, (const char *)&m + 16, 16);
    return (unsigned)(_mm_movemask_ps(lo) | (_mm_movemask_ps(hi) << 4));
#else
    unsigned r = 0;
    for (int l = 0; l < 8; l++)
        r |= (m[l] < 0) << l;
    return r;
#endif
}

/* ISA: correctly rounded square roots (the same values on every build). */
INLINE F8 sqrt8(F8 x)
{
#if defined(__AVX2__)
    return (F8)_mm256_sqrt_ps((__m256)x);
#elif defined(__SSE2__)
    __m128 lo, hi;
    memcpy(&lo, &x, 16);
    memcpy(&hi, (const char *)&x + 16, 16);
    lo = _mm_sqrt_ps(lo);
    hi = _mm_sqrt_ps(hi);
    memcpy(&x, &lo, 16);
    memcpy((char *)&x + 16, &hi, 16);
    return x;
#else
    for (int l = 0; l < 8; l++)
        x[l] = sqrtf(x[l]);
    return x;
#endif
}

/* ISA: the number of set bits of each 32-bit lane (AVX2: nibble table; else SWAR). */
INLINE I8 popcnt8(U8 x)
{
#if defined(__AVX2__)
    const __m256i tab = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2,
                                         1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    __m256i lo = _mm256_and_si256((__m256i)x, _mm256_set1_epi8(0x0f));
    __m256i hi = _mm256_and_si256(_mm256_srli_epi32((__m256i)x, 4), _mm256_set1_epi8(0x0f));
    __m256i b = _mm256_add_epi8(_mm256_shuffle_epi8(tab, lo), _mm256_shuffle_epi8(tab, hi));
    __m256i w = _mm256_maddubs_epi16(b, _mm256_set1_epi8(1));
    return (I8)_mm256_madd_epi16(w, _mm256_set1_epi16(1));
#endif
    x = x - ((x >> 1) & u8(0x55555555u));
    x = (x & u8(0x33333333u)) + ((x >> 2) & u8(0x33333333u));
    x = (x + (x >> 4)) & u8(0x0f0f0f0fu);
    x = x + (x >> 8);
    x = x + (x >> 16);
    return (I8)(x & u8(0x3fu));
}

INLINE I8 imax8(I8 a, I8 b)
{
    I8 m = a > b;
    return (a & m) | (b & ~m);
}

/* The largest lane of n. */
INLINE int hmax8(I8 n)
{
    n = imax8(n, __builtin_shuffle(n, (I8){4, 5, 6, 7, 0, 1, 2, 3}));
    n = imax8(n, __builtin_shuffle(n, (I8){2, 3, 0, 1, 6, 7, 4, 5}));
    n = imax8(n, __builtin_shuffle(n, (I8){1, 0, 3, 2, 5, 4, 7, 6}));
    return n[0];
}

/*
** rank[m][l]: how many lanes below l are set in the mask m; an active lane l takes the
** rank[m][l]-th value of a compacted list (expand). Built by the preprocessor.
*/
#define RB(m, l) (((m) >> (l)) & 1)
#define RROW(m)                                                                          \
    {0, RB(m, 0), RB(m, 0) + RB(m, 1), RB(m, 0) + RB(m, 1) + RB(m, 2),                  \
     RB(m, 0) + RB(m, 1) + RB(m, 2) + RB(m, 3),                                          \
     RB(m, 0) + RB(m, 1) + RB(m, 2) + RB(m, 3) + RB(m, 4),                               \
     RB(m, 0) + RB(m, 1) + RB(m, 2) + RB(m, 3) + RB(m, 4) + RB(m, 5),                    \
     RB(m, 0) + RB(m, 1) + RB(m, 2) + RB(m, 3) + RB(m, 4) + RB(m, 5) + RB(m, 6)}
#define RROW4(m) RROW(m), RROW((m) + 1), RROW((m) + 2), RROW((m) + 3)
#define RROW16(m) RROW4(m), RROW4((m) + 4), RROW4((m) + 8), RROW4((m) + 12)
#define RROW64(m) RROW16(m), RROW16((m) + 16), RROW16((m) + 32), RROW16((m) + 48)
static const uint8_t rank[256][8] __attribute__((unused)) = {RROW64(0), RROW64(64), RROW64(128),
                                                             RROW64(192)};

/*
** ISA: lane l of the result is buf[rank[m][l]] where m has lane l (the other lanes: any
** value; AVX-512 gives 0 there and reads only the values it places).
*/
INLINE F8 expand(const float *buf, unsigned m)
{
#if defined(__AVX512F__) && defined(__AVX512VL__)
    return (F8)_mm256_maskz_expandloadu_ps((__mmask8)m, buf);
#elif defined(__AVX2__)
    __m128i r8;
    memcpy(&r8, rank[m], 8);
    __m256i idx = _mm256_cvtepu8_epi32(r8);
    return (F8)_mm256_permutevar8x32_ps(_mm256_loadu_ps(buf), idx);
#else
    F8 v;
    for (int l = 0; l < 8; l++)
        v[l] = buf[rank[m][l]];
    return v;
#endif
}

/* ISA: lane l is p[idx[l]] (idx >= 0). */
INLINE F8 gather(const float *p, I8 idx)
{
#if defined(__AVX2__)
    return (F8)_mm256_i32gather_ps(p, (__m256i)idx, 4);
#else
    F8 v;
    for (int l = 0; l < 8; l++)
        v[l] = p[idx[l]];
    return v;
#endif
}

/* ISA: the number of set bits of an 8-bit mask. */
INLINE int count8(unsigned m)
{
#if defined(__POPCNT__)
    return __builtin_popcount(m);
#else
    return rank[m][7] + (int)(m >> 7);
#endif
}

/* ISA: the lanes m of e stored in order at out (room for 8), their count. */
INLINE int compress_to(int32_t *out, I8 e, unsigned m)
{
#if defined(__AVX512F__) && defined(__AVX512VL__)
    I8 c = (I8)_mm256_maskz_compress_epi32((__mmask8)m, (__m256i)e);
    memcpy(out, &c, sizeof c);
    return count8(m);
#else
    int n = 0;
    for (; m; m &= m - 1)
        out[n++] = e[__builtin_ctz(m)];
    return n;
#endif
}

/* The entries of 8 columns from j0 with inputs x: column index, x's sign bit on top. */
INLINE I8 col_entries(F8 x, int32_t j0)
{
    return ((I8){0, 1, 2, 3, 4, 5, 6, 7} + i8(j0)) | ((I8)x & i8(INT32_MIN));
}

/*
** ====================================================================================
** Fast log2, exp2, pow (IEEE +, -, * and exponent bits only)
** ====================================================================================
*/

/*
** log2 x for finite x > 0 (normal): x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
** log2(1 + t) = t P(t), t = m - 1, P of degree 7 (Chebyshev fit of log2(1 + t)/t on the
** interval; relative error of P 3.2e-7). Measured against long double over 2^24 points:
** |error| <= 1.2e-7 + 6e-8 |log2 x|. x = 0 gives -127 (callers test u > 0 first).
*/
INLINE F8 log2_8(F8 x)
{
    I8 b = (I8)x;
    I8 e = (b >> 23) - i8(127);
    F8 m = (F8)((b & i8(0x007fffff)) | i8(0x3f800000));
    I8 big = m > f8(1.41421356f);
    m = sel(big, m * f8(0.5f), m);
    e = e - big;
    F8 t = m - f8(1.0f);
    F8 t2 = t * t, t4 = t2 * t2;
    F8 p01 = f8(1.442694995e+00f) + t * f8(-7.213529314e-01f);
    F8 p23 = f8(4.809167080e-01f) + t * f8(-3.602251825e-01f);
    F8 p45 = f8(2.872888824e-01f) + t * f8(-2.492718221e-01f);
    F8 p67 = f8(2.326525788e-01f) + t * f8(-1.427597344e-01f);
    F8 p = (p01 + t2 * p23) + t4 * (p45 + t2 * p67);
    return cvtf(e) + t * p;
}

/*
** 2^t for t in [-126, 127] (clamped there): t = k + f, k = nearest integer (by the
** 1.5 2^23 rounding trick), f in [-1/2, 1/2], 2^f by a degree-5 polynomial (relative error
** 8e-8), times 2^k built in the exponent bits.
*/
INLINE F8 exp2_8(F8 t)
{
    t = fmin8(fmax8(t, f8(-126.0f)), f8(127.0f));
    F8 r = (t + f8(12582912.0f)) - f8(12582912.0f);
    F8 f = t - r;
    I8 k = __builtin_convertvector(r, I8);
    F8 f2 = f * f;
    F8 p01 = f8(1.000000075e+00f) + f * f8(6.931471880e-01f);
    F8 p23 = f8(2.402210749e-01f) + f * f8(5.550357114e-02f);
    F8 p45 = f8(9.676031918e-03f) + f * f8(1.339086336e-03f);
    F8 p = p01 + f2 * (p23 + f2 * p45);
    return p * (F8)((k + i8(127)) << 23);
}

/* u^g for u > 0 (other lanes: garbage, finite); relative error about 3e-7 for |g log2 u| < 8. */
INLINE F8 pow8(F8 u, F8 g)
{
    return exp2_8(g * log2_8(u));
}

/* u^g of a rule: sqrt when the planes' exponent is 1/2 everywhere (exact, and cheaper). */
INLINE F8 upow(F8 u, F8 g, const RtPlanes *pl)
{
    return pl->root ? sqrt8(fmax8(u, f8(0.0f))) : pow8(u, g);
}

/* pow(0, g) as libm has it: 0 for g > 0, 1 for g == 0, +inf for g < 0. */
INLINE F8 pow0(F8 g)
{
    return sel(g > f8(0.0f), f8(0.0f), sel(g == f8(0.0f), f8(1.0f), f8(INFINITY)));
}

/*
** ====================================================================================
** Generator and normals
** ====================================================================================
*/

/*
** Eight xoshiro128+ generators in registers (Blackman & Vigna: the fastest of the family for
** floating point; its lowest bits are weak, and no draw here depends on the lowest bits
** beyond 2^-23 of its value).
*/
typedef struct G8 {
    U8 s0, s1, s2, s3;
} G8;

INLINE U8 rotl8(U8 x, int k)
{
    return (x << k) | (x >> (32 - k));
}

/* One step of every lane: 8 words. */
INLINE U8 g8_next(G8 *g)
{
    U8 r = g->s0 + g->s3;
    U8 t = g->s1 << 9;
    g->s2 ^= g->s0;
    g->s3 ^= g->s1;
    g->s1 ^= g->s2;
    g->s0 ^= g->s3;
    g->s2 ^= t;
    g->s3 = rotl8(g->s3, 11);
    return r;
}

INLINE G8 g8_load(const RtRng8 *r)
{
    G8 g;
    memcpy(&g.s0, r->s[0], 32);
    memcpy(&g.s1, r->s[1], 32);
    memcpy(&g.s2, r->s[2], 32);
    memcpy(&g.s3, r->s[3], 32);
    return g;
}

INLINE void g8_store(RtRng8 *r, const G8 *g)
{
    memcpy(r->s[0], &g->s0, 32);
    memcpy(r->s[1], &g->s1, 32);
    memcpy(r->s[2], &g->s2, 32);
    memcpy(r->s[3], &g->s3, 32);
}

/*
** ISA: g seeded as rt_rng8_seed(g, key, stream) seeds an RtRng8, in registers. With AVX-512
** DQ the 16 splitmix64 values are two vectors of 64-bit lanes (their multiplies one
** instruction each), and the state never goes through memory: a seeding was a function call
** and most of its time a chain of dependent operations (the update seeds per sample and per
** row that fires, the I/O per row).
*/
INLINE G8 seed_g8(uint64_t key, uint64_t stream)
{
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    typedef uint64_t Q8 __attribute__((vector_size(64)));
    const uint64_t golden = 0x9E3779B97F4A7C15ull;
    uint64_t h = key + golden;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    uint64_t x = (h ^ (stream * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull)) + golden;
    Q8 a = x + (Q8){1, 2, 3, 4, 5, 6, 7, 8} * golden, b = a + 8 * golden;
    a = (a ^ (a >> 30)) * 0xBF58476D1CE4E5B9ull;
    b = (b ^ (b >> 30)) * 0xBF58476D1CE4E5B9ull;
    a = (a ^ (a >> 27)) * 0x94D049BB133111EBull;
    b = (b ^ (b >> 27)) * 0x94D049BB133111EBull;
    a ^= a >> 31;
    b ^= b >> 31;
    G8 g; /* value k is words 2k, 2k + 1 in order: s0 from values 0-3, s1 4-7, s2 8-11, s3 12-15 */
    g.s0 = (U8)__builtin_shufflevector(a, a, 0, 1, 2, 3);
    g.s1 = (U8)__builtin_shufflevector(a, a, 4, 5, 6, 7);
    g.s2 = (U8)__builtin_shufflevector(b, b, 0, 1, 2, 3);
    g.s3 = (U8)__builtin_shufflevector(b, b, 4, 5, 6, 7);
    I8 zero = (I8)((g.s0 | g.s1 | g.s2 | g.s3) == 0); /* a lane all zero: s0 = 1 */
    g.s0 = (U8)((I8)g.s0 - zero);
    return g;
#else
    RtRng8 st;
    rt_rng8_seed(&st, key, stream);
    return g8_load(&st);
#endif
}

/*
** Box-Muller normals (see rt_kern.h) in lanes of floats F (ints I, words U), from words a
** (the radius) and c (the angle). The radius is sqrt(-2 ln u), its log2 by a degree-5 P
** (relative error 1.4e-5, far below anything a pulse can show); the angle's quadrant is c's
** top 2 bits, t = its low 30 bits / 2^30, sin(pi t/2) = t S(t^2) (degree 3, error 1.2e-6),
** cos(pi t/2) = C(t^2) (degree 4, error 4.7e-8), then rotated by the quadrant. One
** definition for the 8 lanes of every build and the 16 of AVX-512 (bm32), so the same
** operations in each lane; sqrt0(v) is sqrt(max(v, 0)).
*/
#define BM_LANES(name, F, I, U, sqrt0)                                                      \
    INLINE void name(U a, U c, F *zx, F *zy)                                               \
    {                                                                                      \
        F u = __builtin_convertvector((I)((a >> 1) | 1u), F) * 0x1p-31f;                  \
        I b = (I)u, e = (b >> 23) - 127;                                                   \
        F m = (F)((b & 0x007fffff) | 0x3f800000);                                          \
        I big = m > 1.41421356f;                                                           \
        m = (F)(((I)(m * 0.5f) & big) | ((I)m & ~big));                                    \
        e = e - big;                                                                       \
        F f = m - 1.0f, f2 = f * f;                                                        \
        F p = (1.442700440e+00f + f * -7.211957524e-01f) +                                 \
              f2 * ((4.799255735e-01f + f * -3.669257710e-01f) +                           \
                    f2 * (3.168981872e-01f + f * -2.022892637e-01f));                      \
        F r = sqrt0((__builtin_convertvector(e, F) + f * p) * -1.386294361f);              \
        F t = __builtin_convertvector((I)(c & 0x3fffffffu), F) * 0x1p-30f;                 \
        F t2 = t * t, t4 = t2 * t2;                                                        \
        F sn = t * (1.570795128e+00f +                                                     \
                    t2 * (-6.459257208e-01f +                                              \
                          t2 * (7.950000676e-02f + t2 * -4.370585944e-03f)));              \
        F cs = (9.999999530e-01f + t2 * -1.233698201e+00f) +                               \
               t4 * ((2.536506744e-01f + t2 * -2.081051520e-02f) + t4 * 8.581344671e-04f); \
        I odd = (I)(c << 1) >> 31;                                                         \
        F x = (F)(((I)sn & odd) | ((I)cs & ~odd));                                         \
        F y = (F)(((I)cs & odd) | ((I)sn & ~odd));                                         \
        x = (F)((I)x ^ ((I)(c ^ (c << 1)) & INT32_MIN));                                   \
        y = (F)((I)y ^ ((I)c & INT32_MIN));                                                \
        *zx = r * x, *zy = r * y;                                                          \
    }

INLINE F8 sqrt0_8(F8 v)
{
    return sqrt8(fmax8(v, f8(0.0f)));
}

BM_LANES(bm_lanes8, F8, I8, U8, sqrt0_8)

/*
** ISA: lo, then hi, into out[0..15]: with wide, one 64-byte store with AVX-512 (the I/O
** stages read their normals 16 at a time right after, and a load wider than the stores that
** wrote it waits for them to reach the cache), else two 32-byte stores (the pulses read
** theirs 8 at a time, and a load of half a wider store waits as well: 20% of an update).
*/
INLINE void st16(float *out, F8 lo, F8 hi, bool wide)
{
#if defined(__AVX512F__)
    if (wide) {
        typedef float F16s __attribute__((vector_size(64)));
        F16s v = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                         14, 15);
        memcpy(out, &v, sizeof v);
        return;
    }
#endif
    (void)wide;
    memcpy(out, &lo, 32);
    memcpy(out + 8, &hi, 32);
}

/* 16 normals: the 8 lanes' x, then their y (wide: as st16 says). */
INLINE void bm16(G8 *g, float *out, bool wide)
{
    U8 a = g8_next(g), c = g8_next(g);
    F8 zx, zy;
    bm_lanes8(a, c, &zx, &zy);
    st16(out, zx, zy, wide);
}

/*
** A stream of normals with a look-ahead buffer: reserve(k) makes k values from pos on
** readable (refills keep the order of the sequence); take() consumes them.
*/
#define NS_CAP 8192
typedef struct NS {
    G8 g;
    int pos, end;
    float buf[NS_CAP];
} NS;

/* Make need <= 4160 values readable from pos; the buffer is compacted only when full. */
INLINE void ns_reserve(NS *s, int need)
{
    if (s->end - s->pos >= need)
        return;
    if (s->pos + need + 16 > NS_CAP) {
        int rest = s->end - s->pos;
        memmove(s->buf, s->buf + s->pos, (size_t)rest * sizeof(float));
        s->pos = 0;
        s->end = rest;
    }
    while (s->end - s->pos < need) {
        bm16(&s->g, s->buf + s->end, false);
        s->end += 16;
    }
}

/*
** ====================================================================================
** Trains
** ====================================================================================
*/

/*
** The row train of k >= 1 fired slots out of bl: Floyd's algorithm (a uniform k-subset),
** for j = bl - k .. bl - 1 the slot t = floor(word (j + 1) / 2^32) in [0, j], or j if t is
** taken; words from g's next ceil(k/8) steps (word m is lane m % 8 of step m / 8).
*/
INLINE uint64_t slots(G8 *g, int k, int bl)
{
    uint64_t s = 0;
    U8 w = u8(0);
    for (int m = 0; m < k; m++) {
        if (m % 8 == 0)
            w = g8_next(g);
        uint32_t j = (uint32_t)(bl - k + m);
        uint64_t t = ((uint64_t)w[m % 8] * (j + 1)) >> 32;
        uint64_t bit = (uint64_t)1 << t;
        s |= (s & bit) ? (uint64_t)1 << j : bit;
    }
    return s;
}

static uint64_t KERN(row_slots)(RtRng8 *r, int k, int bl)
{
    G8 g = g8_load(r);
    uint64_t bits = slots(&g, k, bl);
    g8_store(r, &g);
    return bits;
}

static void KERN(words)(RtRng8 *r, uint32_t *out, size_t n)
{
    G8 g = g8_load(r);
    for (size_t k = 0; k + 8 <= n; k += 8) {
        U8 w = g8_next(&g);
        memcpy(out + k, &w, sizeof w);
    }
    g8_store(r, &g);
}

/* The first n words of each stream (key[r], stream), as words gives them after rt_rng8_seed;
** two streams side by side. */
static void KERN(stream_words)(const uint64_t *key, uint32_t *const *out, size_t m,
                               uint64_t stream, size_t n)
{
    size_t r = 0;
    for (; r + 2 <= m; r += 2) {
        G8 g0 = seed_g8(key[r], stream), g1 = seed_g8(key[r + 1], stream);
        for (size_t k = 0; k + 8 <= n; k += 8) {
            U8 w0 = g8_next(&g0), w1 = g8_next(&g1);
            memcpy(out[r] + k, &w0, sizeof w0);
            memcpy(out[r + 1] + k, &w1, sizeof w1);
        }
    }
    for (; r < m; r++) {
        G8 g = seed_g8(key[r], stream);
        for (size_t k = 0; k + 8 <= n; k += 8) {
            U8 w = g8_next(&g);
            memcpy(out[r] + k, &w, sizeof w);
        }
    }
}

#if defined(__AVX512F__) && defined(__AVX512DQ__)
/*
** ISA: bm16 twice in the 16 lanes of AVX-512 (the normals of a row of 256 took most of an
** ADC stage's time at 8 lanes): the same four steps of g in the same order, each lane
** through BM_LANES (the kernel tests compare the builds' normals bit for bit).
*/
typedef float F16 __attribute__((vector_size(64)));
typedef int32_t I16 __attribute__((vector_size(64)));
typedef uint32_t U16 __attribute__((vector_size(64)));

INLINE U16 join16(U8 lo, U8 hi)
{
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

INLINE F16 sqrt0_16(F16 v)
{
    return (F16)_mm512_sqrt_ps(_mm512_max_ps((__m512)v, _mm512_setzero_ps()));
}

BM_LANES(bm_lanes16, F16, I16, U16, sqrt0_16)

/* Two bm16 in one: the first from words a0, c0 into out0, the second from a1, c1 into out1. */
INLINE void bm16_pair(U8 a0, U8 c0, U8 a1, U8 c1, float *out0, float *out1)
{
    F16 zx, zy;
    bm_lanes16(join16(a0, a1), join16(c0, c1), &zx, &zy);
    F16 first = __builtin_shufflevector(zx, zy, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21,
                                        22, 23); /* the first bm16: its x, then its y */
    F16 second = __builtin_shufflevector(zx, zy, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27,
                                         28, 29, 30, 31);
    memcpy(out0, &first, sizeof first); /* 64-byte stores, as st16's wide ones (the I/O's) */
    memcpy(out1, &second, sizeof second);
}

INLINE void bm32(G8 *g, float *out)
{
    U8 a0 = g8_next(g), c0 = g8_next(g), a1 = g8_next(g), c1 = g8_next(g);
    bm16_pair(a0, c0, a1, c1, out, out + 16);
}
#endif

static void KERN(normals)(RtRng8 *r, float *out, size_t n)
{
    G8 g = g8_load(r);
    size_t k = 0;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    for (; k + 32 <= n; k += 32)
        bm32(&g, out + k);
#endif
    for (; k + 16 <= n; k += 16)
        bm16(&g, out + k, true);
    g8_store(r, &g);
}

/*
** The first 16 normals of each of m streams (key[r], 0), out (m,16). With AVX-512 two rows
** share one bm16_pair: the lanes of each do its bm16's operations, and the rows' chains,
** short and each a long dependency, overlap.
*/
static void KERN(row_normals)(const uint64_t *key, size_t m, float *out)
{
    size_t r = 0;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    for (; r + 4 <= m; r += 4) {
        G8 g0 = seed_g8(key[r], 0), g1 = seed_g8(key[r + 1], 0);
        G8 g2 = seed_g8(key[r + 2], 0), g3 = seed_g8(key[r + 3], 0);
        U8 a0 = g8_next(&g0), c0 = g8_next(&g0), a1 = g8_next(&g1), c1 = g8_next(&g1);
        U8 a2 = g8_next(&g2), c2 = g8_next(&g2), a3 = g8_next(&g3), c3 = g8_next(&g3);
        bm16_pair(a0, c0, a1, c1, out + 16 * r, out + 16 * (r + 1));
        bm16_pair(a2, c2, a3, c3, out + 16 * (r + 2), out + 16 * (r + 3));
    }
    for (; r + 2 <= m; r += 2) {
        G8 g0 = seed_g8(key[r], 0), g1 = seed_g8(key[r + 1], 0);
        U8 a0 = g8_next(&g0), c0 = g8_next(&g0), a1 = g8_next(&g1), c1 = g8_next(&g1);
        bm16_pair(a0, c0, a1, c1, out + 16 * r, out + 16 * (r + 1));
    }
#endif
    for (; r < m; r++) {
        G8 g = seed_g8(key[r], 0);
        bm16(&g, out + 16 * r, true);
    }
}

/*
** rt_kern_threshold(b |x_l|) of every lane, in double with the scalar's operations (lanes
** loaded as 0, beyond the chunk, get -1: they never fire).
*/
INLINE I8 thresholds(F8 x, double b)
{
    D8 p = __builtin_convertvector(fabs8(x), D8) * b;
    D8 t = p * 2147483648.0 + 0.5;
    L8 on = p > 0.0, big = t >= 2147483648.0;
    I8 th = __builtin_convertvector((D8)((L8)t & on & ~big), I8) - i8(1); /* t < 2^31 there */
    I8 on8 = __builtin_convertvector(on, I8), big8 = __builtin_convertvector(big, I8);
    return (((th & ~big8) | (i8(INT32_MAX) & big8)) & on8) | ~on8;
}

#if defined(__AVX512F__) && defined(__AVX512DQ__)
/*
** ISA: one_slot_trains' 16 columns from j0 (x loaded as xv, live lanes `in`) with the words
** w0 (columns j0..j0+7) and w1 (the next 8): their trains into lo and hi, the firing columns
** appended to list as entries (all 16 lanes stored where the list has room for them); how
** many fire.
*/
INLINE int slot16(uint32_t *lo, uint32_t *hi, int32_t *list, __m512 xv, __mmask16 in, U8 w0,
                  U8 w1, double b, size_t j0, bool room)
{
    __m512 ax = _mm512_castsi512_ps(
        _mm512_and_si512(_mm512_castps_si512(xv), _mm512_set1_epi32(INT32_MAX)));
    const __m512d two31 = _mm512_set1_pd(2147483648.0), half = _mm512_set1_pd(0.5);
    __m512d t0 = _mm512_cvtps_pd(_mm512_castps512_ps256(ax));
    __m512d t1 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(
        _mm512_castps_pd(ax), 1)));
    t0 = _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(t0, _mm512_set1_pd(b)), two31), half);
    t1 = _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(t1, _mm512_set1_pd(b)), two31), half);
    const __m512d one = _mm512_set1_pd(1.0);
    __m512d u0 = _mm512_add_pd(_mm512_cvtepi32_pd((__m256i)(w0 >> 1)), one);
    __m512d u1 = _mm512_add_pd(_mm512_cvtepi32_pd((__m256i)(w1 >> 1)), one);
    __mmask16 fire = (__mmask16)(_mm512_cmp_pd_mask(u0, t0, _CMP_LE_OQ) |
                                 (_mm512_cmp_pd_mask(u1, t1, _CMP_LE_OQ) << 8)) & in;
    _mm512_mask_storeu_epi32(lo, in, _mm512_maskz_mov_epi32(fire, _mm512_set1_epi32(1)));
    if (hi)
        _mm512_mask_storeu_epi32(hi, in, _mm512_setzero_si512());
    int got = __builtin_popcount(fire);
    if (list) {
        __m512i e = _mm512_or_si512(
            _mm512_add_epi32(_mm512_set1_epi32((int32_t)j0),
                             _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                               14, 15)),
            _mm512_and_si512(_mm512_castps_si512(xv), _mm512_set1_epi32(INT32_MIN)));
        __m512i packed = _mm512_maskz_compress_epi32(fire, e);
        if (room)
            _mm512_storeu_si512(list, packed);
        else
            _mm512_mask_storeu_epi32(list, (__mmask16)((1u << got) - 1), packed);
    }
    return got;
}
#endif

/*
** col_trains for BL 1 (nearly every sample under update management), one step a chunk: a
** column fires iff (word >> 1) <= floor(t) - 1 with t = b |x_j| 2^31 + 0.5 (the threshold of
** rt_kern_threshold), that is iff (word >> 1) + 1 <= t, compared in double without the
** integer threshold (t < 1, NaN: never; t >= 2^31: always, as there). Half the operations
** of the general loop's threshold and its masks.
*/
INLINE size_t one_slot_trains(G8 *g, uint32_t *lo, uint32_t *hi, const float *x, size_t X,
                              double b, int32_t *list)
{
    size_t n = 0, j0 = 0;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    /* ISA: two chunks at a time in 16 lanes (their two steps of the stream in order), the same
    ** operations per lane; one store of each kind and one compress per 16 columns. */
    for (; j0 + 16 <= X; j0 += 16) {
        U8 w0 = g8_next(g), w1 = g8_next(g);
        n += (size_t)slot16(lo + j0, hi ? hi + j0 : NULL, list ? list + n : NULL,
                            _mm512_loadu_ps(x + j0), 0xFFFF, w0, w1, b, j0, true);
    }
    if (j0 < X) { /* ISA: the last 1 to 15 columns (9 of a 25-input patch) in one masked pass:
                  ** the steps the chunks below take (a second only past 8 columns); lanes
                  ** beyond X load 0 (t = 1/2 < u: they never fire) and are not stored; the
                  ** list (X + 8 entries of room) takes only the columns that fire */
        size_t left = X - j0;
        __mmask16 in = (__mmask16)((1u << left) - 1);
        U8 w0 = g8_next(g), w1 = left > 8 ? g8_next(g) : u8(0);
        n += (size_t)slot16(lo + j0, hi ? hi + j0 : NULL, list ? list + n : NULL,
                            _mm512_maskz_loadu_ps(in, x + j0), in, w0, w1, b, j0, false);
        j0 = X;
    }
#endif
    for (; j0 < X; j0 += 8) {
        size_t len = X - j0 < 8 ? X - j0 : 8;
        F8 xv = ldf(x + j0, len);
        D8 t = (__builtin_convertvector(fabs8(xv), D8) * b) * 2147483648.0 + 0.5;
        D8 u = __builtin_convertvector((I8)(g8_next(g) >> 1), D8) + 1.0;
        I8 fire = __builtin_convertvector(u <= t, I8);
        stu(lo + j0, (U8)fire & u8(1), len);
        if (hi)
            stu(hi + j0, u8(0), len);
        if (list)
            n += (size_t)compress_to(list + n, col_entries(xv, (int32_t)j0), mask8(fire));
    }
    return n;
}

/*
** Column trains of one sample: chunk by chunk, slot by slot, one step of the stream
** (key, RT_KERN_COL_STREAM) per slot gives the 8 columns' words. With list (BL 1), the
** columns that fire at slot 0 as RtUpd.cols packs them, in the same pass; their number. A
** chunk of zero inputs fires nothing and only takes its steps (a transfer's one-hot sample:
** all chunks but one; its write 10% faster).
*/
static size_t KERN(col_trains)(uint32_t *lo, uint32_t *hi, const float *x, size_t X, double b,
                               int bl, uint64_t key, int32_t *list)
{
    G8 g = seed_g8(key, RT_KERN_COL_STREAM);
    size_t n = 0;
    if (bl == 1)
        n = one_slot_trains(&g, lo, hi, x, X, b, list);
    for (size_t j0 = 0; j0 < X && bl > 1; j0 += 8) {
        size_t len = X - j0 < 8 ? X - j0 : 8;
        F8 xv = ldf(x + j0, len);
        U8 wl = u8(0), wh = u8(0);
        if (!mask8(((I8)xv << 1) != i8(0))) { /* inputs all 0: nothing fires */
            for (int k = 0; k < bl; k++)
                g8_next(&g); /* the stream goes on as it would */
            stu(lo + j0, wl, len);
            if (hi)
                stu(hi + j0, wh, len);
            continue;
        }
        I8 thr = thresholds(xv, b);
        for (int k = 0; k < bl; k++) {
            U8 fire = (U8)((I8)(g8_next(&g) >> 1) <= thr);
            if (k < 32)
                wl |= fire & u8(1u << k);
            else
                wh |= fire & u8(1u << (k - 32));
        }
        stu(lo + j0, wl, len);
        if (hi)
            stu(hi + j0, wh, len);
        if (list)
            n += (size_t)compress_to(list + n, col_entries(xv, (int32_t)j0),
                                     mask8((I8)(wl << 31)));
    }
    if (list)
        memset(list + n, 0, 8 * sizeof *list); /* read, and ignored, by a group's dead lanes */
    return n;
}

/*
** K of rt_kern_train_count for the lanes of fires (p > 0, past its first test): its
** operations lane by lane, the lanes' sums side by side (a transfer fires most rows, and the
** scalar sum's chain of a division per step was a third of its update); K = bl where p >= 1.
*/
INLINE I8 train_counts8(D8 p, D8 U, L8 fires, int bl)
{
    const D8 one = {1, 1, 1, 1, 1, 1, 1, 1};
    D8 q = one - p, f = one, sq = q;
    for (int e = bl; e; e >>= 1, sq *= sq) /* q^bl by squaring */
        if (e & 1)
            f *= sq;
    L8 sure = fires & (p >= 1.0);         /* K = bl */
    L8 open = fires & ~sure & ~(U < f);   /* K > 0, not yet found */
    D8 r = p / q, pk = f;
    L8 K = sure & (int64_t)bl;
    for (int k = 1; k < bl && mask8(__builtin_convertvector(open, I8)); k++) {
        pk *= (double)(bl - k + 1) / (double)k * r;
        f += pk;
        L8 now = open & (U < f);
        K |= now & (int64_t)k;
        open &= ~now;
    }
    return __builtin_convertvector(K | (open & (int64_t)bl), I8);
}

/*
** The rows' K, 8 rows at a time: the test of rt_kern_train_count that gives K = 0 (nearly
** every row) in vector doubles, the same operations; the rest in train_counts8.
*/
static bool KERN(train_counts)(uint8_t *kc, const uint32_t *ru, const float *d, size_t D,
                               double pa, int bl)
{
    typedef uint8_t B8 __attribute__((vector_size(8)));
    unsigned any = 0;
    for (size_t i0 = 0; i0 < D; i0 += 8) {
        size_t len = D - i0 < 8 ? D - i0 : 8;
        D8 p = __builtin_convertvector(fabs8(ldf(d + i0, len)), D8) * pa;
        D8 U = (__builtin_convertvector(ldu(ru + i0, len), D8) + 0.5) * 0x1p-32;
        L8 silent = ~(p > 0.0) | ((p < 1.0) & (U < 1.0 - (double)bl * p)); /* K = 0 */
        I8 fires = ~__builtin_convertvector(silent, I8); /* lanes beyond D: p = 0, silent */
        if (bl == 1) { /* past the first test K is 1 (F(0) = 1 - p): no scalar count */
            B8 k8 = __builtin_convertvector(fires & i8(1), B8);
            memcpy(kc + i0, &k8, sizeof k8);
            any |= mask8(fires);
            continue;
        }
        if (!mask8(fires)) {
            memset(kc + i0, 0, 8);
            continue;
        }
        I8 k = train_counts8(p, U, ~silent, bl);
        B8 k8 = __builtin_convertvector(k, B8);
        memcpy(kc + i0, &k8, sizeof k8);
        any |= mask8(k > i8(0));
    }
    return any != 0;
}

/*
** ====================================================================================
** Pulses
** ====================================================================================
*/

/*
** Up to KB chunks (8 consecutive columns each) of a row that have pulses, processed
** together: the dependency chains of their weights (one pulse after the other) interleave,
** which hides their latency. A block's normals are read in a fixed order: pulse level q =
** 0, 1, ..., within a level chunk by chunk, within a chunk its active lanes; then the
** write-noise draws, chunk by chunk. Missing chunks of the last block have n = 0, len = 0.
*/
#define KB 4
typedef struct Block {
    I8 n[KB], up[KB]; /* coincidences; all-ones in lanes whose pulses go up */
    size_t off[KB];   /* cell index of lane 0 */
    size_t len[KB];   /* lanes in the chunk (0: missing) */
    int nk;           /* chunks gathered */
} Block;

/*
** Where a vector's lanes are: a chunk (8 consecutive cells from off, len of them), or
** gathered (cell base + col[l] for lane l).
*/
typedef struct Where {
    bool gathered;
    size_t off, len; /* a chunk */
    size_t base;     /* gathered: the row's first cell */
    I8 col;          /* gathered: the lanes' columns */
} Where;

/* Plane p at the lanes (at: RtPlanes.at, 0 for a plane of one value). */
INLINE F8 plane(const float *p, size_t at, const Where *wh)
{
    if (!wh->gathered)
        return ldf(p + (wh->off & at), wh->len);
    return at ? gather(p + wh->base, wh->col) : f8(p[0]);
}

/* The plane pair p[2] at the lanes, selected by direction. */
INLINE F8 pick(I8 up, float *const p[2], size_t at, const Where *wh)
{
    return sel(up, plane(p[0], at, wh), plane(p[1], at, wh));
}

/*
** A read position in a stream's buffer (a local copy keeps it in a register). With stride 0
** (every cursor of the row path: the test folds away) the active lanes share one sequence;
** otherwise lane l reads its own, at buf[lpos[l]] (lpos from l stride on: the rows side by
** side of column_rows).
*/
typedef struct Cursor {
    const float *buf;
    int pos;
    int stride;
    I8 lpos;
} Cursor;

/* The next normals, one per active lane of m (inactive lanes: any value). */
INLINE F8 take(Cursor *ns, unsigned m)
{
    if (ns->stride) {
        F8 v = gather(ns->buf, ns->lpos);
        ns->lpos += (i8((int32_t)m) >> (I8){0, 1, 2, 3, 4, 5, 6, 7}) & i8(1);
        return v;
    }
    F8 v = expand(ns->buf + ns->pos, m);
    ns->pos += count8(m);
    return v;
}

/* The signed change m of one pulse with its noise (the rules other than LINEAR). */
INLINE F8 noisy(Cursor *ns, unsigned act, RtKNoise kn, const RtPlanes *pl, F8 m, F8 a, F8 v)
{
    switch (kn) {
    case RT_KN_MULT: return m * (f8(1.0f) + f8(pl->s1) * take(ns, act));
    case RT_KN_ADD: return m + (a * f8(pl->s1)) * take(ns, act);
    case RT_KN_COMPLEX: {
        F8 sd = f8(pl->s1) * ((fabs8(m) + f8(pl->add)) + f8(pl->slope) * fabs8(v));
        return m + sd * take(ns, act);
    }
    case RT_KN_PAPER: {
        F8 dv = m;
        if (pl->s1 > 0.0f)
            dv = m * (f8(1.0f) + f8(pl->s1) * take(ns, act));
        if (pl->s2 > 0.0f)
            dv = dv + (a * f8(pl->s2)) * take(ns, act);
        return dv;
    }
    case RT_KN_NONE: break;
    }
    return m;
}

/* The per-chunk constants of a vector rule, selected by direction. */
typedef struct Rule {
    F8 a, c, e, f, g, k, A, q0, lo, hi, ref;
    /*
    ** POW, PAPER_POW: the step m as a cubic in d = v - v0 around the sample's first state v0
    ** (pow_start, local3), valid where ok and |d tw| <= 1/32.
    */
    F8 v0, k0, k1, k2, k3, tw;
    I8 ok;
} Rule;

INLINE void rule_load(Rule *r, I8 up, const Where *wh, const RtPlanes *pl, RtKFam fam,
                      bool has_ref)
{
    bool paper = fam == RT_KF_PAPER_LIN || fam == RT_KF_PAPER_POW || fam == RT_KF_PAPER_EXP;
    r->a = pick(up, pl->a, pl->at[RT_PL_A], wh);
    r->lo = plane(pl->lo, pl->at[RT_PL_LO], wh);
    r->hi = plane(pl->hi, pl->at[RT_PL_HI], wh);
    r->ref = has_ref ? plane(pl->ref, pl->at[RT_PL_REF], wh) : f8(0.0f);
    r->c = fam == RT_KF_LINEAR || fam == RT_KF_EXP ? pick(up, pl->c, pl->at[RT_PL_C], wh)
                                                   : f8(0.0f);
    r->e = fam == RT_KF_POW || paper ? pick(up, pl->e, pl->at[RT_PL_E], wh) : f8(0.0f);
    r->f = fam == RT_KF_POW ? pick(up, pl->f, pl->at[RT_PL_F], wh) : f8(0.0f);
    r->g = fam == RT_KF_POW ? pick(up, pl->g, pl->at[RT_PL_G], wh) : f8(pl->gamma);
    r->k = sel(up, f8(pl->k[0]), f8(pl->k[1]));
    r->A = sel(up, f8(pl->A[0]), f8(pl->A[1]));
    r->q0 = pow0(r->g);
}

/* The lanes of chunk k of a block. */
INLINE Where at_chunk(const Block *bk, int k)
{
    return (Where){.gathered = false, .off = bk->off[k], .len = bk->len[k]};
}

/*
** POW, PAPER_POW: a u^g = a u0^g (1 + t)^g with u0 the sample's first u (> 0 to be ok),
** du = du/dv and t = u/u0 - 1 = d du/u0, by the binomial series to t^3 while |t| <= 1/32
** and |g| <= 4 (remainder below 4e-8 relative for the usual g in [0, 2.5], 1e-6 at worst):
** a cubic in d with the exact a u0^g at d = 0. Lanes that are not ok take pow8 every pulse.
*/
INLINE void pow_start(Rule *r, F8 v, F8 u0, F8 du, int nmax, const RtPlanes *pl)
{
    r->ok = (u0 > f8(0.0f)) & (fabs8(r->g) <= f8(4.0f));
    r->v0 = v;
    if (nmax < 2) { /* one pulse at most: d = 0, only k0 counts (sparse updates) */
        r->k0 = r->a * upow(u0, r->g, pl);
        r->k1 = r->k2 = r->k3 = r->tw = f8(0.0f);
        return;
    }
    F8 fi = sel(r->ok, du / u0, f8(0.0f));
    F8 c2 = r->g * (r->g - f8(1.0f)) * f8(0.5f);
    F8 c3 = c2 * (r->g - f8(2.0f)) * f8(1.0f / 3.0f);
    F8 s0 = r->a * upow(u0, r->g, pl);
    r->tw = fi;
    r->k0 = s0;
    r->k1 = s0 * r->g * fi;
    r->k2 = s0 * c2 * (fi * fi);
    r->k3 = s0 * c3 * (fi * fi * fi);
}

/* The cubic of pow_start at d (Estrin's scheme: a shorter chain than Horner's). */
INLINE F8 local3(const Rule *r, F8 d)
{
    return (r->k0 + d * r->k1) + (d * d) * (r->k2 + d * r->k3);
}

/* One pulse on the live lanes (act, as bits) of state v (not yet clipped). */
INLINE F8 step(Cursor *ns, I8 live, unsigned act, const Rule *r, F8 v, const RtPlanes *pl,
               RtKFam fam, RtKNoise kn)
{
    F8 m;
    switch (fam) {
    case RT_KF_LINEAR: /* (a + c v)(1 + s xi): the noise factor is off the dependency chain */
        if (kn == RT_KN_MULT)
            return v + (r->a + r->c * v) * (f8(1.0f) + f8(pl->s1) * take(ns, act));
        if (kn == RT_KN_ADD)
            return v + ((r->a + (r->a * f8(pl->s1)) * take(ns, act)) + r->c * v);
        return v + (r->a + r->c * v);
    case RT_KF_POW: { /* the cubic of pow_start inside its window, else the full pow8 */
        F8 d = v - r->v0;
        I8 valid = r->ok & (fabs8(d * r->tw) <= f8(0.03125f));
        m = local3(r, d);
        if (mask8(live & ~valid)) {
            F8 u = (v - r->e) * r->f;
            m = sel(valid, m, r->a * sel(u > f8(0.0f), upow(u, r->g, pl), r->q0));
        }
        break;
    }
    case RT_KF_EXP: m = r->a * fmax8(f8(1.0f) - r->A * exp2_8(r->k + r->c * v), f8(0.0f)); break;
    case RT_KF_PAPER_LIN: m = r->a * (r->k * fmax8(f8(1.0f) + r->e * v, f8(0.0f))); break;
    case RT_KF_PAPER_POW: { /* as POW: inside the window u stays > 0 (no saturation) */
        F8 d = v - r->v0;
        I8 valid = r->ok & (fabs8(d * r->tw) <= f8(0.03125f));
        m = local3(r, d);
        if (mask8(live & ~valid)) {
            F8 u = fmax8(f8(1.0f) + r->e * v, f8(0.0f));
            m = sel(valid, m, r->a * sel(u > f8(0.0f), upow(u, r->g, pl), r->q0));
        }
        break;
    }
    case RT_KF_PAPER_EXP: {
        F8 u = fmax8(f8(1.0f) + r->e * v, f8(0.0f));
        m = r->a * ((exp2_8(f8(pl->gscale) * u) - f8(1.0f)) * f8(pl->inv_norm));
        break;
    }
    default: return v;
    }
    return v + noisy(ns, act, kn, pl, m, r->a, v);
}

/*
** One pulse on the live lanes without the cubic of pow_start: for POW and PAPER_POW the
** rule itself, a u^g (the value the cubic has at its centre); the others as step.
*/
INLINE F8 step1(Cursor *ns, I8 live, unsigned act, const Rule *r, F8 v, const RtPlanes *pl,
                RtKFam fam, RtKNoise kn)
{
    if (fam != RT_KF_POW && fam != RT_KF_PAPER_POW)
        return step(ns, live, act, r, v, pl, fam, kn);
    F8 u = fam == RT_KF_POW ? (v - r->e) * r->f : fmax8(f8(1.0f) + r->e * v, f8(0.0f));
    F8 m = r->a * sel(u > f8(0.0f), upow(u, r->g, pl), r->q0);
    return v + noisy(ns, act, kn, pl, m, r->a, v);
}

/*
** The pulses of a block whose lanes get one pulse at most (nearly every block with real
** gradients): chunk by chunk, the normals in block_pulses' order, the same values.
*/
INLINE void block_single(const Block *bk, const RtUpd *u, NS *ns, RtKFam fam, RtKNoise kn,
                         bool has_ref)
{
    const RtPlanes *pl = u->pl;
    Cursor cur = {.buf = ns->buf, .pos = ns->pos};
    for (int k = 0; k < bk->nk; k++) {
        Rule r;
        Where wh = at_chunk(bk, k);
        rule_load(&r, bk->up[k], &wh, pl, fam, has_ref);
        F8 v = ldf(u->w + bk->off[k], bk->len[k]) + r.ref;
        I8 live = bk->n[k] > i8(0);
        F8 vn = step1(&cur, live, mask8(live), &r, v, pl, fam, kn);
        v = sel(live, fmin8(fmax8(vn, r.lo), r.hi), v);
        stf(u->w + bk->off[k], has_ref ? v - r.ref : v, bk->len[k]);
    }
    ns->pos = cur.pos;
}

/* The largest coincidence count of the block. */
INLINE int block_nmax(const Block *bk)
{
    I8 m = imax8(imax8(bk->n[0], bk->n[1]), imax8(bk->n[2], bk->n[3]));
    return hmax8(m);
}

/*
** The pulses of a block for the vector rule fam: lane l of chunk k gets n[l] pulses, each
** followed by clipping; the state v = w + ref (ref only if has_ref). fam, kn and has_ref are
** constants in every instantiation, so the switches fold away.
*/
INLINE void block_pulses(const Block *bk, const RtUpd *u, NS *ns, int nmax, RtKFam fam,
                         RtKNoise kn, bool has_ref)
{
    const RtPlanes *pl = u->pl;
    Rule r[KB];
    F8 v[KB];
#pragma GCC unroll 4
    for (int k = 0; k < KB; k++) {
        Where wh = at_chunk(bk, k);
        rule_load(&r[k], bk->up[k], &wh, pl, fam, has_ref);
        v[k] = ldf(u->w + bk->off[k], bk->len[k]) + r[k].ref;
        if (fam == RT_KF_POW)
            pow_start(&r[k], v[k], (v[k] - r[k].e) * r[k].f, r[k].f, nmax, pl);
        if (fam == RT_KF_PAPER_POW)
            pow_start(&r[k], v[k], fmax8(f8(1.0f) + r[k].e * v[k], f8(0.0f)), r[k].e, nmax, pl);
    }
    Cursor cur = {.buf = ns->buf, .pos = ns->pos};
    for (int q = 0; q < nmax; q++) {
        I8 qv = i8(q);
#pragma GCC unroll 4
        for (int k = 0; k < KB; k++) {
            I8 live = bk->n[k] > qv;
            F8 vn = step(&cur, live, mask8(live), &r[k], v[k], pl, fam, kn);
            v[k] = sel(live, fmin8(fmax8(vn, r[k].lo), r[k].hi), v[k]);
        }
    }
    ns->pos = cur.pos;
#pragma GCC unroll 4
    for (int k = 0; k < KB; k++)
        stf(u->w + bk->off[k], has_ref ? v[k] - r[k].ref : v[k], bk->len[k]);
}

/*
** The double rule lane by lane (RT_KF_GENERIC and blocks with a special cell), with the
** normals taken in the same order as the vector rules take them.
*/
static void block_generic(const Block *bk, const RtUpd *u, NS *s, int nmax)
{
    const RtPlanes *pl = u->pl;
    int nxi = pl->nxi;
    Cursor cur = {.buf = s->buf, .pos = s->pos}, *ns = &cur;
    for (int q = 0; q < nmax; q++)
        for (int k = 0; k < KB; k++) {
            unsigned act = mask8(bk->n[k] > i8(q));
            F8 x1 = nxi > 0 ? take(ns, act) : f8(0.0f);
            F8 x2 = nxi > 1 ? take(ns, act) : f8(0.0f);
            float *w = u->w + bk->off[k];
            for (size_t l = 0; l < bk->len[k]; l++) {
                if (!(act >> l & 1))
                    continue;
                float xi[2] = {x1[l], x2[l]};
                w[l] = rt_device_pulse_xi(pl->dv, &pl->cell[bk->off[k] + l], w[l],
                                          bk->up[k][l] != 0, nxi > 0 ? xi : NULL);
            }
        }
    s->pos = cur.pos;
}

/* Whether a cell of the block needs the double rule. */
static bool block_special(const Block *bk, const RtPlanes *pl)
{
    for (int k = 0; k < KB; k++)
        for (size_t l = 0; l < bk->len[k]; l++)
            if (pl->special[bk->off[k] + l])
                return true;
    return false;
}

typedef uint16_t H8 __attribute__((vector_size(16)));

/* Add the counts n (0..BL) of the first len lanes to the staged counters c. */
INLINE void count_pulses(uint16_t *c, I8 n, size_t len)
{
    if (__builtin_expect(len < 8, 0)) {
        for (size_t l = 0; l < len; l++)
            c[l] = (uint16_t)(c[l] + n[l]);
        return;
    }
    H8 s;
    memcpy(&s, c, sizeof s);
    s += __builtin_convertvector(n, H8);
    memcpy(c, &s, sizeof s);
}

/* Write noise and counters of the block, after its pulses. */
static void block_after(const Block *bk, const RtUpd *u, NS *s)
{
    Cursor cur = {.buf = s->buf, .pos = s->pos};
    for (int k = 0; k < KB && u->wv; k++) {
        I8 got = bk->n[k] > i8(0);
        F8 xi = take(&cur, mask8(got));
        F8 wp = ldf(u->w + bk->off[k], bk->len[k]), wv = ldf(u->wv + bk->off[k], bk->len[k]);
        stf(u->wv + bk->off[k], sel(got, wp + f8(u->wn) * xi, wv), bk->len[k]);
    }
    s->pos = cur.pos;
    for (int k = 0; k < KB && u->cnt; k++)
        count_pulses(u->cnt + bk->off[k], bk->n[k], bk->len[k]);
}

/* Run the block (missing chunks padded) and empty it. */
INLINE void block_run(Block *bk, const RtUpd *u, NS *ns, RtKFam fam, RtKNoise kn, bool has_ref)
{
    for (int k = bk->nk; k < KB; k++)
        bk->n[k] = i8(0), bk->up[k] = i8(0), bk->len[k] = 0, bk->off[k] = 0;
    int nmax = block_nmax(bk);
    ns_reserve(ns, 8 * KB * (nmax * u->pl->nxi + (u->wv ? 1 : 0)) + 8);
    if (fam == RT_KF_GENERIC || (u->pl->special && block_special(bk, u->pl)))
        block_generic(bk, u, ns, nmax);
    else if (nmax == 1)
        block_single(bk, u, ns, fam, kn, has_ref);
    else
        block_pulses(bk, u, ns, nmax, fam, kn, has_ref);
    if (u->wv || u->cnt)
        block_after(bk, u, ns);
    bk->nk = 0;
}

/*
** ====================================================================================
** Rows
** ====================================================================================
*/

/* What one (sample, row) needs besides its blocks: its train, sign, the sample's data. */
typedef struct RowCtx {
    U8 dlo, dhi;
    uint64_t bits;      /* the row train */
    bool hi;            /* the row train has slots above 31 */
    I8 sdneg;           /* all-ones if sign(d_i) sign(lr) < 0 */
    const uint32_t *xl, *xh;
    const float *xb;
    const uint64_t *cm; /* the sample's chunk bitmaps (RtUpd.cmask) */
    const int32_t *list; /* the sample's columns firing at slot 0 (RtUpd.cols), or NULL */
    int nlist;
    size_t b;           /* the sample */
} RowCtx;

/*
** Every chunk of one (sample, row) with a coincidence, in column order, with the rule fam
** (constants in each instantiation). The chunks come from the union of the chunk bitmaps of
** the row's slots: a sparse update (small BL, few firing columns) skips the rest unseen.
*/
INLINE void row_chunks(const RtUpd *u, const RowCtx *r, size_t base, NS *ns, RtKFam fam,
                       RtKNoise kn, bool has_ref)
{
    Block bk;
    bk.nk = 0;
    for (size_t w = 0; w < u->cw; w++) {
        uint64_t reach = 0;
        for (uint64_t t = r->bits; t; t &= t - 1)
            reach |= r->cm[(size_t)__builtin_ctzll(t) * u->cw + w];
        for (; reach; reach &= reach - 1) {
            size_t j0 = (w * 64 + (size_t)__builtin_ctzll(reach)) * 8;
            size_t len = u->X - j0 < 8 ? u->X - j0 : 8;
            I8 n = popcnt8(ldu(r->xl + j0, len) & r->dlo);
            if (r->hi)
                n += popcnt8(ldu(r->xh + j0, len) & r->dhi);
            int k = bk.nk++;
            bk.n[k] = n;
            bk.up[k] = ((I8)ldf(r->xb + j0, len) >> 31) ^ r->sdneg;
            bk.off[k] = base + j0;
            bk.len[k] = len;
            if (bk.nk == KB)
                block_run(&bk, u, ns, fam, kn, has_ref);
        }
    }
    if (bk.nk > 0)
        block_run(&bk, u, ns, fam, kn, has_ref);
}

/*
** One pulse on each of the cnt (1..8) cells base + (e[l] & INT32_MAX), e[l] < 0 where x_j < 0:
** gathered, through the rule, scattered (the cells are distinct).
*/
INLINE void group_pulses(const RtUpd *u, const RowCtx *r, size_t base, NS *ns, RtKFam fam,
                         RtKNoise kn, bool has_ref, I8 e, int cnt)
{
    const RtPlanes *pl = u->pl;
    float *w = u->w + base;
    I8 live = (I8){0, 1, 2, 3, 4, 5, 6, 7} < i8(cnt);
    unsigned act = mask8(live);
    I8 up = (e >> 31) ^ r->sdneg;
    Where wh = {.gathered = true, .base = base, .col = e & i8(INT32_MAX) & live};
    ns_reserve(ns, 8 * (pl->nxi + (u->wv ? 1 : 0)) + 8);
    Rule rl;
    rule_load(&rl, up, &wh, pl, fam, has_ref);
    F8 v = gather(w, wh.col) + rl.ref;
    Cursor cur = {.buf = ns->buf, .pos = ns->pos};
    v = fmin8(fmax8(step1(&cur, live, act, &rl, v, pl, fam, kn), rl.lo), rl.hi);
    F8 wp = has_ref ? v - rl.ref : v;
    F8 vis = u->wv ? wp + f8(u->wn) * take(&cur, act) : wp;
    ns->pos = cur.pos;
    for (int l = 0; l < cnt; l++) {
        size_t c = (size_t)wh.col[l];
        w[c] = wp[l];
        if (u->wv)
            u->wv[base + c] = vis[l];
        if (u->cnt)
            u->cnt[base + c]++;
    }
}

/*
** ISA: the columns of a row waiting to fill a group of 8 (row_single), in order. The AVX-512
** build keeps them in a register (a chunk's entries compressed, rotated up by n and blended
** in; what overflows a full group is the rotated vector's low lanes); the others in a list,
** whose vector read of words just stored one by one stalls store forwarding there (7% of
** the pulse kernel of an fcn epoch). The same groups either way.
*/
#if defined(__AVX512F__) && defined(__AVX512VL__)
typedef struct Pending {
    I8 v; /* lanes 0..n-1 */
    int n;
} Pending;

INLINE void pend_init(Pending *p)
{
    p->v = i8(0), p->n = 0;
}

/* Append the lanes m of e; true with a full group in *full when one fills (n <= 7 after). */
INLINE bool pend_push(Pending *p, I8 e, unsigned m, I8 *full)
{
    const I8 iota = {0, 1, 2, 3, 4, 5, 6, 7};
    I8 c = (I8)_mm256_maskz_compress_epi32((__mmask8)m, (__m256i)e);
    I8 rot = (I8)_mm256_permutexvar_epi32((__m256i)((iota - i8(p->n)) & i8(7)), (__m256i)c);
    p->v = (I8)_mm256_mask_blend_epi32((__mmask8)(0xffu << p->n), (__m256i)p->v, (__m256i)rot);
    p->n += count8(m);
    if (p->n < 8)
        return false;
    *full = p->v;
    p->n -= 8;
    p->v = rot;
    return true;
}

INLINE I8 pend_rest(const Pending *p)
{
    return p->v;
}
#else
typedef struct Pending {
    int32_t e[16]; /* e[0..n-1] */
    int n;
} Pending;

INLINE void pend_init(Pending *p)
{
    p->n = 0;
}

INLINE bool pend_push(Pending *p, I8 e, unsigned m, I8 *full)
{
    p->n += compress_to(p->e + p->n, e, m);
    if (p->n < 8)
        return false;
    memcpy(full, p->e, sizeof *full);
    p->n -= 8;
    memcpy(p->e, p->e + 8, sizeof *full);
    return true;
}

INLINE I8 pend_rest(const Pending *p)
{
    I8 g;
    memcpy(&g, p->e, sizeof g);
    return g;
}
#endif

/*
** The entries of chunk j0 (len columns) for slot k, as row_single packs them: column index
** with x_j's sign bit on top; *m gets the lanes whose column fires at k (xs: the trains of
** k's half, sh = 31 - k % 32).
*/
INLINE I8 chunk_entries(const uint32_t *xs, int sh, const float *xb, int32_t j0, size_t len,
                        unsigned *m)
{
    *m = mask8((I8)(ldu(xs + j0, len) << sh));
    return col_entries(ldf(xb + j0, len), j0);
}

/*
** A row that fires at its sample's one slot: the sample's list of the columns firing there,
** 8 at a time: the groups of row_single, so the same pulses and normals.
*/
INLINE void row_listed(const RtUpd *u, const RowCtx *r, size_t base, NS *ns, RtKFam fam,
                       RtKNoise kn, bool has_ref)
{
    for (int q = 0; q < r->nlist; q += 8) {
        I8 g;
        memcpy(&g, r->list + q, sizeof g);
        group_pulses(u, r, base, ns, fam, kn, has_ref, g, r->nlist - q < 8 ? r->nlist - q : 8);
    }
}

/*
** A row that fires at slot k only: one pulse on each column that fires at k. The chunks of
** slot k's bitmap give them; their columns are packed 8 at a time (column order, the sign of
** x_j in the top bit) and go through group_pulses, so the rule's cost follows the pulses.
** A Pending holds at most 7 + 8 entries.
*/
INLINE void row_single(const RtUpd *u, const RowCtx *r, size_t base, NS *ns, RtKFam fam,
                       RtKNoise kn, bool has_ref, int k)
{
    const uint32_t *xs = k < 32 ? r->xl : r->xh;
    int sh = 31 - (k & 31);
    const uint64_t *cm = r->cm + (size_t)k * u->cw;
    Pending pd;
    pend_init(&pd);
    for (size_t wd = 0; wd < u->cw; wd++)
        for (uint64_t reach = cm[wd]; reach; reach &= reach - 1) {
            int32_t j0 = (int32_t)(wd * 64 + (size_t)__builtin_ctzll(reach)) * 8;
            unsigned m;
            I8 e = chunk_entries(xs, sh, r->xb, j0,
                                 u->X - (size_t)j0 < 8 ? u->X - (size_t)j0 : 8, &m);
            I8 g;
            if (pend_push(&pd, e, m, &g))
                group_pulses(u, r, base, ns, fam, kn, has_ref, g, 8);
        }
    if (pd.n > 0)
        group_pulses(u, r, base, ns, fam, kn, has_ref, pend_rest(&pd), pd.n);
}

/* The pulses of one (sample, row): row_single when it fires at one slot, else its chunks. */
INLINE void row_pulses(const RtUpd *u, const RowCtx *r, size_t base, NS *ns, RtKFam fam,
                       RtKNoise kn, bool has_ref)
{
    /* fam is a constant here: the generic instantiation drops this branch unseen */
    if (fam != RT_KF_GENERIC && rt_kern_packs_rows(u->pl) && !(r->bits & (r->bits - 1))) {
        if (r->list)
            row_listed(u, r, base, ns, fam, kn, has_ref);
        else
            row_single(u, r, base, ns, fam, kn, has_ref, __builtin_ctzll(r->bits));
        return;
    }
    row_chunks(u, r, base, ns, fam, kn, has_ref);
}

/*
** ====================================================================================
** A one-hot sample: rows side by side
** ====================================================================================
*/

/*
** The pulses of up to 8 rows' cells (lane l: cell idx[l], n[l] pulses, direction up[l]),
** lane l's normals from xi + l stride in its row's order (column_rows). Per lane the row
** path's operations: a cell with one pulse takes step1 (in the row path its block's largest
** count is 1), one with more takes pow_start's cubic from its first pulse (block_pulses);
** every rule is lane by lane, so the lanes' neighbours change nothing.
*/
INLINE void column_pulses(const RtUpd *u, I8 idx, I8 n, I8 up, const float *xi, int stride,
                          RtKFam fam, RtKNoise kn)
{
    const RtPlanes *pl = u->pl;
    bool pow = fam == RT_KF_POW || fam == RT_KF_PAPER_POW;
    int nmax = hmax8(n);
    I8 one = n == i8(1), more = n > i8(1);
    Where wh = {.gathered = true, .base = 0, .col = idx};
    Rule r;
    rule_load(&r, up, &wh, pl, fam, false);
    F8 v = gather(u->w, idx);
    if (fam == RT_KF_POW)
        pow_start(&r, v, (v - r.e) * r.f, r.f, nmax, pl);
    if (fam == RT_KF_PAPER_POW)
        pow_start(&r, v, fmax8(f8(1.0f) + r.e * v, f8(0.0f)), r.e, nmax, pl);
    Cursor cur = {.buf = xi, .stride = stride, .lpos = (I8){0, 1, 2, 3, 4, 5, 6, 7} * stride};
    for (int q = 0; q < nmax; q++) {
        I8 live = n > i8(q);
        F8 vn;
        if (q == 0 && pow && mask8(one)) { /* the lanes of step1 and those of the cubic */
            Cursor c1 = cur;
            F8 v1 = step1(&c1, one, mask8(one), &r, v, pl, fam, kn);
            vn = mask8(more) ? step(&cur, more, mask8(more), &r, v, pl, fam, kn) : v;
            vn = sel(one, v1, vn);
            cur.lpos = (c1.lpos & one) | (cur.lpos & ~one);
        } else {
            vn = step(&cur, live, mask8(live), &r, v, pl, fam, kn);
        }
        v = sel(live, fmin8(fmax8(vn, r.lo), r.hi), v);
    }
    I8 got = n > i8(0);
    F8 vis = u->wv ? v + f8(u->wn) * take(&cur, mask8(got)) : v;
    for (int l = 0; l < 8; l++) {
        if (n[l] == 0)
            continue;
        size_t k = (size_t)idx[l];
        u->w[k] = v[l];
        if (u->wv)
            u->wv[k] = vis[l];
        if (u->cnt)
            u->cnt[k] = (uint16_t)(u->cnt[k] + n[l]);
    }
}

/*
** Rows i0..i1-1 of a batch of one sample whose only nonzero input is column c (RtUpd.one_hot:
** a transfer's write, x = e_c). The row path pulses one cell per row, in one lane of 8, and
** its pulses are a chain of dependent rules; here 8 rows go side by side, lane l being row
** i + l with its own slots, coincidences, direction and normals (drawn as the row path draws
** them, then laid out per lane), so each cell gets the row path's pulses and values, 8 chains
** at a time. Only for rules without a reference (whose row path rewrites a visited chunk's
** other cells through w + ref - ref) and tiles without special cells (rt_kern_column_rows).
*/
INLINE void column_rows(const RtUpd *u, size_t i0, size_t i1, NS *ns, RtKFam fam, RtKNoise kn)
{
    const size_t c = u->hot_col;
    const uint32_t xl = u->xlo[c], xh = u->xhi ? u->xhi[c] : 0u;
    uint32_t xbits;
    memcpy(&xbits, &u->x[c], sizeof xbits);
    const bool xneg = xbits >> 31;
    const int bl = u->bl[0], stride = bl * u->pl->nxi + 1;
    float xi[8 * (2 * RT_KERN_MAX_BL + 1)];
    for (size_t i = i0; i < i1; i += 8) {
        size_t cnt = i1 - i < 8 ? i1 - i : 8;
        I8 n = i8(0), up = i8(0), idx = i8((int32_t)(i * u->X + c));
        for (size_t l = 0; l < 8; l++)
            xi[l * (size_t)stride] = 0.0f; /* lanes without normals read in bounds */
        for (size_t l = 0; l < cnt; l++) {
            size_t row = i + l;
            int k = u->kc[row];
            idx[l] = (int32_t)(row * u->X + c);
            if (!k)
                continue;
            if (u->touched)
                u->touched[row] = 1;
            ns->g = seed_g8(u->key[0], row);
            uint64_t bits = slots(&ns->g, k, bl);
            int m = __builtin_popcount((uint32_t)bits & xl) +
                    __builtin_popcount((uint32_t)(bits >> 32) & xh);
            n[l] = m;
            up[l] = xneg != ((u->d[row] < 0.0f) != u->lr_neg) ? -1 : 0;
            int need = m * u->pl->nxi + (u->wv ? 1 : 0);
            if (m > 0 && need > 0) {
                ns->pos = ns->end = 0;
                ns_reserve(ns, need);
                memcpy(xi + l * (size_t)stride, ns->buf, (size_t)need * sizeof(float));
            }
        }
        if (mask8(n > i8(0)))
            column_pulses(u, idx, n, up, xi, stride, fam, kn);
    }
}

/*
** One function per instantiation of row_pulses (rule, noise form, reference), kept apart so
** that each stays a reasonable size for the compiler.
*/
typedef void RowFn(const RtUpd *u, const RowCtx *r, size_t base, NS *ns);
#define ROW_FN(name, fam, kn, ref)                                                           \
    static __attribute__((noinline)) void name(const RtUpd *u, const RowCtx *r, size_t base, \
                                               NS *ns)                                       \
    {                                                                                        \
        row_pulses(u, r, base, ns, fam, kn, ref);                                            \
    }
ROW_FN(lin_mult, RT_KF_LINEAR, RT_KN_MULT, false)
ROW_FN(lin_mult_ref, RT_KF_LINEAR, RT_KN_MULT, true)
ROW_FN(lin_add, RT_KF_LINEAR, RT_KN_ADD, false)
ROW_FN(lin_add_ref, RT_KF_LINEAR, RT_KN_ADD, true)
ROW_FN(lin_none, RT_KF_LINEAR, RT_KN_NONE, false)
ROW_FN(lin_none_ref, RT_KF_LINEAR, RT_KN_NONE, true)
ROW_FN(pow_mult, RT_KF_POW, RT_KN_MULT, false)
ROW_FN(pow_mult_ref, RT_KF_POW, RT_KN_MULT, true)
ROW_FN(pow_none, RT_KF_POW, RT_KN_NONE, false)
ROW_FN(pow_none_ref, RT_KF_POW, RT_KN_NONE, true)
ROW_FN(exp_mult, RT_KF_EXP, RT_KN_MULT, false)
ROW_FN(exp_complex, RT_KF_EXP, RT_KN_COMPLEX, false)
ROW_FN(exp_none, RT_KF_EXP, RT_KN_NONE, false)
ROW_FN(paper_lin, RT_KF_PAPER_LIN, RT_KN_PAPER, false)
ROW_FN(paper_pow, RT_KF_PAPER_POW, RT_KN_PAPER, false)
ROW_FN(paper_exp, RT_KF_PAPER_EXP, RT_KN_PAPER, false)
ROW_FN(generic, RT_KF_GENERIC, RT_KN_NONE, false)

/* The same for column_rows (the rules without a reference). */
typedef void ColFn(const RtUpd *u, size_t i0, size_t i1, NS *ns);
#define COL_FN(name, fam, kn)                                                                \
    static __attribute__((noinline)) void name(const RtUpd *u, size_t i0, size_t i1, NS *ns)  \
    {                                                                                        \
        column_rows(u, i0, i1, ns, fam, kn);                                                 \
    }
COL_FN(col_lin_mult, RT_KF_LINEAR, RT_KN_MULT)
COL_FN(col_lin_add, RT_KF_LINEAR, RT_KN_ADD)
COL_FN(col_lin_none, RT_KF_LINEAR, RT_KN_NONE)
COL_FN(col_pow_mult, RT_KF_POW, RT_KN_MULT)
COL_FN(col_pow_none, RT_KF_POW, RT_KN_NONE)
COL_FN(col_exp_mult, RT_KF_EXP, RT_KN_MULT)
COL_FN(col_exp_complex, RT_KF_EXP, RT_KN_COMPLEX)
COL_FN(col_exp_none, RT_KF_EXP, RT_KN_NONE)
COL_FN(col_paper_lin, RT_KF_PAPER_LIN, RT_KN_PAPER)
COL_FN(col_paper_pow, RT_KF_PAPER_POW, RT_KN_PAPER)
COL_FN(col_paper_exp, RT_KF_PAPER_EXP, RT_KN_PAPER)

/* The instantiation of the planes' rule. */
static RowFn *row_fn(const RtPlanes *pl)
{
    bool ref = pl->ref != NULL;
    switch (pl->fam) {
    case RT_KF_LINEAR:
        if (pl->noise == RT_KN_MULT)
            return ref ? lin_mult_ref : lin_mult;
        if (pl->noise == RT_KN_ADD)
            return ref ? lin_add_ref : lin_add;
        return ref ? lin_none_ref : lin_none;
    case RT_KF_POW:
        if (pl->noise == RT_KN_MULT)
            return ref ? pow_mult_ref : pow_mult;
        return ref ? pow_none_ref : pow_none;
    case RT_KF_EXP:
        if (pl->noise == RT_KN_MULT)
            return exp_mult;
        return pl->noise == RT_KN_COMPLEX ? exp_complex : exp_none;
    case RT_KF_PAPER_LIN: return paper_lin;
    case RT_KF_PAPER_POW: return paper_pow;
    case RT_KF_PAPER_EXP: return paper_exp;
    case RT_KF_GENERIC: break;
    }
    return generic;
}

/* The instantiation of column_rows for the planes (rt_kern_column_rows holds). */
static ColFn *col_fn(const RtPlanes *pl)
{
    switch (pl->fam) {
    case RT_KF_LINEAR:
        if (pl->noise == RT_KN_MULT)
            return col_lin_mult;
        return pl->noise == RT_KN_ADD ? col_lin_add : col_lin_none;
    case RT_KF_POW: return pl->noise == RT_KN_MULT ? col_pow_mult : col_pow_none;
    case RT_KF_EXP:
        if (pl->noise == RT_KN_MULT)
            return col_exp_mult;
        return pl->noise == RT_KN_COMPLEX ? col_exp_complex : col_exp_none;
    case RT_KF_PAPER_LIN: return col_paper_lin;
    case RT_KF_PAPER_POW: return col_paper_pow;
    case RT_KF_PAPER_EXP: return col_paper_exp;
    case RT_KF_GENERIC: break;
    }
    return NULL;
}

/* Row i of sample b: its count of fired slots, then (if any) its stream, train and pulses. */
static void row(const RtUpd *u, size_t i, size_t b, NS *ns)
{
    float di = u->d[b * u->D + i];
    int k = u->kc[b * u->rs + i];
    if (!k)
        return;
    if (u->touched)
        u->touched[i] = 1;
    ns->g = seed_g8(u->key[b], i);
    uint64_t bits = slots(&ns->g, k, u->bl[b]);
    ns->pos = ns->end = 0;
    RowCtx r = {.dlo = u8((uint32_t)bits), .dhi = u8((uint32_t)(bits >> 32)), .bits = bits,
                .hi = u->xhi && (bits >> 32) != 0, .cm = u->cmask + b * 64 * u->cw,
                .sdneg = i8((di < 0.0f) != u->lr_neg ? -1 : 0),
                .xl = u->xlo + b * u->X, .xh = u->xhi ? u->xhi + b * u->X : NULL,
                .xb = u->x + b * u->X, .b = b};
    if (u->cols && u->ncols[b] >= 0) /* BL 1: the one slot is slot 0 */
        r.list = u->cols + b * (u->X + 8), r.nlist = u->ncols[b];
    row_fn(u->pl)(u, &r, i * u->X, ns);
}

static void KERN(rows)(const RtUpd *u, size_t i0, size_t i1)
{
    NS ns;
    if (u->one_hot) {
        col_fn(u->pl)(u, i0, i1, &ns);
        return;
    }
    for (size_t i = i0; i < i1; i++)
        for (size_t b = 0; b < u->B; b++)
            row(u, i, b, &ns);
}

/*
** ====================================================================================
** I/O stages (rt_io.c), DW doubles at a time
** ====================================================================================
*/

/* ISA: the stages' width, 8 doubles with AVX-512, else 4 (per lane the same operations). */
#if defined(__AVX512F__)
#define DW 8
#else
#define DW 4
#endif
typedef double D4 __attribute__((vector_size(DW * 8)));
typedef int64_t L4 __attribute__((vector_size(DW * 8)));
typedef float F4 __attribute__((vector_size(DW * 4)));

INLINE D4 d4(double a)
{
#if DW == 8
    return (D4){a, a, a, a, a, a, a, a};
#else
    return (D4){a, a, a, a};
#endif
}

INLINE D4 sel4(L4 m, D4 a, D4 b)
{
    return (D4)(((L4)a & m) | ((L4)b & ~m));
}

/*
** ISA: rint of every lane (to nearest, ties to even; the sign kept, so -0.3 gives -0, and
** integers, infinities and NaN unchanged): one instruction from SSE4.1 on, else
** |q| + 2^52 - 2^52 with q's sign where |q| < 2^52.
*/
INLINE D4 round4(D4 q)
{
#if DW == 8
    return (D4)_mm512_roundscale_pd((__m512d)q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#elif defined(__AVX2__)
    return (D4)_mm256_round_pd((__m256d)q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#else
    L4 sign = (L4)q & (L4)d4(-0.0);
    D4 a = (D4)((L4)q & ~sign);
    D4 t = (a + d4(0x1p52)) - d4(0x1p52);
    return sel4(a < d4(0x1p52), (D4)((L4)t | sign), q);
#endif
}

/*
** ISA: v clipped to [-b, b] as v > b ? b : (v < -b ? -b : v) (NaN stays NaN): minpd and
** maxpd return their second operand unless the first compares below (above) it.
*/
INLINE D4 clip4(D4 v, double b)
{
#if DW == 8
    v = (D4)_mm512_min_pd((__m512d)d4(b), (__m512d)v);
    return (D4)_mm512_max_pd((__m512d)d4(-b), (__m512d)v);
#elif defined(__AVX2__)
    v = (D4)_mm256_min_pd((__m256d)d4(b), (__m256d)v);
    return (D4)_mm256_max_pd((__m256d)d4(-b), (__m256d)v);
#else
    v = sel4(v > d4(b), d4(b), v);
    return sel4(v < d4(-b), d4(-b), v);
#endif
}

/* ISA: whether a < b in every lane (a compare into a mask register with AVX-512). */
INLINE bool all_below4(D4 a, D4 b)
{
#if DW == 8
    return _mm512_cmp_pd_mask((__m512d)a, (__m512d)b, _CMP_LT_OQ) == 0xff;
#elif defined(__AVX2__)
    return _mm256_movemask_pd((__m256d)(a < b)) == 0xf;
#else
    L4 m = a < b;
    return (m[0] & m[1] & m[2] & m[3]) != 0;
#endif
}

/*
** rint(val / step) * step in every lane, as round4(val / d4(step)) * d4(step) gives it, but
** by the reciprocal inv = 1 / step where that cannot change the integer: a division per
** lane cost most of a stage (16 cycles per 8 lanes). q = val * inv lies within 3u |q|
** (u = 2^-53: two roundings, and the quotient's own), below 2^-21 for |q| < 2^30, of the
** rounded quotient; so both round to the same integer unless a half-integer lies within
** 2^-20 of q. Such vectors (and those with |q| >= 2^30, infinities or NaN) take the
** division. a = |q - rint(q)| is exact (at most 1/2, and rint(q) within a factor 2 of q).
*/
INLINE D4 quant4(D4 val, double step, double inv)
{
    D4 q = val * d4(inv), n = round4(q);
    D4 a = (D4)((L4)(q - n) & ~(L4)d4(-0.0)), m = (D4)((L4)q & ~(L4)d4(-0.0));
    bool far = all_below4(a, d4(0.5 - 0x1p-20)) && all_below4(m, d4(0x1p30));
    return (far ? n : round4(val / d4(step))) * d4(step);
}

/* The scalar of round4 (the same operations). */
INLINE double round1(double q)
{
    double a = fabs(q);
    return a < 0x1p52 ? copysign((a + 0x1p52) - 0x1p52, q) : q;
}

/* ISA: DW floats from p, widened (GCC splits the 8-float conversion in four without help). */
INLINE D4 ld4(const float *p)
{
#if DW == 8
    return (D4)_mm512_cvtps_pd(_mm256_loadu_ps(p));
#else
    F4 f;
    memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, D4);
#endif
}

INLINE void st4(float *p, D4 v)
{
    F4 f = __builtin_convertvector(v, F4);
    memcpy(p, &f, sizeof f);
}

/*
** ISA: a float prefilter of the stages' integers, FW = 2 DW floats at a time (16 with
** AVX-512, 8 with AVX2; none in the baseline build). A stage's quotient q = val / step
** decides only the integer rint(q); the rest of the stage is exact arithmetic on that integer
** (n step, clipped, and so on, in double as before). In float, q is known within 2^-22 |q|
** (at most three roundings of 2^-24: the DAC's scale times 1/step and its product with x;
** the ADC's fused noise sum, 1/step and their product), so within 2^-12 for |q| < 2^10.
** Where every lane lies more than 2^-11 from a half-integer (|q| < 2^10, finite), rint of the
** float q is rint of the double quotient, and the double work before the integer (scaling,
** quant4 and its test) is not needed. Other vectors take the double path (about 1 in 60 of
** random data: 2^-10 a lane).
*/
#if defined(__AVX2__) && defined(__FMA__)
#define FW (2 * DW)
typedef float FV __attribute__((vector_size(FW * 4)));
typedef int32_t I16F __attribute__((vector_size(FW * 4))); /* FV's lanes as bits */

INLINE FV fv(float a)
{
    FV v;
    for (int l = 0; l < FW; l++)
        v[l] = a;
    return v;
}

INLINE FV ldfv(const float *p)
{
    FV v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* ISA: y + s x in every lane, fused: the exact value rounded once. */
INLINE FV fmafv(FV s, FV x, FV y)
{
#if DW == 8
    return (FV)_mm512_fmadd_ps((__m512)s, (__m512)x, (__m512)y);
#else
    return (FV)_mm256_fmadd_ps((__m256)s, (__m256)x, (__m256)y);
#endif
}

/*
** ISA: the float finish of a stage (RtFloatStep) of the integers n: v = fma(n, hi, n lo),
** then min(b, v) and max(-b, that), as clip4 takes them; into *over whether some lane of v
** is above b (or with neg below -b), the ADC's bound test.
*/
INLINE FV finish_fv(FV n, RtFloatStep fs, float b, bool neg, bool *over)
{
    FV v = fmafv(n, fv(fs.hi), n * fv(fs.lo));
    v = (FV)((I16F)v | ((I16F)n & (I16F)fv(-0.0f))); /* n's sign: 0 n step is -0 for n -0 */
#if DW == 8
    __mmask16 m = _mm512_cmp_ps_mask((__m512)v, _mm512_set1_ps(b), _CMP_GT_OQ);
    if (neg)
        m |= _mm512_cmp_ps_mask((__m512)v, _mm512_set1_ps(-b), _CMP_LT_OQ);
    *over |= m != 0;
    v = (FV)_mm512_min_ps(_mm512_set1_ps(b), (__m512)v);
    return (FV)_mm512_max_ps(_mm512_set1_ps(-b), (__m512)v);
#else
    __m256 m = _mm256_cmp_ps((__m256)v, _mm256_set1_ps(b), _CMP_GT_OQ);
    if (neg)
        m = _mm256_or_ps(m, _mm256_cmp_ps((__m256)v, _mm256_set1_ps(-b), _CMP_LT_OQ));
    *over |= _mm256_movemask_ps(m) != 0;
    v = (FV)_mm256_min_ps(_mm256_set1_ps(b), (__m256)v);
    return (FV)_mm256_max_ps(_mm256_set1_ps(-b), (__m256)v);
#endif
}

/*
** ISA: *n = rint(q) (ties to even) in every lane; whether every lane has |q| < 2^10 and
** |q - n| < 1/2 - 2^-11 (q - n is exact: n is 0 or within a factor 2 of q). NaN fails both.
*/
INLINE bool far_from_halves(FV q, FV *n)
{
#if DW == 8
    __m512 r = _mm512_roundscale_ps((__m512)q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 a = _mm512_abs_ps(_mm512_sub_ps((__m512)q, r));
    __mmask16 ok = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.5f - 0x1p-11f), _CMP_LT_OQ) &
                   _mm512_cmp_ps_mask(_mm512_abs_ps((__m512)q), _mm512_set1_ps(0x1p10f),
                                      _CMP_LT_OQ);
    *n = (FV)r;
    return ok == 0xffff;
#else
    __m256 r = _mm256_round_ps((__m256)q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 a = _mm256_and_ps(_mm256_sub_ps((__m256)q, r), mag);
    __m256 ok = _mm256_and_ps(_mm256_cmp_ps(a, _mm256_set1_ps(0.5f - 0x1p-11f), _CMP_LT_OQ),
                              _mm256_cmp_ps(_mm256_and_ps((__m256)q, mag),
                                            _mm256_set1_ps(0x1p10f), _CMP_LT_OQ));
    *n = (FV)r;
    return _mm256_movemask_ps(ok) == 0xff;
#endif
}

/* ISA: half h (lanes h DW ..) of n, widened to doubles (exactly). */
INLINE D4 half4(FV n, int h)
{
#if DW == 8
    __m256 f = h ? _mm512_extractf32x8_ps((__m512)n, 1) : _mm512_castps512_ps256((__m512)n);
    return (D4)_mm512_cvtps_pd(f);
#else
    __m128 f = h ? _mm256_extractf128_ps((__m256)n, 1) : _mm256_castps256_ps128((__m256)n);
    return (D4)_mm256_cvtps_pd(f);
#endif
}

/* Whether the prefilter may take c (a scale, or 1/step): normal and far from overflow. */
static bool prefilter_scale(double c)
{
    return fabs(c) > 0x1p-100 && fabs(c) < 0x1p100;
}
#endif

/* The DAC of DW lanes after the quantisation: clip, noise, asymmetry; into v. */
INLINE void dac_finish(float *v, D4 val, double bound, double noise, const float *xi,
                       double asym)
{
    val = clip4(val, bound);
    if (xi)
        val = val + d4(noise) * ld4(xi);
    if (asym != 1.0)
        val = sel4(val < d4(0.0), val * d4(asym), val);
    st4(v, val);
}

/* The DAC of DW lanes from x. */
INLINE void dac4(float *v, const float *x, double scale, double step, double inv, double bound,
                 double noise, const float *xi, double asym)
{
    D4 val = ld4(x) * d4(scale);
    if (step > 0.0)
        val = quant4(val, step, inv);
    dac_finish(v, val, bound, noise, xi, asym);
}

#if defined(FW)
/*
** The DAC's prefilter loop over the whole vectors of FW; where it ended. Inlined once with
** no noise and no asymmetry (the usual case: constants there) and once as called, so that
** the loop tests neither.
*/
INLINE size_t dac_wide(float *v, const float *x, size_t n, double scale, double step,
                       double inv, double bound, double noise, const float *xi, double asym,
                       RtFloatStep fstep)
{
    size_t j = 0;
    FV c = fv((float)(scale * inv));
    for (; j + FW <= n; j += FW) {
        FV nf;
        const float *xi0 = xi ? xi + j : NULL, *xi1 = xi ? xi + j + DW : NULL;
        bool far = far_from_halves(ldfv(x + j) * c, &nf);
        if (far && fstep.hi != 0.0f) {
            bool over = false; /* the DAC clips without a test */
            FV r = finish_fv(nf, fstep, (float)bound, false, &over);
            memcpy(v + j, &r, sizeof r);
        } else if (far) {
            dac_finish(v + j, half4(nf, 0) * d4(step), bound, noise, xi0, asym);
            dac_finish(v + j + DW, half4(nf, 1) * d4(step), bound, noise, xi1, asym);
        } else {
            dac4(v + j, x + j, scale, step, inv, bound, noise, xi0, asym);
            dac4(v + j + DW, x + j + DW, scale, step, inv, bound, noise, xi1, asym);
        }
    }
#if DW == 8
    if (j < n && fstep.hi != 0.0f) { /* ISA: the tail loaded and stored masked (25 of a patch) */
        __mmask16 in = (__mmask16)((1u << (n - j)) - 1); /* zeros elsewhere: far from halves */
        FV nf;
        if (far_from_halves((FV)_mm512_maskz_loadu_ps(in, x + j) * c, &nf)) {
            bool over = false;
            _mm512_mask_storeu_ps(v + j, in, (__m512)finish_fv(nf, fstep, (float)bound, false,
                                                               &over));
            j = n;
        }
    }
#endif
    return j;
}
#endif

static void KERN(dac)(float *v, const float *x, size_t n, double scale, double step,
                      double bound, double noise, const float *xi, double asym,
                      RtFloatStep fstep)
{
    size_t j = 0;
    double inv = step > 0.0 ? 1.0 / step : 0.0;
#if defined(FW)
    if (step > 0.0 && prefilter_scale(scale * inv))
        j = !xi && asym == 1.0
                ? dac_wide(v, x, n, scale, step, inv, bound, 0.0, NULL, 1.0, fstep)
                : dac_wide(v, x, n, scale, step, inv, bound, noise, xi, asym,
                           RT_NO_FLOAT_STEP);
#else
    (void)fstep;
#endif
    for (; j + DW <= n; j += DW)
        dac4(v + j, x + j, scale, step, inv, bound, noise, xi ? xi + j : NULL, asym);
    for (; j < n; j++) {
        double val = (double)x[j] * scale;
        if (step > 0.0)
            val = round1(val / step) * step;
        val = val > bound ? bound : val;
        val = val < -bound ? -bound : val;
        if (xi)
            val = val + noise * (double)xi[j];
        if (asym != 1.0 && val < 0.0)
            val = val * asym;
        v[j] = (float)val;
    }
}

/*
** ISA: whether some lane is above b, or with neg below -b (the ADC's bound test; compares
** into mask registers with AVX-512).
*/
INLINE bool outside4(D4 v, double b, bool neg)
{
#if DW == 8
    __mmask8 m = _mm512_cmp_pd_mask((__m512d)v, (__m512d)d4(b), _CMP_GT_OQ);
    if (neg)
        m |= _mm512_cmp_pd_mask((__m512d)v, (__m512d)d4(-b), _CMP_LT_OQ);
    return m != 0;
#elif defined(__AVX2__)
    L4 m = (v > d4(b)) | (neg ? v < d4(-b) : (L4){0});
    return _mm256_movemask_pd((__m256d)m) != 0;
#else
    L4 m = (v > d4(b)) | (neg ? v < d4(-b) : (L4){0});
    return (m[0] | m[1] | m[2] | m[3]) != 0;
#endif
}

/* The ADC of DW lanes after the quantisation: the bound test into *fail, clip; into y. */
INLINE void adc_finish(float *y, D4 val, double bound, bool neg, bool *fail)
{
    *fail |= outside4(val, bound, neg);
    st4(y, clip4(val, bound));
}

/* The ADC of DW lanes of y. */
INLINE void adc4(float *y, const float *sig, const float *xi, double asym, double step,
                 double inv, double bound, bool neg, bool *fail)
{
    D4 val = ld4(y);
    if (asym != 1.0)
        val = sel4(val < d4(0.0), val * d4(asym), val);
    if (xi)
        val = val + ld4(sig) * ld4(xi);
    if (step > 0.0)
        val = quant4(val, step, inv);
    adc_finish(y, val, bound, neg, fail);
}

#if defined(FW)
/*
** The ADC's prefilter loop (no asymmetry) over the whole vectors of FW; where it ended.
** Inlined with and without noise, so that the loop does not test it.
*/
INLINE size_t adc_wide(float *y, size_t n, const float *sig, const float *xi, double step,
                       double inv, double bound, bool neg, bool *fail, RtFloatStep fstep)
{
    size_t i = 0;
    FV c = fv((float)inv);
    for (; i + FW <= n; i += FW) {
        FV q = xi ? fmafv(ldfv(sig + i), ldfv(xi + i), ldfv(y + i)) : ldfv(y + i), nf;
        bool far = far_from_halves(q * c, &nf);
        if (far && fstep.hi != 0.0f) {
            FV r = finish_fv(nf, fstep, (float)bound, neg, fail);
            memcpy(y + i, &r, sizeof r);
        } else if (far) {
            adc_finish(y + i, half4(nf, 0) * d4(step), bound, neg, fail);
            adc_finish(y + i + DW, half4(nf, 1) * d4(step), bound, neg, fail);
        } else {
            adc4(y + i, sig + i, xi ? xi + i : NULL, 1.0, step, inv, bound, neg, fail);
            adc4(y + i + DW, sig + i + DW, xi ? xi + i + DW : NULL, 1.0, step, inv, bound,
                 neg, fail);
        }
    }
    return i;
}
#endif

static bool KERN(adc)(float *y, size_t n, const float *sig, const float *xi, double asym,
                      double step, double bound, bool neg, RtFloatStep fstep)
{
    bool failed = false;
    size_t i = 0;
    double inv = step > 0.0 ? 1.0 / step : 0.0;
#if defined(FW)
    if (step > 0.0 && asym == 1.0 && prefilter_scale(inv))
        i = xi ? adc_wide(y, n, sig, xi, step, inv, bound, neg, &failed, fstep)
               : adc_wide(y, n, sig, NULL, step, inv, bound, neg, &failed, fstep);
#else
    (void)fstep;
#endif
    for (; i + DW <= n; i += DW)
        adc4(y + i, sig + i, xi ? xi + i : NULL, asym, step, inv, bound, neg, &failed);
    for (; i < n; i++) {
        double val = y[i];
        if (asym != 1.0 && val < 0.0)
            val = val * asym;
        if (xi)
            val = val + (double)sig[i] * (double)xi[i];
        if (step > 0.0)
            val = round1(val / step) * step;
        if (val > bound) {
            val = bound;
            failed = true;
        } else if (val < -bound) {
            val = -bound;
            failed |= neg;
        }
        y[i] = (float)val;
    }
    return !failed;
}

/*
** ====================================================================================
** Short products (rt_matmul.c), SW outputs at a time
** ====================================================================================
*/

#if defined(__FMA__)
/* ISA: the lanes of a short product's outputs, 16 floats with AVX-512, else 8. */
#if DW == 8
#define SW 16
typedef float VS __attribute__((vector_size(64)));
#else
#define SW 8
typedef float VS __attribute__((vector_size(32)));
#endif

/* ISA: s + a b per lane, fused (rounded once). */
INLINE VS fma_vs(float a, VS b, VS s)
{
#if SW == 16
    return (VS)_mm512_fmadd_ps(_mm512_set1_ps(a), (__m512)b, (__m512)s);
#else
    return (VS)_mm256_fmadd_ps(_mm256_set1_ps(a), (__m256)b, (__m256)s);
#endif
}

/* c = alpha v, or c + alpha v where beta is not 0 (SW floats). */
INLINE void put_sum(float *c, VS v, float alpha, float beta)
{
    v = alpha * v;
    if (beta != 0.0f) {
        VS c0;
        memcpy(&c0, c, sizeof c0);
        v = c0 + v;
    }
    memcpy(c, &v, sizeof v);
}

/* bt (k,SW): the first k floats of b's SW rows (ldb floats apart), transposed. */
INLINE void transpose_rows(float *bt, const float *b, size_t ldb, size_t k)
{
    for (size_t j = 0; j < SW; j++)
        for (size_t p = 0; p < k; p++)
            bt[p * SW + j] = b[j * ldb + p];
}

/*
** SW outputs of every row at a time: bt (k,SW) holds b's rows transposed, so each step p is
** one fused multiply-add of a[i][p], broadcast, into s_(p mod 8). The partial sums are named,
** not an array, so that they stay in registers; inlined with k a constant (a 5 x 5 conv
** layer on one channel: k = 25), bt's rows stay there too, and each step loads only a[i][p]
** (8.5 -> 5.9 ns a row of 25 with AVX-512).
*/
INLINE void short_rows(float *c, size_t ldc, const float *a, size_t lda, const float *bt,
                       size_t m, size_t k, float alpha, float beta)
{
    VS bv[RT_KERN_SHORT_K_MAX];
#pragma GCC unroll 32
    for (size_t p = 0; p < k; p++)
        memcpy(&bv[p], bt + p * SW, sizeof bv[p]);
    size_t k8 = k / 8 * 8;
    for (size_t i = 0; i < m; i++) {
        const float *ai = a + i * lda;
        VS s0 = {0}, s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
#pragma GCC unroll 4
        for (size_t p = 0; p < k8; p += 8) {
            s0 = fma_vs(ai[p], bv[p], s0), s1 = fma_vs(ai[p + 1], bv[p + 1], s1);
            s2 = fma_vs(ai[p + 2], bv[p + 2], s2), s3 = fma_vs(ai[p + 3], bv[p + 3], s3);
            s4 = fma_vs(ai[p + 4], bv[p + 4], s4), s5 = fma_vs(ai[p + 5], bv[p + 5], s5);
            s6 = fma_vs(ai[p + 6], bv[p + 6], s6), s7 = fma_vs(ai[p + 7], bv[p + 7], s7);
        }
#pragma GCC unroll 8
        for (size_t p = k8; p < k; p++)
            s0 = fma_vs(ai[p], bv[p], s0);
        put_sum(c + i * ldc, ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), alpha, beta);
    }
}

#if SW == 16
/*
** A block of k (up to RT_KERN_LONG_KC) of a long product: short_rows's sums with bt (k,SW)
** read from memory, three rows at a time (24 partial sums; each step p loads bt's row once
** for the three rows' broadcasts), the last rows one at a time.
*/
INLINE void long_rows(float *c, size_t ldc, const float *a, size_t lda, const float *bt,
                      size_t m, size_t k, float alpha, float beta)
{
    size_t k8 = k / 8 * 8, i = 0;
#define LONG_STEP(q)                                                                          \
    do {                                                                                      \
        VS bq;                                                                                \
        memcpy(&bq, bt + (p + q) * SW, sizeof bq);                                            \
        __asm__("" : "+v"(bq)); /* in a register: each broadcast is the FMA's operand */     \
        x##q = fma_vs(a0[p + q], bq, x##q), y##q = fma_vs(a1[p + q], bq, y##q);               \
        z##q = fma_vs(a2[p + q], bq, z##q);                                                   \
    } while (0)
    for (; i + 3 <= m; i += 3) {
        const float *a0 = a + i * lda, *a1 = a0 + lda, *a2 = a1 + lda;
        VS x0 = {0}, x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
        VS y0 = x0, y1 = x0, y2 = x0, y3 = x0, y4 = x0, y5 = x0, y6 = x0, y7 = x0;
        VS z0 = x0, z1 = x0, z2 = x0, z3 = x0, z4 = x0, z5 = x0, z6 = x0, z7 = x0;
        size_t p = 0;
        for (; p < k8; p += 8) {
            LONG_STEP(0);
            LONG_STEP(1);
            LONG_STEP(2);
            LONG_STEP(3);
            LONG_STEP(4);
            LONG_STEP(5);
            LONG_STEP(6);
            LONG_STEP(7);
        }
        for (; p < k; p++) {
            VS bq;
            memcpy(&bq, bt + p * SW, sizeof bq);
            x0 = fma_vs(a0[p], bq, x0), y0 = fma_vs(a1[p], bq, y0), z0 = fma_vs(a2[p], bq, z0);
        }
        float *ci = c + i * ldc;
        put_sum(ci, ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)), alpha, beta);
        put_sum(ci + ldc, ((y0 + y1) + (y2 + y3)) + ((y4 + y5) + (y6 + y7)), alpha, beta);
        put_sum(ci + 2 * ldc, ((z0 + z1) + (z2 + z3)) + ((z4 + z5) + (z6 + z7)), alpha, beta);
    }
#undef LONG_STEP
    for (; i < m; i++) {
        const float *ai = a + i * lda;
        VS s[8] = {{0}};
        size_t p = 0;
        for (; p < k8; p += 8)
            for (size_t q = 0; q < 8; q++) {
                VS bq;
                memcpy(&bq, bt + (p + q) * SW, sizeof bq);
                s[q] = fma_vs(ai[p + q], bq, s[q]);
            }
        for (; p < k; p++) {
            VS bq;
            memcpy(&bq, bt + p * SW, sizeof bq);
            s[0] = fma_vs(ai[p], bq, s[0]);
        }
        put_sum(c + i * ldc, ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])),
                alpha, beta);
    }
}

/*
** k above RT_KERN_SHORT_K_MAX: BLIS's small-matrix kernels cut k into blocks of
** RT_KERN_LONG_KC, sum each block as a short product, and add each block's sum times alpha
** into c, the first block as beta says (measured bit for bit, rt_matmul.c). Each block's
** SW columns of b are laid out transposed once (bt, 16 KB) and read by every row from L1.
*/
static void KERN(long_dots)(float *c, size_t ldc, const float *a, size_t lda, const float *b,
                            size_t ldb, size_t m, size_t n, size_t k, float alpha, float beta)
{
    float bt[RT_KERN_LONG_KC * SW];
    for (size_t j0 = 0; j0 < n; j0 += SW)
        for (size_t p0 = 0; p0 < k; p0 += RT_KERN_LONG_KC) {
            size_t kb = k - p0 < RT_KERN_LONG_KC ? k - p0 : RT_KERN_LONG_KC;
            transpose_rows(bt, b + j0 * ldb + p0, ldb, kb);
            long_rows(c + j0, ldc, a + p0, lda, bt, m, kb, alpha, p0 == 0 ? beta : 1.0f);
        }
}

/*
** R rows (at most 6) and V vectors (1 or 4) of columns of c = alpha a b (+ c): each element's
** sum over p in order, one fused multiply-add a step, as BLIS's small-matrix kernels sum a
** product whose b is stored along n. With R and V constants the R V sums stay in registers;
** each step loads b's V vectors once, and the broadcasts of a are the operands.
*/
INLINE void combo_tile(float *c, size_t ldc, const float *a, size_t lda, const float *b,
                       size_t ldb, size_t k, size_t R, size_t V, float alpha, float beta)
{
    VS acc[6][4];
    memset(acc, 0, sizeof acc);
    for (size_t p = 0; p < k; p++) {
        VS bv[4];
#pragma GCC unroll 4
        for (size_t v = 0; v < V; v++) {
            memcpy(&bv[v], b + p * ldb + v * SW, sizeof bv[v]);
            __asm__("" : "+v"(bv[v]));
        }
#pragma GCC unroll 6
        for (size_t r = 0; r < R; r++) {
            float ar = a[r * lda + p];
#pragma GCC unroll 4
            for (size_t v = 0; v < V; v++)
                acc[r][v] = fma_vs(ar, bv[v], acc[r][v]);
        }
    }
#pragma GCC unroll 6
    for (size_t r = 0; r < R; r++)
#pragma GCC unroll 4
        for (size_t v = 0; v < V; v++)
            put_sum(c + r * ldc + v * SW, acc[r][v], alpha, beta);
}

/* The rows of c from i on, V vectors of columns (a constant at each call). */
INLINE void combo_rows(float *c, size_t ldc, const float *a, size_t lda, const float *b,
                       size_t ldb, size_t m, size_t k, size_t V, float alpha, float beta)
{
    size_t i = 0;
    for (; i + 6 <= m; i += 6)
        combo_tile(c + i * ldc, ldc, a + i * lda, lda, b, ldb, k, 6, V, alpha, beta);
    switch (m - i) {
    case 5: combo_tile(c + i * ldc, ldc, a + i * lda, lda, b, ldb, k, 5, V, alpha, beta); break;
    case 4: combo_tile(c + i * ldc, ldc, a + i * lda, lda, b, ldb, k, 4, V, alpha, beta); break;
    case 3: combo_tile(c + i * ldc, ldc, a + i * lda, lda, b, ldb, k, 3, V, alpha, beta); break;
    case 2: combo_tile(c + i * ldc, ldc, a + i * lda, lda, b, ldb, k, 2, V, alpha, beta); break;
    case 1: combo_tile(c + i * ldc, ldc, a + i * lda, lda, b, ldb, k, 1, V, alpha, beta); break;
    default: break;
    }
}

static void KERN(short_combos)(float *c, size_t ldc, const float *a, size_t lda,
                               const float *b, size_t ldb, size_t m, size_t n, size_t k,
                               float alpha, float beta)
{
    size_t j = 0;
    for (; j + 4 * SW <= n; j += 4 * SW)
        combo_rows(c + j, ldc, a, lda, b + j, ldb, m, k, 4, alpha, beta);
    for (; j < n; j += SW)
        combo_rows(c + j, ldc, a, lda, b + j, ldb, m, k, 1, alpha, beta);
}
#define LONG_DOTS KERN(long_dots)
#define SHORT_COMBOS KERN(short_combos)
#else
#define LONG_DOTS NULL /* BLIS's AVX2 kernels are faster than these loops on 8 lanes */
#define SHORT_COMBOS NULL
#endif

static void KERN(short_dots)(float *c, size_t ldc, const float *a, size_t lda,
                             const float *b, size_t ldb, size_t m, size_t n, size_t k,
                             float alpha, float beta)
{
    float bt[RT_KERN_SHORT_K_MAX * SW];
    for (size_t j0 = 0; j0 < n; j0 += SW) {
        transpose_rows(bt, b + j0 * ldb, ldb, k);
        if (k == 25)
            short_rows(c + j0, ldc, a, lda, bt, m, 25, alpha, beta);
        else
            short_rows(c + j0, ldc, a, lda, bt, m, k, alpha, beta);
    }
}
#define SHORT_DOTS KERN(short_dots)

/*
** SW outputs of the 5 x 5 window at r (rows w floats apart), by bt (25,SW) in registers:
** short_rows's sums for k = 25 (element p = 5 kh + kw into s_(p mod 8), 24 into s_0), the
** window read in place instead of from its patch row.
*/
INLINE VS window25(const VS *bv, const float *r, size_t w)
{
    const float *r1 = r + w, *r2 = r1 + w, *r3 = r2 + w, *r4 = r3 + w;
    VS z = {0};
    VS s0 = fma_vs(r[0], bv[0], z), s1 = fma_vs(r[1], bv[1], z), s2 = fma_vs(r[2], bv[2], z);
    VS s3 = fma_vs(r[3], bv[3], z), s4 = fma_vs(r[4], bv[4], z);
    VS s5 = fma_vs(r1[0], bv[5], z), s6 = fma_vs(r1[1], bv[6], z), s7 = fma_vs(r1[2], bv[7], z);
    s0 = fma_vs(r1[3], bv[8], s0), s1 = fma_vs(r1[4], bv[9], s1);
    s2 = fma_vs(r2[0], bv[10], s2), s3 = fma_vs(r2[1], bv[11], s3);
    s4 = fma_vs(r2[2], bv[12], s4), s5 = fma_vs(r2[3], bv[13], s5);
    s6 = fma_vs(r2[4], bv[14], s6), s7 = fma_vs(r3[0], bv[15], s7);
    s0 = fma_vs(r3[1], bv[16], s0), s1 = fma_vs(r3[2], bv[17], s1);
    s2 = fma_vs(r3[3], bv[18], s2), s3 = fma_vs(r3[4], bv[19], s3);
    s4 = fma_vs(r4[0], bv[20], s4), s5 = fma_vs(r4[1], bv[21], s5);
    s6 = fma_vs(r4[2], bv[22], s6), s7 = fma_vs(r4[3], bv[23], s7);
    s0 = fma_vs(r4[4], bv[24], s0);
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

static void KERN(short_conv5)(float *c, size_t ldc, const float *x, size_t w, size_t S,
                              size_t OH, size_t OW, const float *b, size_t ldb, size_t n)
{
    float bt[25 * SW];
    VS bv[25];
    for (size_t j0 = 0; j0 < n; j0 += SW) {
        transpose_rows(bt, b + j0 * ldb, ldb, 25);
#pragma GCC unroll 25
        for (size_t p = 0; p < 25; p++)
            memcpy(&bv[p], bt + p * SW, sizeof bv[p]);
        for (size_t oh = 0; oh < OH; oh++)
            for (size_t ow = 0; ow < OW; ow++) {
                VS v = 1.0f * window25(bv, x + oh * S * w + ow * S, w);
                memcpy(c + (oh * OW + ow) * ldc + j0, &v, sizeof v);
            }
    }
}
#define SHORT_CONV5 KERN(short_conv5)
#else
#define SHORT_DOTS NULL
#define LONG_DOTS NULL
#define SHORT_COMBOS NULL
#define SHORT_CONV5 NULL
#endif

/*
** ====================================================================================
** Patches of 5 x 5 windows (rt_layer_conv.c's im2col)
** ====================================================================================
*/

#if DW == 8
/*
** ISA: a channel's 25 floats from its five rows a0..a4 (5 floats each, loaded masked, so
** nothing past a row is read): 16 floats of a0, a1, a2 and a3's first, two-source permutes
** and a blend, then a masked store of a3's other 4 and a4's 5. Ten 20-byte copies were
** store-bound.
*/
static void KERN(patches5)(float *cols, size_t X, const float *x, size_t C, size_t hw,
                           size_t w, size_t n)
{
    const __m512i i01 = _mm512_setr_epi32(0, 1, 2, 3, 4, 16, 17, 18, 19, 20, 0, 0, 0, 0, 0, 0);
    const __m512i i23 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 16);
    const __m512i i34 = _mm512_setr_epi32(1, 2, 3, 4, 16, 17, 18, 19, 20, 0, 0, 0, 0, 0, 0, 0);
    for (size_t j = 0; j < n; j++) {
        float *row = cols + j * X;
        const float *s = x + j;
        for (size_t c = 0; c < C; c++, s += hw, row += 25) {
            __m512 a0 = _mm512_maskz_loadu_ps(0x1F, s), a1 = _mm512_maskz_loadu_ps(0x1F, s + w);
            __m512 a2 = _mm512_maskz_loadu_ps(0x1F, s + 2 * w);
            __m512 a3 = _mm512_maskz_loadu_ps(0x1F, s + 3 * w);
            __m512 a4 = _mm512_maskz_loadu_ps(0x1F, s + 4 * w);
            __m512 lo = _mm512_permutex2var_ps(a0, i01, a1);
            __m512 hi = _mm512_permutex2var_ps(a2, i23, a3);
            _mm512_storeu_ps(row, _mm512_mask_blend_ps(0xFC00, lo, hi));
            _mm512_mask_storeu_ps(row + 16, 0x1FF, _mm512_permutex2var_ps(a3, i34, a4));
        }
    }
}
#define PATCHES5 KERN(patches5)
#else
#define PATCHES5 NULL
#endif

const RtKern KERN(rt_kern) = {
    .name = KERN_NAME,
    .rows = KERN(rows),
    .col_trains = KERN(col_trains),
    .train_counts = KERN(train_counts),
    .row_slots = KERN(row_slots),
    .words = KERN(words),
    .stream_words = KERN(stream_words),
    .normals = KERN(normals),
    .row_normals = KERN(row_normals),
    .dac = KERN(dac),
    .adc = KERN(adc),
    .short_dots = SHORT_DOTS,
    .long_dots = LONG_DOTS,
    .short_combos = SHORT_COMBOS,
    .patches5 = PATCHES5,
    .short_conv5 = SHORT_CONV5,
};
