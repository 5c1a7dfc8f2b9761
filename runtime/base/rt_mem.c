/*
** rt_mem.c: the allocators that abort and the growth helper (rt_mem.h).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_mem.h"

#define FIRST_CAP 16

_Noreturn void rt_oom(void)
{
    fputs("aimci: out of memory\n", stderr);
    abort();
}

/* malloc(0) may return NULL: ask for one byte so that NULL always means failure. */
void *rt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        rt_oom();
    return p;
}

void *rt_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        rt_oom();
    return p;
}

void *rt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        rt_oom();
    return q;
}

char *rt_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(rt_xmalloc(n), s, n);
}

char *rt_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *t = memcpy(rt_xmalloc(len + 1), s, len);
    t[len] = '\0';
    return t;
}

int rt_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : FIRST_CAP;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -1;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem)
        return -1;
    void *q = realloc(*p, elem ? c * elem : 1);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

void rt_xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (rt_grow(p, cap, need, elem))
        rt_oom();
}
