/*
** measured.c: measured pulse-response CSV files into fit data (measured.h).
**
** The file is split into lines, each line into fields (with the byte column of each, for
** carets) by the runtime's CSV reader (rt_csv.h); what the columns mean is decided here. The
** header is found first (the first line of names with a value column followed by a data row
** of as many fields), its columns classified, then each data row becomes a reading, and the
** readings are grouped into segments and mapped onto weights.
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "load.h"
#include "measured.h"
#include "rt_csv.h"
#include "rt_mem.h"

#define MAX_FIELDS 64

typedef RtCsvField Field;
typedef RtCsvLine Line;

typedef enum ColKind { COL_OTHER, COL_PULSE, COL_DIR, COL_CYCLE, COL_VALUE } ColKind;

typedef struct Column {
    ColKind kind;
    MsQuantity q;
    int branch;       /* +1 potentiation, -1 depression, 0 none (value columns) */
    double scale;     /* unit prefix: value * scale is in S or Ohm */
    char unit[16];
} Column;

/* One reading on its way to the fit data. */
typedef struct Reading {
    int dir;          /* +1, -1; 0: a reading with no pulse before it */
    long pulse;       /* the pulse number, or -1 without a pulse column */
    double g;         /* the value (conductance, 1/R or weight) */
    size_t cycle;
    int branch;       /* branch layout: the column's branch */
} Reading;

typedef struct Reader {
    Diag *d;
    uint32_t file;
    char delim;       /* ',', ';', '\t', or ' ' for runs of blanks */
    Column col[MAX_FIELDS];
    size_t ncol;
    Reading *r;
    size_t nr, cap;
} Reader;

/*
** {======================================================================
** Lines and fields
** =======================================================================
*/

static bool blank_or_comment(const Line *l)
{
    size_t i = 0;
    while (i < l->len && isspace((unsigned char)l->s[i]))
        i++;
    return i == l->len || l->s[i] == '#' || l->s[i] == '%';
}

static bool any_number(const Field *f, size_t n)
{
    double v;
    for (size_t i = 0; i < n; i++)
        if (rt_csv_number(&f[i], &v))
            return true;
    return false;
}

/* Case-insensitive equality of a field and a word. */
static bool is_word(const Field *f, const char *w)
{
    return strlen(w) == f->len && strncasecmp(f->s, w, f->len) == 0;
}

static SrcLoc at_field(const Reader *rd, const Line *l, const Field *f)
{
    return (SrcLoc){rd->file, (uint32_t)l->no, (uint32_t)f->col, f->len ? (uint32_t)f->len : 1};
}

/* }====================================================================== */

/*
** {======================================================================
** The header
** =======================================================================
*/

/* The multiplier of a unit prefix letter, or 0. */
static double prefix(const char *p, size_t n)
{
    if (n == 0)
        return 1.0;
    if (n == 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xb5)
        return 1e-6; /* µ (micro sign) */
    if (n == 2 && (unsigned char)p[0] == 0xce && (unsigned char)p[1] == 0xbc)
        return 1e-6; /* μ (Greek mu) */
    if (n != 1)
        return 0.0;
    switch (*p) {
    case 'p': return 1e-12;
    case 'n': return 1e-9;
    case 'u': return 1e-6;
    case 'm': return 1e-3;
    case 'k': return 1e3;
    case 'M': return 1e6;
    case 'G': return 1e9;
    default: return 0.0;
    }
}

