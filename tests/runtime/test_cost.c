/*
** test_cost.c: the accounting of runtime/rt_algo.c (what the hardware did to each array)
** and the cost model of runtime/rt_cost.c (docs/cost.md), on small deterministic cases.
**
** Exact pulse counts: a noise-free constant_step device with dw_min = 2^-10 and bounds
** +-1 that the weights never reach, batch 1, deterministic_implicit pulses. In one sample
** every pulse on a weight has the same direction (sign(x_j) sign(d_i)) and moves it by
** exactly dw_min (a power of two: the float sums are exact while |w| < 1), so the pulses a
** weight received in a step are |w_after - w_before| / dw_min: counted from the weights, not
** from the tile's counters.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_fixtures.h"
#include "rt_cost.h"
#include "rt_fixtures.h"
#include "rt_net.h"
#include "rt_train.h"

#define DW 0.0009765625 /* 2^-10 */
#define NX 20
#define ND 10 /* 200 devices: the 99th percentile is the 198th smallest count */
#define STEPS 40

/* A dense NX -> ND layer (no bias) on a quiet constant_step device with the perfect I/O. */
typedef struct Fx {
    IrDevice dev;
    IrIO io;
    IrLayer layer[3];
    IrModel model;
    IrOptimizer o;
} Fx;

static void fx_init(Fx *f, IrOptKind kind, size_t nlayers)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 1.0);
    f->io = fx_perfect_io();
    f->layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = NX, .out = ND, .on = &f->dev,
                            .forward = &f->io, .backward = &f->io};
    f->layer[1] = (IrLayer){.kind = IR_LAYER_SIGMOID};
    f->layer[2] = f->layer[0];
    f->layer[2].in = ND;
    f->layer[2].out = 2;
    f->model = (IrModel){.name = "m", .nlayers = nlayers, .layers = f->layer};
    f->o = fx_optimizer(kind, 0.05);
    f->o.update.pulse_type = IR_PULSE_DETERMINISTIC_IMPLICIT;
}

/* The net of f with its algorithm attached, for batches of up to B rows. */
static RtNet *fx_net(Fx *f, size_t B)
{
    char err[256];
    RtNet *n = rt_net_new(&f->model, true, true, 7, B, err, sizeof err);
    cr_assert_not_null(n, "%s", err);
    n->opt = f->o;
    cr_assert_eq(rt_algo_attach(n, &f->model, &n->opt, 7, err, sizeof err), 0, "%s", err);
    return n;
}

/* One step on batch b of (x, t) drawn from r; returns nothing, the net moves. */
static void fx_step(RtNet *n, size_t B, RtRng *r)
{
    float x[8 * NX], t[8 * 2];
    size_t outs = rt_net_out(n);
    for (size_t k = 0; k < B * NX; k++)
        x[k] = (float)(2.0 * rt_rng_uniform(r) - 1.0);
    for (size_t k = 0; k < B * outs; k++)
        t[k] = (float)(2.0 * rt_rng_uniform(r) - 1.0);
    rt_net_forward(n, x, B);
    rt_net_mse(n, t, B);
    rt_net_backward(n, B);
    rt_net_step(n, &n->opt, B);
}

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* The statistics of layer l's algorithm, array named `name`. */
static RtArrayStat stat_of(const RtNet *n, size_t l, const char *name)
{
    RtArrayStat st[RT_ALGO_MAX_STATS];
    size_t m = rt_algo_stats(n->layer[l].algo, st, RT_ALGO_MAX_STATS);
    for (size_t k = 0; k < m; k++)
        if (strcmp(st[k].name, name) == 0)
            return st[k];
    cr_assert_fail("no array %s", name);
    return st[0];
}

