/*
** rt_vec.h: reductions over float vectors that several runtime modules share, compiled for
** the x86-64 baseline, AVX2 and AVX-512 (chosen when the program loads); every width gives
** the same result.
*/
#ifndef AIMCI_RT_VEC_H
#define AIMCI_RT_VEC_H

#include <stddef.h>

/*
** A loop compiled for the x86-64 baseline, AVX2 and AVX-512, chosen when the program loads
** (GCC's target_clones). Only for code of IEEE +, -, *, /, compares and selects: with
** -ffp-contract=off no FMA is formed, so every width gives the same bits.
*/
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define RT_WIDE_LOOP __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RT_WIDE_LOOP
#endif

/* max |x_k| over x (n), 0 for n = 0; NaNs are skipped. */
float rt_absmax(const float *x, size_t n);

#endif