/* A unit: conductance (S, uS, ...) or resistance (Ohm, kOhm, Ω, ...); false if neither. */
static bool parse_unit(const char *u, size_t n, MsQuantity *q, double *scale)
{
    static const char *const ohms[] = {"Ohms", "Ohm", "ohms", "ohm", "\xce\xa9", "\xe2\x84\xa6"};
    for (size_t k = 0; k < sizeof ohms / sizeof *ohms; k++) {
        size_t m = strlen(ohms[k]);
        if (n >= m && strncmp(u + n - m, ohms[k], m) == 0 && prefix(u, n - m) > 0.0) {
            *q = MS_RESISTANCE, *scale = prefix(u, n - m);
            return true;
        }
    }
    if (n >= 1 && u[n - 1] == 'S' && prefix(u, n - 1) > 0.0) {
        *q = MS_CONDUCTANCE, *scale = prefix(u, n - 1);
        return true;
    }
    return false;
}

/* The words of a lowercased name split at '_', ' ', '-', '.'; whether one is in `set`. */
static bool has_word(const char *name, const char *const *set)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", name);
    for (char *tok = strtok(buf, "_ -."); tok; tok = strtok(NULL, "_ -."))
        for (size_t k = 0; set[k]; k++)
            if (strcmp(tok, set[k]) == 0)
                return true;
    return false;
}

static const char *const pot_words[] = {"pot", "potentiation", "ltp", "up", "set", "inc",
                                        "increase", "p", NULL};
static const char *const dep_words[] = {"dep", "depression", "ltd", "down", "reset", "dec",
                                        "decrease", "d", NULL};
static const char *const g_words[] = {"g", "conductance", "cond", "gpot", "gdep", NULL};
static const char *const r_words[] = {"r", "res", "resistance", "rpot", "rdep", NULL};
static const char *const w_words[] = {"w", "weight", NULL};
static const char *const pulse_words[] = {"pulse", "pulses", "n", "index", "step", "#", "number",
                                          "no", "num", NULL};
static const char *const dir_words[] = {"direction", "dir", "polarity", "branch", "type", "mode",
                                        "sign", NULL};
static const char *const cycle_words[] = {"cycle", "cycles", "rep", "repeat", "repetition",
                                          NULL};

/*
** Split a header field into a lowercased name and a unit: "G (uS)", "R [kOhm]", "G_uS",
** "conductance uS". Returns whether a unit was found (in *q, *scale, unit).
*/
static bool name_and_unit(const Field *f, char *name, size_t cap, char unit[16], MsQuantity *q,
                          double *scale)
{
    size_t n = f->len < cap - 1 ? f->len : cap - 1;
    memcpy(name, f->s, n);
    name[n] = '\0';
    unit[0] = '\0';
    char *open = strpbrk(name, "([");
    bool found = false;
    if (open) {
        char *close = strpbrk(open, ")]");
        size_t un = close ? (size_t)(close - open - 1) : strlen(open + 1);
        found = parse_unit(open + 1, un, q, scale);
        snprintf(unit, 16, "%.*s", (int)un, open + 1);
        *open = '\0';
    } else {
        char *sep = strrchr(name, '_');
        sep = sep ? sep : strrchr(name, ' ');
        if (sep && parse_unit(sep + 1, strlen(sep + 1), q, scale)) {
            snprintf(unit, 16, "%.15s", sep + 1);
            *sep = '\0';
            found = true;
        }
    }
    size_t len = strlen(name);
    while (len && isspace((unsigned char)name[len - 1]))
        name[--len] = '\0';
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return found;
}

/* A branch from how a name ends ("gpot", "rreset"): -1, +1 or 0. Depression first: "reset". */
static int suffix_branch(const char *name)
{
    static const char *const dn[] = {"dep", "ltd", "reset", "down"};
    static const char *const up[] = {"pot", "ltp", "set", "up"};
    size_t n = strlen(name);
    for (size_t k = 0; k < 4; k++)
        if (n > strlen(dn[k]) && strcmp(name + n - strlen(dn[k]), dn[k]) == 0)
            return -1;
    for (size_t k = 0; k < 4; k++)
        if (n > strlen(up[k]) && strcmp(name + n - strlen(up[k]), up[k]) == 0)
            return 1;
    return 0;
}

