/*
** rt_csv.c: lines, fields and numbers of delimited text (rt_csv.h).
*/
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_csv.h"
#include "rt_mem.h"

void rt_csv_open_text(RtCsvReader *r, const char *text, size_t len)
{
    *r = (RtCsvReader){.text = text, .len = len};
}

void rt_csv_open_file(RtCsvReader *r, FILE *f)
{
    *r = (RtCsvReader){.f = f};
}

void rt_csv_close(RtCsvReader *r)
{
    free(r->buf);
    free(r->blk);
    r->buf = r->blk = NULL;
    r->bufcap = 0;
}

/* The end of the line starting at s (its length without the ending) and where the next one
** starts, in the text s[0..n): the line ends at LF, CRLF or a lone CR. */
static size_t line_end(const char *s, size_t n, size_t *next)
{
    size_t i = 0;
    while (i < n && s[i] != '\n' && s[i] != '\r')
        i++;
    *next = i + (i < n) + (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n');
    return i;
}

/* A line that is too long or holds a NUL byte stops the reader; whether l is fine. */
static bool line_ok(RtCsvReader *r, const RtCsvLine *l)
{
    const char *nul = memchr(l->s, '\0', l->len);
    if (nul) {
        r->error = RT_CSV_NUL;
        r->error_col = (size_t)(nul - l->s) + 1;
        return false;
    }
    if (l->len > RT_CSV_MAX_LINE) {
        r->error = RT_CSV_TOO_LONG;
        return false;
    }
    return true;
}

#define BLOCK ((size_t)1 << 16)

/* Refill the stream's block when it is used up; false at the end of the stream. */
static bool fill(RtCsvReader *r)
{
    if (r->bpos < r->blen)
        return true;
    if (!r->blk)
        r->blk = rt_xmalloc(BLOCK);
    r->blen = fread(r->blk, 1, BLOCK, r->f);
    r->bpos = 0;
    return r->blen > 0;
}

/* Keep s[0..n) after the n_kept bytes of the current line, up to RT_CSV_MAX_LINE + 1. */
static void keep(RtCsvReader *r, size_t *kept, const char *s, size_t n)
{
    size_t room = RT_CSV_MAX_LINE + 1 - (*kept < RT_CSV_MAX_LINE + 1 ? *kept : RT_CSV_MAX_LINE + 1);
    size_t take = n < room ? n : room;
    if (take) {
        RT_XGROW(r->buf, r->bufcap, *kept + take);
        memcpy(r->buf + *kept, s, take);
    }
    *kept += take;
}

/*
** The next line of the stream into r->buf (at most RT_CSV_MAX_LINE + 1 bytes of it: then it
** is too long, and reading stops there); its length, or -1 at the end. The stream is read in
** blocks and scanned with memchr: as fast as getline, but bounded.
*/
static long read_line(RtCsvReader *r)
{
    if (r->cr && fill(r) && r->blk[r->bpos] == '\n')
        r->bpos++; /* the LF of a CRLF split by the block boundary */
    r->cr = false;
    size_t n = 0;
    bool any = false;
    while (fill(r)) {
        const char *s = r->blk + r->bpos;
        size_t avail = r->blen - r->bpos;
        const char *nl = memchr(s, '\n', avail);
        size_t seg = nl ? (size_t)(nl - s) : avail;
        const char *cr = memchr(s, '\r', seg);
        if (cr)
            seg = (size_t)(cr - s);
        keep(r, &n, s, seg);
        any = true;
        r->bpos += seg;
        if (n > RT_CSV_MAX_LINE)
            return (long)n; /* too long: an error (rt_csv_next), the rest is never read */
        if (r->bpos == r->blen)
            continue; /* the line goes on in the next block */
        if (r->blk[r->bpos++] == '\r') { /* a lone CR or a CRLF */
            if (r->bpos < r->blen)
                r->bpos += r->blk[r->bpos] == '\n';
            else
                r->cr = true;
        }
        return (long)n;
    }
    return any ? (long)n : -1;
}

bool rt_csv_next(RtCsvReader *r, RtCsvLine *l)
{
    if (r->error)
        return false;
    if (r->f) {
        long n = read_line(r);
        if (n < 0)
            return false;
        *l = (RtCsvLine){r->buf ? r->buf : "", (size_t)n, ++r->no};
        if (l->len > RT_CSV_MAX_LINE)
            l->len = RT_CSV_MAX_LINE + 1; /* all that was kept */
        return line_ok(r, l);
    }
    if (r->pos >= r->len)
        return false;
    const char *s = r->text + r->pos;
    size_t next, n = line_end(s, r->len - r->pos, &next);
    r->pos += next;
    *l = (RtCsvLine){s, n, ++r->no};
    return line_ok(r, l);
}

const char *rt_csv_error(const RtCsvReader *r, char *buf, size_t len)
{
    if (r->error == RT_CSV_TOO_LONG)
        snprintf(buf, len, "line %zu is longer than %zu bytes (is this a text file?)", r->no,
                 RT_CSV_MAX_LINE);
    else if (r->error == RT_CSV_NUL)
        snprintf(buf, len, "line %zu: a NUL byte at column %zu (is this a binary file?)", r->no,
                 r->error_col);
    else if (len)
        buf[0] = '\0';
    return buf;
}

bool rt_csv_blank(const RtCsvLine *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (!isspace((unsigned char)l->s[i]))
            return false;
    return true;
}

char rt_csv_delim(const RtCsvLine *l)
{
    const char cands[] = {',', ';', '\t'};
    size_t best = 0;
    char d = ' ';
    for (size_t k = 0; k < 3; k++) {
        size_t n = 0;
        for (size_t i = 0; i < l->len; i++)
            n += l->s[i] == cands[k];
        if (n > best)
            best = n, d = cands[k];
    }
    return d;
}

/* Trim blanks and one pair of surrounding quotes. */
static RtCsvField trim(const char *s, size_t len, size_t col)
{
    while (len && isspace((unsigned char)*s))
        s++, len--, col++;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len >= 2 && (*s == '"' || *s == '\'') && s[len - 1] == *s)
        s++, len -= 2, col++;
    return (RtCsvField){s, len, col};
}

