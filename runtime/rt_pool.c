/*
** rt_pool.c: persistent worker threads, one job at a time; a job waits only for the workers
** that took part in it.
**
** A job is the range [0, n) cut into nblocks blocks of `grain` items. rt_pool_run writes the
** job's fields (fn, ctx, n, grain, nblocks) and then publishes it by storing the claim word:
** the job's generation in the upper 24 bits, then the ends lo and hi (20 bits each) of the
** blocks nobody has claimed yet, lo..hi-1. A thread claims a block by a compare-and-swap:
** the caller takes block lo from the front, a worker block hi-1 from the back (so each keeps
** mostly the same blocks, and their data in its cache, from one job to the next). Claims go
** on until lo == hi.
**
** The barrier: before a worker looks at the claim word to claim, it announces itself in
** `inflight`, and it withdraws (decrements) only after it found no block left, having run
** what it claimed. The caller, once it finds no block left, waits until inflight is 0 and
** returns. A worker that has not announced itself is never waited for: one that is asleep,
** still spinning up, or descheduled by another process does not hold up the job. (The old
** barrier waited for every worker to pass through every job, so with a busy core one
** descheduled worker stalled each of the thousands of barriers of an epoch: 2 threads ran
** 3-5 times slower than 1.)
**
** Why no thread can run a block of a job whose fields are being rewritten (every atomic
** operation here is sequentially consistent, so they all fall into one total order):
**  - A claimant reads the job's fields only after its swap succeeded; the swap read the word
**    the caller stored after writing the fields (or a later claim of the same job), so the
**    fields are those of the job that the swap names.
**  - A worker announces itself before it reads the claim word at all. If its swap took a
**    block, that swap comes before, in the claim word's order, the caller's read of lo == hi;
**    so the caller's later read of inflight sees the announcement, and the caller waits until
**    the worker has withdrawn, after its last block. Only then does the caller return, and
**    only after returning can it write the next job's fields.
**  - A worker that announces itself late (after the caller saw inflight 0) either finds
**    no block left and withdraws at once, or finds the next job already published; then it
**    takes part in that job, and by the same argument that job's caller waits for it. (A
**    worker announces itself only after it saw blocks left, so the caller waits for one that
**    finds none only if it announced itself just before the last claim: a few instructions.)
**  - The generation makes a swap that read one job's word fail on every other job's (until
**    it wraps after 2^24 jobs, minutes of jobs between one thread's read and its swap), so a
**    claim never lands in a job the claimant did not read.
**
** Waiting: a worker with nothing to do spins for a while (300 us: most gaps between the
** parallel jobs of a training step; with 100 us the worker slept through the start of 45%
** of fcn_fashion's jobs, and the shared jobs took 30% longer), calling sched_yield every
** 10 us so that a thread that shares its core gets it, and then blocks on a condition
** variable. The caller, waiting for in-flight workers (normally less than one block), spins
** for 20 us without yielding (a yield could hand its core to another process for a whole
** time slice) and then blocks. A yield that returns late means another thread was waiting
** for the worker's core: the machine is oversubscribed, and the worker blocks at once for
** its next 64 waits, since spinning there only takes the core from someone with work. (A
** poll that comes late proves less: on an idle virtual machine the host deschedules a
** virtual CPU now and then, about ten times per second here, and taking those for
** contention made workers sleep through most jobs.) The side that publishes (a job for the
** workers, the withdrawal of the last worker for the caller) takes the mutex and signals
** only when someone sleeps; that thread announced its sleep (sleepers, caller_asleep) under
** the mutex before its last check, so no wake-up is lost.
**
** Stalls: a worker that took a block and is then descheduled still stalls the job, for as
** long as the scheduler keeps it off (milliseconds, when another process runs on its core).
** The caller detects such a wait (longer than two of its blocks plus 50 us) and then runs
** the jobs alone for 16 times as long as the stall lasted: a busy machine costs at most a
** few percent over one thread. An idle one goes alone for a few jobs in a hundred (when the
** host deschedules a virtual CPU in the middle of a block).
*/
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt_mem.h"
#include "rt_pool.h"

