/*
** test_arena.c: the bump allocator (interp/front/arena.h): zeroed aligned blocks, and the
** growth of arena arrays (arena_grow) that the AST and the checker's tables use.
*/
#include <criterion/criterion.h>
#include <stdint.h>

#include "arena.h"

Test(arena, blocks_are_zeroed_and_16_byte_aligned)
{
    Arena *a = arena_new();
    for (size_t n = 1; n < 5000; n += 37) {
        unsigned char *p = arena_alloc(a, n);
        cr_assert_eq((uintptr_t)p % 16, 0, "a block of %zu bytes at %p", n, (void *)p);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(p[i], 0);
    }
    arena_free(a);
}

Test(arena, arrays_grow_by_doubling_and_keep_their_contents)
{
    Arena *a = arena_new();
    long *v = NULL;
    size_t cap = 0, n = 0;
    for (long k = 0; k < 1000; k++) {
        size_t before = cap;
        ARENA_GROW(a, v, cap, n + 1);
        cr_assert_geq(cap, n + 1);
        if (before)
            cr_assert(cap == before || cap == 2 * before, "%zu -> %zu", before, cap);
        else
            cr_assert_eq(cap, 8, "the first block holds 8");
        v[n++] = k * k;
    }
    for (long k = 0; k < 1000; k++)
        cr_assert_eq(v[k], k * k);
    cr_assert_eq(cap, 1024);
    size_t same = cap;
    ARENA_GROW(a, v, cap, 17);
    cr_assert_eq(cap, same, "room enough: nothing moves");
    arena_free(a);
}
