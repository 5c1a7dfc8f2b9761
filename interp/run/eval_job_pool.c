/*
** eval_job_pool.c: threads that run experiment jobs (eval_jobs.h).
**
** Jobs wait in a queue; up to `threads` threads take them in order, run each on their own
** (one training on one thread: jobs are independent and each is deterministic, so the order
** in which they finish changes nothing) and leave its encoded record in a list of finished
** ones. The owner of the pool, one thread, submits jobs and takes records; only it talks to
** files or to other processes, so the workers need no locks beyond the pool's own.
*/
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "eval_jobs.h"
#include "rt_mem.h"

typedef struct Task {
    const IrExperiment *x;
    EvJob j;
    size_t tag;
} Task;

typedef struct Done {
    size_t tag;
    char *text;
    size_t len;
} Done;

struct EvJobPool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a task was queued, or stop */
    pthread_cond_t done; /* a record was left */
    pthread_t *tid;
    size_t max, nthreads, idle;
    Task *task;          /* a ring: head, count */
    size_t tcap, thead, ntask;
    Done *fin;
    size_t fcap, nfin;
    size_t busy;         /* submitted, not taken */
    bool stop;
};

static void *worker(void *arg)
{
    EvJobPool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->ntask && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        if (!p->ntask)
            break;
        Task t = p->task[p->thead];
        p->thead = (p->thead + 1) % p->tcap;
        p->ntask--;
        p->idle--;
        pthread_mutex_unlock(&p->mu);
        ev_job_run(t.x, &t.j);
        Done d = {t.tag, NULL, 0};
        d.text = ev_job_encode(t.x, &t.j, &d.len);
        ev_job_free(&t.j);
        pthread_mutex_lock(&p->mu);
        RT_XGROW(p->fin, p->fcap, p->nfin + 1);
        p->fin[p->nfin++] = d;
        p->idle++;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

EvJobPool *ev_pool_new(size_t threads)
{
    EvJobPool *p = rt_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->max = threads ? threads : 1;
    p->tid = rt_xcalloc(p->max, sizeof *p->tid);
    return p;
}

void ev_pool_submit(EvJobPool *p, const IrExperiment *x, const EvJob *j, size_t tag)
{
    pthread_mutex_lock(&p->mu);
    if (p->ntask == p->tcap) { /* grow the ring, unrolled from its head */
        size_t cap = p->tcap ? 2 * p->tcap : 16;
        Task *t = rt_xmalloc(cap * sizeof *t);
        for (size_t i = 0; i < p->ntask; i++)
            t[i] = p->task[(p->thead + i) % p->tcap];
        free(p->task);
        p->task = t, p->tcap = cap, p->thead = 0;
    }
    Task *t = &p->task[(p->thead + p->ntask++) % p->tcap];
    *t = (Task){x, *j, tag};
    t->j.log = (RtLog){0};
    p->busy++;
    /* A thread more while the queue is longer than the threads free to take it. */
    if (p->ntask > p->idle && p->nthreads < p->max &&
        pthread_create(&p->tid[p->nthreads], NULL, worker, p) == 0) {
        p->nthreads++;
        p->idle++;
    }
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

size_t ev_pool_busy(EvJobPool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->busy;
    pthread_mutex_unlock(&p->mu);
    return n;
}

bool ev_pool_take(EvJobPool *p, long wait_ms, size_t *tag, char **text, size_t *len)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    if (wait_ms > 0) {
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L)
            until.tv_sec++, until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while (!p->nfin && p->busy && wait_ms != 0) {
        if (wait_ms < 0)
            pthread_cond_wait(&p->done, &p->mu);
        else if (pthread_cond_timedwait(&p->done, &p->mu, &until) == ETIMEDOUT)
            break;
    }
    bool got = p->nfin > 0;
    if (got) {
        Done d = p->fin[0];
        for (size_t i = 1; i < p->nfin; i++)
            p->fin[i - 1] = p->fin[i];
        p->nfin--;
        p->busy--;
        *tag = d.tag, *text = d.text, *len = d.len;
    }
    pthread_mutex_unlock(&p->mu);
    return got;
}

void ev_pool_free(EvJobPool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->nthreads; i++)
        pthread_join(p->tid[i], NULL);
    for (size_t i = 0; i < p->nfin; i++)
        free(p->fin[i].text);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p->tid);
    free(p->task);
    free(p->fin);
    free(p);
}