/* Pulses per device, their sum, mean, max and nearest-rank p99 counted from the weights. */
Test(cost, pulse_counts_are_those_the_weights_show)
{
    Fx f;
    fx_init(&f, IR_OPT_ANALOG_SGD, 1);
    RtNet *n = fx_net(&f, 1);
    float zero[ND * NX] = {0};
    rt_tile_set_weights(n->layer[0].tile, zero); /* multiples of 2^-10 from the start */
    RtRng r;
    rt_rng_seed(&r, 3, 99);
    double per[ND * NX] = {0};
    float before[ND * NX];
    for (size_t s = 0; s < STEPS; s++) {
        memcpy(before, n->layer[0].tile->w, sizeof before);
        fx_step(n, 1, &r);
        for (size_t k = 0; k < ND * NX; k++) {
            double q = fabs((double)n->layer[0].tile->w[k] - (double)before[k]) / DW;
            cr_assert_eq(q, round(q), "a whole number of steps of 2^-10");
            cr_assert_lt(fabs((double)n->layer[0].tile->w[k]), 1.0, "the bounds are not reached");
            per[k] += q;
        }
    }
    double sum = 0, mx = 0;
    for (size_t k = 0; k < ND * NX; k++)
        sum += per[k], mx = fmax(mx, per[k]);
    cr_assert_gt(sum, 0.0, "the case fires pulses");
    qsort(per, ND * NX, sizeof *per, cmp_double);
    double p99 = per[(size_t)ceil(0.99 * ND * NX) - 1];
    RtArrayStat s = stat_of(n, 0, "W");
    cr_assert_eq(s.pulses, sum);
    cr_assert_eq(s.dev_max, mx);
    cr_assert_eq(s.dev_p99, p99);
    cr_assert_float_eq(s.dev_mean, sum / (ND * NX), 1e-12);
    cr_assert_eq(s.cnt.updates, STEPS, "one pulsed update per sample");
    cr_assert_eq(s.cnt.mvm_fwd, STEPS, "one forward MVM per sample");
    cr_assert_eq(s.cnt.mvm_bwd, 0.0, "the first layer computes no input gradient");
    cr_assert_eq(s.cnt.calib_pulses, 0.0);
    rt_net_free(n);
}

/* Updates and MVMs by kind, counted per call: B per step, backward only where it runs. */
Test(cost, mvms_and_updates_count_the_rows_of_each_call)
{
    Fx f;
    fx_init(&f, IR_OPT_TIKI_TAKA, 3);
    f.o.n_reads_per_transfer = 2;
    f.o.transfer_every = 3;
    RtNet *n = fx_net(&f, 4);
    RtRng r;
    rt_rng_seed(&r, 5, 99);
    for (size_t s = 0; s < 9; s++)
        fx_step(n, 4, &r);
    for (size_t l = 0; l < 3; l += 2) {
        RtArrayStat P = stat_of(n, l, "P"), W = stat_of(n, l, "W");
        cr_assert_eq(P.cnt.updates, 9.0 * 4, "the gradient update: B samples a step");
        cr_assert_eq(P.cnt.mvm_fwd, 9.0 * 4);
        cr_assert_eq(W.cnt.mvm_fwd, 9.0 * 4, "both arrays are read in the forward");
        cr_assert_eq(P.cnt.mvm_bwd, l == 0 ? 0.0 : 9.0 * 4);
        cr_assert_eq(P.cnt.mvm_read, 3.0 * 2, "3 transfer events of 2 columns");
        cr_assert_eq(W.cnt.updates, 3.0 * 2, "one pulsed write per column read");
        cr_assert_eq(W.cnt.mvm_read, 0.0);
        cr_assert_eq(W.transfers, 3.0 * 2);
    }
    rt_net_free(n);
}

/* Zero-shifting fires exactly zero_shift_pulses on every device of P, counted apart. */
Test(cost, calibration_pulses_are_the_configured_budget)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL, 1);
    f.o.zero_shift = true;
    f.o.zero_shift_pulses = 37;
    RtNet *n = fx_net(&f, 1);
    RtArrayStat P = stat_of(n, 0, "P"), R = stat_of(n, 0, "R");
    cr_assert_eq(P.cnt.calib_pulses, 37.0 * ND * NX);
    cr_assert_eq(P.pulses, 37.0 * ND * NX);
    cr_assert_eq(P.dev_max, 37.0);
    cr_assert_eq(P.dev_p99, 37.0);
    cr_assert_eq(P.cnt.mvm_calib, (double)NX, "one read per column programs R");
    cr_assert(R.reference && isnan(R.pulses), "the reference is programmed, not pulsed");
    RtRng r;
    rt_rng_seed(&r, 5, 99);
    fx_step(n, 1, &r);
    P = stat_of(n, 0, "P");
    cr_assert_eq(P.cnt.calib_pulses, 37.0 * ND * NX, "training pulses are not calibration");
    cr_assert_eq(stat_of(n, 0, "R").cnt.mvm_read, 1.0, "R is read with P");
    RtCost c = {0};
    rt_cost_add(&c, NULL, &P);
    cr_assert_float_eq(c.time[RT_COST_CALIB], 37 * 5.0 + NX * 40.0, 1e-9,
                       "every device at once: 37 pulse cycles, and NX reads");
    rt_net_free(n);
}

