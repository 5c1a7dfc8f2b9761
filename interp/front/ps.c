/*
** ps.c: the parser driver (lexer -> Lemon) and the AST builders the grammar's actions call.
*/
#include "ps.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "rt_mem.h"

/* Lemon's generated entry points (build/gen/parser.c). */
void *ps_ParseAlloc(void *(*alloc)(size_t), PsCtx *cx);
void ps_ParseFree(void *p, void (*release)(void *));
void ps_Parse(void *p, int code, Token t);

/*
** {======================================================================
** Builders
** =======================================================================
*/

static const char *tok_str(PsCtx *cx, const Token *t)
{
    return arena_strndup(cx->arena, t->text, t->len);
}

void ps_const(PsCtx *cx, const Token *name, AstNode *value)
{
    AstNode *n = ast_new(cx->arena, AST_CONST, name->loc);
    n->str = tok_str(cx, name);
    n->a = value;
    ast_push(cx->arena, cx->stmts, n);
}

void ps_use(PsCtx *cx, const Token *kw, const Token *path)
{
    AstNode *n = ast_new(cx->arena, AST_USE, path->loc);
    n->loc2 = kw->loc;
    n->str = tok_str(cx, path);
    ast_push(cx->arena, cx->stmts, n);
}

void ps_decl(PsCtx *cx, const Token *kind, const Token *name, const Token *parent,
             AstNode *block)
{
    AstNode *n = ast_new(cx->arena, AST_DECL, name->loc);
    n->loc2 = kind->loc;
    n->kw = tok_str(cx, kind);
    n->str = tok_str(cx, name);
    if (parent) {
        n->parent = tok_str(cx, parent);
        n->ploc = parent->loc;
    }
    if (block)
        n->items = block->items;
    n->broken = cx->block_errors > 0; /* entries were lost: skip the checks of the whole */
    cx->block_errors = 0;
    ast_push(cx->arena, cx->stmts, n);
}

void ps_set(PsCtx *cx, const Token *decl, const Token *field, AstNode *value)
{
    AstNode *n = ast_new(cx->arena, AST_SET, decl->loc);
    n->str = tok_str(cx, decl);
    n->field = tok_str(cx, field);
    n->loc2 = field->loc;
    n->a = value;
    ast_push(cx->arena, cx->stmts, n);
}

AstNode *ps_vary(PsCtx *cx, const Token *kw, AstNode *path, const Token *in, AstNode *values)
{
    AstNode *n = ast_new(cx->arena, AST_VARY, kw->loc);
    n->kw = tok_str(cx, kw);
    n->field = tok_str(cx, in);
    n->loc2 = in->loc;
    n->items = path->items;
    n->a = values;
    n->span = ast_join(kw->loc, values->span);
    return n;
}

AstNode *ps_list(PsCtx *cx, const Token *open)
{
    return ast_new(cx->arena, AST_LIST, open->loc);
}

AstNode *ps_list_of(PsCtx *cx, AstNode *first)
{
    AstNode *l = ast_new(cx->arena, AST_LIST, first ? first->loc : (SrcLoc){0});
    ps_append(cx, l, first);
    return l;
}

/* Entries that failed to parse (NULL) are dropped: their error is already reported. */
void ps_append(PsCtx *cx, AstNode *list, AstNode *item)
{
    if (list && item)
        ast_push(cx->arena, &list->items, item);
}

AstNode *ps_entry(PsCtx *cx, const Token *key, AstNode *value)
{
    AstNode *n = ast_new(cx->arena, AST_ENTRY, key->loc);
    n->str = tok_str(cx, key);
    n->a = value;
    return n;
}

/*
** Expressions are limited by length, not by how they are written: at most PS_MAX_OPS
** operators (a flat sum of 1000 terms is fine, nesting apart); past that the error is
** reported once and the rest of the expression is dropped, so that no later pass walks a
** tree deeper than the limit.
*/
static bool too_long(PsCtx *cx, const Token *at, const AstNode *a, const AstNode *b)
{
    uint32_t n = a->ops + (b ? b->ops : 0) + 1;
    if (n <= PS_MAX_OPS)
        return false;
    if (a->ops <= PS_MAX_OPS && (!b || b->ops <= PS_MAX_OPS) && !cx->long_expr) {
        cx->long_expr = 1; /* once per input: one long expression is enough to say */
        diag_error(cx->diag, at->loc, "expression too long: more than %d operators",
                   PS_MAX_OPS);
        diag_expected(cx->diag, "at most %d operators in one expression; split it with "
                      "constants (a = ..., b = a + ...)", PS_MAX_OPS);
    }
    return true;
}

