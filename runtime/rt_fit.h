/*
** rt_fit.h: fitting a device family to a measured pulse response (weights already in weight
** units; interp/fit/measured.h reads and maps measured files).
**
** The data are readings of one device's weight, grouped in segments: a segment starts at a
** reading w0 (its anchor) and then lists readings, each taken after `npulse` pulses of one
** direction. The model of a segment is the family's own deterministic mean device (one cell
** with no device-to-device variation, no cycle-to-cycle noise) pulsed from w0 exactly as a
** `measure` pulses it (rt_device_pulse), so a fitted device reproduces the data pulse by
** pulse. The residuals are (model - reading) at every reading of every segment.
**
** Parametric families are fitted by nonlinear least squares (Levenberg-Marquardt, GSL
** gsl_multifit_nlinear, central-difference Jacobian) in internal parameters that keep steps
** and exponents positive and the fit smooth (up and down step sizes, not dw_min and
** up_down); the device's parameters and their standard errors follow from those by the
** delta method (covariance s^2 (J^T J)^-1, s^2 = residual sum of squares / (n - p)).
** Families whose bounds only clip (constant_step, linear_step, exp_step) fit a bound only
** when the model reaches it; otherwise it is set to the extreme observed weight (it has no
** effect on the fit, or only through a ratio with another parameter). exp_step keeps a and
** b at aihwkit's defaults (they only rescale A and gamma). The tabulated families
** (response, piecewise_step) estimate the mean step of each direction on equally spaced
** nodes over the observed range (triangular-kernel means of the observed steps; a node
** without data takes its neighbours' values), so curves need not be monotone.
*/
#ifndef AIMCI_RT_FIT_H
#define AIMCI_RT_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

typedef struct RtFitSeg {
    size_t first, n; /* readings first .. first + n - 1 */
    double w0;       /* the anchor: the weight before the segment's first pulse */
} RtFitSeg;

typedef struct RtFitData {
    size_t n;                 /* readings (not counting anchors) */
    const signed char *dir;   /* (n) +1 up, -1 down: the direction of the pulses before it */
    const unsigned *npulse;   /* (n) pulses since the previous reading (>= 1) */
    const double *w;          /* (n) the weight read */
    size_t nseg;
    const RtFitSeg *seg;
} RtFitData;

#define RT_FIT_MAX_PARAMS 10
#define RT_FIT_MAX_NODES 33

typedef enum RtFitHow {
    RT_FIT_FREE,     /* fitted */
    RT_FIT_EXTREME,  /* a bound the data never reach: the extreme observed weight */
    RT_FIT_DEFAULT,  /* kept at the family's default (exp_step's a, b) */
    RT_FIT_TABLE     /* tabulated from the data */
} RtFitHow;

typedef struct RtFitParam {
    const char *name; /* the device parameter, e.g. "dw_min" */
    double value, se; /* se: standard error; 0 when not fitted, INFINITY if undetermined */
    RtFitHow how;
} RtFitParam;

typedef struct RtFitResult {
    IrDevice dev;      /* the fitted mean device (no variation, no noise); tabulated
                          families point into this struct's node arrays */
    size_t npar;
    RtFitParam par[RT_FIT_MAX_PARAMS];
    double rms;        /* residual root mean square over all readings (weight units) */
    double lo, hi;     /* the extreme observed weights (anchors included) */
    size_t nobs;       /* readings fitted */
    size_t iterations; /* Levenberg-Marquardt iterations (0 for tabulated families) */
    size_t nnodes;     /* tabulated families: nodes lo .. hi, equally spaced */
    double node_up[RT_FIT_MAX_NODES], node_down[RT_FIT_MAX_NODES]; /* q, steps / dw_min */
    double se_up[RT_FIT_MAX_NODES], se_down[RT_FIT_MAX_NODES];
    IrTable q_up, q_down; /* response: the nodes as tables */
} RtFitResult;

/* Whether family f can be fitted (its name is listed by the caller's messages). */
bool rt_fit_supports(IrDevFamily f);

/*
** Fit family f to data into *out (which the caller keeps in place: tabulated devices point
** into it). Returns 0, or 1 with a message in err: a family that cannot be fitted, too few
** readings for the parameters, no pulses of one direction, a fit that produced no finite
** solution.
*/
int rt_fit_device(RtFitResult *out, IrDevFamily f, const RtFitData *data, char *err,
                  size_t errlen);

/*
** The mean device's predicted readings (n of them) for data: what the fit compared.
** Returns the number of pulses that were clipped at the upper and lower bound.
*/
void rt_fit_predict(double *pred, const IrDevice *dev, const RtFitData *data,
                    size_t *clip_hi, size_t *clip_lo);

#endif
