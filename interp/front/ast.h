/*
** ast.h: the syntax tree the parser builds. It mirrors the text: nothing is resolved here
** (names are strings, values are unevaluated expressions). All nodes live in the compile's
** arena. The checker (check.c) turns a list of statements into the IR.
*/
#ifndef AIMCI_AST_H
#define AIMCI_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "srcloc.h"

typedef enum AstKind {
    /* expressions */
    AST_NUM,   /* num */
    AST_STR,   /* str */
    AST_BOOL,  /* num: 0 or 1 */
    AST_NAME,  /* str */
    AST_FIELD, /* str: declaration, field: its parameter (rram.w_max) */
    AST_CALL,  /* str: callee, items: arguments (AST_ENTRY for key = value) */
    AST_LIST,  /* items */
    AST_UNARY, /* op: '-' or '+', a */
    AST_BINARY,/* op: one of + - * / ^, a, b */
    /* entries and statements */
    AST_ENTRY, /* str: key, a: value (in blocks and argument lists) */
    AST_CONST, /* str: name, a: value (top-level `name = expr`) */
    AST_USE,   /* str: the file or library named */
    AST_DECL,  /* kw: declaration kind, str: name, parent (or NULL), items: entries */
    AST_SET,   /* str: declaration, field: parameter, a: value (`fit.steps = 100`; --set) */
    AST_VARY   /* kw: `vary`, field: `in`, items: the path's names, a: the values */
} AstKind;

typedef struct AstNode AstNode;

/* A growable array of node pointers, grown in the arena. */
typedef struct AstList {
    AstNode **v;
    size_t n, cap;
} AstList;

struct AstNode {
    AstKind kind;
    SrcLoc loc;        /* the node; for AST_DECL the name, for AST_ENTRY the key */
    SrcLoc loc2;       /* AST_DECL: the kind keyword; AST_FIELD, AST_SET: the field name;
                          AST_VARY: the word `in` */
    SrcLoc ploc;       /* AST_DECL: the parent after ':' */
    SrcLoc span;       /* expressions: the whole source extent */
    int op;
    uint32_t ops;      /* expressions: the operators in it (its length; PS_MAX_OPS) */
    bool broken;       /* AST_DECL: its block had syntax errors (entries are missing) */
    double num;
    const char *str;
    const char *kw;
    const char *field;
    const char *parent;
    AstNode *a, *b;
    AstList items;
};

AstNode *ast_new(Arena *ar, AstKind kind, SrcLoc loc);
void ast_push(Arena *ar, AstList *l, AstNode *n);
/* The smallest location covering both (same file, a before b). */
SrcLoc ast_join(SrcLoc a, SrcLoc b);
/* A printable name of a node kind ("a number", "a list", ...) for messages. */
const char *ast_describe(const AstNode *n);

#endif
