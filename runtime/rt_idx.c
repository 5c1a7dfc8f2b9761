/*
** rt_idx.c: the IDX reader (rt_idx.h), through zlib's gzread.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rt_idx.h"

#define MAX_DIM 100000000u /* any one dimension */
#define CHUNK (1u << 20)   /* bytes per gzread */
#define MAX_BYTES ((size_t)1 << 32) /* most bytes of values one file may give */

void rt_examples_free(RtExamples *e)
{
    free(e->x);
    free(e->label);
    free(e->t);
    e->x = NULL;
    e->label = NULL;
    e->t = NULL;
    e->n = e->nt = 0;
}

/* Read exactly len bytes; -1 with err set (truncated, corrupt) otherwise. */
static int read_exact(gzFile f, const char *path, unsigned char *buf, size_t len,
                      const char *what, char *err, size_t errlen)
{
    size_t got = 0;
    while (got < len) {
        unsigned want = len - got < CHUNK ? (unsigned)(len - got) : CHUNK;
        int r = gzread(f, buf + got, want);
        if (r < 0) {
            int code;
            const char *msg = gzerror(f, &code);
            snprintf(err, errlen, "%s: corrupt data (%s)", path, msg ? msg : "read error");
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got == len)
        return 0;
    int code;
    const char *msg = gzerror(f, &code);
    snprintf(err, errlen, "%s: truncated: %s needs %zu bytes, the file has %zu%s%s%s", path,
             what, len, got, code != Z_OK ? " (" : "", code != Z_OK ? msg : "",
             code != Z_OK ? ")" : "");
    return -1;
}

/* Open path and read its header: type 0x08 and ndims; dims[] filled. */
static gzFile open_idx(const char *path, unsigned want_lo, unsigned want_hi, uint32_t *dims,
                       unsigned *ndims, char *err, size_t errlen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, errno ? strerror(errno) : "zlib");
        return NULL;
    }
    unsigned char h[4];
    if (read_exact(f, path, h, 4, "the header", err, errlen) != 0) {
        gzclose(f);
        return NULL;
    }
    if (h[0] != 0 || h[1] != 0 || h[3] < want_lo || h[3] > want_hi) {
        snprintf(err, errlen, "%s: not an IDX file of %u to %u dimensions (it starts with "
                 "%02x %02x %02x %02x)", path, want_lo, want_hi, h[0], h[1], h[2], h[3]);
        gzclose(f);
        return NULL;
    }
    if (h[2] != 0x08) {
        snprintf(err, errlen, "%s: IDX data type 0x%02x is not supported (only unsigned "
                 "bytes, 0x08)", path, h[2]);
        gzclose(f);
        return NULL;
    }
    *ndims = h[3];
    for (unsigned d = 0; d < *ndims; d++) {
        unsigned char b[4];
        if (read_exact(f, path, b, 4, "the header", err, errlen) != 0) {
            gzclose(f);
            return NULL;
        }
        dims[d] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (dims[d] == 0 || dims[d] > MAX_DIM) {
            snprintf(err, errlen, "%s: dimension %u is %u (expected 1 to %u)", path, d + 1,
                     dims[d], MAX_DIM);
            gzclose(f);
            return NULL;
        }
    }
    return f;
}

int rt_idx_read_images(RtExamples *e, const char *path, size_t limit, char *err, size_t errlen)
{
    uint32_t dims[3];
    unsigned nd;
    gzFile f = open_idx(path, 2, 3, dims, &nd, err, errlen);
    if (!f)
        return -1;
    size_t n = limit && limit < dims[0] ? limit : dims[0];
    e->shape = nd == 2 ? (RtShape){dims[1], 1, 1} : (RtShape){1, dims[1], dims[2]};
    size_t F = rt_shape_size(e->shape);
    if (F > MAX_BYTES / n) {
        snprintf(err, errlen, "%s: %zu examples of %zu values are too many", path, n, F);
        gzclose(f);
        return -1;
    }
    unsigned char *buf = malloc(n * F);
    e->x = malloc(n * F * sizeof *e->x);
    int rc = -1;
    if (!buf || !e->x)
        snprintf(err, errlen, "%s: out of memory for %zu examples", path, n);
    else
        rc = read_exact(f, path, buf, n * F, "the images", err, errlen);
    for (size_t k = 0; rc == 0 && k < n * F; k++)
        e->x[k] = (float)buf[k] / 255.0f;
    free(buf);
    gzclose(f);
    if (rc != 0) {
        free(e->x);
        e->x = NULL;
        return -1;
    }
    e->n = n;
    return 0;
}

int rt_idx_read_labels(int32_t **label, size_t *n, const char *path, size_t limit, char *err,
                       size_t errlen)
{
    uint32_t dims[1];
    unsigned nd;
    gzFile f = open_idx(path, 1, 1, dims, &nd, err, errlen);
    if (!f)
        return -1;
    *n = limit && limit < dims[0] ? limit : dims[0];
    unsigned char *buf = malloc(*n);
    *label = malloc(*n * sizeof **label);
    int rc = -1;
    if (!buf || !*label)
        snprintf(err, errlen, "%s: out of memory for %zu labels", path, *n);
    else
        rc = read_exact(f, path, buf, *n, "the labels", err, errlen);
    for (size_t k = 0; rc == 0 && k < *n; k++)
        (*label)[k] = buf[k];
    free(buf);
    gzclose(f);
    if (rc != 0) {
        free(*label);
        *label = NULL;
    }
    return rc;
}

int rt_idx_read(RtExamples *e, const char *images, const char *labels, size_t limit, char *err,
                size_t errlen)
{
    memset(e, 0, sizeof *e);
    size_t nl = 0;
    if (rt_idx_read_images(e, images, limit, err, errlen) != 0)
        return -1;
    if (rt_idx_read_labels(&e->label, &nl, labels, limit, err, errlen) != 0) {
        rt_examples_free(e);
        return -1;
    }
    if (nl != e->n) {
        snprintf(err, errlen, "%s has %zu images but %s has %zu labels%s", images, e->n, labels,
                 nl, limit ? " (within the limit)" : "");
        rt_examples_free(e);
        return -1;
    }
    return 0;
}

int rt_idx_probe(const char *images, const char *labels, size_t limit, RtShape *shape,
                 size_t *n, int32_t *top, char *err, size_t errlen)
{
    uint32_t dims[3];
    unsigned nd;
    gzFile f = open_idx(images, 2, 3, dims, &nd, err, errlen);
    if (!f)
        return -1;
    gzclose(f);
    *shape = nd == 2 ? (RtShape){dims[1], 1, 1} : (RtShape){1, dims[1], dims[2]};
    size_t ni = limit && limit < dims[0] ? limit : dims[0], nl = 0;
    int32_t *label = NULL;
    if (rt_idx_read_labels(&label, &nl, labels, limit, err, errlen) != 0)
        return -1;
    *top = 0;
    for (size_t k = 0; k < nl; k++)
        *top = label[k] > *top ? label[k] : *top;
    free(label);
    if (nl != ni) {
        snprintf(err, errlen, "%s has %zu images but %s has %zu labels%s", images, ni, labels,
                 nl, limit ? " (within the limit)" : "");
        return -1;
    }
    *n = ni;
    return 0;
}
