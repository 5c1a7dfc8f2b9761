/*
** rt_pool.h: a small persistent pool of worker threads (pthreads) for the row-parallel
** kernels.
**
** A pool of T threads is T - 1 workers plus the calling thread. rt_pool_run hands out the
** range [0, n) in blocks of `grain` items to whichever thread asks next, and returns when
** all are done; it waits only for the threads that took blocks, never for a worker that is
** asleep or descheduled (rt_pool.c describes the protocol). Callers must make the result
** independent of which thread runs which block (the pulsed update keys its random streams by
** row; see rt_kern.h), so a run gives the same result for any T. The pool is owned by one
** training run (no global state); it is not reentrant: one rt_pool_run at a time.
*/
#ifndef AIMCI_RT_POOL_H
#define AIMCI_RT_POOL_H

#include <stddef.h>

typedef struct RtPool RtPool;

/* fn(ctx, i0, i1) does items i0..i1-1. */
typedef void (*RtPoolFn)(void *ctx, size_t i0, size_t i1);

/*
** A pool of `threads` threads (at least 1; 1 starts no worker). NULL if not every thread
** could be started for threads > 1.
*/
RtPool *rt_pool_new(size_t threads);

/* Stop and join the workers, free the pool (NULL: nothing). */
void rt_pool_free(RtPool *p);

/* The number of threads, the caller included (NULL: 1). */
size_t rt_pool_threads(const RtPool *p);

/* Run fn over [0, n) in blocks of grain (>= 1) on every thread; NULL p runs it here. */
void rt_pool_run(RtPool *p, RtPoolFn fn, void *ctx, size_t n, size_t grain);

/*
** The grain that cuts n items into about 8 blocks per thread (at least 1 item): a thread
** that joins late or runs slower evens out within a block, and claiming stays negligible.
*/
size_t rt_pool_grain(const RtPool *p, size_t n);

/* The default thread count: AIMCI_THREADS if it is a positive integer, else the online CPUs. */
size_t rt_pool_default_threads(void);

#endif
