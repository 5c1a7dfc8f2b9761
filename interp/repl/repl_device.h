/*
** repl_device.h: scratch copies of declared devices for exploration at the REPL (`pulse`,
** `set`, `show`, `plot`, `trace`, `sp`, `compare`).
**
** A scratch device is the cross-point a `measure` of that device sees with the session's
** seed (a 1x1 tile, cell from RT_STREAM_D2D(0), c2c noise from RT_STREAM_UPDATE(0)), so that
** `trace D [...]` on a fresh scratch copy prints the weights `measure { device = D, pulses =
** [...] }` writes. When the device has device-to-device spread, a small array of other
** cross-points (streams D2D(1), UPDATE(1)) gets the same pulses and shows that spread.
** Scratch state lives across declarations; it restarts when the session's seed changes.
*/
#ifndef AIMCI_REPL_DEVICE_H
#define AIMCI_REPL_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_rng.h"
#include "rt_tile.h"
#include "text.h"

#define REPL_SPREAD 8 /* cross-points of the spread array */

typedef struct ReplDev {
    const char *name;  /* owned */
    const IrDevice *ir; /* of the session's current program (rebound after each change) */
    uint64_t seed;
    RtTile *one;       /* the cross-point */
    RtRng c2c;
    RtTile *spread;    /* 1 x REPL_SPREAD, or NULL when every cross-point is the same */
    RtRng c2c_spread;
    uint64_t pulses;   /* fired since the scratch copy was made */
} ReplDev;

typedef struct ReplDevs {
    ReplDev **v;
    size_t n, cap;
} ReplDevs;

void repl_devs_free(ReplDevs *ds);

/*
** Point every scratch copy at program p's device of its name (the IR of the previous
** program goes away); copies whose device is gone, or all of them when the seed changed,
** are dropped.
*/
void repl_devs_rebind(ReplDevs *ds, const IrProgram *p);

/* Drop the scratch copy of device `name` (redefined: the next command starts afresh). */
void repl_devs_forget(ReplDevs *ds, const char *name);

/* The scratch copy of ir (made at weight 0 if it has none yet); NULL if out of memory. */
ReplDev *repl_dev_get(ReplDevs *ds, const IrDevice *ir, uint64_t seed);

/* A fresh copy of dev's state (for what-if runs such as `sp`); NULL if out of memory. */
ReplDev *repl_dev_clone(const ReplDev *dev);
void repl_dev_free(ReplDev *dev);

/* The cross-point's (visible) weight, and its bounds. */
double repl_dev_w(const ReplDev *dev);
void repl_dev_bounds(const ReplDev *dev, double *lo, double *hi);

/*
** Fire |n| pulses (n > 0 up, n < 0 down) on every cross-point; w (if not NULL) gets the
** cross-point's weight after each pulse. Stops early when the REPL is interrupted.
** Returns how many pulses were fired.
*/
uint64_t repl_dev_pulse(ReplDev *dev, long n, double *w);

/* Set every cross-point's weight to w (clipped to its bounds, write noise as on any set). */
void repl_dev_set(ReplDev *dev, double w);

/* The spread array's weights: mean, min, max (false if the device has no spread). */
bool repl_dev_spread(const ReplDev *dev, double *mean, double *lo, double *hi);

/* Noise-free q+(w), q-(w) of the cross-point: one pulse moves w by dw_min*q (docs/theory.md §1). */
void repl_dev_q(const ReplDev *dev, double w, double *qp, double *qm);

/* The cross-point's own symmetric point (noise-free steps; NaN when there is none). */
double repl_dev_cell_sp(const ReplDev *dev);

/*
** Alternate n single pulses, up first, on every cross-point of dev (a clone: this changes
** it), as aihwkit's plot_device_symmetry does: the weight settles around the symmetric
** point. Out: the cross-point's mean and std of w after each of the last ceil(n/10) pulses,
** and (when the device has spread) each spread cross-point's mean over the same window.
** Returns the pulses fired (fewer when interrupted).
*/
uint64_t repl_dev_alternate(ReplDev *dev, uint64_t n, double *mean, double *std,
                            double spread_mean[REPL_SPREAD]);

/* The symmetric point of spread cross-point j (NaN when none). */
double repl_dev_spread_sp(const ReplDev *dev, size_t j);

/* "w = ..." and the q+ q- F G lines of `show` at the current weight. */
void repl_dev_state(Buf *b, const ReplDev *dev);

#endif