/* The update time per step and layer of a run: the update part over the steps. */
static double update_ns_per_step(IrOptKind kind, double *mvm_ns)
{
    Fx f;
    fx_init(&f, kind, 1);
    RtNet *n = fx_net(&f, 1);
    RtRng r;
    rt_rng_seed(&r, 3, 99);
    for (size_t s = 0; s < STEPS; s++)
        fx_step(n, 1, &r);
    RtArrayStat st[RT_ALGO_MAX_STATS];
    size_t m = rt_algo_stats(n->layer[0].algo, st, RT_ALGO_MAX_STATS);
    RtCost c = {0};
    for (size_t k = 0; k < m; k++)
        rt_cost_add(&c, NULL, &st[k]);
    rt_net_free(n);
    *mvm_ns = c.time[RT_COST_MVM] / STEPS;
    return c.time[RT_COST_UPDATE] / STEPS;
}

/*
** The seed paper's Table 3 from counted cycles with the default model: Analog SGD 32 x 5 ns
** + 5.9 ns = 165.9 ns per update; Residual Learning (update of P, one column read, its
** pulsed write onto W) 2 x 165.9 + 40 = 371.8 ns; forward 40 ns. Sums of a few doubles:
** 1e-9 relative.
*/
Test(cost, seed_paper_table_3_from_counted_cycles)
{
    double mvm;
    cr_assert_float_eq(update_ns_per_step(IR_OPT_ANALOG_SGD, &mvm), 165.9, 165.9 * 1e-9);
    cr_assert_float_eq(mvm, 40.0, 1e-9, "one forward MVM per step (no backward: layer 0)");
    cr_assert_float_eq(update_ns_per_step(IR_OPT_RESIDUAL, &mvm), 371.8, 371.8 * 1e-9);
    cr_assert_float_eq(mvm, 40.0, 1e-9, "W and P read at once: one MVM time");
}

/* The energy of a case with every event priced: each term by hand. */
Test(cost, energy_prices_each_event)
{
    IrHardware hw = *rt_cost_default();
    hw.pulse_energy = 2, hw.dac_energy = 3, hw.adc_energy = 5, hw.read_energy = 7;
    hw.digital_op_energy = 11;
    IrDevice dev = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 1.0);
    dev.pulse_energy = 13;
    RtArrayStat s;
    memset(&s, 0, sizeof s);
    s.D = 2, s.X = 3, s.analog = s.weight = true, s.dev = &dev;
    s.pulses = 100, s.cnt.calib_pulses = 10;
    s.cnt.mvm_fwd = 4, s.cnt.mvm_bwd = 6, s.cnt.mvm_read = 1, s.cnt.mvm_calib = 3;
    RtCost c = {0};
    rt_cost_add(&c, &hw, &s);
    double fwd = 3 * 3 + 2 * 5 + 6 * 7, bwd = 2 * 3 + 3 * 5 + 6 * 7;
    cr_assert_float_eq(c.energy[RT_COST_UPDATE], 90 * 13 + fwd, 1e-9, "the device's energy");
    cr_assert_float_eq(c.energy[RT_COST_MVM], 4 * fwd + 6 * bwd, 1e-9);
    cr_assert_float_eq(c.energy[RT_COST_CALIB], 10 * 13 + 3 * fwd, 1e-9);
    RtArrayStat h;
    memset(&h, 0, sizeof h);
    h.D = 2, h.X = 3, h.cnt.digital = 12, h.pulses = NAN;
    rt_cost_add(&c, &hw, &h);
    cr_assert_float_eq(c.energy[RT_COST_DIGITAL], 12 * 11, 1e-9);
    cr_assert_float_eq(c.time[RT_COST_DIGITAL], 12 * 1.0 / 2, 1e-9, "one lane per row");
}

