/*
** eval_files.c: the output policy, in one place (docs/language.md "Outputs").
**
** Before the first statement runs, ev_check_program first reads the data files of every
** train that will run (rt_data_probe: they exist, hold the declared label kind or target
** columns, and fit the train's model) and the weights file it loads (an evaluate's data,
** model and weights file likewise; a file that an earlier train of the run saves is
** checked when it is read, and is not an input that outputs may not overwrite); then it
** lists every
** file the statements that will run may write: a train's log, its `.arrays.csv`, its
** `.cost.csv`, its checkpoint (eval_ckpt.c) and its resolved program, its saved weights
** (one per optimizer, ev_save_path); a measure's `out`; an experiment's report, the CSV
** beside it; every plot with its `.dat` and `.gp`; each with its `.resolved.aimc`. It
** refuses:
**   - a path that is (or links to) a directory, device, FIFO, socket or other non-regular
**     file (rt_file_target: a link to a regular file is written through);
**   - an output that is an input of the run: the script, a `use`d file or a data file,
**     compared by device and inode, so that another spelling or a hard link is caught;
**     a resolved program beside an output that would land on the script or a `use`d file
**     (`aimci out/x.resolved.aimc`) is not written at all (ev_resolved_beside): the script
**     run is already that program;
**   - two outputs that are one file (after links and `..` are resolved), except two
**     resolved programs: they hold the same text.
** The writers themselves (eval.c, eval_experiment.c, eval_plot.c, plot_file.c, the REPL's
** `:save`) all write through rt_file_write / rt_file_write_set, which refuse non-regular
** targets again at the moment of writing and commit an output with its resolved program as
** one unit. Kept apart from eval.c so that eval.c, which dispatches to eval_experiment.c, is
** not called back by it.
*/
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "rt_data.h"
#include "rt_file.h"
#include "rt_net.h"
#include "rt_net_state.h"
#include "rt_npz.h"
#include "rt_train.h"
#include "rt_mem.h"

#define ERRLEN 512

int ev_check_outputs(Diag *d, SrcLoc at, const char *const *paths, size_t n)
{
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        char err[ERRLEN];
        if (paths[k] && rt_file_check(paths[k], err, sizeof err) != 0) {
            diag_error(d, at, "%s (nothing was run)", err);
            rc = 1;
        }
    }
    return rc;
}

/*
** {======================================================================
** The files of a program
** =======================================================================
*/

/* A file a run reads or writes. */
typedef struct File {
    char *path;     /* as written (derived names: with their extension swapped) */
    char *key;      /* rt_file_key: the file it will be */
    char *ident;    /* set_ident: equal for one file */
    RtFileId id;    /* when it exists */
    bool exists;
    bool resolved;  /* a resolved program (the same text wherever written) */
    bool script;    /* an input: the script or a `use`d file */
    bool cell_log;  /* the log of an experiment's cell */
    char *what;     /* "the log of train 'fit'", "data 'ls'" */
    SrcLoc at;      /* the statement (outputs) */
    size_t group;   /* an output and the files beside it share a group */
} File;

typedef struct Files {
    File *v;
    size_t n, cap;
    size_t groups;
} Files;

static void add(Files *fs, const char *path, bool resolved, SrcLoc at, const char *fmt,
                const char *a, const char *b)
{
    RT_XGROW(fs->v, fs->cap, fs->n + 1);
    File *f = &fs->v[fs->n++];
    *f = (File){.path = rt_xstrdup(path), .key = rt_file_key(path), .resolved = resolved,
                .at = at};
    f->exists = rt_file_id(path, &f->id);
    f->group = fs->groups;
    size_t len = strlen(fmt) + strlen(a) + strlen(b) + 1;
    f->what = rt_xmalloc(len);
    snprintf(f->what, len, fmt, a, b);
}

/* path with its extension swapped, as an output of what. */
static void add_beside(Files *fs, const char *path, const char *ext, bool resolved, SrcLoc at,
                       const char *fmt, const char *a, const char *b)
{
    char *p = rt_path_swap_ext(path, ext);
    add(fs, p, resolved, at, fmt, a, b);
    free(p);
}

