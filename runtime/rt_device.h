/*
** rt_device.h: device models (DOMAIN.md 3.2.1, 3.2.2, 3.2.6): per-cross-point parameters
** drawn once at construction, and the rule that applies one pulse to one weight.
**
** The families are those of ir.h:
**   ideal          floating point; a tile never pulses it (exact update, no bounds). Its
**                  cells have infinite bounds and a single pulse moves w by exactly dw_min.
**   constant_step  up: w += s_up*(1 + std*xi)          down: w -= s_down*(1 + std*xi)
**   soft_bounds    up: w += s_up*(1 - w/bmax)*(1 + std*xi)      (mult_noise)
**                      w += s_up*(1 - w/bmax) + s_up*std*xi      (additive)
**                  down: the same with s_down and (1 - w/bmin), bmin < 0
**   response       up: w += s_up*(q_up(w)*(1 + std*xi) + sigma_c*xi')
**                  down: w -= s_down*(q_down(w)*(1 + std*xi) + sigma_c*xi')
** Every pulse ends with w = clip(w, bmin, bmax). A normal is drawn only where its std > 0.
*/
#ifndef AIMCI_RT_DEVICE_H
#define AIMCI_RT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "rt_rng.h"

/* Parameters of one cross-point, sampled once (aihwkit max_bound, min_bound, dwmin_up/down). */
typedef struct RtCell {
    float bmin, bmax;   /* hard bounds, applied after every pulse */
    float s_up, s_down; /* step scales, in weight units */
} RtCell;

/* What every cross-point of one device shares: the family and its c2c constants. */
typedef struct RtDevice {
    IrDevFamily family;
    double dw_min;     /* mean step; also the weight granularity */
    double dw_std;     /* c2c std (dw_min_std), relative */
    double sigma_c;    /* response: additive c2c std in units of the step scale */
    bool mult_noise;   /* soft_bounds: multiplicative (true) or additive noise */
    const IrTable *q_up, *q_down; /* response only; borrowed from the IR */
} RtDevice;

/* Copy the shared constants of ir into dv (tables stay borrowed). */
void rt_device_init(RtDevice *dv, const IrDevice *ir);

/* False for the ideal family: tiles update it exactly and never clip it. */
bool rt_device_is_pulsed(const RtDevice *dv);

/* The weight granularity dw of DOMAIN.md 3.2.6 used for BL, A and B: dw_min for all families. */
double rt_device_granularity(const RtDevice *dv);

/*
** Draw the cells of a (D,X) array, cell[i*X+j], with aihwkit's populate rules and its
** column-major loop order (j outer, i inner). Each cell draws four normals, in the order
** bmax, bmin, gain, up/down spread, whatever the dtod values (so changing one spread never
** shifts the other draws). The ideal family draws nothing: bounds -inf/+inf, steps dw_min.
*/
void rt_device_sample(RtCell *cell, size_t D, size_t X, const IrDevice *ir, RtRng *r);

/* q(w) of a tabulated response: w clamped to [lo, hi], then linear interpolation. */
double rt_table_eval(const IrTable *t, double w);

/*
** Apply one pulse (up or down) to weight w of the cross-point c and return the new weight,
** clipped to [c->bmin, c->bmax]. c2c normals come from r.
*/
float rt_device_pulse(const RtDevice *dv, const RtCell *c, float w, bool up, RtRng *r);

/* Clip w to the bounds of c. */
float rt_device_clip(const RtCell *c, float w);

#endif