AstNode *ps_binary(PsCtx *cx, int op, const Token *at, AstNode *a, AstNode *b)
{
    if (too_long(cx, at, a, b))
        return a->ops >= b->ops ? a : b;
    AstNode *n = ast_new(cx->arena, AST_BINARY, at->loc);
    n->op = op;
    n->a = a;
    n->b = b;
    n->ops = a->ops + b->ops + 1;
    n->span = ast_join(a->span, b->span);
    return n;
}

AstNode *ps_unary(PsCtx *cx, int op, const Token *at, AstNode *a)
{
    if (too_long(cx, at, a, NULL))
        return a;
    AstNode *n = ast_new(cx->arena, AST_UNARY, at->loc);
    n->op = op;
    n->a = a;
    n->ops = a->ops + 1;
    n->span = ast_join(at->loc, a->span);
    return n;
}

/* Parentheses leave no node; only the span grows so that messages underline them. */
AstNode *ps_paren(PsCtx *cx, const Token *open, AstNode *e, const Token *close)
{
    (void)cx;
    e->span = ast_join(open->loc, close->loc);
    return e;
}

AstNode *ps_number(PsCtx *cx, const Token *t)
{
    AstNode *n = ast_new(cx->arena, AST_NUM, t->loc);
    n->num = t->num;
    return n;
}

AstNode *ps_string(PsCtx *cx, const Token *t)
{
    AstNode *n = ast_new(cx->arena, AST_STR, t->loc);
    n->str = tok_str(cx, t);
    return n;
}

AstNode *ps_bool(PsCtx *cx, const Token *t, int value)
{
    AstNode *n = ast_new(cx->arena, AST_BOOL, t->loc);
    n->num = value;
    return n;
}

AstNode *ps_name(PsCtx *cx, const Token *t)
{
    AstNode *n = ast_new(cx->arena, AST_NAME, t->loc);
    n->str = tok_str(cx, t);
    return n;
}

AstNode *ps_field(PsCtx *cx, const Token *decl, const Token *field)
{
    AstNode *n = ast_new(cx->arena, AST_FIELD, decl->loc);
    n->str = tok_str(cx, decl);
    n->field = tok_str(cx, field);
    n->loc2 = field->loc;
    n->span = ast_join(decl->loc, field->loc);
    return n;
}

AstNode *ps_call(PsCtx *cx, const Token *fn, AstNode *args, const Token *close)
{
    AstNode *n = ast_new(cx->arena, AST_CALL, fn->loc);
    n->str = tok_str(cx, fn);
    if (args)
        n->items = args->items;
    n->span = ast_join(fn->loc, close->loc);
    return n;
}

AstNode *ps_bracket(PsCtx *cx, const Token *open, AstNode *items, const Token *close)
{
    AstNode *n = ast_new(cx->arena, AST_LIST, open->loc);
    if (items)
        n->items = items->items;
    n->span = ast_join(open->loc, close->loc);
    return n;
}

/* }====================================================================== */

/*
** {======================================================================
** Syntax errors
** =======================================================================
*/

#define BIT(t) (1ul << (t))
/* Tokens that can start an expression, and the binary operators: listed as one phrase. */
static const unsigned long EXPR_START = BIT(TK_NAME) | BIT(TK_NUMBER) | BIT(TK_STRING) |
                                        BIT(TK_TRUE) | BIT(TK_FALSE) | BIT(TK_LPAREN) |
                                        BIT(TK_LBRACK) | BIT(TK_PLUS) | BIT(TK_MINUS);
static const unsigned long BINOPS =
    BIT(TK_PLUS) | BIT(TK_MINUS) | BIT(TK_STAR) | BIT(TK_SLASH) | BIT(TK_CARET);

/* "unexpected name 'foo'" and the like. */
static void describe_token(char *buf, size_t n, int code, const Token *t)
{
    if (code == 0)
        snprintf(buf, n, "end of input");
    else if (code == TK_NAME || code == TK_NUMBER)
        snprintf(buf, n, "%s '%.*s'", lx_token_name(code), (int)(t->len > 40 ? 40 : t->len),
                 t->text);
    else
        snprintf(buf, n, "%s", lx_token_name(code));
}

