/*
** text.c: string building for --dump and messages.
*/
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>

#include "rt_mem.h"

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            return;
        if (b->s && (size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        RT_XGROW(b->s, b->cap, b->n + (size_t)k + 1);
    }
}

void buf_free(Buf *b)
{
    free(b->s);
    *b = (Buf){0};
}

void txt_num(char out[32], double v)
{
    if (v == floor(v) && fabs(v) < 1e15) { /* whole: all digits, no exponent */
        snprintf(out, 32, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}
