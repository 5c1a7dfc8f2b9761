/*
** rt_npz.c: NumPy .npz archives: .npy headers, the ZIP container, deflate through zlib
** (rt_npz.h).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "rt_file.h"
#include "rt_mem.h"
#include "rt_npz.h"

#define U32_MAX 0xFFFFFFFFu

static const struct {
    char kind;
    unsigned size;
    const char *name;
} types[RT_NPZ__COUNT] = {
    [RT_NPZ_F4] = {'f', 4, "float32"}, [RT_NPZ_F8] = {'f', 8, "float64"},
    [RT_NPZ_I1] = {'i', 1, "int8"},    [RT_NPZ_I2] = {'i', 2, "int16"},
    [RT_NPZ_I4] = {'i', 4, "int32"},   [RT_NPZ_I8] = {'i', 8, "int64"},
    [RT_NPZ_U1] = {'u', 1, "uint8"},   [RT_NPZ_U2] = {'u', 2, "uint16"},
    [RT_NPZ_U4] = {'u', 4, "uint32"},  [RT_NPZ_U8] = {'u', 8, "uint64"},
    [RT_NPZ_B1] = {'b', 1, "bool"},
};

size_t rt_npz_size(RtNpzType t)
{
    return types[t].size;
}

const char *rt_npz_type_name(RtNpzType t)
{
    return types[t].name;
}

static bool little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/*
** {======================================================================
** Arrays
** =======================================================================
*/

const RtNpzArray *rt_npz_find(const RtNpz *z, const char *name)
{
    for (size_t k = 0; k < z->n; k++)
        if (strcmp(z->a[k].name, name) == 0)
            return &z->a[k];
    return NULL;
}

void rt_npz_free(RtNpz *z)
{
    for (size_t k = 0; k < z->n; k++) {
        free(z->a[k].name);
        free(z->a[k].data);
    }
    free(z->a);
    memset(z, 0, sizeof *z);
}

/* The product of a shape, or SIZE_MAX on overflow. */
static size_t count_of(size_t ndim, const size_t *shape)
{
    size_t n = 1;
    for (size_t d = 0; d < ndim; d++) {
        if (shape[d] && n > SIZE_MAX / shape[d])
            return SIZE_MAX;
        n *= shape[d];
    }
    return n;
}

/* Append an array taking ownership of data; 0, or -1 with err set (data freed). */
static int add_owned(RtNpz *z, const char *name, RtNpzType t, size_t ndim, const size_t *shape,
                     void *data, char *err, size_t errlen)
{
    if (rt_npz_find(z, name)) {
        snprintf(err, errlen, "array '%s' appears twice", name);
        free(data);
        return -1;
    }
    RT_XGROW(z->a, z->cap, z->n + 1);
    RtNpzArray *a = &z->a[z->n++];
    memset(a, 0, sizeof *a);
    a->name = rt_xstrdup(name);
    a->type = t;
    a->ndim = ndim;
    if (ndim)
        memcpy(a->shape, shape, ndim * sizeof *shape);
    a->n = count_of(ndim, shape);
    a->data = data;
    return 0;
}

int rt_npz_add(RtNpz *z, const char *name, RtNpzType t, size_t ndim, const size_t *shape,
               const void *data, char *err, size_t errlen)
{
    size_t n = count_of(ndim, shape);
    if (!name[0] || strlen(name) > RT_NPZ_MAX_NAME || strchr(name, '/') || ndim > RT_NPZ_MAX_DIM ||
        n == SIZE_MAX || n > SIZE_MAX / 8) {
        snprintf(err, errlen, "array '%.60s': a bad name or shape", name);
        return -1;
    }
    size_t bytes = n * types[t].size;
    void *copy = malloc(bytes ? bytes : 1);
    if (!copy) {
        snprintf(err, errlen, "array '%s': out of memory", name);
        return -1;
    }
    memcpy(copy, data, bytes);
    return add_owned(z, name, t, ndim, shape, copy, err, errlen);
}

/* }====================================================================== */

