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
    r->buf = NULL;
    r->bufcap = 0;
}

/* A line of len bytes at s, its LF and one CR before it dropped. */
static RtCsvLine line_at(const char *s, size_t len, size_t no)
{
    if (len && s[len - 1] == '\n')
        len--;
    if (len && s[len - 1] == '\r')
        len--;
    return (RtCsvLine){s, len, no};
}

bool rt_csv_next(RtCsvReader *r, RtCsvLine *l)
{
    if (r->f) {
        ssize_t n = getline(&r->buf, &r->bufcap, r->f);
        if (n < 0)
            return false;
        *l = line_at(r->buf, (size_t)n, ++r->no);
        return true;
    }
    if (r->pos >= r->len)
        return false;
    const char *s = r->text + r->pos, *nl = memchr(s, '\n', r->len - r->pos);
    size_t n = nl ? (size_t)(nl - s) + 1 : r->len - r->pos;
    r->pos += n;
    *l = line_at(s, n, ++r->no);
    return true;
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
