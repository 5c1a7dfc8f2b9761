/*
** eval_log.h: the CSV text of training curves (RtLog), shared by a train's `log`, the log of
** each experiment cell and an experiment's long CSV of all curves, so that the three agree
** column for column (docs/language.md "Outputs").
**
** The columns follow the run: by steps `step,loss,dist_to_w_star`, by epochs
** `epoch,step,lr,train_loss,train_acc,test_loss,test_acc`, each followed by its analog
** evaluation columns when the train has a test_io (`loss_analog,loss_analog_std`;
** `test_loss_analog,test_loss_analog_std,test_acc_analog,test_acc_analog_std`). A file with
** curves of both kinds (an experiment that varies `epochs`) has the union, in the order
** epoch,step,lr, the step columns, then the epoch ones; a field that does not apply is empty.
** Every row starts with a caller's prefix (the optimizer, the cell's values, ...).
*/
#ifndef AIMCI_EVAL_LOG_H
#define AIMCI_EVAL_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "ir.h"
#include "rt_train.h"

/* Which columns a log file has. */
typedef struct EvLogCols {
    bool steps, epochs; /* curves by steps, by epochs */
    bool analog;        /* some train has a test_io */
} EvLogCols;

/* Add the columns of train t's curves to c (start from {0}). */
void ev_log_cols_add(EvLogCols *c, const IrTrain *t);

/* The column names, comma-separated, then a newline (the prefix columns come first). */
void ev_log_header(FILE *f, const EvLogCols *c);

/* One line per row of log (by steps) or per epoch (epoch 0 first when the log has it), each
** starting with prefix. */
void ev_log_rows(FILE *f, const EvLogCols *c, const char *prefix, const RtLog *log);

/* The per-array statistics: header `step,layer,array,pulses,transfers,mean_abs,sp_dist` and
** the cost columns (eval_cost.h), and
** one line per row of log->arr, starting with prefix. */
void ev_arrays_header(FILE *f);
void ev_arrays_rows(FILE *f, const char *prefix, const RtLog *log);

#endif
