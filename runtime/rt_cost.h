/*
** rt_cost.h: what a training run costs the hardware (docs/cost.md): the events counted on
** every array of a run (rt_algo.h RtArrCount, the tiles' per-device pulse counters) priced
** by a hardware model (ir.h IrHardware), and the wear of the devices.
**
** Time (ns), per array, the arrays of a layer and the layers one after the other:
**   update       updates (update_cycles pulse_time + preprocess_time)
**                + writes preprocess_time + write_cycles pulse_time + transfer reads mvm_time
**   mvm          (forward + backward MVMs) mvm_time, once per layer (its arrays are read at
**                once): counted on the weight array W
**   digital      digital operations digital_op_time / D (one lane per row)
**   calibration  calibration pulses / (D X) pulse_time (every device at once)
**                + calibration reads mvm_time
** Energy (pJ): pulses (calibration apart) pulse_energy (the device's, else the hardware's);
** an MVM of n inputs and m outputs on a D x X array n dac_energy + m adc_energy +
** D X read_energy (forward, transfer and calibration reads: n = X, m = D; backward: n = D,
** m = X), each array priced on its own; digital operations digital_op_energy.
** Transfer reads are part of the update (the seed paper's Table 3 counts them there).
** With the defaults one Analog SGD update of one sample is 32 x 5 + 5.9 = 165.9 ns and one
** Residual Learning step (update of P, read of a column, pulsed write of it onto W) is
** 2 x 165.9 + 40 = 371.8 ns.
*/
#ifndef AIMCI_RT_COST_H
#define AIMCI_RT_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "rt_algo.h"
#include "rt_train.h"

enum { RT_COST_UPDATE, RT_COST_MVM, RT_COST_DIGITAL, RT_COST_CALIB, RT_COST_NPARTS };

/* The names of the parts: "update", "mvm", "digital", "calibration". */
extern const char *const rt_cost_part[RT_COST_NPARTS];

typedef struct RtCost {
    double time[RT_COST_NPARTS];   /* ns */
    double energy[RT_COST_NPARTS]; /* pJ */
} RtCost;

/* The model without a `hardware` declaration: the defaults of docs/cost.md. */
const IrHardware *rt_cost_default(void);

/* hw, or the default model when hw is NULL. */
const IrHardware *rt_cost_model(const IrHardware *hw);

/* Add the cost of the events of one array (cumulative statistics) to c. */
void rt_cost_add(RtCost *c, const IrHardware *hw, const RtArrayStat *s);

/* Sums over the parts. */
double rt_cost_time(const RtCost *c);
double rt_cost_energy(const RtCost *c);

/* c = a - b, part by part. */
void rt_cost_sub(RtCost *c, const RtCost *a, const RtCost *b);

/* The cost, pulses and wear of a run's arrays at one logged step. */
typedef struct RtStepCost {
    size_t step;
    RtCost cost;
    double pulses, calib_pulses; /* on every analog array (calibration included in pulses) */
    double dev_max;              /* most pulses on one device of any array */
    double wear;                 /* max over arrays of dev_max / endurance; NaN: none known */
    size_t layer;                /* where wear is largest (or dev_max, without endurance) */
    char array[8];
    double endurance;            /* that array's device's endurance (0: not known) */
} RtStepCost;

/*
** The step costs of every logged step of log (in order) into a malloc'd array; *n gets how
** many (0 and NULL when the run logged no arrays, or out of memory).
*/
RtStepCost *rt_cost_steps(const IrHardware *hw, const RtLog *log, size_t *n);

/* The index of the first step cost whose wear exceeds 1 (a device past its endurance), or n. */
size_t rt_cost_worn(const RtStepCost *sc, size_t n);

#endif
