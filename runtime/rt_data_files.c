/*
** rt_data_files.c: data sets read from files: idx, fashion_mnist, csv (class labels or real
** targets) (rt_data.h).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_data.h"
#include "rt_csv.h"
#include "rt_idx.h"
#include "rt_mem.h"

/* A data set owning the arrays of e (e is emptied); labelled: one-hot targets made later. */
static RtData *from_examples(RtExamples *e)
{
    RtData *dt = rt_xcalloc(1, sizeof *dt);
    dt->rows = e->n;
    dt->shape = e->shape;
    dt->cols = rt_shape_size(e->shape);
    dt->x = e->x;
    dt->label = e->label;
    dt->t = e->t;
    dt->outs = e->nt;
    dt->f_star = NAN;
    memset(e, 0, sizeof *e);
    return dt;
}

/* Classes from both sets, then the one-hot targets of each; nonzero when out of memory.
** Data with real targets (no labels) has them already. */
static int finish_labels(RtData *dt)
{
    if (!dt->label)
        return 0;
    int32_t top = 0;
    for (RtData *s = dt; s; s = s->test)
        for (size_t r = 0; r < s->rows; r++)
            top = s->label[r] > top ? s->label[r] : top;
    for (RtData *s = dt; s; s = s->test) {
        s->classes = s->outs = (size_t)top + 1;
        if (s->outs > SIZE_MAX / sizeof(float) / (s->rows ? s->rows : 1))
            return -1;
        size_t cells = s->rows * s->outs;
        s->t = calloc(cells ? cells : 1, sizeof *s->t);
        if (!s->t)
            return -1;
        for (size_t r = 0; r < s->rows; r++)
            s->t[r * s->outs + (size_t)s->label[r]] = 1.0f;
    }
    return 0;
}

/* Train and (if given) test sets of IDX files; the shapes must agree. */
static RtData *load_idx(const char *images, const char *labels, const char *test_images,
                        const char *test_labels, size_t limit, size_t test_limit, char *err,
                        size_t errlen)
{
    RtExamples e;
    if (rt_idx_read(&e, images, labels, limit, err, errlen) != 0)
        return NULL;
    RtData *dt = from_examples(&e);
    if (test_images && test_labels) {
        if (rt_idx_read(&e, test_images, test_labels, test_limit, err, errlen) != 0) {
            rt_data_free(dt);
            return NULL;
        }
        dt->test = from_examples(&e);
        if (dt->test->cols != dt->cols) {
            snprintf(err, errlen, "%s has examples of %zu values but %s of %zu", images,
                     dt->cols, test_images, dt->test->cols);
            rt_data_free(dt);
            return NULL;
        }
    }
    return dt;
}