/* An output and the files written beside it. */
static void add_output(Files *fs, const EvOptions *o, const char *path, SrcLoc at,
                       const char *role, const char *kind, const char *name)
{
    if (!path)
        return;
    fs->groups++;
    char fmt[96];
    snprintf(fmt, sizeof fmt, "the %s of %%s '%%s'", role);
    add(fs, path, false, at, fmt, kind, name);
    if (strcmp(role, "plot") == 0) {
        snprintf(fmt, sizeof fmt, "the plot data of %%s '%%s'");
        add_beside(fs, path, ".dat", false, at, fmt, kind, name);
        snprintf(fmt, sizeof fmt, "the plot script of %%s '%%s'");
        add_beside(fs, path, ".gp", false, at, fmt, kind, name);
    } else if (strcmp(role, "log") == 0) {
        snprintf(fmt, sizeof fmt, "the array statistics of %%s '%%s'");
        add_beside(fs, path, ".arrays.csv", false, at, fmt, kind, name);
        snprintf(fmt, sizeof fmt, "the hardware cost of %%s '%%s'");
        add_beside(fs, path, ".cost.csv", false, at, fmt, kind, name);
    } else if (strcmp(role, "report") == 0) {
        snprintf(fmt, sizeof fmt, "the CSV table of %%s '%%s'");
        add_beside(fs, path, ".csv", false, at, fmt, kind, name);
        snprintf(fmt, sizeof fmt, "the curves CSV of %%s '%%s'");
        add_beside(fs, path, ".curves.csv", false, at, fmt, kind, name);
    }
    if (o->resolved) {
        snprintf(fmt, sizeof fmt, "the resolved program of %%s '%%s'");
        add_beside(fs, path, ".resolved.aimc", true, at, fmt, kind, name);
    }
}

/* The log of cell c of experiment x and the files beside it (ev_cell_logs). */
static void add_cell_log(Files *fs, const EvOptions *o, const IrExperiment *x, size_t c)
{
    const char *path = ev_cell_out(x, c);
    char cell[32];
    snprintf(cell, sizeof cell, "%zu", c + 1);
    fs->groups++;
    add(fs, path, false, x->loc, x->cell ? "the log of cell %s of experiment '%s'"
                                         : "the output of cell %s of experiment '%s'", cell, x->name);
    fs->v[fs->n - 1].cell_log = true;
    if (x->cell)
        add_beside(fs, path, ".arrays.csv", false, x->loc,
                   "the array statistics of cell %s of experiment '%s'", cell, x->name);
    if (o->resolved)
        add_beside(fs, path, ".resolved.aimc", true, x->loc,
                   "the resolved program of cell %s of experiment '%s'", cell, x->name);
}

/* The files a data set reads. */
static void add_data(Files *fs, const IrData *dt)
{
    const char *paths[] = {dt->images, dt->labels, dt->test_images, dt->test_labels, dt->file,
                           dt->test_file};
    for (size_t k = 0; k < sizeof paths / sizeof *paths; k++)
        if (paths[k])
            add(fs, paths[k], false, (SrcLoc){0}, "%s'%s'", "a file of data ", dt->name);
}

/* Whether one of the first `before` runs of p that run (o->only) is a train that saves
** `path`: it is then written when a later run reads it, and cannot be checked before. */
static bool saved_before(const IrProgram *p, const EvOptions *o, size_t before,
                         const char *path)
{
    for (size_t r = 0; r < before; r++) {
        const IrTrain *t = p->runs[r].kind == IR_RUN_TRAIN ? p->runs[r].u.train : NULL;
        if (!t || (o->only && strcmp(o->only, p->runs[r].name) != 0))
            continue;
        for (size_t k = 0; t->save && k < t->nopt; k++) {
            char *s = ev_save_path(t, k);
            bool same = strcmp(s, path) == 0;
            free(s);
            if (same)
                return true;
        }
    }
    return false;
}

/* Whether the weights train t (run `run`) loads for optimizer k are saved by an earlier
** run: its own file, or (with several optimizers) the one tagged with the optimizer's name,
** which rt_train_load_path takes when it exists by then. The file it reads now in *path. */
static bool load_saved_before(const IrProgram *p, const EvOptions *o, size_t run,
                              const IrTrain *t, size_t k, char **path)
{
    char *own = t->nopt > 1 ? rt_path_tagged(t->load, t->opt[k]->name) : NULL;
    *path = rt_train_load_path(t, t->opt[k]);
    bool later = saved_before(p, o, run, *path) || (own && saved_before(p, o, run, own));
    free(own);
    return later;
}