/*
** {======================================================================
** .npy
** =======================================================================
*/

/* The .npy bytes of a (header and data, malloc'd); NULL when out of memory. */
static unsigned char *npy_bytes(const RtNpzArray *a, size_t *len)
{
    char head[512];
    int h = snprintf(head, sizeof head, "{'descr': '%c%c%u', 'fortran_order': False, 'shape': (",
                     types[a->type].size == 1 ? '|' : '<', types[a->type].kind,
                     types[a->type].size);
    for (size_t d = 0; d < a->ndim; d++)
        h += snprintf(head + h, sizeof head - (size_t)h, "%zu%s", a->shape[d],
                      a->ndim == 1 ? "," : d + 1 < a->ndim ? ", " : "");
    h += snprintf(head + h, sizeof head - (size_t)h, "), }");
    size_t total = 10 + (size_t)h + 1, pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)h + pad + 1, bytes = a->n * types[a->type].size;
    unsigned char *out = malloc(10 + hlen + bytes);
    if (!out)
        return NULL;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)(hlen & 0xFF);
    out[9] = (unsigned char)(hlen >> 8);
    memcpy(out + 10, head, (size_t)h);
    memset(out + 10 + h, ' ', pad);
    out[10 + hlen - 1] = '\n';
    unsigned char *d = out + 10 + hlen;
    memcpy(d, a->data, bytes);
    if (!little_endian()) /* the header says '<': swap each element */
        for (size_t k = 0; k < a->n; k++)
            for (unsigned i = 0, s = types[a->type].size; i < s / 2; i++) {
                unsigned char t = d[k * s + i];
                d[k * s + i] = d[k * s + s - 1 - i];
                d[k * s + s - 1 - i] = t;
            }
    *len = 10 + hlen + bytes;
    return out;
}

/* The value text of key in a header dict (after "'key':"), or NULL. */
static const char *dict_value(const char *h, const char *key)
{
    char pat[40];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) {
        snprintf(pat, sizeof pat, "\"%s\"", key);
        p = strstr(h, pat);
    }
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    for (p++; *p == ' '; p++)
        ;
    return p;
}

/* Parse a header dict: type, byte swap, Fortran order, shape; 0, or -1 with why set. */
static int parse_header(const char *h, RtNpzType *t, bool *swap, bool *fortran, size_t *ndim,
                        size_t *shape, const char **why)
{
    const char *d = dict_value(h, "descr"), *f = dict_value(h, "fortran_order"),
               *s = dict_value(h, "shape");
    if (!d || !f || !s || (*d != '\'' && *d != '"') || *s != '(') {
        *why = "a .npy header without descr, fortran_order or shape";
        return -1;
    }
    char order = d[1], kind = d[2];
    unsigned size = 0;
    if (sscanf(d + 3, "%u", &size) != 1 || !strchr("<>|=", order)) {
        *why = "an unsupported element type (descr)";
        return -1;
    }
    *t = RT_NPZ__COUNT;
    for (int k = 0; k < RT_NPZ__COUNT; k++)
        if (types[k].kind == kind && types[k].size == size)
            *t = (RtNpzType)k;
    if (*t == RT_NPZ__COUNT) {
        *why = "an unsupported element type (descr): only bool, int, uint and float arrays";
        return -1;
    }
    *swap = size > 1 && ((order == '>' && little_endian()) || (order == '<' && !little_endian()));
    *fortran = strncmp(f, "True", 4) == 0;
    *ndim = 0;
    for (const char *p = s + 1; *p && *p != ')';) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || *ndim == RT_NPZ_MAX_DIM) {
            *why = end == p || errno ? "a bad shape in a .npy header" : "more than 8 dimensions";
            return -1;
        }
        shape[(*ndim)++] = (size_t)v;
        p = end;
    }
    return 0;
}

