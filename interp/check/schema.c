/*
** schema.c: the parameter tables of every declaration kind, family and layer.
** Defaults follow aihwkit's Python defaults for the aihwkit-compatible devices
** (docs/theory.md §3.2.1) and its UpdateParameters (docs/theory.md §2.2).
*/
#include "schema.h"

#include <math.h>
#include <string.h>

#define INF HUGE_VAL
#define FAM(f) (1u << (f))
#define PAPER (FAM(IR_DEV_LINEAR) | FAM(IR_DEV_POWER) | FAM(IR_DEV_EXPONENTIAL))
#define STEPPED                                                                               \
    (FAM(IR_DEV_CONSTANT_STEP) | FAM(IR_DEV_SOFT_BOUNDS) | FAM(IR_DEV_LINEAR_STEP) |         \
     FAM(IR_DEV_SOFT_BOUNDS_REFERENCE) | FAM(IR_DEV_EXP_STEP) | FAM(IR_DEV_POW_STEP) |        \
     FAM(IR_DEV_POW_STEP_REFERENCE) | FAM(IR_DEV_PIECEWISE_STEP)) /* aihwkit's pulsed devices */
#define PULSED (STEPPED | FAM(IR_DEV_RESPONSE) | PAPER)
#define BOUNDED (PULSED & ~PAPER)          /* w_max, w_min (the paper's families use tau) */
#define WRITE_NOISE (PULSED & ~FAM(IR_DEV_CONSTANT_STEP) & ~FAM(IR_DEV_POW_STEP_REFERENCE))
#define LINEAR_LIKE (FAM(IR_DEV_LINEAR_STEP) | FAM(IR_DEV_SOFT_BOUNDS))
#define MULT_NOISE (LINEAR_LIKE | FAM(IR_DEV_SOFT_BOUNDS_REFERENCE))
#define REFERENCE (FAM(IR_DEV_SOFT_BOUNDS_REFERENCE) | FAM(IR_DEV_POW_STEP_REFERENCE))
#define POWS (FAM(IR_DEV_POW_STEP) | FAM(IR_DEV_POW_STEP_REFERENCE))
#define GAMMAS (FAM(IR_DEV_LINEAR_STEP) | FAM(IR_DEV_EXP_STEP))
#define EXP FAM(IR_DEV_EXP_STEP)
#define ADDITIVE (FAM(IR_DEV_RESPONSE) | PAPER) /* families with the paper's sigma_c */

/*
** {======================================================================
** device
** =======================================================================
*/
static const SchFamily device_families[] = {
    [IR_DEV_IDEAL] = {"ideal", "floating-point weights: exact updates, no pulses, no bounds"},
    [IR_DEV_CONSTANT_STEP] = {"constant_step", "every pulse moves the weight by a fixed step"},
    [IR_DEV_SOFT_BOUNDS] = {"soft_bounds", "steps shrink linearly towards the bound approached"},
    [IR_DEV_RESPONSE] = {"response", "steps dw_min*q_up(w), dw_min*q_down(w) from expressions of w"},
    [IR_DEV_LINEAR_STEP] = {"linear_step", "steps change linearly with w (slopes gamma_up/down)"},
    [IR_DEV_SOFT_BOUNDS_REFERENCE] = {"soft_bounds_reference",
                                      "soft bounds read against a reference conductance"},
    [IR_DEV_EXP_STEP] = {"exp_step", "steps 1 - A exp(+-gamma z) of a linear map z of w"},
    [IR_DEV_POW_STEP] = {"pow_step", "steps ((w_max - w)/range)^gamma up, ((w - w_min)/range)^gamma"
                                     " down"},
    [IR_DEV_POW_STEP_REFERENCE] = {"pow_step_reference",
                                   "pow_step read against a reference (symmetric point estimate)"},
    [IR_DEV_PIECEWISE_STEP] = {"piecewise_step",
                               "steps interpolated from node lists piecewise_up/down"},
    [IR_DEV_LINEAR] = {"linear", "seed paper: q+ = (1 + c_lin)(1 - w/tau), q- = (1 - c_lin)(1 + "
                                 "w/tau)"},
    [IR_DEV_POWER] = {"power", "seed paper eq. 148: q+- = (1 -+ w/tau)^gamma_res"},
    [IR_DEV_EXPONENTIAL] = {"exponential", "seed paper eq. 149: q+- = (exp(gamma_res(1 -+ w/tau))"
                                           " - 1)/(exp(gamma_res) - 1)"},
};

