/*
** eval_cost.h: what a train's runs cost the hardware (docs/cost.md), as a train reports it:
** a table on the console, `<log>.cost.csv`, the cost columns of `<log>.arrays.csv`, and a
** warning when a device is driven past its endurance. The model is rt_cost.h's.
*/
#ifndef AIMCI_EVAL_COST_H
#define AIMCI_EVAL_COST_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "ir.h"
#include "rt_cost.h"
#include "rt_train.h"

/* The cost of one run, as a train or an experiment's job keeps it. */
typedef struct EvCost {
    bool analog;        /* the run has analog arrays (else the rest is NaN) */
    double time_s, energy_j; /* at the end of the run */
    double pulses, dev_max, wear;
    size_t worn_step;   /* the first logged step past the endurance (SIZE_MAX: none) */
} EvCost;

/* The cost of a run's log under hw (NULL: the defaults). */
EvCost ev_cost_of(const IrHardware *hw, const RtLog *log);

/* The header of the cost columns of `<log>.arrays.csv` (leading comma) and one row's fields. */
extern const char ev_cost_array_header[];
void ev_cost_array_fields(FILE *f, const RtArrayStat *s);

/*
** The console table: per optimizer with analog arrays (the others are left out), pulses,
** most pulses on one device, hardware time and energy, and wear (most pulses on one device
** over its endurance); nothing when no optimizer has analog arrays. logs[k] is optimizer k's log.
*/
void ev_cost_summary(FILE *f, const IrTrain *t, const RtLog *const *logs);

/*
** The cost in detail, per optimizer: time and energy in total, per epoch and by part, pulses
** (calibration apart), the most pulsed device and its wear (the REPL's `cost NAME`).
*/
void ev_cost_report(FILE *f, const IrTrain *t, const RtLog *const *logs, size_t rows);

/*
** One warning per optimizer whose devices went past their endurance: the array, the layer
** and the epoch (by steps: the logged step and its epoch; rows: the training examples).
*/
void ev_cost_warn(Diag *d, const IrTrain *t, const RtLog *const *logs, size_t rows);

/*
** `<log>.cost.csv`: one row per logged step (by epochs: per epoch) of every optimizer with
** analog arrays: cumulative time and energy in total and by part, what the row's epoch (or
** logged interval) added, pulses, calibration pulses, most pulses on one device and wear.
** NULL (and *len 0) when out of memory; *any says whether there was any row.
*/
char *ev_cost_csv(const IrTrain *t, const RtLog *const *logs, size_t rows, size_t *len,
                  bool *any);

#endif