/* C order from Fortran order: element (i0, .., i_{n-1}) moves from sum i_d f_d to sum i_d c_d. */
static void from_fortran(unsigned char *dst, const unsigned char *src, size_t ndim,
                         const size_t *shape, size_t n, size_t esize)
{
    size_t idx[RT_NPZ_MAX_DIM] = {0};
    for (size_t k = 0; k < n; k++) { /* k runs over C order; idx its multi-index */
        size_t off = 0, stride = 1;
        for (size_t d = 0; d < ndim; d++) {
            off += idx[d] * stride;
            stride *= shape[d];
        }
        memcpy(dst + k * esize, src + off * esize, esize);
        for (size_t d = ndim; d-- > 0;) {
            if (++idx[d] < shape[d])
                break;
            idx[d] = 0;
        }
    }
}

/* One member's .npy bytes into an array of z; 0, or -1 with err set. */
static int npy_parse(RtNpz *z, const char *name, const unsigned char *b, size_t len,
                     const char *path, char *err, size_t errlen)
{
    const char *why = NULL;
    size_t hlen = 0, at = 0;
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        why = "not a .npy array (no \\x93NUMPY magic)";
    else if (b[6] == 1 && len >= 10)
        hlen = (size_t)b[8] | (size_t)b[9] << 8, at = 10;
    else if ((b[6] == 2 || b[6] == 3) && len >= 12)
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24,
        at = 12;
    else
        why = "an unknown .npy version";
    if (!why && hlen > len - at)
        why = "a truncated .npy header";
    RtNpzType t = RT_NPZ_F4;
    bool swap = false, fortran = false;
    size_t ndim = 0, shape[RT_NPZ_MAX_DIM];
    if (!why) {
        char *h = malloc(hlen + 1);
        if (!h) {
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }
        memcpy(h, b + at, hlen);
        h[hlen] = '\0';
        parse_header(h, &t, &swap, &fortran, &ndim, shape, &why);
        free(h);
    }
    size_t n = why ? 0 : count_of(ndim, shape), es = types[t].size;
    if (!why && (n == SIZE_MAX || n > (len - at - hlen) / es || n * es != len - at - hlen))
        why = "data of another size than its shape says";
    if (why) {
        snprintf(err, errlen, "%s: array '%s': %s", path, name, why);
        return -1;
    }
    unsigned char *data = malloc(n * es > 0 ? n * es : 1);
    if (!data) {
        snprintf(err, errlen, "%s: array '%s': out of memory", path, name);
        return -1;
    }
    const unsigned char *src = b + at + hlen;
    if (fortran && ndim > 1)
        from_fortran(data, src, ndim, shape, n, es);
    else
        memcpy(data, src, n * es);
    for (size_t k = 0; swap && k < n; k++)
        for (size_t i = 0; i < es / 2; i++) {
            unsigned char c = data[k * es + i];
            data[k * es + i] = data[k * es + es - 1 - i];
            data[k * es + es - 1 - i] = c;
        }
    char msg[160];
    if (add_owned(z, name, t, ndim, shape, data, msg, sizeof msg)) {
        snprintf(err, errlen, "%s: %s", path, msg);
        return -1;
    }
    return 0;
}

/* }====================================================================== */

/*
** {======================================================================
** ZIP
** =======================================================================
*/

/* A growing byte buffer (aborting allocation: the archive is bounded by the arrays). */
typedef struct Bytes {
    unsigned char *p;
    size_t n, cap;
} Bytes;

static void put(Bytes *b, const void *d, size_t n)
{
    RT_XGROW(b->p, b->cap, b->n + n);
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put16(Bytes *b, unsigned v)
{
    unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(b, c, 2);
}

static void put32(Bytes *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, c, 4);
}

