/*
** test_pool.c: the thread pool (runtime/rt_pool.h): every item once over thousands of jobs,
** with workers spinning, asleep, descheduled or stalled inside a block; a shared update
** independent of the thread count.
**
** A descheduled worker is simulated by a signal whose handler sleeps on the worker's thread:
** the worker is then stopped wherever it was waiting, as when the scheduler keeps it off
** its core.
*/
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "rt_fixtures.h"
#include "rt_pool.h"
#include "rt_tile.h"

enum { MAXN = 512 };

/* Items hit by a job; owner: the thread that ran each item. */
typedef struct Marks {
    atomic_int hit[MAXN];
    pthread_t owner[MAXN];
} Marks;

static void mark(void *ctx, size_t i0, size_t i1)
{
    Marks *m = ctx;
    for (size_t i = i0; i < i1; i++) {
        m->owner[i] = pthread_self();
        atomic_fetch_add(&m->hit[i], 1);
    }
}

static void marks_clear(Marks *m)
{
    for (size_t i = 0; i < MAXN; i++)
        atomic_store(&m->hit[i], 0);
}

/* Items 0..n-1 hit once, the others never. */
static void marks_check(Marks *m, size_t n, const char *what, long job)
{
    for (size_t i = 0; i < MAXN; i++)
        cr_assert_eq(atomic_load(&m->hit[i]), i < n ? 1 : 0,
                     "%s job %ld: item %zu of %zu run %d times", what, job, i, n,
                     atomic_load(&m->hit[i]));
}

