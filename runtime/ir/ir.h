/*
** ir.h: the checked, fully resolved program; the only thing the runtime sees.
**
** The checker (interp/check/check.c) builds these structs from the AST: every name is resolved to
** a pointer, every parameter holds its final value (set, inherited, family default or
** default), every range has been validated, and `response` expressions have been tabulated.
** Nothing here refers to syntax. All memory belongs to the compile's arena: the runtime only
** reads it.
**
** Every declaration struct (IrDevice, IrIO, IrData, IrOptimizer, IrModel, IrTrain, IrMeasure,
** IrExperiment, IrSchedule, IrHardware) begins with `const char *name; SrcLoc loc;`: the
** checker fills those generically.
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
    IR_ORIGIN_SET,       /* written in this declaration */
    IR_ORIGIN_OVERRIDE   /* set from outside: `--set` on the command line, or an experiment's `vary` */
} IrOrigin;

/* Upper bound on parameters per declaration kind (origin arrays are indexed by schema slot). */
#define IR_MAX_PARAMS 96

/*
** ====================================================================================
** Devices (docs/theory.md §3)
** ====================================================================================
*/
typedef enum IrDevFamily {
    IR_DEV_IDEAL,         /* floating-point weights, no pulses, no bounds */
    IR_DEV_CONSTANT_STEP, /* aihwkit ConstantStepDevice */
    IR_DEV_SOFT_BOUNDS,   /* aihwkit SoftBoundsDevice (LinearStep with gamma = 1) */
    IR_DEV_RESPONSE,      /* q_up(w), q_down(w) given as expressions, tabulated */
    IR_DEV_LINEAR_STEP,   /* aihwkit LinearStepDevice */
    IR_DEV_SOFT_BOUNDS_REFERENCE, /* aihwkit SoftBoundsReferenceDevice */
    IR_DEV_EXP_STEP,      /* aihwkit ExpStepDevice */
    IR_DEV_POW_STEP,      /* aihwkit PowStepDevice */
    IR_DEV_POW_STEP_REFERENCE, /* aihwkit PowStepReferenceDevice */
    IR_DEV_PIECEWISE_STEP, /* aihwkit PiecewiseStepDevice */
    IR_DEV_LINEAR,        /* seed paper: (1 +- c_lin)(1 -+ w/tau) (docs/theory.md §3.1) */
    IR_DEV_POWER,         /* seed paper eq. 148: (1 -+ w/tau)^gamma_res */
    IR_DEV_EXPONENTIAL,   /* seed paper eq. 149 */
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
    /* Shared pulsed-device parameters, aihwkit names and semantics (docs/theory.md §3.2.1). */
    double dw_min;          /* mean step size */
    double dw_min_dtod;     /* device-to-device std of the step gain (relative) */
    bool dw_min_dtod_log_normal; /* gain = exp(dtod*xi) instead of 1 + dtod*xi */
    double dw_min_std;      /* cycle-to-cycle std of each pulse (relative, multiplicative) */
    double w_max, w_min;    /* mean bounds; w_min <= 0 <= w_max */
    double w_max_dtod, w_min_dtod; /* relative d2d std of the bounds */
    double up_down;         /* > 0 shrinks down steps, < 0 shrinks up steps (aihwkit code) */
    double up_down_dtod;    /* d2d std of the asymmetry, in units of dw_min */
    bool enforce_consistency; /* |steps|, ordered bounds after d2d sampling */
    /* linear_step, soft_bounds, soft_bounds_reference */
    bool mult_noise;        /* true: step*(1+std*xi); false: step + dw_min_std*s*xi */
    /* response, linear, power, exponential */
    double sigma_c;         /* additive c2c noise in units of dw_min (seed paper eq. 26) */
    IrTable q_up, q_down;
    const char *q_up_text, *q_down_text; /* the expressions, constants folded (for --dump) */
    /* linear, power, exponential (docs/theory.md §3.1): bounds -tau, tau (w_max/w_min unused) */
    double tau;             /* dynamic radius */
    double c_lin;           /* linear: offset of the symmetric point, w* = c_lin*tau */
    double gamma_res;       /* power, exponential: shape */
    /* Shared: construction, write noise, decay, diffusion, reset, corruption (3.2.1, 3.2.4-5) */
    uint64_t construction_seed; /* 0: cells drawn from the run's seed */
    double write_noise_std; /* apparent = persistent + write_noise_std*dw_min*xi; 0: off */
    bool apply_write_noise_on_set;
    double lifetime, lifetime_dtod;   /* decay per optimizer step; 0: off */
    double diffusion, diffusion_dtod; /* diffusion std per optimizer step; 0: off */
    double reset, reset_dtod, reset_std; /* reset value, its additive d2d and c2c spread */
    double corrupt_devices_prob, corrupt_devices_range; /* stuck cells */
    /* linear_step, soft_bounds (gamma_up/gamma_down are also exp_step's exponents) */
    double gamma_up, gamma_down, gamma_up_dtod, gamma_down_dtod;
    bool allow_increasing, mean_bound_reference, reverse_up, reverse_down;
    double reverse_offset;
    /* soft_bounds_reference, pow_step_reference */
    double slope_up_dtod, slope_down_dtod, reference_mean, reference_std;
    bool subtract_symmetry_point;
    int n_estimation_steps; /* pow_step_reference; <= 0: min(round(10*R/min step), 10000) */
    /* exp_step */
    double A_up, A_down, a, b, dw_min_std_add, dw_min_std_slope;
    /* pow_step, pow_step_reference */
    double pow_gamma, pow_gamma_dtod, pow_up_down, pow_up_down_dtod;
    /* piecewise_step: node values from w_min (first) to w_max (last), equal lengths */
    const double *piecewise_up, *piecewise_down;
    size_t npiecewise_up, npiecewise_down;
    /* cost (docs/cost.md): pulses a device survives (0: not known), energy of one pulse in pJ
       (0: the hardware model's) */
    double endurance, pulse_energy;
    const char *parent;     /* the device it inherits from, or NULL (for --dump) */
    IrOrigin origin[IR_MAX_PARAMS]; /* for --dump; indexed by the checker's schema slot */
} IrDevice;