static uint32_t get16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Raw deflate of n bytes (malloc'd into *out); 0, or -1. */
static int deflate_bytes(const unsigned char *in, size_t n, unsigned char **out, size_t *len)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&s, (uLong)n);
    unsigned char *o = malloc(cap ? cap : 1);
    int rc = o ? Z_OK : Z_MEM_ERROR;
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)n;
    s.next_out = o;
    s.avail_out = (uInt)cap;
    if (o)
        rc = deflate(&s, Z_FINISH);
    *len = s.total_out;
    deflateEnd(&s);
    if (rc != Z_STREAM_END) {
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

/* One member's central directory record, kept until the end. */
typedef struct Member {
    uint32_t crc, csize, usize, offset;
    const char *name;
    size_t namelen;
} Member;

static void local_header(Bytes *b, const Member *m, bool central)
{
    put32(b, central ? 0x02014b50u : 0x04034b50u);
    if (central)
        put16(b, 20);       /* version made by: MS-DOS attributes, 2.0 */
    put16(b, 20);           /* version needed: 2.0 (deflate) */
    put16(b, 0);            /* flags */
    put16(b, 8);            /* deflate */
    put16(b, 0);            /* time 00:00:00 */
    put16(b, 0x21);         /* date 1980-01-01 */
    put32(b, m->crc);
    put32(b, m->csize);
    put32(b, m->usize);
    put16(b, (unsigned)m->namelen);
    put16(b, 0);            /* extra field */
    if (central) {
        put16(b, 0);        /* comment */
        put16(b, 0);        /* disk */
        put16(b, 0);        /* internal attributes */
        put32(b, 0);        /* external attributes */
        put32(b, m->offset);
    }
    put(b, m->name, m->namelen);
}

int rt_npz_encode(const RtNpz *z, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    if (z->n > 0xFFFF) {
        snprintf(err, errlen, "%zu arrays: more than a ZIP file without ZIP64 holds", z->n);
        return -1;
    }
    Bytes b = {0};
    Member *m = rt_xcalloc(z->n ? z->n : 1, sizeof *m);
    char **names = rt_xcalloc(z->n ? z->n : 1, sizeof *names);
    int rc = 0;
    for (size_t k = 0; k < z->n && !rc; k++) {
        size_t ulen = 0, clen = 0;
        unsigned char *npy = npy_bytes(&z->a[k], &ulen), *def = NULL;
        if (!npy || deflate_bytes(npy, ulen, &def, &clen) || ulen > U32_MAX || clen > U32_MAX ||
            b.n > U32_MAX) {
            snprintf(err, errlen, "array '%s': %s", z->a[k].name,
                     !npy ? "out of memory" : ulen > U32_MAX || clen > U32_MAX || b.n > U32_MAX
                                                  ? "too large for a ZIP file without ZIP64"
                                                  : "deflate failed");
            rc = -1;
        } else {
            size_t nl = strlen(z->a[k].name) + 4;
            names[k] = rt_xmalloc(nl + 1);
            snprintf(names[k], nl + 1, "%s.npy", z->a[k].name);
            m[k] = (Member){(uint32_t)crc32(0L, npy, (uInt)ulen), (uint32_t)clen,
                            (uint32_t)ulen, (uint32_t)b.n, names[k], nl};
            local_header(&b, &m[k], false);
            put(&b, def, clen);
        }
        free(npy);
        free(def);
    }
    size_t cd = b.n;
    for (size_t k = 0; k < z->n && !rc; k++)
        local_header(&b, &m[k], true);
    if (!rc && b.n > U32_MAX) {
        snprintf(err, errlen, "the archive is too large for a ZIP file without ZIP64");
        rc = -1;
    }
    if (!rc) {
        put32(&b, 0x06054b50u); /* end of central directory */
        put16(&b, 0);
        put16(&b, 0);
        put16(&b, (unsigned)z->n);
        put16(&b, (unsigned)z->n);
        put32(&b, (uint32_t)(b.n - 12 - cd));
        put32(&b, (uint32_t)cd);
        put16(&b, 0);
    }
    for (size_t k = 0; k < z->n; k++)
        free(names[k]);
    free(names);
    free(m);
    if (rc) {
        free(b.p);
        return -1;
    }
    *out = b.p ? b.p : rt_xmalloc(1);
    *len = b.n;
    return 0;
}

int rt_npz_write(const char *path, const RtNpz *z, char *err, size_t errlen)
{
    unsigned char *bytes;
    size_t len;
    char msg[256];
    if (rt_npz_encode(z, &bytes, &len, msg, sizeof msg)) {
        snprintf(err, errlen, "%s: %s", path, msg);
        return -1;
    }
    int rc = rt_file_write(path, bytes, len, err, errlen);
    free(bytes);
    return rc;
}

/* Inflate a raw deflate stream of clen bytes into exactly ulen bytes; 0, or -1. */
static int inflate_bytes(const unsigned char *in, size_t clen, unsigned char *out, size_t ulen)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -15) != Z_OK)
        return -1;
    int rc = Z_OK;
    size_t done_in = 0, done_out = 0;
    while (rc == Z_OK) { /* in chunks that fit uInt */
        size_t ci = clen - done_in, co = ulen - done_out;
        s.next_in = (Bytef *)in + done_in;
        s.avail_in = (uInt)(ci > 1u << 30 ? 1u << 30 : ci);
        s.next_out = out + done_out;
        s.avail_out = (uInt)(co > 1u << 30 ? 1u << 30 : co);
        uInt ai = s.avail_in, ao = s.avail_out;
        rc = inflate(&s, Z_NO_FLUSH);
        done_in += ai - s.avail_in;
        done_out += ao - s.avail_out;
        if (rc == Z_OK && ai == s.avail_in && ao == s.avail_out)
            rc = Z_DATA_ERROR; /* no progress: truncated */
    }
    inflateEnd(&s);
    return rc == Z_STREAM_END && done_out == ulen ? 0 : -1;
}

