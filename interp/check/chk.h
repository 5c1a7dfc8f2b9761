/*
** chk.h: the checker's internals, shared by its files. They call each other one way, each
** only the files below it:
**
**   check.c        the driver: files and `use`, statements, declarations, experiments'
**                  cells, the IrProgram (calls every file below)
**   check_grid.c   --set and `vary`: parameters set from outside their declaration
**   check_param.c  parameters and layers: defaults, inheritance, typed assignment, the
**                  checks across several parameters
**   check_expr.c   expressions: evaluation, printing, tabulating response functions,
**                  reading a parameter back (`rram.w_max`), chk_eval_text
**   check_sym.c    the symbol table: names, lookups, suggestions, chk_names, chk_name_info
**
** All of them read the schema's tables (schema.c), which call none of them.
** The one recursion is in check.c: an experiment's cell is the whole program checked again
** with the cell's values, so expanding experiments (from chk_program) re-runs the driver.
*/
#ifndef AIMCI_CHK_H
#define AIMCI_CHK_H

#include <stdbool.h>

#include "ast.h"
#include "check.h"
#include "rt_layer.h"
#include "schema.h"

enum { SYM_CONST = SCH__NKINDS }; /* Sym.kind: a SchDeclKind or a constant */

typedef struct Sym Sym;

typedef enum ValKind {
    VAL_ERR,  /* an error was reported; stay silent about it */
    VAL_NUM,
    VAL_BOOL,
    VAL_STR,
    VAL_LIST,
    VAL_REF,  /* a declaration */
    VAL_FUNC  /* an expression of the weight w (response functions only) */
} ValKind;

typedef struct Value {
    ValKind kind;
    SrcLoc loc;
    double num;              /* NUM, BOOL */
    const char *str;         /* STR, NAME */
    const struct Value *items; /* LIST */
    size_t n;
    const Sym *ref;          /* REF */
    const AstNode *expr;     /* FUNC */
} Value;

/* Whether the user gave a parameter's value: in its declaration, or with --set or a `vary`. */
static inline bool chk_given(IrOrigin o)
{
    return o == IR_ORIGIN_SET || o == IR_ORIGIN_OVERRIDE;
}

/* A parameter set from outside its declaration: `--set decl.param=value` or a `vary`. */
typedef struct Override {
    const char *decl, *param;
    const AstNode *value;       /* evaluated by the checker that applies it */
    SrcLoc at;                  /* where it was written, for errors */
    bool used;
} Override;

/* One `vary PATH in [...]` of an experiment, its path resolved to a declaration and parameter. */
typedef struct Vary {
    const AstNode *node;
    const char *decl, *param;
    const char *path;           /* as written: "rram.c_lin" */
} Vary;

/* A parsed file, kept so that experiment cells re-check the program without re-reading it. */
typedef struct CachedFile {
    const char *path, *canon;
    uint32_t file;
    AstList stmts;
} CachedFile;

typedef struct FileCache {
    CachedFile **v;
    size_t n, cap;
} FileCache;

struct Sym {
    const char *name;
    SrcLoc loc;
    int kind;                   /* SchDeclKind or SYM_CONST */
    int family;                 /* index into the kind's families, or -1 */
    bool broken;                /* its family or parent did not resolve: entries unchecked */
    void *ir;                   /* the IR struct of a declaration */
    Value value;                /* SYM_CONST */
    const AstNode *expr[IR_MAX_PARAMS]; /* SCH_FUNC_W parameters: the expression */
    SrcLoc set_at[IR_MAX_PARAMS];       /* where each parameter was set (line 0: not here) */
    Vary *vary;                 /* experiments: the `vary` entries */
    size_t nvary;
};

