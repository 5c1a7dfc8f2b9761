/*
** ast.c: node construction for the parser's actions.
*/
#include "ast.h"

#include <string.h>

AstNode *ast_new(Arena *ar, AstKind kind, SrcLoc loc)
{
    AstNode *n = arena_alloc(ar, sizeof *n);
    n->kind = kind;
    n->loc = loc;
    n->span = loc;
    return n;
}

void ast_push(Arena *ar, AstList *l, AstNode *n)
{
    ARENA_GROW(ar, l->v, l->cap, l->n + 1);
    l->v[l->n++] = n;
}

SrcLoc ast_join(SrcLoc a, SrcLoc b)
{
    if (a.file != b.file || b.line != a.line || b.col < a.col) {
        /* Across lines the caret marks the start only. */
        return a;
    }
    SrcLoc r = a;
    uint32_t end = b.col + b.len;
    r.len = end > a.col ? end - a.col : a.len;
    return r;
}

const char *ast_describe(const AstNode *n)
{
    switch (n->kind) {
    case AST_NUM: return "a number";
    case AST_STR: return "a string";
    case AST_BOOL: return "a boolean";
    case AST_NAME: return "a name";
    case AST_FIELD: return "a field reference";
    case AST_CALL: return "a call";
    case AST_LIST: return "a list";
    case AST_UNARY:
    case AST_BINARY: return "an expression";
    case AST_ENTRY: return "an entry";
    case AST_CONST: return "a constant";
    case AST_USE: return "a use";
    case AST_DECL: return "a declaration";
    case AST_SET: return "an assignment to a field";
    case AST_VARY: return "a vary entry";
    }
    return "a node";
}
