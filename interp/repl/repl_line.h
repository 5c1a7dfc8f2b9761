/*
** repl_line.h: reading the REPL's input lines. On a terminal: libedit (line editing,
** history kept across sessions, tab completion); otherwise plain lines from the stream,
** with no prompt, so the REPL can be scripted (`echo 'pulse rram +10' | aimci`).
*/
#ifndef AIMCI_REPL_LINE_H
#define AIMCI_REPL_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
** Completion: the candidates for the word that ends at `cursor` in line[0..len). Stores up to
** cap candidates (borrowed: valid until the next call) and where the word starts.
*/
typedef size_t (*ReplCompleter)(void *ctx, const char *line, size_t cursor, size_t *start,
                                const char **cands, size_t cap);

typedef struct ReplInput ReplInput;

typedef enum ReplRead {
    REPL_READ_LINE,        /* a line */
    REPL_READ_EOF,         /* end of input (Ctrl-D on an empty line) */
    REPL_READ_INTERRUPTED, /* Ctrl-C while typing: the line is dropped */
    REPL_READ_BAD          /* a line with a NUL byte or too long: reported, its chunk dropped */
} ReplRead;

/* The longest input line (1 MiB): a longer one is an error, never a memory hog. */
#define REPL_MAX_LINE ((size_t)1 << 20)

/*
** The last line read with plain input: the column of its first NUL byte (0: none), whether
** it was longer than REPL_MAX_LINE, and its bytes (NUL bytes included). Scripts refuse a
** NUL byte; so does the REPL, instead of reading up to it.
*/
size_t repl_input_nul_col(const ReplInput *r);
bool repl_input_too_long(const ReplInput *r);
const char *repl_input_raw(const ReplInput *r, size_t *len);

/*
** Input from in, echoing prompts and completions to out. interactive: use libedit (in and
** out are terminals). history: the file to load and keep it in (NULL: none).
*/
ReplInput *repl_input_new(FILE *in, FILE *out, FILE *err, bool interactive,
                          const char *history, ReplCompleter complete, void *ctx);

/* Save the history (a failure is a warning) and free. */
void repl_input_free(ReplInput *r);

/* The next line, without its newline, in *line (valid until the next call). */
ReplRead repl_input_read(ReplInput *r, const char *prompt, const char **line);

/* Add a line to the history (and save it, so a killed session keeps it). */
void repl_input_remember(ReplInput *r, const char *line);

/*
** The longest common prefix of the candidates that begin with the word, for completion:
** how many characters of cands[0] all of them share (0 when n is 0).
*/
size_t repl_common_prefix(const char *const *cands, size_t n);

/*
** The candidates in columns for a terminal `columns` wide, on lines of their own: a newline
** first (the line being edited stays above), each row ended by one, no trailing blanks.
*/
void repl_list_candidates(FILE *out, const char *const *cands, size_t n, size_t columns);

#endif
