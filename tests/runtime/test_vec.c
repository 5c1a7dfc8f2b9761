/*
** Tests of runtime/rt_vec.c: the shared reductions equal their plain scalar definitions.
*/
#include <criterion/criterion.h>
#include <math.h>

#include "rt_rng.h"
#include "rt_vec.h"

/* The definition: the largest |x_k| that is not a NaN, 0 for none. */
static float absmax_ref(const float *x, size_t n)
{
    float m = 0.0f;
    for (size_t k = 0; k < n; k++)
        if (!isnan(x[k]) && fabsf(x[k]) > m)
            m = fabsf(x[k]);
    return m;
}

Test(vec, absmax_is_the_largest_magnitude_with_nans_skipped)
{
    float x[67];
    RtRng r;
    rt_rng_seed(&r, 4, 1);
    /* every length up to 67 crosses the 4-, 8- and 16-lane loops and their remainders;
    ** values of every scale, negative ones, and the special values in turn at each place */
    const float special[] = {NAN, -NAN, INFINITY, -INFINITY, -0.0f, 1e-40f, -3e38f};
    for (size_t n = 0; n <= 67; n++)
        for (size_t s = 0; s <= sizeof special / sizeof *special; s++) {
            for (size_t k = 0; k < n; k++)
                x[k] = (float)((rt_rng_uniform(&r) - 0.5) * pow(10.0, 8.0 * rt_rng_uniform(&r) - 4.0));
            if (n && s < sizeof special / sizeof *special)
                x[(n * 7 + s) % n] = special[s];
            float got = rt_absmax(x, n), want = absmax_ref(x, n);
            cr_assert(memcmp(&got, &want, sizeof got) == 0, "n %zu, special %zu: %.9g, want %.9g",
                      n, s, (double)got, (double)want);
        }
    float nans[3] = {NAN, NAN, -NAN};
    cr_assert(rt_absmax(nans, 3) == 0.0f, "only NaNs: 0");
}
