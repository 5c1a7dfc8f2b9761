/*
** rt_ckpt.h: training checkpoints: the complete state of a run, serialised into a versioned,
** checksummed file, so that a stopped run continues bit for bit where it stopped.
**
** File layout (little-endian on the machines aimci runs on; written and read by the same
** build of aimci, which the identity below pins):
**   0   8  magic "AIMCICKP"
**   8   4  format version (RT_CKPT_FORMAT)
**   12  4  sizeof(size_t) | sizeof(void *) << 8: the machine's word sizes
**   16  8  identity: a hash of what determines the run (its resolved train, the numerics
**           version RT_NUMERICS_VERSION); a checkpoint of another script is never used
**   24  8  body length in bytes
**   32  4  CRC-32 (zlib) of the body
**   36  4  CRC-32 of bytes 0..35
**   40     the body: records, each a 4-byte tag, an 8-byte length and the bytes
** Readers check all of it before using anything, and every record's tag and length against
** what the run being resumed expects: a checkpoint is used whole or not at all.
**
** The body is written and read by one set of functions (RtSer): the same code walks the state
** in both directions, so what is saved is exactly what is restored. What a run holds:
** rt_ckpt_net below (weights and hidden state of every layer, tile, algorithm and I/O, and
** every random stream's position), rt_ckpt_log (the log so far), and the training loop's
** position, sample order and schedule state (rt_train.c). The devices' cells
** (device-to-device draws) are not stored: a resumed run rebuilds its net from the same seed,
** which draws the same cells (rt_net.h; a CRC-32 of a sample of each tile's cells checks
** it), and then overwrites everything that changes.
*/
#ifndef AIMCI_RT_CKPT_H
#define AIMCI_RT_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_net.h"
#include "rt_rng.h"
#include "rt_train.h"

#define RT_CKPT_FORMAT 2u /* 2: the bound of the tiles' staged pulse counters */
#define RT_CKPT_HEADER 40u

/* A checkpoint body being written (save) or read back (load). */
typedef struct RtSer {
    bool load;
    unsigned char *mem; /* the allocation: RT_CKPT_HEADER bytes (the file's header), the body */
    unsigned char *buf; /* the body */
    size_t len, cap;  /* save: bytes so far; load: the body's length */
    size_t pos;       /* load: the read position */
    bool failed;      /* load: a record did not fit (message in msg); later reads do nothing */
    char msg[256];
} RtSer;

/* An empty body to save into; rt_ser_free releases it (and a loaded one). */
void rt_ser_init_save(RtSer *s);
void rt_ser_free(RtSer *s);

/* Append another saved body's bytes (save mode). */
void rt_ser_append(RtSer *s, const RtSer *from);

/*
** One record of n bytes at p: save appends it, load checks its tag and length and copies it
** into p (a mismatch sets failed). Tags name what a record holds (RT_CK_*).
*/
void rt_ser_bytes(RtSer *s, uint32_t tag, void *p, size_t n);
void rt_ser_size(RtSer *s, uint32_t tag, size_t *v);
void rt_ser_f64(RtSer *s, uint32_t tag, double *v);
void rt_ser_rng(RtSer *s, RtRng *r);

/*
** A growing array (*p of *n elements of `elem` bytes, capacity *cap): save writes the count
** and the elements; load replaces *p (freed) by a new allocation. Returns 0, -1 on failure.
*/
int rt_ser_array(RtSer *s, uint32_t tag, void **p, size_t *n, size_t *cap, size_t elem);

/* Every state of every layer of n (see the header); n was built as the saved one was. */
void rt_ckpt_net(RtSer *s, RtNet *n);

/*
** A log (rt_train.h) of a run of model m with optimizer o; load replaces its rows (and sets
** the devices of its array statistics from m and o).
*/
void rt_ckpt_log(RtSer *s, RtLog *log, const IrModel *m, const IrOptimizer *o);

/* The tags (a record's first four bytes: letters, so a dump of a file reads). */
#define RT_CK_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | \
                               (uint32_t)(d) << 24)
enum {
    RT_CK_TRAIN = RT_CK_TAG('T', 'R', 'N', ' '), /* the caller's records (interp) */
    RT_CK_POS = RT_CK_TAG('P', 'O', 'S', ' '),   /* the loop's position */
    RT_CK_ORDER = RT_CK_TAG('O', 'R', 'D', ' '), /* the sample order */
    RT_CK_RNG = RT_CK_TAG('R', 'N', 'G', ' '),
    RT_CK_LR = RT_CK_TAG('L', 'R', ' ', ' '),
    RT_CK_LAYER = RT_CK_TAG('L', 'Y', 'R', ' '),
    RT_CK_WEIGHTS = RT_CK_TAG('W', ' ', ' ', ' '),
    RT_CK_PERSIST = RT_CK_TAG('W', 'P', ' ', ' '),
    RT_CK_PULSES = RT_CK_TAG('N', 'P', 'U', 'L'),
    RT_CK_CELLS = RT_CK_TAG('C', 'E', 'L', 'L'), /* a CRC-32 of a sample of a tile's cells */
    RT_CK_BIAS = RT_CK_TAG('B', 'I', 'A', 'S'),
    RT_CK_SCALE = RT_CK_TAG('S', 'C', 'A', 'L'),
    RT_CK_IO = RT_CK_TAG('I', 'O', ' ', ' '),
    RT_CK_ALGO = RT_CK_TAG('A', 'L', 'G', 'O'),
    RT_CK_ARRAY = RT_CK_TAG('A', 'R', 'R', ' '),
    RT_CK_BUFFER = RT_CK_TAG('B', 'U', 'F', ' '),
    RT_CK_LOG = RT_CK_TAG('L', 'O', 'G', ' '),
};

/* FNV-1a 64 of n bytes, continuing from h (start with RT_CKPT_HASH0). */
#define RT_CKPT_HASH0 0xcbf29ce484222325ull
uint64_t rt_ckpt_hash(uint64_t h, const void *p, size_t n);

/*
** Write body as the checkpoint `path` of identity id, atomically (rt_file_write: a reader
** sees the old checkpoint or the new one); the header goes into the room reserved before
** the body, so the body is not copied. 0, or -1 with a message naming the path.
*/
int rt_ckpt_write(const char *path, uint64_t id, const RtSer *body, char *err, size_t errlen);

/*
** Read checkpoint `path` of identity id into s (load mode, at its first record). Returns 1
** when there is no such file, 0 when it was read and checked, -1 with a message naming the
** path and what is wrong: unreadable, truncated, not a checkpoint, another format version
** or machine, another script (identity), a checksum that does not match.
*/
int rt_ckpt_read(const char *path, uint64_t id, RtSer *s, char *err, size_t errlen);

#endif
