/*
** diag.h: the one diagnostics sink. Every layer reports through it; only diag.c prints.
**
** Format (Ninja/gcc style), one error:
**     file:line:col: error: message
**         4 |     dw_mn  = 1e-3
**           |     ^~~~~
**       expected: a parameter of soft_bounds
**       hint: did you mean 'dw_min'?
**       note: included from main.aimc:3:1
** Errors accumulate; after DIAG_MAX_ERRORS the sink says so and stays silent.
*/
#ifndef AIMCI_DIAG_H
#define AIMCI_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "srcloc.h"

#define DIAG_MAX_ERRORS 20

typedef struct Diag Diag;

/* A sink that prints to `out` (stderr for the CLI, a memory stream in tests). */
Diag *diag_new(FILE *out);
void diag_free(Diag *d);

/*
** Register a source text (kept borrowed: it must outlive the Diag) and return its index
** for SrcLoc.file. `from` is where it was included (line 0: not included).
*/
uint32_t diag_add_file(Diag *d, const char *path, const char *text, size_t len, SrcLoc from);

/*
** A text that starts at line `line` of its file, not at line 1 (the REPL checks each new
** declaration alone, at the line it was typed on): its tokens (ps_parse) and messages carry
** those line numbers.
*/
void diag_file_set_first_line(Diag *d, uint32_t file, uint32_t line);
uint32_t diag_file_first_line(const Diag *d, uint32_t file);

/* Take back the errors counted since there were `count` (a rejected REPL declaration, whose
** errors were printed, leaves the checker as it was). */
void diag_forget(Diag *d, int count);
const char *diag_file_path(const Diag *d, uint32_t file);
const char *diag_file_text(const Diag *d, uint32_t file, size_t *len);

/* Report an error at `at`: header, the source line, a caret under the culprit. */
void diag_error(Diag *d, SrcLoc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_verror(Diag *d, SrcLoc at, const char *fmt, va_list ap);
/* An error with no source position (a missing file on the command line, say). */
void diag_plain(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lines that follow the last error (dropped if that error was suppressed). */
void diag_expected(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_hint(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with its label ("expected", "hint") and a va_list. */
void diag_vfollow(Diag *d, const char *label, const char *fmt, va_list ap);

/* A warning: same shape as an error, does not count. */
void diag_warning(Diag *d, SrcLoc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print what the last error still holds back (its "included from" notes). */
void diag_flush(Diag *d);

int diag_count(const Diag *d);
bool diag_full(const Diag *d); /* DIAG_MAX_ERRORS reached: callers may stop early */

/*
** The valid name nearest to `name` among `cands` (n of them), or NULL if none is close
** enough to be a plausible typo (edit distance <= max(1, len/3), case-insensitive), or
** else the only candidate that begins with `name`.
*/
const char *diag_nearest(const char *name, const char *const *cands, size_t n);

#endif
