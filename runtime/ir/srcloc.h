/*
** srcloc.h: a position in a source file, shared by every layer that reports errors.
** file indexes the Diag file table (interp/front/diag.h); line and col count from 1;
** len is the length in bytes of the culprit (at least 1 for a caret).
*/
#ifndef AIMCI_SRCLOC_H
#define AIMCI_SRCLOC_H

#include <stdint.h>

typedef struct SrcLoc {
    uint32_t file, line, col, len;
} SrcLoc;

#endif
