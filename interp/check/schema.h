/*
** schema.h: what each declaration kind accepts: its families, its parameters (name, type,
** default, valid range, one-line description) and where each lands in the IR struct.
** The checker is driven by these tables, and so are --dump and the reference docs; adding
** a parameter is one row here plus its field in ir.h.
*/
#ifndef AIMCI_SCHEMA_H
#define AIMCI_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

typedef enum SchDeclKind {
    SCH_DEVICE, SCH_DATA, SCH_MODEL, SCH_OPTIMIZER, SCH_TRAIN, SCH_MEASURE, SCH_IO, SCH_EXPERIMENT,
    SCH_SCHEDULE, SCH_HARDWARE, SCH_EVALUATE, SCH__NKINDS
} SchDeclKind;

typedef enum SchType {
    SCH_NUM,    /* double */
    SCH_SIZE,   /* size_t, a whole number */
    SCH_INT,    /* int, a whole number */
    SCH_SEED,   /* uint64_t, a whole number in [0, 2^53] */
    SCH_BOOL,   /* bool */
    SCH_ENUM,   /* an int-sized enum; the value is written as a name from `enums` */
    SCH_STR,    /* const char * */
    SCH_REF,    /* const void *: an IR declaration of kind `ref` */
    SCH_REFS,   /* a declaration or a list of them: array at offset, count (size_t) at count_at */
    SCH_PULSES, /* a list of non-zero whole numbers: array (const long *) at offset, count at count_at */
    SCH_FUNC_W, /* an expression of the weight w: IrTable at offset, its text at text_at */
    SCH_NUMS,   /* a non-empty list of numbers in [lo, hi]: array (const double *) at offset,
                   count (size_t) at count_at; the default is the one-element list [def] */
    SCH_COLS    /* a non-empty list of CSV columns, whole numbers in [lo, hi] or names
                   (strings): array (const IrColumn *) at offset, count at count_at; no default */
} SchType;

enum { SCH_ALL = 0 }; /* families mask: every family of the kind */

typedef struct SchParam {
    const char *name;
    SchType type;
    size_t offset;
    size_t count_at;          /* SCH_REFS, SCH_PULSES, SCH_NUMS, SCH_COLS: the count; SCH_FUNC_W: the text */
    double def;               /* numbers, whole numbers, booleans (0/1), enums (index) */
    double lo, hi;            /* valid range of numbers */
    bool lo_open, hi_open;
    bool required;            /* no default: the user must set it */
    unsigned families;        /* bit mask (1u << family); SCH_ALL: all */
    SchDeclKind ref;          /* SCH_REF, SCH_REFS: the kind referred to */
    const char *const *enums; /* SCH_ENUM: names, NULL-terminated */
    const char *desc;
} SchParam;

typedef struct SchFamily {
    const char *name;
    const char *desc;
} SchFamily;

/* A family's own default for a shared parameter (origin IR_ORIGIN_FAMILY). */
typedef struct SchOverride {
    int family;
    const char *param;
    double value;
} SchOverride;

typedef struct SchKind {
    const char *keyword;      /* "device" */
    const char *article;      /* "a device" */
    bool has_family;          /* `KIND NAME : FAMILY` */
    const SchFamily *families;
    size_t nfamilies;
    const SchParam *params;
    size_t nparams;
    const SchOverride *overrides;
    size_t noverrides;
    size_t ir_size;           /* sizeof the IR struct */
    size_t origin_at;         /* offsetof its origin[] array */
    size_t family_at;         /* offsetof its family/kind enum (if has_family) */
    size_t parent_at;         /* offsetof its `parent` name, or 0 */
} SchKind;

extern const SchKind sch_kinds[SCH__NKINDS];

/*
** Layers: a call `name(positional..., key = value)` (or a bare name without parameters);
** params in positional order. A layer's "family" for sch_accepts is 1 when it has a device
** (analog), else 0: parameters of family 1 only apply to analog layers.
*/
typedef struct SchLayer {
    const char *name;
    IrLayerKind kind;
    const SchParam *params;
    size_t nparams;
    size_t npositional;       /* how many params may be given by position */
    const char *desc;
} SchLayer;

extern const SchLayer sch_layers[];
extern const size_t sch_nlayers;

/* Math functions callable in expressions. */
typedef struct SchFunc {
    const char *name;
    int arity;                /* 1 or 2 */
    double (*f1)(double);
    double (*f2)(double, double);
} SchFunc;

extern const SchFunc sch_funcs[];
extern const size_t sch_nfuncs;

/* Lookup helpers: index, or -1. */
int sch_kind_find(const char *keyword);
int sch_family_find(const SchKind *k, const char *name);
int sch_param_find(const SchParam *ps, size_t n, const char *name);
const SchFunc *sch_func_find(const char *name);
bool sch_accepts(const SchParam *p, int family);
/* The default of p for a family (an override, else p->def) and its origin. */
double sch_default(const SchKind *k, int param, int family, IrOrigin *origin);

/* The number of table nodes a response function is tabulated on. */
#define SCH_RESPONSE_NODES 4097

#endif
