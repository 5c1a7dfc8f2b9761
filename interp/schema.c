/*
** schema.c: the parameter tables of every declaration kind, family and layer.
** Defaults follow aihwkit's Python defaults for the aihwkit-compatible devices
** (DOMAIN.md 3.2.1) and its UpdateParameters (DOMAIN.md 2.2).
*/
#include "schema.h"

#include <math.h>
#include <string.h>

#define INF HUGE_VAL
#define FAM(f) (1u << (f))
#define PULSED (FAM(IR_DEV_CONSTANT_STEP) | FAM(IR_DEV_SOFT_BOUNDS) | FAM(IR_DEV_RESPONSE))
#define STEPPED (FAM(IR_DEV_CONSTANT_STEP) | FAM(IR_DEV_SOFT_BOUNDS))

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
};

#define DEV(field) offsetof(IrDevice, field)
static const SchParam device_params[] = {
    {"dw_min", SCH_NUM, DEV(dw_min), 0, 0.001, 0, INF, true, false, false, PULSED, 0, NULL,
     "mean step of one pulse"},
    {"dw_min_dtod", SCH_NUM, DEV(dw_min_dtod), 0, 0.3, 0, INF, false, false, false, PULSED, 0,
     NULL, "device-to-device std of the step gain (relative)"},
    {"dw_min_dtod_log_normal", SCH_BOOL, DEV(dw_min_dtod_log_normal), 0, 0, 0, 1, false, false,
     false, PULSED, 0, NULL, "gain exp(dtod*xi) instead of 1 + dtod*xi"},
    {"dw_min_std", SCH_NUM, DEV(dw_min_std), 0, 0.3, 0, INF, false, false, false, PULSED, 0,
     NULL, "cycle-to-cycle std of each pulse (relative to the step)"},
    {"w_max", SCH_NUM, DEV(w_max), 0, 0.6, 0, INF, false, false, false, PULSED, 0, NULL,
     "mean upper bound of the weight"},
    {"w_min", SCH_NUM, DEV(w_min), 0, -0.6, -INF, 0, false, false, false, PULSED, 0, NULL,
     "mean lower bound of the weight"},
    {"w_max_dtod", SCH_NUM, DEV(w_max_dtod), 0, 0.3, 0, INF, false, false, false, PULSED, 0, NULL,
     "device-to-device std of w_max (relative)"},
    {"w_min_dtod", SCH_NUM, DEV(w_min_dtod), 0, 0.3, 0, INF, false, false, false, PULSED, 0, NULL,
     "device-to-device std of w_min (relative)"},
    {"up_down", SCH_NUM, DEV(up_down), 0, 0, -1, 1, true, true, false, STEPPED, 0, NULL,
     "asymmetry: > 0 shrinks down steps by this fraction, < 0 shrinks up steps"},
    {"up_down_dtod", SCH_NUM, DEV(up_down_dtod), 0, 0.01, 0, INF, false, false, false, PULSED, 0,
     NULL, "device-to-device std of the asymmetry (in units of dw_min)"},
    {"enforce_consistency", SCH_BOOL, DEV(enforce_consistency), 0, 1, 0, 1, false, false, false,
     PULSED, 0, NULL, "make sampled steps positive and bounds ordered"},
    {"mult_noise", SCH_BOOL, DEV(mult_noise), 0, 1, 0, 1, false, false, false,
     FAM(IR_DEV_SOFT_BOUNDS), 0, NULL, "cycle-to-cycle noise multiplies the step (else adds)"},
    {"sigma_c", SCH_NUM, DEV(sigma_c), 0, 0, 0, INF, false, false, false, FAM(IR_DEV_RESPONSE), 0,
     NULL, "additive cycle-to-cycle noise, in units of dw_min (seed paper eq. 26)"},
    {"q_up", SCH_FUNC_W, DEV(q_up), DEV(q_up_text), 0, 0, 0, false, false, true,
     FAM(IR_DEV_RESPONSE), 0, NULL, "up-pulse response q+(w), an expression of w, >= 0"},
    {"q_down", SCH_FUNC_W, DEV(q_down), DEV(q_down_text), 0, 0, 0, false, false, true,
     FAM(IR_DEV_RESPONSE), 0, NULL, "down-pulse response q-(w), an expression of w, >= 0"},
};
#undef DEV

/* The response family describes one device exactly: no variation unless asked for. */
static const SchOverride device_overrides[] = {
    {IR_DEV_RESPONSE, "dw_min_dtod", 0},  {IR_DEV_RESPONSE, "dw_min_std", 0},
    {IR_DEV_RESPONSE, "w_max_dtod", 0},   {IR_DEV_RESPONSE, "w_min_dtod", 0},
    {IR_DEV_RESPONSE, "up_down_dtod", 0},
};

/* }====================================================================== */

/*
** {======================================================================
** data, optimizer
** =======================================================================
*/
static const SchFamily data_families[] = {
    [IR_DATA_LEAST_SQUARES] = {"least_squares", "b = A w* + noise, A and w* Gaussian"},
};

