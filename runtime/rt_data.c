/*
** rt_data.c: least-squares data and its exact optimum (normal equations, Cholesky).
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_data.h"
#include "rt_mem.h"
#include "rt_rng.h"

void rt_data_free(RtData *dt)
{
    if (!dt)
        return;
    free(dt->x);
    free(dt->t);
    free(dt->w_true);
    free(dt->w_star);
    free(dt->label);
    rt_data_free(dt->test);
    free(dt);
}

bool rt_data_f_star_meaningful(const RtData *dt)
{
    if (!(dt->f_star > 0.0))
        return false;
    double f0 = 0.0;
    for (size_t r = 0; r < dt->rows * dt->outs; r++)
        f0 += (double)dt->t[r] * (double)dt->t[r];
    f0 /= 2.0 * (double)dt->rows * (double)dt->outs;
    return dt->f_star > 1e-12 * f0;
}

/* Draw A, w_true and b in the documented order. */
static void draw_least_squares(RtData *dt, const IrData *ir, RtRng *r)
{
    size_t R = dt->rows, C = dt->cols, N = dt->outs;
    for (size_t k = 0; k < R * C; k++)
        dt->x[k] = (float)(ir->sigma_a * rt_rng_normal(r));
    for (size_t k = 0; k < N * C; k++)
        dt->w_true[k] = ir->sigma_w * rt_rng_normal(r);
    for (size_t i = 0; i < R; i++)
        for (size_t o = 0; o < N; o++) {
            double v = 0.0;
            for (size_t c = 0; c < C; c++)
                v += (double)dt->x[i * C + c] * dt->w_true[o * C + c];
            dt->t[i * N + o] = (float)(v + ir->noise * rt_rng_normal(r));
        }
}

bool rt_cholesky_solve(double *G, double *r, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double s = G[j * n + j];
        for (size_t k = 0; k < j; k++)
            s -= G[j * n + k] * G[j * n + k];
        if (!(s > 0.0))
            return false;
        double ljj = sqrt(s);
        G[j * n + j] = ljj;
        for (size_t i = j + 1; i < n; i++) {
            double v = G[i * n + j];
            for (size_t k = 0; k < j; k++)
                v -= G[i * n + k] * G[j * n + k];
            G[i * n + j] = v / ljj;
        }
    }
    for (size_t i = 0; i < n; i++) { /* L y = r */
        for (size_t k = 0; k < i; k++)
            r[i] -= G[i * n + k] * r[k];
        r[i] /= G[i * n + i];
    }
    for (size_t i = n; i-- > 0;) { /* L^T z = y */
        for (size_t k = i + 1; k < n; k++)
            r[i] -= G[k * n + i] * r[k];
        r[i] /= G[i * n + i];
    }
    return true;
}

/*
** G = A^T A and r = A^T b (one right-hand side per output) in double from the float data,
** then Cholesky, once per output on a copy of G (the outputs are independent problems with
** the same A). A singular G (rows < cols, or a degenerate A) leaves w_star NULL and f_star
** NaN. Returns 0, or -1 when out of memory (the caller reports it).
*/
static int solve_optimum(RtData *dt)
{
    size_t R = dt->rows, C = dt->cols, N = dt->outs;
    double *G = calloc(C * C, sizeof *G), *F = malloc(C * C * sizeof *F);
    double *z = calloc(N * C, sizeof *z);
    if (!G || !F || !z) {
        free(G);
        free(F);
        free(z);
        return -1;
    }
    for (size_t i = 0; i < R; i++) {
        const float *a = dt->x + i * C;
        for (size_t p = 0; p < C; p++) {
            for (size_t o = 0; o < N; o++)
                z[o * C + p] += (double)a[p] * dt->t[i * N + o];
            for (size_t q = 0; q <= p; q++)
                G[p * C + q] += (double)a[p] * a[q];
        }
    }
    for (size_t p = 0; p < C; p++)
        for (size_t q = 0; q < p; q++)
            G[q * C + p] = G[p * C + q];
    bool ok = true;
    for (size_t o = 0; ok && o < N; o++) {
        memcpy(F, G, C * C * sizeof *F);
        ok = rt_cholesky_solve(F, z + o * C, C);
    }
    free(G);
    free(F);
    if (ok) {
        dt->w_star = z;
        dt->f_star = rt_data_ls_loss(dt, z);
    } else {
        free(z);
    }
    return 0;
}

RtData *rt_data_new(const IrData *ir, uint64_t seed, char *err, size_t errlen)
{
    if (ir->kind != IR_DATA_LEAST_SQUARES)
        return rt_data_load(ir, err, errlen);
    size_t R = ir->rows, C = ir->cols, N = ir->outputs ? ir->outputs : 1;
    if (R == 0 || C == 0 || C > SIZE_MAX / sizeof(double) / C || R > SIZE_MAX / 8 / C ||
        N > SIZE_MAX / 8 / C || N > SIZE_MAX / 8 / R) {
        snprintf(err, errlen, "data '%s': invalid size %zu x %zu", ir->name, R, C);
        return NULL;
    }
    RtData *dt = rt_xcalloc(1, sizeof *dt);
    dt->rows = R;
    dt->cols = C;
    dt->outs = N;
    dt->shape = (RtShape){C, 1, 1};
    dt->f_star = NAN;
    dt->x = malloc(R * C * sizeof *dt->x);
    dt->t = malloc(R * N * sizeof *dt->t);
    dt->w_true = malloc(N * C * sizeof *dt->w_true);
    if (!dt->x || !dt->t || !dt->w_true) {
        rt_data_free(dt);
        snprintf(err, errlen, "data '%s': out of memory", ir->name);
        return NULL;
    }
    RtRng r;
    rt_rng_seed(&r, seed, RT_STREAM_DATA);
    draw_least_squares(dt, ir, &r);
    if (solve_optimum(dt)) {
        rt_data_free(dt);
        snprintf(err, errlen, "data '%s': out of memory", ir->name);
        return NULL;
    }
    return dt;
}

double rt_data_ls_loss(const RtData *dt, const double *w)
{
    double s = 0.0;
    size_t N = dt->outs;
    for (size_t i = 0; i < dt->rows; i++)
        for (size_t o = 0; o < N; o++) {
            double v = -(double)dt->t[i * N + o];
            for (size_t c = 0; c < dt->cols; c++)
                v += (double)dt->x[i * dt->cols + c] * w[o * dt->cols + c];
            s += v * v;
        }
    return s / (2.0 * (double)dt->rows * (double)N);
}

double rt_data_f_star_of(const RtData *dt, IrLoss loss)
{
    return loss == IR_LOSS_MSE ? 2.0 * dt->f_star : loss == IR_LOSS_HALF_MSE ? dt->f_star : NAN;
}