/* The central directory's place and entries; 0, or -1 with why set. */
static int find_directory(const unsigned char *d, size_t len, uint64_t *cd, uint64_t *count,
                          const char **why)
{
    size_t lo = len > 65557 ? len - 65557 : 0;
    size_t e = SIZE_MAX;
    for (size_t k = len >= 22 ? len - 22 : 0; len >= 22 && k + 1 > lo; k--) {
        if (get32(d + k) == 0x06054b50u) {
            e = k;
            break;
        }
        if (k == 0)
            break;
    }
    if (e == SIZE_MAX) {
        *why = "not a ZIP archive (no end of central directory)";
        return -1;
    }
    *count = get16(d + e + 10);
    *cd = get32(d + e + 16);
    if ((*count == 0xFFFF || *cd == U32_MAX) && e >= 20 && get32(d + e - 20) == 0x07064b50u) {
        uint64_t z64 = get64(d + e - 12); /* the ZIP64 end record */
        if (z64 > len || len - z64 < 56 || get32(d + z64) != 0x06064b50u) {
            *why = "a corrupt ZIP64 end record";
            return -1;
        }
        *count = get64(d + z64 + 32);
        *cd = get64(d + z64 + 48);
    }
    if (*cd > len) {
        *why = "a corrupt central directory offset";
        return -1;
    }
    return 0;
}

/* ZIP64 sizes and offset from an extra field, for the fields that are 0xFFFFFFFF. */
static void zip64_extra(const unsigned char *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                        uint64_t *offset)
{
    for (size_t k = 0; k + 4 <= xlen;) {
        uint32_t id = get16(x + k), sz = get16(x + k + 2);
        if (k + 4 + sz > xlen)
            return;
        if (id == 0x0001) {
            size_t p = k + 4;
            uint64_t *f[3] = {usize, csize, offset};
            for (int i = 0; i < 3; i++)
                if (*f[i] == U32_MAX && p + 8 <= k + 4 + sz) {
                    *f[i] = get64(x + p);
                    p += 8;
                }
            return;
        }
        k += 4 + sz;
    }
}