struct Checker {
    Arena *ar;
    Diag *diag;
    const char *stdlib;
    Sym **syms;
    size_t nsyms, cap;
    Sym **by_name;              /* open addressing over syms by name (check_sym.c) ... */
    Sym **by_ir;                /* ... and by IR pointer: lookups in constant time */
    size_t hcap;                /* both tables' size, a power of two, or 0 */
    size_t nexperiments;        /* experiments among syms */
    const char **open_files;    /* canonical paths being included (cycle check) */
    size_t nopen;
    const char **seen_files;    /* canonical paths already included (include once) */
    size_t nseen, seencap;
    const AstList *pending;     /* the statements being checked, for forward references */
    size_t next;                /* the index of the next one */
    bool has_seed;
    double seed;
    FileCache *cache;           /* shared by a checker and the cells it expands */
    const CachedFile *root;     /* the script checked by chk_file / chk_source */
    Override *ovr;              /* --set values (and, in a cell, its vary values) */
    size_t novr, ovrcap;
    bool is_cell;               /* checking one cell of an experiment: do not expand */
};

/* check_sym.c */
Sym *chk_lookup(const Checker *c, const char *name);
/* Append s to c->syms and index it by name (and by s->ir, which may still be NULL). */
void chk_add_sym(Checker *c, Sym *s);
/* Index s by its IR, once s->ir is set. */
void chk_index_ir(Checker *c, Sym *s);
/* Forget every symbol from the n-th on (chk_rollback). */
void chk_truncate_syms(Checker *c, size_t n);
const Sym *chk_sym_of_ir(const Checker *c, const void *ir);
/* "did you mean" over symbols of one kind (-1: any) plus extra names. */
void chk_suggest(Checker *c, const char *name, int kind, const char *const *extra, size_t nextra);
/* A constant or declaration of that name below the statement being checked, or NULL. */
const AstNode *chk_declared_later(const Checker *c, const char *name);

/* check_expr.c */
Value chk_eval(Checker *c, const AstNode *e, bool allow_w);
/* q(w) for a FUNC value's expression (already validated by chk_eval). */
double chk_eval_w(const Checker *c, const AstNode *e, double w);
/* The expression with every part that does not depend on w folded to a number. */
const char *chk_print_func(Checker *c, const AstNode *e);
/* A value as script text ("0.3", "[sgd, asgd]", "\"out/a.csv\""). */
const char *chk_print_value(Checker *c, const Value *v);
const char *chk_describe(const Value *v);
/* Tabulate q(w) on n nodes over [lo, hi] (IrTable); returns 0, or 1 if q is negative or not
** finite somewhere (reported against the expression, `name` being the parameter). */
int chk_tabulate(Checker *c, const AstNode *e, const char *name, double lo, double hi, size_t n,
                 IrTable *out);

/* check_param.c */
void chk_prefill(Checker *c, Sym *s, const SchKind *k, int family);
void chk_inherit(Checker *c, Sym *s, const SchKind *k, const Sym *parent);
void chk_entry(Checker *c, Sym *s, const SchKind *k, const AstNode *entry);
void chk_layers(Checker *c, Sym *s, const AstNode *decl);
/* Shapes through layers from.. of m (rt_net_shapes); misfits reported; returns 0, or 1 if
** any. */
int chk_chain(Checker *c, const IrModel *m, size_t from, RtShape in, const IrData *data,
              SrcLoc at);
void chk_finish_decl(Checker *c, Sym *s, const SchKind *k, const AstNode *decl);
/*
** Every train that sets checkpoint_every has a place for its checkpoint: its log or plot, or an
** experiment over it that keeps its jobs' results (and checkpoints) beside a report or plot.
*/
void chk_checkpoint_places(Checker *c);
/* Assign a value node to parameter `slot` of s (as an entry would); returns 0, or 1 if
** reported. */
int chk_assign_param(Checker *c, Sym *s, const SchKind *k, size_t slot, const AstNode *value);
/* "a parameter of device family soft_bounds: dw_min, ..." errors for an unknown name. */
void chk_unknown_param(Checker *c, const Sym *s, const SchKind *k, const char *name, SrcLoc at);

/* check_grid.c: --set and `vary` */
void chk_add_override(Checker *c, const Override *o);
void chk_apply_overrides(Checker *c, Sym *s, const SchKind *k);
void chk_unused_overrides(Checker *c);
void chk_vary(Checker *c, Sym *s, const AstNode *e);
/* The varied paths resolved and the grid's size checked; the cells are expanded later. */
void chk_finish_experiment(Checker *c, Sym *s);

#endif
