/*
** rt_cost.c: the hardware cost model of rt_cost.h (docs/cost.md).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_cost.h"

const char *const rt_cost_part[RT_COST_NPARTS] = {"update", "mvm", "digital", "calibration"};

/*
** The defaults (the same as interp/check/schema.c's hardware rows; tests/check keeps them
** equal; docs/cost.md §2 derives each one):
** - times from the seed paper's Table 3 (App. E): 32 pulse cycles of 5 ns and 5.9 ns
**   preprocessing per update, 40 ns per MVM;
** - the MVM's energies from ISAAC (Shafiee et al., ISCA 2016), its table of the power of
**   each component of an in-situ multiply-accumulate unit (32 nm), priced per event with its
**   100 ns crossbar read cycle: eight 8-bit ADCs at 1.28 GS/s draw 16 mW, so one conversion
**   is 2 mW / 1.28 GS/s = 1.5625 pJ; 8 x 128 1-bit DACs draw 4 mW, so one drives its row
**   for 4 mW / 1024 x 100 ns = 0.390625 pJ; eight 128 x 128 crossbars draw 2.4 mW, so one
**   device in one read is 2.4 mW / 8 x 100 ns / 16384 = 0.0018310546875 pJ (all three are
**   exact in binary);
** - the digital operation's energy from Horowitz, ISSCC 2014 (45 nm, 32-bit float multiply
**   3.7 pJ + add 0.9 pJ).
** - the pulse's energy from Tang et al., "ECRAM as scalable synaptic cell for high-speed,
**   low-power neuromorphic computing", IEDM 2018 (the source of the `ecram` preset): their
**   WO3 ECRAM, programmed with pulses down to 5 ns (the seed paper's pulse cycle), changes its
**   conductance linearly in the charge of a pulse, from which they project a switching energy
**   of about 1 fJ for a 100 x 100 nm^2 device. One pulse on one device: 1 fJ = 0.001 pJ. It
**   is a projection for a scaled device, not a measurement (docs/cost.md §2); a device's own
**   pulse_energy replaces it, and a model's pulse_energy = 0 prices no pulse.
** A reference array is read at the same time as the array it shifts: its reads cost energy,
** not time.
*/
static const IrHardware defaults = {
    .name = "default",
    .pulse_time = 5.0,
    .update_cycles = 32,
    .preprocess_time = 5.9,
    .mvm_time = 40.0,
    .digital_op_time = 1.0,
    .pulse_energy = 0.001,
    .dac_energy = 0.390625,
    .adc_energy = 1.5625,
    .read_energy = 0.0018310546875,
    .digital_op_energy = 4.6,
};

const IrHardware *rt_cost_default(void)
{
    return &defaults;
}

const IrHardware *rt_cost_model(const IrHardware *hw)
{
    return hw ? hw : &defaults;
}

/* pJ of one MVM with n inputs and m outputs on an array of cells devices. */
static double mvm_energy(const IrHardware *hw, double n, double m, double cells)
{
    return n * hw->dac_energy + m * hw->adc_energy + cells * hw->read_energy;
}

void rt_cost_add(RtCost *c, const IrHardware *hw, const RtArrayStat *s)
{
    hw = rt_cost_model(hw);
    const RtArrCount *k = &s->cnt;
    double D = (double)s->D, X = (double)s->X, cells = D * X;
    double tp = hw->pulse_time, tm = hw->mvm_time;
    double e_pulse = s->dev && s->dev->pulse_energy > 0.0 ? s->dev->pulse_energy
                                                          : hw->pulse_energy;
    double pulses = isfinite(s->pulses) ? s->pulses : 0.0;
    double e_read = mvm_energy(hw, X, D, cells); /* forward-like: X inputs, D outputs */

    c->time[RT_COST_UPDATE] += k->updates * ((double)hw->update_cycles * tp + hw->preprocess_time)
                               + k->writes * hw->preprocess_time + k->write_cycles * tp
                               + (s->reference ? 0.0 : k->mvm_read * tm);
    c->energy[RT_COST_UPDATE] += (pulses - k->calib_pulses) * e_pulse + k->mvm_read * e_read;

    if (s->weight)
        c->time[RT_COST_MVM] += (k->mvm_fwd + k->mvm_bwd) * tm;
    if (s->analog)
        c->energy[RT_COST_MVM] += k->mvm_fwd * e_read + k->mvm_bwd * mvm_energy(hw, D, X, cells);

    c->time[RT_COST_DIGITAL] += D > 0.0 ? k->digital * hw->digital_op_time / D : 0.0;
    c->energy[RT_COST_DIGITAL] += k->digital * hw->digital_op_energy;

    c->time[RT_COST_CALIB] += (cells > 0.0 ? k->calib_pulses / cells * tp : 0.0)
                              + k->mvm_calib * tm;
    c->energy[RT_COST_CALIB] += k->calib_pulses * e_pulse + k->mvm_calib * e_read;
}

double rt_cost_time(const RtCost *c)
{
    double t = 0.0;
    for (int p = 0; p < RT_COST_NPARTS; p++)
        t += c->time[p];
    return t;
}

double rt_cost_energy(const RtCost *c)
{
    double e = 0.0;
    for (int p = 0; p < RT_COST_NPARTS; p++)
        e += c->energy[p];
    return e;
}

void rt_cost_sub(RtCost *c, const RtCost *a, const RtCost *b)
{
    for (int p = 0; p < RT_COST_NPARTS; p++) {
        c->time[p] = a->time[p] - b->time[p];
        c->energy[p] = a->energy[p] - b->energy[p];
    }
}

/* Fold one array's statistics into the step cost sc. */
static void add_array(RtStepCost *sc, const IrHardware *hw, const RtArrayRow *r)
{
    const RtArrayStat *s = &r->s;
    rt_cost_add(&sc->cost, hw, s);
    if (!s->analog || !isfinite(s->pulses))
        return;
    sc->pulses += s->pulses;
    sc->calib_pulses += s->cnt.calib_pulses;
    double end = s->dev ? s->dev->endurance : 0.0;
    double wear = end > 0.0 ? s->dev_max / end : NAN;
    bool worse = isfinite(wear) ? !(wear <= sc->wear) /* NaN wear so far: any is worse */
                                : !isfinite(sc->wear) && s->dev_max > sc->dev_max;
    if (s->dev_max > sc->dev_max)
        sc->dev_max = s->dev_max;
    if (worse) {
        sc->wear = wear;
        sc->layer = r->layer;
        memcpy(sc->array, s->name, sizeof sc->array);
        sc->endurance = end;
    }
}

RtStepCost *rt_cost_steps(const IrHardware *hw, const RtLog *log, size_t *n)
{
    *n = 0;
    size_t steps = 0;
    for (size_t r = 0; r < log->narr; r++)
        steps += r == 0 || log->arr[r].step != log->arr[r - 1].step;
    RtStepCost *sc = steps ? calloc(steps, sizeof *sc) : NULL;
    if (!sc)
        return NULL;
    size_t m = 0;
    for (size_t r = 0; r < log->narr; r++) {
        if (r == 0 || log->arr[r].step != log->arr[r - 1].step) {
            RtStepCost *s = &sc[m++];
            s->step = log->arr[r].step;
            s->wear = NAN;
        }
        add_array(&sc[m - 1], hw, &log->arr[r]);
    }
    *n = m;
    return sc;
}

size_t rt_cost_worn(const RtStepCost *sc, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (sc[k].wear > 1.0)
            return k;
    return n;
}