/* Classify one header field. */
static Column classify(const Field *f)
{
    Column c = {COL_OTHER, MS_CONDUCTANCE, 0, 1.0, ""};
    char name[128];
    bool unit = name_and_unit(f, name, sizeof name, c.unit, &c.q, &c.scale);
    int branch = has_word(name, pot_words) ? 1 : has_word(name, dep_words) ? -1 : suffix_branch(name);
    if (unit || has_word(name, g_words) || has_word(name, r_words) || has_word(name, w_words)) {
        c.kind = COL_VALUE;
        if (!unit)
            c.q = has_word(name, w_words) ? MS_WEIGHT
                  : has_word(name, r_words) ? MS_RESISTANCE : MS_CONDUCTANCE;
        c.branch = branch;
    } else if (has_word(name, cycle_words)) {
        c.kind = COL_CYCLE;
    } else if (has_word(name, dir_words)) {
        c.kind = COL_DIR;
    } else if (has_word(name, pulse_words)) {
        c.kind = COL_PULSE;
    } else if (branch != 0 && c.unit[0] == '\0') {
        c.kind = COL_VALUE, c.branch = branch; /* "pot", "dep": conductance, no unit */
    }
    return c;
}

/* The index of the first column of a kind, or -1. */
static int find_col(const Reader *rd, ColKind k, int branch)
{
    for (size_t i = 0; i < rd->ncol; i++)
        if (rd->col[i].kind == k && (k != COL_VALUE || rd->col[i].branch == branch))
            return (int)i;
    return -1;
}

static size_t count_values(const Reader *rd)
{
    size_t n = 0;
    for (size_t i = 0; i < rd->ncol; i++)
        n += rd->col[i].kind == COL_VALUE;
    return n;
}

/* Classify the header's columns; a layout that cannot be read is reported. */
static int read_header(Reader *rd, const Line *l, Field *f, size_t n, Measured *m)
{
    rd->ncol = n;
    for (size_t i = 0; i < n; i++)
        rd->col[i] = classify(&f[i]);
    size_t nv = count_values(rd);
    int pot = find_col(rd, COL_VALUE, 1), dep = find_col(rd, COL_VALUE, -1);
    int plain = find_col(rd, COL_VALUE, 0);
    m->branches = pot >= 0 && dep >= 0;
    SrcLoc at = {rd->file, (uint32_t)l->no, 1, (uint32_t)(l->len ? l->len : 1)};
    if (m->branches ? nv != 2 : (nv != 1 || plain < 0)) {
        diag_error(rd->d, at, "cannot tell the value column%s of this header", nv > 1 ? "s" : "");
        diag_expected(rd->d, "one conductance, resistance or weight column and a direction "
                             "column, or two columns, one per branch (e.g. G_pot (uS), G_dep (uS))");
        return 1;
    }
    if (!m->branches && find_col(rd, COL_DIR, 0) < 0) {
        diag_error(rd->d, at, "no direction column: which readings follow up pulses?");
        diag_expected(rd->d, "a column 'direction' (up/down, pot/dep, set/reset, +/-, 1/-1), "
                             "or one value column per branch");
        return 1;
    }
    const Column *v = &rd->col[m->branches ? pot : plain];
    m->quantity = v->q;
    snprintf(m->unit, sizeof m->unit, "%s", v->unit);
    if (m->branches && rd->col[pot].q != rd->col[dep].q) {
        diag_error(rd->d, at, "the two branch columns hold different quantities");
        return 1;
    }
    return 0;
}

/* Whether line l is the header: names only, a value column, and a data row after it. */
static bool is_header(const Line *l, const Line *next)
{
    Field f[MAX_FIELDS], g[MAX_FIELDS];
    char delim = rt_csv_delim(l);
    size_t n = rt_csv_split(l, delim, f, MAX_FIELDS);
    if (n < 2 || any_number(f, n) || !next)
        return false;
    bool value = false;
    for (size_t i = 0; i < n; i++)
        value |= classify(&f[i]).kind == COL_VALUE;
    return value && rt_csv_split(next, delim, g, MAX_FIELDS) == n && any_number(g, n);
}

