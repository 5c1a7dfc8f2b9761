/*
** repl_session.h: the declarations made at the REPL prompt, kept as one script.
**
** The session script holds every accepted declaration at the line it was typed on (the
** lines in between are blank), so errors name <stdin>:LINE:COL of the input, and a new
** chunk is checked by checking the whole script again with the chunk appended: exactly the
** checker a script file gets (forward references, `use`, experiments). A chunk with errors
** is reported and dropped; the session keeps the program it had.
*/
#ifndef AIMCI_REPL_SESSION_H
#define AIMCI_REPL_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "ir.h"
#include "text.h"

#define REPL_FILE "<stdin>" /* the file name of everything typed at the prompt */

typedef struct ReplSession ReplSession;

/* A session with no declarations; errors print to err. */
ReplSession *repl_session_new(const char *stdlib, FILE *err);
void repl_session_free(ReplSession *s);

/* The files the session's program was read from (its `use`d files; chk_input_files). */
size_t repl_session_inputs(const ReplSession *s, const char *const **paths);

/* The program checked so far (never NULL: an empty session has an empty program). */
const IrProgram *repl_session_program(const ReplSession *s);

/*
** Declarations (or constants, or `use`) typed from input line `line` on; `text` may span
** several lines. Returns 0 if accepted, 1 if errors were reported (nothing changes).
** A declaration of a name declared before replaces the earlier one (repl_session.c).
*/
int repl_session_declare(ReplSession *s, const char *text, uint32_t line);

/* The name the last accepted declaration replaced, or NULL if it declared a new one. */
const char *repl_session_replaced(const ReplSession *s);

/*
** An expression typed alone at `line`: evaluated with the session's names and its value
** printed to out as script text ("0.3", "[sgd, asgd]"). 0, or 1 if errors were reported.
*/
int repl_session_eval(ReplSession *s, const char *text, uint32_t line, FILE *out);

/* Is this chunk a statement (`NAME = ...`, `use`, `KIND NAME ...`, `D.P = ...`)? */
bool repl_is_statement(const char *text);

/*
** Write the session's declarations to path as a script (atomically; `use` paths made
** relative to the new file's folder). 0, or -1 with a message in err.
*/
int repl_session_save(const ReplSession *s, const char *path, char *err, size_t errlen);

/* The session script as it stands (declarations only, in order, one blank line between). */
void repl_session_text(const ReplSession *s, Buf *out);

/*
** A sink for errors about a command typed at `line`: a Diag printing to err with the
** command's text registered as <stdin>, so that its errors show the line and a caret like
** script errors (SrcLoc.file = file). Close it after use.
*/
typedef struct ReplDiag {
    Diag *d;
    uint32_t file;
    Buf text; /* the command at its line (what the Diag shows) */
} ReplDiag;
void repl_diag_open(ReplDiag *rd, FILE *err, const char *text, uint32_t line);
void repl_diag_close(ReplDiag *rd);

/* Names of declarations of one kind (SchDeclKind; -1: every kind, constants included). */
size_t repl_session_names(const ReplSession *s, int kind, const char **out, size_t cap);

/* The family index of declaration `name` (its SchKind's families), or -1. */
int repl_session_family(const ReplSession *s, const char *name, int *kind);

#endif
