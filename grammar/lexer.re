/*
** lexer.re: the re2c lexer of the .aimc language. Every byte matches some rule: a NUL
** before the end, a stray byte, an unterminated string are reported through the Diag and
** skipped, and scanning goes on, so one run reports every lexical error of a file.
*/
#include "lex.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

/* Token names for messages, indexed by TK_ code. ORDER TK (grammar/parser.y) */
static const char *const token_names[] = {
    [0] = "end of input",  [TK_NL] = "end of line", [TK_NAME] = "name",
    [TK_NUMBER] = "number", [TK_STRING] = "a string", [TK_TRUE] = "'true'",
    [TK_FALSE] = "'false'", [TK_USE] = "'use'",      [TK_EQ] = "'='",
    [TK_COLON] = "':'",     [TK_COMMA] = "','",      [TK_DOT] = "'.'",
    [TK_LPAREN] = "'('",    [TK_RPAREN] = "')'",     [TK_LBRACK] = "'['",
    [TK_RBRACK] = "']'",    [TK_LBRACE] = "'{'",     [TK_RBRACE] = "'}'",
    [TK_PLUS] = "'+'",      [TK_MINUS] = "'-'",      [TK_STAR] = "'*'",
    [TK_SLASH] = "'/'",     [TK_CARET] = "'^'",      [TK_VARY] = "'vary'",
};

const char *lx_token_name(int code)
{
    if (code >= 0 && (size_t)code < sizeof token_names / sizeof token_names[0] &&
        token_names[code])
        return token_names[code];
    return "token";
}

void lx_init(Lexer *lx, Diag *d, uint32_t file, const char *text, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->cur = lx->bol = lx->tok = (const unsigned char *)text;
    lx->lim = lx->cur + len;
    lx->file = file;
    lx->line = 1;
    lx->diag = d;
}

const SrcLoc *lx_unclosed(const Lexer *lx)
{
    return lx->depth > 0 && lx->depth <= LX_MAX_NEST ? &lx->open[lx->depth - 1] : NULL;
}

/* Location of the current token. */
static SrcLoc here(const Lexer *lx)
{
    SrcLoc at = {lx->file, lx->line, (uint32_t)(lx->tok - lx->bol) + 1,
                 (uint32_t)(lx->cur - lx->tok)};
    if (at.len == 0)
        at.len = 1;
    return at;
}

static void fail(Lexer *lx, const char *msg, const char *expected)
{
    diag_error(lx->diag, here(lx), "%s", msg);
    if (expected)
        diag_expected(lx->diag, "%s", expected);
}

static int open_bracket(Lexer *lx, int code)
{
    if (lx->depth < LX_MAX_NEST)
        lx->open[lx->depth] = here(lx);
    else
        lx->overflow = 1;
    lx->depth++;
    return code;
}

static int close_bracket(Lexer *lx, int code)
{
    if (lx->depth > 0)
        lx->depth--;
    return code;
}

static int number(Lexer *lx, Token *t)
{
    char buf[64];
    size_t n = (size_t)(lx->cur - lx->tok);
    if (n >= sizeof buf) {
        fail(lx, "number too long", "at most 63 characters");
        t->num = NAN; /* reported: the checker stays silent about it */
        return TK_NUMBER;
    }
    memcpy(buf, lx->tok, n);
    buf[n] = '\0';
    errno = 0;
    t->num = strtod(buf, NULL);
    if (!isfinite(t->num)) {
        fail(lx, "number out of range", "a number of magnitude below 1.8e308");
        t->num = NAN;
    }
    return TK_NUMBER;
}

