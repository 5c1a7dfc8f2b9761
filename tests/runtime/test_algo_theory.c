/*
** test_algo_theory.c: the seed paper's theory, checked statistically on least squares
** (docs/theory.md §1.1). Every tolerance is derived below from the run length and the data;
** nothing is copied from a run.
**
** 1. Implicit penalty (Thm 1/5). Analog SGD with batch 1 on a symmetric soft-bounds device
**    (bounds +-b: q+ = 1 - w/b, q- = 1 + w/b, so F = 1, G/F = w/b) has the mean drift
**        T(W) = E g + E|g| (.) W/b,   g = a_r (a_r.W - t_r) for a uniformly drawn row r,
**    as long as the pulse trains do not clip (lr max|x| max|d| / dw < BL = 64, checked). Its
**    time-averaged iterate converges to the zero W~ of T (found by iterating W -= 0.2 T(W)),
**    which lies far from the optimum W*. Error budget of |avg - W~|:
**    - statistics: near W~ the iterate is an AR(1) process with Jacobian J = H + diag(S/b)
**      (H = A'A/rows, S = E|g| at W~) and per-step noise lr^2 (C + diag(S dw/lr)) (C the
**      covariance of g; S dw/lr bounds the variance of the pulse counts), so the average of
**      K steps has E|avg - mean|^2 = tr(J^-1 C' J^-1)/K; allowed: 3 of those standard
**      errors. The burn-in is at least 5 relaxation times 1/(lr lambda_min(J)).
**    - second order in lr: the fluctuation z = a_r.(W - W~) has E z^2 <= lr tr(C')/2, which
**      raises E|e + z| by at most a factor rho = sqrt(1 + lr tr(C')/(2 E e^2)) - 1 over E|e|;
**      scaling S by 1 + rho moves W~ by rho |J^-1 H (W* - W~)| to first order.
**    - granularity: each weight's mean may sit up to dw off: sqrt(D) dw.
** 2. Residual Learning and the symmetric point (Cor. 1). Full-batch gradient (the digital
**    baseline converges to f* exactly), a `linear` device with c_lin = 0.3: P's drift at
**    P = 0 is -alpha (grad f - c_lin S) (F(0) = 1, G(0) = -c_lin, S = mean_r |a_r e_r|), so
**    without zero-shifting RL settles where grad f(W) = c_lin S(W): the excess loss B of that
**    point (found by iteration) is the prediction, and the run must end above B/2. With the
**    symmetric point at 0 (c_lin = 0, or zero-shifted) it must reach f* up to its pulse
**    floor: P's pulse counts add variance lr dw S per step and weight; the gradient pulls
**    gamma P back at rate lr gamma lambda, so each eigendirection holds excess
**    lambda var/2 = gamma dw S/4, in all E_p = D gamma dw mean(S)/4. Allowed: 10 E_p (the
**    second-order transfer bias of Sec. 5 - |P| acting on G(W) - is of the same order).
** 3. RLv2 filters transfer-read noise (Sec. 5): RL writes beta (P + eps) onto W, so read
**    noise enters W directly; RLv2 averages the reads first and writes single pulses.
**    With read noise 0.2 the time-averaged excess loss of RL must exceed RLv2's in the mean
**    over seeds (paired: same data) by 3 standard errors of the paired differences.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo_fixtures.h"
#include "rt_algo.h"
#include "rt_data.h"
#include "rt_net.h"
#include "rt_train.h"

/*
** {======================================================================
** Linear algebra on the data (double)
** =======================================================================
*/

/* H = A'A / rows (C x C). */
static void hessian(double *H, const RtData *dt)
{
    size_t R = dt->rows, C = dt->cols;
    memset(H, 0, C * C * sizeof *H);
    for (size_t r = 0; r < R; r++)
        for (size_t i = 0; i < C; i++)
            for (size_t j = 0; j < C; j++)
                H[i * C + j] += (double)dt->x[r * C + i] * dt->x[r * C + j] / (double)R;
}

