/*
** test_rng.c: reproducibility, stream independence and the moments of RtRng's draws.
** Statistical tolerances are 6 standard errors of the estimator (derived per test), so a
** correct generator fails with probability ~1e-9 and the runs are deterministic anyway.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "rt_fixtures.h"
#include "rt_rng.h"

#define N 200000

Test(rng, same_seed_and_stream_give_the_same_sequence)
{
    RtRng a, b;
    rt_rng_seed(&a, 42, 7);
    rt_rng_seed(&b, 42, 7);
    for (int k = 0; k < 1000; k++)
        cr_assert_eq(rt_rng_next(&a), rt_rng_next(&b));
    for (int k = 0; k < 1000; k++)
        cr_assert_eq(rt_rng_normal(&a), rt_rng_normal(&b));
}

Test(rng, different_streams_and_seeds_differ)
{
    RtRng a, b, c;
    rt_rng_seed(&a, 1, RT_STREAM_DATA);
    rt_rng_seed(&b, 1, RT_STREAM_INIT);
    rt_rng_seed(&c, 2, RT_STREAM_DATA);
    int same_ab = 0, same_ac = 0;
    for (int k = 0; k < 64; k++) {
        uint64_t x = rt_rng_next(&a);
        same_ab += x == rt_rng_next(&b);
        same_ac += x == rt_rng_next(&c);
    }
    cr_assert_eq(same_ab, 0);
    cr_assert_eq(same_ac, 0);
}

/* U[0,1): mean 1/2 with standard error sqrt(1/12/N); variance 1/12 (se of s^2 ~ sqrt(1/180/N)). */
Test(rng, uniform_has_the_moments_of_u01)
{
    RtRng r;
    rt_rng_seed(&r, 3, 0);
    double *v = malloc(N * sizeof *v);
    for (int k = 0; k < N; k++) {
        v[k] = rt_rng_uniform(&r);
        cr_assert(v[k] >= 0.0 && v[k] < 1.0);
    }
    cr_assert_float_eq(fx_mean(v, N), 0.5, 6 * sqrt(1.0 / 12 / N));
    cr_assert_float_eq(fx_var(v, N), 1.0 / 12, 6 * sqrt(1.0 / 180 / N));
    free(v);
}

/* N(0,1): mean se 1/sqrt(N), variance se sqrt(2/N), P(|x| < 1) = 0.682689 with binomial se. */
Test(rng, normal_has_the_moments_of_n01)
{
    RtRng r;
    rt_rng_seed(&r, 4, 0);
    double *v = malloc(N * sizeof *v);
    int inside = 0;
    for (int k = 0; k < N; k++) {
        v[k] = rt_rng_normal(&r);
        inside += fabs(v[k]) < 1.0;
    }
    cr_assert_float_eq(fx_mean(v, N), 0.0, 6 / sqrt(N));
    cr_assert_float_eq(fx_var(v, N), 1.0, 6 * sqrt(2.0 / N));
    double p = 0.682689492;
    cr_assert_float_eq((double)inside / N, p, 6 * sqrt(p * (1 - p) / N));
    free(v);
}

/* Every residue of 7 is hit, with frequency 1/7 within 6 binomial standard errors. */
Test(rng, below_is_in_range_and_uniform)
{
    RtRng r;
    rt_rng_seed(&r, 5, 0);
    int hits[7] = {0};
    for (int k = 0; k < 70000; k++) {
        uint64_t x = rt_rng_below(&r, 7);
        cr_assert_lt(x, 7);
        hits[x]++;
    }
    for (int k = 0; k < 7; k++)
        cr_assert_float_eq(hits[k] / 70000.0, 1.0 / 7, 6 * sqrt((1.0 / 7) * (6.0 / 7) / 70000));
}

Test(rng, shuffle_is_a_permutation_and_moves_elements)
{
    RtRng r;
    rt_rng_seed(&r, 6, 0);
    size_t idx[100];
    int seen[100] = {0}, moved = 0;
    for (size_t k = 0; k < 100; k++)
        idx[k] = k;
    rt_rng_shuffle(&r, idx, 100);
    for (size_t k = 0; k < 100; k++) {
        cr_assert_lt(idx[k], 100);
        seen[idx[k]]++;
        moved += idx[k] != k;
    }
    for (size_t k = 0; k < 100; k++)
        cr_assert_eq(seen[k], 1);
    cr_assert_gt(moved, 50); /* a uniform permutation fixes ~1 point on average */
}
