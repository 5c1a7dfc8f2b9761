/*
** diag.c: the diagnostics sink. Formats every error and warning of every layer:
** a gcc-style header, the source line, a caret under the culprit, then the lines that
** explain (expected ..., hint ..., note: included from ...).
*/
#include "diag.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rt_mem.h"

typedef struct DiagFile {
    const char *path;
    const char *text;
    size_t len;
    SrcLoc from; /* line 0: a root file */
    uint32_t first; /* the line number of the text's first line (1; the REPL: more) */
} DiagFile;

struct Diag {
    FILE *out;
    DiagFile *files;
    uint32_t nfiles;
    size_t cap;
    int nerr;
    bool muted; /* the last error was suppressed: drop its follow-up lines too */
    bool notes_pending; /* the last report's "included from" notes are still to print */
    uint32_t notes_file;
};

Diag *diag_new(FILE *out)
{
    Diag *d = rt_xcalloc(1, sizeof *d);
    d->out = out;
    return d;
}

void diag_free(Diag *d)
{
    if (!d)
        return;
    free(d->files);
    free(d);
}

uint32_t diag_add_file(Diag *d, const char *path, const char *text, size_t len, SrcLoc from)
{
    RT_XGROW(d->files, d->cap, (size_t)d->nfiles + 1);
    d->files[d->nfiles] = (DiagFile){path, text, len, from, 1};
    return d->nfiles++;
}

void diag_file_set_first_line(Diag *d, uint32_t file, uint32_t line)
{
    if (file < d->nfiles && line >= 1)
        d->files[file].first = line;
}

uint32_t diag_file_first_line(const Diag *d, uint32_t file)
{
    return file < d->nfiles ? d->files[file].first : 1;
}

void diag_forget(Diag *d, int count)
{
    if (count >= 0 && count < d->nerr)
        d->nerr = count;
}

const char *diag_file_path(const Diag *d, uint32_t file)
{
    return file < d->nfiles ? d->files[file].path : "?";
}

const char *diag_file_text(const Diag *d, uint32_t file, size_t *len)
{
    if (file >= d->nfiles) {
        *len = 0;
        return "";
    }
    *len = d->files[file].len;
    return d->files[file].text;
}

