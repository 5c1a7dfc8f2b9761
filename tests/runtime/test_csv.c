/*
** test_csv.c: the CSV reader (rt_csv.h): lines, fields, numbers and the data set table's
** errors.
*/
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_csv.h"
#include "rt_fixtures.h"

TestSuite(csv);

/* Every line of text into l (at most cap); returns how many. */
static size_t lines_of(const char *text, RtCsvLine *l, size_t cap)
{
    RtCsvReader rd;
    size_t n = 0;
    rt_csv_open_text(&rd, text, strlen(text));
    while (n < cap && rt_csv_next(&rd, &l[n]))
        n++;
    rt_csv_close(&rd);
    return n;
}

static bool field_is(const RtCsvField *f, const char *s, size_t col)
{
    return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0 && f->col == col;
}

Test(csv, crlf_and_lf_lines_read_alike)
{
    RtCsvLine l[4];
    cr_assert_eq(lines_of("a,b\r\n1,2\r\n\r\n3,4", l, 4), 4);
    cr_assert_eq(l[0].len, 3);
    cr_assert_eq(memcmp(l[0].s, "a,b", 3), 0);
    cr_assert_eq(l[1].no, 2);
    cr_assert(rt_csv_blank(&l[2]));
    cr_assert_eq(l[3].len, 3, "a last line without a newline counts");
    cr_assert_eq(lines_of("x\n", l, 4), 1, "no empty line after the last newline");
}

Test(csv, fields_are_trimmed_unquoted_and_keep_their_column)
{
    RtCsvLine l = {" 1 , \"G (uS)\" ,'x',", 19, 1};
    RtCsvField f[8];
    cr_assert_eq(rt_csv_count(&l, ','), 4);
    cr_assert_eq(rt_csv_split(&l, ',', f, 8), 4);
    cr_assert(field_is(&f[0], "1", 2));
    cr_assert(field_is(&f[1], "G (uS)", 7));
    cr_assert(field_is(&f[2], "x", 17));
    cr_assert_eq(f[3].len, 0, "an empty last field");
    cr_assert_eq(rt_csv_split(&l, ',', f, 2), 2, "at most cap fields are stored");
}

Test(csv, quoted_delimiters_do_not_separate)
{
    RtCsvLine l = {"\"a,b\",c", 7, 1};
    RtCsvField f[4];
    cr_assert_eq(rt_csv_split(&l, ',', f, 4), 2);
    cr_assert(field_is(&f[0], "a,b", 2));
}

Test(csv, delimiters_are_guessed_from_a_header)
{
    RtCsvLine semi = {"pulse;G (uS);dir", 16, 1}, tab = {"a\tb", 3, 1}, blank = {"a  b c", 6, 1};
    RtCsvField f[4];
    cr_assert_eq(rt_csv_delim(&semi), ';');
    cr_assert_eq(rt_csv_delim(&tab), '\t');
    cr_assert_eq(rt_csv_delim(&blank), ' ');
    cr_assert_eq(rt_csv_split(&blank, ' ', f, 4), 3);
    cr_assert(field_is(&f[2], "c", 6));
}

Test(csv, numbers_fill_the_whole_field)
{
    RtCsvField one = {"2e-1", 4, 1}, bad = {"1x", 2, 1}, empty = {"", 0, 1};
    RtCsvField huge = {"1e999", 5, 1};
    double v;
    cr_assert(rt_csv_number(&one, &v));
    cr_assert_float_eq(v, 0.2, 1e-12);
    cr_assert_not(rt_csv_number(&bad, &v));
    cr_assert_not(rt_csv_number(&empty, &v));
    cr_assert(rt_csv_number(&huge, &v));
    cr_assert_eq(errno, ERANGE, "out of range is told apart");
    char longer[100];
    snprintf(longer, sizeof longer, "0.%080d1", 0);
    RtCsvField lf = {longer, strlen(longer), 1};
    cr_assert(rt_csv_number(&lf, &v), "fields longer than the small buffer parse too");
}

