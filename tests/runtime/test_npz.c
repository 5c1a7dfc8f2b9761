/*
** test_npz.c: NumPy .npz archives (runtime/rt_npz.c): what is written reads back bit for bit,
** the .npy headers are NumPy's, files as numpy writes them (stored members, ZIP64 extra
** fields, Fortran order, big-endian) read, and damaged files are errors naming the file.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "rt_fixtures.h"
#include "rt_npz.h"

TestSuite(npz);

/* Arrays of every written kind, with values that show any lost bit (NaN payload, -0, tiny). */
static void sample(RtNpz *z)
{
    char err[256];
    float f[6] = {1.5f, -0.0f, 1e-45f, 3.4e38f, NAN, 0.1f};
    double g[1] = {0.1};
    uint64_t u[3] = {0, 1, UINT64_MAX};
    bool b[2] = {true, false};
    size_t s23[2] = {2, 3}, s3[1] = {3}, s2[1] = {2};
    cr_assert_eq(rt_npz_add(z, "dense1.weight", RT_NPZ_F4, 2, s23, f, err, sizeof err), 0);
    cr_assert_eq(rt_npz_add(z, "dense1.steps", RT_NPZ_F8, 0, NULL, g, err, sizeof err), 0);
    cr_assert_eq(rt_npz_add(z, "dense1.W.pulses", RT_NPZ_U8, 1, s3, u, err, sizeof err), 0);
    cr_assert_eq(rt_npz_add(z, "dense1.switched", RT_NPZ_B1, 1, s2, b, err, sizeof err), 0);
}

static void same_arrays(const RtNpz *a, const RtNpz *b)
{
    cr_assert_eq(a->n, b->n);
    for (size_t k = 0; k < a->n; k++) {
        const RtNpzArray *x = &a->a[k], *y = rt_npz_find(b, x->name);
        cr_assert_not_null(y, "array %s read back", x->name);
        cr_assert_eq(x->type, y->type);
        cr_assert_eq(x->ndim, y->ndim);
        for (size_t d = 0; d < x->ndim; d++)
            cr_assert_eq(x->shape[d], y->shape[d]);
        cr_assert_eq(x->n, y->n);
        cr_assert(memcmp(x->data, y->data, x->n * rt_npz_size(x->type)) == 0,
                  "array %s reads back bit for bit", x->name);
    }
}

Test(npz, written_arrays_read_back_bit_for_bit)
{
    RtNpz z = {0}, back;
    sample(&z);
    unsigned char *bytes;
    size_t len;
    char err[256];
    cr_assert_eq(rt_npz_encode(&z, &bytes, &len, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rt_npz_decode(&back, bytes, len, "mem.npz", err, sizeof err), 0, "%s", err);
    same_arrays(&z, &back);
    /* the same arrays give the same bytes (fixed time stamps) */
    unsigned char *again;
    size_t len2;
    cr_assert_eq(rt_npz_encode(&back, &again, &len2, err, sizeof err), 0);
    cr_assert(len == len2 && memcmp(bytes, again, len) == 0);
    free(bytes);
    free(again);
    rt_npz_free(&z);
    rt_npz_free(&back);
}

/* The first member's .npy header is NumPy's 1.0 format, padded to 64 bytes. */
Test(npz, headers_are_numpys)
{
    RtNpz z = {0};
    sample(&z);
    unsigned char *bytes;
    size_t len;
    char err[256];
    cr_assert_eq(rt_npz_encode(&z, &bytes, &len, err, sizeof err), 0);
    cr_assert(memcmp(bytes, "PK\x03\x04", 4) == 0);
    size_t name = 30, data = name + strlen("dense1.weight.npy");
    cr_assert(memcmp(bytes + name, "dense1.weight.npy", 17) == 0);
    unsigned char npy[256];
    z_stream s = {0};
    cr_assert_eq(inflateInit2(&s, -15), Z_OK);
    s.next_in = bytes + data;
    s.avail_in = (uInt)(len - data);
    s.next_out = npy;
    s.avail_out = sizeof npy;
    inflate(&s, Z_SYNC_FLUSH);
    inflateEnd(&s);
    cr_assert(memcmp(npy, "\x93NUMPY\x01\x00", 8) == 0);
    size_t hlen = npy[8] | (size_t)npy[9] << 8;
    cr_assert_eq((10 + hlen) % 64, 0, "header padded to 64 bytes");
    cr_assert_eq(npy[10 + hlen - 1], '\n');
    const char *want = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    cr_assert(memcmp(npy + 10, want, strlen(want)) == 0, "%.*s", (int)hlen, npy + 10);
    free(bytes);
    rt_npz_free(&z);
}

/* A stored (uncompressed) ZIP member with a ZIP64 extra field, as numpy.savez writes them. */
static size_t stored_zip(unsigned char *out, const char *name, const unsigned char *npy,
                         size_t n)
{
    size_t k = 0, nl = strlen(name);
    uint32_t crc = (uint32_t)crc32(0L, npy, (uInt)n);
#define P16(v) (out[k++] = (unsigned char)(v), out[k++] = (unsigned char)((v) >> 8))
#define P32(v) (P16((v) & 0xFFFF), P16((uint32_t)(v) >> 16))
    P32(0x04034b50u); P16(45); P16(0); P16(0); P16(0); P16(0x21); P32(crc);
    P32(0xFFFFFFFFu); P32(0xFFFFFFFFu); P16(nl); P16(20);
    memcpy(out + k, name, nl), k += nl;
    P16(1); P16(16); P32((uint32_t)n); P32(0); P32((uint32_t)n); P32(0);
    memcpy(out + k, npy, n), k += n;
    size_t cd = k;
    P32(0x02014b50u); P16(45); P16(45); P16(0); P16(0); P16(0); P16(0x21); P32(crc);
    P32((uint32_t)n); P32((uint32_t)n); P16(nl); P16(0); P16(0); P16(0); P16(0); P32(0); P32(0);
    memcpy(out + k, name, nl), k += nl;
    size_t cdlen = k - cd;
    P32(0x06054b50u); P16(0); P16(0); P16(1); P16(1); P32((uint32_t)cdlen); P32((uint32_t)cd);
    P16(0);
#undef P16
#undef P32
    return k;
}

/* An .npy of a (2,3) array with the given descr and order; returns its length. */
static size_t npy_of(unsigned char *out, const char *descr, bool fortran, const void *data,
                     size_t bytes)
{
    char head[128];
    int h = snprintf(head, sizeof head, "{'descr': '%s', 'fortran_order': %s, 'shape': (2, 3), }",
                     descr, fortran ? "True" : "False");
    size_t hlen = 128 - 10;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)hlen, out[9] = 0;
    memset(out + 10, ' ', hlen);
    memcpy(out + 10, head, (size_t)h);
    out[10 + hlen - 1] = '\n';
    memcpy(out + 128, data, bytes);
    return 128 + bytes;
}