/* Sleep us microseconds, resumed when a signal interrupts it (async-signal-safe). */
static void sleep_us(long us)
{
    int saved = errno;
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    errno = saved;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
** Thousands of small jobs on 1 to 4 threads, two item sets in turn: each job runs every item
** once, and the other set (the previous job's) is not touched after its job returned, so no
** late worker ran a block of a finished job. Now and then the caller pauses longer than a
** worker spins, so workers also go to sleep and are woken.
*/
Test(pool, every_item_runs_exactly_once_over_many_jobs)
{
    static Marks m[2];
    uint64_t s = 12345;
    for (size_t th = 1; th <= 4; th++) {
        RtPool *p = rt_pool_new(th);
        cr_assert_not_null(p);
        cr_assert_eq(rt_pool_threads(p), th);
        size_t prev_n = 0;
        marks_clear(&m[0]), marks_clear(&m[1]);
        for (long job = 0; job < 4000; job++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            size_t n = (size_t)(s >> 33) % 64 + 1, grain = (size_t)(s >> 20) % 5 + 1;
            if (job % 10 == 0)
                n = (size_t)(s >> 40) % MAXN + 1;
            Marks *cur = &m[job & 1], *old = &m[(job + 1) & 1];
            marks_clear(cur);
            rt_pool_run(p, mark, cur, n, grain);
            marks_check(cur, n, "this", job);
            if (job > 0)
                marks_check(old, prev_n, "the previous", job);
            prev_n = n;
            if (job % 500 == 499)
                sleep_us(2000);
        }
        rt_pool_run(p, mark, &m[0], 0, 1); /* an empty job runs nothing */
        rt_pool_free(p);
    }
    rt_pool_free(NULL);
    rt_pool_run(NULL, mark, &m[0], 0, 0);
}

/* ---- a descheduled worker ---------------------------------------------------------------- */

static atomic_int frozen;      /* 1 while the handler holds its thread */
static atomic_long freeze_us;  /* how long it holds it */

static void freeze(int sig)
{
    (void)sig;
    atomic_store(&frozen, 1);
    sleep_us(atomic_load(&freeze_us));
    atomic_store(&frozen, 0);
}

/* Blocks that take 1 ms each, so that the worker surely joins and runs some. */
static void mark_slowly(void *ctx, size_t i0, size_t i1)
{
    sleep_us(1000);
    mark(ctx, i0, i1);
}

/* A worker of p (2 threads): the thread, other than this one, that ran an item of a job. */
static pthread_t find_worker(RtPool *p, Marks *m)
{
    for (int tries = 0; tries < 100; tries++) {
        marks_clear(m);
        rt_pool_run(p, mark_slowly, m, 32, 1);
        for (size_t i = 0; i < 32; i++)
            if (!pthread_equal(m->owner[i], pthread_self()))
                return m->owner[i];
    }
    cr_assert_fail("the worker never ran a block");
    return pthread_self();
}

/*
** The caller runs blocks from the front and the workers from the back, so each thread keeps
** mostly the same items from one job to the next (their data stays in its core's cache): in
** a job of 1 ms blocks on 2 threads, the caller's items are a prefix and the worker's the
** rest (the worker joins, as it ran items, and each side's items are contiguous).
*/
Test(pool, the_caller_takes_the_front_and_workers_the_back)
{
    static Marks m;
    RtPool *p = rt_pool_new(2);
    cr_assert_not_null(p);
    bool joined = false;
    for (int tries = 0; tries < 100 && !joined; tries++) {
        marks_clear(&m);
        rt_pool_run(p, mark_slowly, &m, 16, 1);
        marks_check(&m, 16, "this", tries);
        size_t mine = 0;
        while (mine < 16 && pthread_equal(m.owner[mine], pthread_self()))
            mine++;
        for (size_t i = mine; i < 16; i++)
            cr_assert(!pthread_equal(m.owner[i], pthread_self()),
                      "item %zu: the caller ran it after the worker's item %zu", i, mine);
        joined = mine < 16;
    }
    cr_assert(joined, "the worker never ran a block");
    rt_pool_free(p);
}

/*
** The only worker of a 2-thread pool is frozen for 1 s, right after a job (while it spins for
** the next) or later (while it sleeps): 300 jobs still return at once, each run entirely by
** the caller. The old barrier waited for every worker to pass through every job: the first
** job would have taken the whole second.
*/
static void jobs_return_without(long pause_us)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = freeze;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    static Marks m;
    RtPool *p = rt_pool_new(2);
    cr_assert_not_null(p);
    pthread_t w = find_worker(p, &m);
    sleep_us(pause_us);
    atomic_store(&freeze_us, 1000000);
    cr_assert_eq(pthread_kill(w, SIGUSR1), 0);
    while (!atomic_load(&frozen))
        sleep_us(100);
    double t0 = now_s();
    for (long job = 0; job < 300; job++) {
        marks_clear(&m);
        rt_pool_run(p, mark, &m, 200, 1);
        marks_check(&m, 200, "frozen worker", job);
        for (size_t i = 0; i < 200; i++)
            cr_assert(pthread_equal(m.owner[i], pthread_self()));
    }
    double took = now_s() - t0;
    cr_assert(atomic_load(&frozen), "the worker was frozen throughout");
    cr_assert_lt(took, 0.5, "300 jobs took %.3f s with a frozen worker", took);
    rt_pool_free(p); /* joins the worker once it thaws */
}

Test(pool, a_job_returns_while_a_spinning_worker_is_descheduled)
{
    jobs_return_without(0);
}

Test(pool, a_job_returns_while_a_sleeping_worker_is_descheduled)
{
    jobs_return_without(50000);
}

/* ---- a worker stalled inside a block ----------------------------------------------------- */

typedef struct Stall {
    Marks m;
    pthread_t caller;
    atomic_int started, done;
} Stall;

/*
** Two blocks: the caller's waits (up to 2 s) until the other one has started; the worker's
** holds its block for 400 ms, as a worker descheduled inside a block does (long against
** the time it took to start, so that the caller sees a stall).
*/
static void stall_block(void *ctx, size_t i0, size_t i1)
{
    Stall *s = ctx;
    if (pthread_equal(pthread_self(), s->caller)) {
        for (int k = 0; k < 20000 && !atomic_load(&s->started); k++)
            sleep_us(100);
    } else {
        atomic_store(&s->started, 1);
        sleep_us(400000);
        atomic_store(&s->done, 1);
    }
    mark(&s->m, i0, i1);
}

/*
** A job waits for a worker that claimed a block, however long that takes; after such a stall
** the caller runs the next jobs alone (the bound on what a busy machine costs), and they are
** still complete.
*/
Test(pool, a_job_waits_for_a_stalled_claimant_then_runs_alone)
{
    static Stall s;
    RtPool *p = rt_pool_new(2);
    cr_assert_not_null(p);
    s.caller = pthread_self();
    marks_clear(&s.m);
    rt_pool_run(p, stall_block, &s, 2, 1);
    cr_assert(atomic_load(&s.started), "the worker claimed the second block");
    cr_assert(atomic_load(&s.done), "the job returned before the worker's block ended");
    marks_check(&s.m, 2, "stalled", 0);
    for (long job = 0; job < 100; job++) {
        marks_clear(&s.m);
        rt_pool_run(p, mark, &s.m, 300, 1);
        marks_check(&s.m, 300, "after the stall", job);
        for (size_t i = 0; i < 300; i++)
            cr_assert(pthread_equal(s.m.owner[i], pthread_self()), "job %ld: a worker ran", job);
    }
    rt_pool_free(p);
}

/* ---- results ------------------------------------------------------------------------------ */

/*
** A tile update large enough to be shared (a batch of 10 on 256 x 200, as a training step
** sees it) gives the same weights, counters and stream on 1, 2 and 4 threads, bit for bit.
*/
Test(pool, threads_do_not_change_a_shared_update)
{
    enum { D = 256, X = 200, B = 10, T = 3 };
    static const size_t threads[T] = {1, 2, 4};
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    IrUpdate u = fx_update();
    static float x[B * X], d[B * D];
    RtRng in;
    rt_rng_seed(&in, 5, 5);
    for (size_t k = 0; k < B * X; k++)
        x[k] = (float)(2.0 * rt_rng_uniform(&in) - 1.0);
    for (size_t k = 0; k < B * D; k++)
        d[k] = (float)(2.0 * rt_rng_uniform(&in) - 1.0);
    RtTile *t[T];
    RtRng r[T];
    for (size_t k = 0; k < T; k++) {
        RtRng d2d;
        rt_rng_seed(&d2d, 7, 7);
        t[k] = rt_tile_new(D, X, &dev, &d2d, true);
        cr_assert_not_null(t[k]);
        rt_rng_seed(&r[k], 8, 8);
        RtPool *p = rt_pool_new(threads[k]);
        cr_assert_not_null(p);
        for (int rep = 0; rep < 20; rep++)
            rt_tile_update_batch_pool(t[k], x, d, B, 0.05, &u, &r[k], p);
        rt_pool_free(p);
    }
    uint64_t pulses = 0;
    for (size_t c = 0; c < D * X; c++)
        pulses += rt_tile_pulses_at(t[0], c);
    cr_assert_gt(pulses, 0, "the update fired pulses");
    for (size_t k = 1; k < T; k++) {
        cr_assert_eq(memcmp(t[0]->w, t[k]->w, D * X * sizeof(float)), 0, "%zu threads",
                     threads[k]);
        cr_assert_eq(memcmp(rt_tile_pulses(t[0]), rt_tile_pulses(t[k]), D * X * sizeof(uint64_t)), 0);
        cr_assert_eq(memcmp(r[0].s, r[k].s, sizeof r[0].s), 0, "the same draws of the stream");
        cr_assert_eq(r[0].has_spare, r[k].has_spare);
    }
    for (size_t k = 0; k < T; k++)
        rt_tile_free(t[k]);
}