/* What train t (run `run` of p) reads: its data, and the weights it loads that no earlier
** run writes. */
static void add_train_inputs(Files *in, const IrProgram *p, const EvOptions *o, size_t run,
                             const IrTrain *t)
{
    if (t && t->data)
        add_data(in, t->data);
    for (size_t k = 0; t && t->load && k < t->nopt; k++) {
        char *path;
        if (!load_saved_before(p, o, run, t, k, &path))
            add(in, path, false, (SrcLoc){0}, "%s'%s'", "the weights loaded by train ",
                t->name);
        free(path);
    }
}

char *ev_save_path(const IrTrain *t, size_t k)
{
    return t->nopt == 1 ? rt_xstrdup(t->save) : rt_path_tagged(t->save, t->opt[k]->name);
}

/* A train's saved states: one per optimizer, and the resolved program beside `save`. */
static void add_saves(Files *fs, const EvOptions *o, const IrTrain *t)
{
    if (!t->save)
        return;
    fs->groups++;
    for (size_t k = 0; k < t->nopt; k++) {
        char *p = ev_save_path(t, k);
        add(fs, p, false, t->loc, "the saved weights of %s '%s'", "train", t->name);
        free(p);
    }
    if (o->resolved)
        add_beside(fs, t->save, ".resolved.aimc", true, t->loc,
                   "the resolved program of %s '%s'", "train", t->name);
}

static void files_free(Files *fs)
{
    for (size_t k = 0; k < fs->n; k++) {
        free(fs->v[k].path);
        free(fs->v[k].key);
        free(fs->v[k].ident);
        free(fs->v[k].what);
    }
    free(fs->v);
}

/*
** Which file f is, as a string: its device and inode when it exists, else its key (where it
** will be). Two outputs, or an output and an input, are one file when these are equal.
*/
static void set_ident(File *f)
{
    size_t len = strlen(f->key) + 48;
    f->ident = rt_xmalloc(len);
    if (f->exists)
        snprintf(f->ident, len, "I%llu:%llu", f->id.dev, f->id.ino);
    else
        snprintf(f->ident, len, "P%s", f->key);
}

static const File *sort_base;

/* By identity, then in program order. */
static int by_ident(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sort_base[i].ident, sort_base[j].ident);
    if (c)
        return c;
    return i < j ? -1 : i > j;
}

/* The indices of fs's files sorted by identity (ties in program order); a new array. */
static size_t *sorted(const Files *fs)
{
    size_t *ix = rt_xmalloc((fs->n ? fs->n : 1) * sizeof *ix);
    for (size_t k = 0; k < fs->n; k++)
        ix[k] = k;
    sort_base = fs->v;
    qsort(ix, fs->n, sizeof *ix, by_ident);
    return ix;
}

/*
** For each output, the earlier output it collides with, or (size_t)-1: one pass over the
** outputs sorted by identity (n log n), so that a script with many outputs checks quickly.
** Two resolved programs hold the same text: they never collide with each other.
*/
static size_t *collisions(const Files *out)
{
    size_t *with = rt_xmalloc((out->n ? out->n : 1) * sizeof *with), *ix = sorted(out);
    size_t first = 0, first_plain = (size_t)-1; /* of the current run of one identity */
    for (size_t r = 0; r < out->n; r++) {
        size_t k = ix[r];
        if (r == 0 || strcmp(out->v[ix[r - 1]].ident, out->v[k].ident) != 0) {
            first = k;
            first_plain = (size_t)-1;
        }
        with[k] = (size_t)-1;
        if (k != first && !(out->v[k].resolved && out->v[first].resolved))
            with[k] = first;
        else if (k != first && first_plain != (size_t)-1)
            with[k] = first_plain;
        if (!out->v[k].resolved && first_plain == (size_t)-1)
            first_plain = k;
    }
    free(ix);
    return with;
}