/*
** ====================================================================================
** The forward/backward I/O of analog tiles (docs/theory.md §4; aihwkit IOParameters)
** ====================================================================================
*/
typedef enum IrIOFamily {
    IR_IO_ANALOG,  /* DAC, noise, ADC, noise and bound management (docs/theory.md §4.2) */
    IR_IO_PERFECT  /* aihwkit is_perfect: y = out_scale * W x exactly */
} IrIOFamily;

typedef enum IrNoiseManagement {
    IR_NM_NONE, IR_NM_ABS_MAX, IR_NM_MAX, IR_NM_CONSTANT, IR_NM_AVERAGE_ABS_MAX
} IrNoiseManagement;

typedef enum IrBoundManagement { IR_BM_NONE, IR_BM_ITERATIVE } IrBoundManagement;

typedef enum IrWNoiseType {
    IR_W_NOISE_NONE, IR_W_NOISE_ADDITIVE_CONSTANT, IR_W_NOISE_PCM_READ
} IrWNoiseType;

/* One direction's I/O; aihwkit names and semantics. The perfect family uses out_scale only. */
typedef struct IrIO {
    const char *name;
    SrcLoc loc;
    IrIOFamily family;
    double inp_bound;        /* DAC range +-inp_bound */
    double inp_res;          /* DAC resolution in units of the range (> 1: steps; 0: none) */
    bool inp_sto_round;      /* stochastic rounding at the DAC */
    double inp_noise;        /* additive Gaussian input noise std, after the DAC */
    double inp_asymmetry;    /* negative inputs scaled by (1 - inp_asymmetry) */
    double out_bound;        /* ADC range +-out_bound */
    double out_res;          /* ADC resolution in units of the range (> 1: steps; 0: none) */
    bool out_sto_round;
    double out_noise;        /* additive Gaussian output noise std */
    double out_noise_std;    /* relative std of a fixed per-output variation of out_noise */
    double out_scale;        /* digital output scale */
    double out_asymmetry;    /* negative outputs scaled by (1 - out_asymmetry) */
    IrNoiseManagement noise_management;
    double nm_thres;         /* abs_max/max: upper limit if > 0; constant: the value (0: 1) */
    double nm_decay;         /* average_abs_max: EMA rate */
    IrBoundManagement bound_management; /* forward only: the backward never uses it */
    int max_bm_factor;       /* iterative: stop once r exceeds this ... */
    double max_bm_res;       /* ... or max_bm_res / the effective DAC step */
    bool bm_test_negative_bound; /* clipping at -out_bound also fails the bound test */
    double w_noise;          /* output-referred weight (read) noise std */
    IrWNoiseType w_noise_type;
    const char *parent;      /* the io it inherits from, or NULL (for --dump) */
    IrOrigin origin[IR_MAX_PARAMS];
} IrIO;

