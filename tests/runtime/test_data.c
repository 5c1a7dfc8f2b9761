/*
** test_data.c: least-squares data and its optimum.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_data.h"
#include "rt_fixtures.h"
#include "rt_rng.h"

static IrData ls(size_t rows, size_t cols)
{
    IrData d;
    memset(&d, 0, sizeof d);
    d.name = "ls";
    d.kind = IR_DATA_LEAST_SQUARES;
    d.rows = rows;
    d.cols = cols;
    d.sigma_a = 1.0;
    d.sigma_w = 0.3;
    d.noise = 0.1;
    return d;
}

/* g = A^T (A w - b) / rows, the gradient of f, in double. */
static void gradient(double *g, const RtData *dt, const double *w)
{
    memset(g, 0, dt->cols * sizeof *g);
    for (size_t i = 0; i < dt->rows; i++) {
        const float *a = dt->x + i * dt->cols;
        double e = -(double)dt->t[i];
        for (size_t c = 0; c < dt->cols; c++)
            e += a[c] * w[c];
        for (size_t c = 0; c < dt->cols; c++)
            g[c] += a[c] * e / (double)dt->rows;
    }
}

static double norm(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += v[k] * v[k];
    return sqrt(s);
}

/*
** At w_star the gradient vanishes up to the rounding of the double Cholesky solve: the
** relative residual is bounded by ~cond(A^T A) * n * 2^-53; cond is ~ (1+sqrt(1/2))^2 /
** (1-sqrt(1/2))^2 ~ 34 for a 100 x 50 Gaussian matrix, so 1e-10 of |A^T b|/rows is ample.
** At the planted w_true (noise 0.1) the gradient is of order 0.1*sqrt(cols/rows): far larger.
*/
Test(data, gradient_vanishes_at_the_optimum)
{
    IrData ir = ls(100, 50);
    char err[256];
    RtData *dt = rt_data_new(&ir, 1, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    cr_assert_not_null(dt->w_star);
    double g[50], z[50] = {0}, scale;
    gradient(g, dt, z);
    scale = norm(g, 50); /* = |A^T b| / rows */
    gradient(g, dt, dt->w_star);
    cr_assert_lt(norm(g, 50), 1e-10 * scale);
    gradient(g, dt, dt->w_true);
    cr_assert_gt(norm(g, 50), 1e-3 * scale);
    rt_data_free(dt);
}

/*
** f is quadratic: f(w* + delta) - f* = |A delta|^2 / (2 rows) exactly, for any delta
** (the cross term is the vanishing gradient). Checked to 1e-9 relative.
*/
Test(data, f_star_is_the_minimum)
{
    IrData ir = ls(100, 50);
    char err[256];
    RtData *dt = rt_data_new(&ir, 7, err, sizeof err);
    cr_assert_eq(dt->f_star, rt_data_ls_loss(dt, dt->w_star));
    cr_assert_lt(dt->f_star, rt_data_ls_loss(dt, dt->w_true));
    RtRng r;
    rt_rng_seed(&r, 8, 0);
    double w[50], delta[50];
    for (int trial = 0; trial < 5; trial++) {
        for (size_t c = 0; c < 50; c++) {
            delta[c] = 0.05 * rt_rng_normal(&r);
            w[c] = dt->w_star[c] + delta[c];
        }
        double q = 0.0;
        for (size_t i = 0; i < 100; i++) {
            double v = 0.0;
            for (size_t c = 0; c < 50; c++)
                v += dt->x[i * 50 + c] * delta[c];
            q += v * v;
        }
        q /= 200.0;
        cr_assert_float_eq(rt_data_ls_loss(dt, w) - dt->f_star, q, 1e-9 * q);
    }
    rt_data_free(dt);
}

/* Entries of A ~ N(0, sigma_a^2): mean se sigma_a/sqrt(n), variance se sigma_a^2 sqrt(2/n). */
Test(data, entries_have_the_configured_distribution)
{
    IrData ir = ls(400, 50);
    ir.sigma_a = 2.0;
    char err[256];
    RtData *dt = rt_data_new(&ir, 3, err, sizeof err);
    size_t n = 400 * 50;
    double *a = malloc(n * sizeof *a);
    for (size_t k = 0; k < n; k++)
        a[k] = dt->x[k];
    cr_assert_float_eq(fx_mean(a, n), 0.0, 6 * 2.0 / sqrt(n));
    cr_assert_float_eq(fx_var(a, n), 4.0, 6 * 4.0 * sqrt(2.0 / n));
    /* b - A w_true is the noise: N(0, 0.1^2) over 400 rows */
    double *e = malloc(400 * sizeof *e);
    for (size_t i = 0; i < 400; i++) {
        double v = dt->t[i];
        for (size_t c = 0; c < 50; c++)
            v -= dt->x[i * 50 + c] * dt->w_true[c];
        e[i] = v;
    }
    cr_assert_float_eq(sqrt(fx_var(e, 400)), 0.1, 6 * 0.1 / sqrt(800.0));
    free(a), free(e);
    rt_data_free(dt);
}

Test(data, same_seed_same_data_other_seed_other_data)
{
    IrData ir = ls(20, 5);
    char err[256];
    RtData *a = rt_data_new(&ir, 11, err, sizeof err), *b = rt_data_new(&ir, 11, err, sizeof err);
    RtData *c = rt_data_new(&ir, 12, err, sizeof err);
    cr_assert_eq(memcmp(a->x, b->x, 100 * sizeof(float)), 0);
    cr_assert_eq(memcmp(a->t, b->t, 20 * sizeof(float)), 0);
    cr_assert_neq(memcmp(a->x, c->x, 100 * sizeof(float)), 0);
    rt_data_free(a), rt_data_free(b), rt_data_free(c);
}

/* Fewer rows than columns: A^T A is singular, there is no unique optimum. */
Test(data, underdetermined_data_has_no_optimum)
{
    IrData ir = ls(5, 10);
    char err[256];
    RtData *dt = rt_data_new(&ir, 1, err, sizeof err);
    cr_assert_not_null(dt);
    cr_assert_null(dt->w_star);
    cr_assert(isnan(dt->f_star));
    rt_data_free(dt);
}

Test(data, zero_size_is_an_error)
{
    IrData ir = ls(0, 10);
    char err[256] = "";
    cr_assert_null(rt_data_new(&ir, 1, err, sizeof err));
    cr_assert_neq(strstr(err, "invalid size"), NULL);
}

/* A hand-made SPD system: G z = r with z = (1, -1, 2). */
Test(data, cholesky_solves_a_known_system)
{
    double G[9] = {4, 2, 0, 2, 5, 2, 0, 2, 5};
    double r[3] = {2, 1, 8}; /* 4-2, 2-5+4, -2+10 */
    cr_assert(rt_cholesky_solve(G, r, 3));
    cr_assert_float_eq(r[0], 1.0, 1e-12);
    cr_assert_float_eq(r[1], -1.0, 1e-12);
    cr_assert_float_eq(r[2], 2.0, 1e-12);
    double S[4] = {1, 2, 2, 1}; /* eigenvalues 3 and -1 */
    double s[2] = {1, 1};
    cr_assert_not(rt_cholesky_solve(S, s, 2));
}

/*
** Several outputs: each row of w* solves its own output's normal equations (the gradient of
** f in that row vanishes), f* = f(w*) is the mean over outputs, and the first output's draws
** come first (A, then w_true row by row), so A is the one-output problem's A.
*/
Test(data, several_outputs_each_at_its_optimum)
{
    IrData ir = ls(40, 6), one = ir;
    ir.outputs = 3;
    char err[256];
    RtData *dt = rt_data_new(&ir, 5, err, sizeof err), *d1 = rt_data_new(&one, 5, err, 256);
    cr_assert_not_null(dt, "%s", err);
    cr_assert_eq(dt->outs, 3);
    cr_assert(memcmp(dt->x, d1->x, 40 * 6 * sizeof(float)) == 0, "the same A");
    for (size_t o = 0; o < 3; o++) {
        double g[6] = {0}, scale = 0.0;
        for (size_t i = 0; i < 40; i++) {
            double r = -(double)dt->t[i * 3 + o];
            for (size_t c = 0; c < 6; c++)
                r += (double)dt->x[i * 6 + c] * dt->w_star[o * 6 + c];
            for (size_t c = 0; c < 6; c++)
                g[c] += r * dt->x[i * 6 + c];
            scale += fabs((double)dt->t[i * 3 + o]);
        }
        cr_assert_lt(norm(g, 6), 1e-9 * scale, "output %zu at its optimum", o);
    }
    cr_assert_eq(dt->f_star, rt_data_ls_loss(dt, dt->w_star));
    cr_assert_eq(rt_data_f_star_of(dt, IR_LOSS_MSE), 2.0 * dt->f_star, "mse is twice half_mse");
    rt_data_free(dt);
    rt_data_free(d1);
}