/* One member at central record c (its length in *rec); 0, or -1 with err set. */
static int read_member(RtNpz *z, const unsigned char *d, size_t len, size_t c, size_t *rec,
                       const char *path, char *err, size_t errlen)
{
    const char *why = NULL;
    if (c > len || len - c < 46 || get32(d + c) != 0x02014b50u) {
        snprintf(err, errlen, "%s: a corrupt ZIP central directory", path);
        return -1;
    }
    uint32_t flags = get16(d + c + 8), method = get16(d + c + 10), crc = get32(d + c + 16);
    uint64_t csize = get32(d + c + 20), usize = get32(d + c + 24), off = get32(d + c + 42);
    size_t nl = get16(d + c + 28), xl = get16(d + c + 30), cl = get16(d + c + 32);
    *rec = 46 + nl + xl + cl;
    if (len - c < *rec) {
        snprintf(err, errlen, "%s: a corrupt ZIP central directory", path);
        return -1;
    }
    zip64_extra(d + c + 46 + nl, xl, &usize, &csize, &off);
    char name[RT_NPZ_MAX_NAME + 8];
    int show = nl < RT_NPZ_MAX_NAME ? (int)nl : RT_NPZ_MAX_NAME;
    snprintf(name, sizeof name, "%.*s", show, (const char *)d + c + 46);
    if (nl > 4 && nl - 4 <= RT_NPZ_MAX_NAME && strcmp(name + nl - 4, ".npy") == 0)
        name[nl - 4] = '\0';
    else
        why = "a member that is not NAME.npy";
    if (!why && (flags & 1))
        why = "an encrypted member";
    else if (!why && method != 0 && method != 8)
        why = "a member compressed other than by deflate";
    size_t at = 0;
    if (!why && (off > len || len - off < 30 || get32(d + off) != 0x04034b50u))
        why = "a corrupt local header";
    else if (!why) {
        at = (size_t)off + 30 + get16(d + off + 26) + get16(d + off + 28);
        if (at > len || csize > len - at || (method == 0 && csize != usize) ||
            usize > SIZE_MAX / 2)
            why = "a truncated member";
    }
    if (why) {
        snprintf(err, errlen, "%s: member '%s': %s", path, name, why);
        return -1;
    }
    unsigned char *raw = malloc(usize ? (size_t)usize : 1);
    if (!raw) {
        snprintf(err, errlen, "%s: member '%s': out of memory", path, name);
        return -1;
    }
    if (method == 0)
        memcpy(raw, d + at, (size_t)usize);
    else if (inflate_bytes(d + at, (size_t)csize, raw, (size_t)usize)) {
        snprintf(err, errlen, "%s: member '%s': corrupt deflate data", path, name);
        free(raw);
        return -1;
    }
    if ((uint32_t)crc32_z(0L, raw, (z_size_t)usize) != crc) {
        snprintf(err, errlen, "%s: member '%s': CRC-32 mismatch (a corrupt file)", path, name);
        free(raw);
        return -1;
    }
    int rc = npy_parse(z, name, raw, (size_t)usize, path, err, errlen);
    free(raw);
    return rc;
}

int rt_npz_decode(RtNpz *z, const unsigned char *data, size_t len, const char *path, char *err,
                  size_t errlen)
{
    memset(z, 0, sizeof *z);
    uint64_t cd, count;
    const char *why = NULL;
    if (find_directory(data, len, &cd, &count, &why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    size_t c = (size_t)cd;
    for (uint64_t k = 0; k < count; k++) {
        size_t rec = 0;
        if (read_member(z, data, len, c, &rec, path, err, errlen)) {
            rt_npz_free(z);
            return -1;
        }
        c += rec;
    }
    return 0;
}

int rt_npz_read(RtNpz *z, const char *path, char *err, size_t errlen)
{
    memset(z, 0, sizeof *z);
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", path, !f ? strerror(errno) : "not a regular file");
        if (f)
            fclose(f);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    unsigned char *d = malloc(len ? len : 1);
    if (!d || fread(d, 1, len, f) != len) {
        snprintf(err, errlen, "%s: %s", path, d ? "read error" : "out of memory");
        free(d);
        fclose(f);
        return -1;
    }
    fclose(f);
    int rc = rt_npz_decode(z, d, len, path, err, errlen);
    free(d);
    return rc;
}

/* }====================================================================== */