/* Fields separated by runs of blanks: all of them counted, the first cap stored. */
static size_t scan_blanks(const RtCsvLine *l, RtCsvField *f, size_t cap)
{
    size_t n = 0, i = 0;
    while (i < l->len) {
        while (i < l->len && isspace((unsigned char)l->s[i]))
            i++;
        size_t start = i;
        while (i < l->len && !isspace((unsigned char)l->s[i]))
            i++;
        if (i > start) {
            if (n < cap)
                f[n] = trim(l->s + start, i - start, start + 1);
            n++;
        }
    }
    return n;
}

/* Every field of l counted, the first cap stored in f. */
static size_t scan(const RtCsvLine *l, char delim, RtCsvField *f, size_t cap)
{
    if (delim == ' ')
        return scan_blanks(l, f, cap);
    size_t n = 0, start = 0;
    bool quoted = false;
    for (size_t i = 0; i <= l->len; i++) {
        if (i < l->len && l->s[i] == '"')
            quoted = !quoted;
        if (i == l->len || (l->s[i] == delim && !quoted)) {
            if (n < cap)
                f[n] = trim(l->s + start, i - start, start + 1);
            n++;
            start = i + 1;
        }
    }
    return n;
}

size_t rt_csv_count(const RtCsvLine *l, char delim)
{
    return scan(l, delim, NULL, 0);
}

size_t rt_csv_split(const RtCsvLine *l, char delim, RtCsvField *f, size_t cap)
{
    size_t n = scan(l, delim, f, cap);
    return n < cap ? n : cap;
}

bool rt_csv_number(const RtCsvField *f, double *v)
{
    char small[64];
    if (f->len == 0)
        return false;
    /* strtod needs a terminated string; long fields (rare) get a copy on the heap */
    char *buf = f->len < sizeof small ? small : rt_xmalloc(f->len + 1);
    memcpy(buf, f->s, f->len);
    buf[f->len] = '\0';
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    bool whole = *end == '\0' && end != buf;
    if (buf != small) {
        int e = errno;
        free(buf);
        errno = e;
    }
    return whole;
}
