/*
** eval_log.c: the CSV text of training curves (eval_log.h).
*/
#include "eval_log.h"

#include <math.h>

#include "eval_cost.h"

/* Which rows a column belongs to. */
enum { BY_STEPS = 1, BY_EPOCHS = 2, BOTH = 3 };

typedef struct Col {
    const char *name;
    int rows;    /* BY_STEPS, BY_EPOCHS or BOTH */
    bool analog; /* only with a test_io */
    int field;   /* which value (see value()) */
} Col;

enum { F_EPOCH, F_STEP, F_LR, F_LOSS, F_DIST, F_LOSS_A, F_LOSS_A_STD, F_TRAIN_LOSS, F_TRAIN_ACC,
       F_TEST_LOSS, F_TEST_ACC, F_TEST_LOSS_A, F_TEST_LOSS_A_STD, F_TEST_ACC_A, F_TEST_ACC_A_STD };

static const Col cols[] = {
    {"epoch", BY_EPOCHS, false, F_EPOCH},
    {"step", BOTH, false, F_STEP},
    {"lr", BY_EPOCHS, false, F_LR},
    {"loss", BY_STEPS, false, F_LOSS},
    {"dist_to_w_star", BY_STEPS, false, F_DIST},
    {"loss_analog", BY_STEPS, true, F_LOSS_A},
    {"loss_analog_std", BY_STEPS, true, F_LOSS_A_STD},
    {"train_loss", BY_EPOCHS, false, F_TRAIN_LOSS},
    {"train_acc", BY_EPOCHS, false, F_TRAIN_ACC},
    {"test_loss", BY_EPOCHS, false, F_TEST_LOSS},
    {"test_acc", BY_EPOCHS, false, F_TEST_ACC},
    {"test_loss_analog", BY_EPOCHS, true, F_TEST_LOSS_A},
    {"test_loss_analog_std", BY_EPOCHS, true, F_TEST_LOSS_A_STD},
    {"test_acc_analog", BY_EPOCHS, true, F_TEST_ACC_A},
    {"test_acc_analog_std", BY_EPOCHS, true, F_TEST_ACC_A_STD},
};
#define NCOLS (sizeof cols / sizeof *cols)

void ev_log_cols_add(EvLogCols *c, const IrTrain *t)
{
    c->steps |= t->epochs == 0;
    c->epochs |= t->epochs > 0;
    c->analog |= t->test_io != NULL;
}

static bool shown(const EvLogCols *c, const Col *col)
{
    if (col->analog && !c->analog)
        return false;
    return ((col->rows & BY_STEPS) && c->steps) || ((col->rows & BY_EPOCHS) && c->epochs);
}

void ev_log_header(FILE *f, const EvLogCols *c)
{
    bool first = true;
    for (size_t k = 0; k < NCOLS; k++)
        if (shown(c, &cols[k])) {
            fprintf(f, "%s%s", first ? "" : ",", cols[k].name);
            first = false;
        }
    fputc('\n', f);
}

/* The value of a field in a steps row (s) or an epoch row (e); NaN where it does not apply. */
static double value(int field, const RtLogRow *s, const RtEpochRow *e)
{
    if (s)
        switch (field) {
        case F_STEP: return (double)s->step;
        case F_LOSS: return s->loss;
        case F_DIST: return s->dist;
        case F_LOSS_A: return s->loss_analog;
        case F_LOSS_A_STD: return s->loss_analog_std;
        default: return NAN;
        }
    switch (field) {
    case F_EPOCH: return (double)e->epoch;
    case F_STEP: return (double)e->step;
    case F_LR: return e->lr;
    case F_TRAIN_LOSS: return e->train_loss;
    case F_TRAIN_ACC: return e->train_acc;
    case F_TEST_LOSS: return e->test_loss;
    case F_TEST_ACC: return e->test_acc;
    case F_TEST_LOSS_A: return e->test_loss_analog;
    case F_TEST_LOSS_A_STD: return e->test_loss_analog_std;
    case F_TEST_ACC_A: return e->test_acc_analog;
    case F_TEST_ACC_A_STD: return e->test_acc_analog_std;
    default: return NAN;
    }
}

/* One line: prefix, then every shown column (counts as whole numbers, the rest %.9g). */
static void row(FILE *f, const EvLogCols *c, const char *prefix, const RtLogRow *s,
                const RtEpochRow *e)
{
    fputs(prefix, f);
    bool first = true;
    for (size_t k = 0; k < NCOLS; k++) {
        if (!shown(c, &cols[k]))
            continue;
        if (!first)
            fputc(',', f);
        first = false;
        double v = value(cols[k].field, s, e);
        if (cols[k].field == F_EPOCH || cols[k].field == F_STEP)
            fprintf(f, "%zu", cols[k].field == F_STEP ? (s ? s->step : e->step) : e->epoch);
        else if (!isnan(v))
            fprintf(f, "%.9g", v);
    }
    fputc('\n', f);
}

void ev_log_rows(FILE *f, const EvLogCols *c, const char *prefix, const RtLog *log)
{
    for (size_t r = 0; r < log->n; r++)
        row(f, c, prefix, &log->row[r], NULL);
    for (size_t r = !log->has_start; r <= log->nep && (log->nep || log->has_start); r++)
        row(f, c, prefix, NULL, r ? &log->ep[r - 1] : &log->start); /* epoch 0 first */
}

void ev_arrays_header(FILE *f)
{
    fprintf(f, "step,layer,array,pulses,transfers,mean_abs,sp_dist%s\n", ev_cost_array_header);
}

/* A CSV field: ",%.9g", or "," when not a number. */
static void put_field(FILE *f, double v)
{
    fputc(',', f);
    if (!isnan(v))
        fprintf(f, "%.9g", v);
}

void ev_arrays_rows(FILE *f, const char *prefix, const RtLog *log)
{
    for (size_t r = 0; r < log->narr; r++) {
        const RtArrayRow *a = &log->arr[r];
        fprintf(f, "%s%zu,%zu,%s", prefix, a->step, a->layer + 1, a->s.name);
        put_field(f, a->s.pulses);
        put_field(f, a->s.transfers);
        put_field(f, a->s.mean_abs);
        put_field(f, a->s.sp_dist);
        ev_cost_array_fields(f, &a->s); /* the cost columns (eval_cost.h) */
        fputc('\n', f);
    }
}
