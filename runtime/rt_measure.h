/*
** rt_measure.h: a pulse program on one device (aihwkit's response-curve protocol,
** DOMAIN.md 3.2.9): a 1x1 tile whose cell is drawn from the seed (RT_STREAM_D2D(0), the
** same cell as cross-point (0,0) of layer 0 of a train with that seed), the start weight
** clipped to the cell's bounds, then the program: +n fires n up pulses, -n n down pulses,
** in order, with c2c noise from RT_STREAM_UPDATE(0). w is recorded after every pulse.
*/
#ifndef AIMCI_RT_MEASURE_H
#define AIMCI_RT_MEASURE_H

#include <stddef.h>

#include "ir.h"

#define RT_MEASURE_MAX_PULSES 100000000u /* a larger program is an error, not a crash */

typedef struct RtTrace {
    size_t n;    /* entries: 1 + number of pulses */
    signed char *dir; /* (n) 0 for the start, then +1 up / -1 down */
    float *w;    /* (n) w[0] = start after clipping, w[k] after pulse k */
    float bmin, bmax; /* the bounds of the drawn cell */
} RtTrace;

/*
** Run m into tr (zero-initialised). Returns 0, or 1 with a message in err (a program of
** more than RT_MEASURE_MAX_PULSES pulses, out of memory).
*/
int rt_measure_run(RtTrace *tr, const IrMeasure *m, char *err, size_t errlen);
void rt_trace_free(RtTrace *tr);

#endif