/*
** The default model's MVM energies are ISAAC's (Shafiee et al., ISCA 2016) component powers
** per event, derived here from the published figures (docs/cost.md §2): eight 8-bit ADCs at
** 1.28 GS/s draw 16 mW; 8 x 128 1-bit DACs draw 4 mW and eight 128 x 128 crossbars 2.4 mW,
** each for one 100 ns read. A forward MVM of a D x X array then costs X DAC conversions, D
** ADC conversions and D X device reads; a backward one X and D swapped. A pulse costs the
** 1 fJ that Tang et al. (IEDM 2018) project for a 100 x 100 nm^2 ECRAM, unless the device
** has its own pulse_energy. Each value is one or two roundings of a few exact operations:
** 1e-12 relative.
*/
Test(cost, default_energies_are_the_cited_figures)
{
    const double W = 1e12, read_s = 100e-9; /* J -> pJ; one crossbar read */
    double adc = 16e-3 / 8 / 1.28e9 * W;
    double dac = 4e-3 / (8 * 128) * read_s * W;
    double cell = 2.4e-3 / 8 * read_s / (128 * 128) * W;
    const IrHardware *hw = rt_cost_default();
    cr_assert_float_eq(hw->adc_energy, adc, adc * 1e-12);
    cr_assert_float_eq(hw->dac_energy, dac, dac * 1e-12);
    cr_assert_float_eq(hw->read_energy, cell, cell * 1e-12);
    const double fj = 1e-15 * W; /* Tang et al.: about 1 fJ per switching event */
    cr_assert_float_eq(hw->pulse_energy, fj, fj * 1e-12);
    cr_assert_float_eq(hw->digital_op_energy, 3.7 + 0.9, 4.6e-12,
                       "Horowitz: a 32-bit float multiply and add");

    IrDevice dev = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 1.0);
    RtArrayStat s;
    memset(&s, 0, sizeof s);
    s.D = 3, s.X = 5, s.analog = s.weight = true, s.dev = &dev;
    s.pulses = 1000, s.cnt.mvm_fwd = 7, s.cnt.mvm_bwd = 2;
    RtCost c = {0};
    rt_cost_add(&c, NULL, &s);
    double fwd = 5 * dac + 3 * adc + 15 * cell, bwd = 3 * dac + 5 * adc + 15 * cell;
    cr_assert_float_eq(c.energy[RT_COST_MVM], 7 * fwd + 2 * bwd, (7 * fwd + 2 * bwd) * 1e-12);
    cr_assert_float_eq(c.energy[RT_COST_UPDATE], 1000 * fj, 1000 * fj * 1e-12,
                       "1000 pulses at the default energy");

    /* The device's own energy replaces the model's; a model's 0 prices no pulse. */
    dev.pulse_energy = 0.5;
    RtCost own = {0};
    rt_cost_add(&own, NULL, &s);
    cr_assert_float_eq(own.energy[RT_COST_UPDATE], 500.0, 500.0 * 1e-12, "the device's energy");
    dev.pulse_energy = 0;
    IrHardware none = *hw;
    none.pulse_energy = 0;
    RtCost free_pulses = {0};
    rt_cost_add(&free_pulses, &none, &s);
    cr_assert_eq(free_pulses.energy[RT_COST_UPDATE], 0.0, "pulse_energy = 0: not priced");
}

/* A logged array row of the synthetic log below. */
static RtArrayRow row(size_t step, size_t layer, const char *name, const IrDevice *dev,
                      double pulses, double dev_max)
{
    RtArrayRow r;
    memset(&r, 0, sizeof r);
    r.step = step, r.layer = layer;
    snprintf(r.s.name, sizeof r.s.name, "%s", name);
    r.s.analog = true, r.s.dev = dev, r.s.D = 2, r.s.X = 2;
    r.s.pulses = pulses, r.s.dev_max = dev_max;
    return r;
}

/*
** The wear of a step is the largest over its arrays of most pulses / endurance, not the
** array with the most pulses; devices without an endurance do not count; the first step past
** 1 is where the warning goes.
*/
Test(cost, wear_is_the_worst_array_and_the_first_step_past_it)
{
    IrDevice tough = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 1.0), weak = tough, unknown = tough;
    tough.endurance = 100, weak.endurance = 10, unknown.endurance = 0;
    RtArrayRow rows[] = {
        row(5, 0, "W", &tough, 100, 50), row(5, 0, "P", &weak, 20, 8),
        row(5, 1, "W", &unknown, 900, 400),
        row(9, 0, "W", &tough, 150, 60), row(9, 0, "P", &weak, 40, 12),
        row(9, 1, "W", &unknown, 990, 450),
    };
    RtLog log = {.arr = rows, .narr = 6};
    size_t n;
    RtStepCost *sc = rt_cost_steps(NULL, &log, &n);
    cr_assert_eq(n, 2, "one per logged step");
    cr_assert_eq(sc[0].step, 5);
    cr_assert_float_eq(sc[0].wear, 0.8, 1e-12, "P: 8 of 10 beats W's 50 of 100");
    cr_assert_str_eq(sc[0].array, "P");
    cr_assert_eq(sc[0].dev_max, 400.0, "the most pulsed device, endurance or not");
    cr_assert_eq(sc[0].pulses, 1020.0);
    cr_assert_float_eq(sc[1].wear, 1.2, 1e-12);
    cr_assert_eq(sc[1].endurance, 10.0);
    cr_assert_eq(rt_cost_worn(sc, n), 1, "the second step is the first past the endurance");
    free(sc);
}
