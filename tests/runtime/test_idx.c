/*
** test_idx.c: the IDX and CSV readers and the labelled data sets (rt_idx.h, rt_csv.h,
** rt_data.h), on small files the tests write: plain and gzipped, truncated, corrupt, inconsistent.
*/
#include <criterion/criterion.h>
#include <stdint.h>
#include <zlib.h>

#include "rt_data.h"
#include "rt_fixtures.h"
#include "rt_csv.h"
#include "rt_idx.h"

static char dir[64];
static char err[1024];

static void setup(void)
{
    cr_assert(fx_temp_dir(dir, sizeof dir));
}

static void teardown(void)
{
    fx_rm_tree(dir);
}

TestSuite(idx, .init = setup, .fini = teardown);

/* dir/name */
static const char *at(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_bytes(const char *path, const unsigned char *b, size_t n, bool gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(gzwrite(f, b, (unsigned)n), (int)n);
        gzclose(f);
        return;
    }
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* An IDX header: type 0x08, nd dimensions; returns its length. */
static size_t header(unsigned char *b, unsigned nd, const uint32_t *dims)
{
    b[0] = b[1] = 0, b[2] = 0x08, b[3] = (unsigned char)nd;
    for (unsigned d = 0; d < nd; d++)
        for (int k = 0; k < 4; k++)
            b[4 + 4 * d + k] = (unsigned char)(dims[d] >> (24 - 8 * k));
    return 4 + 4 * nd;
}

/* 3 images of 2x2 with pixels 0, 17, ..., and labels 2, 0, 1; returns the byte counts. */
static void write_set(const char *images, const char *labels, bool gz)
{
    unsigned char b[64];
    size_t h = header(b, 3, (uint32_t[]){3, 2, 2});
    for (size_t k = 0; k < 12; k++)
        b[h + k] = (unsigned char)(17 * k);
    write_bytes(images, b, h + 12, gz);
    h = header(b, 1, (uint32_t[]){3});
    b[h] = 2, b[h + 1] = 0, b[h + 2] = 1;
    write_bytes(labels, b, h + 3, gz);
}

Test(idx, plain_and_gzipped_files_read_the_same_scaled_to_unit_range)
{
    for (int gz = 0; gz < 2; gz++) {
        const char *im = at(gz ? "im.gz" : "im"), *lb = at(gz ? "lb.gz" : "lb");
        write_set(im, lb, gz);
        RtExamples e;
        cr_assert_eq(rt_idx_read(&e, im, lb, 0, err, sizeof err), 0, "%s", err);
        cr_assert_eq(e.n, 3);
        cr_assert_eq(e.shape.c, 1);
        cr_assert_eq(e.shape.h, 2);
        cr_assert_eq(e.shape.w, 2);
        for (size_t k = 0; k < 12; k++)
            cr_assert_float_eq(e.x[k], 17.0 * (double)k / 255.0, 1e-7);
        cr_assert_eq(e.label[0], 2);
        cr_assert_eq(e.label[2], 1);
        rt_examples_free(&e);
        cr_assert_eq(rt_idx_read(&e, im, lb, 2, err, sizeof err), 0, "%s", err);
        cr_assert_eq(e.n, 2, "limit = 2");
        rt_examples_free(&e);
    }
}

Test(idx, a_truncated_file_is_an_error_naming_it)
{
    unsigned char b[64];
    size_t h = header(b, 3, (uint32_t[]){3, 2, 2});
    memset(b + h, 7, 12);
    for (int gz = 0; gz < 2; gz++) {
        const char *im = at(gz ? "cut.gz" : "cut");
        write_bytes(im, b, h + 9, gz); /* 3 bytes short */
        RtExamples e = {0};
        cr_assert_neq(rt_idx_read_images(&e, im, 0, err, sizeof err), 0);
        cr_assert(strstr(err, im) && strstr(err, "truncated: the images needs 12 bytes, the "
                                                 "file has 9"), "%s", err);
        cr_assert_null(e.x);
        write_bytes(im, b, 6, gz); /* inside the header */
        cr_assert_neq(rt_idx_read_images(&e, im, 0, err, sizeof err), 0);
        cr_assert(strstr(err, "truncated: the header"), "%s", err);
    }
    /* a gzip stream cut in the middle */
    const char *full = at("full.gz");
    unsigned char big[4096];
    size_t hh = header(big, 2, (uint32_t[]){16, 200});
    for (size_t k = hh; k < hh + 3200 && k < sizeof big; k++)
        big[k] = (unsigned char)(k * 7919 % 251);
    write_bytes(full, big, hh + 3200 < sizeof big ? hh + 3200 : sizeof big, true);
    size_t len;
    char *gzbytes = fx_slurp(full, &len);
    const char *cut = at("gzcut.gz");
    write_bytes(cut, (unsigned char *)gzbytes, len / 2, false);
    free(gzbytes);
    RtExamples e = {0};
    cr_assert_neq(rt_idx_read_images(&e, cut, 0, err, sizeof err), 0);
    cr_assert(strstr(err, cut) && strstr(err, "truncated"), "%s", err);
}

Test(idx, corrupt_files_are_errors_not_crashes)
{
    RtExamples e = {0};
    unsigned char b[64];
    const char *p = at("bad");
    /* not IDX at all */
    write_bytes(p, (const unsigned char *)"hello, world\n", 13, false);
    cr_assert_neq(rt_idx_read_images(&e, p, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "not an IDX file of 2 to 3 dimensions (it starts with 68 65 6c 6c)"),
              "%s", err);
    /* a type other than unsigned bytes */
    size_t h = header(b, 1, (uint32_t[]){3});
    b[2] = 0x0D;
    write_bytes(p, b, h + 12, false);
    int32_t *lab = NULL;
    size_t n;
    cr_assert_neq(rt_idx_read_labels(&lab, &n, p, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "data type 0x0d is not supported"), "%s", err);
    /* an absurd dimension */
    h = header(b, 3, (uint32_t[]){0xFFFFFFFFu, 2, 2});
    write_bytes(p, b, h, false);
    cr_assert_neq(rt_idx_read_images(&e, p, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "dimension 1 is 4294967295"), "%s", err);
    /* a huge but legal header over a short file: no giant allocation survives */
    h = header(b, 3, (uint32_t[]){100000000u, 100, 100});
    write_bytes(p, b, h, false);
    cr_assert_neq(rt_idx_read_images(&e, p, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "too many"), "%s", err);
    /* garbage after a gzip magic */
    const unsigned char junk[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef,
                                  0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
    write_bytes(p, junk, sizeof junk, false);
    cr_assert_neq(rt_idx_read_images(&e, p, 0, err, sizeof err), 0);
    cr_assert(strstr(err, p) && (strstr(err, "corrupt") || strstr(err, "truncated")), "%s", err);
    /* missing file */
    cr_assert_neq(rt_idx_read_images(&e, at("nope"), 0, err, sizeof err), 0);
    cr_assert(strstr(err, "cannot open"), "%s", err);
    /* counts that disagree */
    write_set(at("im"), at("lb"), false);
    h = header(b, 1, (uint32_t[]){2});
    write_bytes(at("lb2"), b, h + 2, false);
    cr_assert_neq(rt_idx_read(&e, at("im"), at("lb2"), 0, err, sizeof err), 0);
    cr_assert(strstr(err, "has 3 images but") && strstr(err, "has 2 labels"), "%s", err);
}

Test(idx, idx_data_has_one_hot_targets_classes_and_a_test_set)
{
    write_set(at("a"), at("b"), true);
    write_set(at("c"), at("d"), false);
    IrData ir = {.name = "mine", .kind = IR_DATA_IDX, .images = at("a"), .labels = at("b"),
                 .test_images = at("c"), .test_labels = at("d"), .limit = 2};
    RtData *dt = rt_data_new(&ir, 1, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    cr_assert_eq(dt->rows, 2);
    cr_assert_eq(dt->cols, 4);
    cr_assert_eq(dt->classes, 3, "1 + the largest label of both sets");
    cr_assert_eq(dt->outs, 3);
    cr_assert_eq(dt->t[0 * 3 + 2], 1.0f);
    cr_assert_eq(dt->t[0 * 3 + 0], 0.0f);
    cr_assert_not_null(dt->test);
    cr_assert_eq(dt->test->rows, 3);
    rt_data_free(dt);
    ir.images = at("missing");
    cr_assert_null(rt_data_new(&ir, 1, err, sizeof err));
    cr_assert(strstr(err, "data 'mine': ") && strstr(err, "missing: cannot open"), "%s", err);
}

Test(idx, missing_fashion_mnist_names_the_debian_package)
{
    cr_assert_null(rt_data_fashion_mnist(at("none"), 0, 0, err, sizeof err));
    cr_assert(strstr(err, "train-images-idx3-ubyte.gz is missing") &&
              strstr(err, "dataset-fashion-mnist"), "%s", err);
}

static void write_text(const char *path, const char *s)
{
    write_bytes(path, (const unsigned char *)s, strlen(s), false);
}

Test(idx, csv_tables_read_features_and_labels)
{
    write_text(at("t.csv"), "f1,f2,label\n0.5, 1.5 ,2\n\n-1,2e-1,0\r\n3,4,1\n");
    RtExamples e;
    cr_assert_eq(rt_csv_read(&e, at("t.csv"), -1, true, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq(e.n, 3);
    cr_assert_eq(e.shape.c, 2);
    cr_assert_float_eq(e.x[1], 1.5, 1e-7);
    cr_assert_float_eq(e.x[3], 0.2, 1e-7);
    cr_assert_eq(e.label[0], 2);
    cr_assert_eq(e.label[2], 1);
    rt_examples_free(&e);
    write_text(at("u.csv"), "1,0.5,1.5\n0,-1,2\n");
    cr_assert_eq(rt_csv_read(&e, at("u.csv"), 0, false, 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(e.n, 1);
    cr_assert_eq(e.label[0], 1);
    cr_assert_float_eq(e.x[0], 0.5, 1e-7);
    rt_examples_free(&e);
}

Test(idx, bad_csv_rows_name_the_line)
{
    RtExamples e;
    write_text(at("a.csv"), "h\n1,2,0\n1,x,0\n");
    cr_assert_neq(rt_csv_read(&e, at("a.csv"), -1, true, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "a.csv:3: column 2 is not a number: 'x'"), "%s", err);
    write_text(at("b.csv"), "1,2,0\n1,2\n");
    cr_assert_neq(rt_csv_read(&e, at("b.csv"), -1, false, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "b.csv:2: 2 columns, but the first row has 3"), "%s", err);
    write_text(at("c.csv"), "1,2,0.5\n");
    cr_assert_neq(rt_csv_read(&e, at("c.csv"), -1, false, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "c.csv:1: the label (column 3) must be a whole number"), "%s", err);
    write_text(at("d.csv"), "label\n");
    cr_assert_neq(rt_csv_read(&e, at("d.csv"), -1, true, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "no data rows"), "%s", err);
}

Test(idx, csv_data_holds_out_its_last_rows_as_the_test_set)
{
    write_text(at("h.csv"), "0,0\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n8,0\n9,1\n");
    IrData ir = {.name = "tab", .kind = IR_DATA_CSV, .file = at("h.csv"), .label = -1,
                 .test_fraction = 0.25, .limit = 5};
    RtData *dt = rt_data_new(&ir, 1, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    cr_assert_eq(dt->rows, 5, "limit after the split");
    cr_assert_eq(dt->test->rows, 2, "floor(0.25 * 10)");
    cr_assert_float_eq(dt->test->x[0], 8.0, 0);
    cr_assert_eq(dt->classes, 2);
    rt_data_free(dt);
}
