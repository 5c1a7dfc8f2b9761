/*
** check_sym.c: the checker's symbol table: every name a script defines (declarations and
** constants), looked up by name or by IR, its "did you mean" suggestions, and the queries
** other layers ask of a checked script (check.h). The bottom of the checker: it calls no
** other part of it (chk.h).
*/
#include "chk.h"

#include <string.h>

Checker *chk_new(Arena *ar, Diag *d, const char *stdlib)
{
    Checker *c = arena_alloc(ar, sizeof *c);
    c->ar = ar;
    c->diag = d;
    c->stdlib = stdlib;
    c->cache = arena_alloc(ar, sizeof *c->cache);
    return c;
}

/*
** {======================================================================
** Symbols
** =======================================================================
*/

Sym *chk_lookup(const Checker *c, const char *name)
{
    for (size_t i = 0; i < c->nsyms; i++)
        if (strcmp(c->syms[i]->name, name) == 0)
            return c->syms[i];
    return NULL;
}

const Sym *chk_sym_of_ir(const Checker *c, const void *ir)
{
    for (size_t i = 0; i < c->nsyms; i++)
        if (c->syms[i]->ir == ir)
            return c->syms[i];
    return NULL;
}

void chk_suggest(Checker *c, const char *name, int kind, const char *const *extra, size_t nextra)
{
    const char **cands = arena_alloc(c->ar, (c->nsyms + nextra + 1) * sizeof *cands);
    size_t n = 0;
    for (size_t i = 0; i < c->nsyms; i++)
        if (kind < 0 || c->syms[i]->kind == kind)
            cands[n++] = c->syms[i]->name;
    for (size_t i = 0; i < nextra; i++)
        cands[n++] = extra[i];
    const char *best = diag_nearest(name, cands, n);
    if (best)
        diag_hint(c->diag, "did you mean '%s'?", best);
}

const AstNode *chk_declared_later(const Checker *c, const char *name)
{
    for (size_t i = c->next; c->pending && i < c->pending->n; i++) {
        const AstNode *n = c->pending->v[i];
        if ((n->kind == AST_CONST || n->kind == AST_DECL) && strcmp(n->str, name) == 0)
            return n;
    }
    return NULL;
}

/* }====================================================================== */

/*
** {======================================================================
** Queries
** =======================================================================
*/

size_t chk_names(const Checker *c, int kind, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nsyms && n < cap; i++)
        if (kind < 0 || c->syms[i]->kind == kind)
            out[n++] = c->syms[i]->name;
    return n;
}

bool chk_name_info(const Checker *c, const char *name, int *kind, int *family)
{
    const Sym *s = chk_lookup(c, name);
    if (kind)
        *kind = s ? s->kind : -1;
    if (family)
        *family = s ? s->family : -1;
    return s != NULL;
}

/* }====================================================================== */
