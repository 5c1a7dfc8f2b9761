/*
** ps.h: the parser's context and the builders its actions call (ps.c), and the driver
** that feeds it tokens from the lexer.
*/
#ifndef AIMCI_PS_H
#define AIMCI_PS_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "lex.h"

/* The longest expression: operators in one expression (docs/language.md §5). */
#define PS_MAX_OPS 1000

typedef struct PsCtx {
    Arena *arena;
    Diag *diag;
    Lexer *lx;
    AstList *stmts; /* where statements go, in order */
    int failed;
    int nested;     /* the nesting error was reported */
    int long_expr;  /* an expression was too long (PS_MAX_OPS): reported */
    int skip;       /* after an error outside blocks: drop tokens up to the statement's end */
    SrcLoc last;    /* the token being parsed (for errors without a bracket to point at) */
    int last_code, last_first; /* its code; whether it is the first token of its line */
    SrcLoc prev;    /* the token before it, its code, whether it began its line */
    int prev_code, prev_first;
    int at_eof;     /* the driver feeds its final newline: errors are "end of input" */
    SrcLoc err_at;  /* where the last syntax error was reported */
    int block_errors; /* syntax errors inside the block of the declaration being parsed */
} PsCtx;

/*
** Parse a whole source text (text[len] == '\0') into statements appended to *out.
** Returns the number of errors reported while parsing it.
*/
int ps_parse(Arena *ar, Diag *d, uint32_t file, const char *text, size_t len, AstList *out);

/*
** Parse one expression written at offset `off` of a registered text (text[len] == '\0'), up
** to the end of its line: the REPL's expressions. Its nodes and errors carry the line and
** column where it stands in text. The expression, or NULL if errors were reported.
*/
const AstNode *ps_parse_expr(Arena *ar, Diag *d, uint32_t file, const char *text, size_t len,
                             size_t off);

/* Builders used by the grammar's actions. */
void ps_const(PsCtx *cx, const Token *name, AstNode *value);
void ps_use(PsCtx *cx, const Token *kw, const Token *path);
void ps_decl(PsCtx *cx, const Token *kind, const Token *name, const Token *parent,
             AstNode *block);
void ps_set(PsCtx *cx, const Token *decl, const Token *field, AstNode *value);
AstNode *ps_vary(PsCtx *cx, const Token *kw, AstNode *path, const Token *in, AstNode *values);
AstNode *ps_list(PsCtx *cx, const Token *open);
AstNode *ps_list_of(PsCtx *cx, AstNode *first);
void ps_append(PsCtx *cx, AstNode *list, AstNode *item);
AstNode *ps_entry(PsCtx *cx, const Token *key, AstNode *value);
AstNode *ps_binary(PsCtx *cx, int op, const Token *at, AstNode *a, AstNode *b);
AstNode *ps_unary(PsCtx *cx, int op, const Token *at, AstNode *a);
AstNode *ps_paren(PsCtx *cx, const Token *open, AstNode *e, const Token *close);
AstNode *ps_number(PsCtx *cx, const Token *t);
AstNode *ps_string(PsCtx *cx, const Token *t);
AstNode *ps_bool(PsCtx *cx, const Token *t, int value);
AstNode *ps_name(PsCtx *cx, const Token *t);
AstNode *ps_field(PsCtx *cx, const Token *decl, const Token *field);
AstNode *ps_call(PsCtx *cx, const Token *fn, AstNode *args, const Token *close);
AstNode *ps_bracket(PsCtx *cx, const Token *open, AstNode *items, const Token *close);

/* Error reporting from %syntax_error and %stack_overflow. */
void ps_syntax_error(PsCtx *cx, int code, const Token *t, unsigned long expected);
void ps_nesting_error(PsCtx *cx);

#endif
