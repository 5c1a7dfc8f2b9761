/*
** check_sym.c: the checker's symbol table: every name a script defines (declarations and
** constants), looked up by name or by IR, its "did you mean" suggestions, and the queries
** other layers ask of a checked script (check.h). The bottom of the checker: it calls no
** other part of it (chk.h).
*/
#include "chk.h"

#include <stdint.h>
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

/*
** The symbol table is c->syms (in definition order, for the queries and the program) plus
** two open-addressing hash tables over it, by name and by IR pointer, so that checking is
** linear in the number of declarations (a script of 50,000 constants, each naming the one
** before it, or a REPL session re-checked after each of its declarations).
*/

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t hash_ptr(const void *p)
{
    size_t h = (size_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    return h ^ (h >> 33);
}

static void put_name(Sym **t, size_t cap, Sym *s)
{
    size_t i = hash_name(s->name) & (cap - 1);
    while (t[i])
        i = (i + 1) & (cap - 1);
    t[i] = s;
}

static void put_ir(Sym **t, size_t cap, Sym *s)
{
    size_t i = hash_ptr(s->ir) & (cap - 1);
    while (t[i])
        i = (i + 1) & (cap - 1);
    t[i] = s;
}

/* Tables of at least twice the symbols (the old ones stay in the arena until it is freed). */
static void rehash(Checker *c, size_t need)
{
    size_t cap = c->hcap ? c->hcap : 64;
    while (cap < 2 * need)
        cap *= 2;
    if (cap == c->hcap)
        return;
    c->by_name = arena_alloc(c->ar, cap * sizeof *c->by_name);
    c->by_ir = arena_alloc(c->ar, cap * sizeof *c->by_ir);
    memset(c->by_name, 0, cap * sizeof *c->by_name);
    memset(c->by_ir, 0, cap * sizeof *c->by_ir);
    c->hcap = cap;
    for (size_t i = 0; i < c->nsyms; i++) {
        put_name(c->by_name, cap, c->syms[i]);
        if (c->syms[i]->ir)
            put_ir(c->by_ir, cap, c->syms[i]);
    }
}

void chk_truncate_syms(Checker *c, size_t n)
{
    if (n >= c->nsyms)
        return;
    for (size_t i = n; i < c->nsyms; i++)
        c->nexperiments -= c->syms[i]->kind == SCH_EXPERIMENT;
    c->nsyms = n;
    if (!c->hcap)
        return;
    memset(c->by_name, 0, c->hcap * sizeof *c->by_name);
    memset(c->by_ir, 0, c->hcap * sizeof *c->by_ir);
    for (size_t i = 0; i < c->nsyms; i++) {
        put_name(c->by_name, c->hcap, c->syms[i]);
        if (c->syms[i]->ir)
            put_ir(c->by_ir, c->hcap, c->syms[i]);
    }
}

void chk_add_sym(Checker *c, Sym *s)
{
    ARENA_GROW(c->ar, c->syms, c->cap, c->nsyms + 1);
    c->syms[c->nsyms++] = s;
    c->nexperiments += s->kind == SCH_EXPERIMENT;
    if (2 * c->nsyms > c->hcap) {
        rehash(c, c->nsyms); /* indexes every symbol, s included */
        return;
    }
    put_name(c->by_name, c->hcap, s);
    if (s->ir)
        put_ir(c->by_ir, c->hcap, s);
}

void chk_index_ir(Checker *c, Sym *s)
{
    if (c->hcap && s->ir)
        put_ir(c->by_ir, c->hcap, s);
}

Sym *chk_lookup(const Checker *c, const char *name)
{
    if (!c->hcap)
        return NULL;
    for (size_t i = hash_name(name) & (c->hcap - 1); c->by_name[i]; i = (i + 1) & (c->hcap - 1))
        if (strcmp(c->by_name[i]->name, name) == 0)
            return c->by_name[i];
    return NULL;
}

const Sym *chk_sym_of_ir(const Checker *c, const void *ir)
{
    if (!c->hcap || !ir)
        return NULL;
    for (size_t i = hash_ptr(ir) & (c->hcap - 1); c->by_ir[i]; i = (i + 1) & (c->hcap - 1))
        if (c->by_ir[i]->ir == ir)
            return c->by_ir[i];
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
