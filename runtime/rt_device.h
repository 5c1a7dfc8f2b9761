/*
** rt_device.h: device models (docs/theory.md §3): per-cross-point parameters drawn once at
** construction, the rule that applies one pulse to one weight, and what --dump reports
** about a device (granularity, number of states, symmetric point).
**
** Pulse rules (s = the cell's s_up or s_down, sigma = dw_min_std, xi fresh normals; every
** pulse ends with w = clip(w, bmin, bmax)):
**   ideal          w +-= dw_min (a tile never pulses it: exact update, no bounds)
**   constant_step  w +-= s*(1 + sigma*xi)
**   soft_bounds    w +-= s*(1 - w/b)*(1 + sigma*xi)   (mult_noise; else s*(1 - w/b) + s*sigma*xi)
**                  b = bmax up, bmin down (reverse_up: bmin - reverse_offset; reverse_down:
**                  bmax + reverse_offset)
**   linear_step    w +-= (s + a*w)*(1 + sigma*xi)     (mult_noise; else a*w + s*(1 + sigma*xi))
**                  a = -g*s/ref: the cell's slopes (aihwkit slope_up/slope_down, 3.2.3)
**   soft_bounds_reference  on v = w + ref: v +-= s*(1 - v/b + sigma*xi) (additive, the
**                  default) or s*(1 - v/b)*(1 + sigma*xi); v clipped, w = v - ref
**   exp_step       z = 2a*w/(bmax - bmin) + b; w += max(1 - A_up*e^(g_up*z), 0)*s_up*(1+sigma*xi)
**                  up, w -= max(1 - A_down*e^(-g_down*z), 0)*s_down*(1+sigma*xi) down;
**                  complex noise (sigma > 0, std_add or std_slope != 0): w += dw +
**                  sigma*(|dw| + std_add + std_slope*|w|)*xi with dw = +-y*s. No bounds
**                  range (bmax <= bmin): the pulse does nothing.
**   pow_step       w += s_up*((bmax - w)/R)^g_up*(1 + sigma*xi), w -= s_down*((w - bmin)/R)^g_dn*
**                  (1 + sigma*xi), R = bmax - bmin (R == 0: nothing); _reference: on v = w + ref
**   piecewise_step w +-= s*interp(nodes, w)*(1 + sigma*xi), nodes equally spaced bmin..bmax
**   response       w +-= s*(q(w)*(1 + sigma*xi) + sigma_c*xi')   (q tabulated)
**   linear         the same with q+ = (1 + c_lin)(1 - w/bmax), q- = (1 - c_lin)(1 - w/bmin)
**   power          q+ = (1 - w/bmax)^gamma_res, q- = (1 - w/bmin)^gamma_res
**   exponential    q+- = (exp(gamma_res*(1 - w/b)) - 1)/(exp(gamma_res) - 1), b = bmax, bmin
** (the seed paper's families: bmax = tau, bmin = -tau for the mean device, eqs. 26, 148, 149).
** A normal is drawn only where its std > 0, so noise-free devices consume no randomness.
*/
#ifndef AIMCI_RT_DEVICE_H
#define AIMCI_RT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "rt_rng.h"

/*
** Parameters of one cross-point, sampled once (aihwkit's hidden parameters,
** docs/theory.md §3.2.8: max_bound, min_bound, dwmin_up, dwmin_down, slope_up/down or
** gamma_up/down, reference, reset_bias, decay_scales, diffusion_rates).
*/
typedef struct RtCell {
    float bmin, bmax;   /* hard bounds, applied after every pulse */
    float s_up, s_down; /* step scales, in weight units */
    float p_up, p_down; /* linear_step: slopes a_up, a_dn; soft_bounds: the reference bound
                           of each direction; pow_step*: exponents g_up, g_dn; else 0 */
    float ref;          /* reference conductance (soft_bounds_reference, pow_step_reference) */
    float reset;        /* reset bias: where a reset programs, and where decay pulls */
    float decay;        /* decay scale per optimizer step (1: no decay) */
    float diffusion;    /* diffusion std per optimizer step */
} RtCell;

/* What every cross-point of one device shares: the family and its constants. */
typedef struct RtDevice {
    IrDevFamily family;
    double dw_min;      /* mean step */
    double gran;        /* weight granularity (docs/theory.md §3.2.6) */
    double dw_std;      /* c2c std (dw_min_std), relative */
    double sigma_c;     /* response, seed-paper families: additive c2c std in units of the step */
    bool mult_noise;    /* linear_step, soft_bounds, soft_bounds_reference */
    double wn;          /* write noise std in weight units (write_noise_std*dw_min); 0: off */
    bool wn_on_set;     /* apply_write_noise_on_set */
    double c_lin, gamma_res, exp_norm; /* seed-paper families; exp_norm = exp(gamma_res) - 1 */
    double A_up, A_down, g_up, g_down, a, b; /* exp_step */
    double std_add, std_slope;               /* exp_step complex noise (0, 0: plain) */
    const double *pw_up, *pw_down;           /* piecewise_step nodes; borrowed from the IR */
    size_t npw;
    const IrTable *q_up, *q_down;            /* response only; borrowed from the IR */
    bool decays, diffuses;                   /* lifetime > 0, diffusion > 0 */
    double reset_std;                        /* c2c std of a reset */
} RtDevice;