int lx_next(Lexer *lx, Token *t)
{
    for (;;) {
        lx->tok = lx->cur;
        int code = -1;
        /*!re2c
            re2c:define:YYCTYPE  = "unsigned char";
            re2c:define:YYCURSOR = lx->cur;
            re2c:define:YYMARKER = lx->mar;
            re2c:define:YYLIMIT  = lx->lim;
            re2c:yyfill:enable   = 0;
            re2c:eof             = 0;

            digits = [0-9]+;
            exp    = [eE] [+-]? digits;
            name   = [a-zA-Z_] [a-zA-Z0-9_]*;

            $                 { code = 0; goto done; }
            [ \t\r]+          { continue; }
            "#" [^\n\x00]*    { continue; }
            "\n"              { if (lx->depth == 0) { code = TK_NL; goto done_nl; }
                                lx->line++; lx->bol = lx->cur; continue; }

            digits ("." [0-9]*)? exp? | "." digits exp?
                              { code = number(lx, t); goto done; }
            digits ("." [0-9]*)? [eE] [+-]?
                              { fail(lx, "malformed number", "digits after the exponent");
                                t->num = NAN; code = TK_NUMBER; goto done; }

            "true"            { code = TK_TRUE; goto done; }
            "false"           { code = TK_FALSE; goto done; }
            "use"             { code = TK_USE; goto done; }
            "vary"            { code = TK_VARY; goto done; }
            name              { if (lx->cur - lx->tok > LX_MAX_NAME)
                                    fail(lx, "name too long", "at most 128 characters");
                                code = TK_NAME; goto done; }

            ["] [^"\n\x00]* ["]
                              { if (lx->cur - lx->tok - 2 > LX_MAX_STRING)
                                    fail(lx, "string too long", "at most 4096 characters");
                                code = TK_STRING; goto done; }
            ["] [^"\n\x00]*   { fail(lx, "unterminated string", "a closing '\"' on the same line");
                                code = TK_STRING; goto done; }

            "="  { code = TK_EQ; goto done; }
            ":"  { code = TK_COLON; goto done; }
            ","  { code = TK_COMMA; goto done; }
            "."  { code = TK_DOT; goto done; }
            "("  { code = open_bracket(lx, TK_LPAREN); goto done; }
            ")"  { code = close_bracket(lx, TK_RPAREN); goto done; }
            "["  { code = open_bracket(lx, TK_LBRACK); goto done; }
            "]"  { code = close_bracket(lx, TK_RBRACK); goto done; }
            "{"  { if (lx->braces++ == 0) lx->brace_open = here(lx);
                   code = TK_LBRACE; goto done; }
            "}"  { if (lx->braces > 0) lx->braces--;
                   code = TK_RBRACE; goto done; }
            "+"  { code = TK_PLUS; goto done; }
            "-"  { code = TK_MINUS; goto done; }
            "*"  { code = TK_STAR; goto done; }
            "/"  { code = TK_SLASH; goto done; }
            "^"  { code = TK_CARET; goto done; }

            "\x00"            { fail(lx, "NUL byte in source", "a text file (is this a binary file?)");
                                lx->fatal = 1; code = 0; goto done; } /* ps_parse checks first */
            [\x80-\xff]+      { fail(lx, "non-ASCII characters outside a string or comment",
                                     "names, numbers and operators in ASCII");
                                continue; }
            *                 { char msg[64];
                                snprintf(msg, sizeof msg, "unexpected character '%c'",
                                         *lx->tok >= 0x20 && *lx->tok < 0x7f ? *lx->tok : '?');
                                fail(lx, msg, "a name, a number, a string or an operator");
                                continue; }
        */
    done_nl:
        t->loc = here(lx);
        t->text = (const char *)lx->tok;
        t->len = 0;
        lx->line++;
        lx->bol = lx->cur;
        return code;
    done:
        t->loc = here(lx);
        t->text = (const char *)lx->tok;
        t->len = (size_t)(lx->cur - lx->tok);
        if (code == TK_STRING) { /* drop the quotes */
            t->text++;
            t->len = t->len >= 2 && t->text[t->len - 2] == '"' ? t->len - 2 : t->len - 1;
        }
        return code;
    }
}
