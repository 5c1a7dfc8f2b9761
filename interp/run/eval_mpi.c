/*
** eval_mpi.c: the processes of aimci-mpi: the ranks of an MPI job (eval_ranks.h). Built by
** mpicc into aimci-mpi only, in place of eval_ranks_one.c; plain aimci never links MPI.
**
** Rank 0, the lead, runs the script as aimci does. Every other rank checks the script itself
** (main.c serve()), announces how many jobs it runs at a time (its threads) and then runs the
** jobs the lead sends, one message per job, sending each record back as soon as it is done:
** a rank that finishes early asks for more by that very message, so jobs of unequal cost
** spread out by themselves. The lead runs jobs on its own threads meanwhile; only its main
** thread calls MPI (MPI_THREAD_FUNNELED), polling between short sleeps, so that a waiting
** rank takes no CPU time from those that compute (MPI's blocking calls spin).
**
** Messages (MPI_COMM_WORLD):
**   rank -> lead   READY   uint64 n: n more jobs can run here (once, at the start)
**                  BROKEN  text: this rank takes no job, and why (it could not check the script)
**                  RESULT  uint64 ticket, then the job's record (eval_jobs.h); a slot free
**                  BYE     the answer to STOP: nothing more will come from this rank
**                  HALT    uint64 signal: this rank was stopped (SIGINT, SIGTERM); sent before
**                          the records of the jobs that it stopped
**   lead -> rank   JOB     "TICKET NUMBER EVERY EXPERIMENT": run that job of that experiment,
**                          checkpointing every EVERY epochs (steps; 0: not), eval_jobs.h;
**                          TICKET (a count of the JOBs sent) comes back with its RESULT
**                  HALT    uint64 signal: stop the running jobs at their next safe point
**                  STOP    the script is over (sent when the rank has no job left)
**
** Stops (rt_stop.h): a signal to any rank stops them all. The rank that gets it stops its
** jobs after their current step (writing their checkpoints where on) and tells the lead, which
** stops its own, deals no more jobs and passes the stop on to every other rank; the records of
** stopped jobs come back as failures that the lead, stopped too, does not keep, and the run
** ends as a stopped aimci does: the finished jobs' results kept, exit status 128 + signal.
**
** Ahead: while the lead runs a statement of its own (a train), the other ranks would wait; the
** lead deals them the pending jobs of the next experiment meanwhile (ev_ranks_ahead), looking
** at their messages between the train's steps (ev_ranks_idle, from its progress callback), and
** keeps the records until that experiment's deal hands them over. Nothing is printed or written
** for them before: the outputs are those of a run that dealt them in their turn.
**
** A rank that dies (killed, out of memory) ends the whole MPI job: mpirun reports which rank
** and why and stops the others. The jobs finished before are not lost: the lead saved each
** record as it came (eval_experiment.c), and running the script again runs only the rest.
*/
#include <mpi.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval.h"
#include "eval_ranks.h"
#include "rt_mem.h"
#include "rt_stop.h"

enum { TAG_READY = 1, TAG_BROKEN, TAG_RESULT, TAG_BYE, TAG_JOB, TAG_STOP, TAG_HALT };

/* Milliseconds between two looks for messages while nothing is to be done. */
#define POLL_MS 2
/*
** Milliseconds between two looks for messages at a rank whose every slot is busy: only a HALT
** or STOP can come then (a finished job wakes it at once); fewer wake-ups of the cores that
** train.
*/
#define BUSY_WAIT_MS 50

static int rank, nranks;
static size_t *slots;  /* the lead: jobs each rank can take now */
static bool *broken;   /* the lead: ranks that take no job (said once) */
static bool halted;    /* this rank's stop was passed on (the lead: to every rank; another:
                       ** to the lead), or came from there */

int ev_ranks_init(int *argc, char ***argv)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("aimci-mpi: error: MPI did not start\n", stderr);
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (rank == 0) {
        slots = rt_xcalloc((size_t)nranks, sizeof *slots);
        broken = rt_xcalloc((size_t)nranks, sizeof *broken);
    }
    return 0;
}

bool ev_ranks_lead(void)
{
    return rank == 0;
}

bool ev_ranks_own_terminal(void)
{
    return false;
}

static void nap(void)
{
    struct timespec ts = {0, POLL_MS * 1000000L};
    nanosleep(&ts, NULL);
}

