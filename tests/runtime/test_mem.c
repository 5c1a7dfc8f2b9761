/*
** test_mem.c: the growth helper and the allocators that abort (rt_mem.h).
*/
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "rt_mem.h"

TestSuite(mem);

Test(mem, capacity_doubles_and_contents_stay)
{
    int *v = NULL;
    size_t cap = 0;
    cr_assert_eq(RT_GROW(v, cap, 1), 0);
    cr_assert_eq(cap, 16);
    for (int i = 0; i < 16; i++)
        v[i] = i * i;
    cr_assert_eq(RT_GROW(v, cap, 16), 0, "room already there");
    cr_assert_eq(cap, 16);
    cr_assert_eq(RT_GROW(v, cap, 17), 0);
    cr_assert_eq(cap, 32);
    cr_assert_eq(RT_GROW(v, cap, 100), 0, "doubles until it suffices");
    cr_assert_eq(cap, 128);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(v[i], i * i);
    v[127] = 1; /* the whole capacity is usable (ASan would object otherwise) */
    free(v);
}

Test(mem, overflow_is_detected_and_leaves_the_array)
{
    double *v = NULL;
    size_t cap = 0;
    cr_assert_eq(RT_GROW(v, cap, 4), 0);
    v[0] = 2.5;
    cr_assert_neq(RT_GROW(v, cap, SIZE_MAX / 4), 0, "elements times size overflows");
    cr_assert_neq(RT_GROW(v, cap, SIZE_MAX), 0, "the doubling overflows");
    cr_assert_eq(cap, 16);
    cr_assert_eq(v[0], 2.5);
    free(v);
}

Test(mem, x_allocators_return_memory)
{
    char *s = rt_xstrdup("tile");
    cr_assert_str_eq(s, "tile");
    s = rt_xrealloc(s, 64);
    cr_assert_str_eq(s, "tile");
    int *z = rt_xcalloc(8, sizeof *z);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(z[i], 0);
    void *one = rt_xmalloc(0); /* never NULL, even for 0 bytes */
    cr_assert_not_null(one);
    free(one);
    free(z);
    free(s);
}

Test(mem, x_allocators_abort_when_out_of_memory, .signal = SIGABRT)
{
    size_t cap = 0;
    char *v = NULL;
    rt_xgrow((void **)&v, &cap, SIZE_MAX / 2 + 2, 1);
}