RtData *rt_data_fashion_mnist(const char *dir, size_t limit, size_t test_limit, char *err,
                              size_t errlen)
{
    static const char *const names[4] = {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    char path[4][4096];
    for (int k = 0; k < 4; k++) {
        snprintf(path[k], sizeof path[k], "%s/%s", dir, names[k]);
        if (access(path[k], R_OK) != 0) {
            snprintf(err, errlen, "Fashion-MNIST: %s is missing; it comes with the Debian "
                     "package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), "
                     "or read your own copy with a data of family idx", path[k]);
            return NULL;
        }
    }
    return load_idx(path[0], path[1], path[2], path[3], limit, test_limit, err, errlen);
}

/* Move the last `hold` rows of dt into a new test set; nonzero when out of memory. */
static int hold_out(RtData *dt, size_t hold)
{
    bool targets = dt->label == NULL;
    RtExamples e = {hold, dt->shape, malloc(hold * dt->cols * sizeof(float)),
                    targets ? NULL : malloc(hold * sizeof(int32_t)),
                    targets ? malloc(hold * dt->outs * sizeof(float)) : NULL, dt->outs};
    if (!e.x || (!targets && !e.label) || (targets && !e.t)) {
        rt_examples_free(&e);
        return -1;
    }
    size_t keep = dt->rows - hold;
    memcpy(e.x, dt->x + keep * dt->cols, hold * dt->cols * sizeof(float));
    if (targets)
        memcpy(e.t, dt->t + keep * dt->outs, hold * dt->outs * sizeof(float));
    else
        memcpy(e.label, dt->label + keep, hold * sizeof(int32_t));
    dt->rows = keep;
    dt->test = from_examples(&e);
    return 0;
}

/* One csv file of ir: its label column, or its target columns. */
static int read_csv(RtExamples *e, const IrData *ir, const char *path, size_t limit, char *err,
                    size_t errlen)
{
    if (!ir->targets)
        return rt_csv_read(e, path, ir->label, ir->header, limit, err, errlen);
    RtCsvCol *cols = rt_xmalloc(ir->ntargets * sizeof *cols);
    for (size_t k = 0; k < ir->ntargets; k++)
        cols[k] = (RtCsvCol){ir->targets[k].index, ir->targets[k].name};
    int rc = rt_csv_read_targets(e, path, cols, ir->ntargets, ir->header, limit, err, errlen);
    free(cols);
    return rc;
}

/* A csv table, its test set from test_file or held out by test_fraction, then limits. */
static RtData *load_csv(const IrData *ir, char *err, size_t errlen)
{
    RtExamples e;
    bool split = !ir->test_file && ir->test_fraction > 0.0;
    if (read_csv(&e, ir, ir->file, split ? 0 : ir->limit, err, errlen) != 0)
        return NULL;
    RtData *dt = from_examples(&e);
    bool ok = true;
    if (split) {
        size_t hold = (size_t)floor(ir->test_fraction * (double)dt->rows);
        if (hold == 0 || hold >= dt->rows) {
            snprintf(err, errlen, "%s: test_fraction %g of %zu rows leaves %s", ir->file,
                     ir->test_fraction, dt->rows, hold ? "no training rows" : "no test rows");
            rt_data_free(dt);
            return NULL;
        }
        ok = hold_out(dt, hold) == 0;
        if (ok && ir->limit && ir->limit < dt->rows)
            dt->rows = ir->limit;
        if (ok && ir->test_limit && ir->test_limit < dt->test->rows)
            dt->test->rows = ir->test_limit;
    }
    if (ok && ir->test_file) {
        if (read_csv(&e, ir, ir->test_file, ir->test_limit, err, errlen) != 0) {
            rt_data_free(dt);
            return NULL;
        }
        dt->test = from_examples(&e);
        if (dt->test->cols != dt->cols) {
            snprintf(err, errlen, "%s has %zu feature columns but %s has %zu", ir->file,
                     dt->cols, ir->test_file, dt->test->cols);
            rt_data_free(dt);
            return NULL;
        }
    }
    if (!ok) {
        rt_data_free(dt);
        snprintf(err, errlen, "%s: out of memory", ir->file);
    }
    return ok ? dt : NULL;
}

RtData *rt_data_load(const IrData *ir, char *err, size_t errlen)
{
    char msg[768];
    RtData *dt = NULL;
    switch (ir->kind) {
    case IR_DATA_IDX:
        dt = load_idx(ir->images, ir->labels, ir->test_images, ir->test_labels, ir->limit,
                      ir->test_limit, msg, sizeof msg);
        break;
    case IR_DATA_FASHION_MNIST:
        dt = rt_data_fashion_mnist(RT_FASHION_MNIST_DIR, ir->limit, ir->test_limit, msg,
                                   sizeof msg);
        break;
    case IR_DATA_CSV: dt = load_csv(ir, msg, sizeof msg); break;
    default: snprintf(msg, sizeof msg, "not a labelled family"); break;
    }
    if (dt && finish_labels(dt)) {
        rt_data_free(dt);
        dt = NULL;
        snprintf(msg, sizeof msg, "out of memory");
    }
    if (!dt)
        snprintf(err, errlen, "data '%s': %s", ir->name, msg);
    return dt;
}

/* An IDX set's train (and test) files by their headers and labels; 0, or -1 with msg set. */
static int probe_idx(const char *images, const char *labels, const char *test_images,
                     const char *test_labels, size_t limit, size_t test_limit, RtDataInfo *info,
                     char *msg, size_t len)
{
    int32_t top = 0, ttop = 0;
    RtShape ts;
    size_t tn;
    if (rt_idx_probe(images, labels, limit, &info->shape, &info->rows, &top, msg, len))
        return -1;
    if (test_images && test_labels) {
        if (rt_idx_probe(test_images, test_labels, test_limit, &ts, &tn, &ttop, msg, len))
            return -1;
        if (rt_shape_size(ts) != rt_shape_size(info->shape)) {
            snprintf(msg, len, "%s has examples of %zu values but %s of %zu", images,
                     rt_shape_size(info->shape), test_images, rt_shape_size(ts));
            return -1;
        }
    }
    info->outs = (size_t)(top > ttop ? top : ttop) + 1;
    info->labels = true;
    return 0;
}

int rt_data_probe(const IrData *ir, RtDataInfo *info, char *err, size_t errlen)
{
    char msg[768];
    int rc = 0;
    memset(info, 0, sizeof *info);
    if (ir->kind == IR_DATA_LEAST_SQUARES) {
        *info = (RtDataInfo){{ir->cols, 1, 1}, ir->rows, ir->outputs ? ir->outputs : 1, false};
        return 0;
    }
    if (ir->kind == IR_DATA_CSV) {
        RtData *dt = rt_data_load(ir, err, errlen);
        if (!dt)
            return -1;
        *info = (RtDataInfo){dt->shape, dt->rows, dt->outs, dt->label != NULL};
        rt_data_free(dt);
        return 0;
    }
    if (ir->kind == IR_DATA_IDX) {
        rc = probe_idx(ir->images, ir->labels, ir->test_images, ir->test_labels, ir->limit,
                       ir->test_limit, info, msg, sizeof msg);
    } else {
        static const char *const names[4] = {
            "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
        char path[4][256];
        for (int k = 0; k < 4 && !rc; k++) {
            snprintf(path[k], sizeof path[k], "%s/%s", RT_FASHION_MNIST_DIR, names[k]);
            if (access(path[k], R_OK) != 0) {
                snprintf(msg, sizeof msg, "Fashion-MNIST: %.200s is missing; it comes with the "
                         "Debian package dataset-fashion-mnist (apt-get install "
                         "dataset-fashion-mnist), or read your own copy with a data of family "
                         "idx", path[k]);
                rc = -1;
            }
        }
        if (!rc) /* the package's files: their headers only */
            rc = probe_idx(path[0], path[1], path[2], path[3], ir->limit, ir->test_limit, info,
                           msg, sizeof msg);
    }
    if (rc)
        snprintf(err, errlen, "data '%s': %s", ir->name, msg);
    return rc;
}
