/*
** ir.h: the checked, fully resolved program; the only thing the runtime sees.
**
** The checker (interp/check.c) builds these structs from the AST: every name is resolved to
** a pointer, every parameter holds its final value (set, inherited, family default or
** default), every range has been validated, and `response` expressions have been tabulated.
** Nothing here refers to syntax. All memory belongs to the compile's arena: the runtime only
** reads it.
**
** Every declaration struct (IrDevice, IrData, IrOptimizer, IrModel, IrTrain, IrMeasure)
** begins with `const char *name; SrcLoc loc;`: the checker fills those generically.
*/
#ifndef AIMCI_IR_H
#define AIMCI_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srcloc.h"

/* Where a parameter's final value came from (shown by `aimci --dump`). */
typedef enum IrOrigin {
    IR_ORIGIN_DEFAULT,   /* the general default of the parameter */
    IR_ORIGIN_FAMILY,    /* the default of the family (e.g. response: no variation) */
    IR_ORIGIN_INHERITED, /* copied from the parent declaration (`device b : a`) */
    IR_ORIGIN_SET        /* written in this declaration */
} IrOrigin;

/* Upper bound on parameters per declaration kind (origin arrays are indexed by schema slot). */
#define IR_MAX_PARAMS 48

/*
** ====================================================================================
** Devices (DOMAIN.md section 3)
** ====================================================================================
*/
typedef enum IrDevFamily {
    IR_DEV_IDEAL,         /* floating-point weights, no pulses, no bounds */
    IR_DEV_CONSTANT_STEP, /* aihwkit ConstantStepDevice */
    IR_DEV_SOFT_BOUNDS,   /* aihwkit SoftBoundsDevice (LinearStep with gamma = 1) */
    IR_DEV_RESPONSE,      /* q_up(w), q_down(w) given as expressions, tabulated */
    IR_DEV__COUNT
} IrDevFamily;

/*
** A response function tabulated on n equally spaced nodes over [lo, hi]:
** node k is at lo + k*(hi-lo)/(n-1). Evaluate by linear interpolation; clamp w to
** [lo, hi] first. max_err is the largest interpolation error measured by the checker
** (at the midpoints between nodes and at 4 interior points per cell), in units of q.
*/
typedef struct IrTable {
    size_t n;
    double lo, hi;
    const double *q;
    double max_err;
} IrTable;

typedef struct IrDevice {
    const char *name;
    SrcLoc loc;
    IrDevFamily family;
    /* Shared pulsed-device parameters, aihwkit names and semantics (DOMAIN.md 3.2.1). */
    double dw_min;          /* mean step size */
    double dw_min_dtod;     /* device-to-device std of the step gain (relative) */
    bool dw_min_dtod_log_normal; /* gain = exp(dtod*xi) instead of 1 + dtod*xi */
    double dw_min_std;      /* cycle-to-cycle std of each pulse (relative, multiplicative) */
    double w_max, w_min;    /* mean bounds; w_min <= 0 <= w_max */
    double w_max_dtod, w_min_dtod; /* relative d2d std of the bounds */
    double up_down;         /* > 0 shrinks down steps, < 0 shrinks up steps (aihwkit code) */
    double up_down_dtod;    /* d2d std of the asymmetry, in units of dw_min */
    bool enforce_consistency; /* |steps|, ordered bounds after d2d sampling */
    /* soft_bounds */
    bool mult_noise;        /* true: step*(1+std*xi); false: step + dw_min_std*s*xi */
    /* response */
    double sigma_c;         /* additive c2c noise in units of dw_min (seed paper eq. 26) */
    IrTable q_up, q_down;
    const char *q_up_text, *q_down_text; /* the expressions, constants folded (for --dump) */
    const char *parent;     /* the device it inherits from, or NULL (for --dump) */
    IrOrigin origin[IR_MAX_PARAMS]; /* for --dump; indexed by the checker's schema slot */
} IrDevice;

/*
** ====================================================================================
** Data
** ====================================================================================
*/
typedef enum IrDataKind {
    IR_DATA_LEAST_SQUARES /* A (rows x cols) ~ N(0, sigma_a^2), w* ~ N(0, sigma_w^2), b = A w* + noise*xi */
} IrDataKind;

