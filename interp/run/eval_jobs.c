/*
** eval_jobs.c: an experiment's jobs: running one, its key, its record as text (eval_jobs.h).
**
** The record, one field per line ("NAME VALUE"), numbers exact (%a for doubles, so that a
** decoded record gives the report the very bits of the run):
**
**   aimci job 1                      format version (EV_JOB_FORMAT)
**   experiment sweep                 identity, as the file name says it (names for a reader)
**   cell 3
**   optimizer 2 rl
**   repeat 1
**   seed 620
**   key 0f3c...                      ev_job_key, 16 hex digits
**   numerics 1                       RT_NUMERICS_VERSION (also in the key)
**   outcome ok                       ok, diverged or failed
**   error TEXT                       one line; empty when ok
**   loss F / f_star F / dist F / acc F
**   cost ANALOG TIME ENERGY PULSES MAX WEAR   the hardware cost (eval_cost.h EvCost; 0 0 and
**                                    NaNs for a digital run); format 2 on
**   row STEP LOSS DIST               the log (rt_train.h), in order
**   row_analog LOSS STD              (test_io) the analog evaluation of the row above
**   start 0 0 LR TRAIN_LOSS TRAIN_ACC TEST_LOSS TEST_ACC   (by epochs, a test set) epoch 0
**   epoch EPOCH STEP LR TRAIN_LOSS TRAIN_ACC TEST_LOSS TEST_ACC
**   epoch_analog LOSS STD ACC STD    (test_io) the analog test of the start or epoch above
**   array STEP LAYER NAME PULSES TRANSFERS MEAN_ABS SP_DIST
**   check 9a0e...                    FNV-1a 64 of every byte above this line
**
** A record that does not end with its check line, or whose check does not match, is damaged
** (a truncated or corrupted file): it is never used.
*/
#include "eval_jobs.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "rt_ckpt.h"
#include "rt_data.h"
#include "rt_file.h"
#include "rt_mem.h"
#include "rt_stop.h"
#include "text.h"

/*
** ====================================================================================
** Identity and key
** ====================================================================================
*/

size_t ev_jobs_count(const IrExperiment *x)
{
    if (!x->cell)
        return 0; /* a sweep of a measure: its runs are not jobs of this kind */
    size_t n = 0;
    for (size_t c = 0; c < x->ncells; c++)
        n += x->cell[c]->nopt * x->repeat;
    return n;
}