/* The residual a_r.w - t_r of row r. */
static double residual(const RtData *dt, const double *w, size_t r)
{
    double e = -(double)dt->t[r];
    for (size_t c = 0; c < dt->cols; c++)
        e += (double)dt->x[r * dt->cols + c] * w[c];
    return e;
}

/* grad f (mean_r a_r e_r) and S = mean_r |a_r e_r| at w. */
static void grad_and_abs(double *g, double *S, const RtData *dt, const double *w)
{
    size_t R = dt->rows, C = dt->cols;
    memset(g, 0, C * sizeof *g);
    memset(S, 0, C * sizeof *S);
    for (size_t r = 0; r < R; r++) {
        double e = residual(dt, w, r);
        for (size_t c = 0; c < C; c++) {
            double v = (double)dt->x[r * C + c] * e / (double)R;
            g[c] += v;
            S[c] += fabs(v);
        }
    }
}

/* M^-1 of a symmetric positive definite M (n x n) by n Cholesky solves; false if not SPD. */
static bool inverse(double *inv, const double *M, size_t n)
{
    double *G = malloc(n * n * sizeof *G), *e = malloc(n * sizeof *e);
    bool ok = true;
    for (size_t k = 0; k < n && ok; k++) {
        memcpy(G, M, n * n * sizeof *G);
        memset(e, 0, n * sizeof *e);
        e[k] = 1.0;
        ok = rt_cholesky_solve(G, e, n);
        for (size_t i = 0; i < n; i++)
            inv[i * n + k] = e[i];
    }
    free(G);
    free(e);
    return ok;
}

/* y = M v (n x n). */
static void matvec(double *y, const double *M, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = 0.0;
        for (size_t j = 0; j < n; j++)
            y[i] += M[i * n + j] * v[j];
    }
}

static double dist(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return sqrt(s);
}

/*
** Iterate w -= eta (grad f(w) + sign * S(w) (.) m(w)) from w*, with m(w) = w/b (b > 0) or the
** constant c (b == 0, m = 1): the zero of a mean drift. Returns false if it does not settle.
*/
static bool drift_zero(double *w, const RtData *dt, double b, double c, double eta)
{
    size_t C = dt->cols;
    double g[64], S[64];
    memcpy(w, dt->w_star, C * sizeof *w);
    for (int it = 0; it < 100000; it++) {
        grad_and_abs(g, S, dt, w);
        double n2 = 0.0;
        for (size_t k = 0; k < C; k++) {
            double t = b > 0.0 ? g[k] + S[k] * w[k] / b : g[k] - c * S[k];
            n2 += t * t;
            w[k] -= eta * t;
        }
        if (n2 < 1e-26)
            return true;
    }
    return false;
}

/* }====================================================================== */

/*
** {======================================================================
** 1. The implicit penalty of Analog SGD
** =======================================================================
*/

#define PEN_B 1.0     /* soft bounds +-1 */
#define PEN_DW 1e-3
#define PEN_LR 0.003
#define PEN_STEPS 100000
#define PEN_BURN 20000

/* Error budget of test 1 (see the header): statistics, second order, granularity. */
typedef struct Budget {
    double se, second, gran, lambda_min;
} Budget;

