/*
** rt_vec.c: reductions over float vectors (rt_vec.h).
*/
#include <stdint.h>
#include <string.h>

#include "rt_vec.h"

/*
** On the bits: with the sign cleared, finite values and infinities order as their integer
** patterns do, and NaNs lie above +inf (0x7f800000), so they are dropped by a compare. An
** integer maximum vectorises where a float one with NaNs skipped does not; the pulse plan
** and the noise management take it per sample and row.
*/
size_t rt_lone_nonzero(const float *v, size_t n)
{
    size_t at = n;
    for (size_t k = 0; k < n; k++)
        if (v[k] != 0.0f) {
            if (at < n)
                return n + 1;
            at = k;
        }
    return at;
}

RT_WIDE_LOOP
float rt_absmax(const float *x, size_t n)
{
    int32_t m = 0; /* the bits with the sign cleared fit an int32_t */
    for (size_t k = 0; k < n; k++) {
        int32_t u;
        memcpy(&u, &x[k], sizeof u);
        u &= INT32_MAX;
        u &= -(int32_t)(u <= 0x7f800000); /* a NaN counts as 0 (a mask: GCC vectorises it) */
        m = m > u ? m : u;
    }
    float f;
    memcpy(&f, &m, sizeof f);
    return f;
}

RT_WIDE_LOOP
bool rt_has_nan(const float *x, size_t n)
{
    int32_t m = 0; /* the largest bits with the sign cleared: a NaN's are above infinity's */
    for (size_t k = 0; k < n; k++) {
        int32_t u;
        memcpy(&u, &x[k], sizeof u);
        u &= INT32_MAX;
        m = m > u ? m : u;
    }
    return m > 0x7f800000;
}