/* }====================================================================== */

/*
** {======================================================================
** Rows
** =======================================================================
*/

/* A direction word: +1, -1, 0 (no pulse), or 2 when not recognised. */
static int direction(const Field *f)
{
    static const char *const up[] = {"up", "pot", "potentiation", "ltp", "set", "p", "+", "1",
                                     "+1", "inc", "increase", "positive", NULL};
    static const char *const down[] = {"down", "dep", "depression", "ltd", "reset", "d", "-",
                                       "-1", "dec", "decrease", "negative", NULL};
    static const char *const none[] = {"0", "start", "read", "init", "none", "", NULL};
    for (size_t k = 0; up[k]; k++)
        if (is_word(f, up[k]))
            return 1;
    for (size_t k = 0; down[k]; k++)
        if (is_word(f, down[k]))
            return -1;
    for (size_t k = 0; none[k]; k++)
        if (is_word(f, none[k]))
            return 0;
    return 2;
}

static int push(Reader *rd, Reading r)
{
    if (RT_GROW(rd->r, rd->cap, rd->nr + 1))
        return 1;
    rd->r[rd->nr++] = r;
    return 0;
}

/* The value of field f as a conductance (1/R), a weight, or NaN when empty; 1 on error. */
static int value_of(const Reader *rd, const Line *l, const Field *f, const Column *c, double *g)
{
    *g = NAN;
    if (f->len == 0)
        return 0;
    double v;
    if (!rt_csv_number(f, &v)) {
        diag_error(rd->d, at_field(rd, l, f), "not a number: '%.*s'", (int)f->len, f->s);
        diag_expected(rd->d, "a %s", c->q == MS_RESISTANCE ? "resistance" :
                                     c->q == MS_WEIGHT ? "weight" : "conductance");
        return 1;
    }
    if (isnan(v))
        return 0;
    if (!isfinite(v) || (c->q == MS_RESISTANCE && v <= 0.0)) {
        diag_error(rd->d, at_field(rd, l, f), "%s %g cannot be measured",
                   c->q == MS_RESISTANCE ? "a resistance of" : "a value of", v);
        return 1;
    }
    *g = c->q == MS_RESISTANCE ? 1.0 / (v * c->scale) : c->q == MS_WEIGHT ? v : v * c->scale;
    return 0;
}

/* The pulse number of a row (-1 without the column); 1 on error. */
static int pulse_of(const Reader *rd, const Line *l, const Field *f, long *p)
{
    double v;
    *p = -1;
    if (!f)
        return 0;
    if (!rt_csv_number(f, &v) || v < 0 || v != floor(v) || v > 1e15) {
        diag_error(rd->d, at_field(rd, l, f), "not a pulse number: '%.*s'", (int)f->len, f->s);
        diag_expected(rd->d, "a whole number >= 0");
        return 1;
    }
    *p = (long)v;
    return 0;
}

typedef struct RowState {
    Field cycle_text; /* the last cycle value seen */
    bool have_cycle;
    size_t cycle;
    long last_pulse;
} RowState;

/* A new cycle: the cycle column changed, or (branch layout) the pulse number restarted. */
static void track_cycle(RowState *st, const Field *cf, long pulse, bool branches)
{
    bool changed = false;
    if (cf) {
        changed = st->have_cycle && !(cf->len == st->cycle_text.len &&
                                      memcmp(cf->s, st->cycle_text.s, cf->len) == 0);
        st->cycle_text = *cf, st->have_cycle = true;
    }
    if (branches && pulse >= 0 && st->last_pulse >= 0 && pulse <= st->last_pulse)
        changed = true;
    st->cycle += changed;
    st->last_pulse = pulse;
}

