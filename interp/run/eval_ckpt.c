/*
** eval_ckpt.c: a train's checkpoint file (eval_ckpt.h): where it is, what identifies the run,
** the train's records (finished optimizers) around the runtime's state of the running one.
**
** Identity: a hash of the train's resolved script (dump_train_closure: the train and what it
** uses) without its comments (where values came from) and without its checkpoint_every line
** (how often to checkpoint does not change the run), of the train's name, of the numerics
** version (RT_NUMERICS_VERSION) and of the checkpoint format. A changed train, another train
** or another aimci gives another identity: its checkpoint is refused.
*/
#define _DEFAULT_SOURCE /* glob */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "eval_ckpt.h"
#include "rt_file.h"
#include "rt_mem.h"

#define ERRLEN 512

char *ev_ckpt_path(const IrTrain *t)
{
    const char *beside = t->log ? t->log : t->plot;
    return beside ? rt_path_swap_ext(beside, ".ckpt") : NULL;
}

/* Whether line [s, e) sets checkpoint_every. */
static bool is_ckpt_line(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    size_t n = strlen("checkpoint_every");
    return (size_t)(e - s) >= n && strncmp(s, "checkpoint_every", n) == 0 &&
           (s + n == e || s[n] == ' ' || s[n] == '=');
}

/* The hash of the program's meaning: each line without its comment and trailing blanks. */
static uint64_t program_hash(const char *text)
{
    uint64_t h = RT_CKPT_HASH0;
    for (const char *s = text; s && *s;) {
        const char *nl = strchr(s, '\n');
        const char *end = nl ? nl : s + strlen(s), *e = s;
        bool quoted = false;
        for (; e < end && (quoted || *e != '#'); e++)
            quoted ^= *e == '"';
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s && !is_ckpt_line(s, e)) {
            h = rt_ckpt_hash(h, s, (size_t)(e - s));
            h = rt_ckpt_hash(h, "\n", 1);
        }
        s = nl ? nl + 1 : end;
    }
    return h;
}

static uint64_t identity(const IrTrain *t)
{
    Buf b = {0};
    dump_train_closure(&b, t);
    uint64_t h = program_hash(b.s);
    buf_free(&b);
    h = rt_ckpt_hash(h, t->name, strlen(t->name) + 1);
    int numerics = RT_NUMERICS_VERSION, format = RT_CKPT_FORMAT;
    h = rt_ckpt_hash(h, &numerics, sizeof numerics);
    return rt_ckpt_hash(h, &format, sizeof format);
}

/* The temporary files of path, left by a killed process (eval_ckpt.h). */
void ev_remove_temps(const char *path, const char *mid)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + strlen(mid) + 32;
    char *pat = rt_xmalloc(n);
    snprintf(pat, n, "%.*s.%s%s.tmp??????", (int)dl, path, path + dl, mid);
    glob_t g;
    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t k = 0; k < g.gl_pathc; k++)
            unlink(g.gl_pathv[k]);
        globfree(&g);
    }
    free(pat);
}

/*
** A checkpoint is there: the last run of this train was stopped, maybe killed while it wrote
** its outputs; remove their temporary files too: beside its log and its plot, every
** ".STEM.*.tmpXXXXXX" (the log, the array statistics, the cost, the plot's data and script,
** the resolved programs: all are named after the same stem).
*/
static void remove_output_temps(const IrTrain *t)
{
    const char *base[] = {t->log, t->plot};
    for (size_t b = 0; b < 2; b++) {
        if (!base[b])
            continue;
        char *stem = rt_path_swap_ext(base[b], "");
        ev_remove_temps(stem, ".*");
        free(stem);
    }
}

/*
** The train's records: optimizers, how many finished, and their outcomes (both ways; saving
** only reads res).
*/
static void ser_train(RtSer *s, const IrTrain *t, size_t *nopt, size_t *done, EvOpt *res)
{
    size_t max = t->nopt;
    rt_ser_size(s, RT_CK_TRAIN, nopt);
    rt_ser_size(s, RT_CK_TRAIN, done);
    if (s->load && !s->failed && (*nopt != max || *done > max)) {
        snprintf(s->msg, sizeof s->msg, "it counts %zu optimizers (%zu finished), the train %zu",
                 *nopt, *done, max);
        s->failed = true;
    }
    for (size_t k = 0; k < *done && !s->failed; k++) {
        size_t rc = (size_t)res[k].rc, cap = 0, len = res[k].msg ? strlen(res[k].msg) + 1 : 0;
        rt_ser_size(s, RT_CK_TRAIN, &rc);
        if (s->load)
            res[k].rc = (int)rc;
        rt_ser_array(s, RT_CK_TRAIN, (void **)&res[k].msg, &len, &cap, 1);
        if (s->load && len && res[k].msg[len - 1] != '\0')
            res[k].msg[len - 1] = '\0';
        if (s->load && !len) {
            free(res[k].msg);
            res[k].msg = NULL;
        }
        rt_ckpt_log(s, &res[k].log, t->model, t->opt[k]);
    }
}

