/*
** test_device_traces.c: aihwkit's own single-pulse traces, reproduced by the aimci devices.
**
** The files in tests/data/aihwkit-traces were recorded
** from aihwkit's C++ simulator (doSparseUpdate on a 1x1 device, float32) with noise and
** variation off: dw_min 0.01, bounds +-1, from w = 0: 200 up, 400 down, 200 up pulses; the
** header lists every parameter. Each recorded weight must be reproduced within 1e-5 (aihwkit
** computes in float, aimci in double rounded to float per pulse; the difference is a few
** float ulps per pulse). The tests run from the repository root (as `make test` does).
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_device.h"
#include "rt_fixtures.h"
#include "rt_measure.h"

#define TRACE_DIR "tests/data/aihwkit-traces/"
#define TOL 1e-5

typedef struct TraceCase {
    char file[32];
    int family;            /* IrDevFamily */
    double gamma_up, gamma_down; /* linear_step slopes (ls_decrease_up/down) */
} TraceCase;

/* The aimci device of a trace: everything the header lists, in aimci's names. */
static IrDevice trace_device(const TraceCase *c)
{
    IrDevice d = fx_quiet((IrDevFamily)c->family, 0.01, 1.0);
    if (c->family == IR_DEV_LINEAR_STEP) {
        d.gamma_up = c->gamma_up; /* ls_decrease_up */
        d.gamma_down = c->gamma_down;
        d.mean_bound_reference = true;
        d.mult_noise = true;
    }
    if (c->family == IR_DEV_POW_STEP)
        d.pow_gamma = 1.0, d.pow_up_down = 0.0, d.pow_up_down_dtod = 0.0;
    return d; /* exp_step keeps aihwkit's defaults (es_A_up 0.00081, ..., es_b 0.2425) */
}

/* Read the recorded weights of a trace file (after the header) into w; the count. */
static size_t read_trace(const char *file, double *w, int *dir, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, TRACE_DIR "%s", file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (run the tests from the repository root)", path);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t idx;
        char d[8];
        double v;
        if (line[0] == '#' || sscanf(line, "%zu,%7[a-z],%lf", &idx, d, &v) != 3)
            continue;
        cr_assert_lt(n, cap);
        cr_assert_eq(idx, n + 1, "%s: pulse_index %zu out of order", file, idx);
        w[n] = v;
        dir[n] = strcmp(d, "up") == 0 ? 1 : -1;
        n++;
    }
    fclose(f);
    return n;
}

ParameterizedTestParameters(device_traces, reproduce_aihwkit)
{
    static TraceCase cases[] = {
        {"constantstep_1.csv", IR_DEV_CONSTANT_STEP, 0, 0},
        {"softbounds_1.csv", IR_DEV_SOFT_BOUNDS, 0, 0},
        {"linearstep_1.csv", IR_DEV_LINEAR_STEP, 0.5, 0.5},
        {"expstep_1.csv", IR_DEV_EXP_STEP, 0, 0},
        {"powstep_1.csv", IR_DEV_POW_STEP, 0, 0},
    };
    return cr_make_param_array(TraceCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(TraceCase *c, device_traces, reproduce_aihwkit)
{
    enum { CAP = 1000 };
    static double want[CAP];
    static int dir[CAP];
    size_t n = read_trace(c->file, want, dir, CAP);
    cr_assert_eq(n, 800, "%s: 200 up, 400 down, 200 up", c->file);
    IrDevice d = trace_device(c);
    long prog[] = {200, -400, 200};
    IrMeasure m = {.name = "trace", .device = &d, .nprog = 3, .pulses = prog, .start = 0.0,
                   .seed = 1};
    RtTrace tr = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0, "%s", err);
    cr_assert_eq(tr.n, n + 1);
    double worst = 0.0;
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(tr.dir[k + 1], dir[k]);
        double e = fabs((double)tr.w[k + 1] - want[k]);
        worst = fmax(worst, e);
        cr_assert_leq(e, TOL, "%s pulse %zu: aimci %.9g, aihwkit %.9g", c->file, k + 1,
                      (double)tr.w[k + 1], want[k]);
    }
    fprintf(stderr, "trace %s: max |aimci - aihwkit| = %.3g over %zu pulses\n", c->file, worst,
            n);
    rt_trace_free(&tr);
}

/*
** The granularity the traces' headers report (weight_granularity, printed to 6 significant
** digits from float arithmetic: within one unit of the last digit) is what aimci computes.
*/
Test(device_traces, granularity_matches_the_headers)
{
    static const struct {
        int family;
        double want;
    } cases[] = {{IR_DEV_CONSTANT_STEP, 0.01}, {IR_DEV_SOFT_BOUNDS, 0.01},
                 {IR_DEV_LINEAR_STEP, 0.01}, {IR_DEV_EXP_STEP, 0.00983424},
                 {IR_DEV_POW_STEP, 0.005}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        TraceCase tc = {"", cases[k].family, 0.5, 0.5};
        IrDevice d = trace_device(&tc);
        RtDeviceInfo in;
        rt_device_info(&in, &d);
        cr_assert_float_eq(in.granularity, cases[k].want, 1e-8, "family %d: %.9g",
                           cases[k].family, in.granularity);
    }
}