/* One data row into readings. */
static int read_row(Reader *rd, const Line *l, Field *f, size_t n, RowState *st, bool branches)
{
    if (n != rd->ncol) {
        SrcLoc at = {rd->file, (uint32_t)l->no, 1, (uint32_t)(l->len ? l->len : 1)};
        diag_error(rd->d, at, "%zu fields, but the header has %zu", n, rd->ncol);
        return 1;
    }
    int pc = find_col(rd, COL_PULSE, 0), cc = find_col(rd, COL_CYCLE, 0);
    long pulse;
    if (pulse_of(rd, l, pc >= 0 ? &f[pc] : NULL, &pulse))
        return 1;
    track_cycle(st, cc >= 0 ? &f[cc] : NULL, pulse, branches);
    for (size_t i = 0; i < n; i++) {
        const Column *c = &rd->col[i];
        if (c->kind != COL_VALUE)
            continue;
        double g;
        if (value_of(rd, l, &f[i], c, &g))
            return 1;
        if (isnan(g))
            continue;
        int dir = c->branch;
        if (!branches) {
            int dc = find_col(rd, COL_DIR, 0);
            dir = direction(&f[dc]);
            if (dir == 2) {
                diag_error(rd->d, at_field(rd, l, &f[dc]), "unknown direction '%.*s'",
                           (int)f[dc].len, f[dc].s);
                diag_expected(rd->d, "up/down, pot/dep, set/reset, +/-, 1/-1 (0, start or read: "
                                     "a reading with no pulse)");
                return 1;
            }
        }
        if (push(rd, (Reading){dir, pulse, g, st->cycle, c->branch})) {
            diag_error(rd->d, at_field(rd, l, &f[i]), "out of memory (%zu readings)", rd->nr);
            return 1;
        }
    }
    return 0;
}

/* }====================================================================== */

/*
** {======================================================================
** Segments
** =======================================================================
*/

typedef struct Builder {
    Measured *m;
    size_t n, nseg, cap, segcap;
    signed char *dir;
    unsigned *np;
    double *w;
    RtFitSeg *seg;
} Builder;

/* Room for one more reading and segment; nonzero when out of memory. */
static int grow(Builder *b)
{
    size_t cap = b->cap; /* dir, np and w share one capacity */
    if (RT_GROW(b->dir, cap, b->n + 1))
        return -1;
    cap = b->cap;
    if (RT_GROW(b->np, cap, b->n + 1))
        return -1;
    cap = b->cap;
    if (RT_GROW(b->w, cap, b->n + 1))
        return -1;
    b->cap = cap;
    return RT_GROW(b->seg, b->segcap, b->nseg + 1);
}

/* Start a segment anchored at w0 (an empty previous one is dropped). */
static void open_seg(Builder *b, double w0)
{
    if (b->nseg > 0 && b->seg[b->nseg - 1].n == 0)
        b->nseg--;
    b->seg[b->nseg++] = (RtFitSeg){b->n, 0, w0};
}

static void add_reading(Builder *b, int dir, unsigned np, double w)
{
    b->dir[b->n] = (signed char)dir, b->np[b->n] = np, b->w[b->n] = w;
    b->n++;
    b->seg[b->nseg - 1].n++;
}

/* Pulses between two readings from their numbers (1 when unknown or restarted). */
static unsigned pulses_between(long prev, long cur)
{
    if (cur < 0 || prev < 0)
        return 1;
    if (cur > prev)
        return cur - prev > 1000000 ? 1000000u : (unsigned)(cur - prev);
    return cur > 0 ? (unsigned)(cur > 1000000 ? 1000000 : cur) : 1; /* restarted at cur */
}

