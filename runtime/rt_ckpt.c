/*
** rt_ckpt.c: checkpoint bodies (records written and read by the same walk over the state) and
** checkpoint files (header, CRC-32, atomic write, every check before use).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rt_algo.h"
#include "rt_ckpt.h"
#include "rt_file.h"
#include "rt_io.h"
#include "rt_mem.h"

/*
** {======================================================================
** Records
** =======================================================================
*/

#define REC_HEAD 12u /* tag (4) and length (8) */

void rt_ser_init_save(RtSer *s)
{
    memset(s, 0, sizeof *s);
}

void rt_ser_free(RtSer *s)
{
    free(s->mem);
    s->mem = s->buf = NULL;
    s->len = s->cap = s->pos = 0;
}

/* Room for n more bytes (save), and for the file's header before the body. */
static void reserve(RtSer *s, size_t n)
{
    if (s->mem && s->len + n <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 1 << 16;
    while (cap < s->len + n)
        cap *= 2;
    s->mem = rt_xrealloc(s->mem, RT_CKPT_HEADER + cap);
    s->buf = s->mem + RT_CKPT_HEADER;
    s->cap = cap;
}

static void put(RtSer *s, const void *p, size_t n)
{
    reserve(s, n);
    if (n)
        memcpy(s->buf + s->len, p, n);
    s->len += n;
}

void rt_ser_append(RtSer *s, const RtSer *from)
{
    put(s, from->buf, from->len);
}

/* The four letters of a tag, for messages. */
static void tag_name(char out[5], uint32_t tag)
{
    for (int k = 0; k < 4; k++) {
        unsigned char c = (unsigned char)(tag >> (8 * k));
        out[k] = c >= 32 && c < 127 ? (char)c : '?';
    }
    out[4] = '\0';
}

/* Load: the next record's header; its length in *n. false (failed set) unless tag matches. */
static bool take_head(RtSer *s, uint32_t tag, uint64_t *n)
{
    if (s->failed)
        return false;
    char want[5], got[5];
    tag_name(want, tag);
    if (s->len - s->pos < REC_HEAD) {
        snprintf(s->msg, sizeof s->msg, "it ends where a record '%s' was expected (byte %zu)",
                 want, s->pos);
        s->failed = true;
        return false;
    }
    uint32_t t;
    memcpy(&t, s->buf + s->pos, 4);
    memcpy(n, s->buf + s->pos + 4, 8);
    if (t != tag) {
        tag_name(got, t);
        snprintf(s->msg, sizeof s->msg, "record '%s' found where '%s' was expected (byte %zu): "
                 "it was written by another layout of the run", got, want, s->pos);
        s->failed = true;
        return false;
    }
    if (*n > s->len - s->pos - REC_HEAD) {
        snprintf(s->msg, sizeof s->msg, "record '%s' at byte %zu runs past the end", want, s->pos);
        s->failed = true;
        return false;
    }
    s->pos += REC_HEAD;
    return true;
}

void rt_ser_bytes(RtSer *s, uint32_t tag, void *p, size_t n)
{
    if (!s->load) {
        uint64_t n64 = n;
        put(s, &tag, 4);
        put(s, &n64, 8);
        put(s, p, n);
        return;
    }
    uint64_t have;
    size_t at = s->pos;
    if (!take_head(s, tag, &have))
        return;
    if (have != n) {
        char want[5];
        tag_name(want, tag);
        snprintf(s->msg, sizeof s->msg, "record '%s' at byte %zu holds %llu bytes where this run "
                 "has %zu: it was written by a run of another shape", want, at,
                 (unsigned long long)have, n);
        s->failed = true;
        return;
    }
    if (n)
        memcpy(p, s->buf + s->pos, n);
    s->pos += n;
}

void rt_ser_size(RtSer *s, uint32_t tag, size_t *v)
{
    uint64_t x = *v;
    rt_ser_bytes(s, tag, &x, 8);
    *v = (size_t)x;
}

void rt_ser_f64(RtSer *s, uint32_t tag, double *v)
{
    rt_ser_bytes(s, tag, v, sizeof *v);
}

/* Field by field: the struct has padding. */
void rt_ser_rng(RtSer *s, RtRng *r)
{
    unsigned char b[41];
    memcpy(b, r->s, 32);
    memcpy(b + 32, &r->spare, 8);
    b[40] = r->has_spare;
    rt_ser_bytes(s, RT_CK_RNG, b, sizeof b);
    if (s->load && !s->failed) {
        memcpy(r->s, b, 32);
        memcpy(&r->spare, b + 32, 8);
        r->has_spare = b[40] != 0;
    }
}

int rt_ser_array(RtSer *s, uint32_t tag, void **p, size_t *n, size_t *cap, size_t elem)
{
    if (!s->load) {
        rt_ser_bytes(s, tag, *p, *n * elem);
        return 0;
    }
    uint64_t have;
    if (!take_head(s, tag, &have))
        return -1;
    if (have % elem) {
        snprintf(s->msg, sizeof s->msg, "an array of %zu-byte rows holds %llu bytes", elem,
                 (unsigned long long)have);
        s->failed = true;
        return -1;
    }
    free(*p);
    *n = (size_t)(have / elem);
    *cap = *n;
    *p = rt_xmalloc(have ? (size_t)have : 1);
    memcpy(*p, s->buf + s->pos, (size_t)have);
    s->pos += (size_t)have;
    return 0;
}

/* }====================================================================== */

/*
** {======================================================================
** The state of a net
** =======================================================================
*/

static void floats(RtSer *s, uint32_t tag, float *p, size_t n)
{
    rt_ser_bytes(s, tag, p, n * sizeof *p);
}

static uint32_t crc(const unsigned char *p, size_t n);

#define CELL_SAMPLE 1024

/* A CRC-32 of up to CELL_SAMPLE of the n cells, evenly spread (all of them when fewer). */
static uint32_t cells_crc(const RtCell *cell, size_t n)
{
    RtCell pick[CELL_SAMPLE];
    size_t m = n < CELL_SAMPLE ? n : CELL_SAMPLE;
    for (size_t k = 0; k < m; k++)
        pick[k] = cell[k * n / m];
    return crc((const unsigned char *)pick, m * sizeof *pick);
}

/*
** A tile: a CRC-32 of a sample of its cells (the cells are not stored: a resumed run draws
** them again from its seed, and the CRC checks that it drew the same ones; a sample, since
** any change of the draws changes nearly every cell), weights, hidden persistent weights,
** pulse counters, its write-noise stream.
*/
static void ser_tile(RtSer *s, RtTile *t)
{
    size_t n = t->D * t->X;
    uint32_t cells = cells_crc(t->cell, n), saved = cells;
    rt_ser_bytes(s, RT_CK_CELLS, &saved, sizeof saved);
    if (s->load && !s->failed && saved != cells) {
        snprintf(s->msg, sizeof s->msg, "the devices drawn from the seed are not those it was "
                 "written with (another version of aimci)");
        s->failed = true;
    }
    floats(s, RT_CK_WEIGHTS, t->w, n);
    if (t->wp)
        floats(s, RT_CK_PERSIST, t->wp, n);
    if (t->npulse) {
        rt_ser_bytes(s, RT_CK_PULSES, t->npulse, n * sizeof *t->npulse);
        rt_ser_bytes(s, RT_CK_PULSES, t->cnt, n * sizeof *t->cnt);
        /*
        ** The bound on the staged 16-bit counters (cnt_max) is state too: a resumed tile that
        ** started it at 0 would let counters that kept their staged counts wrap past 65535.
        */
        size_t bound = t->cnt_max;
        rt_ser_size(s, RT_CK_PULSES, &bound);
        if (s->load && !s->failed && bound > UINT16_MAX) {
            snprintf(s->msg, sizeof s->msg, "a tile's pulse counter bound is out of range");
            s->failed = true;
        } else if (s->load && !s->failed) {
            t->cnt_max = (unsigned)bound;
        }
    }
    rt_ser_rng(s, &t->wrng);
}

/* An I/O state: the fixed noise stds, the running abs-max averages, its stream. */
static void ser_io(RtSer *s, RtIO *io)
{
    floats(s, RT_CK_IO, io->sig_fwd, io->D);
    floats(s, RT_CK_IO, io->sig_bwd, io->X);
    rt_ser_f64(s, RT_CK_IO, &io->avg_fwd);
    rt_ser_f64(s, RT_CK_IO, &io->avg_bwd);
    rt_ser_rng(s, &io->rng);
}

/*
** An algorithm: every array but W (the layer's tile, saved with the layer), references,
** own streams, logical arrays, transfer positions and counts; the visible weights, the
** digital buffers (H, chi, Q; agad's references), chopper signs, rates, step and sweep
** counters, the chopper and transfer-I/O streams.
*/
static void ser_algo(RtSer *s, RtAlgo *a, const RtTile *w)
{
    size_t n = a->D * a->X;
    rt_ser_size(s, RT_CK_ALGO, &a->K);
    for (size_t k = 0; k < a->K && !s->failed; k++) {
        RtArr *r = &a->arr[k];
        if (r->t != w)
            ser_tile(s, r->t);
        if (r->ref)
            ser_tile(s, r->ref);
        if (r->upd == &r->own)
            rt_ser_rng(s, &r->own);
        if (r->lg && r->lg != r->t->w)
            floats(s, RT_CK_ARRAY, r->lg, n);
        rt_ser_size(s, RT_CK_ARRAY, &r->col);
        rt_ser_f64(s, RT_CK_ARRAY, &r->transfers);
        rt_ser_bytes(s, RT_CK_ARRAY, &r->cnt, sizeof r->cnt); /* the cost's counts */
    }
    if (a->vis && a->vis != w->w)
        floats(s, RT_CK_BUFFER, a->vis, n);
    if (a->h)
        floats(s, RT_CK_BUFFER, a->h, n);
    if (a->mu)
        floats(s, RT_CK_BUFFER, a->mu, n);
    if (a->mu_past)
        floats(s, RT_CK_BUFFER, a->mu_past, n);
    if (a->cin)
        floats(s, RT_CK_BUFFER, a->cin, a->X);
    if (a->cout)
        floats(s, RT_CK_BUFFER, a->cout, a->D);
    if (a->switched)
        rt_ser_bytes(s, RT_CK_BUFFER, a->switched, a->X * sizeof *a->switched);
    floats(s, RT_CK_ALGO, &a->csign, 1);
    rt_ser_f64(s, RT_CK_ALGO, &a->lr_g);
    rt_ser_f64(s, RT_CK_ALGO, &a->lr_t);
    rt_ser_size(s, RT_CK_ALGO, &a->t);
    rt_ser_size(s, RT_CK_ALGO, &a->sweep);
    rt_ser_f64(s, RT_CK_ALGO, &a->digital);
    rt_ser_rng(s, &a->chop);
    if (a->tio)
        ser_io(s, a->tio);
}

void rt_ckpt_net(RtSer *s, RtNet *n)
{
    rt_ser_size(s, RT_CK_LAYER, &n->nlayers);
    for (size_t l = 0; l < n->nlayers && !s->failed; l++) {
        RtLayer *ly = &n->layer[l];
        size_t kind = (size_t)ly->kind;
        rt_ser_size(s, RT_CK_LAYER, &kind);
        if (ly->tile)
            ser_tile(s, ly->tile);
        else if (ly->w && ly->out * ly->in != 0)
            floats(s, RT_CK_WEIGHTS, ly->w, ly->out * ly->in);
        if (ly->b)
            floats(s, RT_CK_BIAS, ly->b, ly->out);
        if (ly->scale)
            floats(s, RT_CK_SCALE, ly->scale, ly->nscale);
        rt_ser_rng(s, &ly->upd);
        if (ly->io)
            ser_io(s, ly->io);
        if (ly->eval_io) /* a train's test_io (rt_net_eval_io_open): its streams go on too */
            ser_io(s, ly->eval_io);
        if (ly->algo)
            ser_algo(s, ly->algo, ly->tile);
    }
}

/*
** The device of a logged array (RtArrayStat.dev, a pointer: not kept across processes), as
** rt_algo.c assigns it: W has `slow` (else the layer's device), the other arrays `fast` (else
** the layer's), references `reference` (else their array's); digital buffers none.
*/
static const IrDevice *stat_device(const IrModel *m, const IrOptimizer *o, const RtArrayRow *r)
{
    if (!r->s.analog || r->layer >= m->nlayers)
        return NULL;
    const IrDevice *on = m->layers[r->layer].on;
    if (r->s.weight)
        return o->slow ? o->slow : on;
    const IrDevice *dev = o->fast ? o->fast : on;
    return r->s.reference && o->reference ? o->reference : dev;
}

void rt_ckpt_log(RtSer *s, RtLog *log, const IrModel *m, const IrOptimizer *o)
{
    rt_ser_array(s, RT_CK_LOG, (void **)&log->row, &log->n, &log->cap, sizeof *log->row);
    rt_ser_array(s, RT_CK_LOG, (void **)&log->ep, &log->nep, &log->epcap, sizeof *log->ep);
    rt_ser_array(s, RT_CK_LOG, (void **)&log->arr, &log->narr, &log->arrcap, sizeof *log->arr);
    rt_ser_bytes(s, RT_CK_LOG, &log->start, sizeof log->start);
    unsigned char has = log->has_start;
    rt_ser_bytes(s, RT_CK_LOG, &has, 1);
    log->has_start = has != 0;
    for (size_t k = 0; s->load && !s->failed && k < log->narr; k++)
        log->arr[k].s.dev = stat_device(m, o, &log->arr[k]);
}

/* }====================================================================== */

/*
** {======================================================================
** Files
** =======================================================================
*/

static const char magic[8] = {'A', 'I', 'M', 'C', 'I', 'C', 'K', 'P'};

uint64_t rt_ckpt_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t k = 0; k < n; k++) {
        h ^= b[k];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* CRC-32 of n bytes (zlib's crc32 takes at most UINT_MAX bytes a call). */
static uint32_t crc(const unsigned char *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt m = n > 0x40000000u ? 0x40000000u : (uInt)n;
        c = crc32(c, p, m);
        p += m;
        n -= m;
    }
    return (uint32_t)c;
}

static uint32_t word_sizes(void)
{
    return (uint32_t)sizeof(size_t) | (uint32_t)sizeof(void *) << 8;
}

int rt_ckpt_write(const char *path, uint64_t id, const RtSer *body, char *err, size_t errlen)
{
    RtSer empty;
    if (!body->mem) { /* nothing saved yet: the header alone */
        rt_ser_init_save(&empty);
        reserve(&empty, 0);
        body = &empty;
    }
    unsigned char *head = body->mem; /* the room reserved before the body */
    uint32_t version = RT_CKPT_FORMAT, sizes = word_sizes();
    uint64_t len = body->len;
    memcpy(head, magic, 8);
    memcpy(head + 8, &version, 4);
    memcpy(head + 12, &sizes, 4);
    memcpy(head + 16, &id, 8);
    memcpy(head + 24, &len, 8);
    uint32_t c = crc(body->buf, body->len);
    memcpy(head + 32, &c, 4);
    c = crc(head, 36);
    memcpy(head + 36, &c, 4);
    int rc = rt_file_write(path, head, RT_CKPT_HEADER + body->len, err, errlen);
    if (body == &empty)
        rt_ser_free(&empty);
    return rc;
}

/* The whole file into *buf (*len bytes): 0, 1 when it does not exist, -1 (err set). */
static int slurp(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errlen, "cannot read checkpoint '%s': %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *b = rt_xmalloc(cap);
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = rt_xrealloc(b, cap *= 2);
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read checkpoint '%s': read error", path);
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

int rt_ckpt_read(const char *path, uint64_t id, RtSer *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    unsigned char *b = NULL;
    size_t n = 0;
    int rc = slurp(path, &b, &n, err, errlen);
    if (rc)
        return rc;
    uint32_t version = 0, sizes = 0, hc = 0, bc = 0;
    uint64_t fid = 0, len = 0;
    if (n >= RT_CKPT_HEADER) {
        memcpy(&version, b + 8, 4);
        memcpy(&sizes, b + 12, 4);
        memcpy(&fid, b + 16, 8);
        memcpy(&len, b + 24, 8);
        memcpy(&bc, b + 32, 4);
        memcpy(&hc, b + 36, 4);
    }
    const char *what = NULL;
    char detail[160] = "";
    if (n >= 8 && memcmp(b, magic, 8) != 0)
        what = "not an aimci checkpoint (no AIMCICKP at its start)";
    else if (n < RT_CKPT_HEADER) {
        snprintf(detail, sizeof detail, "truncated: %zu bytes, shorter than the %u-byte header", n,
                 RT_CKPT_HEADER);
        what = detail;
    } else if (crc(b, 36) != hc)
        what = "corrupt: the checksum of its header does not match";
    else if (version != RT_CKPT_FORMAT) {
        snprintf(detail, sizeof detail, "written in checkpoint format %u; this aimci reads "
                 "format %u", version, RT_CKPT_FORMAT);
        what = detail;
    } else if (sizes != word_sizes())
        what = "written on a machine with other word sizes";
    else if (len != n - RT_CKPT_HEADER) {
        snprintf(detail, sizeof detail, "truncated or extended: %zu bytes of body where its "
                 "header says %llu", n - RT_CKPT_HEADER, (unsigned long long)len);
        what = detail;
    } else if (crc(b + RT_CKPT_HEADER, (size_t)len) != bc)
        what = "corrupt: the checksum of its contents does not match";
    else if (fid != id)
        what = "written by another script or another version of aimci (its identity differs)";
    if (what) {
        snprintf(err, errlen, "checkpoint '%s': %s; remove it, or run with --fresh to start "
                 "over", path, what);
        free(b);
        return -1;
    }
    s->load = true;
    s->mem = b;
    s->buf = b + RT_CKPT_HEADER;
    s->len = (size_t)len;
    return 0;
}

/* }====================================================================== */