size_t ev_ckpt_open(EvCkpt *c, Diag *d, const EvOptions *o, const IrTrain *t, EvOpt *res)
{
    memset(c, 0, sizeof *c);
    c->t = t;
    c->out = o->out;
    c->path = ev_ckpt_path(t);
    /* no output to put it beside: a train that only an experiment's jobs checkpoint (check) */
    c->every = !c->path ? 0 : t->checkpoint_every ? t->checkpoint_every : o->checkpoint_every;
    c->id = identity(t);
    if (!c->path)
        return 0;
    ev_remove_temps(c->path, ""); /* the checkpoint's own */
    if (access(c->path, F_OK) == 0)
        remove_output_temps(t);
    if (o->fresh) {
        unlink(c->path);
        return 0;
    }
    char err[ERRLEN];
    int rc = rt_ckpt_read(c->path, c->id, &c->found, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        size_t nopt = 0;
        ser_train(&c->found, t, &nopt, &c->done, res);
        if (c->found.failed)
            snprintf(err, sizeof err, "checkpoint '%s' does not fit this run: %s; remove it, or "
                     "run with --fresh to start over", c->path, c->found.msg);
        rc = c->found.failed ? -1 : 0;
    }
    if (rc) {
        diag_error(d, t->loc, "train '%s': %s", t->name, err);
        c->t = NULL; /* refused: the train does not run */
        return SIZE_MAX;
    }
    c->on_disk = true;
    c->has_state = c->done < t->nopt && c->found.pos < c->found.len;
    if (!c->has_state)
        fprintf(o->out, "resumed %s after optimizer %s (checkpoint %s)\n", t->name,
                c->done ? t->opt[c->done - 1]->name : "-", c->path);
    for (size_t k = 0; k < c->done; k++)
        if (res[k].rc)
            diag_error(d, t->loc, "train '%s', optimizer '%s': %s", t->name, t->opt[k]->name,
                       res[k].msg ? res[k].msg : "failed");
    return c->done;
}

void ev_ckpt_where(const RtSer *state, const IrTrain *t, char *at, size_t n)
{
    RtSer peek = *state; /* the position record (rt_train.c), read from a copy */
    size_t pos[5] = {0};
    rt_ser_bytes(&peek, RT_CK_POS, pos, sizeof pos);
    if (t->epochs && pos[2] == 0)
        snprintf(at, n, "at epoch %zu", pos[1]);
    else if (t->epochs)
        snprintf(at, n, "in epoch %zu at step %zu", pos[1] + 1, pos[0]);
    else
        snprintf(at, n, "at step %zu", pos[0]);
}

/* The prefix of optimizer k's checkpoints: the train's records with k finished. */
static void build_prefix(EvCkpt *c, size_t k, const EvOpt *res)
{
    rt_ser_free(&c->prefix);
    rt_ser_init_save(&c->prefix);
    size_t nopt = c->t->nopt;
    ser_train(&c->prefix, c->t, &nopt, &k, (EvOpt *)res); /* save: res is only read */
}

RtTrainCkpt *ev_ckpt_run(EvCkpt *c, size_t k, const EvOpt *res)
{
    bool resume = c->has_state && k == c->done;
    if (!resume && !c->every)
        return NULL;
    build_prefix(c, k, res);
    c->run = (RtTrainCkpt){.path = c->every ? c->path : NULL, .id = c->id, .every = c->every,
                           .prefix = &c->prefix, .resume = resume ? &c->found : NULL};
    if (resume) {
        char at[96];
        ev_ckpt_where(&c->found, c->t, at, sizeof at);
        fprintf(c->out, "resumed %s/%s %s (checkpoint %s)\n", c->t->name, c->t->opt[k]->name,
                at, c->path);
        fflush(c->out);
    }
    return &c->run;
}

int ev_ckpt_finished(EvCkpt *c, Diag *d, size_t k, const EvOpt *res)
{
    c->on_disk |= c->run.wrote;
    if (!c->every)
        return 0;
    build_prefix(c, k + 1, res);
    char err[ERRLEN];
    if (rt_ckpt_write(c->path, c->id, &c->prefix, err, sizeof err) != 0) {
        diag_error(d, c->t->loc, "train '%s': %s", c->t->name, err);
        return 1;
    }
    c->on_disk = true;
    return 0;
}

/* The checkpoints of the trains that have finished in this ev_run (removed at its end). */
static char **done_paths;
static size_t ndone;

void ev_ckpt_close(EvCkpt *c, bool complete)
{
    c->on_disk |= c->run.wrote;
    if (complete && c->on_disk && c->path) {
        done_paths = rt_xrealloc(done_paths, (ndone + 1) * sizeof *done_paths);
        done_paths[ndone++] = c->path;
        c->path = NULL;
    }
    free(c->path);
    rt_ser_free(&c->found);
    rt_ser_free(&c->prefix);
}

void ev_ckpt_end(bool remove)
{
    for (size_t k = 0; k < ndone; k++) {
        if (remove)
            unlink(done_paths[k]);
        free(done_paths[k]);
    }
    free(done_paths);
    done_paths = NULL;
    ndone = 0;
}