/* Direction layout: runs chained through the readings of a cycle; nonzero when out of memory. */
static int chain(Builder *b, const Reading *r, size_t n)
{
    const Reading *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (grow(b))
            return -1;
        bool anchor = !prev || prev->cycle != r[i].cycle || r[i].dir == 0 || r[i].pulse == 0;
        if (anchor) {
            open_seg(b, r[i].g);
        } else {
            if (b->nseg == 0 || b->seg[b->nseg - 1].n == 0 ||
                b->dir[b->n - 1] != r[i].dir)
                open_seg(b, prev->g); /* a new run starts where the last reading was */
            add_reading(b, r[i].dir, pulses_between(prev->pulse, r[i].pulse), r[i].g);
        }
        prev = &r[i];
    }
    return 0;
}

/* Branch layout: each branch of each cycle from its own first reading; nonzero when out of
** memory. */
static int branches(Builder *b, const Reading *r, size_t n, size_t cycles)
{
    for (size_t c = 0; c <= cycles; c++)
        for (int br = 1; br >= -1; br -= 2) {
            const Reading *prev = NULL;
            for (size_t i = 0; i < n; i++) {
                if (r[i].cycle != c || r[i].branch != br)
                    continue;
                if (grow(b))
                    return -1;
                if (!prev)
                    open_seg(b, r[i].g);
                else
                    add_reading(b, br, pulses_between(prev->pulse, r[i].pulse), r[i].g);
                prev = &r[i];
            }
        }
    return 0;
}

/* Conductances onto [-1, 1] (weights stay); nonzero when they never change. */
static int map_weights(Builder *b, Measured *m)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < b->n; i++)
        lo = fmin(lo, b->w[i]), hi = fmax(hi, b->w[i]);
    for (size_t s = 0; s < b->nseg; s++)
        lo = fmin(lo, b->seg[s].w0), hi = fmax(hi, b->seg[s].w0);
    m->g_lo = m->g_hi = NAN;
    if (!(hi > lo))
        return -1;
    if (m->quantity == MS_WEIGHT)
        return 0;
    double scale = 1.0; /* report the range in the header's unit (1/that unit for R) */
    MsQuantity q;
    if (m->unit[0])
        parse_unit(m->unit, strlen(m->unit), &q, &scale);
    m->g_lo = m->quantity == MS_RESISTANCE ? lo * scale : lo / scale;
    m->g_hi = m->quantity == MS_RESISTANCE ? hi * scale : hi / scale;
    for (size_t i = 0; i < b->n; i++)
        b->w[i] = -1.0 + 2.0 * (b->w[i] - lo) / (hi - lo);
    for (size_t s = 0; s < b->nseg; s++)
        b->seg[s].w0 = -1.0 + 2.0 * (b->seg[s].w0 - lo) / (hi - lo);
    return 0;
}

/* }====================================================================== */

/* Index of the header among lines, or -1. */
static long find_header(const Line *ln, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (blank_or_comment(&ln[i]))
            continue;
        size_t j = i + 1;
        while (j < n && blank_or_comment(&ln[j]))
            j++;
        if (is_header(&ln[i], j < n ? &ln[j] : NULL))
            return (long)i;
    }
    return -1;
}

/* The lines of text (rt_csv.h); NULL when out of memory. A line the reader refuses (too long,
** a NUL byte) is reported through rd and ends the lines there (*bad set). */
static Line *split_lines(Reader *rdr, const char *text, size_t len, size_t *n, bool *bad)
{
    RtCsvReader rd;
    Line *ln = NULL, l;
    size_t cap = 0;
    *n = 0;
    rt_csv_open_text(&rd, text, len);
    while (rt_csv_next(&rd, &l)) {
        if (RT_GROW(ln, cap, *n + 1)) {
            free(ln);
            return NULL;
        }
        ln[(*n)++] = l;
    }
    *bad = rd.error != RT_CSV_OK;
    if (*bad) {
        char why[160];
        SrcLoc at = {rdr->file, (uint32_t)rd.no, rd.error == RT_CSV_NUL ? (uint32_t)rd.error_col : 1,
                     1};
        diag_error(rdr->d, at, "%s", rt_csv_error(&rd, why, sizeof why));
        diag_expected(rdr->d, "a text file of measured values");
    }
    rt_csv_close(&rd);
    return ln ? ln : rt_xmalloc(sizeof *ln);
}

