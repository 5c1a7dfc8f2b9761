/*
** repl_cmd_device.c: `pulse`, `set`, `show` and `sp` on scratch copies of devices.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "eval.h"
#include "repl_args.h"
#include "repl_signal.h"
#include "rt_cost.h"
#include "rt_device.h"
#include "rt_measure.h"

#define MAX_COUNTS 64 /* pulse counts on one `pulse` line */

/* The weight line after pulses or a set, and the spread line if the device has spread. */
static void print_weight(FILE *out, const ReplDev *d)
{
    double mean, lo, hi;
    fprintf(out, "%s: w = %.6g\n", d->name, repl_dev_w(d));
    if (repl_dev_spread(d, &mean, &lo, &hi))
        fprintf(out, "  %d other cross-points: w mean %.6g, min %.6g, max %.6g\n", REPL_SPREAD,
                mean, lo, hi);
}

/* pulse D N [N ...]: N > 0 up pulses, N < 0 down pulses, in order. */
int cmd_pulse(Cmd *c)
{
    const IrDevice *ir = cmd_device(c);
    if (!ir)
        return 1;
    long counts[MAX_COUNTS];
    size_t n = 0;
    do {
        const CmdTok *at = cmd_peek(c);
        if (n == MAX_COUNTS) {
            cmd_error(c, at, "too many pulse counts on one line");
            cmd_expected(c, "at most %d counts", MAX_COUNTS);
            return 1;
        }
        long lim = (long)RT_MEASURE_MAX_PULSES;
        if (cmd_long(c, -lim, lim, "a pulse count", &counts[n]))
            return 1;
        if (counts[n] == 0) {
            cmd_error(c, at, "0 pulses");
            cmd_expected(c, "+N for N up pulses or -N for N down pulses, e.g. pulse %s +100",
                         ir->name);
            return 1;
        }
        n++;
        cmd_punct(c, ",");
    } while (cmd_peek(c)->kind != CT_END);
    ReplDev *d = cmd_scratch(c, ir);
    if (!d)
        return 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t want = (uint64_t)labs(counts[i]), got = repl_dev_pulse(d, counts[i], NULL);
        if (got < want) {
            fprintf(c->r->out, "interrupted after %llu of the %llu pulses of %+ld\n",
                    (unsigned long long)got, (unsigned long long)want, counts[i]);
            break;
        }
    }
    print_weight(c->r->out, d);
    return 0;
}

/* set D w = VALUE */
int cmd_set(Cmd *c)
{
    const IrDevice *ir = cmd_device(c);
    if (!ir)
        return 1;
    const CmdTok *t = cmd_peek(c);
    if (!cmd_is_word(t, "w")) {
        char what[96];
        if (t->kind == CT_WORD)
            cmd_error(c, t, "only the weight w can be set at the prompt");
        else
            cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
        cmd_expected(c, "set %s w = VALUE", ir->name);
        if (t->kind == CT_WORD)
            cmd_hint(c, "parameters belong in a declaration: device %s2 : %s { %.*s = ... }",
                     ir->name, ir->name, (int)t->len, t->s);
        return 1;
    }
    cmd_next(c);
    t = cmd_punct(c, "=") ? cmd_peek(c) : NULL;
    if (!t || t->kind != CT_NUM || !isfinite(t->num)) {
        char what[96];
        t = cmd_peek(c);
        cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
        cmd_expected(c, "set %s w = VALUE, e.g. set %s w = 0.3", ir->name, ir->name);
        return 1;
    }
    double w = t->num;
    cmd_next(c);
    if (cmd_end(c, "nothing after the weight"))
        return 1;
    ReplDev *d = cmd_scratch(c, ir);
    if (!d)
        return 1;
    repl_dev_set(d, w);
    double lo, hi;
    repl_dev_bounds(d, &lo, &hi);
    print_weight(c->r->out, d);
    if (w < lo || w > hi)
        fprintf(c->r->out, "  (%g is outside this cross-point's bounds [%.6g, %.6g]: clipped)\n",
                w, lo, hi);
    return 0;
}

/* The cost of the device (docs/cost.md): its energy per pulse and endurance, and the wear
   of the scratch copy's pulses. */
static void cost_line(Buf *b, const IrDevice *ir, uint64_t pulses)
{
    buf_printf(b, "  cost: ");
    if (ir->pulse_energy > 0.0)
        buf_printf(b, "%.6g pJ per pulse", ir->pulse_energy);
    else
        buf_printf(b, "energy per pulse: the hardware model's (default %.6g pJ)",
                   rt_cost_default()->pulse_energy);
    if (ir->endurance > 0.0)
        buf_printf(b, "; endurance %.6g pulses (this cross-point: %.3g%% used)\n",
                   ir->endurance, 100.0 * (double)pulses / ir->endurance);
    else
        buf_printf(b, "; endurance not known\n");
}

