/*
** check.h: the checker. It loads and parses scripts (following `use`), resolves every
** name, inheritance and default, validates types and ranges, tabulates response functions,
** and builds the IR (ir.h). Errors go to the Diag; checking goes on after an error so that
** one run reports as many as it can.
*/
#ifndef AIMCI_CHECK_H
#define AIMCI_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "ir.h"

typedef struct Checker Checker;

/* `stdlib` is the folder of the standard libraries (`use "devices"`). */
Checker *chk_new(Arena *ar, Diag *d, const char *stdlib);

/* Check a file, or a text registered under the name `path` (text[len] must be '\0').
** Declarations accumulate across calls. Return the number of errors reported. */
int chk_file(Checker *c, const char *path);
int chk_source(Checker *c, const char *path, const char *text, size_t len);

/*
** More of a script already checked (the REPL: one declaration at a time, in time that does
** not grow with what came before): text is registered under path as starting at line
** `line` (its messages name those lines) and checked after everything checked so far.
** Returns the number of errors (flushed); with errors, or with an experiment among its
** declarations, use chk_rollback to take it all back.
*/
int chk_source_more(Checker *c, const char *path, const char *text, size_t len, uint32_t line);

/* Where a checker stands, to come back to it (chk_rollback) after a rejected chk_source_more. */
typedef struct ChkMark {
    size_t nsyms, nseen;
    bool has_seed;
    double seed;
    int nerr;
} ChkMark;
ChkMark chk_mark(const Checker *c);
void chk_rollback(Checker *c, const ChkMark *m);

/* Whether an experiment is declared (an experiment's cells re-check the whole script). */
bool chk_has_experiment(const Checker *c);

/*
** Set a parameter from outside the script: `text` is "decl.param=value" (the --set option).
** Call before chk_file. Returns the number of errors reported.
*/
int chk_set(Checker *c, const char *text);

/* The program checked so far (experiments expanded), or NULL if any error was reported. */
const IrProgram *chk_program(Checker *c);

/*
** The files the checked program was read from: the script and every `use`d file (canonical
** paths, in the order they were first read); a run must not write over them.
*/
size_t chk_input_files(const Checker *c, const char *const **paths);

/* Names of every train and measure, in order (for `--only` suggestions). */
size_t chk_run_names(const Checker *c, const char ***names);

/*
** Queries about the names checked so far (the REPL's completion, messages and expressions).
** A name's kind is its declaration's SchDeclKind (schema.h), or SCH__NKINDS for a constant.
*/

/* The names of one kind (-1: every name, constants included) in order: at most cap of them
** into out; returns how many. */
size_t chk_names(const Checker *c, int kind, const char **out, size_t cap);

/* Whether name is defined; its kind and family (an index into its SchKind's families, -1
** if it has none) into *kind and *family (either may be NULL; -1 for an unknown name). */
bool chk_name_info(const Checker *c, const char *name, int *kind, int *family);

/*
** An expression (ps_parse_expr) evaluated with the names checked so far, as text: a value
** as script text ("0.3", "[sgd, asgd]", "\"out/a.csv\""), a declaration with what it is
** ("rram: a device (soft_bounds)"). NULL if errors were reported. The text lives in the
** checker's arena.
*/
const char *chk_eval_text(Checker *c, const AstNode *e);

#endif
