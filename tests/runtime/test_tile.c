/*
** test_tile.c: tile storage, BLIS kernels against their naive twins, exact updates.
**
** Kernel tolerance: each output is a dot product of length K accumulated in float, so each
** implementation is within gamma_K * sum|a_k b_k| of the exact value (gamma_K = K*u/(1-K*u),
** u = 2^-24); two of them differ by at most twice that.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixtures.h"
#include "rt_matmul.h"
#include "rt_tile.h"

static float *rand_matrix(size_t n, RtRng *r)
{
    float *m = malloc((n ? n : 1) * sizeof *m);
    for (size_t k = 0; k < n; k++)
        m[k] = (float)rt_rng_normal(r);
    return m;
}

static double gamma_k(size_t k)
{
    double u = FLT_EPSILON / 2;
    return (double)k * u / (1.0 - (double)k * u);
}

/* Forward: compare out with out_ref; bound from sum_c |inp*w| (+ |bias|). */
static void check_forward(size_t B, size_t C, size_t OC, bool bias)
{
    RtRng r;
    rt_rng_seed(&r, B * 1000 + C, OC);
    float *inp = rand_matrix(B * C, &r), *w = rand_matrix(OC * C, &r);
    float *b = bias ? rand_matrix(OC, &r) : NULL;
    float *out = malloc(B * OC * sizeof *out), *ref = malloc(B * OC * sizeof *ref);
    rt_matmul_forward(out, inp, w, b, B, C, OC);
    rt_matmul_forward_ref(ref, inp, w, b, B, C, OC);
    for (size_t i = 0; i < B; i++)
        for (size_t o = 0; o < OC; o++) {
            double mag = b ? fabs(b[o]) : 0.0;
            for (size_t c = 0; c < C; c++)
                mag += fabs((double)inp[i * C + c] * w[o * C + c]);
            cr_assert_float_eq(out[i * OC + o], ref[i * OC + o], 2 * gamma_k(C + 1) * mag + 1e-30);
        }
    free(inp), free(w), free(b), free(out), free(ref);
}

Test(tile, forward_matches_the_naive_reference)
{
    check_forward(1, 1, 1, false);
    check_forward(7, 13, 5, true);
    check_forward(64, 100, 33, true);
    check_forward(3, 257, 1, false);
}

/* Backward: all three outputs, starting from non-zero values (the kernels add). */
static void check_backward(size_t B, size_t C, size_t OC)
{
    RtRng r;
    rt_rng_seed(&r, 77, B + C + OC);
    float *dout = rand_matrix(B * OC, &r), *inp = rand_matrix(B * C, &r);
    float *w = rand_matrix(OC * C, &r);
    float *dinp = rand_matrix(B * C, &r), *dw = rand_matrix(OC * C, &r), *db = rand_matrix(OC, &r);
    float *dinp2 = malloc(B * C * sizeof(float)), *dw2 = malloc(OC * C * sizeof(float));
    float *db2 = malloc(OC * sizeof(float));
    memcpy(dinp2, dinp, B * C * sizeof(float));
    memcpy(dw2, dw, OC * C * sizeof(float));
    memcpy(db2, db, OC * sizeof(float));
    float *d0 = malloc(B * C * sizeof(float)), *w0 = malloc(OC * C * sizeof(float));
    memcpy(d0, dinp, B * C * sizeof(float));
    memcpy(w0, dw, OC * C * sizeof(float));
    rt_matmul_backward(dinp, dw, db, dout, inp, w, B, C, OC);
    rt_matmul_backward_ref(dinp2, dw2, db2, dout, inp, w, B, C, OC);
    for (size_t i = 0; i < B; i++)
        for (size_t c = 0; c < C; c++) {
            double mag = fabs(d0[i * C + c]);
            for (size_t o = 0; o < OC; o++)
                mag += fabs((double)dout[i * OC + o] * w[o * C + c]);
            cr_assert_float_eq(dinp[i * C + c], dinp2[i * C + c], 2 * gamma_k(OC + 1) * mag);
        }
    for (size_t o = 0; o < OC; o++)
        for (size_t c = 0; c < C; c++) {
            double mag = fabs(w0[o * C + c]);
            for (size_t i = 0; i < B; i++)
                mag += fabs((double)dout[i * OC + o] * inp[i * C + c]);
            cr_assert_float_eq(dw[o * C + c], dw2[o * C + c], 2 * gamma_k(B + 1) * mag);
        }
    for (size_t o = 0; o < OC; o++)
        cr_assert_eq(db[o], db2[o]); /* same order of additions */
    free(dout), free(inp), free(w), free(dinp), free(dw), free(db);
    free(dinp2), free(dw2), free(db2), free(d0), free(w0);
}

Test(tile, backward_matches_the_naive_reference)
{
    check_backward(1, 1, 1);
    check_backward(5, 9, 4);
    check_backward(32, 70, 17);
}

/* rt_gemm with each transpose flag against a triple loop, on small exact integers. */
Test(tile, gemm_handles_transposes_and_strides)
{
    float a[6] = {1, 2, 3, 4, 5, 6}; /* (2,3), or its transpose (3,2) read as (2,3) */
    float b[6] = {1, -1, 2, 0, 1, 3};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            float c[4] = {10, 10, 10, 10}; /* (2,2) with beta 1: adds */
            rt_gemm(c, 2, a, ta ? 2 : 3, ta, b, tb ? 3 : 2, tb, 2, 2, 3, 1.0f, 1.0f);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) {
                    float s = 10;
                    for (int k = 0; k < 3; k++) {
                        float av = ta ? a[k * 2 + i] : a[i * 3 + k];
                        float bv = tb ? b[j * 3 + k] : b[k * 2 + j];
                        s += av * bv;
                    }
                    cr_assert_eq(c[i * 2 + j], s, "ta %d tb %d (%d,%d)", ta, tb, i, j);
                }
        }
}

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
        cr_assert(t->w[k] == 0.0f && t->npulse[k] == 0);
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
            cr_assert_eq(t->npulse[k], 0);
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