Test(npz, reads_numpys_files_fortran_order_and_big_endian)
{
    unsigned char npy[512], zip[1024];
    char err[256];
    RtNpz z;
    /* Fortran order: columns first; the array is [[0, 1, 2], [3, 4, 5]]. */
    double fo[6] = {0, 3, 1, 4, 2, 5};
    size_t n = npy_of(npy, "<f8", true, fo, sizeof fo);
    size_t len = stored_zip(zip, "a.npy", npy, n);
    cr_assert_eq(rt_npz_decode(&z, zip, len, "f.npz", err, sizeof err), 0, "%s", err);
    const RtNpzArray *a = rt_npz_find(&z, "a");
    cr_assert_not_null(a);
    cr_assert_eq(a->type, RT_NPZ_F8);
    for (int k = 0; k < 6; k++)
        cr_assert_eq(((const double *)a->data)[k], (double)k, "C order after Fortran");
    rt_npz_free(&z);
    /* big-endian int32 */
    unsigned char be[24];
    for (int k = 0; k < 6; k++)
        be[4 * k] = be[4 * k + 1] = be[4 * k + 2] = 0, be[4 * k + 3] = (unsigned char)(10 + k);
    n = npy_of(npy, ">i4", false, be, sizeof be);
    len = stored_zip(zip, "b.npy", npy, n);
    cr_assert_eq(rt_npz_decode(&z, zip, len, "b.npz", err, sizeof err), 0, "%s", err);
    for (int k = 0; k < 6; k++)
        cr_assert_eq(((const int32_t *)rt_npz_find(&z, "b")->data)[k], 10 + k);
    rt_npz_free(&z);
}

Test(npz, damaged_files_are_errors_naming_the_file)
{
    RtNpz z = {0};
    sample(&z);
    unsigned char *bytes;
    size_t len;
    char err[256];
    cr_assert_eq(rt_npz_encode(&z, &bytes, &len, err, sizeof err), 0);
    rt_npz_free(&z);
    /* truncated: no end of central directory */
    cr_assert_neq(rt_npz_decode(&z, bytes, len / 2, "cut.npz", err, sizeof err), 0);
    cr_assert(strstr(err, "cut.npz") && strstr(err, "not a ZIP"), "%s", err);
    /* a flipped bit in the first member's data: inflate or the CRC-32 catches it */
    bytes[30 + 17 + 5] ^= 0x10;
    cr_assert_neq(rt_npz_decode(&z, bytes, len, "bit.npz", err, sizeof err), 0);
    cr_assert(strstr(err, "bit.npz") && strstr(err, "dense1.weight"), "%s", err);
    cr_assert_eq(z.n, 0, "nothing is kept on failure");
    free(bytes);
    /* not a file at all */
    cr_assert_neq(rt_npz_read(&z, "/nonexistent/w.npz", err, sizeof err), 0);
    cr_assert(strstr(err, "/nonexistent/w.npz"), "%s", err);
}

Test(npz, names_are_checked)
{
    RtNpz z = {0};
    char err[256];
    float v = 1;
    cr_assert_eq(rt_npz_add(&z, "a", RT_NPZ_F4, 0, NULL, &v, err, sizeof err), 0);
    cr_assert_neq(rt_npz_add(&z, "a", RT_NPZ_F4, 0, NULL, &v, err, sizeof err), 0);
    cr_assert(strstr(err, "twice"), "%s", err);
    cr_assert_neq(rt_npz_add(&z, "a/b", RT_NPZ_F4, 0, NULL, &v, err, sizeof err), 0);
    rt_npz_free(&z);
}
