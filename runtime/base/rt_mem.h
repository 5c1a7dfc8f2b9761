/*
** rt_mem.h: memory allocation for the whole program (runtime and interpreter).
**
** Out of memory, one policy:
**  - Internal structures (AST, arenas, text buffers, diagnostics, small tables whose size
**    does not come from the user's data) are allocated with rt_xmalloc, rt_xcalloc,
**    rt_xrealloc and rt_xstrdup, which print "aimci: out of memory" and abort on failure:
**    such a failure leaves nothing sensible to report, and a branch per allocation that no
**    test can reach only hides bugs (the policy of Redis's zmalloc).
**  - Allocations sized by the user's data (datasets, tiles, traces, tables sized by the
**    script) use plain malloc/calloc or rt_grow, which return NULL (or nonzero) on failure;
**    the caller reports an error naming what was too large, since a script can ask for it.
**
** Functions that can fail, one convention: they return int, 0 on success and nonzero on
** failure (-1 with the message in err, or 1 once reported to a Diag); callers test
** `if (f(...))`. bool is for predicates (is_..., has_...), never for success.
*/
#ifndef AIMCI_RT_MEM_H
#define AIMCI_RT_MEM_H

#include <stddef.h>

void *rt_xmalloc(size_t n);
void *rt_xcalloc(size_t n, size_t size);
void *rt_xrealloc(void *p, size_t n);
char *rt_xstrdup(const char *s);
/* A NUL-terminated copy of at most n bytes of s. */
char *rt_xstrndup(const char *s, size_t n);

/* Report "aimci: out of memory" on stderr and abort. */
_Noreturn void rt_oom(void);

/*
** Room for `need` elements of `elem` bytes in *p (capacity *cap elements): when *cap is
** smaller, the capacity doubles (from 16) until it suffices and *p is reallocated, its
** contents kept. Returns 0, or -1 when the size overflows or memory runs out (*p and *cap
** are then unchanged). For data-sized arrays; internal ones use rt_xgrow.
*/
int rt_grow(void **p, size_t *cap, size_t need, size_t elem);

/* rt_grow for internal arrays: aborts instead of failing. */
void rt_xgrow(void **p, size_t *cap, size_t need, size_t elem);

/* The same for a typed pointer: RT_GROW(v, cap, need) with `T *v`. */
#define RT_GROW(p, cap, need) rt_grow((void **)&(p), &(cap), (need), sizeof *(p))
#define RT_XGROW(p, cap, need) rt_xgrow((void **)&(p), &(cap), (need), sizeof *(p))

#endif
