/*
** rt_algo_impl.h: what the files of the algorithms share (rt_algo.c, rt_algo_transfer.c);
** not part of rt_algo.h's interface.
**
** The convention for every runtime module: <module>.h is the interface its users include;
** <module>_impl.h declares what only the module's own .c files share (tests may include it
** to check internals); nothing else includes it.
*/
#ifndef AIMCI_RT_ALGO_IMPL_H
#define AIMCI_RT_ALGO_IMPL_H

#include "rt_algo.h"

/*
** The families (rt_algo_transfer.c): the transfers due at step a->t, and mixed precision.
*/
void rt_algo_transfer(RtAlgo *a, RtPool *pool);
void rt_algo_mp_step(RtAlgo *a, const float *x, const float *d, size_t B);

/* n single pulses of sign(n) (> 0: up) on W[i][j] (rt_tile_pulse, W's stream). */
void rt_algo_fire(RtAlgo *a, size_t i, size_t j, long n);

/* r->lg = A - R for an array with a reference (n = D*X); nothing without one. */
void rt_algo_logical(RtArr *r, size_t n);

#endif
