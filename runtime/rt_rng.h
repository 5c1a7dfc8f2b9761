/*
** rt_rng.h: the one random number generator of the runtime (explicit state, no globals).
**
** xoshiro256++ (Blackman & Vigna), seeded through splitmix64 from a (seed, stream) pair, so
** that every consumer of randomness owns an independent, reproducible stream. The same
** (seed, stream) always gives the same sequence, on every run.
**
** Stream numbering (one RtRng per purpose; the seed is the `seed` of the train/measure):
**   RT_STREAM_DATA        least-squares data: A row-major, then w*, then the noise of b
**   RT_STREAM_INIT        initial weights: layer by layer, W row-major then the bias
**   RT_STREAM_ORDER       sample order: one Fisher-Yates shuffle of the rows per epoch
**   RT_STREAM_D2D(l)      device-to-device draws of layer l (a measure uses layer 0, so
**                         it sees the same device as cross-point (0,0) of layer 0)
**   RT_STREAM_UPDATE(l)   pulsed update of layer l: one key per sample for the kernels'
**                         trains and noise (rt_kern.h; other pulse types: their draws
**                         directly), then the post-update diffusion (a measure uses
**                         RT_STREAM_UPDATE(0) for its c2c noise)
**   RT_STREAM_IO(l)       forward/backward I/O of analog layer l (rt_io.h): the fixed
**                         per-output noise stds, then the keys of the stages' noises and
**                         the stochastic roundings of the passes, in the order they happen
**   RT_STREAM_EVAL_IO(l)  the passes of layer l's evaluation I/O (analog evaluation,
**                         rt_net.h), every evaluation of a run in order
** A digital_sgd run and an analog_sgd run of the same train therefore share data, initial
** weights and sample order exactly.
**
** The fast kernels (rt_kern.h) draw from RtRng8: eight xoshiro128+ generators side by side
** (one per vector lane), seeded from a (key, stream) pair like RtRng. Keys are 64-bit draws
** of an RtRng, so a kernel stream is a reproducible function of the run's seed; the pulsed
** update keys, per sample, one stream for the column trains, one for the rows' uniform words
** and one per row that fires, which is what makes its result independent of how rows are
** split among threads.
*/
#ifndef AIMCI_RT_RNG_H
#define AIMCI_RT_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_STREAM_DATA 1u
#define RT_STREAM_INIT 2u
#define RT_STREAM_ORDER 3u
#define RT_STREAM_D2D(l) (0x10000u + (uint64_t)(l))
#define RT_STREAM_UPDATE(l) (0x20000u + (uint64_t)(l))
#define RT_STREAM_IO(l) (0x30000u + (uint64_t)(l))
#define RT_STREAM_EVAL_IO(l) (0x40000u + (uint64_t)(l))

typedef struct RtRng {
    uint64_t s[4];     /* xoshiro256++ state, never all zero */
    double spare;      /* second normal of the last polar pair */
    bool has_spare;
} RtRng;

/* Eight xoshiro128+ states; lane l of word k is s[k][l]. Never all zero in a lane. */
typedef struct RtRng8 {
    uint32_t s[4][8];
} RtRng8;

/* Seed r for (seed, stream); distinct pairs give unrelated sequences. */
void rt_rng_seed(RtRng *r, uint64_t seed, uint64_t stream);

/* Seed the eight lanes of g for (key, stream) (splitmix64 of the mixed pair, 2 words a call). */
void rt_rng8_seed(RtRng8 *g, uint64_t key, uint64_t stream);

/* The next 64 raw bits. */
uint64_t rt_rng_next(RtRng *r);

/* A uniform double in [0, 1) with 53 random bits. */
double rt_rng_uniform(RtRng *r);

/* A standard normal (Marsaglia's polar method; the pair's second value is cached). */
double rt_rng_normal(RtRng *r);

/* A uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t rt_rng_below(RtRng *r, uint64_t n);

/* Shuffle idx[0..n) in place (Fisher-Yates, from the last element down). */
void rt_rng_shuffle(RtRng *r, size_t *idx, size_t n);

#endif