static Budget penalty_budget(const RtData *dt, const double *wt)
{
    size_t R = dt->rows, C = dt->cols;
    double *H = malloc(C * C * sizeof *H), *J = malloc(C * C * sizeof *J);
    double *Ji = malloc(C * C * sizeof *Ji), *Cv = calloc(C * C, sizeof *Cv);
    double g[64], S[64], u[64], v[64], e2 = 0.0;
    hessian(H, dt);
    grad_and_abs(g, S, dt, wt);
    memcpy(J, H, C * C * sizeof *J);
    for (size_t k = 0; k < C; k++)
        J[k * C + k] += S[k] / PEN_B;
    cr_assert(inverse(Ji, J, C), "J is positive definite");
    for (size_t r = 0; r < R; r++) { /* covariance of the per-row gradient */
        double e = residual(dt, wt, r);
        e2 += e * e / (double)R;
        for (size_t i = 0; i < C; i++)
            for (size_t j = 0; j < C; j++)
                Cv[i * C + j] += (dt->x[r * C + i] * e - g[i]) * (dt->x[r * C + j] * e - g[j]) / R;
    }
    double trc = 0.0, tr = 0.0;
    for (size_t k = 0; k < C; k++) {
        Cv[k * C + k] += S[k] * PEN_DW / PEN_LR; /* pulse-count variance */
        trc += Cv[k * C + k];
    }
    for (size_t i = 0; i < C; i++) /* tr(J^-1 C J^-1) = sum_ij (J^-1 C)_ij (J^-1)_ji */
        for (size_t j = 0; j < C; j++) {
            double jc = 0.0;
            for (size_t m = 0; m < C; m++)
                jc += Ji[i * C + m] * Cv[m * C + j];
            tr += jc * Ji[j * C + i];
        }
    for (size_t k = 0; k < C; k++)
        u[k] = dt->w_star[k] - wt[k];
    matvec(v, H, u, C);
    matvec(u, Ji, v, C);
    double lmax_inv = 0.0; /* inverse power iteration: 1/lambda_min(J) */
    for (size_t k = 0; k < C; k++)
        v[k] = 1.0;
    for (int it = 0; it < 200; it++) {
        double w[64], n = 0.0;
        matvec(w, Ji, v, C);
        for (size_t k = 0; k < C; k++)
            n += w[k] * w[k];
        lmax_inv = sqrt(n) / sqrt(C);
        for (size_t k = 0; k < C; k++)
            v[k] = w[k] / sqrt(n) * sqrt(C);
    }
    double rho = sqrt(1.0 + PEN_LR * trc / (2.0 * e2)) - 1.0;
    Budget b = {sqrt(tr / (PEN_STEPS - PEN_BURN)), 0, 0, 0};
    double nu = 0.0;
    for (size_t k = 0; k < C; k++)
        nu += u[k] * u[k];
    b.second = rho * sqrt(nu);
    b.gran = sqrt((double)C) * PEN_DW;
    b.lambda_min = 1.0 / lmax_inv;
    free(H), free(J), free(Ji), free(Cv);
    return b;
}

Test(algo_theory, analog_sgd_averages_to_the_zero_of_the_mean_drift, .timeout = 120)
{
    IrData data = {.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 100, .cols = 50,
                   .sigma_a = 1.0, .sigma_w = 0.3, .noise = 1.0};
    char err[256];
    RtData *dt = rt_data_new(&data, 1, err, sizeof err);
    double wt[50];
    cr_assert(drift_zero(wt, dt, PEN_B, 0.0, 0.2), "T has a zero");
    double far = dist(wt, dt->w_star, 50);
    Budget b = penalty_budget(dt, wt);
    cr_assert_geq(PEN_BURN, 5.0 / (PEN_LR * b.lambda_min), "burn-in of 5 relaxation times");

    IrDevice dev = fx_quiet(IR_DEV_SOFT_BOUNDS, PEN_DW, PEN_B);
    IrIO io = fx_perfect_io();
    IrLayer L = {.kind = IR_LAYER_DENSE, .in = 50, .out = 1, .on = &dev, .forward = &io,
                 .backward = &io};
    IrModel m = {.name = "lin", .nlayers = 1, .layers = &L};
    IrOptimizer o = fx_optimizer(IR_OPT_ANALOG_SGD, PEN_LR);
    o.update.desired_bl = 64; /* no clipping: k = lr |x| |d| / dw stays below 64 */
    RtNet *n = rt_net_new(&m, true, false, 1, 1, err, sizeof err);
    cr_assert_eq(rt_algo_attach(n, &m, &o, 1, err, sizeof err), 0);
    RtRng rows;
    rt_rng_seed(&rows, 1, 77);
    double avg[50] = {0}, kmax = 0.0;
    for (size_t k = 0; k < PEN_STEPS; k++) {
        size_t r = (size_t)rt_rng_below(&rows, 100);
        rt_net_forward(n, dt->x + r * 50, 1);
        rt_net_mse(n, dt->t + r, 1);
        rt_net_backward(n, 1);
        double xm = 0.0;
        for (size_t c = 0; c < 50; c++)
            xm = fmax(xm, fabs(dt->x[r * 50 + c]));
        if (k >= PEN_BURN)
            kmax = fmax(kmax, PEN_LR * xm * fabs(n->layer[0].grad[0]) / PEN_DW);
        rt_net_step(n, &o, 1);
        for (size_t c = 0; k >= PEN_BURN && c < 50; c++)
            avg[c] += n->layer[0].w[c] / (double)(PEN_STEPS - PEN_BURN);
    }
    double d = dist(avg, wt, 50), tol = 3.0 * b.se + b.second + b.gran;
    fprintf(stderr, "implicit penalty: |W~ - W*| %.4g; |avg - W~| %.4g (allowed %.4g = 3 x SE %.3g "
            "+ second order %.3g + granularity %.3g); |avg - W*| %.4g; max k %.3g\n", far, d, tol,
            b.se, b.second, b.gran, dist(avg, dt->w_star, 50), kmax);
    cr_assert_geq(far, 0.9, "the penalised point is far from the optimum");
    cr_assert_lt(kmax, 64.0, "the mean-drift model needs unclipped pulse trains (k < BL)");
    cr_assert_leq(d, tol);
    cr_assert_lt(tol, 0.2 * far, "the budget separates W~ from W*");
    rt_net_free(n);
    rt_data_free(dt);
}