/* "an expression, ',' or ')'" from a mask of acceptable tokens. */
static void describe_expected(char *buf, size_t n, unsigned long mask)
{
    const char *parts[32];
    size_t np = 0;
    if ((mask & EXPR_START) == EXPR_START) {
        parts[np++] = "an expression";
        mask &= ~EXPR_START;
    }
    if ((mask & BINOPS) == BINOPS) {
        parts[np++] = "an operator";
        mask &= ~BINOPS;
    }
    for (int t = 1; t < 64 && t < TK_UMINUS; t++)
        if (mask & BIT(t))
            parts[np++] = t == TK_NAME ? "a name" : t == TK_NUMBER ? "a number" : lx_token_name(t);
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < np && used < n; i++) {
        const char *glue = i == 0 ? "" : i + 1 == np ? " or " : ", ";
        used += (size_t)snprintf(buf + used, n - used, "%s%s", glue, parts[i]);
    }
}

void ps_syntax_error(PsCtx *cx, int code, const Token *t, unsigned long expected)
{
    char what[96], exp[256];
    if (cx->err_at.line && cx->err_at.file == t->loc.file && cx->err_at.line == t->loc.line &&
        cx->err_at.col == t->loc.col)
        return; /* this place has its error already */
    cx->err_at = t->loc;
    if (cx->at_eof)
        code = 0; /* the newline the driver adds at the end is not in the text */
    describe_token(what, sizeof what, code, t);
    describe_expected(exp, sizeof exp, expected);
    diag_error(cx->diag, t->loc, "unexpected %s", what);
    if (cx->lx->braces > 0)
        cx->block_errors++;
    /* Outside a block the statement is lost: skip to its end, its block included, so that
    ** the block's entries are not taken for statements. */
    if (cx->lx->braces == 0 && (code != TK_NL || (expected & BIT(TK_LBRACE))))
        cx->skip = 1; /* an error at the end of the line has ended the statement already */
    if (exp[0])
        diag_expected(cx->diag, "%s", exp);
    const SrcLoc *open = lx_unclosed(cx->lx);
    if (open && t->loc.line > open->line)
        diag_hint(cx->diag, "the bracket at line %u, column %u is not closed", open->line,
                  open->col);
    else if (code == 0 && cx->lx->braces > 0)
        diag_hint(cx->diag, "the '{' at line %u, column %u is not closed", cx->lx->brace_open.line,
                  cx->lx->brace_open.col);
    else if (code == TK_NAME && cx->lx->braces > 0 && cx->prev_code == TK_NAME &&
             cx->prev_first && cx->prev.col == 1)
        diag_hint(cx->diag, "is a '}' missing above? the '{' at line %u, column %u is not closed",
                  cx->lx->brace_open.line, cx->lx->brace_open.col);
    else if ((code == TK_TRUE || code == TK_FALSE || code == TK_USE || code == TK_VARY) &&
             (expected & BIT(TK_NAME)))
        diag_hint(cx->diag, "'%.*s' is a keyword; pick another name", (int)t->len, t->text);
    else if (code == TK_NL && expected == BIT(TK_LBRACE))
        diag_hint(cx->diag, "the '{' goes on the line of the declaration");
    else if (code == TK_NAME && (expected & BIT(TK_COMMA)) && (expected & BIT(TK_NL)) &&
             (expected & BIT(TK_RBRACE)))
        diag_hint(cx->diag, "write one entry per line or separate entries with ','");
    else if (code != TK_NAME && (expected & BIT(TK_EQ)) && cx->lx->braces > 0)
        diag_hint(cx->diag, "did you forget '=' between the name and its value?");
    else if (code == TK_NAME && (expected & BIT(TK_EQ)) && !(expected & BIT(TK_NAME)))
        diag_hint(cx->diag, "write one entry per line or separate entries with ','");
}

void ps_nesting_error(PsCtx *cx)
{
    if (cx->nested)
        return;
    cx->nested = 1;
    if (cx->lx->depth > 0) {
        diag_error(cx->diag, cx->lx->open[0], "nesting too deep");
        diag_expected(cx->diag, "at most %d levels of brackets", LX_MAX_NEST);
    } else {
        diag_error(cx->diag, cx->last, "expression nested too deep");
        diag_expected(cx->diag, "fewer nested operators (a long chain of unary '-' or '^')");
    }
}

/* }====================================================================== */

/*
** {======================================================================
** The driver
** =======================================================================
*/

