/*
** rt_csv_table.c: labelled examples from a CSV table (rt_csv_read, rt_csv.h).
*/
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_csv.h"
#include "rt_mem.h"

#define MAX_COLS 1000000

/* A table being read: values row-major, columns fixed by the first row. */
typedef struct Table {
    float *x;
    int32_t *label;
    size_t n, cap, cols; /* cap: rows; cols: features per row (the label column excluded) */
} Table;

/* Room for one more row; nonzero when out of memory. */
static int grow(Table *t)
{
    if (t->n < t->cap)
        return 0;
    size_t cap = t->cap, width = t->cols ? t->cols : 1;
    if (RT_GROW(t->label, cap, t->n + 1) || cap > SIZE_MAX / sizeof(float) / width)
        return -1;
    float *x = realloc(t->x, cap * width * sizeof *x);
    if (!x)
        return -1;
    t->x = x;
    t->cap = cap;
    return 0;
}

/* Parse one row's fields into t; nonzero with err set. */
static int parse_row(Table *t, const RtCsvField *f, size_t nf, size_t lab, const char *path,
                     size_t line, char *err, size_t errlen)
{
    float *row = t->x + t->n * t->cols;
    for (size_t k = 0, c = 0; k < nf; k++) {
        double v;
        int show = f[k].len < 40 ? (int)f[k].len : 40;
        if (!rt_csv_number(&f[k], &v) || isnan(v)) {
            snprintf(err, errlen, "%s:%zu: column %zu is not a number: '%.*s'", path, line,
                     k + 1, show, f[k].s);
            return -1;
        }
        if ((errno == ERANGE && fabs(v) > 1.0) || fabs(v) > FLT_MAX) { /* inf included */
            snprintf(err, errlen, "%s:%zu: column %zu, '%.*s', is out of range for a 32-bit "
                     "float (magnitude at most %.7g)", path, line, k + 1, show, f[k].s,
                     (double)FLT_MAX);
            return -1;
        } /* an underflow (1e-320) is a number: it rounds to 0 or a tiny float */
        if (k != lab) {
            row[c++] = (float)v;
            continue;
        }
        if (v < 0 || v != floor(v) || v > 2147483647.0) {
            snprintf(err, errlen, "%s:%zu: the label (column %zu) must be a whole number >= 0, "
                     "not %.*s", path, line, k + 1, show, f[k].s);
            return -1;
        }
        t->label[t->n] = (int32_t)v;
    }
    t->n++;
    return 0;
}

/* The columns of the first row: fixes t->cols and the label column; nonzero with err set. */
static int first_row(Table *t, size_t nf, int *label_col, const char *path, size_t lineno,
                     char *err, size_t errlen)
{
    long lab = *label_col < 0 ? (long)nf + *label_col : *label_col;
    if (nf < 2 || nf > MAX_COLS || lab < 0 || lab >= (long)nf) {
        snprintf(err, errlen, "%s:%zu: %zu columns, label column %d: expected at least "
                 "2 columns including the label", path, lineno, nf, *label_col);
        return -1;
    }
    t->cols = nf - 1;
    *label_col = (int)lab;
    return 0;
}

/* Read every data line of f into t; nonzero with err set. */
static int read_rows(Table *t, FILE *f, const char *path, int label_col, bool header,
                     size_t limit, char *err, size_t errlen)
{
    RtCsvReader rd;
    RtCsvLine l;
    RtCsvField *fields = NULL;
    size_t ncols = 0;
    int rc = 0;
    rt_csv_open_file(&rd, f);
    while (!rc && (!limit || t->n < limit) && rt_csv_next(&rd, &l)) {
        if (rt_csv_blank(&l) || (header && l.no == 1))
            continue;
        if (!ncols) { /* the first row fixes the columns */
            size_t nf = rt_csv_count(&l, ',');
            if ((rc = first_row(t, nf, &label_col, path, l.no, err, errlen)))
                break;
            ncols = nf;
            /* one field more than a row has: a longer row shows in a single pass */
            if (!(fields = malloc((nf + 1) * sizeof *fields))) {
                snprintf(err, errlen, "%s: out of memory (%zu columns)", path, nf);
                rc = -1;
                break;
            }
        }
        if (rt_csv_split(&l, ',', fields, ncols + 1) != ncols) {
            snprintf(err, errlen, "%s:%zu: %zu columns, but the first row has %zu", path, l.no,
                     rt_csv_count(&l, ','), ncols);
            rc = -1;
        } else if (grow(t)) {
            snprintf(err, errlen, "%s: out of memory (%zu rows of %zu columns)", path,
                     t->n + 1, ncols);
            rc = -1;
        } else {
            rc = parse_row(t, fields, ncols, (size_t)label_col, path, l.no, err, errlen);
        }
    }
    if (!rc && rd.error) {
        char why[160];
        snprintf(err, errlen, "%s: %s", path, rt_csv_error(&rd, why, sizeof why));
        rc = -1;
    }
    rt_csv_close(&rd);
    free(fields);
    return rc;
}

int rt_csv_read(RtExamples *e, const char *path, int label_col, bool header, size_t limit,
                char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory, not a CSV file", path);
        fclose(f);
        return -1;
    }
    Table t = {0};
    int rc = read_rows(&t, f, path, label_col, header, limit, err, errlen);
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "%s: read error (%s)", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (!rc && t.n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        rc = -1;
    }
    if (rc) {
        free(t.x);
        free(t.label);
        return -1;
    }
    *e = (RtExamples){t.n, {t.cols, 1, 1}, t.x, t.label};
    return 0;
}
