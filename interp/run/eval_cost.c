/*
** eval_cost.c: the cost reports of a train (eval_cost.h; the model in runtime/rt_cost.h,
** docs/cost.md). Times are printed in seconds and energies in joules; the model works in
** ns and pJ.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval_cost.h"

#define NS 1e-9  /* s per ns */
#define PJ 1e-12 /* J per pJ */

EvCost ev_cost_of(const IrHardware *hw, const RtLog *log)
{
    EvCost c = {false, NAN, NAN, NAN, NAN, NAN, SIZE_MAX};
    size_t n;
    RtStepCost *sc = rt_cost_steps(hw, log, &n);
    if (!sc)
        return c;
    const RtStepCost *last = &sc[n - 1];
    c.analog = true;
    c.time_s = rt_cost_time(&last->cost) * NS;
    c.energy_j = rt_cost_energy(&last->cost) * PJ;
    c.pulses = last->pulses;
    c.dev_max = last->dev_max;
    c.wear = last->wear;
    size_t w = rt_cost_worn(sc, n);
    c.worn_step = w < n ? sc[w].step : SIZE_MAX;
    free(sc);
    return c;
}

const char ev_cost_array_header[] =
    ",calibration_pulses,pulses_mean,pulses_max,pulses_p99,updates,writes,write_cycles,"
    "mvm_forward,mvm_backward,mvm_read,mvm_calibration,digital_ops";

/* A CSV field: %.9g, or nothing when not a number. */
static void field(FILE *f, double v)
{
    fputc(',', f);
    if (!isnan(v))
        fprintf(f, "%.9g", v);
}

void ev_cost_array_fields(FILE *f, const RtArrayStat *s)
{
    const RtArrCount *k = &s->cnt;
    bool pulsed = !isnan(s->pulses);
    field(f, pulsed ? k->calib_pulses : NAN);
    field(f, s->dev_mean);
    field(f, s->dev_max);
    field(f, s->dev_p99);
    field(f, pulsed ? k->updates : NAN);
    field(f, pulsed ? k->writes : NAN);
    field(f, pulsed ? k->write_cycles : NAN);
    field(f, s->analog ? k->mvm_fwd : NAN);
    field(f, s->analog ? k->mvm_bwd : NAN);
    field(f, s->analog ? k->mvm_read : NAN);
    field(f, s->analog ? k->mvm_calib : NAN);
    field(f, s->analog ? NAN : k->digital);
}

/* A right-aligned number of a summary column, or "-". */
static void put_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "  %12.6g", v);
    else
        fprintf(f, "  %12s", "-");
}

void ev_cost_summary(FILE *f, const IrTrain *t, const RtLog *const *logs)
{
    size_t nw = 9;
    bool any = false;
    for (size_t k = 0; k < t->nopt; k++) {
        any |= logs[k]->narr > 0;
        nw = strlen(t->opt[k]->name) > nw ? strlen(t->opt[k]->name) : nw;
    }
    if (!any)
        return;
    const IrHardware *hw = rt_cost_model(t->hardware);
    fprintf(f, "  hardware cost, model '%s' (docs/cost.md):\n", hw->name);
    fprintf(f, "  %-*s  %12s  %12s  %12s  %12s  %12s\n", (int)nw, "optimizer", "pulses",
            "max/device", "time (s)", "energy (J)", "wear");
    for (size_t k = 0; k < t->nopt; k++) {
        EvCost c = ev_cost_of(t->hardware, logs[k]);
        if (!c.analog)
            continue; /* digital: nothing to price */
        fprintf(f, "  %-*s", (int)nw, t->opt[k]->name);
        put_num(f, c.pulses);
        put_num(f, c.dev_max);
        put_num(f, c.time_s);
        put_num(f, c.energy_j);
        put_num(f, c.wear);
        fputc('\n', f);
    }
}

/* The epoch (1-based) a logged step belongs to: by epochs the one it ends; by steps
   ceil(step batch / rows). */
static size_t epoch_of(const IrTrain *t, const RtLog *log, size_t step, size_t rows)
{
    for (size_t e = 0; e < log->nep; e++)
        if (log->ep[e].step >= step)
            return log->ep[e].epoch;
    size_t b = t->batch ? t->batch : 1;
    return rows ? (step * b + rows - 1) / rows : 0;
}

void ev_cost_warn(Diag *d, const IrTrain *t, const RtLog *const *logs, size_t rows)
{
    for (size_t k = 0; k < t->nopt; k++) {
        size_t n;
        RtStepCost *sc = rt_cost_steps(t->hardware, logs[k], &n);
        size_t w = sc ? rt_cost_worn(sc, n) : 0;
        if (sc && w < n) {
            const RtStepCost *s = &sc[w];
            size_t ep = epoch_of(t, logs[k], s->step, rows);
            if (t->epochs)
                diag_warning(d, t->loc, "train '%s', optimizer '%s': a device of array %s of "
                             "layer %zu received %.0f pulses by the end of epoch %zu, past its "
                             "endurance of %.9g", t->name, t->opt[k]->name, s->array,
                             s->layer + 1, s->dev_max, ep, s->endurance);
            else
                diag_warning(d, t->loc, "train '%s', optimizer '%s': a device of array %s of "
                             "layer %zu received %.0f pulses by step %zu (epoch %zu), past its "
                             "endurance of %.9g", t->name, t->opt[k]->name, s->array,
                             s->layer + 1, s->dev_max, s->step, ep, s->endurance);
        }
        free(sc);
    }
}

