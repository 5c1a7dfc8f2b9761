/*
** test_tile.c: tile storage, the tile's passes against their naive twins, exact updates.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "rt_fixtures.h"
#include "rt_tile.h"

Test(tile, forward_and_backward_match_the_reference)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    RtRng r;
    rt_rng_seed(&r, 1, 2);
    RtTile *t = rt_tile_new(6, 11, &ir, &r, false);
    for (size_t k = 0; k < 66; k++)
        t->w[k] = (float)(0.2 * rt_rng_normal(&r));
    float *x = rand_matrix(4 * 11, &r), *d = rand_matrix(4 * 6, &r), *bias = rand_matrix(6, &r);
    float y[24], y2[24], dx[44] = {0}, dx2[44] = {0};
    rt_tile_forward(y, t, x, bias, 4);
    rt_tile_forward_ref(y2, t, x, bias, 4);
    for (size_t k = 0; k < 24; k++)
        cr_assert_float_eq(y[k], y2[k], 1e-5);
    rt_tile_backward(dx, t, d, 4);
    rt_tile_backward_ref(dx2, t, d, 4);
    for (size_t k = 0; k < 44; k++)
        cr_assert_float_eq(dx[k], dx2[k], 1e-5);
    rt_tile_free(t);
    free(x), free(d), free(bias);
}

Test(tile, arrays_are_aligned_and_weights_start_at_zero)
{
    IrDevice ir = fx_device(IR_DEV_CONSTANT_STEP);
    RtRng r;
    rt_rng_seed(&r, 1, 0);
    RtTile *t = rt_tile_new(3, 5, &ir, &r, true);
    cr_assert_not_null(t);
    cr_assert_eq((uintptr_t)t->w % 64, 0);
    cr_assert_eq((uintptr_t)t->cell % 64, 0);
    cr_assert_eq((uintptr_t)t->npulse % 64, 0);
    for (size_t k = 0; k < 15; k++)
        cr_assert(t->w[k] == 0.0f && rt_tile_pulses_at(t, k) == 0);
    rt_tile_free(t);
    cr_assert_null(rt_tile_new(SIZE_MAX / 2, 4, &ir, &r, false));
}

Test(tile, set_weights_clips_to_each_cells_bounds)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    RtRng r;
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(2, 3, &ir, &r, false);
    float w[6] = {5, -5, 0.1f, 0, 2, -2};
    rt_tile_set_weights(t, w);
    cr_assert_eq(t->w[0], t->cell[0].bmax);
    cr_assert_eq(t->w[1], t->cell[1].bmin);
    cr_assert_eq(t->w[2], 0.1f);
    cr_assert_eq(t->w[4], t->cell[4].bmax);
    cr_assert_eq(t->w[5], t->cell[5].bmin);
    rt_tile_free(t);
}

/*
** pulse_type none: W -= lr d x^T exactly (float rounding of each weight: half an ulp),
** then clipped to each cell's bounds; no pulse is counted and no RNG is used.
*/
Test(tile, pulse_type_none_is_the_floating_point_update_clipped)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    RtRng r;
    rt_rng_seed(&r, 3, 0);
    RtTile *t = rt_tile_new(3, 4, &ir, &r, true);
    float w0[12];
    for (size_t k = 0; k < 12; k++)
        w0[k] = t->w[k] = (float)(0.1 * rt_rng_normal(&r));
    float x[4] = {1, 0.5f, -0.25f, 0}, d[3] = {0.1f, -0.2f, 0.05f};
    IrUpdate u = fx_update();
    u.pulse_type = IR_PULSE_NONE;
    RtRng upd = r;
    rt_tile_update(t, x, d, 10.0, &u, &upd);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++) {
            size_t k = i * 4 + j;
            double want = w0[k] - 10.0 * d[i] * x[j];
            want = fmin(fmax(want, t->cell[k].bmin), t->cell[k].bmax);
            cr_assert_float_eq(t->w[k], want, FLT_EPSILON * fabs(want));
            cr_assert_eq(rt_tile_pulses_at(t, k), 0);
        }
    cr_assert_eq(rt_rng_next(&upd), rt_rng_next(&r));
    cr_assert_eq(t->w[4], t->cell[4].bmax, "w0 + 10*0.2*1 > 1.5 exceeds bmax = 0.6(1+0.3xi)");
    rt_tile_free(t);
}

/* The ideal family is updated exactly and never clipped, whatever the pulse type. */
Test(tile, ideal_device_update_is_exact_and_unbounded)
{
    IrDevice ir = fx_device(IR_DEV_IDEAL);
    RtRng r;
    rt_rng_seed(&r, 4, 0);
    RtTile *t = rt_tile_new(1, 2, &ir, &r, false);
    float x[2] = {1, -2}, d[1] = {3};
    IrUpdate u = fx_update();
    rt_tile_update(t, x, d, 10.0, &u, &r);
    cr_assert_eq(t->w[0], -30.0f);
    cr_assert_eq(t->w[1], 60.0f);
    rt_tile_free(t);
}