/*
** ====================================================================================
** Data
** ====================================================================================
*/
typedef enum IrDataKind {
    IR_DATA_LEAST_SQUARES, /* A (rows x cols) ~ N(0, sigma_a^2), w* ~ N(0, sigma_w^2), b = A w* + noise*xi */
    IR_DATA_IDX,           /* labelled images from IDX files (gzipped or not), pixels / 255 */
    IR_DATA_FASHION_MNIST, /* idx with the paths of Debian's dataset-fashion-mnist */
    IR_DATA_CSV            /* rows of numbers: feature columns and a label column, or target
                              columns (real-valued, any number of them) */
} IrDataKind;

/* A column of a CSV table: by 0-based index (< 0 counts from the end) or by header name. */
typedef struct IrColumn {
    long index;           /* when name is NULL */
    const char *name;     /* the header's name of the column, or NULL */
} IrColumn;

typedef struct IrData {
    const char *name;
    SrcLoc loc;
    IrDataKind kind;
    size_t rows, cols;
    size_t outputs;        /* least_squares: targets per row (b is rows x outputs) */
    double sigma_a, sigma_w, noise;
    /* labelled families (idx, fashion_mnist, csv) */
    const char *images, *labels;           /* idx: the training files */
    const char *test_images, *test_labels; /* idx: the test files (NULL: no test set) */
    const char *file, *test_file;          /* csv: training and test tables (test: NULL) */
    int label;                /* csv: the label column (0-based; < 0 counts from the end) */
    const IrColumn *targets;  /* csv: real-valued target columns instead of a label, or NULL */
    size_t ntargets;
    bool header;              /* csv: the first line is a header (skipped) */
    size_t limit, test_limit; /* the first N examples of each set; 0: all */
    double test_fraction;     /* csv without test_file: the last fraction of rows held out */
    const char *parent;
    IrOrigin origin[IR_MAX_PARAMS];
} IrData;

/*
** ====================================================================================
** Optimizers and the pulsed update parameters (docs/theory.md §2.2, 5; docs/algorithms.md)
** ====================================================================================
*/
typedef enum IrOptKind {
    IR_OPT_DIGITAL_SGD, /* floating-point SGD on every layer, devices ignored */
    IR_OPT_ANALOG_SGD,  /* pulsed update on analog layers, SGD on digital ones */
    IR_OPT_MIXED_PRECISION, /* digital accumulator, threshold pulses on W (docs/theory.md §5.7) */
    IR_OPT_TIKI_TAKA,   /* fast A, slow W, pulsed column transfers (5.3) */
    IR_OPT_TTV2,        /* + digital buffer H and threshold transfer (5.4) */
    IR_OPT_C_TTV2,      /* + input/output choppers (5.5) */
    IR_OPT_AGAD,        /* choppers and an on-the-fly digital reference (5.6) */
    IR_OPT_RESIDUAL,    /* Residual Learning: W + gamma P, eqs. 10-11 (5.8) */
    IR_OPT_RESIDUAL_V2, /* RLv2: EMA buffer H, single-pulse threshold transfer (5.9) */
    IR_OPT_MULTI_TILE,  /* N tiles weighted gamma^n, chained transfers (5.11) */
    IR_OPT_RIDER,       /* digital symmetric-point tracker Q: W + gamma (P - Q) (5.12) */
    IR_OPT_E_RIDER,     /* RIDER with a chopper (5.12) */
    IR_OPT__COUNT
} IrOptKind;

