/*
** test_jobs.c: experiment jobs (interp/run/eval_jobs.c, eval_job_pool.c): a record reads back
** to the very bits it was written from, a damaged or cut record never reads, a record of
** another format version is told apart, fields of later versions are skipped; the key of a
** job changes with every value that determines it and with nothing else; jobs run on any
** number of threads give the same records.
*/
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_fixtures.h"
#include "eval_jobs.h"
#include "rt_ckpt.h"

TestSuite(jobs, .init = fe_setup, .fini = fe_teardown);

/* A grid of 2 cells (rram.up_down) x 2 optimizers x 2 repeats on least squares. */
#define GRID(extra_device, extra_train)                                                     \
    "seed = 3\n"                                                                            \
    "device rram : soft_bounds { up_down = 0.2" extra_device " }\n"                         \
    "data ls : least_squares { rows = 12, cols = 3, noise = 0.1 }\n"                        \
    "model lin { dense(3, 1, on = rram, bias = false) }\n"                                  \
    "optimizer sgd : digital_sgd { lr = 0.02 }\n"                                           \
    "optimizer asgd : analog_sgd { lr = 0.02 }\n"                                           \
    "train fit { model = lin, data = ls, steps = 40, optimizer = [sgd, asgd]" extra_train   \
    " }\n"                                                                                  \
    "experiment grid { train = fit, vary rram.up_down in [0, 0.3], repeat = 2,\n"           \
    "                  report = \"out/grid.md\" }\n"

static const IrExperiment *grid_of(const char *src)
{
    const IrProgram *p = program(src);
    for (size_t i = 0; i < p->nruns; i++)
        if (p->runs[i].kind == IR_RUN_EXPERIMENT)
            return p->runs[i].u.experiment;
    cr_assert_fail("no experiment");
    return NULL;
}

/* The same bits (NaN: both NaN of the same sign). */
static bool same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b) && !signbit(a) == !signbit(b));
}

/* FNV-1a 64, written here from its definition, to forge records with a valid check line. */
static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* A record text with its check line replaced by a correct one for the rest. */
static char *recheck(const char *text)
{
    const char *at = strstr(text, "check ");
    cr_assert_not_null(at);
    size_t n = (size_t)(at - text);
    char *out = malloc(n + 32);
    memcpy(out, text, n);
    snprintf(out + n, 32, "check %016" PRIx64 "\n", fnv1a(text, n));
    return out;
}

/* A job of experiment x with a full, hand-made outcome: every kind of value a record holds. */
static EvJob sample_job(const IrExperiment *x)
{
    EvJob j = ev_job_at(x, 5);
    j.done = true;
    j.outcome = EV_JOB_DIVERGED;
    snprintf(j.err, sizeof j.err, "training diverged at step 7: the loss is inf");
    j.loss = 0.1 + 0.2; /* not a short decimal */
    j.f_star = -0.0;
    j.dist = 4.9e-324; /* the smallest subnormal */
    j.acc = NAN;
    RtLog *l = &j.log;
    l->row = calloc(2, sizeof *l->row);
    l->row[0] = (RtLogRow){0, 1.0 / 3.0, INFINITY, 0.5, 1e-3}; /* with an analog evaluation */
    l->row[1] = (RtLogRow){7, -INFINITY, -NAN, NAN, NAN};
    l->n = l->cap = 2;
    l->ep = calloc(1, sizeof *l->ep);
    l->ep[0] = (RtEpochRow){1, 7, 0.05, 2.5, 0.125, NAN, 1e300, 0.7, 0.0, 0.25, 1.0 / 7.0};
    l->nep = l->epcap = 1;
    l->start = (RtEpochRow){0, 0, NAN, NAN, NAN, 2.25, 0.1, 2.5, 0.125, 0.05, 0.0};
    l->has_start = true;
    l->arr = calloc(2, sizeof *l->arr);
    l->arr[0] = (RtArrayRow){7, 0, {.name = "W", .pulses = 123456789.0, .transfers = NAN,
                                     .mean_abs = 0.25, .sp_dist = 1e-17}};
    l->arr[1] = (RtArrayRow){7, 2, {.name = "", .pulses = 1, .transfers = 2, .mean_abs = 3,
                                     .sp_dist = 4}};
    j.cost = (EvCost){true, 1.0 / 7.0, 0.0, 12345.0, 4e9, NAN, SIZE_MAX};
    l->narr = l->arrcap = 2;
    return j;
}

