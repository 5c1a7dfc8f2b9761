/*
** rt_measure.c: run a pulse program on a 1x1 tile and record the weight trace.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rt_measure.h"
#include "rt_rng.h"
#include "rt_tile.h"

void rt_trace_free(RtTrace *tr)
{
    free(tr->dir);
    free(tr->w);
    tr->dir = NULL;
    tr->w = NULL;
    tr->n = 0;
}

/* Total |pulses| of the program, or 0 with err set when it exceeds the limit. */
static size_t count_pulses(const IrMeasure *m, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t k = 0; k < m->nprog; k++) {
        long p = m->pulses[k];
        unsigned long a = p < 0 ? 0ul - (unsigned long)p : (unsigned long)p;
        if (a > RT_MEASURE_MAX_PULSES - total) {
            snprintf(err, errlen, "measure '%s': more than %u pulses", m->name,
                     RT_MEASURE_MAX_PULSES);
            return 0;
        }
        total += a;
    }
    return total;
}

/* Fire the program on t (1x1), recording from index 1. */
static void fire(RtTrace *tr, RtTile *t, const IrMeasure *m, RtRng *r)
{
    size_t at = 1;
    for (size_t k = 0; k < m->nprog; k++) {
        long p = m->pulses[k];
        bool up = p > 0;
        unsigned long a = p < 0 ? 0ul - (unsigned long)p : (unsigned long)p;
        for (unsigned long q = 0; q < a; q++, at++) {
            tr->dir[at] = up ? 1 : -1;
            tr->w[at] = rt_tile_pulse(t, 0, 0, up, r);
        }
    }
}

int rt_measure_run(RtTrace *tr, const IrMeasure *m, char *err, size_t errlen)
{
    err[0] = '\0';
    size_t total = count_pulses(m, err, errlen);
    if (err[0])
        return 1;
    RtRng d2d, c2c;
    rt_rng_seed(&d2d, m->seed, RT_STREAM_D2D(0));
    rt_rng_seed(&c2c, m->seed, RT_STREAM_UPDATE(0));
    RtTile *t = rt_tile_new(1, 1, m->device, &d2d, false);
    tr->n = total + 1;
    tr->dir = malloc(tr->n * sizeof *tr->dir);
    tr->w = malloc(tr->n * sizeof *tr->w);
    if (!t || !tr->dir || !tr->w) {
        rt_tile_free(t);
        rt_trace_free(tr);
        snprintf(err, errlen, "measure '%s': out of memory", m->name);
        return 1;
    }
    tr->bmin = t->cell[0].bmin;
    tr->bmax = t->cell[0].bmax;
    double start = fmin(fmax(m->start, tr->bmin), tr->bmax); /* clip before rounding */
    t->w[0] = (float)fmin(fmax(start, -FLT_MAX), FLT_MAX);
    tr->dir[0] = 0;
    tr->w[0] = t->w[0];
    fire(tr, t, m, &c2c);
    rt_tile_free(t);
    return 0;
}