typedef enum IrPulseType {
    IR_PULSE_STOCHASTIC_COMPRESSED, /* Bernoulli trains, coincidences (docs/theory.md §2.3-2.4) */
    IR_PULSE_NONE,                  /* exact W -= lr d x^T, then clip to the device bounds */
    IR_PULSE_DETERMINISTIC_IMPLICIT /* c_ij = rint(BL q_d[i] q_x[j]) pulses (docs/theory.md §2.5) */
} IrPulseType;

typedef struct IrUpdate {
    int desired_bl;            /* BL, or max BL with update_bl_management; 1..64 */
    bool update_management;    /* UM */
    bool update_bl_management; /* UBLM (switches UM on too) */
    double um_grad_scale;
    IrPulseType pulse_type;
    double x_res_implicit, d_res_implicit; /* deterministic_implicit bin widths; 0: off */
} IrUpdate;

typedef struct IrOptimizer {
    const char *name;
    SrcLoc loc;
    IrOptKind kind;
    double lr;              /* digital parameters and the array that receives the gradient */
    IrUpdate update;        /* the pulsed gradient update of that array */
    /* Compound algorithms (docs/algorithms.md): the devices of their arrays (NULL: the layer's) */
    const IrDevice *fast;      /* the gradient array (A, P; multi_tile: every tile but W) */
    const IrDevice *slow;      /* the weight array (W, C) */
    const IrDevice *reference; /* zero-shift reference arrays (NULL: the device they shift) */
    const IrIO *transfer_io;   /* the reads of transfers (NULL: io analog defaults); noise and
                                  bound management are always off, as in aihwkit */
    double gamma;              /* mixing: visible W + gamma P (multi_tile: gamma^n per tile) */
    size_t transfer_every;     /* optimizer steps between transfer events */
    size_t n_reads_per_transfer; /* columns read per transfer event (cyclic) */
    double transfer_lr;        /* rate of a pulsed transfer write (beta of eq. 11) ... */
    bool scale_transfer_lr;    /* ... times lr if set (aihwkit) */
    int transfer_bl;           /* pulsed writes: their BL; threshold writes: max pulses */
    double thres_scale;        /* threshold = thres_scale * granularity of W */
    double momentum;           /* buffered transfers: H kept after a write (forget_buffer) */
    bool forget_buffer;
    double beta;               /* residual_v2: EMA rate of the buffer (eq. 14) */
    double eta;                /* rider, e_rider: EMA rate of the digital reference Q (eq. 12) */
    double in_chop_prob, out_chop_prob; /* choppers: flip probabilities */
    bool in_chop_random;       /* random (else regular) input chopper flips */
    double tail_weightening;   /* agad: weight of the newest read in the reference */
    size_t n_tiles;            /* multi_tile: number of tiles */
    double transfer_growth;    /* multi_tile: period factor per tile (0: columns / reads) */
    bool zero_shift;           /* calibrate gradient arrays to their symmetric point (5.10) */
    size_t zero_shift_pulses;  /* pulse budget of that calibration, per device */
    const char *parent;
    IrOrigin origin[IR_MAX_PARAMS];
} IrOptimizer;

/*
** ====================================================================================
** Models
** ====================================================================================
*/
typedef enum IrLayerKind {
    IR_LAYER_DENSE,       /* y = W x + b, W is (out, in) */
    IR_LAYER_CONV2D,      /* W is (out, in*kernel*kernel), applied to every im2col patch */
    IR_LAYER_MAXPOOL2D,   /* max over kernel x kernel windows, per channel */
    IR_LAYER_AVGPOOL2D,   /* mean over kernel x kernel windows, per channel */
    IR_LAYER_FLATTEN,     /* (C,H,W) -> (C*H*W): no change in memory */
    IR_LAYER_SIGMOID,
    IR_LAYER_TANH,
    IR_LAYER_RELU,
    IR_LAYER_LOG_SOFTMAX  /* over the features of each example */
} IrLayerKind;