Test(jobs, a_record_reads_back_bit_for_bit)
{
    const IrExperiment *x = grid_of(GRID("", ""));
    EvJob j = sample_job(x), r = {0};
    size_t len;
    char *text = ev_job_encode(x, &j, &len), err[256] = "";
    cr_assert_eq(strlen(text), len);
    cr_assert_eq(ev_job_decode(&r, text, len, err, sizeof err), 0, "%s", err);
    cr_assert(r.done);
    cr_assert_eq(r.cell, j.cell);
    cr_assert_eq(r.opt, j.opt);
    cr_assert_eq(r.rep, j.rep);
    cr_assert_eq(r.seed, j.seed);
    cr_assert_eq(r.key, j.key);
    cr_assert_eq(r.outcome, j.outcome);
    cr_assert_str_eq(r.err, j.err);
    cr_assert(same(r.loss, j.loss) && same(r.f_star, j.f_star) && same(r.dist, j.dist) &&
              same(r.acc, j.acc));
    cr_assert(r.cost.analog && same(r.cost.time_s, j.cost.time_s) &&
              same(r.cost.energy_j, j.cost.energy_j) && same(r.cost.pulses, j.cost.pulses) &&
              same(r.cost.dev_max, j.cost.dev_max) && same(r.cost.wear, j.cost.wear),
              "the hardware cost (docs/cost.md) reads back");
    cr_assert_eq(r.log.n, 2);
    for (size_t i = 0; i < 2; i++)
        cr_assert(r.log.row[i].step == j.log.row[i].step &&
                  same(r.log.row[i].loss, j.log.row[i].loss) &&
                  same(r.log.row[i].dist, j.log.row[i].dist) &&
                  same(r.log.row[i].loss_analog, j.log.row[i].loss_analog) &&
                  same(r.log.row[i].loss_analog_std, j.log.row[i].loss_analog_std), "row %zu", i);
    cr_assert_eq(r.log.nep, 1);
    cr_assert(r.log.has_start);
    for (int k = 0; k < 2; k++) {
        const RtEpochRow *a = k ? &r.log.ep[0] : &r.log.start, *b = k ? &j.log.ep[0] : &j.log.start;
        cr_assert(a->epoch == b->epoch && a->step == b->step && same(a->lr, b->lr) &&
                  same(a->train_loss, b->train_loss) && same(a->train_acc, b->train_acc) &&
                  same(a->test_loss, b->test_loss) && same(a->test_acc, b->test_acc) &&
                  same(a->test_loss_analog, b->test_loss_analog) &&
                  same(a->test_loss_analog_std, b->test_loss_analog_std) &&
                  same(a->test_acc_analog, b->test_acc_analog) &&
                  same(a->test_acc_analog_std, b->test_acc_analog_std), "epoch row %d", k);
    }
    cr_assert_eq(r.log.narr, 2);
    for (size_t i = 0; i < 2; i++) {
        const RtArrayRow *p = &r.log.arr[i], *q = &j.log.arr[i];
        cr_assert(p->step == q->step && p->layer == q->layer && same(p->s.pulses, q->s.pulses) &&
                  same(p->s.transfers, q->s.transfers) && same(p->s.mean_abs, q->s.mean_abs) &&
                  same(p->s.sp_dist, q->s.sp_dist), "array row %zu", i);
        cr_assert_str_eq(p->s.name, q->s.name);
    }
    /* Encoding the decoded record gives the same bytes. */
    size_t len2;
    char *again = ev_job_encode(x, &r, &len2);
    cr_assert_eq(len2, len);
    cr_assert_str_eq(again, text);
    free(again);
    free(text);
    ev_job_free(&r);
    ev_job_free(&j);
}

