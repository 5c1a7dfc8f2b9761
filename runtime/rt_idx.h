/*
** rt_idx.h: labelled examples, and the reader of IDX files (the MNIST format, gzipped or
** not); CSV tables are read by rt_csv_read (rt_csv.h).
**
** IDX (http://yann.lecun.com/exdb/mnist/): 2 zero bytes, a type byte (only 0x08, unsigned
** bytes, is read), the number of dimensions, each dimension as a big-endian 32-bit count,
** then the values row-major. Image files have 2 dimensions (N, F): vectors of F features,
** shape (F,1,1); or 3 (N, H, W): shape (1,H,W). Pixel values are scaled to [0, 1] (v/255).
** Label files have 1 dimension (N). Files are read through zlib's gzread, which reads
** gzipped and plain files alike. Only the first `limit` examples are read (0: all).
**
** Every error comes back as a message naming the file: missing or unreadable files, a wrong
** magic number, an unsupported type, truncated or corrupt data. Nothing is left allocated
** on failure.
*/
#ifndef AIMCI_RT_IDX_H
#define AIMCI_RT_IDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_layer.h"

/* Examples: x (n, size of shape) and either class labels (n) or real targets t (n, nt). */
typedef struct RtExamples {
    size_t n;
    RtShape shape;
    float *x;
    int32_t *label;   /* or NULL (targets) */
    float *t;         /* (n, nt) real-valued targets, or NULL (labels) */
    size_t nt;
} RtExamples;

void rt_examples_free(RtExamples *e);

/* Images of an IDX file into e->x, e->n, e->shape; 0, or -1 with err set. */
int rt_idx_read_images(RtExamples *e, const char *path, size_t limit, char *err, size_t errlen);

/* Labels of an IDX file into *label, *n; 0, or -1 with err set. */
int rt_idx_read_labels(int32_t **label, size_t *n, const char *path, size_t limit, char *err,
                       size_t errlen);

/* Images and labels of one set (the counts must agree); 0, or -1 with err set. */
int rt_idx_read(RtExamples *e, const char *images, const char *labels, size_t limit, char *err,
                size_t errlen);

/*
** What a set holds without reading its images: the images' header (the example shape and
** count, within limit) and the labels (read: their largest value in *top); the counts must
** agree. 0, or -1 with err set.
*/
int rt_idx_probe(const char *images, const char *labels, size_t limit, RtShape *shape,
                 size_t *n, int32_t *top, char *err, size_t errlen);

#endif