Test(csv, a_bad_field_names_its_line_and_column)
{
    char dir[64], path[128], err[256];
    cr_assert(fx_temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("x,y,label\r\n1,2,0\r\n3,oops,1\r\n", f);
    fclose(f);
    RtExamples e;
    cr_assert_neq(rt_csv_read(&e, path, -1, true, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "t.csv:3: column 2 is not a number: 'oops'"), "%s", err);
    f = fopen(path, "w");
    fputs("1,2,0\r\n3,4,1\r\n", f);
    fclose(f);
    cr_assert_eq(rt_csv_read(&e, path, -1, false, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq(e.n, 2, "CRLF rows read like LF rows");
    cr_assert_eq(e.label[1], 1);
    cr_assert_float_eq(e.x[3], 4.0f, 0);
    rt_examples_free(&e);
    fx_rm_tree(dir);
}

/* Lone CRs end lines too (old Mac files); a stream reads what the text reads, also when a
** CRLF falls across the reader's 64 KiB blocks. */
Test(csv, lone_cr_and_block_boundaries)
{
    RtCsvLine l[4];
    cr_assert_eq(lines_of("a,b\r1,2\r3,4\r", l, 4), 3);
    cr_assert_eq(l[2].len, 3);
    cr_assert_eq(memcmp(l[2].s, "3,4", 3), 0);
    char path[] = "/tmp/aimci_csv_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (size_t k = 0; k < 65534; k++)
        fputc('x', f);
    fputs("\n\r\nafter\r", f); /* the CR of the second line's CRLF is the block's last byte */
    fclose(f);
    f = fopen(path, "r");
    RtCsvReader rd;
    rt_csv_open_file(&rd, f);
    size_t n = 0, len[4];
    RtCsvLine one;
    while (n < 4 && rt_csv_next(&rd, &one))
        len[n++] = one.len;
    cr_assert_eq(rd.error, RT_CSV_OK);
    rt_csv_close(&rd);
    fclose(f);
    remove(path);
    cr_assert_eq(n, 3, "the LF after the block's last CR is not a line of its own: %zu", n);
    cr_assert_eq(len[0], 65534);
    cr_assert_eq(len[1], 0);
    cr_assert_eq(len[2], 5);
}

/* A NUL byte or a line longer than RT_CSV_MAX_LINE stops the reader with its line. */
Test(csv, nul_bytes_and_endless_lines_stop_the_reader)
{
    RtCsvReader rd;
    RtCsvLine l;
    char buf[128];
    static const char text[] = "a,b\n1,2\n3,\0\n5,6\n";
    rt_csv_open_text(&rd, text, sizeof text - 1);
    size_t n = 0;
    while (rt_csv_next(&rd, &l))
        n++;
    cr_assert_eq(n, 2);
    cr_assert_eq(rd.error, RT_CSV_NUL);
    cr_assert_str_eq(rt_csv_error(&rd, buf, sizeof buf),
                     "line 3: a NUL byte at column 3 (is this a binary file?)");
    rt_csv_close(&rd);
    FILE *z = fopen("/dev/zero", "r");
    cr_assert(z);
    rt_csv_open_file(&rd, z);
    cr_assert(!rt_csv_next(&rd, &l));
    cr_assert_eq(rd.error, RT_CSV_NUL);
    cr_assert_leq(rd.bufcap, 2 * RT_CSV_MAX_LINE + 2, "the line buffer stays bounded");
    rt_csv_close(&rd);
    fclose(z);
}

/* Real-valued targets by index (negative from the end) and by header name, in the order
** listed; the other columns are the features; a wrong column is an error naming the file. */
Test(csv, target_columns_by_index_and_name)
{
    char dir[64], path[128], err[256];
    cr_assert(fx_temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/r.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("a,y1,b,y2\n1,0.5,2,-0.25\n3,1.5,4,2.75\n", f);
    fclose(f);
    RtExamples e;
    RtCsvCol by_name[2] = {{0, "y2"}, {0, "y1"}}, by_index[2] = {{1, NULL}, {-1, NULL}};
    cr_assert_eq(rt_csv_read_targets(&e, path, by_name, 2, true, 0, err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(e.n, 2);
    cr_assert_eq(e.nt, 2);
    cr_assert_null(e.label);
    cr_assert_eq(e.shape.c, 2, "a and b are the features");
    float x[4] = {1, 2, 3, 4}, t[4] = {-0.25f, 0.5f, 2.75f, 1.5f};
    cr_assert(memcmp(e.x, x, sizeof x) == 0);
    cr_assert(memcmp(e.t, t, sizeof t) == 0, "targets in the order listed");
    rt_examples_free(&e);
    cr_assert_eq(rt_csv_read_targets(&e, path, by_index, 2, true, 0, err, sizeof err), 0);
    float t2[4] = {0.5f, -0.25f, 1.5f, 2.75f};
    cr_assert(memcmp(e.t, t2, sizeof t2) == 0);
    rt_examples_free(&e);
    RtCsvCol missing[1] = {{0, "y3"}}, far[1] = {{4, NULL}};
    RtCsvCol all[4] = {{0, NULL}, {1, NULL}, {2, NULL}, {3, NULL}};
    cr_assert_neq(rt_csv_read_targets(&e, path, missing, 1, true, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "r.csv: no column named 'y3' in the header (a,y1,b,y2)"), "%s", err);
    cr_assert_neq(rt_csv_read_targets(&e, path, far, 1, true, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "target column 4 does not exist: the rows have 4 columns"), "%s", err);
    cr_assert_neq(rt_csv_read_targets(&e, path, all, 4, true, 0, err, sizeof err), 0);
    cr_assert(strstr(err, "expected at least one feature column"), "%s", err);
    fx_rm_tree(dir);
}