Test(jobs, a_damaged_or_cut_record_never_reads)
{
    const IrExperiment *x = grid_of(GRID("", ""));
    EvJob j = sample_job(x);
    size_t len;
    char *text = ev_job_encode(x, &j, &len), err[256];
    /* Every byte changed (to another printable one) is caught by the checksum or the check line. */
    for (size_t i = 0; i < len; i++) {
        char *t = strdup(text);
        t[i] = t[i] == 'x' ? 'y' : 'x';
        EvJob r = {0};
        err[0] = '\0';
        cr_assert_lt(ev_job_decode(&r, t, len, err, sizeof err), 0, "byte %zu changed", i);
        cr_assert(strstr(err, "damaged") || strstr(err, "not a job result"), "%s", err);
        free(t);
    }
    /* Every cut, as a file written part way would be. */
    for (size_t n = 0; n < len; n++) {
        char *t = strndup(text, n);
        EvJob r = {0};
        cr_assert_lt(ev_job_decode(&r, t, n, err, sizeof err), 0, "cut at %zu", n);
        free(t);
    }
    free(text);
    ev_job_free(&j);
}

Test(jobs, other_versions_are_told_apart_and_later_fields_skipped)
{
    const IrExperiment *x = grid_of(GRID("", ""));
    EvJob j = sample_job(x), r = {0};
    size_t len;
    char *text = ev_job_encode(x, &j, &len), err[256];
    /* Another format version: 1, with what was found. */
    char *v = malloc(len + 8);
    snprintf(v, len + 8, "aimci job %d%s", EV_JOB_FORMAT + 1, strchr(text, '\n'));
    char *v2 = recheck(v);
    cr_assert_eq(ev_job_decode(&r, v2, strlen(v2), err, sizeof err), 1);
    cr_assert(strstr(err, "format"), "%s", err);
    /* A field this version does not know, written by a later one: read past. */
    const char *at = strstr(text, "check ");
    size_t n = (size_t)(at - text);
    char *f = malloc(len + 64);
    snprintf(f, len + 64, "%.*scost_energy_j 0x1p+0 7\n%s", (int)n, text, at);
    char *f2 = recheck(f);
    cr_assert_eq(ev_job_decode(&r, f2, strlen(f2), err, sizeof err), 0, "%s", err);
    cr_assert_eq(r.key, j.key);
    cr_assert_eq(r.log.narr, 2);
    ev_job_free(&r);
    free(v), free(v2), free(f), free(f2), free(text);
    ev_job_free(&j);
}

/* The key of job k of an experiment checked from src. */
static uint64_t key_of(const char *src, size_t k)
{
    fe_teardown();
    fe_setup();
    return ev_job_at(grid_of(src), k).key;
}

Test(jobs, the_key_follows_what_determines_the_numbers)
{
    const IrExperiment *x = grid_of(GRID("", ""));
    cr_assert_eq(ev_jobs_count(x), 8);
    /* Every job of the grid has its own key: cells, optimizers and seeds differ. */
    uint64_t k[8];
    for (size_t i = 0; i < 8; i++) {
        k[i] = ev_job_at(x, i).key;
        for (size_t e = 0; e < i; e++)
            cr_assert_neq(k[i], k[e], "jobs %zu and %zu", e, i);
    }
    /* Job numbers: cell, then optimizer, then repeat. */
    EvJob j = ev_job_at(x, 6);
    cr_assert(j.cell == 1 && j.opt == 1 && j.rep == 0 && j.seed == 3);
    cr_assert_eq(ev_job_at(x, 7).seed, 4);
    /* Where values come from (set to the default, or the script's seed written out) and where
    ** the log goes change no number: the same keys. */
    uint64_t same_run = key_of(GRID(", dw_min = 0.001", ", seed = 3, log = \"out/l.csv\""), 6);
    cr_assert_eq(same_run, k[6]);
    /* Nor how often the run checkpoints: a result is reused whatever checkpoint_every. */
    cr_assert_eq(key_of(GRID("", ", checkpoint_every = 7"), 6), k[6]);
    /* A value the job uses changes its key: the device, the train, the seed. */
    cr_assert_neq(key_of(GRID(", dw_min = 0.002", ""), 6), k[6]);
    cr_assert_neq(key_of(GRID("", ", batch = 2"), 6), k[6]);
    cr_assert_neq(key_of(GRID("", ", seed = 4"), 6), k[6]);
}

