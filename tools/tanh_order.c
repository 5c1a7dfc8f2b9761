/*
** tanh_order: checks over every float the order facts that rt_conv_maxpool_tanh_forward
** (runtime/rt_layer_pool.c) rests on, for rt_tanh_forward as built:
**   1. tanh a <= tanh b whenever b is 2 or more floats above a (-0 just below +0);
**   2. tanh x = 0 only for x = +-0, and tanh x is never NaN for x not NaN.
** 1 holds over all pairs iff it holds for b two and three floats above a: a pair further
** apart is a chain of such steps. Run it (`make tanh-order`, about 25 s) whenever tanh_f
** changes; the unit tests sweep only the binades where adjacent pairs go down.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rt_layer.h"

enum { BLOCK = 4096 };

/* The k-th float in increasing order, from -inf (k = 0) through -0, +0, to +inf. */
static uint32_t nth_float(uint64_t k)
{
    const uint64_t neg = 0xFF800000u - 0x80000000u + 1; /* -inf .. -0 */
    return k < neg ? (uint32_t)(0xFF800000u - k) : (uint32_t)(k - neg);
}

int main(void)
{
    const uint64_t total = (0xFF800000u - 0x80000000u + 1) + (0x7F800000u + 1);
    static uint32_t xb[BLOCK];
    static float y[BLOCK + 3];
    uint64_t below2 = 0, zero = 0, nan = 0, down1 = 0;
    for (uint64_t k0 = 0; k0 < total; k0 += BLOCK) {
        size_t n = total - k0 < BLOCK ? (size_t)(total - k0) : BLOCK;
        for (size_t i = 0; i < n; i++)
            xb[i] = nth_float(k0 + i);
        float xs[BLOCK];
        memcpy(xs, xb, n * sizeof *xs);
        rt_tanh_forward(y + 3, xs, n);
        for (size_t i = k0 ? 0 : 3; i < n; i++) {
            float t = y[i + 3];
            below2 += !(t >= y[i + 1]) || !(t >= y[i]);
            down1 += t < y[i + 2];
        }
        for (size_t i = 0; i < n; i++) {
            float t = y[i + 3];
            bool x_zero = (xb[i] & 0x7FFFFFFFu) == 0;
            zero += (t == 0.0f) != x_zero;
            nan += t != t;
        }
        memmove(y, y + n, 3 * sizeof *y);
    }
    printf("tanh_order: %llu floats; pairs 2 or 3 floats apart that go down: %llu; adjacent "
           "pairs that go down: %llu; tanh 0 off +-0 or nonzero at +-0: %llu; NaN: %llu\n",
           (unsigned long long)total, (unsigned long long)below2, (unsigned long long)down1,
           (unsigned long long)zero, (unsigned long long)nan);
    bool ok = below2 == 0 && zero == 0 && nan == 0;
    puts(ok ? "tanh_order: holds" : "tanh_order: FAILS: rt_conv_maxpool_tanh_forward is wrong");
    return ok ? 0 : 1;
}