/* }====================================================================== */

/*
** {======================================================================
** 2, 3: Residual Learning on full-batch least squares
** =======================================================================
*/

#define RL_ROWS 40
#define RL_COLS 10

/* A full-batch train of RL_ROWS x RL_COLS least squares on one device, perfect I/O. */
typedef struct RlFx {
    IrDevice dev;
    IrIO io, noisy;
    IrData data;
    IrLayer layer;
    IrModel model;
    IrTrain train;
} RlFx;

static void rl_fx(RlFx *f, double dw, double c_lin, size_t steps, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_quiet(IR_DEV_LINEAR, dw, 1.0);
    f->dev.c_lin = c_lin;
    f->io = fx_perfect_io();
    f->noisy = *rt_io_default();
    f->noisy.inp_res = f->noisy.out_res = 0.0;
    f->noisy.out_noise = 0.2;
    f->noisy.out_bound = 100.0;
    f->data = (IrData){.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = RL_ROWS,
                       .cols = RL_COLS, .sigma_a = 1.0, .sigma_w = 0.3, .noise = 0.5};
    f->layer = (IrLayer){.kind = IR_LAYER_DENSE, .in = RL_COLS, .out = 1, .on = &f->dev,
                         .forward = &f->io, .backward = &f->io};
    f->model = (IrModel){.name = "lin", .nlayers = 1, .layers = &f->layer};
    f->train = (IrTrain){.name = "rl", .model = &f->model, .data = &f->data,
                         .loss = IR_LOSS_HALF_MSE, .steps = steps, .batch = RL_ROWS,
                         .log_every = steps / 40, .seed = seed};
}

/* Residual Learning reading every column every step through io (transfer_lr 0.5 x lr). */
static IrOptimizer rl_opt(IrOptKind kind, double lr, const IrIO *io)
{
    IrOptimizer o = fx_optimizer(kind, lr);
    o.n_reads_per_transfer = RL_COLS;
    o.transfer_lr = 0.5;
    o.transfer_io = io;
    o.update.desired_bl = 64;
    return o;
}

/* The mean excess loss over f* of the logged rows in the second half of the run. */
static double late_excess(const RlFx *f, const IrOptimizer *o, const RtData *dt)
{
    RtLog log = {0};
    char err[256];
    cr_assert_eq(rt_train_run(&log, NULL, &f->train, o, dt, err, sizeof err), 0, "%s", err);
    double s = 0.0;
    size_t n = 0;
    for (size_t k = 0; k < log.n; k++)
        if (log.row[k].step >= f->train.steps / 2)
            s += log.row[k].loss - dt->f_star, n++;
    rt_log_free(&log);
    return s / (double)n;
}

