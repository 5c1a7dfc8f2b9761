/*
** rt_pool.c: persistent worker threads, one job at a time, blocks claimed atomically.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt_pool.h"

struct RtPool {
    size_t nthreads;       /* the caller included */
    size_t nworkers;       /* started */
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen;     /* incremented per job; workers wait for a new value */
    bool quit;
    size_t busy;           /* workers still in the current job */
    RtPoolFn fn;           /* the current job */
    void *ctx;
    size_t n, grain;
    atomic_size_t next;    /* start of the next unclaimed block */
};

/* Claim and run blocks until the range is exhausted. */
static void work(RtPool *p)
{
    for (;;) {
        size_t i0 = atomic_fetch_add(&p->next, p->grain);
        if (i0 >= p->n)
            return;
        size_t i1 = p->n - i0 < p->grain ? p->n : i0 + p->grain;
        p->fn(p->ctx, i0, i1);
    }
}

/* Wait for a job (a new generation), work on it, report; until quit. */
static void *worker(void *arg)
{
    RtPool *p = arg;
    unsigned long seen = 0; /* the generation before the first job, not p->gen: a job may */
    pthread_mutex_lock(&p->mu); /* have been posted before this thread got to run */
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        work(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

RtPool *rt_pool_new(size_t threads)
{
    RtPool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nthreads = threads < 1 ? 1 : threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->next, 0);
    p->tid = calloc(p->nthreads, sizeof *p->tid);
    if (!p->tid) {
        rt_pool_free(p);
        return NULL;
    }
    for (size_t k = 0; k + 1 < p->nthreads; k++) {
        if (pthread_create(&p->tid[k], NULL, worker, p) != 0)
            break;
        p->nworkers++;
    }
    if (p->nworkers + 1 < p->nthreads) {
        rt_pool_free(p);
        return NULL;
    }
    return p;
}

void rt_pool_free(RtPool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (size_t k = 0; k < p->nworkers; k++)
        pthread_join(p->tid[k], NULL);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->tid);
    free(p);
}

size_t rt_pool_threads(const RtPool *p)
{
    return p ? p->nthreads : 1;
}

void rt_pool_run(RtPool *p, RtPoolFn fn, void *ctx, size_t n, size_t grain)
{
    if (grain < 1)
        grain = 1;
    if (!p || p->nworkers == 0 || n <= grain) {
        if (n > 0)
            fn(ctx, 0, n);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn, p->ctx = ctx, p->n = n, p->grain = grain;
    atomic_store(&p->next, 0);
    p->busy = p->nworkers;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    work(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

size_t rt_pool_default_threads(void)
{
    const char *env = getenv("AIMCI_THREADS");
    long n = env ? atol(env) : 0;
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (size_t)n;
}