/* Copy the shared constants of ir into dv (tables and node lists stay borrowed). */
void rt_device_init(RtDevice *dv, const IrDevice *ir);

/* False for the ideal family: tiles update it exactly and never clip it. */
bool rt_device_is_pulsed(const RtDevice *dv);

/*
** The weight granularity dw of docs/theory.md §3.2.6 used for BL, A and B: dw_min, except
** pow_step* dw_min*0.5^pow_gamma, exp_step the down step at w = 0 (aihwkit averages the down
** step with itself), piecewise_step dw_min*piecewise_up[n/2] (dw_min when either is <= 0).
*/
double rt_device_granularity(const RtDevice *dv);

/*
** Draw the cells of a (D,X) array, cell[i*X+j], with aihwkit's populate rules, in three
** passes whose draw counts do not depend on any spread value (changing one spread never
** shifts the other draws):
**   1. column-major (j outer, i inner), 4 normals per cell: bmax, bmin, gain, up/down spread
**      (the seed-paper families use bounds +-tau and no up_down);
**   2. column-major, 2 uniforms and 3 normals: corrupt-device test and stuck value,
**      diffusion rate, reset bias, decay scale;
**   3. row-major, family parameters: linear_step 2 normals (g_up, g_dn), soft_bounds_reference
**      3 (down slope, up slope, reference), pow_step 2 (gain, spread), pow_step_reference 3.
** construction_seed != 0 draws from its own stream (construction_seed, RT_STREAM_D2D(0))
** instead of r: every tile of that device and shape gets the same cells. The ideal family
** draws nothing: bounds -inf/+inf, steps dw_min, decay 1 - 1/lifetime (lifetime > 1).
*/
void rt_device_sample(RtCell *cell, size_t D, size_t X, const IrDevice *ir, RtRng *r);

/* q(w) of a tabulated response: w clamped to [lo, hi], then linear interpolation. */
double rt_table_eval(const IrTable *t, double w);

/*
** Apply one pulse (up or down) to the stored weight w of the cross-point c and return the
** new stored weight, clipped (reference families: v = w + ref clipped, v - ref returned).
** c2c normals come from r.
*/
float rt_device_pulse(const RtDevice *dv, const RtCell *c, float w, bool up, RtRng *r);

/*
** The same pulse with its normals given in the order the rule draws them (the relative c2c
** noise first, then the seed-paper families' additive sigma_c), rt_device_normals(dv) of
** them; xi NULL is noise-free. The reference twin of the fast kernels (rt_kern.h).
*/
float rt_device_pulse_xi(const RtDevice *dv, const RtCell *c, float w, bool up, const float *xi);

/* How many normals one pulse of dv draws: 0, 1 or 2 (a std of 0 draws nothing). */
int rt_device_normals(const RtDevice *dv);

/* The noise-free change of one pulse from stored weight w, before clipping (signed). */
double rt_device_step(const RtDevice *dv, const RtCell *c, double w, bool up);

/* Clip w to the bounds of c (the stored weight; reference families are not shifted). */
float rt_device_clip(const RtCell *c, float w);

/* How the weight settles under balanced up/down pulses (docs/theory.md §3.2.7). */
typedef enum RtSymKind {
    RT_SYM_POINT, /* at `sym`: up and down steps are equal there */
    RT_SYM_EVERY, /* up and down steps are equal everywhere (ideal, no asymmetry) */
    RT_SYM_UPPER, /* up steps are larger everywhere: it drifts to the upper bound */
    RT_SYM_LOWER  /* down steps are larger everywhere: it drifts to the lower bound */
} RtSymKind;

/* Derived quantities of the mean device (no device-to-device variation), for --dump. */
typedef struct RtDeviceInfo {
    double granularity;  /* dw of BL/A/B (docs/theory.md §3.2.6); 0 for the ideal family */
    double states;       /* (w_max - w_min)/granularity; infinite for the ideal family */
    double lo, hi;       /* the mean device's bounds (stored weights) */
    RtSymKind sym_kind;
    double sym;          /* the symmetric point (stored weight) when sym_kind is RT_SYM_POINT */
    bool sym_numeric;    /* found by bisection on the noise-free steps, not a closed form */
    const char *sym_how; /* the closed form used, or the numerical method (static text) */
} RtDeviceInfo;

/* Granularity, number of states and symmetric point of the mean device of ir. */
void rt_device_info(RtDeviceInfo *out, const IrDevice *ir);

#endif