Test(algo_theory, residual_learning_needs_a_zero_symmetric_point, .timeout = 120)
{
    const double dw = 1e-4, lr = 0.05, c = 0.3;
    RlFx f0, fc;
    rl_fx(&f0, dw, 0.0, 4000, 3);
    rl_fx(&fc, dw, c, 4000, 3);
    char err[256];
    RtData *dt = rt_data_new(&f0.data, 3, err, sizeof err);
    /* predictions */
    double wc[RL_COLS], g[RL_COLS], S[RL_COLS], wb[RL_COLS];
    cr_assert(drift_zero(wc, dt, 0.0, c, 0.2), "grad f = c S has a solution");
    for (size_t k = 0; k < RL_COLS; k++)
        wb[k] = wc[k];
    double B = rt_data_ls_loss(dt, wb) - dt->f_star;
    grad_and_abs(g, S, dt, dt->w_star);
    double Sm = 0.0;
    for (size_t k = 0; k < RL_COLS; k++)
        Sm += S[k] / RL_COLS;
    double Ep = RL_COLS * 0.4 * dw * Sm / 4.0;
    /* runs */
    IrOptimizer sgd = fx_optimizer(IR_OPT_DIGITAL_SGD, lr);
    IrOptimizer rl = rl_opt(IR_OPT_RESIDUAL, lr, &f0.io);
    IrOptimizer zs = rl;
    zs.zero_shift = true;
    zs.zero_shift_pulses = 60000; /* (0.3)(1 - 2e-4)^30000 = 7e-4 from the symmetric point */
    double e_sgd = late_excess(&f0, &sgd, dt), e_rl0 = late_excess(&f0, &rl, dt);
    double e_rlc = late_excess(&fc, &rl, dt), e_zs = late_excess(&fc, &zs, dt);
    fprintf(stderr, "RL and the symmetric point: f* %.6g; excess: digital %.3g, RL (c_lin 0) %.3g, "
            "RL (c_lin %.1f) %.3g (predicted %.3g), zero-shifted %.3g; pulse floor %.3g\n",
            dt->f_star, e_sgd, e_rl0, c, e_rlc, B, e_zs, Ep);
    cr_assert_leq(fabs(e_sgd), 1e-6 * dt->f_star, "full-batch GD converges to f*");
    cr_assert_gt(B, 100.0 * Ep, "the predicted bias dwarfs the pulse floor");
    cr_assert_leq(e_rl0, 10.0 * Ep, "RL with the symmetric point at 0 reaches f*");
    cr_assert_geq(e_rlc, 0.5 * B, "RL without zero-shifting stops where grad f = c S");
    cr_assert_leq(e_rlc, 2.0 * B);
    cr_assert_leq(e_zs, 10.0 * Ep, "zero-shifting restores RL");
    rt_data_free(dt);
}

Test(algo_theory, rlv2_filters_transfer_read_noise, .timeout = 120)
{
    enum { SEEDS = 3 };
    double diff[SEEDS], mean = 0.0, var = 0.0;
    for (size_t s = 0; s < SEEDS; s++) {
        RlFx f;
        rl_fx(&f, 1e-3, 0.0, 2000, 11 + s);
        char err[256];
        RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
        IrOptimizer rl = rl_opt(IR_OPT_RESIDUAL, 0.1, &f.noisy);
        IrOptimizer v2 = rl_opt(IR_OPT_RESIDUAL_V2, 0.1, &f.noisy);
        v2.update.desired_bl = 31;
        rl.update.desired_bl = 31;
        double a = late_excess(&f, &rl, dt), b = late_excess(&f, &v2, dt);
        diff[s] = a - b;
        mean += diff[s] / SEEDS;
        fprintf(stderr, "read noise 0.2, seed %zu: excess RL %.4g, RLv2 %.4g\n", 11 + s, a, b);
        rt_data_free(dt);
    }
    for (size_t s = 0; s < SEEDS; s++)
        var += (diff[s] - mean) * (diff[s] - mean) / (SEEDS - 1);
    double se = sqrt(var / SEEDS);
    cr_assert_gt(mean, 3.0 * se, "RL - RLv2 = %.4g +- %.2g", mean, se);
    cr_assert_gt(mean, 0.0);
}

/* }====================================================================== */