/* One row of the cost CSV. */
static void cost_row(FILE *f, const char *opt, size_t epoch, const RtStepCost *s,
                     const RtStepCost *prev)
{
    RtCost added = s->cost;
    if (prev)
        rt_cost_sub(&added, &s->cost, &prev->cost);
    fprintf(f, "%s,%zu,%zu", opt, s->step, epoch);
    field(f, rt_cost_time(&s->cost) * NS);
    field(f, rt_cost_energy(&s->cost) * PJ);
    field(f, rt_cost_time(&added) * NS);
    field(f, rt_cost_energy(&added) * PJ);
    for (int p = 0; p < RT_COST_NPARTS; p++)
        field(f, s->cost.time[p] * NS);
    for (int p = 0; p < RT_COST_NPARTS; p++)
        field(f, s->cost.energy[p] * PJ);
    field(f, s->pulses);
    field(f, s->calib_pulses);
    field(f, s->dev_max);
    field(f, s->wear);
    fputc('\n', f);
}

char *ev_cost_csv(const IrTrain *t, const RtLog *const *logs, size_t rows, size_t *len,
                  bool *any)
{
    char *buf = NULL;
    *any = false;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fputs("optimizer,step,epoch,time_s,energy_j,added_time_s,added_energy_j", f);
    for (int p = 0; p < RT_COST_NPARTS; p++)
        fprintf(f, ",time_%s_s", rt_cost_part[p]);
    for (int p = 0; p < RT_COST_NPARTS; p++)
        fprintf(f, ",energy_%s_j", rt_cost_part[p]);
    fputs(",pulses,calibration_pulses,max_pulses_per_device,wear\n", f);
    bool oom = false;
    for (size_t k = 0; k < t->nopt; k++) {
        size_t n;
        RtStepCost *sc = rt_cost_steps(t->hardware, logs[k], &n);
        oom |= !sc && logs[k]->narr > 0;
        for (size_t r = 0; r < n; r++)
            cost_row(f, t->opt[k]->name, epoch_of(t, logs[k], sc[r].step, rows), &sc[r],
                     r ? &sc[r - 1] : NULL);
        *any |= n > 0;
        free(sc);
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || oom) {
        free(buf);
        buf = NULL;
        *len = 0;
    }
    return buf;
}

void ev_cost_report(FILE *f, const IrTrain *t, const RtLog *const *logs, size_t rows)
{
    size_t epochs = rt_train_epochs(t, rows);
    fprintf(f, "train %s, hardware model '%s' (docs/cost.md), %zu epoch%s:\n", t->name,
            rt_cost_model(t->hardware)->name, epochs, epochs == 1 ? "" : "s");
    for (size_t k = 0; k < t->nopt; k++) {
        size_t n;
        RtStepCost *sc = rt_cost_steps(t->hardware, logs[k], &n);
        if (!sc) {
            fprintf(f, "  %s: no analog arrays\n", t->opt[k]->name);
            continue;
        }
        const RtStepCost *s = &sc[n - 1];
        double time = rt_cost_time(&s->cost) * NS, energy = rt_cost_energy(&s->cost) * PJ;
        fprintf(f, "  %s: time %.6g s, energy %.6g J; per epoch %.6g s, %.6g J\n",
                t->opt[k]->name, time, energy, time / (double)epochs, energy / (double)epochs);
        fputs("    time:  ", f);
        for (int p = 0; p < RT_COST_NPARTS; p++)
            fprintf(f, "%s %s %.6g s", p ? "," : "", rt_cost_part[p], s->cost.time[p] * NS);
        fputs("\n    energy:", f);
        for (int p = 0; p < RT_COST_NPARTS; p++)
            fprintf(f, "%s %s %.6g J", p ? "," : "", rt_cost_part[p], s->cost.energy[p] * PJ);
        fprintf(f, "\n    pulses %.9g (calibration %.9g); most on one device %.9g",
                s->pulses, s->calib_pulses, s->dev_max);
        if (s->endurance > 0.0)
            fprintf(f, "; wear %.4g (array %s of layer %zu, endurance %.9g)", s->wear,
                    s->array, s->layer + 1, s->endurance);
        else
            fprintf(f, " (array %s of layer %zu; endurance not known)", s->array, s->layer + 1);
        fputc('\n', f);
        free(sc);
    }
}