/* The data rows after the header into readings. */
static int read_rows(Reader *rd, const Line *ln, size_t n, long h, Measured *m)
{
    RowState st = {.last_pulse = -1};
    Field f[MAX_FIELDS];
    for (size_t i = (size_t)h + 1; i < n; i++) {
        if (blank_or_comment(&ln[i]))
            continue;
        if (read_row(rd, &ln[i], f, rt_csv_split(&ln[i], rd->delim, f, MAX_FIELDS), &st,
                     m->branches))
            return 1;
        m->rows++;
    }
    m->cycles = st.cycle + 1;
    return 0;
}

/* Readings into segments and weights; reports at `at` what cannot be fitted. */
static int build(Reader *rd, Measured *m, SrcLoc at)
{
    Builder b = {.m = m};
    int rc = m->branches ? branches(&b, rd->r, rd->nr, m->cycles) : chain(&b, rd->r, rd->nr);
    if (!rc && b.nseg > 0 && b.seg[b.nseg - 1].n == 0)
        b.nseg--;
    m->data = (RtFitData){b.n, b.dir, b.np, b.w, b.nseg, b.seg};
    if (rc) {
        diag_error(rd->d, at, "out of memory (%zu readings)", rd->nr);
        return 1;
    }
    if (b.n == 0) {
        diag_error(rd->d, at, "no pulse readings in the data (%zu rows read)", m->rows);
        return 1;
    }
    if (map_weights(&b, m)) {
        diag_error(rd->d, at, "the %s never changes", measured_quantity_name(m));
        return 1;
    }
    return 0;
}

int measured_read(Measured *m, const char *path, Diag *d, SrcLoc at)
{
    memset(m, 0, sizeof *m);
    m->ar = arena_new();
    size_t len = 0, nl = 0;
    const char *err = NULL;
    char *text = ld_read(m->ar, path, &len, &err);
    if (!text) {
        diag_error(d, at, "%s", err);
        return 1;
    }
    Reader rd = {.d = d, .file = diag_add_file(d, arena_strdup(m->ar, path), text, len, at)};
    bool bad = false;
    Line *ln = split_lines(&rd, text, len, &nl, &bad);
    long h = ln ? find_header(ln, nl) : -1;
    int rc = 1;
    if (bad) {
        /* reported by split_lines */
    } else if (!ln) {
        diag_error(d, at, "out of memory");
    } else if (h < 0) {
        diag_error(d, (SrcLoc){rd.file, 0, 0, 0}, "no header line with a value column "
                   "followed by data");
        diag_expected(d, "a line of column names such as 'pulse,direction,G (uS)' or "
                         "'pulse,G_pot (uS),G_dep (uS)' (lines before it are skipped)");
    } else {
        Field f[MAX_FIELDS];
        rd.delim = rt_csv_delim(&ln[h]);
        size_t n = rt_csv_split(&ln[h], rd.delim, f, MAX_FIELDS);
        rc = read_header(&rd, &ln[h], f, n, m) || read_rows(&rd, ln, nl, h, m) ||
             build(&rd, m, (SrcLoc){rd.file, (uint32_t)h + 1, 1, 1});
    }
    free(ln);
    free(rd.r);
    return rc;
}

void measured_free(Measured *m)
{
    free((void *)m->data.dir);
    free((void *)m->data.npulse);
    free((void *)m->data.w);
    free((void *)m->data.seg);
    arena_free(m->ar);
    memset(m, 0, sizeof *m);
}

const char *measured_quantity_name(const Measured *m)
{
    switch (m->quantity) {
    case MS_WEIGHT: return "weight";
    case MS_RESISTANCE: return "resistance";
    default: return "conductance";
    }
}