#define DEV(field) offsetof(IrDevice, field)
#define NUM(name, def, lo, hi, lo_open, hi_open, fams, desc)                                  \
    {#name, SCH_NUM, DEV(name), 0, def, lo, hi, lo_open, hi_open, false, fams, 0, NULL, desc}
#define BOOL(name, def, fams, desc)                                                           \
    {#name, SCH_BOOL, DEV(name), 0, def, 0, 1, false, false, false, fams, 0, NULL, desc}
#define SPREAD(name, def, fams, desc) NUM(name, def, 0, INF, false, false, fams, desc)
static const SchParam device_params[] = {
    /* shared pulsed-device parameters (docs/theory.md §3.2.1) */
    NUM(dw_min, 0.001, 0, INF, true, false, PULSED, "mean step of one pulse"),
    SPREAD(dw_min_dtod, 0.3, PULSED, "device-to-device std of the step gain (relative)"),
    BOOL(dw_min_dtod_log_normal, 0, PULSED, "gain exp(dtod*xi) instead of 1 + dtod*xi"),
    SPREAD(dw_min_std, 0.3, PULSED, "cycle-to-cycle std of each pulse (relative to the step)"),
    NUM(w_max, 0.6, 0, INF, false, false, BOUNDED, "mean upper bound of the weight"),
    NUM(w_min, -0.6, -INF, 0, false, false, BOUNDED, "mean lower bound of the weight"),
    SPREAD(w_max_dtod, 0.3, PULSED, "device-to-device std of w_max (relative)"),
    SPREAD(w_min_dtod, 0.3, PULSED, "device-to-device std of w_min (relative)"),
    NUM(up_down, 0, -1, 1, true, true, STEPPED,
        "asymmetry: > 0 shrinks down steps by this fraction, < 0 shrinks up steps"),
    SPREAD(up_down_dtod, 0.01, PULSED, "device-to-device std of the asymmetry (in units of dw_min)"),
    BOOL(enforce_consistency, 1, PULSED, "make sampled steps positive and bounds ordered"),
    BOOL(mult_noise, 1, MULT_NOISE, "cycle-to-cycle noise multiplies the step (else adds)"),
    SPREAD(sigma_c, 0, ADDITIVE, "additive cycle-to-cycle noise, in units of dw_min (seed paper "
                                 "eq. 26)"),
    {"q_up", SCH_FUNC_W, DEV(q_up), DEV(q_up_text), 0, 0, 0, false, false, true,
     FAM(IR_DEV_RESPONSE), 0, NULL, "up-pulse response q+(w), an expression of w, >= 0"},
    {"q_down", SCH_FUNC_W, DEV(q_down), DEV(q_down_text), 0, 0, 0, false, false, true,
     FAM(IR_DEV_RESPONSE), 0, NULL, "down-pulse response q-(w), an expression of w, >= 0"},
    /* the seed paper's families (docs/theory.md §3.1) */
    NUM(tau, 0.6, 0, INF, true, false, PAPER, "dynamic radius: weights live in [-tau, tau]"),
    NUM(c_lin, 0, -1, 1, true, true, FAM(IR_DEV_LINEAR),
        "offset of the linear response: symmetric point c_lin*tau"),
    NUM(gamma_res, 1, 0, 100, true, false, FAM(IR_DEV_POWER) | FAM(IR_DEV_EXPONENTIAL),
        "shape of the response (larger: steeper)"),
    /* construction, write noise, decay, diffusion, reset, corrupt devices (3.2.1, 3.2.4, 3.2.5) */
    {"construction_seed", SCH_SEED, DEV(construction_seed), 0, 0, 0, 9007199254740992.0, false,
     false, false, SCH_ALL, 0, NULL, "seed of the device-to-device draws (0: the run's seed)"},
    SPREAD(write_noise_std, 0, WRITE_NOISE,
           "std of the read weight around the persistent one, in units of dw_min"),
    BOOL(apply_write_noise_on_set, 1, WRITE_NOISE, "add write noise when weights are set"),
    SPREAD(lifetime, 0, SCH_ALL, "decay w <- (w - reset)(1 - 1/lifetime) + reset per optimizer "
                                 "step (0: off)"),
    SPREAD(lifetime_dtod, 0, PULSED, "device-to-device std of lifetime (relative)"),
    SPREAD(diffusion, 0, SCH_ALL, "std of w += diffusion*xi per optimizer step (0: off)"),
    SPREAD(diffusion_dtod, 0, PULSED, "device-to-device std of diffusion (relative)"),
    NUM(reset, 0, -INF, INF, false, false, PULSED, "mean value a reset programs"),
    SPREAD(reset_dtod, 0, PULSED, "device-to-device std of the reset value (additive)"),
    SPREAD(reset_std, 0.01, SCH_ALL, "cycle-to-cycle std of a reset"),
    NUM(corrupt_devices_prob, 0, 0, 1, false, false, PULSED,
        "probability that a device is stuck at a random value"),
    SPREAD(corrupt_devices_range, 0.1, PULSED, "stuck values lie within +-this range"),
    /* linear_step, soft_bounds (docs/theory.md §3.2.3) */
    NUM(gamma_up, 0, -INF, INF, false, false, GAMMAS,
        "linear_step: relative decrease of the up step at w_max; exp_step: up exponent"),
    NUM(gamma_down, 0, -INF, INF, false, false, GAMMAS,
        "linear_step: relative decrease of the down step at w_min; exp_step: down exponent"),
    SPREAD(gamma_up_dtod, 0.05, FAM(IR_DEV_LINEAR_STEP), "device-to-device std of gamma_up"),
    SPREAD(gamma_down_dtod, 0.05, FAM(IR_DEV_LINEAR_STEP), "device-to-device std of gamma_down"),
    BOOL(allow_increasing, 0, FAM(IR_DEV_LINEAR_STEP), "keep negative sampled gammas (steps that "
                                                       "grow towards the bound)"),
    BOOL(mean_bound_reference, 1, FAM(IR_DEV_LINEAR_STEP),
         "slopes relative to the mean bounds (else each device's own)"),
    BOOL(reverse_up, 0, LINEAR_LIKE, "up steps grow with w (reference w_min - reverse_offset)"),
    BOOL(reverse_down, 0, LINEAR_LIKE,
         "down steps grow as w falls (reference w_max + reverse_offset)"),
    SPREAD(reverse_offset, 0.01, LINEAR_LIKE, "offset of the reversed reference bound"),
    /* soft_bounds_reference, pow_step_reference */
    SPREAD(slope_up_dtod, 0, FAM(IR_DEV_SOFT_BOUNDS_REFERENCE),
           "device-to-device std of the up slope (relative)"),
    SPREAD(slope_down_dtod, 0, FAM(IR_DEV_SOFT_BOUNDS_REFERENCE),
           "device-to-device std of the down slope (relative)"),
    NUM(reference_mean, 0, -INF, INF, false, false, REFERENCE, "mean reference conductance r "
                                                               "(the weight is v - r)"),
    SPREAD(reference_std, 0, REFERENCE, "device-to-device std of the reference"),
    BOOL(subtract_symmetry_point, 0, REFERENCE,
         "add each device's symmetric point to its reference (and reset value)"),
    {"n_estimation_steps", SCH_INT, DEV(n_estimation_steps), 0, -1, -1, 1e6, false, false, false,
     FAM(IR_DEV_POW_STEP_REFERENCE), 0, NULL,
     "up/down pairs estimating the symmetric point (<= 0: 10 x states, at most 10000)"},
    /* exp_step */
    NUM(A_up, 0.00081, -INF, INF, false, false, EXP, "factor A of the up step"),
    NUM(A_down, 0.36833, -INF, INF, false, false, EXP, "factor A of the down step"),
    NUM(a, 0.244, -INF, INF, false, false, EXP, "slope of z = 2 a w/(w_max - w_min) + b"),
    NUM(b, 0.2425, -INF, INF, false, false, EXP, "offset of z"),
    SPREAD(dw_min_std_add, 0, EXP, "complex noise: additive part (weight units)"),
    SPREAD(dw_min_std_slope, 0, EXP, "complex noise: part proportional to |w|"),
    /* pow_step, pow_step_reference */
    SPREAD(pow_gamma, 1, POWS, "exponent gamma of the step"),
    SPREAD(pow_gamma_dtod, 0.1, POWS, "device-to-device std of the exponent (relative)"),
    NUM(pow_up_down, 0, -1, 1, true, true, POWS,
        "exponent asymmetry: > 0 shrinks the down exponent, < 0 the up exponent"),
    SPREAD(pow_up_down_dtod, 0, POWS, "device-to-device std of the exponent asymmetry"),
    /* piecewise_step */
    {"piecewise_up", SCH_NUMS, DEV(piecewise_up), DEV(npiecewise_up), 1, 0, INF, false, false,
     false, FAM(IR_DEV_PIECEWISE_STEP), 0, NULL,
     "up-step factors on nodes equally spaced from w_min to w_max"},
    {"piecewise_down", SCH_NUMS, DEV(piecewise_down), DEV(npiecewise_down), 1, 0, INF, false,
     false, false, FAM(IR_DEV_PIECEWISE_STEP), 0, NULL,
     "down-step factors on the same nodes (same length as piecewise_up)"},
    /* cost (docs/cost.md) */
    SPREAD(endurance, 0, PULSED, "pulses a device survives (0: not known)"),
    SPREAD(pulse_energy, 0, PULSED, "energy of one pulse in pJ (0: the hardware model's)"),
};
#undef NUM
#undef BOOL
#undef SPREAD
#undef DEV
_Static_assert(sizeof device_params / sizeof *device_params <= IR_MAX_PARAMS,
               "IrDevice.origin has a slot per device parameter");

/*
** Family defaults. The response and seed-paper families describe one device exactly: no
** variation unless asked for. soft_bounds_reference adds its noise (aihwkit mult_noise =
** False); exp_step's gammas are its exponents.
*/
#define EXACT(f)                                                                              \
    {f, "dw_min_dtod", 0}, {f, "dw_min_std", 0}, {f, "w_max_dtod", 0}, {f, "w_min_dtod", 0},  \
        {f, "up_down_dtod", 0}, {f, "reset_std", 0}
static const SchOverride device_overrides[] = {
    EXACT(IR_DEV_RESPONSE),
    EXACT(IR_DEV_LINEAR),
    EXACT(IR_DEV_POWER),
    EXACT(IR_DEV_EXPONENTIAL),
    {IR_DEV_SOFT_BOUNDS_REFERENCE, "mult_noise", 0},
    {IR_DEV_EXP_STEP, "gamma_up", 12.44625},
    {IR_DEV_EXP_STEP, "gamma_down", 12.78785},
};
#undef EXACT

/* }====================================================================== */

/*
** {======================================================================
** io: the forward/backward I/O of analog layers (docs/theory.md §4). The analog family's defaults
** are aihwkit 0.9 IOParameters() = the seed paper's Table 4; runtime/rt_io.c holds the same
** values as the default of analog layers without `forward`/`backward` (ORDER IO DEFAULTS).
** =======================================================================
*/
static const SchFamily io_families[] = {
    [IR_IO_ANALOG] = {"analog", "DAC, output noise, ADC, noise and bound management"},
    [IR_IO_PERFECT] = {"perfect", "exact products y = out_scale * W x (aihwkit is_perfect)"},
};

static const char *const nm_types[] = {
    [IR_NM_NONE] = "none", [IR_NM_ABS_MAX] = "abs_max", [IR_NM_MAX] = "max",
    [IR_NM_CONSTANT] = "constant", [IR_NM_AVERAGE_ABS_MAX] = "average_abs_max", NULL};
static const char *const bm_types[] = {
    [IR_BM_NONE] = "none", [IR_BM_ITERATIVE] = "iterative", NULL};
static const char *const w_noise_types[] = {
    [IR_W_NOISE_NONE] = "none", [IR_W_NOISE_ADDITIVE_CONSTANT] = "additive_constant",
    [IR_W_NOISE_PCM_READ] = "pcm_read", NULL};

#define IOP(field) offsetof(IrIO, field)
#define AIO FAM(IR_IO_ANALOG)
static const SchParam io_params[] = {
    {"inp_bound", SCH_NUM, IOP(inp_bound), 0, 1.0, 0, INF, true, true, false, AIO, 0, NULL,
     "DAC range +-inp_bound (must be 1 with noise management)"},
    {"inp_res", SCH_NUM, IOP(inp_res), 0, 1.0 / 126, 0, INF, false, true, false, AIO, 0, NULL,
     "DAC resolution in units of the range (> 1: number of steps; 0: none)"},
    {"inp_sto_round", SCH_BOOL, IOP(inp_sto_round), 0, 0, 0, 1, false, false, false, AIO, 0,
     NULL, "stochastic rounding at the DAC"},
    {"inp_noise", SCH_NUM, IOP(inp_noise), 0, 0, 0, INF, false, true, false, AIO, 0, NULL,
     "std of Gaussian noise added to each input after the DAC"},
    {"inp_asymmetry", SCH_NUM, IOP(inp_asymmetry), 0, 0, -1, 1, false, false, false, AIO, 0,
     NULL, "negative inputs are scaled by (1 - inp_asymmetry)"},
    {"out_bound", SCH_NUM, IOP(out_bound), 0, 12.0, 0, INF, true, true, false, AIO, 0, NULL,
     "ADC range +-out_bound"},
    {"out_res", SCH_NUM, IOP(out_res), 0, 1.0 / 510, 0, INF, false, true, false, AIO, 0, NULL,
     "ADC resolution in units of the range (> 1: number of steps; 0: none)"},
    {"out_sto_round", SCH_BOOL, IOP(out_sto_round), 0, 0, 0, 1, false, false, false, AIO, 0,
     NULL, "stochastic rounding at the ADC"},
    {"out_noise", SCH_NUM, IOP(out_noise), 0, 0.06, 0, INF, false, true, false, AIO, 0, NULL,
     "std of Gaussian noise added to each output before the ADC"},
    {"out_noise_std", SCH_NUM, IOP(out_noise_std), 0, 0, 0, INF, false, true, false, AIO, 0,
     NULL, "relative std of a fixed per-output variation of out_noise (drawn once)"},
    {"out_scale", SCH_NUM, IOP(out_scale), 0, 1.0, 0, INF, true, true, false, SCH_ALL, 0, NULL,
     "digital scale of the outputs"},
    {"out_asymmetry", SCH_NUM, IOP(out_asymmetry), 0, 0, 0, 1, false, false, false, AIO, 0,
     NULL, "negative outputs are scaled by (1 - out_asymmetry)"},
    {"noise_management", SCH_ENUM, IOP(noise_management), 0, IR_NM_ABS_MAX, 0, 0, false, false,
     false, AIO, 0, nm_types, "input scaling before the DAC: abs_max, max, constant, "
     "average_abs_max or none"},
    {"nm_thres", SCH_NUM, IOP(nm_thres), 0, 0, 0, INF, false, true, false, AIO, 0, NULL,
     "abs_max, max: cap of the scale if > 0; constant: the scale (0: 1)"},
    {"nm_decay", SCH_NUM, IOP(nm_decay), 0, 1e-3, 0, 1, true, false, false, AIO, 0, NULL,
     "average_abs_max: rate of the running average of max|x|"},
    {"bound_management", SCH_ENUM, IOP(bound_management), 0, IR_BM_ITERATIVE, 0, 0, false,
     false, false, AIO, 0, bm_types,
     "iterative: halve the inputs until no output clips (forward only); or none"},
    {"max_bm_factor", SCH_INT, IOP(max_bm_factor), 0, 1000, 1, 1e9, false, false, false, AIO, 0,
     NULL, "iterative: stop once the reduction factor exceeds this"},
    {"max_bm_res", SCH_NUM, IOP(max_bm_res), 0, 0.25, 0, INF, true, true, false, AIO, 0, NULL,
     "iterative: stop once the factor exceeds max_bm_res / the DAC step"},
    {"bm_test_negative_bound", SCH_BOOL, IOP(bm_test_negative_bound), 0, 1, 0, 1, false, false,
     false, AIO, 0, NULL, "clipping at -out_bound also triggers bound management"},
    {"w_noise", SCH_NUM, IOP(w_noise), 0, 0, 0, INF, false, true, false, AIO, 0, NULL,
     "std of the output-referred weight (read) noise (needs w_noise_type)"},
    {"w_noise_type", SCH_ENUM, IOP(w_noise_type), 0, IR_W_NOISE_NONE, 0, 0, false, false, false,
     AIO, 0, w_noise_types, "additive_constant (w_noise*|v|), pcm_read (w_noise*sqrt(|W| v^2)) "
     "or none"},
};
#undef IOP
#undef AIO

/* }====================================================================== */

/*
** {======================================================================
** data, optimizer
** =======================================================================
*/
static const SchFamily data_families[] = {
    [IR_DATA_LEAST_SQUARES] = {"least_squares", "b = A w* + noise, A and w* Gaussian"},
    [IR_DATA_IDX] = {"idx", "labelled images from IDX files (gzipped or not), pixels / 255"},
    [IR_DATA_FASHION_MNIST] = {"fashion_mnist", "Fashion-MNIST from Debian's "
                                                "dataset-fashion-mnist (60000 + 10000 images)"},
    [IR_DATA_CSV] = {"csv", "rows of a CSV file: feature columns and a label column, or "
                            "real-valued target columns"},
};

#define DAT(field) offsetof(IrData, field)
#define LS FAM(IR_DATA_LEAST_SQUARES)
#define IDX FAM(IR_DATA_IDX)
#define CSV FAM(IR_DATA_CSV)
#define LABELLED (IDX | FAM(IR_DATA_FASHION_MNIST) | CSV)
#define DSTR(name, req, fams, desc)                                                           \
    {#name, SCH_STR, DAT(name), 0, 0, 0, 0, false, false, req, fams, 0, NULL, desc}
static const SchParam data_params[] = {
    {"rows", SCH_SIZE, DAT(rows), 0, 100, 1, 1e6, false, false, false, LS, 0, NULL,
     "rows of A (examples)"},
    {"cols", SCH_SIZE, DAT(cols), 0, 50, 1, 1e5, false, false, false, LS, 0, NULL,
     "columns of A (features, the size of w)"},
    {"outputs", SCH_SIZE, DAT(outputs), 0, 1, 1, 1e4, false, false, false, LS, 0, NULL,
     "targets per row: b = A W*^T + noise has `outputs` columns"},
    {"sigma_a", SCH_NUM, DAT(sigma_a), 0, 1.0, 0, INF, true, false, false, LS, 0, NULL,
     "std of the entries of A"},
    {"sigma_w", SCH_NUM, DAT(sigma_w), 0, 0.5, 0, INF, false, false, false, LS, 0, NULL,
     "std of the entries of w*"},
    {"noise", SCH_NUM, DAT(noise), 0, 0.0, 0, INF, false, false, false, LS, 0, NULL,
     "std of the noise added to b"},
    DSTR(images, true, IDX, "IDX file of the training images (.gz or plain)"),
    DSTR(labels, true, IDX, "IDX file of the training labels"),
    DSTR(test_images, false, IDX, "IDX file of the test images (none: no test set)"),
    DSTR(test_labels, false, IDX, "IDX file of the test labels"),
    DSTR(file, true, CSV, "CSV file of the training rows"),
    DSTR(test_file, false, CSV, "CSV file of the test rows (none: test_fraction)"),
    {"label", SCH_INT, DAT(label), 0, -1, -1e6, 1e6, false, false, false, CSV, 0, NULL,
     "the label column, 0-based (< 0 counts from the end: -1 is the last)"},
    {"targets", SCH_COLS, DAT(targets), DAT(ntargets), 0, -1e6, 1e6, false, false, false, CSV,
     0, NULL, "real-valued target columns instead of a label: 0-based (< 0 from the end) or "
     "header names; the other columns are the features"},
    {"header", SCH_BOOL, DAT(header), 0, 1, 0, 1, false, false, false, CSV, 0, NULL,
     "the first line is a header (skipped)"},
    {"test_fraction", SCH_NUM, DAT(test_fraction), 0, 0, 0, 1, false, true, false, CSV, 0,
     NULL, "without test_file: the last fraction of the rows is the test set (0: none)"},
    {"limit", SCH_SIZE, DAT(limit), 0, 0, 0, 1e9, false, false, false, LABELLED, 0, NULL,
     "train on the first N examples only (0: all)"},
    {"test_limit", SCH_SIZE, DAT(test_limit), 0, 0, 0, 1e9, false, false, false, LABELLED, 0,
     NULL, "evaluate on the first N test examples only (0: all)"},
};
#undef DSTR
#undef LS
#undef IDX
#undef CSV
#undef LABELLED
#undef DAT

static const SchFamily optimizer_families[] = {
    [IR_OPT_DIGITAL_SGD] = {"digital_sgd", "floating-point SGD; devices are ignored"},
    [IR_OPT_ANALOG_SGD] = {"analog_sgd", "SGD through pulsed updates of the analog layers"},
    [IR_OPT_MIXED_PRECISION] = {"mixed_precision", "digital gradient accumulator, threshold "
                                                   "pulses on W"},
    [IR_OPT_TIKI_TAKA] = {"tiki_taka", "Tiki-Taka v1: fast array A, slow W, pulsed column "
                                       "transfers"},
    [IR_OPT_TTV2] = {"ttv2", "Tiki-Taka v2: A, digital buffer H, threshold pulses on W"},
    [IR_OPT_C_TTV2] = {"c_ttv2", "chopped TTv2: ttv2 with input/output choppers"},
    [IR_OPT_AGAD] = {"agad", "AGAD: choppers and an on-the-fly digital reference of A"},
    [IR_OPT_RESIDUAL] = {"residual", "Residual Learning: W + gamma P, P learns, W takes "
                                     "transfers (eqs. 10-11)"},
    [IR_OPT_RESIDUAL_V2] = {"residual_v2", "RLv2: EMA buffer of P reads, one pulse per "
                                           "threshold crossing"},
    [IR_OPT_MULTI_TILE] = {"multi_tile", "n_tiles tiles weighted gamma^n, chained transfers"},
    [IR_OPT_RIDER] = {"rider", "RIDER: digital symmetric-point tracker Q, W + gamma (P - Q)"},
    [IR_OPT_E_RIDER] = {"e_rider", "E-RIDER: RIDER with a chopper"},
};

static const char *const pulse_types[] = {
    [IR_PULSE_STOCHASTIC_COMPRESSED] = "stochastic_compressed", [IR_PULSE_NONE] = "none",
    [IR_PULSE_DETERMINISTIC_IMPLICIT] = "deterministic_implicit", NULL};

#define OPT(field) offsetof(IrOptimizer, field)
#define ANALOG (((1u << IR_OPT__COUNT) - 1) & ~FAM(IR_OPT_DIGITAL_SGD))
#define CHAIN (FAM(IR_OPT_TIKI_TAKA) | FAM(IR_OPT_RESIDUAL) | FAM(IR_OPT_MULTI_TILE))
#define BUFFERED (FAM(IR_OPT_TTV2) | FAM(IR_OPT_C_TTV2) | FAM(IR_OPT_AGAD))
#define RIDERS (FAM(IR_OPT_RIDER) | FAM(IR_OPT_E_RIDER))
#define TWO_ARRAYS (CHAIN | BUFFERED | FAM(IR_OPT_RESIDUAL_V2) | RIDERS) /* fast and slow */
#define THRESHOLD (BUFFERED | FAM(IR_OPT_RESIDUAL_V2) | FAM(IR_OPT_MIXED_PRECISION))
#define SHIFTABLE (CHAIN | (BUFFERED & ~FAM(IR_OPT_AGAD)) | FAM(IR_OPT_RESIDUAL_V2))
#define CHOPPED (FAM(IR_OPT_C_TTV2) | FAM(IR_OPT_AGAD) | FAM(IR_OPT_E_RIDER))
#define ONUM(name, def, lo, hi, lo_open, fams, desc)                                          \
    {#name, SCH_NUM, OPT(name), 0, def, lo, hi, lo_open, false, false, fams, 0, NULL, desc}
#define OSIZE(name, def, lo, hi, fams, desc)                                                  \
    {#name, SCH_SIZE, OPT(name), 0, def, lo, hi, false, false, false, fams, 0, NULL, desc}
#define OBOOL(name, def, fams, desc)                                                          \
    {#name, SCH_BOOL, OPT(name), 0, def, 0, 1, false, false, false, fams, 0, NULL, desc}
#define OREF(name, kind, fams, desc)                                                          \
    {#name, SCH_REF, OPT(name), 0, 0, 0, 0, false, false, false, fams, kind, NULL, desc}
static const SchParam optimizer_params[] = {
    {"lr", SCH_NUM, OPT(lr), 0, 0.01, 0, INF, false, false, false, SCH_ALL, 0, NULL,
     "learning rate"},
    {"desired_bl", SCH_INT, OPT(update.desired_bl), 0, 31, 1, 64, false, false, false, ANALOG, 0,
     NULL, "pulse-train length BL (the maximum with update_bl_management)"},
    {"update_management", SCH_BOOL, OPT(update.update_management), 0, 1, 0, 1, false, false,
     false, ANALOG, 0, NULL, "balance the x and d pulse probabilities"},
    {"update_bl_management", SCH_BOOL, OPT(update.update_bl_management), 0, 1, 0, 1, false, false,
     false, ANALOG, 0, NULL, "choose BL per sample (implies update_management)"},
    {"um_grad_scale", SCH_NUM, OPT(update.um_grad_scale), 0, 1, 0, INF, true, false, false,
     ANALOG, 0, NULL, "scale of max|d| in update management"},
    {"pulse_type", SCH_ENUM, OPT(update.pulse_type), 0, IR_PULSE_STOCHASTIC_COMPRESSED, 0, 0,
     false, false, false, ANALOG, 0, pulse_types,
     "stochastic_compressed (pulse trains), none (exact update, then clip) or "
     "deterministic_implicit (rint(BL q_d q_x) pulses)"},
    {"x_res_implicit", SCH_NUM, OPT(update.x_res_implicit), 0, 0, 0, 1, false, false, false,
     ANALOG, 0, NULL, "deterministic_implicit: bin width of the x probabilities (0: exact)"},
    {"d_res_implicit", SCH_NUM, OPT(update.d_res_implicit), 0, 0, 0, 1, false, false, false,
     ANALOG, 0, NULL, "deterministic_implicit: bin width of the d probabilities (0: exact)"},
    /* compound algorithms (docs/algorithms.md) */
    OREF(fast, SCH_DEVICE, TWO_ARRAYS, "device of the gradient array (none: the layer's)"),
    OREF(slow, SCH_DEVICE, TWO_ARRAYS, "device of the weight array W (none: the layer's)"),
    OREF(transfer_io, SCH_IO, TWO_ARRAYS, "io of the transfer reads (none: the io analog "
                                          "defaults); noise and bound management forced off"),
    ONUM(gamma, 0, 0, INF, false, TWO_ARRAYS, "mixing: the layer computes with W + gamma P"),
    OSIZE(transfer_every, 1, 1, 1e9, TWO_ARRAYS | FAM(IR_OPT_MIXED_PRECISION),
          "optimizer steps between transfer events"),
    OSIZE(n_reads_per_transfer, 1, 1, 1e6, TWO_ARRAYS,
          "columns read (and written) per transfer event, cyclic"),
    ONUM(transfer_lr, 1, 0, INF, false, CHAIN | BUFFERED | RIDERS,
         "rate of the transfer (times lr if scale_transfer_lr)"),
    OBOOL(scale_transfer_lr, 1, CHAIN | BUFFERED | RIDERS, "multiply transfer_lr by lr"),
    {"transfer_bl", SCH_INT, OPT(transfer_bl), 0, 31, 1, 64, false, false, false,
     ANALOG & ~FAM(IR_OPT_ANALOG_SGD), 0, NULL,
     "pulsed transfer writes: their BL; threshold writes: most pulses per weight and write"},
    ONUM(thres_scale, 1, 0, INF, true, THRESHOLD,
         "write threshold in units of the granularity of W"),
    ONUM(momentum, 0, 0, 1, false, BUFFERED, "fraction of the buffer kept after a write "
                                             "(forget_buffer), else of the written amount"),
    OBOOL(forget_buffer, 1, BUFFERED, "a write resets the buffer to momentum * H"),
    {"beta", SCH_NUM, OPT(beta), 0, 0.1, 0, 1, true, false, false, FAM(IR_OPT_RESIDUAL_V2),
     0, NULL, "EMA rate of the buffer H <- (1 - beta) H + beta P (eq. 14)"},
    {"eta", SCH_NUM, OPT(eta), 0, 0.1, 0, 1, true, false, false, RIDERS, 0, NULL,
     "EMA rate of the symmetric-point tracker Q <- (1 - eta) Q + eta P (eq. 12)"},
    ONUM(in_chop_prob, 0.1, 0, 1, false, CHOPPED,
         "flip probability of a chopper per read (e_rider: per step)"),
    OBOOL(in_chop_random, 1, FAM(IR_OPT_C_TTV2) | FAM(IR_OPT_AGAD),
          "random input chopper flips (else every ceil(1/in_chop_prob) sweeps)"),
    ONUM(out_chop_prob, 0, 0, 1, false, FAM(IR_OPT_C_TTV2) | FAM(IR_OPT_AGAD),
         "flip probability of each output chopper per sweep"),
    ONUM(tail_weightening, 5, 0, INF, true, FAM(IR_OPT_AGAD),
         "weight of the newest read in the running reference"),
    OSIZE(n_tiles, 3, 2, 8, FAM(IR_OPT_MULTI_TILE), "tiles, the coarsest holding W"),
    ONUM(transfer_growth, 0, 0, 1e6, false, FAM(IR_OPT_MULTI_TILE),
         "transfer period factor per tile (0: columns / n_reads_per_transfer)"),
    OBOOL(zero_shift, 0, SHIFTABLE, "calibrate the gradient arrays to their symmetric point "
                                    "and read them against a reference"),
    OSIZE(zero_shift_pulses, 10000, 2, 1e9, SHIFTABLE,
          "pulses per device of that calibration (alternating up, down)"),
    OREF(reference, SCH_DEVICE, SHIFTABLE, "device of the reference arrays (none: the shifted "
                                           "array's)"),
};
#undef OPT
#undef ONUM
#undef OSIZE
#undef OBOOL
#undef OREF

/* Family defaults of the optimizers (docs/theory.md §5; docs/algorithms.md). */
static const SchOverride optimizer_overrides[] = {
    {IR_OPT_RESIDUAL, "gamma", 0.4},      {IR_OPT_RESIDUAL_V2, "gamma", 0.4},
    {IR_OPT_MULTI_TILE, "gamma", 0.4},    {IR_OPT_RIDER, "gamma", 0.1},
    {IR_OPT_E_RIDER, "gamma", 0.1},       {IR_OPT_E_RIDER, "in_chop_prob", 0.05},
    {IR_OPT_AGAD, "in_chop_random", 0},   {IR_OPT_TTV2, "transfer_bl", 1},
    {IR_OPT_C_TTV2, "transfer_bl", 1},    {IR_OPT_AGAD, "transfer_bl", 1},
    {IR_OPT_RESIDUAL_V2, "transfer_bl", 1},
};
#undef ANALOG
#undef CHAIN
#undef BUFFERED
#undef RIDERS
#undef TWO_ARRAYS
#undef THRESHOLD
#undef SHIFTABLE
#undef CHOPPED

/* }====================================================================== */

/*
** {======================================================================
** train, measure (no families); model (layers only)
** =======================================================================
*/
static const char *const losses[] = {
    [IR_LOSS_MSE] = "mse", [IR_LOSS_CROSS_ENTROPY] = "cross_entropy",
    [IR_LOSS_HALF_MSE] = "half_mse", NULL};

#define TRN(field) offsetof(IrTrain, field)
static const SchParam train_params[] = {
    {"model", SCH_REF, TRN(model), 0, 0, 0, 0, false, false, true, SCH_ALL, SCH_MODEL, NULL,
     "the model to train"},
    {"data", SCH_REF, TRN(data), 0, 0, 0, 0, false, false, true, SCH_ALL, SCH_DATA, NULL,
     "the data to train on"},
    {"loss", SCH_ENUM, TRN(loss), 0, IR_LOSS_MSE, 0, 0, false, false, false, SCH_ALL, 0, losses,
     "mse (the mean squared error over batch and outputs, torch.nn.MSELoss), half_mse (half "
     "of it: the seed paper's least-squares objective) or cross_entropy (log-softmax and NLL)"},
    {"steps", SCH_SIZE, TRN(steps), 0, 1000, 1, 1e9, false, false, false, SCH_ALL, 0, NULL,
     "optimizer steps (one mini-batch each), when epochs is 0"},
    {"epochs", SCH_SIZE, TRN(epochs), 0, 0, 0, 1e6, false, false, false, SCH_ALL, 0, NULL,
     "passes over the training set (floor(rows / batch) steps each), with a test evaluation "
     "after each; 0: train by steps"},
    {"lr_schedule", SCH_REF, TRN(schedule), 0, 0, 0, 0, false, false, false, SCH_ALL,
     SCH_SCHEDULE, NULL, "a schedule of the learning rate per epoch (none: constant)"},
    {"batch", SCH_SIZE, TRN(batch), 0, 1, 1, 1e6, false, false, false, SCH_ALL, 0, NULL,
     "examples per mini-batch"},
    {"optimizer", SCH_REFS, TRN(opt), TRN(nopt), 0, 0, 0, false, false, true, SCH_ALL,
     SCH_OPTIMIZER, NULL, "an optimizer, or a list: one run each, same seed"},
    {"log", SCH_STR, TRN(log), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "CSV log path (step, optimizer, loss, distance to w*)"},
    {"plot", SCH_STR, TRN(plot), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "image path (.png, .svg or .pdf, drawn by gnuplot): by steps the loss per logged step, "
     "by epochs the loss and test accuracy per epoch; one colour per optimizer"},
    {"log_every", SCH_SIZE, TRN(log_every), 0, 0, 1, 1e9, false, false, false, SCH_ALL, 0, NULL,
     "steps between log rows (default: steps / 100)"},
    {"seed", SCH_SEED, TRN(seed), 0, 0, 0, 9007199254740992.0, false, false, false, SCH_ALL, 0,
     NULL, "seed of data, initialisation, sampling and noise (default: the script's)"},
    {"init", SCH_NUM, TRN(init), 0, NAN, -INF, INF, false, false, false, SCH_ALL, 0, NULL,
     "every weight's initial value (default: uniform in +-1/sqrt(in))"},
    {"hardware", SCH_REF, TRN(hardware), 0, 0, 0, 0, false, false, false, SCH_ALL,
     SCH_HARDWARE, NULL, "the cost model of the run (none: the defaults of docs/cost.md)"},
    {"checkpoint_every", SCH_SIZE, TRN(checkpoint_every), 0, 0, 0, 1e9, false, false, false,
     SCH_ALL, 0, NULL,
     "epochs (or steps, by steps) between checkpoints of the run's whole state, beside its log "
     "(else its plot) as .ckpt; a stopped run continues from the last one; 0: none"},
    {"save", SCH_STR, TRN(save), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     ".npz path of the trained weights and device state (several optimizers: PATH.OPT.npz)"},
    {"load", SCH_STR, TRN(load), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     ".npz file of weights (and device state) the runs start from, instead of drawn ones"},
    {"test_io", SCH_REF, TRN(test_io), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_IO, NULL,
     "also evaluate through the analog forward with this io (every layer with a device): "
     "the test set after each epoch, by steps the data at each logged step; none: only the "
     "exact digital forward"},
    {"test_repeat", SCH_SIZE, TRN(test_repeat), 0, 1, 1, 1000, false, false, false, SCH_ALL, 0,
     NULL, "noisy repetitions of each test_io evaluation (mean and std)"},
};
#undef TRN

#define MEA(field) offsetof(IrMeasure, field)
static const SchParam measure_params[] = {
    {"device", SCH_REF, MEA(device), 0, 0, 0, 0, false, false, true, SCH_ALL, SCH_DEVICE, NULL,
     "the device to pulse"},
    {"pulses", SCH_PULSES, MEA(pulses), MEA(nprog), 0, 0, 0, false, false, true, SCH_ALL, 0, NULL,
     "the pulse program: +n fires n up pulses, -n n down pulses"},
    {"start", SCH_NUM, MEA(start), 0, 0, -INF, INF, false, false, false, SCH_ALL, 0, NULL,
     "initial weight (clipped to the device bounds)"},
    {"out", SCH_STR, MEA(out), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "CSV trace path (pulse_index, direction, w)"},
    {"plot", SCH_STR, MEA(plot), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "image path (.png, .svg or .pdf, drawn by gnuplot): the weight after each pulse"},
    {"seed", SCH_SEED, MEA(seed), 0, 0, 0, 9007199254740992.0, false, false, false, SCH_ALL, 0,
     NULL, "seed of the device draws and noise (default: the script's)"},
};
#undef MEA

static const SchFamily schedule_families[] = {
    [IR_SCHED_CONSTANT] = {"constant", "lr in every epoch"},
    [IR_SCHED_STEP] = {"step", "lr * factor^floor(epoch / every) (PyTorch StepLR)"},
    [IR_SCHED_COSINE] = {"cosine", "lr * (m + (1 - m)(1 + cos(pi epoch / epochs)) / 2), "
                                   "m = min_factor"},
};

#define SCD(field) offsetof(IrSchedule, field)
static const SchParam schedule_params[] = {
    {"every", SCH_SIZE, SCD(every), 0, 0, 1, 1e9, false, false, true, FAM(IR_SCHED_STEP), 0,
     NULL, "epochs between two multiplications by factor"},
    {"factor", SCH_NUM, SCD(factor), 0, 0.1, 0, 1, true, false, false, FAM(IR_SCHED_STEP), 0,
     NULL, "what the lr is multiplied by every `every` epochs"},
    {"min_factor", SCH_NUM, SCD(min_factor), 0, 0, 0, 1, false, false, false,
     FAM(IR_SCHED_COSINE), 0, NULL, "the lr of the last epochs approaches lr * min_factor"},
};
#undef SCD

/* The `vary PATH in [...]` entries of an experiment are not parameters: check.c reads them. */
#define XPR(field) offsetof(IrExperiment, field)
static const SchParam experiment_params[] = {
    {"train", SCH_REF, XPR(train), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_TRAIN, NULL,
     "the train whose variants make the grid (or measure)"},
    {"measure", SCH_REF, XPR(measure), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_MEASURE,
     NULL, "the measure whose variants make the grid (instead of a train)"},
    {"repeat", SCH_SIZE, XPR(repeat), 0, 1, 1, 1000, false, false, false, SCH_ALL, 0, NULL,
     "runs per cell and optimizer, with derived seeds"},
    {"report", SCH_STR, XPR(report), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "Markdown table path (a CSV with the same name is written beside it)"},
    {"plot", SCH_STR, XPR(plot), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "image path (.png, .svg or .pdf, drawn by gnuplot): final loss (or test accuracy) per "
     "cell, one line per optimizer, bars of one std over the repeats"},
    {"hardware", SCH_REF, XPR(hardware), 0, 0, 0, 0, false, false, false, SCH_ALL,
     SCH_HARDWARE, NULL, "the cost model of every run (none: the train's)"},
    {"cost", SCH_BOOL, XPR(cost), 0, 0, 0, 1, false, false, false, SCH_ALL, 0, NULL,
     "cost columns in the report table: energy, hardware time, wear, energy per accuracy "
     "point"},
    {"plot_curves", SCH_STR, XPR(plot_curves), 0, 0, 0, 0, false, false, false, SCH_ALL, 0,
     NULL, "image path (.png, .svg or .pdf): the curves (loss per step, or test accuracy per "
           "epoch), one line per cell and optimizer, bars of one std over the repeats"},
};
#undef XPR

#define EVL(field) offsetof(IrEvaluate, field)
static const SchParam evaluate_params[] = {
    {"train", SCH_REF, EVL(train), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_TRAIN, NULL,
     "the train whose optimizers' final weights are evaluated (it is run first); or weights"},
    {"weights", SCH_STR, EVL(weights), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     ".npz file of weights (as a train's save writes them) evaluated without training; with "
     "model and data, instead of train"},
    {"model", SCH_REF, EVL(model), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_MODEL, NULL,
     "the model the weights file is for (with weights; a train brings its own)"},
    {"data", SCH_REF, EVL(data), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_DATA, NULL,
     "evaluated on its test set (none: its training rows); default: the train's data"},
    {"loss", SCH_ENUM, EVL(loss), 0, IR_LOSS_MSE, 0, 0, false, false, false, SCH_ALL, 0, losses,
     "the loss reported (default: the train's; with weights, as a train's default for the "
     "data: cross_entropy for labels, half_mse for least_squares, else mse)"},
    {"seed", SCH_SEED, EVL(seed), 0, 0, 0, 9007199254740992.0, false, false, false, SCH_ALL, 0,
     NULL, "seed of the evaluation I/O's noise, and with weights of drawn data (default: the "
           "train's, else the script's)"},
    {"io", SCH_REF, EVL(io), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_IO, NULL,
     "the forward io of every layer with a device (default: each layer's own forward io)"},
    {"repeat", SCH_SIZE, EVL(repeat), 0, 10, 1, 1000, false, false, false, SCH_ALL, 0, NULL,
     "noisy repetitions of the analog forward (mean and std)"},
    {"out", SCH_STR, EVL(out), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "CSV path: optimizer,forward,repetition,loss,acc, one row per pass"},
};
#undef EVL

/*
** The hardware cost model (docs/cost.md): times from the seed paper's Table 3 (App. E), the
** digital operation's energy from Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm:
** a 32-bit float multiply 3.7 pJ plus an add 0.9 pJ), the MVM's energies from ISAAC
** (Shafiee et al., ISCA 2016; derived in runtime/rt_cost.c), the pulse's from Tang et al.,
** IEDM 2018 (ECRAM: a projected 1 fJ per switching event; runtime/rt_cost.c).
*/
#define HW(field) offsetof(IrHardware, field)
#define HNUM(name, def, desc)                                                                 \
    {#name, SCH_NUM, HW(name), 0, def, 0, INF, false, false, false, SCH_ALL, 0, NULL, desc}
static const SchParam hardware_params[] = {
    HNUM(pulse_time, 5, "ns of one pulse cycle"),
    {"update_cycles", SCH_SIZE, HW(update_cycles), 0, 32, 1, 1e6, false, false, false, SCH_ALL,
     0, NULL, "pulse cycles of one pulsed update (outer product)"},
    HNUM(preprocess_time, 5.9, "ns of the input preprocessing of an update or a write"),
    HNUM(mvm_time, 40, "ns of one analog MVM (forward, backward, transfer read)"),
    HNUM(digital_op_time, 1, "ns of one digital operation on one lane (one lane per row)"),
    HNUM(pulse_energy, 0.001,
         "pJ of one pulse on one device (a device's pulse_energy replaces it; 0: not priced)"),
    HNUM(dac_energy, 0.390625, "pJ of one input conversion of an MVM (ISAAC's 1-bit DAC)"),
    HNUM(adc_energy, 1.5625, "pJ of one output conversion of an MVM (ISAAC's 8-bit ADC)"),
    HNUM(read_energy, 0.0018310546875, "pJ of one device in one MVM (ISAAC's crossbar read)"),
    HNUM(digital_op_energy, 4.6, "pJ of one digital operation (a 32-bit multiply-add)"),
};
#undef HNUM
#undef HW

/*
** Layer parameters: "family" 0 is a digital layer, 1 an analog one (with `on`); parameters
** of family 1 only apply to analog layers (the checker rejects them elsewhere).
*/
#define LAY(field) offsetof(IrLayer, field)
#define ANALOG_LAYER FAM(1)
#define LSIZE(name, field, def, lo, req, desc)                                                \
    {name, SCH_SIZE, LAY(field), 0, def, lo, 1e6, false, false, req, SCH_ALL, 0, NULL, desc}
#define LAYER_WEIGHTS                                                                         \
    {"on", SCH_REF, LAY(on), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_DEVICE, NULL,      \
     "the device of its weights (analog); none: digital floating point"},                     \
    {"bias", SCH_BOOL, LAY(bias), 0, 1, 0, 1, false, false, false, SCH_ALL, 0, NULL,          \
     "add a digital bias vector"},                                                            \
    {"forward", SCH_REF, LAY(forward), 0, 0, 0, 0, false, false, false, ANALOG_LAYER, SCH_IO, \
     NULL, "the io of its forward pass (analog layers; default: the io analog defaults)"},    \
    {"backward", SCH_REF, LAY(backward), 0, 0, 0, 0, false, false, false, ANALOG_LAYER,       \
     SCH_IO, NULL, "the io of its backward pass (analog layers; default: the io analog "      \
                   "defaults)"},                                                              \
    {"learn_out_scaling", SCH_BOOL, LAY(learn_out_scaling), 0, 0, 0, 1, false, false, false,  \
     ANALOG_LAYER, 0, NULL, "train the digital output scales by SGD (analog layers)"},        \
    {"weight_scaling_omega", SCH_NUM, LAY(weight_scaling_omega), 0, 0, 0, INF, false, false,  \
     false, ANALOG_LAYER, 0, NULL,                                                            \
     "map the initial weights to abs-max omega, an output scale compensating (0: off)"},      \
    {"weight_scaling_columnwise", SCH_BOOL, LAY(weight_scaling_columnwise), 0, 0, 0, 1, false,\
     false, false, ANALOG_LAYER, 0, NULL, "one output scale per output instead of one per "   \
                                          "layer (analog layers)"}
static const SchParam dense_params[] = {
    LSIZE("in", in, 0, 1, true, "number of inputs"),
    LSIZE("out", out, 0, 1, true, "number of outputs"),
    LAYER_WEIGHTS,
};
static const SchParam conv2d_params[] = {
    LSIZE("in", in, 0, 1, true, "input channels"),
    LSIZE("out", out, 0, 1, true, "output channels"),
    LSIZE("kernel", kernel, 0, 1, true, "the side of the square kernel"),
    LSIZE("stride", stride, 1, 1, false, "step between patches"),
    LSIZE("padding", padding, 0, 0, false, "zeros added on every side"),
    LAYER_WEIGHTS,
};
static const SchParam pool_params[] = {
    LSIZE("kernel", kernel, 0, 1, true, "the side of the square window"),
    LSIZE("stride", stride, 0, 0, false, "step between windows (0: the kernel)"),
};
#undef LAY
#undef LSIZE
#undef LAYER_WEIGHTS

#define LAYER(name, kind, params, npos, desc) {name, kind, params, N(params), npos, desc}
#define N(a) (sizeof(a) / sizeof *(a))
const SchLayer sch_layers[] = {
    LAYER("dense", IR_LAYER_DENSE, dense_params, 2,
          "fully connected: y = W x + b, W is (out, in); any input shape of in values"),
    LAYER("conv2d", IR_LAYER_CONV2D, conv2d_params, 3,
          "2-d convolution: W is (out, in*kernel*kernel), applied to every patch"),
    LAYER("maxpool2d", IR_LAYER_MAXPOOL2D, pool_params, 1, "maximum over each window"),
    LAYER("avgpool2d", IR_LAYER_AVGPOOL2D, pool_params, 1, "mean over each window"),
    {"flatten", IR_LAYER_FLATTEN, NULL, 0, 0, "(C, H, W) to a vector of C*H*W values"},
    {"sigmoid", IR_LAYER_SIGMOID, NULL, 0, 0, "1 / (1 + exp(-x)), element-wise"},
    {"tanh", IR_LAYER_TANH, NULL, 0, 0, "tanh(x), element-wise"},
    {"relu", IR_LAYER_RELU, NULL, 0, 0, "max(x, 0), element-wise"},
    {"log_softmax", IR_LAYER_LOG_SOFTMAX, NULL, 0, 0,
     "x - log sum exp(x) over the values of each example"},
};
#undef LAYER
#undef N
const size_t sch_nlayers = sizeof sch_layers / sizeof *sch_layers;

/* }====================================================================== */

#define N(a) (sizeof(a) / sizeof *(a))
const SchKind sch_kinds[SCH__NKINDS] = {
    [SCH_DEVICE] = {"device", "a device", true, device_families, N(device_families),
                    device_params, N(device_params), device_overrides, N(device_overrides),
                    sizeof(IrDevice), offsetof(IrDevice, origin), offsetof(IrDevice, family),
                    offsetof(IrDevice, parent)},
    [SCH_DATA] = {"data", "data", true, data_families, N(data_families), data_params,
                  N(data_params), NULL, 0, sizeof(IrData), offsetof(IrData, origin),
                  offsetof(IrData, kind), offsetof(IrData, parent)},
    [SCH_MODEL] = {"model", "a model", false, NULL, 0, NULL, 0, NULL, 0, sizeof(IrModel), 0, 0,
                   0},
    [SCH_OPTIMIZER] = {"optimizer", "an optimizer", true, optimizer_families,
                       N(optimizer_families), optimizer_params, N(optimizer_params),
                       optimizer_overrides, N(optimizer_overrides),
                       sizeof(IrOptimizer), offsetof(IrOptimizer, origin),
                       offsetof(IrOptimizer, kind), offsetof(IrOptimizer, parent)},
    [SCH_TRAIN] = {"train", "a train", false, NULL, 0, train_params, N(train_params), NULL, 0,
                   sizeof(IrTrain), offsetof(IrTrain, origin), 0, 0},
    [SCH_MEASURE] = {"measure", "a measure", false, NULL, 0, measure_params, N(measure_params),
                     NULL, 0, sizeof(IrMeasure), offsetof(IrMeasure, origin), 0, 0},
    [SCH_IO] = {"io", "an io", true, io_families, N(io_families), io_params, N(io_params), NULL,
                0, sizeof(IrIO), offsetof(IrIO, origin), offsetof(IrIO, family),
                offsetof(IrIO, parent)},
    [SCH_EXPERIMENT] = {"experiment", "an experiment", false, NULL, 0, experiment_params,
                        N(experiment_params), NULL, 0, sizeof(IrExperiment),
                        offsetof(IrExperiment, origin), 0, 0},
    [SCH_SCHEDULE] = {"schedule", "a schedule", true, schedule_families, N(schedule_families),
                      schedule_params, N(schedule_params), NULL, 0, sizeof(IrSchedule),
                      offsetof(IrSchedule, origin), offsetof(IrSchedule, kind),
                      offsetof(IrSchedule, parent)},
    [SCH_HARDWARE] = {"hardware", "a hardware model", false, NULL, 0, hardware_params,
                      N(hardware_params), NULL, 0, sizeof(IrHardware),
                      offsetof(IrHardware, origin), 0, 0},
    [SCH_EVALUATE] = {"evaluate", "an evaluation", false, NULL, 0, evaluate_params,
                      N(evaluate_params), NULL, 0, sizeof(IrEvaluate),
                      offsetof(IrEvaluate, origin), 0, 0},
};

static double f_abs(double x) { return fabs(x); }
static double f_min(double a, double b) { return a < b ? a : b; }
static double f_max(double a, double b) { return a > b ? a : b; }

const SchFunc sch_funcs[] = {
    {"exp", 1, exp, NULL},     {"log", 1, log, NULL},     {"log10", 1, log10, NULL},
    {"sqrt", 1, sqrt, NULL},   {"abs", 1, f_abs, NULL},   {"tanh", 1, tanh, NULL},
    {"floor", 1, floor, NULL}, {"ceil", 1, ceil, NULL},   {"min", 2, NULL, f_min},
    {"max", 2, NULL, f_max},   {"pow", 2, NULL, pow},
};
const size_t sch_nfuncs = N(sch_funcs);

int sch_kind_find(const char *keyword)
{
    for (int k = 0; k < SCH__NKINDS; k++)
        if (strcmp(sch_kinds[k].keyword, keyword) == 0)
            return k;
    return -1;
}

int sch_family_find(const SchKind *k, const char *name)
{
    for (size_t f = 0; f < k->nfamilies; f++)
        if (strcmp(k->families[f].name, name) == 0)
            return (int)f;
    return -1;
}

int sch_param_find(const SchParam *ps, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ps[i].name, name) == 0)
            return (int)i;
    return -1;
}

const SchFunc *sch_func_find(const char *name)
{
    for (size_t i = 0; i < sch_nfuncs; i++)
        if (strcmp(sch_funcs[i].name, name) == 0)
            return &sch_funcs[i];
    return NULL;
}

bool sch_accepts(const SchParam *p, int family)
{
    return p->families == SCH_ALL || (family >= 0 && (p->families & FAM(family)));
}

double sch_default(const SchKind *k, int param, int family, IrOrigin *origin)
{
    const char *name = k->params[param].name;
    for (size_t i = 0; i < k->noverrides; i++)
        if (k->overrides[i].family == family && strcmp(k->overrides[i].param, name) == 0) {
            *origin = IR_ORIGIN_FAMILY;
            return k->overrides[i].value;
        }
    *origin = IR_ORIGIN_DEFAULT;
    return k->params[param].def;
}