typedef struct IrLayer {
    SrcLoc loc;
    IrLayerKind kind;
    size_t in, out;       /* dense: features; conv2d: channels; others: 0 */
    size_t kernel, stride, padding; /* conv2d, pools (pools: stride 0 means = kernel) */
    bool bias;            /* digital bias vector (aihwkit's digital_bias) */
    const IrDevice *on;   /* NULL: a digital floating-point layer */
    const IrIO *forward, *backward; /* analog layers; NULL: the analog defaults (Table 4) */
    bool learn_out_scaling;         /* analog: the output scales are trained (digital SGD) */
    double weight_scaling_omega;    /* analog: initial weights mapped to abs-max omega; 0: off */
    bool weight_scaling_columnwise; /* analog: one scale per output instead of one per layer */
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
    IR_LOSS_MSE,          /* the mean squared error over batch and outputs (torch.nn.MSELoss) */
    IR_LOSS_CROSS_ENTROPY, /* mean over the batch of -log softmax(y)[label] (NLL after log_softmax) */
    IR_LOSS_HALF_MSE      /* half of mse: the seed paper's least-squares objective */
} IrLoss;

/* A learning-rate schedule, evaluated per epoch e = 0, 1, ... (E epochs in the run). */
typedef enum IrSchedKind {
    IR_SCHED_CONSTANT, /* lr */
    IR_SCHED_STEP,     /* lr * factor^floor(e / every) (PyTorch StepLR) */
    IR_SCHED_COSINE    /* lr * (m + (1 - m)(1 + cos(pi e / E)) / 2), m = min_factor */
} IrSchedKind;

typedef struct IrSchedule {
    const char *name;
    SrcLoc loc;
    IrSchedKind kind;
    size_t every;
    double factor, min_factor;
    const char *parent;
    IrOrigin origin[IR_MAX_PARAMS];
} IrSchedule;

/*
** A hardware cost model (docs/cost.md): what a pulse cycle, an update, an analog MVM and a
** digital operation take in time (ns) and energy (pJ). The runtime prices a run's counted
** events with it (rt_cost.h).
*/
typedef struct IrHardware {
    const char *name;
    SrcLoc loc;
    double pulse_time;       /* ns of one pulse cycle */
    size_t update_cycles;    /* pulse cycles of one pulsed (outer-product) update */
    double preprocess_time;  /* ns of the input preprocessing of an update or a write */
    double mvm_time;         /* ns of one analog MVM (forward, backward or read) */
    double digital_op_time;  /* ns of one digital operation on one lane (one lane per row) */
    double pulse_energy;     /* pJ of one pulse on one device (a device's own replaces it) */
    double dac_energy;       /* pJ of one input conversion (per column driven) */
    double adc_energy;       /* pJ of one output conversion (per output read) */
    double read_energy;      /* pJ of one device in one MVM */
    double digital_op_energy;/* pJ of one digital operation */
    IrOrigin origin[IR_MAX_PARAMS];
} IrHardware;

typedef struct IrTrain {
    const char *name;
    SrcLoc loc;
    const IrModel *model;
    const IrData *data;
    IrLoss loss;
    size_t steps, batch, log_every;
    size_t epochs;                 /* > 0: train by epochs (steps unused); 0: by steps */
    const IrSchedule *schedule;    /* the lr schedule, or NULL (constant) */
    size_t nopt;
    const IrOptimizer *const *opt; /* one run per optimizer, same seed */
    const char *log;               /* CSV path, or NULL */
    const char *plot;              /* image path (.png, .svg) of the loss curves, or NULL */
    uint64_t seed;
    size_t checkpoint_every;       /* epochs (by epochs) or steps between checkpoints; 0: none */
    double init;                   /* every weight's initial value when init_set ... */
    bool init_set;                 /* ... else the PyTorch-like uniform (rt_net.h) */
    const IrHardware *hardware;    /* the cost model, or NULL (the defaults, rt_cost.h) */
    const char *save;              /* .npz path of the trained state (rt_net_state.h), or NULL;
                                      several optimizers: NAME.OPT.npz each */
    const char *load;              /* .npz file the runs start from (rt_net_state.h), or NULL */
    const IrIO *test_io;           /* analog evaluation besides the digital one, or NULL */
    size_t test_repeat;            /* its noisy repetitions per evaluation (mean, std) */
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
    const char *plot;    /* image path (.png, .svg) of the weight trace, or NULL */
    uint64_t seed;
    IrOrigin origin[IR_MAX_PARAMS];
} IrMeasure;