#define WORKER_SPIN_NS 300000u /* a worker's spin for the next job before it blocks */
#define CALLER_SPIN_NS 20000u  /* the caller's spin for in-flight workers before it blocks */
#define YIELD_EVERY_NS 10000u  /* a spinning worker lets others on its core run this often */
#define DESCHEDULED_NS 50000u  /* a yield this long means others wanted the core */
#define CROWDED_WAITS 64       /* waits that block at once after such a yield */
#define STALL_SLACK_NS 50000u  /* a wait beyond two blocks' time and this is a stall */
#define ALONE_FACTOR 16        /* after a stall, the caller works alone this many times as long */
#define ALONE_MAX_NS 1000000000u /* ... but never longer than this */

/* The claim word: generation << 40 | lo << 20 | hi; blocks lo..hi-1 are unclaimed. */
#define END_BITS 20
#define END_MASK ((UINT64_C(1) << END_BITS) - 1)
#define GEN_MASK ((UINT64_C(1) << (64 - 2 * END_BITS)) - 1)
#define LO(c) ((size_t)((c) >> END_BITS & END_MASK))
#define HI(c) ((size_t)((c) & END_MASK))

struct RtPool {
    /* claimed and announced by every thread, per job */
    _Alignas(64) atomic_uint_least64_t claim; /* generation << 32 | blocks unclaimed */
    atomic_size_t inflight;                    /* workers announced in a job */
    /* the job: written by the caller only while no worker is announced (header comment) */
    _Alignas(64) RtPoolFn fn;
    void *ctx;
    size_t n, grain, nblocks;
    /* sleeping and waking */
    _Alignas(64) atomic_uint sleepers; /* workers blocked, or about to, on go */
    atomic_bool caller_asleep;         /* the caller blocked, or about to, on done */
    atomic_bool quit;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    /* the caller's own state */
    uint64_t gen;         /* the last job's generation */
    uint64_t alone_until; /* before this time (now_ns) jobs run on the caller only */
    size_t nthreads;      /* the caller included */
    size_t nworkers;      /* started */
    pthread_t *tid;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A short pause in a spin loop. */
static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/*
** Spin until ready(p), for at most budget ns, yielding the core every yield_every ns (0:
** never, and crowded may be NULL); true if ready. While *crowded > 0 a spin is skipped (one
** fewer each time); a yield that took DESCHEDULED_NS means another thread was waiting for
** this core: then *crowded is set and the spin gives up (the caller of spin then blocks).
*/
static bool spin(RtPool *p, bool (*ready)(RtPool *), uint64_t budget, uint64_t yield_every,
                 unsigned *crowded)
{
    if (crowded && *crowded > 0) {
        --*crowded;
        return ready(p);
    }
    uint64_t start = now_ns(), yielded = start;
    for (;;) {
        for (int k = 0; k < 16; k++) {
            if (ready(p))
                return true;
            relax();
        }
        uint64_t t = now_ns();
        if (yield_every && t - yielded >= yield_every) {
            sched_yield();
            yielded = now_ns();
            if (yielded - t >= DESCHEDULED_NS) {
                *crowded = CROWDED_WAITS;
                return ready(p);
            }
        }
        if (t - start >= budget)
            return ready(p);
    }
}

static bool job_ready(RtPool *p)
{
    uint64_t c = atomic_load(&p->claim);
    return LO(c) < HI(c) || atomic_load(&p->quit);
}

static bool workers_out(RtPool *p)
{
    return atomic_load(&p->inflight) == 0;
}

/*
** Claim and run blocks until none is left; the number run. The caller claims from the front
** (lo up), the workers from the back (hi down): from one job to the next the caller keeps
** mostly the same rows, and so do the workers, so a row's weights stay in one core's cache
** (with blocks dealt in one order, rows changed cores from step to step and the pulsed
** update of fcn_fashion's 784-256 layer took 39% more core time on 2 threads than on 1).
*/
static size_t claim_and_run(RtPool *p, bool front)
{
    size_t ran = 0;
    uint64_t c = atomic_load(&p->claim);
    while (LO(c) < HI(c)) {
        uint64_t next = front ? c + (UINT64_C(1) << END_BITS) : c - 1;
        if (!atomic_compare_exchange_weak(&p->claim, &c, next))
            continue; /* c now holds the current word */
        size_t b = front ? LO(c) : HI(c) - 1;
        size_t i0 = b * p->grain, i1 = p->n - i0 < p->grain ? p->n : i0 + p->grain;
        p->fn(p->ctx, i0, i1);
        ran++;
        c = atomic_load(&p->claim);
    }
    return ran;
}

/* Wait for blocks to claim, or quit: spin, then block on go. */
static void wait_job(RtPool *p, unsigned *crowded)
{
    if (spin(p, job_ready, WORKER_SPIN_NS, YIELD_EVERY_NS, crowded))
        return;
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add(&p->sleepers, 1);
    while (!job_ready(p))
        pthread_cond_wait(&p->go, &p->mu);
    atomic_fetch_sub(&p->sleepers, 1);
    pthread_mutex_unlock(&p->mu);
}

/* Wait for jobs, take part in them; until quit. */
static void *worker(void *arg)
{
    RtPool *p = arg;
    unsigned crowded = 0;
    for (;;) {
        wait_job(p, &crowded);
        if (atomic_load(&p->quit))
            return NULL;
        atomic_fetch_add(&p->inflight, 1);
        claim_and_run(p, false);
        if (atomic_fetch_sub(&p->inflight, 1) == 1 && atomic_load(&p->caller_asleep)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

/* The caller: wait until no worker is announced; spin, then block on done. */
static void wait_workers(RtPool *p)
{
    if (spin(p, workers_out, CALLER_SPIN_NS, 0, NULL))
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->caller_asleep, true);
    while (!workers_out(p))
        pthread_cond_wait(&p->done, &p->mu);
    atomic_store(&p->caller_asleep, false);
    pthread_mutex_unlock(&p->mu);
}

RtPool *rt_pool_new(size_t threads)
{
    RtPool *p = aligned_alloc(_Alignof(RtPool), sizeof *p); /* its counters own cache lines */
    if (!p)
        rt_oom();
    memset(p, 0, sizeof *p);
    p->nthreads = threads < 1 ? 1 : threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->claim, 0);
    atomic_init(&p->inflight, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->caller_asleep, false);
    atomic_init(&p->quit, false);
    p->tid = rt_xcalloc(p->nthreads, sizeof *p->tid);
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
    atomic_store(&p->quit, true);
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

/*
** After a job: if the caller waited for workers much longer than a block takes it (two
** blocks' time, as the last worker may have started its block just before the caller's last,
** plus slack), a claimant was descheduled; the caller then works alone for a while.
*/
static void note_wait(RtPool *p, uint64_t worked, size_t ran, uint64_t waited, uint64_t t)
{
    if (ran == 0 || waited <= 2 * (worked / ran) + STALL_SLACK_NS)
        return;
    uint64_t alone = waited * ALONE_FACTOR;
    p->alone_until = t + (alone < ALONE_MAX_NS ? alone : ALONE_MAX_NS);
}

void rt_pool_run(RtPool *p, RtPoolFn fn, void *ctx, size_t n, size_t grain)
{
    if (grain < 1)
        grain = 1;
    if (n == 0)
        return;
    if (!p || p->nworkers == 0 || n <= grain) {
        fn(ctx, 0, n);
        return;
    }
    uint64_t t0 = now_ns();
    if (t0 < p->alone_until) {
        fn(ctx, 0, n);
        return;
    }
    if ((n - 1) / grain >= END_MASK) /* more blocks than the claim word counts */
        grain = n / (END_MASK - 1) + 1;
    p->fn = fn, p->ctx = ctx, p->n = n, p->grain = grain;
    p->nblocks = (n - 1) / grain + 1;
    p->gen = (p->gen + 1) & GEN_MASK;
    atomic_store(&p->claim, p->gen << 2 * END_BITS | (uint64_t)p->nblocks);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    uint64_t t1 = now_ns();
    size_t ran = claim_and_run(p, true);
    uint64_t t2 = now_ns();
    wait_workers(p);
    uint64_t t3 = now_ns();
    note_wait(p, t2 - t1, ran, t3 - t2, t3);
}

size_t rt_pool_grain(const RtPool *p, size_t n)
{
    size_t g = n / (rt_pool_threads(p) * 8);
    return g > 0 ? g : 1;
}

size_t rt_pool_default_threads(void)
{
    const char *env = getenv("AIMCI_THREADS");
    long n = env ? atol(env) : 0;
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (size_t)n;
}
