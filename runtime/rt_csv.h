/*
** rt_csv.h: the one CSV reader: lines, fields and numbers of delimited text, for labelled
** data sets (rt_csv_read) and measured device traces (interp/fit/measured.c).
**
** Lines end at LF; one CR before it (or at the end of the text) is dropped, so CRLF files
** read like LF files; a last line without a newline counts. Lines are numbered from 1.
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
    size_t no;
} RtCsvReader;

void rt_csv_open_text(RtCsvReader *r, const char *text, size_t len);
void rt_csv_open_file(RtCsvReader *r, FILE *f);

/* The next line into *l (valid until the next call); false at the end (or a read error). */
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

#endif
