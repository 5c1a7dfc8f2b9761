/*
** arena.h: a bump allocator. One arena per compile holds the source texts, the AST and the
** IR; freeing the arena frees them all, so no AST or IR node has a destructor.
*/
#ifndef AIMCI_ARENA_H
#define AIMCI_ARENA_H

#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
/* Zeroed, 16-byte aligned memory that lives as long as the arena. Aborts on exhaustion. */
void *arena_alloc(Arena *a, size_t size);
/*
** Room for `need` elements of `elem` bytes in the arena array *p of capacity *cap: when
** *cap is smaller it doubles (from 8) until it suffices and the contents move to a new
** block (the old one stays in the arena until it is freed). ARENA_GROW(a, v, cap, need)
** for a typed pointer `T *v`. Heap arrays grow with rt_grow (rt_mem.h) instead.
*/
void arena_grow(Arena *a, void **p, size_t *cap, size_t need, size_t elem);
#define ARENA_GROW(a, p, cap, need) arena_grow((a), (void **)&(p), &(cap), (need), sizeof *(p))
/* A NUL-terminated copy of s[0..len). */
char *arena_strndup(Arena *a, const char *s, size_t len);
char *arena_strdup(Arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