typedef struct IrData {
    const char *name;
    SrcLoc loc;
    IrDataKind kind;
    size_t rows, cols;
    double sigma_a, sigma_w, noise;
    const char *parent;
    IrOrigin origin[IR_MAX_PARAMS];
} IrData;

/*
** ====================================================================================
** Optimizers and the pulsed update parameters (DOMAIN.md 2.2, 5.1, 5.2)
** ====================================================================================
*/
typedef enum IrOptKind {
    IR_OPT_DIGITAL_SGD, /* floating-point SGD on every layer, devices ignored */
    IR_OPT_ANALOG_SGD   /* pulsed update on analog layers, SGD on digital ones */
} IrOptKind;

typedef enum IrPulseType {
    IR_PULSE_STOCHASTIC_COMPRESSED, /* Bernoulli trains, coincidences (DOMAIN.md 2.3-2.4) */
    IR_PULSE_NONE                   /* exact W -= lr d x^T, then clip to the device bounds */
} IrPulseType;

typedef struct IrUpdate {
    int desired_bl;            /* BL, or max BL with update_bl_management; 1..64 */
    bool update_management;    /* UM */
    bool update_bl_management; /* UBLM (switches UM on too) */
    double um_grad_scale;
    IrPulseType pulse_type;
} IrUpdate;

typedef struct IrOptimizer {
    const char *name;
    SrcLoc loc;
    IrOptKind kind;
    double lr;
    IrUpdate update;
    const char *parent;
    IrOrigin origin[IR_MAX_PARAMS];
} IrOptimizer;

/*
** ====================================================================================
** Models
** ====================================================================================
*/
typedef enum IrLayerKind {
    IR_LAYER_DENSE /* y = W x + b, W is (out, in) */
} IrLayerKind;

typedef struct IrLayer {
    SrcLoc loc;
    IrLayerKind kind;
    size_t in, out;
    bool bias;            /* digital bias vector (aihwkit's digital_bias) */
    const IrDevice *on;   /* NULL: a digital floating-point layer */
} IrLayer;

typedef struct IrModel {
    const char *name;
    SrcLoc loc;
    size_t nlayers;
    const IrLayer *layers;
} IrModel;

/*
** ====================================================================================
** Runs
** ====================================================================================
*/
typedef enum IrLoss {
    IR_LOSS_MSE /* half the mean squared error over batch and outputs */
} IrLoss;

typedef struct IrTrain {
    const char *name;
    SrcLoc loc;
    const IrModel *model;
    const IrData *data;
    IrLoss loss;
    size_t steps, batch, log_every;
    size_t nopt;
    const IrOptimizer *const *opt; /* one run per optimizer, same seed */
    const char *log;               /* CSV path, or NULL */
    uint64_t seed;
    IrOrigin origin[IR_MAX_PARAMS];
} IrTrain;

typedef struct IrMeasure {
    const char *name;
    SrcLoc loc;
    const IrDevice *device;
    size_t nprog;
    const long *pulses;  /* signed pulse counts, applied in order: +n up, -n down */
    double start;        /* initial weight (clipped to the device bounds) */
    const char *out;     /* CSV path pulse_index,direction,w, or NULL */
    uint64_t seed;
    IrOrigin origin[IR_MAX_PARAMS];
} IrMeasure;

typedef enum IrRunKind { IR_RUN_TRAIN, IR_RUN_MEASURE } IrRunKind;

typedef struct IrRun {
    IrRunKind kind;
    const char *name;
    union {
        const IrTrain *train;
        const IrMeasure *measure;
    } u;
} IrRun;

/* The whole program: declarations in source order, and the runs in the order they appear. */
typedef struct IrProgram {
    uint64_t seed;
    size_t ndevices, ndata, noptimizers, nmodels, nruns;
    const IrDevice *const *devices;
    const IrData *const *data;
    const IrOptimizer *const *optimizers;
    const IrModel *const *models;
    const IrRun *runs;
    size_t nconsts;
    const char *const *consts; /* "name = value" of each top-level constant (for --dump) */
} IrProgram;

#endif
