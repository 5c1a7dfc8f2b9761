/*
** lex.h: the re2c lexer (grammar/lexer.re). It returns Lemon's TK_ codes (build/gen/parser.h)
** and a Token whose text points into the source buffer. Lexical errors are reported through
** the Diag and the offending bytes are skipped, so one run can report several of them.
**
** Newlines are tokens (they end entries and statements), except inside ( ) and [ ], so a
** long list or call can span lines.
*/
#ifndef AIMCI_LEX_H
#define AIMCI_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define LX_MAX_NAME 128    /* longest identifier */
#define LX_MAX_STRING 4096 /* longest string literal */
#define LX_MAX_NEST 64     /* deepest nesting of ( and [ */

typedef struct Token {
    SrcLoc loc;
    const char *text; /* into the source; strings exclude their quotes */
    size_t len;
    double num;       /* NUMBER: the value */
} Token;

typedef struct Lexer {
    const unsigned char *cur, *mar, *lim, *tok, *bol;
    uint32_t file, line;
    int depth;                  /* open ( and [ */
    SrcLoc open[LX_MAX_NEST];   /* where each open bracket is, for "not closed" hints */
    int overflow;               /* nesting past LX_MAX_NEST was reported */
    int braces;                 /* open { */
    SrcLoc brace_open;          /* the outermost open { */
    int fatal;                  /* the input is not text (a NUL byte): stop */
    Diag *diag;
} Lexer;

/* text[len] must be '\0' (the loader guarantees it); a NUL before that is an error. */
void lx_init(Lexer *lx, Diag *d, uint32_t file, const char *text, size_t len);
/* The next token's code (0 at the end of input) and its details in *t. */
int lx_next(Lexer *lx, Token *t);
/* The innermost bracket still open at the end of input, or NULL. */
const SrcLoc *lx_unclosed(const Lexer *lx);
/* The printable name of a token code ("'='", "a number", "end of input"). */
const char *lx_token_name(int code);

#endif
