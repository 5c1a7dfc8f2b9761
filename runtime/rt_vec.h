/*
** rt_vec.h: reductions over float vectors that several runtime modules share, compiled for
** the x86-64 baseline, AVX2 and AVX-512 (chosen when the program loads); every width gives
** the same result.
*/
#ifndef AIMCI_RT_VEC_H
#define AIMCI_RT_VEC_H

#include <stddef.h>

/* max |x_k| over x (n), 0 for n = 0; NaNs are skipped. */
float rt_absmax(const float *x, size_t n);

#endif