/* show D: the declaration as --dump prints it, then the scratch copy's state and its cost. */
int cmd_show(Cmd *c)
{
    const IrDevice *ir = cmd_device(c);
    if (!ir || cmd_end(c, "nothing after the device name"))
        return 1;
    ReplDev *d = cmd_scratch(c, ir);
    if (!d)
        return 1;
    Buf b = {0};
    dump_device(&b, ir);
    if (b.n >= 2 && b.s[b.n - 1] == '\n' && b.s[b.n - 2] == '\n')
        b.s[--b.n] = '\0'; /* the blank line --dump puts between declarations */
    repl_dev_state(&b, d);
    if (ir->family != IR_DEV_IDEAL) /* ideal weights take no pulses */
        cost_line(&b, ir, d->pulses);
    fputs(b.s, c->r->out);
    buf_free(&b);
    return 0;
}

/* The "symmetric point: ..." note --dump prints for the mean device, without its comment mark. */
static void mean_device_sp(Buf *out, const IrDevice *ir)
{
    Buf notes = {0};
    dump_device_notes(&notes, ir);
    const char *at = notes.s ? strstr(notes.s, "symmetric point") : NULL;
    if (at) {
        at += strlen("symmetric point");
        at += strspn(at, ": ");
        buf_printf(out, "%.*s", (int)strcspn(at, "\n"), at);
    }
    buf_free(&notes);
}

/* Pulses for `sp`: 20 per state (the weight crosses the range many times), 10^4 .. 10^7. */
static uint64_t alternation_length(const IrDevice *ir)
{
    RtDeviceInfo in;
    rt_device_info(&in, ir);
    double n = isfinite(in.states) ? 20.0 * in.states : 1e4;
    n = fmin(fmax(n, 1e4), 1e7);
    return (uint64_t)n / 2 * 2;
}

static double nan_min(const double *v, size_t n, double *mean, double *mx)
{
    double mn = INFINITY, s = 0.0;
    size_t k = 0;
    *mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            mn = fmin(mn, v[i]);
            *mx = fmax(*mx, v[i]);
            s += v[i];
            k++;
        }
    *mean = k ? s / (double)k : NAN;
    return k ? mn : NAN;
}

/* The spread cross-points' points: analytic and settled, mean (min .. max). */
static void spread_sp(FILE *out, const ReplDev *d, const double *settled)
{
    double sp[REPL_SPREAD], mean, mn, mx;
    for (size_t j = 0; j < REPL_SPREAD; j++)
        sp[j] = repl_dev_spread_sp(d, j);
    mn = nan_min(sp, REPL_SPREAD, &mean, &mx);
    if (!isnan(mn))
        fprintf(out, "  %d other cross-points: analytic mean %.6g (min %.6g, max %.6g)\n",
                REPL_SPREAD, mean, mn, mx);
    mn = nan_min(settled, REPL_SPREAD, &mean, &mx);
    if (!isnan(mn))
        fprintf(out, "  %d other cross-points: alternating pulses settle at mean %.6g (min %.6g, "
                     "max %.6g)\n",
                REPL_SPREAD, mean, mn, mx);
}

/* sp D: the symmetric point of the mean device, of the cross-point, and by pulses. */
int cmd_sp(Cmd *c)
{
    const IrDevice *ir = cmd_device(c);
    if (!ir || cmd_end(c, "nothing after the device name"))
        return 1;
    ReplDev *d = cmd_scratch(c, ir);
    ReplDev *copy = d ? repl_dev_clone(d) : NULL;
    if (!copy) {
        cmd_error(c, cmd_peek(c), "out of memory");
        return 1;
    }
    FILE *out = c->r->out;
    Buf mean = {0};
    mean_device_sp(&mean, ir);
    fprintf(out, "%s: symmetric point (an up and a down pulse change w equally)\n", ir->name);
    fprintf(out, "  analytic: %s\n", mean.s ? mean.s : "-");
    buf_free(&mean);
    if (ir->family != IR_DEV_IDEAL) {
        double sp = repl_dev_cell_sp(d), m, s, settled[REPL_SPREAD];
        if (isnan(sp))
            fprintf(out, "  this cross-point: none (its up and down steps never cross)\n");
        else
            fprintf(out, "  this cross-point: %.6g (bisection on its noise-free steps)\n", sp);
        uint64_t n = alternation_length(ir), w0 = 0;
        double start = repl_dev_w(copy);
        w0 = repl_dev_alternate(copy, n, &m, &s, settled);
        if (w0 < n)
            fprintf(out, "  alternating pulses: interrupted after %llu pulses\n",
                    (unsigned long long)w0);
        else
            fprintf(out, "  alternating pulses: %.6g +- %.6g (mean +- std of w over the last "
                         "%llu of %llu pulses, up first, from w = %.6g)\n",
                    m, s, (unsigned long long)((n + 9) / 10), (unsigned long long)n, start);
        if (w0 == n && d->spread)
            spread_sp(out, d, settled);
    }
    repl_dev_free(copy);
    return 0;
}