/* Start of line `line` (1-based) in f, or NULL if the file is shorter. */
static const char *line_start(const DiagFile *f, uint32_t line)
{
    const char *p = f->text, *end = f->text + f->len;
    if (line < f->first)
        return NULL;
    for (uint32_t l = f->first; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return p;
}

/* Print one source byte so that binary junk cannot garble the terminal. */
static void put_visible(FILE *out, unsigned char c)
{
    if (c == '\t' || (c >= 0x20 && c != 0x7f))
        fputc(c, out);
    else
        fputc('?', out);
}

/* The source line of `at` with a gutter, and a caret line under the culprit. */
static void show_line(Diag *d, SrcLoc at)
{
    if (at.file >= d->nfiles || at.line == 0)
        return;
    const DiagFile *f = &d->files[at.file];
    const char *p = line_start(f, at.line), *end = f->text + f->len;
    if (!p)
        return;
    const char *e = p;
    while (e < end && *e != '\n' && e - p < 200)
        e++;
    if (e > p && e[-1] == '\r' && (e == end || *e == '\n'))
        e--; /* a CRLF line */
    fprintf(d->out, "%5u | ", at.line);
    for (const char *q = p; q < e; q++)
        put_visible(d->out, (unsigned char)*q);
    fputs("\n      | ", d->out);
    /* Copy tabs from the line so the caret lines up in any tab width. */
    for (uint32_t c = 1; c < at.col && p + c - 1 < e; c++) {
        unsigned char ch = (unsigned char)p[c - 1];
        if ((ch & 0xc0) != 0x80) /* UTF-8 continuation bytes take no column */
            fputc(ch == '\t' ? '\t' : ' ', d->out);
    }
    fputc('^', d->out);
    for (uint32_t k = 1; k < at.len && k < 80 && p + at.col - 1 + k < e; k++)
        fputc('~', d->out);
    fputc('\n', d->out);
}

/* "note: included from a.aimc:3:1" for each level of `use` above the file. */
static void show_includes(Diag *d, uint32_t file)
{
    for (int depth = 0; file < d->nfiles && d->files[file].from.line && depth < 64; depth++) {
        SrcLoc from = d->files[file].from;
        fprintf(d->out, "  note: included from %s:%u:%u\n", diag_file_path(d, from.file), from.line,
                from.col);
        file = from.file;
    }
}

void diag_flush(Diag *d)
{
    if (d->notes_pending) {
        d->notes_pending = false;
        show_includes(d, d->notes_file);
    }
}

static void report(Diag *d, SrcLoc at, const char *kind, const char *fmt, va_list ap)
{
    diag_flush(d);
    if (at.line)
        fprintf(d->out, "%s:%u:%u: %s: ", diag_file_path(d, at.file), at.line, at.col, kind);
    else
        fprintf(d->out, "%s: %s: ", diag_file_path(d, at.file), kind);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    show_line(d, at);
    d->notes_pending = true; /* after the follow-up lines */
    d->notes_file = at.file;
}

void diag_verror(Diag *d, SrcLoc at, const char *fmt, va_list ap)
{
    diag_flush(d);
    d->nerr++;
    d->muted = d->nerr > DIAG_MAX_ERRORS;
    if (d->muted) {
        if (d->nerr == DIAG_MAX_ERRORS + 1)
            fprintf(d->out, "aimci: too many errors (limit is %d); stopping\n", DIAG_MAX_ERRORS);
        return;
    }
    report(d, at, "error", fmt, ap);
}

void diag_error(Diag *d, SrcLoc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(d, at, fmt, ap);
    va_end(ap);
}

void diag_plain(Diag *d, const char *fmt, ...)
{
    va_list ap;
    diag_flush(d);
    d->nerr++;
    d->muted = false;
    fputs("aimci: error: ", d->out);
    va_start(ap, fmt);
    vfprintf(d->out, fmt, ap);
    va_end(ap);
    fputc('\n', d->out);
}

void diag_warning(Diag *d, SrcLoc at, const char *fmt, ...)
{
    va_list ap;
    d->muted = false;
    va_start(ap, fmt);
    report(d, at, "warning", fmt, ap);
    va_end(ap);
}

void diag_vfollow(Diag *d, const char *label, const char *fmt, va_list ap)
{
    if (d->muted)
        return;
    fprintf(d->out, "  %s: ", label);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
}

void diag_expected(Diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vfollow(d, "expected", fmt, ap);
    va_end(ap);
}

void diag_hint(Diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vfollow(d, "hint", fmt, ap);
    va_end(ap);
}

int diag_count(const Diag *d)
{
    return d->nerr;
}

bool diag_full(const Diag *d)
{
    return d->nerr >= DIAG_MAX_ERRORS;
}

/* Case-insensitive Levenshtein distance, capped: names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t prev2[64], prev[64], row[64]; /* rows i-2, i-1, i of the distance table */
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (ai != bj);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1; /* a transposition */
            row[j] = best;
        }
        memcpy(prev2, prev, sizeof prev);
        memcpy(prev, row, sizeof row);
    }
    return prev[lb];
}

/* The one candidate that begins with name ("stochastic" for "stochastic_compressed"). */
static const char *unique_prefix(const char *name, const char *const *cands, size_t n)
{
    const char *found = NULL;
    size_t len = strlen(name);
    if (len < 3)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (cands[i] && strncmp(cands[i], name, len) == 0) {
            if (found)
                return NULL;
            found = cands[i];
        }
    return found;
}

const char *diag_nearest(const char *name, const char *const *cands, size_t n)
{
    size_t len = strlen(name), limit = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    size_t bestd = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        size_t dist = edit_distance(name, cands[i]);
        if (dist < bestd) {
            best = cands[i];
            bestd = dist;
        }
    }
    return best ? best : unique_prefix(name, cands, n);
}