/*
** An experiment: a grid of variants of one train. Each `vary PATH in [v1, v2, ...]`
** multiplies the grid; every cell is the whole program checked again with the cell's values
** set (so a cell's train, model, devices and optimizers are fully resolved IR of their own).
** Cells are in row-major order of the varies (the first vary is the outermost).
*/
typedef struct IrExperiment {
    const char *name;
    SrcLoc loc;
    const IrTrain *train;           /* the train as declared (no vary applied), or NULL ... */
    const IrMeasure *measure;       /* ... the measure swept instead (one of the two is set) */
    size_t repeat;                  /* runs per cell and optimizer, with derived seeds */
    const char *report;             /* Markdown table path (a CSV is written beside it), or NULL */
    const char *plot;               /* image path (.png, .svg) of the sweep, or NULL */
    const IrHardware *hardware;     /* the cost model of the cells, or NULL: the train's */
    bool cost;                      /* cost columns in the report table */
    const char *plot_curves;        /* image path of every cell's curves, or NULL */
    size_t nvary;
    const char *const *vary_path;   /* "rram.c_lin", "optimizer" */
    const char *const *vary_list;   /* the values as written, "[0, 0.1, 0.2]" (for --dump) */
    size_t ncells;
    const IrTrain *const *cell;     /* cell k's train (a sweep of a train) */
    const IrMeasure *const *mcell;  /* cell k's measure (a sweep of a measure) */
    const char *const *cell_value;  /* [k*nvary + v]: the value of vary v in cell k, as text */
    IrOrigin origin[IR_MAX_PARAMS];
} IrExperiment;

/*
** An analog evaluation of the weights each optimizer of a train leaves: the train is run
** (the same numbers as its own run), then the evaluation set goes through the exact digital
** forward once and through the analog forward (every layer with a device read through an
** I/O model) `repeat` times with new noise each time (rt_net.h, rt_net_eval_analog).
*/
typedef struct IrEvaluate {
    const char *name;
    SrcLoc loc;
    const IrTrain *train;  /* whose optimizers' final weights are evaluated; or NULL: */
    const IrModel *model;  /* with weights: the model the file's weights are for */
    const char *weights;   /* .npz file of weights (a train's save), or NULL (train) */
    const IrData *data;    /* its test set (none: its training rows); NULL: the train's data */
    IrLoss loss;           /* default: the train's, or by the data as a train's */
    uint64_t seed;         /* of the evaluation I/O; default: the train's, or the script's */
    const IrIO *io;        /* the forward io of every layer with a device; NULL: each its own */
    size_t repeat;         /* noisy repetitions of the analog forward */
    const char *out;       /* CSV path of every repetition, or NULL */
    IrOrigin origin[IR_MAX_PARAMS];
} IrEvaluate;

typedef enum IrRunKind {
    IR_RUN_TRAIN, IR_RUN_MEASURE, IR_RUN_EXPERIMENT, IR_RUN_EVALUATE
} IrRunKind;

typedef struct IrRun {
    IrRunKind kind;
    const char *name;
    union {
        const IrTrain *train;
        const IrMeasure *measure;
        const IrExperiment *experiment;
        const IrEvaluate *evaluate;
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
    size_t nios;
    const IrIO *const *ios;
    size_t nschedules;
    const IrSchedule *const *schedules;
    size_t nhardware;
    const IrHardware *const *hardware;
    size_t nconsts;
    const char *const *consts; /* "name = value" of each top-level constant (for --dump) */
} IrProgram;

#endif
