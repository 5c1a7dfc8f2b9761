/*
** rt_csv.h: the one CSV reader: lines, fields and numbers of delimited text, for labelled
** data sets (rt_csv_read) and measured device traces (interp/fit/measured.c).
**
** Lines end at LF, CRLF or a lone CR (old Mac files), so all three read alike; a last line
** without a newline counts. Lines are numbered from 1. A line longer than RT_CSV_MAX_LINE
** bytes or holding a NUL byte stops the reading with an error (rt_csv_error): a binary file
** or /dev/zero never grows a line buffer without bound.
** Fields are separated by one delimiter (',', ';' or tab; ' ' means runs of spaces and
** tabs); a delimiter between double quotes does not separate. Each field is trimmed of
** blanks and of one pair of surrounding quotes (" or '), and keeps the 1-based byte column
** where its text starts, so that errors can point at it.
*/
#ifndef AIMCI_RT_CSV_H
#define AIMCI_RT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rt_idx.h"

typedef struct RtCsvLine {
    const char *s;    /* not NUL-terminated; no line ending */
    size_t len;
    size_t no;        /* 1-based */
} RtCsvLine;

typedef struct RtCsvField {
    const char *s;    /* trimmed, quotes removed; not NUL-terminated */
    size_t len;
    size_t col;       /* 1-based byte column in the line */
} RtCsvField;

/* Lines of a text in memory or of a stream (read as it goes, for large files). */
typedef struct RtCsvReader {
    FILE *f;          /* NULL: the text */
    const char *text;
    size_t len, pos;
    char *buf;        /* the stream's current line */
    size_t bufcap;
    char *blk;        /* the stream's block being read ... */
    size_t blen, bpos; /* ... its bytes and the next one */
    bool cr;          /* the last line ended in CR at the end of a block (LF may follow) */
    size_t no;
    int error;        /* RT_CSV_OK, or why rt_csv_next stopped early */
    size_t error_col; /* RT_CSV_NUL: the 1-based column of the NUL byte */
} RtCsvReader;

/* The longest line read (1 MiB): longer ones are an error, not a memory hog. */
#define RT_CSV_MAX_LINE ((size_t)1 << 20)

enum { RT_CSV_OK, RT_CSV_TOO_LONG, RT_CSV_NUL };

/* Why the reader stopped early, as "line N: ..." (empty when it did not). */
const char *rt_csv_error(const RtCsvReader *r, char *buf, size_t len);

void rt_csv_open_text(RtCsvReader *r, const char *text, size_t len);
void rt_csv_open_file(RtCsvReader *r, FILE *f);

/* The next line into *l (valid until the next call); false at the end, at a read error, or
** at a line too long or with a NUL byte (r->error). */
bool rt_csv_next(RtCsvReader *r, RtCsvLine *l);
void rt_csv_close(RtCsvReader *r);

/* Whether l holds only blanks. */
bool rt_csv_blank(const RtCsvLine *l);

/* The delimiter of a header line: the most frequent of , ; tab, else ' ' (blanks). */
char rt_csv_delim(const RtCsvLine *l);

/* The number of fields of l. */
size_t rt_csv_count(const RtCsvLine *l, char delim);

/* The first (at most cap) fields of l into f; returns how many were stored. */
size_t rt_csv_split(const RtCsvLine *l, char delim, RtCsvField *f, size_t cap);

/*
** Whether f is a number in full (strtod's syntax: nan and inf included) into *v; errno is
** ERANGE after it when the value is out of range.
*/
bool rt_csv_number(const RtCsvField *f, double *v);

/*
** A data set: one example per line, numbers separated by commas (spaces around them
** ignored); label_col is the label column (0-based; < 0 counts from the end, -1 the last),
** a whole number >= 0, the others are the features in order (shape (F,1,1)). header: skip
** the first line. Empty lines are skipped; every row must have the same number of columns.
** Only the first `limit` examples are read (0: all). 0, or -1 with err set (naming the
** file, and the line for bad rows); nothing is left allocated on failure.
*/
int rt_csv_read(RtExamples *e, const char *path, int label_col, bool header, size_t limit,
                char *err, size_t errlen);

/* A column named by its 0-based index (< 0 from the end) or, when name is set, by header. */
typedef struct RtCsvCol {
    long index;
    const char *name;
} RtCsvCol;

/*
** The same with real-valued targets instead of a label: the columns tcol[0..nt) (in that
** order) go to e->t (n, nt), the others are the features. A name needs header (it is looked
** up in the first line); a column that does not exist, a name not in the header, a column
** given twice or no feature column left is an error naming the file.
*/
int rt_csv_read_targets(RtExamples *e, const char *path, const RtCsvCol *tcol, size_t nt,
                        bool header, size_t limit, char *err, size_t errlen);

#endif
