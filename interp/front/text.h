/*
** text.h: a growable string, and numbers printed the shortest way that reads back exactly.
*/
#ifndef AIMCI_TEXT_H
#define AIMCI_TEXT_H

#include <stddef.h>

typedef struct Buf {
    char *s; /* NUL-terminated (once anything was written) */
    size_t n, cap;
} Buf;

void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);

/* The shortest %g form of v that strtod reads back as v ("0.001", "1e-05", "20000"). */
void txt_num(char out[32], double v);

#endif
