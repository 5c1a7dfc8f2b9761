/*
** test_measure.c: pulse programs on one device.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "rt_fixtures.h"
#include "rt_measure.h"

static IrMeasure measure(const IrDevice *dev, const long *prog, size_t n, double start)
{
    IrMeasure m;
    memset(&m, 0, sizeof m);
    m.name = "m";
    m.device = dev;
    m.pulses = prog;
    m.nprog = n;
    m.start = start;
    m.seed = 1;
    return m;
}

/* constant_step, no noise, step 0.1 (exact after rounding to float within 1e-6): +5, -3. */
Test(measure, trace_records_every_pulse)
{
    IrDevice dev = fx_quiet(IR_DEV_CONSTANT_STEP, 0.1, 1.0);
    long prog[] = {5, -3};
    IrMeasure m = measure(&dev, prog, 2, 0.0);
    RtTrace tr = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0);
    cr_assert_eq(tr.n, 9);
    cr_assert_eq(tr.dir[0], 0);
    cr_assert_eq(tr.w[0], 0.0f);
    for (size_t k = 1; k <= 5; k++) {
        cr_assert_eq(tr.dir[k], 1);
        cr_assert_float_eq(tr.w[k], 0.1 * k, 1e-6);
    }
    for (size_t k = 6; k <= 8; k++) {
        cr_assert_eq(tr.dir[k], -1);
        cr_assert_float_eq(tr.w[k], 0.5 - 0.1 * (k - 5), 1e-6);
    }
    rt_trace_free(&tr);
}

/* The start is clipped to the drawn cell's bounds; then up pulses cannot pass bmax. */
Test(measure, start_is_clipped_and_pulses_saturate)
{
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    long prog[] = {50};
    IrMeasure m = measure(&dev, prog, 1, 7.0);
    RtTrace tr = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0);
    cr_assert_eq(tr.w[0], tr.bmax);
    for (size_t k = 1; k < tr.n; k++)
        cr_assert_leq(tr.w[k], tr.bmax);
    rt_trace_free(&tr);
}

/* The cell is drawn from the seed: other seeds give other bounds, the same seed the same. */
Test(measure, the_seed_draws_the_device)
{
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    long prog[] = {100, -100};
    IrMeasure m = measure(&dev, prog, 2, 0.0);
    RtTrace a = {0}, b = {0}, c = {0};
    char err[256];
    rt_measure_run(&a, &m, true, err, sizeof err);
    rt_measure_run(&b, &m, true, err, sizeof err);
    m.seed = 2;
    rt_measure_run(&c, &m, true, err, sizeof err);
    cr_assert_eq(memcmp(a.w, b.w, a.n * sizeof(float)), 0);
    cr_assert_neq(a.bmax, c.bmax);
    rt_trace_free(&a), rt_trace_free(&b), rt_trace_free(&c);
}

Test(measure, too_many_pulses_is_an_error)
{
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    long prog[] = {(long)RT_MEASURE_MAX_PULSES, -1};
    IrMeasure m = measure(&dev, prog, 2, 0.0);
    RtTrace tr = {0};
    char err[256] = "";
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 1);
    cr_assert_neq(strstr(err, "more than"), NULL, "%s", err);
    cr_assert_null(tr.w);
}

/* An ideal device has no bounds: a huge start stays (rounded to float), pulses add dw_min. */
Test(measure, ideal_device_is_unbounded)
{
    IrDevice dev = fx_device(IR_DEV_IDEAL);
    dev.dw_min = 0.5;
    long prog[] = {2};
    IrMeasure m = measure(&dev, prog, 1, 1000.0);
    RtTrace tr = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0);
    cr_assert_eq(tr.w[0], 1000.0f);
    cr_assert_eq(tr.w[2], 1001.0f);
    rt_trace_free(&tr);
}
