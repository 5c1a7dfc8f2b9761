/*
** rt_fit_impl.h: what the files of the fit share (rt_fit.c, rt_fit_model.c,
** rt_fit_table.c); not part of rt_fit.h's interface.
*/
#ifndef AIMCI_RT_FIT_IMPL_H
#define AIMCI_RT_FIT_IMPL_H

#include "rt_device.h"
#include "rt_fit.h"

/* The mean device of family f with aihwkit's defaults: no spreads, no noise. */
IrDevice fit_base_device(IrDevFamily f);

/* The runtime device and the one cell (no spreads) of the mean device dev. */
void fit_device_state(RtDevice *dv, RtCell *c, const IrDevice *dev);

/*
** Segment s of d pulsed from w0 (clipped to the cell first): the prediction of each of its
** readings into pred (indexed like d->w); pulses clipped at the bounds are added to *hi, *lo.
*/
void fit_segment(const RtDevice *dv, const RtCell *c, const RtFitData *d, size_t s, double w0,
                 double *pred, size_t *hi, size_t *lo);

/* Every segment, from the anchors w0 (NULL: the data's own). */
void fit_simulate(double *pred, const IrDevice *dev, const RtFitData *d, const double *w0,
                  size_t *clip_hi, size_t *clip_lo);

/* Each observed step: direction, the weight before it, the change per pulse. */
typedef void (*FitStepFn)(void *ctx, bool up, double w0, double dw);
void fit_steps(const RtFitData *d, FitStepFn fn, void *ctx);

/* The extreme observed weights (anchors included). */
void fit_extremes(const RtFitData *d, double *lo, double *hi);

/*
** Step magnitudes against the weight, for initial guesses: least-squares lines
** up ~ up_a + up_b w and down ~ dn_a + dn_b w over the steps away from the extremes, and
** the mean magnitudes of all steps.
*/
typedef struct FitGuess {
    double lo, hi;
    double up_a, up_b, dn_a, dn_b;
    double up_mean, dn_mean;
    size_t n_up, n_dn;
} FitGuess;
void fit_guess(FitGuess *g, const RtFitData *d);

/* The tabulated families (rt_fit_table.c): fills out's nodes, device and parameters. */
int fit_table(RtFitResult *out, IrDevFamily f, const RtFitData *d, char *err, size_t errlen);

#endif
