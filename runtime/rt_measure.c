/*
** rt_measure.c: run a pulse program on a 1x1 tile; record the weight trace (if asked) and
** the summary statistics.
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

/* |p| of a pulse count without overflow. */
static unsigned long magnitude(long p)
{
    return p < 0 ? 0ul - (unsigned long)p : (unsigned long)p;
}

/* Total |pulses| of the program, or 0 with err set when it exceeds the limit. */
static size_t count_pulses(const IrMeasure *m, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t k = 0; k < m->nprog; k++) {
        unsigned long a = magnitude(m->pulses[k]);
        if (a > RT_MEASURE_MAX_PULSES - total) {
            snprintf(err, errlen, "measure '%s': more than %u pulses", m->name,
                     RT_MEASURE_MAX_PULSES);
            return 0;
        }
        total += a;
    }
    return total;
}

/* Welford's running mean and sum of squared deviations of the settling window. */
typedef struct Tail {
    size_t from, n; /* the first index (1-based pulse number) in the window, values seen */
    double mean, m2;
} Tail;

/* Record weight w at index at (0: the start) into the trace and the statistics. */
static void observe(RtTrace *tr, Tail *tail, size_t at, signed char dir, float w)
{
    if (tr->w) {
        tr->dir[at] = dir;
        tr->w[at] = w;
    }
    tr->final = w;
    tr->lo = w < tr->lo ? w : tr->lo;
    tr->hi = w > tr->hi ? w : tr->hi;
    if (at < tail->from)
        return;
    tail->n++;
    double d = (double)w - tail->mean;
    tail->mean += d / (double)tail->n;
    tail->m2 += d * ((double)w - tail->mean);
}

/* Fire the program on t (1x1), observing from index 1. */
static void fire(RtTrace *tr, Tail *tail, RtTile *t, const IrMeasure *m, RtRng *r)
{
    size_t at = 1;
    for (size_t k = 0; k < m->nprog; k++) {
        bool up = m->pulses[k] > 0;
        unsigned long a = magnitude(m->pulses[k]);
        for (unsigned long q = 0; q < a; q++, at++)
            observe(tr, tail, at, up ? 1 : -1, rt_tile_pulse(t, 0, 0, up, r));
    }
}

/* Allocate the trace arrays if recording; returns 0, or -1 when out of memory (the caller
** reports it). */
static int alloc_trace(RtTrace *tr, bool record)
{
    if (!record)
        return 0;
    tr->dir = malloc(tr->n * sizeof *tr->dir);
    tr->w = malloc(tr->n * sizeof *tr->w);
    return tr->dir && tr->w ? 0 : -1;
}

int rt_measure_run(RtTrace *tr, const IrMeasure *m, bool record, char *err, size_t errlen)
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
    if (!t || alloc_trace(tr, record)) {
        rt_tile_free(t);
        rt_trace_free(tr);
        snprintf(err, errlen, "measure '%s': out of memory", m->name);
        return 1;
    }
    tr->bmin = t->cell[0].bmin;
    tr->bmax = t->cell[0].bmax;
    double start = fmin(fmax(m->start, tr->bmin), tr->bmax); /* clip before rounding */
    float w0 = (float)fmin(fmax(start, -FLT_MAX), FLT_MAX);
    rt_tile_set_weights(t, &w0);
    tr->start = tr->lo = tr->hi = t->w[0];
    tr->ntail = total > 0 ? (total + 9) / 10 : 1;
    Tail tail = {.from = total > 0 ? total - tr->ntail + 1 : 0};
    observe(tr, &tail, 0, 0, t->w[0]);
    fire(tr, &tail, t, m, &c2c);
    tr->tail_mean = tail.mean;
    tr->tail_std = tail.n ? sqrt(tail.m2 / (double)tail.n) : 0.0;
    rt_tile_free(t);
    return 0;
}
