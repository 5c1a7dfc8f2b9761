/*
** rt_csv_table.c: examples from a CSV table, with a class label column (rt_csv_read) or real
** target columns (rt_csv_read_targets), rt_csv.h.
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

/* What a column of the table is. */
enum { FEATURE, LABEL, TARGET };

/* A table being read: values row-major, columns fixed by the first row. */
typedef struct Table {
    float *x;
    int32_t *label;      /* label tables */
    float *t;            /* target tables: (n, nt) */
    size_t n, cap, cols; /* cap: rows; cols: features per row (label or targets excluded) */
    size_t nt;           /* target columns (0: a label table) */
    const RtCsvCol *tcol;
    int label_col;
    unsigned char *role; /* (columns of a row) FEATURE, LABEL or TARGET */
    size_t *tpos;        /* (columns of a row) a target column's place in t's row */
    char *head;          /* the header line (target names), or NULL */
    size_t headlen;
} Table;

/* Room for one more row; nonzero when out of memory. */
static int grow(Table *t)
{
    if (t->n < t->cap)
        return 0;
    size_t cap = t->cap, width = t->cols ? t->cols : 1, nt = t->nt ? t->nt : 1;
    if (RT_GROW(t->label, cap, t->n + 1) || cap > SIZE_MAX / sizeof(float) / width ||
        cap > SIZE_MAX / sizeof(float) / nt)
        return -1;
    float *x = realloc(t->x, cap * width * sizeof *x);
    if (!x)
        return -1;
    t->x = x;
    if (t->nt) {
        float *tv = realloc(t->t, cap * nt * sizeof *tv);
        if (!tv)
            return -1;
        t->t = tv;
    }
    t->cap = cap;
    return 0;
}

/* Parse one row's fields into t; nonzero with err set. */
static int parse_row(Table *t, const RtCsvField *f, size_t nf, const char *path, size_t line,
                     char *err, size_t errlen)
{
    float *row = t->x + t->n * t->cols, *trow = t->t ? t->t + t->n * t->nt : NULL;
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
        if (t->role[k] == FEATURE) {
            row[c++] = (float)v;
            continue;
        }
        if (t->role[k] == TARGET) {
            trow[t->tpos[k]] = (float)v;
            continue;
        }
        if (v < 0 || v != floor(v) || v > 2147483647.0) {
            snprintf(err, errlen, "%s:%zu: the label (column %zu) must be a whole number >= 0, "
                     "not %.*s (for real-valued targets: targets = [%zu] instead of label)",
                     path, line, k + 1, show, f[k].s, k);
            return -1;
        }
        t->label[t->n] = (int32_t)v;
    }
    t->n++;
    return 0;
}

/* The 0-based column of target k among nf columns (names from the header); -1 with err set. */
static long target_column(const Table *t, size_t k, size_t nf, const char *path, char *err,
                          size_t errlen)
{
    const RtCsvCol *c = &t->tcol[k];
    if (!c->name) {
        long col = c->index < 0 ? (long)nf + c->index : c->index;
        if (col < 0 || col >= (long)nf)
            snprintf(err, errlen, "%s: target column %ld does not exist: the rows have %zu "
                     "columns (0 to %zu, or -1 to -%zu from the end)", path, c->index, nf,
                     nf - 1, nf);
        return col < 0 || col >= (long)nf ? -1 : col;
    }
    RtCsvLine l = {t->head, t->headlen, 1};
    RtCsvField *f = t->head ? malloc((nf + 1) * sizeof *f) : NULL;
    size_t n = f ? rt_csv_split(&l, ',', f, nf + 1) : 0;
    long col = -1;
    for (size_t j = 0; j < n && col < 0; j++)
        if (f[j].len == strlen(c->name) && memcmp(f[j].s, c->name, f[j].len) == 0)
            col = (long)j;
    if (col < 0) {
        int w = t->headlen < 200 ? (int)t->headlen : 200;
        snprintf(err, errlen, "%s: no column named '%s' in the header (%.*s%s)", path, c->name,
                 w, t->head ? t->head : "", t->headlen > 200 ? "..." : "");
    }
    free(f);
    return col;
}

