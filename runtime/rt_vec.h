/*
** rt_vec.h: reductions over float vectors that several runtime modules share; those that
** vectorise compiled for the x86-64 baseline, AVX2 and AVX-512 (chosen when the program
** loads), every width giving the same result.
*/
#ifndef AIMCI_RT_VEC_H
#define AIMCI_RT_VEC_H

#include <stdbool.h>
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

/*
** The index of the one nonzero of v (n), n if none, n + 1 if there are more (it stops at the
** second): a transfer's one-hot column read (rt_io.c) and write (rt_tile.c).
*/
size_t rt_lone_nonzero(const float *v, size_t n);

/* max |x_k| over x (n), 0 for n = 0; NaNs are skipped. */
float rt_absmax(const float *x, size_t n);

/* Whether x (n) holds a NaN. */
bool rt_has_nan(const float *x, size_t n);

#endif