EvJob ev_job_at(const IrExperiment *x, size_t k)
{
    EvJob j = {0};
    size_t c = 0;
    while (c < x->ncells && k >= x->cell[c]->nopt * x->repeat)
        k -= x->cell[c++]->nopt * x->repeat;
    j.cell = c;
    j.opt = k / x->repeat;
    j.rep = k % x->repeat;
    j.seed = x->cell[c]->seed + j.rep;
    j.key = ev_job_key(x, j.cell, j.opt, j.seed);
    return j;
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

/*
** The hash of a resolved script without its comments (where each value came from, the device
** notes), trailing blanks and empty lines: the text of the values alone. A '#' inside a
** string ("...") is text.
*/
static uint64_t hash_values(uint64_t h, const char *s)
{
    while (*s) {
        const char *end = s;
        bool quoted = false;
        while (*end && *end != '\n' && (quoted || *end != '#'))
            quoted ^= *end++ == '"';
        const char *last = end;
        while (last > s && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        if (last > s) {
            h = fnv(h, s, (size_t)(last - s));
            h = fnv(h, "\n", 1);
        }
        s = strchr(end, '\n');
        s = s ? s + 1 : end + strlen(end);
    }
    return h;
}

/* The hash h continued over the bytes of the file at path (a train's `load`: the weights a
** job starts from are part of what it computes); h itself when it cannot be read. */
static uint64_t hash_file(uint64_t h, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        h = fnv(h, buf, n);
    if (f)
        fclose(f);
    return h;
}

uint64_t ev_job_key(const IrExperiment *x, size_t cell, size_t opt, uint64_t seed)
{
    IrTrain t = *x->cell[cell];
    t.opt = &x->cell[cell]->opt[opt];
    t.nopt = 1;
    t.seed = seed;
    t.log = NULL; /* where the logs go does not change the numbers */
    t.plot = NULL;
    t.save = NULL;
    t.checkpoint_every = 0; /* nor how often the run checkpoints */
    Buf b = {0};
    buf_printf(&b, "numerics %d\n", RT_NUMERICS_VERSION);
    dump_train_closure(&b, &t);
    uint64_t h = hash_values(FNV_OFFSET, b.s);
    buf_free(&b);
    return t.load ? hash_file(h, t.load) : h;
}

/*
** ====================================================================================
** Running a job
** ====================================================================================
*/

/* A loss this many times the first one logged is a divergence, though still finite. */
#define DIVERGED_FACTOR 1e6

/*
** 0, or 1 with a "training diverged at step N" message in err when a logged full-data loss
** (by epochs: a train loss) exceeds DIVERGED_FACTOR times the first one: such a run is a
** failure of the experiment, not a number to average.
*/
static int grew_apart(const RtLog *log, char *err, size_t errlen)
{
    for (size_t r = 1; r < log->n; r++)
        if (log->row[r].loss > DIVERGED_FACTOR * log->row[0].loss) {
            snprintf(err, errlen, "training diverged at step %zu: the loss is %g, more than "
                     "%g times the first logged loss %g", log->row[r].step, log->row[r].loss,
                     DIVERGED_FACTOR, log->row[0].loss);
            return 1;
        }
    for (size_t r = 1; r < log->nep; r++)
        if (log->ep[r].train_loss > DIVERGED_FACTOR * log->ep[0].train_loss) {
            snprintf(err, errlen, "training diverged at step %zu: the train loss is %g, more "
                     "than %g times that of the first epoch", log->ep[r].step,
                     log->ep[r].train_loss, DIVERGED_FACTOR);
            return 1;
        }
    return 0;
}

uint64_t ev_job_ckpt_id(const EvJob *j)
{
    unsigned format = RT_CKPT_FORMAT;
    return rt_ckpt_hash(j->key, &format, sizeof format);
}

/*
** One training run of job j on this thread: from its checkpoint in the jobs folder when there
** is one (any checkpoint of this job: how often it was written changes no number), writing
** checkpoints there when j->ckpt_every > 0. 0, 1 (err says why) or RT_TRAIN_STOPPED.
*/
static int train_job(const IrExperiment *x, EvJob *j, const IrTrain *t, const RtData *dt)
{
    char *dir = ev_jobs_dir(x);
    char *path = dir ? ev_job_ckpt_path(dir, j) : NULL;
    free(dir);
    RtSer found = {0};
    int got = path ? rt_ckpt_read(path, ev_job_ckpt_id(j), &found, j->err, sizeof j->err) : 1;
    int rc = 1;
    if (got >= 0) { /* else a checkpoint that cannot be used (the lead said so): failed */
        RtTrainCkpt ck = {.path = j->ckpt_every ? path : NULL, .id = ev_job_ckpt_id(j),
                          .every = j->ckpt_every, .resume = got == 0 ? &found : NULL};
        bool use = got == 0 || ck.path; /* resumes, or writes checkpoints */
        rc = rt_train_run_ckpt(&j->log, NULL, t, t->opt[j->opt], dt, 1, NULL, use ? &ck : NULL,
                               j->err, sizeof j->err);
    }
    rt_ser_free(&found);
    free(path);
    return rc;
}

/* One job: data from the repeat's seed, one training run on this thread, its last logged row. */
void ev_job_run(const IrExperiment *x, EvJob *j)
{
    const IrTrain *cell = x->cell[j->cell];
    IrTrain t = *cell;
    t.seed = j->seed;
    t.log = NULL;
    t.plot = NULL; /* the experiment plots the sweep, not each run */
    t.save = NULL; /* nor saves each run's weights */
    j->loss = j->f_star = j->dist = j->acc = NAN;
    j->cost = ev_cost_of(NULL, &(RtLog){0}); /* none yet */
    j->err[0] = '\0';
    j->done = true;
    j->outcome = EV_JOB_FAILED;
    if (rt_stop_requested()) { /* a safe point: between two jobs (rt_stop.h) */
        snprintf(j->err, sizeof j->err, "stopped before it started");
        return;
    }
    RtData *dt = rt_data_new(t.data, t.seed, j->err, sizeof j->err);
    if (!dt)
        return;
    int rc = train_job(x, j, &t, dt);
    /* rt_train stops a run whose loss is not finite as "training diverged at step N" */
    bool diverged = rc != 0 && strncmp(j->err, "training diverged at step ", 26) == 0;
    if (rc == 0 && grew_apart(&j->log, j->err, sizeof j->err))
        rc = 1, diverged = true;
    j->outcome = rc == 0 ? EV_JOB_OK : diverged ? EV_JOB_DIVERGED : EV_JOB_FAILED;
    const RtLog *log = &j->log;
    if (log->n) {
        j->loss = log->row[log->n - 1].loss;
        j->dist = log->row[log->n - 1].dist;
    }
    if (log->nep) { /* by epochs: the last epoch's test loss (else train loss) and accuracy */
        const RtEpochRow *e = &log->ep[log->nep - 1];
        j->loss = isnan(e->test_loss) ? e->train_loss : e->test_loss;
        j->acc = e->test_acc;
    }
    /* f* in the train's loss units when it means something, else no loss/f* */
    j->f_star = rt_data_f_star_meaningful(dt) ? rt_data_f_star_of(dt, t.loss) : NAN;
    j->cost = ev_cost_of(t.hardware, &j->log); /* the experiment's model, if any (check.c) */
    rt_data_free(dt);
}

bool ev_job_lasting(const EvJob *j)
{
    return j->done && j->outcome != EV_JOB_FAILED;
}

void ev_job_free(EvJob *j)
{
    rt_log_free(&j->log);
}

/*
** ====================================================================================
** The record
** ====================================================================================
*/

static const char *const outcome_names[] = {"ok", "diverged", "failed"};

static void put_doubles(FILE *f, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, " %a", v[i]);
    fputc('\n', f);
}

char *ev_job_encode(const IrExperiment *x, const EvJob *j, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        rt_oom();
    fprintf(f, "aimci job %d\nexperiment %s\ncell %zu\noptimizer %zu %s\nrepeat %zu\n",
            EV_JOB_FORMAT, x->name, j->cell + 1, j->opt + 1,
            x->cell[j->cell]->opt[j->opt]->name, j->rep + 1);
    fprintf(f, "seed %" PRIu64 "\nkey %016" PRIx64 "\nnumerics %d\noutcome %s\nerror ", j->seed,
            j->key, RT_NUMERICS_VERSION, outcome_names[j->outcome]);
    for (const char *s = j->err; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    fprintf(f, "\nloss %a\nf_star %a\ndist %a\nacc %a\n", j->loss, j->f_star, j->dist, j->acc);
    fprintf(f, "cost %d", j->cost.analog ? 1 : 0);
    put_doubles(f, (double[]){j->cost.time_s, j->cost.energy_j, j->cost.pulses, j->cost.dev_max,
                              j->cost.wear}, 5);
    for (size_t r = 0; r < j->log.n; r++) {
        const RtLogRow *w = &j->log.row[r];
        fprintf(f, "row %zu", w->step);
        put_doubles(f, (double[]){w->loss, w->dist}, 2);
        if (!isnan(w->loss_analog)) { /* a train with test_io: the row's analog evaluation */
            fputs("row_analog", f);
            put_doubles(f, (double[]){w->loss_analog, w->loss_analog_std}, 2);
        }
    }
    for (size_t r = !j->log.has_start; r <= j->log.nep; r++) {
        const RtEpochRow *e = r ? &j->log.ep[r - 1] : &j->log.start;
        fprintf(f, r ? "epoch %zu %zu" : "start %zu %zu", e->epoch, e->step);
        put_doubles(f, (double[]){e->lr, e->train_loss, e->train_acc, e->test_loss, e->test_acc},
                    5);
        if (!isnan(e->test_loss_analog)) { /* the epoch's analog evaluation (test_io) */
            fputs("epoch_analog", f);
            put_doubles(f, (double[]){e->test_loss_analog, e->test_loss_analog_std,
                                      e->test_acc_analog, e->test_acc_analog_std}, 4);
        }
    }
    for (size_t r = 0; r < j->log.narr; r++) {
        const RtArrayRow *a = &j->log.arr[r];
        fprintf(f, "array %zu %zu %s", a->step, a->layer, a->s.name[0] ? a->s.name : "-");
        put_doubles(f, (double[]){a->s.pulses, a->s.transfers, a->s.mean_abs, a->s.sp_dist}, 4);
    }
    if (fflush(f) != 0)
        rt_oom();
    fprintf(f, "check %016" PRIx64 "\n", fnv(FNV_OFFSET, buf, *len));
    if (fclose(f) != 0)
        rt_oom();
    return buf;
}

/* The reader of one record: a cursor over its lines. */
typedef struct Reader {
    const char *s, *end;
    char *err;
    size_t errlen;
} Reader;

static int bad(Reader *r, const char *what, const char *line, size_t n)
{
    snprintf(r->err, r->errlen, "%s (at '%.*s')", what, (int)(n > 40 ? 40 : n), line);
    return -1;
}

/* Numbers of one line after its keyword: n unsigned (u), then m doubles (d); 0 or -1. */
static int numbers(Reader *r, const char *line, size_t len, const char *p, size_t *u, size_t nu,
                   double *d, size_t nd)
{
    char *e;
    for (size_t i = 0; i < nu; i++) {
        u[i] = (size_t)strtoull(p, &e, 10);
        if (e == p)
            return bad(r, "a field does not read", line, len);
        p = e;
    }
    for (size_t i = 0; i < nd; i++) {
        d[i] = strtod(p, &e);
        if (e == p)
            return bad(r, "a field does not read", line, len);
        p = e;
    }
    if (*p != '\n')
        return bad(r, "a line has more fields than it should", line, len);
    return 0;
}

/* One line "KEY VALUE..." into j; unknown keys are skipped (fields of later versions). */
static int field(Reader *r, EvJob *j, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    size_t klen = sp ? (size_t)(sp - line) : len - 1;
    const char *p = sp ? sp + 1 : line + len - 1;
#define KEY(k) (klen == sizeof k - 1 && memcmp(line, k, klen) == 0)
    size_t u[3];
    double d[5];
    if (KEY("cell") || KEY("repeat")) {
        if (numbers(r, line, len, p, u, 1, NULL, 0) || u[0] == 0)
            return bad(r, "a job number does not read", line, len);
        *(KEY("cell") ? &j->cell : &j->rep) = u[0] - 1;
    } else if (KEY("optimizer")) {
        char *e;
        u[0] = (size_t)strtoull(p, &e, 10);
        if (e == p || u[0] == 0)
            return bad(r, "a job number does not read", line, len);
        j->opt = u[0] - 1;
    } else if (KEY("seed") || KEY("key")) {
        char *e;
        uint64_t v = strtoull(p, &e, KEY("key") ? 16 : 10);
        if (e == p || *e != '\n')
            return bad(r, "a field does not read", line, len);
        *(KEY("key") ? &j->key : &j->seed) = v;
    } else if (KEY("outcome")) {
        size_t k = 0;
        while (k < 3 && !(strlen(outcome_names[k]) == len - 1 - (size_t)(p - line) &&
                          memcmp(p, outcome_names[k], strlen(outcome_names[k])) == 0))
            k++;
        if (k == 3)
            return bad(r, "an unknown outcome", line, len);
        j->outcome = (EvJobOutcome)k;
    } else if (KEY("error")) {
        snprintf(j->err, sizeof j->err, "%.*s", (int)(line + len - 1 - p), p);
    } else if (KEY("loss") || KEY("f_star") || KEY("dist") || KEY("acc")) {
        if (numbers(r, line, len, p, NULL, 0, d, 1))
            return -1;
        *(KEY("loss") ? &j->loss : KEY("f_star") ? &j->f_star : KEY("dist") ? &j->dist : &j->acc) =
            d[0];
    } else if (KEY("cost")) {
        if (numbers(r, line, len, p, u, 1, d, 5) || u[0] > 1)
            return bad(r, "the cost does not read", line, len);
        j->cost = (EvCost){u[0] == 1, d[0], d[1], d[2], d[3], d[4], SIZE_MAX};
    } else if (KEY("row")) {
        if (numbers(r, line, len, p, u, 1, d, 2))
            return -1;
        RT_XGROW(j->log.row, j->log.cap, j->log.n + 1);
        j->log.row[j->log.n++] = (RtLogRow){u[0], d[0], d[1], NAN, NAN};
    } else if (KEY("row_analog")) { /* of the row before it */
        if (numbers(r, line, len, p, NULL, 0, d, 2) || !j->log.n)
            return bad(r, "an analog row does not follow a row", line, len);
        j->log.row[j->log.n - 1].loss_analog = d[0];
        j->log.row[j->log.n - 1].loss_analog_std = d[1];
    } else if (KEY("epoch") || KEY("start")) {
        if (numbers(r, line, len, p, u, 2, d, 5))
            return -1;
        RtEpochRow e = {u[0], u[1], d[0], d[1], d[2], d[3], d[4], NAN, NAN, NAN, NAN};
        if (KEY("start")) { /* epoch 0: before every epoch line */
            j->log.start = e;
            j->log.has_start = true;
        } else {
            RT_XGROW(j->log.ep, j->log.epcap, j->log.nep + 1);
            j->log.ep[j->log.nep++] = e;
        }
    } else if (KEY("epoch_analog")) { /* of the epoch (or start) line before it */
        RtEpochRow *e = j->log.nep ? &j->log.ep[j->log.nep - 1]
                        : j->log.has_start ? &j->log.start : NULL;
        if (numbers(r, line, len, p, NULL, 0, d, 4) || !e)
            return bad(r, "an analog epoch does not follow an epoch", line, len);
        e->test_loss_analog = d[0], e->test_loss_analog_std = d[1];
        e->test_acc_analog = d[2], e->test_acc_analog_std = d[3];
    } else if (KEY("array")) {
        char *e;
        u[0] = (size_t)strtoull(p, &e, 10);
        u[1] = e != p ? (size_t)strtoull(e, &e, 10) : 0;
        RtArrayStat s; /* the record keeps these four; the cost is the job's own line */
        memset(&s, 0, sizeof s);
        s.dev_mean = s.dev_max = s.dev_p99 = NAN;
        size_t n = 0;
        while (*e == ' ')
            e++;
        while (e[n] != ' ' && e[n] != '\n')
            n++;
        if (n == 0 || n >= sizeof s.name)
            return bad(r, "an array name does not read", line, len);
        if (!(n == 1 && e[0] == '-'))
            memcpy(s.name, e, n);
        if (numbers(r, line, len, e + n, NULL, 0, d, 4))
            return -1;
        s.pulses = d[0], s.transfers = d[1], s.mean_abs = d[2], s.sp_dist = d[3];
        RT_XGROW(j->log.arr, j->log.arrcap, j->log.narr + 1);
        j->log.arr[j->log.narr++] = (RtArrayRow){u[0], u[1], s};
    }
#undef KEY
    return 0;
}

int ev_job_decode(EvJob *j, const char *text, size_t len, char *err, size_t errlen)
{
    Reader r = {text, text + len, err, errlen};
    int version = 0;
    if (sscanf(text, "aimci job %d\n", &version) != 1 || memchr(text, '\n', len) == NULL) {
        snprintf(err, errlen, "not a job result");
        return -1;
    }
    if (version != EV_JOB_FORMAT) {
        snprintf(err, errlen, "written in record format %d; this aimci writes %d", version,
                 EV_JOB_FORMAT);
        return 1;
    }
    /* The last line: "check HEX\n", the hash of every byte before it. */
    const char *last = len >= 2 ? text + len - 2 : text;
    while (last > text && *last != '\n')
        last--;
    uint64_t want;
    char nl;
    if (text[len - 1] != '\n' || last == text ||
        sscanf(last + 1, "check %" SCNx64 "%c", &want, &nl) != 2 || nl != '\n') {
        snprintf(err, errlen, "damaged (it does not end with its check line: cut short or "
                 "written over)");
        return -1;
    }
    if (fnv(FNV_OFFSET, text, (size_t)(last + 1 - text)) != want) {
        snprintf(err, errlen, "damaged (its checksum does not match its content)");
        return -1;
    }
    j->err[0] = '\0';
    for (const char *s = strchr(text, '\n') + 1; s <= last;) {
        const char *nl2 = memchr(s, '\n', (size_t)(r.end - s));
        size_t n = (size_t)(nl2 - s) + 1;
        if (field(&r, j, s, n)) {
            ev_job_free(j);
            return -1;
        }
        s += n;
    }
    j->done = true;
    return 0;
}

/*
** ====================================================================================
** The folder
** ====================================================================================
*/

char *ev_jobs_dir(const IrExperiment *x)
{
    const char *beside = x->report ? x->report : x->plot;
    return beside ? rt_path_swap_ext(beside, ".jobs") : NULL;
}

/* The file of job j in dir with extension ext. */
static char *job_file(const char *dir, const EvJob *j, const char *ext)
{
    size_t n = strlen(dir) + 96;
    char *p = rt_xmalloc(n);
    snprintf(p, n, "%s/cell%zu-opt%zu-rep%zu%s", dir, j->cell + 1, j->opt + 1, j->rep + 1, ext);
    return p;
}

char *ev_job_path(const char *dir, const EvJob *j)
{
    return job_file(dir, j, ".job");
}

char *ev_job_ckpt_path(const char *dir, const EvJob *j)
{
    return job_file(dir, j, ".ckpt");
}

int ev_job_read(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errlen, "unreadable (%s)", strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0, got;
    char *s = rt_xmalloc(cap);
    while ((got = fread(s + n, 1, cap - n - 1, f)) > 0)
        if ((n += got) == cap - 1)
            s = rt_xrealloc(s, cap *= 2);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(s);
        snprintf(err, errlen, "unreadable (a read error)");
        return -1;
    }
    s[n] = '\0';
    *text = s, *len = n;
    return 0;
}