/* The input that output f is (the first in program order), or NULL: a binary search. */
static const File *input_of(const File *f, const Files *in, const size_t *ix)
{
    size_t lo = 0, hi = in->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(in->v[ix[mid]].ident, f->ident);
        if (c == 0) {
            while (mid > 0 && strcmp(in->v[ix[mid - 1]].ident, f->ident) == 0)
                mid--;
            return &in->v[ix[mid]];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* }====================================================================== */

/* The outputs and inputs of the statements that will run. */
static void collect(const IrProgram *p, const EvOptions *o, Files *out, Files *in)
{
    for (size_t k = 0; k < o->ninputs; k++) {
        add(in, o->inputs[k], false, (SrcLoc){0}, "%s%s", k ? "a `use`d file" : "the script",
            "");
        in->v[in->n - 1].script = true;
    }
    for (size_t k = 0; k < p->ndata; k++)
        add_data(in, p->data[k]);
    for (size_t k = 0; k < p->nruns; k++) {
        const IrRun *r = &p->runs[k];
        if (o->only && strcmp(o->only, r->name) != 0)
            continue;
        if (r->kind == IR_RUN_TRAIN) {
            const IrTrain *t = r->u.train;
            add_train_inputs(in, p, o, k, t);
            add_output(out, o, t->log, t->loc, "log", "train", t->name);
            add_output(out, o, t->plot, t->loc, "plot", "train", t->name);
            char *ck = ev_ckpt_path(t);
            if (ck)
                add(out, ck, false, t->loc, "the checkpoint of %s '%s'", "train", t->name);
            free(ck);
            add_saves(out, o, t);
        } else if (r->kind == IR_RUN_MEASURE) {
            const IrMeasure *m = r->u.measure;
            add_output(out, o, m->out, m->loc, "output", "measure", m->name);
            add_output(out, o, m->plot, m->loc, "plot", "measure", m->name);
        } else if (r->kind == IR_RUN_EVALUATE) {
            const IrEvaluate *e = r->u.evaluate;
            add_train_inputs(in, p, o, k, e->train);
            if (e->data)
                add_data(in, e->data);
            if (e->weights && !saved_before(p, o, k, e->weights))
                add(in, e->weights, false, (SrcLoc){0}, "%s'%s'", "the weights read by evaluate ",
                    e->name);
            add_output(out, o, e->out, e->loc, "output", "evaluate", e->name);
        } else {
            const IrExperiment *x = r->u.experiment;
            add_train_inputs(in, p, o, k, x->train);
            for (size_t c = 0; x->cell && c < x->ncells; c++)
                add_train_inputs(in, p, o, k, x->cell[c]);
            add_output(out, o, x->report, x->loc, "report", "experiment", x->name);
            add_output(out, o, x->plot, x->loc, "plot", "experiment", x->name);
            add_output(out, o, x->plot_curves, x->loc, "plot", "experiment", x->name);
            for (size_t c = 0; ev_cell_logs(x) && c < x->ncells; c++)
                add_cell_log(out, o, x, c);
        }
    }
}

/* One output against the policy: 0, or 1 (reported). */
static int check_one(Diag *d, const Files *out, size_t k, const Files *in, const size_t *inix,
                     size_t with)
{
    const File *f = &out->v[k];
    char err[ERRLEN], *target = NULL;
    int rc = rt_file_target(f->path, &target, err, sizeof err);
    if (rc != 0) {
        free(target);
        diag_error(d, f->at, "%s: %s (nothing was run)", f->what, err);
        diag_expected(d, "a path to a regular file, or to none yet");
        return 1;
    }
    rc = rt_file_folder_check(target ? target : f->path, err, sizeof err);
    free(target);
    if (rc != 0) {
        diag_error(d, f->at, "%s: %s (nothing was run)", f->what, err);
        diag_expected(d, "a path in a folder that exists and can be written, or can be made");
        return 1;
    }
    const File *input = f->exists ? input_of(f, in, inix) : NULL;
    if (input && input->script && f->resolved)
        input = NULL; /* then not written at all (ev_resolved_beside) */
    if (input) {
        diag_error(d, f->at, "%s, '%s', is %s of this run (nothing was run)", f->what, f->path,
                   input->what);
        diag_expected(d, "an output path that is none of the run's inputs");
        return 1;
    }
    if (with != (size_t)-1) {
        const File *g = &out->v[with];
        diag_error(d, f->at, "%s, '%s', is also %s (line %u) (nothing was run)", f->what,
                   f->path, g->what, g->at.line);
        diag_expected(d, "a different output path for each output of a run");
        if (f->cell_log && g->cell_log)
            diag_hint(d, "join every varied value into the path, e.g. log = "
                         "\"out/fit_\" + rram.c_lin + \".csv\" (docs/language.md, experiment)");
        return 1;
    }
    return 0;
}

/*
** {======================================================================
** The data files of the runs, checked before anything runs
** =======================================================================
*/

/*
** A weights file against model m, whose input has shape `in`: a NumPy archive whose weight
** layers and shapes are the model's. A train's load (`state` false) is checked as the
** weights it loads first (rt_net_load_weights on a digital net: the shapes do not depend
** on devices; its device state is checked when the run restores it); an evaluate's
** (`state` true) as the evaluation loads it all (rt_net_load_file on a net built as the
** evaluation builds it: output scales and arrays too). `who` names the statement
** ("train 'fit': load"). 0, or 1 (reported).
*/
static int check_weights(Diag *d, SrcLoc at, const char *who, const char *path,
                         const IrModel *m, RtShape in, uint64_t seed, bool state)
{
    char err[ERRLEN];
    RtNpz z;
    if (rt_npz_read(&z, path, err, sizeof err)) {
        diag_error(d, at, "%s: %s (nothing was run)", who, err);
        diag_expected(d, "an .npz file of weights, as a train's save writes them");
        return 1;
    }
    RtNet *n = rt_net_new_shaped(m, in, state && rt_net_state_analog(&z), false, seed, 1, err,
                                 sizeof err);
    int rc = !n || (state ? rt_net_load_file(n, m, path, err, sizeof err)
                          : rt_net_load_weights(n, m, &z, path, err, sizeof err)) != 0;
    if (rc) {
        diag_error(d, at, "%s: %s (nothing was run)", who, err);
        diag_expected(d, "weights saved from model '%s' (or arrays of its shapes)", m->name);
    }
    rt_net_free(n);
    rt_npz_free(&z);
    return rc;
}

/*
** Data dt against its files (readable) and model m (`who` names the statement): m takes its
** examples and gives its outputs, and batch fits its rows. The examples' shape in *in;
** 0, or 1 (reported).
*/
static int check_model_data(Diag *d, SrcLoc at, const char *who, const IrModel *m,
                            const IrData *dt, size_t batch, RtShape *in)
{
    if (dt->kind == IR_DATA_LEAST_SQUARES) { /* the checker knows its shape */
        *in = (RtShape){dt->cols, 1, 1};
        return 0;
    }
    char err[ERRLEN];
    RtDataInfo info;
    if (rt_data_probe(dt, &info, err, sizeof err)) {
        diag_error(d, dt->loc, "%s (nothing was run)", err);
        diag_expected(d, "data files that exist and hold what the declaration says");
        return 1;
    }
    *in = info.shape;
    RtShape *shp = rt_xcalloc(m->nlayers, sizeof *shp);
    char why[256];
    int rc = 0;
    if (rt_net_shapes(m, 0, info.shape, shp, NULL, why, sizeof why)) {
        diag_error(d, at, "%s: model '%s' does not fit the examples of data '%s': %s (nothing "
                   "was run)", who, m->name, dt->name, why);
        diag_expected(d, "a first layer that takes the %zu values of an example",
                      rt_shape_size(info.shape));
        rc = 1;
    } else if (rt_shape_size(shp[m->nlayers - 1]) != info.outs) {
        diag_error(d, at, "%s: model '%s' gives %zu outputs but data '%s' has %zu %s (nothing "
                   "was run)", who, m->name, rt_shape_size(shp[m->nlayers - 1]), dt->name,
                   info.outs, info.labels ? "classes" : "targets");
        diag_expected(d, "a last layer that gives %zu outputs", info.outs);
        rc = 1;
    } else if (batch > info.rows) {
        diag_error(d, at, "%s: batch %zu is larger than the %zu rows of data '%s' (nothing was "
                   "run)", who, batch, info.rows, dt->name);
        diag_expected(d, "batch <= %zu", info.rows);
        rc = 1;
    }
    free(shp);
    return rc;
}

/* After an error reading `path`: when an earlier train of several optimizers saves to that
** path, a hint naming the files it writes instead (one per optimizer). */
static void hint_tagged(Diag *d, const IrProgram *p, const EvOptions *o, size_t before,
                        const char *path)
{
    for (size_t r = 0; r < before; r++) {
        const IrTrain *t = p->runs[r].kind == IR_RUN_TRAIN ? p->runs[r].u.train : NULL;
        if (!t || !t->save || t->nopt < 2 || strcmp(t->save, path) != 0 ||
            (o->only && strcmp(o->only, p->runs[r].name) != 0))
            continue;
        char *first = ev_save_path(t, 0), *last = ev_save_path(t, t->nopt - 1);
        diag_hint(d, "train '%s' saves one file per optimizer, %s%s%s", t->name, first,
                  t->nopt > 2 ? " ... " : ", ", last);
        free(first);
        free(last);
        return;
    }
}

/* The data of train t (run `run` of p) against its files and its model, then the weights
** it loads (each optimizer's, rt_train_load_path) unless an earlier run saves them; 0, or 1
** (reported). */
static int check_train_data(Diag *d, const IrProgram *p, const EvOptions *o, size_t run,
                            const IrTrain *t)
{
    if (!t->data || !t->model || t->model->nlayers == 0)
        return 0;
    char who[160];
    snprintf(who, sizeof who, "train '%s'", t->name);
    RtShape in;
    if (check_model_data(d, t->loc, who, t->model, t->data, t->batch, &in))
        return 1;
    snprintf(who, sizeof who, "train '%s': load", t->name);
    int rc = 0;
    for (size_t k = 0; t->load && k < t->nopt && !rc; k++) {
        char *path;
        bool later = load_saved_before(p, o, run, t, k, &path);
        if ((k == 0 || strcmp(path, t->load) != 0) && !later &&
            (rc = check_weights(d, t->loc, who, path, t->model, in, t->seed, false)))
            hint_tagged(d, p, o, run, path);
        free(path);
    }
    return rc;
}

/* An evaluate's train as a train's, or its data, model and weights file. */
static int check_evaluate(Diag *d, const IrProgram *p, const EvOptions *o, size_t run,
                          const IrEvaluate *e)
{
    if (e->train)
        return check_train_data(d, p, o, run, e->train);
    if (!e->model || !e->data || e->model->nlayers == 0)
        return 0;
    char who[160];
    snprintf(who, sizeof who, "evaluate '%s'", e->name);
    RtShape in;
    if (check_model_data(d, e->loc, who, e->model, e->data, 1, &in))
        return 1;
    if (saved_before(p, o, run, e->weights))
        return 0;
    snprintf(who, sizeof who, "evaluate '%s': weights", e->name);
    int rc = check_weights(d, e->loc, who, e->weights, e->model, in, e->seed, true);
    if (rc)
        hint_tagged(d, p, o, run, e->weights);
    return rc;
}

/* The data of every train that will run (each data checked once per model). */
static int check_data(Diag *d, const IrProgram *p, const EvOptions *o)
{
    int rc = 0;
    for (size_t k = 0; k < p->nruns; k++) {
        const IrRun *r = &p->runs[k];
        if (o->only && strcmp(o->only, r->name) != 0)
            continue;
        if (r->kind == IR_RUN_TRAIN)
            rc |= check_train_data(d, p, o, k, r->u.train);
        else if (r->kind == IR_RUN_EXPERIMENT && r->u.experiment->train)
            rc |= check_train_data(d, p, o, k, r->u.experiment->train); /* its train as declared (the
                                       cells' files are read when they run); none: a measure */
        else if (r->kind == IR_RUN_EVALUATE)
            rc |= check_evaluate(d, p, o, k, r->u.evaluate);
    }
    return rc;
}

/* }====================================================================== */

int ev_check_program(Diag *d, const IrProgram *p, const EvOptions *o)
{
    if (check_data(d, p, o))
        return 1;
    Files out = {0}, in = {0};
    collect(p, o, &out, &in);
    for (size_t k = 0; k < out.n; k++)
        set_ident(&out.v[k]);
    for (size_t k = 0; k < in.n; k++)
        set_ident(&in.v[k]);
    size_t *with = collisions(&out), *inix = sorted(&in);
    int rc = 0;
    size_t bad = (size_t)-1; /* one error per output and the files beside it */
    for (size_t k = 0; k < out.n; k++)
        if (out.v[k].group != bad && check_one(d, &out, k, &in, inix, with[k])) {
            bad = out.v[k].group;
            rc = 1;
        }
    free(with);
    free(inix);
    files_free(&out);
    files_free(&in);
    return rc;
}

const char *ev_cell_out(const IrExperiment *x, size_t c)
{
    return x->cell ? x->cell[c]->log : x->mcell[c]->out;
}

bool ev_cell_logs(const IrExperiment *x)
{
    for (size_t c = 1; c < x->ncells; c++)
        if (ev_cell_out(x, c) && ev_cell_out(x, 0) && strcmp(ev_cell_out(x, c), ev_cell_out(x, 0)))
            return true;
    return false;
}

char *ev_resolved_beside(const EvOptions *o, const char *path)
{
    if (!o->resolved)
        return NULL;
    char *res = rt_path_swap_ext(path, ".resolved.aimc");
    RtFileId id, in;
    if (!rt_file_id(res, &id))
        return res;
    for (size_t k = 0; k < o->ninputs; k++)
        if (rt_file_id(o->inputs[k], &in) && in.dev == id.dev && in.ino == id.ino) {
            free(res);
            return NULL;
        }
    return res;
}