/* The roles of the columns of a target table with nf columns; nonzero with err set. */
static int target_roles(Table *t, size_t nf, const char *path, char *err, size_t errlen)
{
    for (size_t k = 0; k < t->nt; k++) {
        long col = target_column(t, k, nf, path, err, errlen);
        if (col < 0)
            return -1;
        if (t->role[col] == TARGET) {
            snprintf(err, errlen, "%s: column %ld is given twice as a target", path, col);
            return -1;
        }
        t->role[col] = TARGET;
        t->tpos[col] = k;
    }
    return 0;
}

/* The columns of the first row: fixes t->cols and the roles of the columns; nonzero with
** err set. */
static int first_row(Table *t, size_t nf, const char *path, size_t lineno, char *err,
                     size_t errlen)
{
    long lab = t->label_col < 0 ? (long)nf + t->label_col : t->label_col;
    if (!t->nt && (nf < 2 || nf > MAX_COLS || lab < 0 || lab >= (long)nf)) {
        snprintf(err, errlen, "%s:%zu: %zu columns, label column %d: expected at least "
                 "2 columns including the label", path, lineno, nf, t->label_col);
        return -1;
    }
    if (t->nt && (nf <= t->nt || nf > MAX_COLS)) {
        snprintf(err, errlen, "%s:%zu: %zu columns for %zu target%s: expected at least one "
                 "feature column besides the targets", path, lineno, nf, t->nt,
                 t->nt == 1 ? "" : "s");
        return -1;
    }
    t->role = calloc(nf, sizeof *t->role);
    t->tpos = calloc(nf, sizeof *t->tpos);
    if (!t->role || !t->tpos) {
        snprintf(err, errlen, "%s: out of memory (%zu columns)", path, nf);
        return -1;
    }
    if (!t->nt)
        t->role[lab] = LABEL;
    else if (target_roles(t, nf, path, err, errlen))
        return -1;
    t->cols = nf - (t->nt ? t->nt : 1);
    return 0;
}

/* Read every data line of f into t; nonzero with err set. */
static int read_rows(Table *t, FILE *f, const char *path, bool header, size_t limit, char *err,
                     size_t errlen)
{
    RtCsvReader rd;
    RtCsvLine l;
    RtCsvField *fields = NULL;
    size_t ncols = 0;
    int rc = 0;
    rt_csv_open_file(&rd, f);
    while (!rc && (!limit || t->n < limit) && rt_csv_next(&rd, &l)) {
        if (header && l.no == 1 && t->nt && !(t->head = malloc(l.len ? l.len : 1))) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        if (header && l.no == 1 && t->head) { /* target names are looked up there */
            memcpy(t->head, l.s, l.len);
            t->headlen = l.len;
        }
        if (rt_csv_blank(&l) || (header && l.no == 1))
            continue;
        if (!ncols) { /* the first row fixes the columns */
            size_t nf = rt_csv_count(&l, ',');
            if ((rc = first_row(t, nf, path, l.no, err, errlen)))
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
            rc = parse_row(t, fields, ncols, path, l.no, err, errlen);
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

/* Read a label table (t->nt == 0) or a target table into e; 0, or -1 with err set. */
static int read_table(RtExamples *e, Table t, const char *path, bool header, size_t limit,
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
    int rc = read_rows(&t, f, path, header, limit, err, errlen);
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "%s: read error (%s)", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (!rc && t.n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        rc = -1;
    }
    free(t.role);
    free(t.tpos);
    free(t.head);
    if (t.nt) { /* rows were counted in label's growth: targets tables have no labels */
        free(t.label);
        t.label = NULL;
    }
    if (rc) {
        free(t.x);
        free(t.label);
        free(t.t);
        return -1;
    }
    *e = (RtExamples){t.n, {t.cols, 1, 1}, t.x, t.label, t.t, t.nt};
    return 0;
}

int rt_csv_read(RtExamples *e, const char *path, int label_col, bool header, size_t limit,
                char *err, size_t errlen)
{
    return read_table(e, (Table){.label_col = label_col}, path, header, limit, err, errlen);
}

int rt_csv_read_targets(RtExamples *e, const char *path, const RtCsvCol *tcol, size_t nt,
                        bool header, size_t limit, char *err, size_t errlen)
{
    if (nt == 0) {
        snprintf(err, errlen, "%s: no target columns", path);
        return -1;
    }
    return read_table(e, (Table){.nt = nt, .tcol = tcol}, path, header, limit, err, errlen);
}