/* A NUL byte in text (binary junk) is one error, not one per stray byte: 1 if there is one
** (reported), else 0. */
static int nul_byte(Diag *d, uint32_t file, const char *text, size_t len)
{
    const char *nul = memchr(text, '\0', len);
    if (!nul)
        return 0;
    uint32_t line = diag_file_first_line(d, file);
    const char *bol = text;
    for (const char *q = text; q < nul; q++)
        if (*q == '\n') {
            line++;
            bol = q + 1;
        }
    diag_error(d, (SrcLoc){file, line, (uint32_t)(nul - bol) + 1, 1}, "NUL byte in source");
    diag_expected(d, "a text file (is this a binary file?)");
    return 1;
}

/*
** The one parse loop: the lexer's tokens to the parser up to the end of the input, or up to
** the end of its first line if `one_line` (that newline is not fed). *t is left at the last
** token read, where the caller's closing tokens are reported. Returns 0, or 1 if parsing
** stopped for good (the input is not text, nesting too deep, too many errors; reported):
** feed nothing more then.
*/
static int feed(PsCtx *cx, void *p, Token *t, bool one_line)
{
    Lexer *lx = cx->lx;
    int code;
    while ((code = lx_next(lx, t)) != 0 && !lx->fatal) {
        if (lx->overflow) {
            ps_nesting_error(cx);
            break;
        }
        if (one_line && code == TK_NL)
            break;
        if (cx->skip && !(code == TK_NL && lx->braces == 0))
            continue;
        cx->skip = 0;
        cx->prev = cx->last;
        cx->prev_code = cx->last_code;
        cx->prev_first = cx->last_first;
        cx->last_first = cx->last_code == 0 || cx->last_code == TK_NL ||
                         t->loc.line != cx->last.line;
        cx->last = t->loc;
        cx->last_code = code;
        ps_Parse(p, code, *t);
        if (cx->nested || diag_full(cx->diag))
            break;
    }
    return cx->nested || lx->fatal || diag_full(cx->diag) ? 1 : 0;
}

int ps_parse(Arena *ar, Diag *d, uint32_t file, const char *text, size_t len, AstList *out)
{
    if (nul_byte(d, file, text, len))
        return 1;
    Lexer lx;
    lx_init(&lx, d, file, text, len);
    lx.line = diag_file_first_line(d, file);
    PsCtx cx = {.arena = ar, .diag = d, .lx = &lx, .stmts = out};
    int before = diag_count(d);
    void *p = ps_ParseAlloc(rt_xmalloc, &cx); /* never NULL: rt_xmalloc aborts */
    Token t;
    if (feed(&cx, p, &t, false) == 0) {
        /* A last line without its newline still ends its statement. */
        cx.at_eof = 1;
        ps_Parse(p, TK_NL, t);
        ps_Parse(p, 0, t);
    }
    ps_ParseFree(p, free);
    return diag_count(d) - before;
}

/* The name of the constant an expression is parsed into; no name a lexer reads can clash. */
#define VALUE_NAME "(value)"

/*
** The parser gets `(value) = (` before the expression's tokens and `)` after them, so that
** the grammar's own rules parse it (one grammar, one set of messages) while every location
** stays where the expression was written.
*/
const AstNode *ps_parse_expr(Arena *ar, Diag *d, uint32_t file, const char *text, size_t len,
                             size_t off)
{
    if (nul_byte(d, file, text, len))
        return NULL;
    Lexer lx;
    lx_init(&lx, d, file, text, len);
    lx.line = diag_file_first_line(d, file);
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            lx.line++;
            lx.bol = (const unsigned char *)text + i + 1;
        }
    lx.cur = lx.tok = (const unsigned char *)text + off;
    AstList stmts = {0};
    PsCtx cx = {.arena = ar, .diag = d, .lx = &lx, .stmts = &stmts};
    int before = diag_count(d);
    void *p = ps_ParseAlloc(rt_xmalloc, &cx); /* never NULL: rt_xmalloc aborts */
    Token t = {.loc = {file, lx.line, 1, 1}, .text = VALUE_NAME, .len = strlen(VALUE_NAME)};
    ps_Parse(p, TK_NAME, t);
    ps_Parse(p, TK_EQ, t);
    ps_Parse(p, TK_LPAREN, t);
    if (feed(&cx, p, &t, true) == 0) {
        cx.at_eof = 1; /* an error now is about the end of the written text */
        t.len = 0;
        ps_Parse(p, TK_RPAREN, t);
        ps_Parse(p, TK_NL, t);
        ps_Parse(p, 0, t);
    }
    ps_ParseFree(p, free);
    if (diag_count(d) > before || stmts.n != 1 || stmts.v[0]->kind != AST_CONST)
        return NULL;
    return stmts.v[0]->a;
}

/* }====================================================================== */