Test(jobs, records_do_not_depend_on_threads)
{
    const IrExperiment *x = grid_of(GRID("", ""));
    size_t n = ev_jobs_count(x);
    char *one[8] = {0};
    for (size_t threads = 1; threads <= 3; threads += 2) {
        EvJobPool *pool = ev_pool_new(threads);
        for (size_t k = 0; k < n; k++) {
            EvJob j = ev_job_at(x, k);
            ev_pool_submit(pool, x, &j, k);
        }
        size_t tag, len, got = 0;
        char *text;
        while (ev_pool_take(pool, -1, &tag, &text, &len)) {
            cr_assert_lt(tag, n);
            if (threads == 1)
                one[tag] = text;
            else {
                cr_assert_str_eq(text, one[tag], "job %zu", tag);
                free(text);
            }
            got++;
        }
        cr_assert_eq(got, n);
        cr_assert_eq(ev_pool_busy(pool), 0);
        ev_pool_free(pool);
    }
    /* Each record is a job that trained: outcome ok, its loss logged. */
    for (size_t k = 0; k < n; k++) {
        EvJob r = {0};
        char err[256];
        cr_assert_eq(ev_job_decode(&r, one[k], strlen(one[k]), err, sizeof err), 0, "%s", err);
        cr_assert_eq(r.outcome, EV_JOB_OK);
        cr_assert(isfinite(r.loss) && r.log.n > 1);
        ev_job_free(&r);
        free(one[k]);
    }
}

/* The record of job j run now (its text; the caller frees it). */
static char *run_record(const IrExperiment *x, EvJob j)
{
    size_t len;
    ev_job_run(x, &j);
    char *text = ev_job_encode(x, &j, &len);
    ev_job_free(&j);
    return text;
}

Test(jobs, a_job_continues_from_its_checkpoint_to_the_same_record)
{
    char src[1024];
    snprintf(src, sizeof src,
             "seed = 3\n"
             "device rram : soft_bounds { up_down = 0.2 }\n"
             "data ls : least_squares { rows = 12, cols = 3, noise = 0.1 }\n"
             "model lin { dense(3, 1, on = rram, bias = false) }\n"
             "optimizer rl : residual { lr = 0.02 }\n"
             "train fit { model = lin, data = ls, steps = 40, batch = 2, optimizer = rl }\n"
             "experiment grid { train = fit, repeat = 1, report = \"%s/grid.md\" }\n",
             fe.tmp);
    const IrExperiment *x = grid_of(src);
    EvJob j = ev_job_at(x, 0);
    char *dir = ev_jobs_dir(x), *ck = ev_job_ckpt_path(dir, &j);
    /* From the start, checkpointing off: no checkpoint. */
    char *whole = run_record(x, j);
    cr_assert(access(ck, F_OK) != 0, "a job without checkpointing wrote %s", ck);
    /* Every 7 steps: the last one written (step 35 of 40) stays, nobody removes it here. */
    j.ckpt_every = 7;
    char *first = run_record(x, j);
    cr_assert_str_eq(first, whole, "checkpointing changed the record");
    cr_assert_eq(access(ck, F_OK), 0, "no checkpoint %s", ck);
    /* Run again: it continues from step 35, and its record is the run's from the start. */
    j.ckpt_every = 0;
    char *again = run_record(x, j);
    cr_assert_str_eq(again, whole, "the resumed job's record differs");
    /* It did read the checkpoint: one of another job's identity is refused (the job fails). */
    EvJob other = ev_job_at(x, 0);
    other.key ^= 1;
    RtSer body;
    rt_ser_init_save(&body);
    char err[256];
    cr_assert_eq(rt_ckpt_write(ck, ev_job_ckpt_id(&other), &body, err, sizeof err), 0, "%s", err);
    rt_ser_free(&body);
    ev_job_run(x, &j);
    cr_assert_eq(j.outcome, EV_JOB_FAILED);
    cr_assert(strstr(j.err, ck) && strstr(j.err, "identity differs"), "%s", j.err);
    ev_job_free(&j);
    unlink(ck);
    free(whole), free(first), free(again), free(dir), free(ck);
}