/* A message waiting from src (MPI_ANY_SOURCE: any): its status. */
static bool waiting(int src, MPI_Status *st)
{
    int flag = 0;
    MPI_Iprobe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
    return flag != 0;
}

/* Receive the message st announced: a new buffer of *len bytes, NUL-terminated. */
static char *receive(const MPI_Status *st, size_t *len)
{
    int n = 0;
    MPI_Get_count(st, MPI_BYTE, &n);
    char *buf = rt_xmalloc((size_t)n + 1);
    MPI_Recv(buf, n, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* A HALT message to rank w: the signal. */
static void send_halt(int w, int sig)
{
    uint64_t n = (uint64_t)sig;
    MPI_Send(&n, 8, MPI_BYTE, w, TAG_HALT, MPI_COMM_WORLD);
}

/*
** A stop requested here (a signal) and not passed on yet: to the lead (from another rank: before
** any record of a job it stopped, so that the lead knows why it failed) or to every other rank
** (from the lead).
*/
static void pass_stop_on(void)
{
    int sig = rt_stop_requested();
    if (!sig || halted)
        return;
    halted = true;
    if (rank != 0)
        send_halt(0, sig);
    for (int w = 1; rank == 0 && w < nranks; w++)
        send_halt(w, sig);
}

/* A RESULT message: the job's ticket (8 bytes), then the record. */
static void send_result(size_t ticket, const char *text, size_t len)
{
    pass_stop_on();
    char *buf = rt_xmalloc(len + 8);
    uint64_t n = ticket;
    memcpy(buf, &n, 8);
    memcpy(buf + 8, text, len);
    MPI_Send(buf, (int)(len + 8), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    free(buf);
}

/*
** {======================================================================
** The lead
** =======================================================================
*/

/*
** Every job sent to another rank, by its ticket (the number that its JOB message gives and its
** RESULT brings back): its experiment and number, and whether a deal waits for it.
*/
typedef struct Sent {
    const IrExperiment *x;
    size_t k;
    bool counted; /* in the out count of the deal of x */
} Sent;
static Sent *sent;
static size_t nsent, capsent;

/* Send job k of x, checkpointing every `every`, to rank w (which has a free slot): its ticket. */
static size_t send_job(int w, const IrExperiment *x, size_t k, size_t every, bool counted)
{
    RT_XGROW(sent, capsent, nsent + 1);
    size_t ticket = nsent++;
    sent[ticket] = (Sent){x, k, counted};
    size_t cap = strlen(x->name) + 96;
    char *msg = rt_xmalloc(cap);
    int n = snprintf(msg, cap, "%zu %zu %zu %s", ticket, k, every, x->name);
    MPI_Send(msg, n, MPI_BYTE, w, TAG_JOB, MPI_COMM_WORLD);
    free(msg);
    slots[w]--;
    return ticket;
}

/*
** The jobs of the next experiment that the other ranks run ahead, while the lead is busy with
** a statement before it (ev_ranks_ahead); their records wait here for the experiment's deal.
*/
static struct {
    const IrExperiment *x; /* NULL: none */
    size_t *list, *every;  /* the jobs to deal ahead, in order, and their checkpoint periods */
    size_t n, next;
    unsigned char *state;  /* per job of x: AHEAD_NO, AHEAD_OUT or AHEAD_BACK */
    size_t *ticket;        /* per job of x out: its ticket */
    char **text;           /* per job back: its record */
    size_t *len;
    int *rank;
} ahead;
enum { AHEAD_NO, AHEAD_OUT, AHEAD_BACK };

/*
** Forget the jobs dealt ahead. Records that came back and that no deal took (the experiment did
** not run: the script was stopped) are saved as its deal would have (ev_experiment_keep).
*/
static void ahead_free(void)
{
    for (size_t k = 0; ahead.x && k < ev_jobs_count(ahead.x); k++) {
        if (ahead.text[k])
            ev_experiment_keep(ahead.x, k, ahead.text[k], ahead.len[k]);
        free(ahead.text[k]);
    }
    free(ahead.list), free(ahead.every), free(ahead.state), free(ahead.ticket);
    free(ahead.text), free(ahead.len), free(ahead.rank);
    memset(&ahead, 0, sizeof ahead);
}

/* Hand jobs to run ahead to rank w while it has room. */
static void deal_ahead(int w)
{
    while (ahead.x && slots[w] && ahead.next < ahead.n && !rt_stop_requested()) {
        size_t i = ahead.next++, k = ahead.list[i];
        ahead.ticket[k] = send_job(w, ahead.x, k, ahead.every[i], false);
        ahead.state[k] = AHEAD_OUT;
    }
}

/* The record of ticket t from rank w, when it is of a job run ahead: kept for its deal. */
static void stash(uint64_t t, int w, const char *text, size_t len)
{
    Sent s = t < nsent ? sent[t] : (Sent){0};
    if (!s.x || s.x != ahead.x || ahead.state[s.k] != AHEAD_OUT || ahead.ticket[s.k] != t)
        return; /* a job no deal waits for any more */
    ahead.state[s.k] = AHEAD_BACK;
    ahead.len[s.k] = len;
    ahead.rank[s.k] = w;
    ahead.text[s.k] = rt_xmalloc(len + 1);
    memcpy(ahead.text[s.k], text, len + 1);
}

/* One experiment's deal on the lead. */
typedef struct Dealer {
    const EvDeal *d;
    size_t *todo; /* the jobs to hand out: the pending ones not run ahead */
    size_t ntodo;
    size_t next;  /* todo[next] is the next job to hand out */
    size_t out;   /* jobs at other ranks */
} Dealer;

/* Hand jobs to rank w while it has room for them. */
static void deal_to(Dealer *g, int w)
{
    while (slots[w] && g->next < g->ntodo && !rt_stop_requested()) {
        size_t k = g->todo[g->next++];
        send_job(w, g->d->x, k, g->d->job[k].ckpt_every, true);
        g->out++;
    }
}

/* Rank w says it was stopped by a signal (HALT): the whole run stops (the others are told). */
static void lead_halt(int w, const char *buf)
{
    uint64_t sig;
    memcpy(&sig, buf, 8);
    if (rt_stop_requested())
        return; /* stopping already */
    fprintf(stderr, "aimci-mpi: rank %d was stopped by %s: every rank stops after its current "
            "step\n", w, sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
    rt_stop_request((int)sig);
}

/*
** One message from another rank, during a deal (g) or while the lead is busy with something
** else (g NULL: ev_ranks_idle). A result frees a slot of its rank, which gets its next job
** before the result is saved (a write the rank need not wait for); a result of a job run
** ahead waits for its experiment's deal.
*/
static void lead_message(Dealer *g, const MPI_Status *st)
{
    size_t len;
    char *buf = receive(st, &len);
    int w = st->MPI_SOURCE;
    if (st->MPI_TAG == TAG_READY && len == 8) {
        uint64_t n;
        memcpy(&n, buf, 8);
        slots[w] += n;
    } else if (st->MPI_TAG == TAG_HALT && len == 8) {
        lead_halt(w, buf);
    } else if (st->MPI_TAG == TAG_BROKEN && !broken[w]) {
        broken[w] = true;
        fprintf(stderr, "aimci-mpi: warning: rank %d takes no jobs: %s\n", w, buf);
    } else if (st->MPI_TAG == TAG_RESULT && len >= 8) {
        uint64_t t;
        memcpy(&t, buf, 8);
        Sent s = t < nsent ? sent[t] : (Sent){0};
        slots[w]++;
        if (g && s.counted && s.x == g->d->x) {
            g->out--;
            deal_to(g, w);
            g->d->finished(g->d->ctx, s.k, buf + 8, len - 8, w);
        } else {
            stash(t, w, buf + 8, len - 8);
        }
    }
    if (g)
        deal_to(g, w);
    else
        deal_ahead(w);
    free(buf);
}

bool ev_ranks_ahead_wanted(void)
{
    return rank == 0 && nranks > 1;
}

void ev_ranks_ahead(const IrExperiment *x, const size_t *list, const size_t *every, size_t n)
{
    ahead_free();
    if (!ev_ranks_ahead_wanted() || !n)
        return;
    size_t njobs = ev_jobs_count(x);
    ahead.x = x;
    ahead.list = rt_xmalloc(n * sizeof *ahead.list);
    ahead.every = rt_xmalloc(n * sizeof *ahead.every);
    memcpy(ahead.list, list, n * sizeof *list);
    memcpy(ahead.every, every, n * sizeof *every);
    ahead.n = n;
    ahead.state = rt_xcalloc(njobs, sizeof *ahead.state);
    ahead.ticket = rt_xcalloc(njobs, sizeof *ahead.ticket);
    ahead.text = rt_xcalloc(njobs, sizeof *ahead.text);
    ahead.len = rt_xcalloc(njobs, sizeof *ahead.len);
    ahead.rank = rt_xcalloc(njobs, sizeof *ahead.rank);
}

bool ev_ranks_ahead_has(const IrExperiment *x, size_t k)
{
    return ahead.x == x && ahead.state[k] != AHEAD_NO;
}

void ev_ranks_settle(void)
{
    if (!ahead.x)
        return;
    pass_stop_on();       /* stopped: the jobs out stop at their next step */
    ahead.n = ahead.next; /* none dealt any more */
    for (;;) {
        bool out = false;
        for (size_t k = 0; k < ev_jobs_count(ahead.x) && !out; k++)
            out = ahead.state[k] == AHEAD_OUT;
        if (!out)
            break;
        MPI_Status st;
        if (waiting(MPI_ANY_SOURCE, &st))
            lead_message(NULL, &st);
        else
            nap();
    }
    ahead_free();
}

/* Seconds of a monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ev_ranks_idle(void)
{
    static double last;
    if (!ev_ranks_ahead_wanted())
        return;
    double t = now_s();
    if (t - last < POLL_MS * 1e-3) /* called after every step: look now and then */
        return;
    last = t;
    pass_stop_on();
    MPI_Status st;
    while (waiting(MPI_ANY_SOURCE, &st))
        lead_message(NULL, &st);
    for (int w = 1; w < nranks; w++)
        deal_ahead(w);
}

void ev_ranks_deal(const EvDeal *d)
{
    EvJobPool *pool = ev_pool_new(d->threads);
    Dealer g = {d, rt_xmalloc((d->npending ? d->npending : 1) * sizeof *g.todo), 0, 0, 0};
    /* The jobs run ahead: those back are handed over now, those out are waited for. */
    bool mine = ahead.x == d->x;
    for (size_t i = 0; i < d->npending; i++) {
        size_t k = d->pending[i];
        if (mine && ahead.state[k] == AHEAD_BACK) {
            d->finished(d->ctx, k, ahead.text[k], ahead.len[k], ahead.rank[k]);
            free(ahead.text[k]);
            ahead.text[k] = NULL;
        } else if (mine && ahead.state[k] == AHEAD_OUT) {
            sent[ahead.ticket[k]].counted = true;
            g.out++;
        } else {
            g.todo[g.ntodo++] = k;
        }
    }
    ahead_free(); /* from here on, the deal takes the results of x */
    for (;;) {
        pass_stop_on(); /* stopped here: no more jobs, and every rank stops */
        for (int w = 1; w < nranks; w++) /* ranks with room left from earlier experiments */
            deal_to(&g, w);
        while (g.next < g.ntodo && ev_pool_busy(pool) < d->threads && !rt_stop_requested()) {
            ev_pool_submit(pool, d->x, &d->job[g.todo[g.next]], g.todo[g.next]);
            g.next++;
        }
        bool any = false;
        size_t k, len;
        char *text;
        while (ev_pool_take(pool, 0, &k, &text, &len)) {
            d->finished(d->ctx, k, text, len, 0);
            free(text);
            any = true;
        }
        MPI_Status st;
        while (waiting(MPI_ANY_SOURCE, &st)) {
            lead_message(&g, &st);
            any = true;
        }
        if ((g.next == g.ntodo || rt_stop_requested()) && !g.out && !ev_pool_busy(pool))
            break; /* every job done, or stopped: the others are not dealt */
        if (any)
            continue;
        if (!ev_pool_busy(pool))
            nap();
        else if (ev_pool_take(pool, POLL_MS, &k, &text, &len)) {
            d->finished(d->ctx, k, text, len, 0);
            free(text);
        }
    }
    free(g.todo);
    ev_pool_free(pool);
}

/* }====================================================================== */

/* The experiment named name of p, or NULL. */
static const IrExperiment *experiment(const IrProgram *p, const char *name)
{
    for (size_t i = 0; i < p->nruns; i++)
        if (p->runs[i].kind == IR_RUN_EXPERIMENT && strcmp(p->runs[i].name, name) == 0)
            return p->runs[i].u.experiment;
    return NULL;
}

void ev_ranks_serve(const IrProgram *p, size_t threads, const char *why)
{
    size_t cap = threads ? threads : 1; /* the jobs that run here at a time */
    if (!p || why) {
        const char *w = why ? why : "it could not check the script";
        MPI_Send(w, (int)strlen(w), MPI_BYTE, 0, TAG_BROKEN, MPI_COMM_WORLD);
    } else {
        uint64_t n = cap;
        MPI_Send(&n, 8, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
    }
    EvJobPool *pool = ev_pool_new(threads);
    for (;;) {
        bool any = false;
        size_t tag, len;
        char *text;
        pass_stop_on(); /* a signal here: the lead stops the run */
        while (ev_pool_take(pool, 0, &tag, &text, &len)) {
            send_result(tag, text, len);
            free(text);
            any = true;
        }
        MPI_Status st;
        if (waiting(0, &st)) {
            char *msg = receive(&st, &len);
            if (st.MPI_TAG == TAG_STOP) { /* jobs still running were run ahead (eval.c): */
                free(msg);                /* their records too, before BYE */
                while (ev_pool_busy(pool))
                    if (ev_pool_take(pool, POLL_MS, &tag, &text, &len)) {
                        send_result(tag, text, len);
                        free(text);
                    }
                break;
            }
            if (st.MPI_TAG == TAG_HALT) { /* the run stops: so do this rank's jobs */
                uint64_t sig = SIGTERM;
                if (len == 8)
                    memcpy(&sig, msg, 8);
                halted = true;
                if (!rt_stop_requested())
                    rt_stop_request((int)sig);
                free(msg);
                continue;
            }
            char *name = NULL, *at = NULL;
            unsigned long long ticket = strtoull(msg, &at, 10);
            unsigned long long k = strtoull(at, &at, 10);
            unsigned long long every = strtoull(at, &name, 10);
            const IrExperiment *x = p && name && *name == ' ' ? experiment(p, name + 1) : NULL;
            if (!x || k >= ev_jobs_count(x)) {
                fprintf(stderr, "aimci-mpi: error: rank %d was sent job '%s', which its script "
                                "does not have: every rank must run the same script\n",
                        rank, msg);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            EvJob j = ev_job_at(x, (size_t)k);
            j.ckpt_every = (size_t)every;
            ev_pool_submit(pool, x, &j, (size_t)ticket);
            free(msg);
            any = true;
        }
        if (any)
            continue;
        size_t busy = ev_pool_busy(pool);
        /* every slot busy: no JOB can come, only a HALT or STOP; wake for a finished job */
        if (!busy)
            nap();
        else if (ev_pool_take(pool, busy >= cap ? BUSY_WAIT_MS : POLL_MS, &tag, &text, &len)) {
            send_result(tag, text, len);
            free(text);
        }
    }
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
    ev_pool_free(pool);
}

int ev_ranks_end(int status)
{
    if (rank == 0) {
        pass_stop_on(); /* stopped in a statement of its own: jobs run ahead stop too */
        for (int w = 1; w < nranks; w++)
            MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, MPI_COMM_WORLD);
        /* Every rank's last messages (an unused READY, BROKEN), up to its BYE. */
        for (int left = nranks - 1; left > 0;) {
            MPI_Status st;
            if (!waiting(MPI_ANY_SOURCE, &st)) {
                nap();
                continue;
            }
            size_t len;
            char *buf = receive(&st, &len);
            if (st.MPI_TAG == TAG_RESULT && len >= 8) { /* of a job run ahead (stopped) */
                uint64_t t;
                memcpy(&t, buf, 8);
                stash(t, st.MPI_SOURCE, buf + 8, len - 8);
            }
            if (st.MPI_TAG == TAG_HALT && len == 8 && !rt_stop_requested()) {
                halted = true; /* the script is over: nothing to pass on, the status says it */
                lead_halt(st.MPI_SOURCE, buf);
                status = status ? status : 128 + rt_stop_requested();
            }
            free(buf);
            left -= st.MPI_TAG == TAG_BYE;
        }
        free(slots);
        free(broken);
        ahead_free();
        free(sent);
    }
    /*
    ** mpirun ends the whole job when a rank exits with a nonzero status (stopped: 128 + signal),
    ** and MPI_Finalize need not wait for the others: every rank waits here until the lead has
    ** written its last file.
    */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return status;
}
