/*
** rt_measure.h: a pulse program on one device (aihwkit's response-curve protocol,
** docs/theory.md §3.2.9): a 1x1 tile whose cell is drawn from the seed (RT_STREAM_D2D(0), the
** same cell as cross-point (0,0) of layer 0 of a train with that seed), the start weight
** set like any weight (clipped to the cell's bounds; write noise on set), then the program:
** +n fires n up pulses, -n n down pulses, in order, with c2c noise from RT_STREAM_UPDATE(0).
** No decay or diffusion: those belong to optimizer steps. w (the visible weight) is taken
** after every pulse; the summary statistics are kept on the fly, so a program of up to
** RT_MEASURE_MAX_PULSES pulses needs no memory unless its trace is recorded.
*/
#ifndef AIMCI_RT_MEASURE_H
#define AIMCI_RT_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

#define RT_MEASURE_MAX_PULSES 100000000u /* a larger program is an error, not a crash */

typedef struct RtTrace {
    size_t n;          /* entries: 1 + number of pulses */
    signed char *dir;  /* (n) 0 for the start, then +1 up / -1 down; NULL if not recorded */
    float *w;          /* (n) w[0] = start after clipping, w[k] after pulse k; NULL likewise */
    float bmin, bmax;  /* the bounds of the drawn cell */
    float start, final, lo, hi; /* the first and last weight, the min and max of all n */
    size_t ntail;      /* the settling window: the last ceil(N/10) pulses, N = n - 1 */
    double tail_mean, tail_std; /* mean and std (1/ntail) of w after each of those pulses */
} RtTrace;

/*
** Run m into tr (zero-initialised); record: keep the whole trace in dir and w. Returns 0,
** or 1 with a message in err (a program of more than RT_MEASURE_MAX_PULSES pulses, out of
** memory).
*/
int rt_measure_run(RtTrace *tr, const IrMeasure *m, bool record, char *err, size_t errlen);
void rt_trace_free(RtTrace *tr);

#endif
