/*
** rt_csv.c: the CSV reader of labelled examples (rt_idx.h).
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_idx.h"

#define MAX_COLS 1000000

/* A table being read: values row-major, columns fixed by the first row. */
typedef struct Table {
    float *x;
    int32_t *label;
    size_t n, cap, cols; /* cols: features per row (the label column excluded) */
} Table;

/* Room for one more row; false when out of memory. */
static bool grow(Table *t)
{
    if (t->n < t->cap)
        return true;
    size_t cap = t->cap ? 2 * t->cap : 256;
    if (t->cols && cap > SIZE_MAX / sizeof(float) / t->cols)
        return false;
    float *x = realloc(t->x, cap * (t->cols ? t->cols : 1) * sizeof *x);
    if (!x)
        return false;
    t->x = x;
    int32_t *l = realloc(t->label, cap * sizeof *l);
    if (!l)
        return false;
    t->label = l;
    t->cap = cap;
    return true;
}

/* The n comma-separated fields of line (modified in place) into f. */
static void split(char *line, char **f, size_t n)
{
    char *p = line;
    for (size_t k = 0; k < n; k++) {
        f[k] = p;
        while (*p && *p != ',')
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* A number field (spaces around allowed); false if it is not one. */
static bool number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(*v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    return *end == '\0';
}

/* Parse one row's fields into t; false with err set. */
static bool parse_row(Table *t, char **f, size_t nf, size_t lab, const char *path,
                      size_t line, char *err, size_t errlen)
{
    float *row = t->x + t->n * t->cols;
    for (size_t k = 0, c = 0; k < nf; k++) {
        double v;
        if (!number(f[k], &v)) {
            snprintf(err, errlen, "%s:%zu: column %zu is not a number: '%.40s'", path, line,
                     k + 1, f[k]);
            return false;
        }
        if (k != lab) {
            row[c++] = (float)v;
            continue;
        }
        if (v < 0 || v != floor(v) || v > 2147483647.0) {
            snprintf(err, errlen, "%s:%zu: the label (column %zu) must be a whole number >= 0, "
                     "not %.40s", path, line, k + 1, f[k]);
            return false;
        }
        t->label[t->n] = (int32_t)v;
    }
    t->n++;
    return true;
}

/* Strip a trailing newline (and carriage return); true if anything but spaces is left. */
static bool content(char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = '\0';
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return true;
    return false;
}

/* Read every data line of f into t; false with err set. */
static bool read_rows(Table *t, FILE *f, const char *path, int label_col, bool header,
                      size_t limit, char *err, size_t errlen)
{
    char *line = NULL, **fields = NULL;
    size_t len = 0, lineno = 0, ncols = 0;
    bool ok = true;
    while (ok && (!limit || t->n < limit) && getline(&line, &len, f) >= 0) {
        lineno++;
        if (!content(line) || (header && lineno == 1))
            continue;
        size_t nf = 1;
        for (const char *p = line; *p; p++)
            nf += *p == ',';
        if (!ncols) { /* the first row fixes the columns */
            long lab = label_col < 0 ? (long)nf + label_col : label_col;
            if (nf < 2 || nf > MAX_COLS || lab < 0 || lab >= (long)nf) {
                snprintf(err, errlen, "%s:%zu: %zu columns, label column %d: expected at least "
                         "2 columns including the label", path, lineno, nf, label_col);
                ok = false;
                break;
            }
            ncols = nf;
            t->cols = nf - 1;
            label_col = (int)lab;
            if (!(fields = malloc(nf * sizeof *fields))) {
                snprintf(err, errlen, "%s: out of memory", path);
                ok = false;
                break;
            }
        }
        if (nf == ncols)
            split(line, fields, ncols);
        if (nf != ncols) {
            snprintf(err, errlen, "%s:%zu: %zu columns, but the first row has %zu", path, lineno,
                     nf, ncols);
            ok = false;
        } else if (!grow(t)) {
            snprintf(err, errlen, "%s: out of memory", path);
            ok = false;
        } else {
            ok = parse_row(t, fields, nf, (size_t)label_col, path, lineno, err, errlen);
        }
    }
    free(line);
    free(fields);
    return ok;
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
    Table t = {0};
    bool ok = read_rows(&t, f, path, label_col, header, limit, err, errlen);
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        ok = false;
    }
    fclose(f);
    if (ok && t.n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        ok = false;
    }
    if (!ok) {
        free(t.x);
        free(t.label);
        return -1;
    }
    *e = (RtExamples){t.n, {t.cols, 1, 1}, t.x, t.label};
    return 0;
}