#define DAT(field) offsetof(IrData, field)
static const SchParam data_params[] = {
    {"rows", SCH_SIZE, DAT(rows), 0, 100, 1, 1e6, false, false, false, SCH_ALL, 0, NULL,
     "rows of A (examples)"},
    {"cols", SCH_SIZE, DAT(cols), 0, 50, 1, 1e5, false, false, false, SCH_ALL, 0, NULL,
     "columns of A (features, the size of w)"},
    {"sigma_a", SCH_NUM, DAT(sigma_a), 0, 1.0, 0, INF, true, false, false, SCH_ALL, 0, NULL,
     "std of the entries of A"},
    {"sigma_w", SCH_NUM, DAT(sigma_w), 0, 0.5, 0, INF, false, false, false, SCH_ALL, 0, NULL,
     "std of the entries of w*"},
    {"noise", SCH_NUM, DAT(noise), 0, 0.0, 0, INF, false, false, false, SCH_ALL, 0, NULL,
     "std of the noise added to b"},
};
#undef DAT

static const SchFamily optimizer_families[] = {
    [IR_OPT_DIGITAL_SGD] = {"digital_sgd", "floating-point SGD; devices are ignored"},
    [IR_OPT_ANALOG_SGD] = {"analog_sgd", "SGD through pulsed updates of the analog layers"},
};

static const char *const pulse_types[] = {
    [IR_PULSE_STOCHASTIC_COMPRESSED] = "stochastic_compressed", [IR_PULSE_NONE] = "none", NULL};

#define OPT(field) offsetof(IrOptimizer, field)
#define ANALOG FAM(IR_OPT_ANALOG_SGD)
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
     "stochastic_compressed (pulse trains) or none (exact update, then clip)"},
};
#undef OPT
#undef ANALOG

/* }====================================================================== */

/*
** {======================================================================
** train, measure (no families); model (layers only)
** =======================================================================
*/
static const char *const losses[] = {[IR_LOSS_MSE] = "mse", NULL};

#define TRN(field) offsetof(IrTrain, field)
static const SchParam train_params[] = {
    {"model", SCH_REF, TRN(model), 0, 0, 0, 0, false, false, true, SCH_ALL, SCH_MODEL, NULL,
     "the model to train"},
    {"data", SCH_REF, TRN(data), 0, 0, 0, 0, false, false, true, SCH_ALL, SCH_DATA, NULL,
     "the data to train on"},
    {"loss", SCH_ENUM, TRN(loss), 0, IR_LOSS_MSE, 0, 0, false, false, false, SCH_ALL, 0, losses,
     "mse: half the mean squared error over batch and outputs"},
    {"steps", SCH_SIZE, TRN(steps), 0, 1000, 1, 1e9, false, false, false, SCH_ALL, 0, NULL,
     "optimizer steps (one mini-batch each)"},
    {"batch", SCH_SIZE, TRN(batch), 0, 1, 1, 1e6, false, false, false, SCH_ALL, 0, NULL,
     "examples per mini-batch"},
    {"optimizer", SCH_REFS, TRN(opt), TRN(nopt), 0, 0, 0, false, false, true, SCH_ALL,
     SCH_OPTIMIZER, NULL, "an optimizer, or a list: one run each, same seed"},
    {"log", SCH_STR, TRN(log), 0, 0, 0, 0, false, false, false, SCH_ALL, 0, NULL,
     "CSV log path (step, optimizer, loss, distance to w*)"},
    {"log_every", SCH_SIZE, TRN(log_every), 0, 0, 1, 1e9, false, false, false, SCH_ALL, 0, NULL,
     "steps between log rows (default: steps / 100)"},
    {"seed", SCH_SEED, TRN(seed), 0, 0, 0, 9007199254740992.0, false, false, false, SCH_ALL, 0,
     NULL, "seed of data, initialisation, sampling and noise (default: the script's)"},
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
    {"seed", SCH_SEED, MEA(seed), 0, 0, 0, 9007199254740992.0, false, false, false, SCH_ALL, 0,
     NULL, "seed of the device draws and noise (default: the script's)"},
};
#undef MEA

#define LAY(field) offsetof(IrLayer, field)
static const SchParam dense_params[] = {
    {"in", SCH_SIZE, LAY(in), 0, 0, 1, 1e6, false, false, true, SCH_ALL, 0, NULL,
     "number of inputs"},
    {"out", SCH_SIZE, LAY(out), 0, 0, 1, 1e6, false, false, true, SCH_ALL, 0, NULL,
     "number of outputs"},
    {"on", SCH_REF, LAY(on), 0, 0, 0, 0, false, false, false, SCH_ALL, SCH_DEVICE, NULL,
     "the device of its weights (analog); none: digital floating point"},
    {"bias", SCH_BOOL, LAY(bias), 0, 1, 0, 1, false, false, false, SCH_ALL, 0, NULL,
     "add a digital bias vector"},
};
#undef LAY

const SchLayer sch_layers[] = {
    {"dense", IR_LAYER_DENSE, dense_params, sizeof dense_params / sizeof *dense_params, 2,
     "fully connected: y = W x + b, W is (out, in)"},
};
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
                       N(optimizer_families), optimizer_params, N(optimizer_params), NULL, 0,
                       sizeof(IrOptimizer), offsetof(IrOptimizer, origin),
                       offsetof(IrOptimizer, kind), offsetof(IrOptimizer, parent)},
    [SCH_TRAIN] = {"train", "a train", false, NULL, 0, train_params, N(train_params), NULL, 0,
                   sizeof(IrTrain), offsetof(IrTrain, origin), 0, 0},
    [SCH_MEASURE] = {"measure", "a measure", false, NULL, 0, measure_params, N(measure_params),
                     NULL, 0, sizeof(IrMeasure), offsetof(IrMeasure, origin), 0, 0},
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
