/*
** eval_ranks_one.c: the processes of plain `aimci`: this one alone (eval_ranks.h). An
** experiment's jobs run on a pool of its threads, at most `threads` at a time, handed out in
** order as threads come free; aimci-mpi links eval_mpi.c in place of this file.
*/
#include <stdlib.h>

#include "eval_ranks.h"

int ev_ranks_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

bool ev_ranks_lead(void)
{
    return true;
}

bool ev_ranks_own_terminal(void)
{
    return true;
}

void ev_ranks_deal(const EvDeal *d)
{
    EvJobPool *pool = ev_pool_new(d->threads);
    size_t next = 0, k;
    char *text;
    size_t len;
    while (next < d->npending || ev_pool_busy(pool)) {
        while (next < d->npending && ev_pool_busy(pool) < d->threads) {
            ev_pool_submit(pool, d->x, &d->job[d->pending[next]], d->pending[next]);
            next++;
        }
        if (ev_pool_take(pool, -1, &k, &text, &len)) {
            d->finished(d->ctx, k, text, len, 0);
            free(text);
        }
    }
    ev_pool_free(pool);
}

bool ev_ranks_ahead_wanted(void)
{
    return false; /* one process: nobody to deal ahead to */
}

void ev_ranks_ahead(const IrExperiment *x, const size_t *list, const size_t *every, size_t n)
{
    (void)x, (void)list, (void)every, (void)n;
}

bool ev_ranks_ahead_has(const IrExperiment *x, size_t k)
{
    (void)x, (void)k;
    return false;
}

void ev_ranks_idle(void)
{
}

void ev_ranks_settle(void)
{
}

void ev_ranks_serve(const IrProgram *p, size_t threads, const char *why)
{
    (void)p, (void)threads, (void)why; /* one process: there is no other rank */
}

int ev_ranks_end(int status)
{
    return status;
}
