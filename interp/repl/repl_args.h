/*
** repl_args.h: a command line of the REPL as tokens and the readers of its arguments
** (repl_args.c), and the handlers of the commands (repl_cmd*.c, repl_exec.c, repl_fit.c,
** repl_help.c, repl_meta.c). Every reader reports what is wrong at the token (through the
** command's Diag: <stdin>:LINE:COL and a caret) and returns false/NULL; a handler then
** returns 1. Calls go one way: repl_cmd.c dispatches to the handlers and to repl_meta.c
** (whose :help is repl_help.c's); the handlers read their arguments with repl_args.c, which
** calls none of them.
*/
#ifndef AIMCI_REPL_ARGS_H
#define AIMCI_REPL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "repl_cmd.h"

#define CMD_MAX_TOKENS 256

typedef enum CmdTokKind {
    CT_END,   /* past the last token (col: just after the text) */
    CT_WORD,  /* a name */
    CT_NUM,   /* a number, its sign included: +100, -50, 0.3 */
    CT_STR,   /* "..." (s, len: without the quotes) */
    CT_PUNCT, /* [ ] , = : . and -> (s, len: the characters) */
    CT_BAD    /* a character that is none of these */
} CmdTokKind;

typedef struct CmdTok {
    CmdTokKind kind;
    const char *s;
    size_t len;
    uint32_t col;
    double num;
} CmdTok;

typedef struct Cmd {
    Repl *r;
    uint32_t line;
    ReplDiag rd;
    CmdTok tok[CMD_MAX_TOKENS + 1]; /* ends with CT_END */
    size_t n, pos;
    int failed;
} Cmd;

/* Split text (one line, or the first line of several) into c->tok, from c->pos = 0. */
void cmd_tokenize(Cmd *c, const char *text);

/* The current token (CT_END at the end), and the next one. */
const CmdTok *cmd_peek(const Cmd *c);
const CmdTok *cmd_next(Cmd *c);
/* Is the current token this punctuation / this word? Consumed if so. */
bool cmd_punct(Cmd *c, const char *p);
bool cmd_is_word(const CmdTok *t, const char *w);

/* Report an error at token at ("what" is usually "unexpected ..."), then what was expected. */
void cmd_error(Cmd *c, const CmdTok *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cmd_expected(Cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_hint(Cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The token as text, for messages: "name 'foo'", "'['", "end of line". */
const char *cmd_describe(const CmdTok *t, char *buf, size_t n);

/* The next token names a declared device: its IR, else NULL (reported). */
const IrDevice *cmd_device(Cmd *c);
/* Its scratch copy (NULL: out of memory, reported). */
ReplDev *cmd_scratch(Cmd *c, const IrDevice *ir);
/* A whole number in [lo, hi] (signs allowed): returns 0, else 1 (reported). */
int cmd_long(Cmd *c, long lo, long hi, const char *what, long *out);
/* An optional `-> "path"` (NULL if absent; else malloc'd): returns 0, or 1 if malformed
** (reported). */
int cmd_target(Cmd *c, const char **path);
/* Nothing left on the line: returns 0, else 1 (reported against the first extra token). */
int cmd_end(Cmd *c, const char *usage);

/* The handlers; each returns 0, or 1 when it reported an error. */
int cmd_pulse(Cmd *c);
int cmd_set(Cmd *c);
int cmd_show(Cmd *c);
int cmd_sp(Cmd *c);
int cmd_plot(Cmd *c);
int cmd_trace(Cmd *c);
int cmd_compare(Cmd *c);
int cmd_run(Cmd *c);
int cmd_cost(Cmd *c);

int cmd_fit(Cmd *c);
int cmd_help(Cmd *c);

/*
** A declaration written on several lines as one line: comments dropped, entries joined by
** ", " (by " " inside brackets and next to braces). `fit` defines its device this way.
*/
void repl_one_line(Buf *out, const char *decl);

/* `:load FILE`, `:save FILE`, `:list`, `:quit`, `:help`: arg is the rest of the line. */
int repl_meta(Repl *r, const char *text, uint32_t line);

#endif
