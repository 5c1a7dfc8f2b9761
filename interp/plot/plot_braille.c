/*
** plot_braille.c: line plots in the terminal. The plot area is a grid of braille characters
** (U+2800 + dot bits); each holds 2x4 dots, so a W x H area has 2W x 4H addressable points.
** Lines between consecutive points are drawn dot by dot (Bresenham). Series are told apart
** by ANSI colours when asked, else by a marker character drawn on each line every few
** columns. Everything else (axes, ticks, labels, legend) is ordinary text around the area.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "plot.h"
#include "rt_mem.h"

#define MIN_WIDTH 20
#define MIN_HEIGHT 8
#define MAX_SIDE 1000 /* larger sizes are clamped: a plot is never a memory hazard */

static const char markers[] = "*+ox#@%&"; /* ORDER series: marker of series s is s % 8 */
static const int colors[] = {34, 31, 32, 35, 36, 33}; /* ANSI: blue, red, green, ... */

/* A braille dot's bit at (dx in 0..1, dy in 0..3) of its cell (Unicode's dot numbering). */
static const unsigned char dot_bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20},
                                            {0x40, 0x80}};

void plot_term_size(int fd, int *cols, int *rows)
{
    struct winsize ws;
    *cols = 80;
    *rows = 24;
    if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}

/*
** {======================================================================
** Ranges and ticks
** =======================================================================
*/

typedef struct Range {
    double lo, hi;
} Range;

/* The plotted y of a point: y itself, or log10(y) on a log axis (NaN when not plottable). */
static double y_of(double y, bool logy)
{
    if (!logy)
        return y;
    return y > 0.0 ? log10(y) : NAN;
}

/* Widen an empty or single-valued range around its value; [0, 1] when nothing was seen. */
static Range widen(double lo, double hi)
{
    if (!(lo <= hi))
        return (Range){0.0, 1.0};
    if (hi - lo > 1e-12 * fmax(fabs(lo), fabs(hi)) && isfinite(hi - lo))
        return (Range){lo, hi};
    double d = lo != 0.0 ? 0.1 * fabs(lo) : 1.0;
    return (Range){lo - d, hi + d};
}

/* The x and y ranges of the finite points of every series. */
static void data_ranges(const PlotSpec *s, bool logy, Range *x, Range *y)
{
    double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
    for (size_t k = 0; k < s->nseries; k++)
        for (size_t i = 0; i < s->series[k].n; i++) {
            double px = s->series[k].x[i], py = y_of(s->series[k].y[i], logy);
            if (!isfinite(px) || !isfinite(py))
                continue;
            xl = fmin(xl, px), xh = fmax(xh, px);
            yl = fmin(yl, py), yh = fmax(yh, py);
        }
    *x = widen(xl, xh);
    *y = widen(yl, yh);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about `target` ticks. */
static double nice_step(Range r, int target)
{
    double raw = (r.hi - r.lo) / (target > 1 ? target : 1);
    double e = floor(log10(raw)), f = raw / pow(10.0, e);
    double nf = f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0;
    return nf * pow(10.0, e);
}

#define MAX_TICKS 64

typedef struct Ticks {
    double v[MAX_TICKS];
    char label[MAX_TICKS][24];
    int n;
} Ticks;

/* Format tick value v (a multiple of step): plain decimals when short, else exponent form. */
static void tick_label(char out[24], double v, double step, bool logy)
{
    if (logy) {
        snprintf(out, 24, "%.3g", pow(10.0, v));
        return;
    }
    int dec = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    double big = fmax(fabs(v), step);
    if (big < 1e6 && dec <= 5)
        snprintf(out, 24, "%.*f", dec, v + 0.0);
    else
        snprintf(out, 24, "%.*e", (int)fmax(0.0, floor(log10(big)) - floor(log10(step))),
                 v + 0.0);
    if (strcmp(out, "-0") == 0)
        strcpy(out, "0");
}

/* Ticks at the multiples of a nice step inside r. */
static void make_ticks(Ticks *t, Range r, int target, bool logy)
{
    double step = nice_step(r, target);
    if (logy && step < 1.0 && r.hi - r.lo >= 1.0)
        step = 1.0; /* whole decades once the range spans one */
    t->n = 0;
    for (double k = ceil(r.lo / step - 1e-9); k * step <= r.hi + 1e-9 * step; k++) {
        if (t->n == MAX_TICKS)
            break;
        t->v[t->n] = k * step;
        tick_label(t->label[t->n], k * step, step, logy);
        t->n++;
    }
}

/* }====================================================================== */

/*
** {======================================================================
** The canvas: dots, the series that drew each cell last, markers
** =======================================================================
*/

typedef struct Canvas {
    int w, h;              /* cells */
    unsigned char *dots;   /* (h, w) braille bits */
    signed char *owner;    /* (h, w) the series that drew the cell last, -1: none */
    char *mark;            /* (h, w) marker character or 0 */
    Range x, y;
} Canvas;

/* Dot coordinates of a data point (dot row 0 at the top). */
static void to_dots(const Canvas *c, double x, double y, long *dx, long *dy)
{
    double fx = (x - c->x.lo) / (c->x.hi - c->x.lo) * (2.0 * c->w - 1.0);
    double fy = (c->y.hi - y) / (c->y.hi - c->y.lo) * (4.0 * c->h - 1.0);
    *dx = lround(fmin(fmax(fx, 0.0), 2.0 * c->w - 1.0));
    *dy = lround(fmin(fmax(fy, 0.0), 4.0 * c->h - 1.0));
}

static void set_dot(Canvas *c, long dx, long dy, int series)
{
    size_t cell = (size_t)(dy / 4) * (size_t)c->w + (size_t)(dx / 2);
    c->dots[cell] |= dot_bit[dy % 4][dx % 2];
    c->owner[cell] = (signed char)series;
}

/* A line of dots from (x0, y0) to (x1, y1), both ends included (Bresenham). */
static void draw_line(Canvas *c, long x0, long y0, long x1, long y1, int series)
{
    long dx = labs(x1 - x0), dy = -labs(y1 - y0);
    long sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (;;) {
        set_dot(c, x0, y0, series);
        if (x0 == x1 && y0 == y1)
            return;
        long e2 = 2 * err;
        if (e2 >= dy)
            err += dy, x0 += sx;
        if (e2 <= dx)
            err += dx, y0 += sy;
    }
}

/*
** Draw series s: its finite points joined in order (a skipped point breaks the line). With
** `marked`, its marker goes on the cell of the first point at or past each of the columns
** first, first + gap, ... (first staggered per series so markers of lines that run
** together do not all fall in the same cells).
*/
static void draw_series(Canvas *c, const PlotSeries *s, int k, int nseries, bool logy,
                        bool marked)
{
    long px = -1, py = -1, gap = c->w / 8 > 4 ? c->w / 8 : 4;
    long next = gap * (k + 1) / (nseries + 1);
    bool have = false;
    for (size_t i = 0; i < s->n; i++) {
        double y = y_of(s->y[i], logy);
        if (!isfinite(s->x[i]) || !isfinite(y)) {
            have = false;
            continue;
        }
        long dx, dy;
        to_dots(c, s->x[i], y, &dx, &dy);
        if (have)
            draw_line(c, px, py, dx, dy, k);
        else
            set_dot(c, dx, dy, k);
        if (marked && dx / 2 >= next) {
            c->mark[(dy / 4) * c->w + dx / 2] = markers[k % 8];
            while (next <= dx / 2)
                next += gap;
        }
        px = dx, py = dy, have = true;
    }
}

/* }====================================================================== */

/*
** {======================================================================
** Text layout
** =======================================================================
*/

/* Display columns of UTF-8 text (continuation bytes take none). */
static int text_cols(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void spaces(Buf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_printf(b, " ");
}

/* One line of text centred in `width` columns after `indent` columns (left when too long). */
static void centred(Buf *b, const char *s, int indent, int width)
{
    int pad = (width - text_cols(s)) / 2;
    spaces(b, indent + (pad > 0 ? pad : 0));
    buf_printf(b, "%s\n", s);
}

static void put_braille(Buf *b, unsigned char bits)
{
    buf_printf(b, "%c%c%c", 0xe2, 0xa0 | (bits >> 6), 0x80 | (bits & 0x3f));
}

/*
** The glyph of one plot cell, coloured after its owner when asked: *cur is the colour in
** effect (0: none), changed only where it must be.
*/
static void put_cell(Buf *b, const Canvas *c, size_t cell, bool color, int *cur)
{
    int want = color && c->dots[cell] && !c->mark[cell] ? colors[c->owner[cell] % 6] : 0;
    if (want != *cur)
        buf_printf(b, want ? "\033[%dm" : "\033[0m", want);
    *cur = want;
    if (c->mark[cell])
        buf_printf(b, "%c", c->mark[cell]);
    else if (c->dots[cell])
        put_braille(b, c->dots[cell]);
    else
        buf_printf(b, " ");
}

/* The cell row of a y tick (-1 when outside), and the cell column of an x tick. */
static int tick_row(const Canvas *c, double v)
{
    double f = (c->y.hi - v) / (c->y.hi - c->y.lo) * (4.0 * c->h - 1.0);
    long r = lround(f) / 4;
    return f < -0.5 || r >= c->h ? -1 : (int)r;
}

static int tick_col(const Canvas *c, double v)
{
    double f = (v - c->x.lo) / (c->x.hi - c->x.lo) * (2.0 * c->w - 1.0);
    long k = lround(f) / 2;
    return f < -0.5 || k >= c->w ? -1 : (int)k;
}

/* The rows of the plot area, each with its y tick label (width lw) and axis character. */
static void area_rows(Buf *b, const Canvas *c, const Ticks *yt, int lw, bool color)
{
    for (int r = 0; r < c->h; r++) {
        const char *label = NULL;
        for (int t = yt->n - 1; t >= 0 && !label; t--)
            if (tick_row(c, yt->v[t]) == r)
                label = yt->label[t];
        if (label)
            buf_printf(b, "%*s \u2524", lw - 1, label);
        else
            buf_printf(b, "%*s\u2502", lw, "");
        int cur = 0;
        for (int k = 0; k < c->w; k++)
            put_cell(b, c, (size_t)r * (size_t)c->w + (size_t)k, color, &cur);
        buf_printf(b, cur ? "\033[0m\n" : "\n");
    }
}

/* The x axis with tick marks, then the tick labels centred under them (none overlapping). */
static void x_axis(Buf *b, const Canvas *c, const Ticks *xt, int lw)
{
    char *line = rt_xcalloc((size_t)c->w + 1, 1);
    for (int t = 0; t < xt->n; t++) {
        int k = tick_col(c, xt->v[t]);
        if (k >= 0)
            line[k] = 1;
    }
    buf_printf(b, "%*s\u2514", lw, "");
    for (int k = 0; k < c->w; k++)
        buf_printf(b, "%s", line[k] ? "\u252c" : "\u2500");
    buf_printf(b, "\n");
    free(line);
    int at = 0; /* columns written on the label line */
    for (int t = 0; t < xt->n; t++) {
        int k = tick_col(c, xt->v[t]);
        int len = (int)strlen(xt->label[t]), start = lw + 1 + k - len / 2;
        if (start + len > lw + 1 + c->w)
            start = lw + 1 + c->w - len; /* the last label ends at the right edge */
        if (k < 0 || start < 0 || start < at + (at > 0))
            continue;
        spaces(b, start - at);
        buf_printf(b, "%s", xt->label[t]);
        at = start + len;
    }
    buf_printf(b, "\n");
}

/* Whether the plot has a legend: several series, or one with a label. */
static bool has_legend(const PlotSpec *s)
{
    return s->nseries > 1 || (s->nseries == 1 && s->series[0].label);
}

/* The legend entries ("M label"), wrapped at width; returns the number of lines. */
static int legend(Buf *b, const PlotSpec *s, int width, bool color, bool marked)
{
    int col = 0, lines = 0;
    for (size_t k = 0; k < s->nseries; k++) {
        const char *label = s->series[k].label ? s->series[k].label : "";
        int len = 2 + text_cols(label) + 3;
        if (col > 0 && col + len > width) {
            if (b)
                buf_printf(b, "\n");
            col = 0, lines++;
        }
        if (b) {
            spaces(b, col == 0 ? 2 : 0);
            if (color)
                buf_printf(b, "\033[%dm\u28ff\033[0m %s   ", colors[k % 6], label);
            else if (marked)
                buf_printf(b, "%c %s   ", markers[k % 8], label);
            else
                buf_printf(b, "\u28ff %s   ", label);
        }
        col += len + (col == 0 ? 2 : 0);
    }
    if (b && col > 0)
        buf_printf(b, "\n");
    return lines + (col > 0);
}

/* }====================================================================== */

/* Width of the y tick labels plus one space. */
static int label_width(const Ticks *t)
{
    int w = 1;
    for (int i = 0; i < t->n; i++)
        w = (int)fmax(w, (double)strlen(t->label[i]) + 1);
    return w;
}

static int clamp_side(int v, int lo)
{
    return v < lo ? lo : v > MAX_SIDE ? MAX_SIDE : v;
}

/* Lines around the plot area: title, y label, x axis and labels, x label, legend. */
static int frame_lines(const PlotSpec *s, int width, bool color, bool marked)
{
    int n = 2 + (s->title != NULL) + (s->ylabel != NULL) + (s->xlabel != NULL);
    return n + (has_legend(s) ? legend(NULL, s, width, color, marked) : 0);
}

/* Append text to out without the spaces at the ends of its lines. */
static void append_trimmed(Buf *out, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        size_t keep = len;
        while (keep > 0 && text[keep - 1] == ' ')
            keep--;
        buf_printf(out, "%.*s%s", (int)keep, text, nl ? "\n" : "");
        text += len + (nl != NULL);
    }
}

/* The plot into out (lines may end in spaces). */
static void render(Buf *out, const PlotSpec *spec, int width, int height, const PlotOpts *o)
{
    width = clamp_side(width, MIN_WIDTH);
    height = clamp_side(height, MIN_HEIGHT);
    bool color = o && o->color, logy = o && o->logy, marked = !color && spec->nseries > 1;
    Canvas c = {0};
    c.h = height - frame_lines(spec, width, color, marked);
    c.h = c.h < 2 ? 2 : c.h;
    data_ranges(spec, logy, &c.x, &c.y);
    Ticks yt, xt;
    make_ticks(&yt, c.y, c.h / 3 > 2 ? c.h / 3 : 2, logy);
    int lw = label_width(&yt);
    c.w = width - lw - 1;
    make_ticks(&xt, c.x, c.w / 12 > 2 ? c.w / 12 : 2, false);
    size_t cells = (size_t)c.w * (size_t)c.h;
    c.dots = rt_xcalloc(cells, 1); /* at most MAX_SIDE^2 bytes each */
    c.owner = rt_xmalloc(cells);
    c.mark = rt_xcalloc(cells, 1);
    memset(c.owner, -1, cells);
    for (size_t k = 0; k < spec->nseries; k++)
        draw_series(&c, &spec->series[k], (int)k, (int)spec->nseries, logy, marked);
    if (spec->title)
        centred(out, spec->title, 0, width);
    if (spec->ylabel)
        buf_printf(out, "%s\n", spec->ylabel);
    area_rows(out, &c, &yt, lw, color);
    x_axis(out, &c, &xt, lw);
    if (spec->xlabel)
        centred(out, spec->xlabel, lw + 1, c.w);
    if (has_legend(spec))
        legend(out, spec, width, color, marked);
    free(c.dots);
    free(c.owner);
    free(c.mark);
}

void plot_braille_opts(Buf *out, const PlotSpec *spec, int width, int height,
                       const PlotOpts *o)
{
    Buf b = {0};
    render(&b, spec, width, height, o);
    if (b.s)
        append_trimmed(out, b.s);
    buf_free(&b);
}

void plot_braille(Buf *out, const PlotSpec *spec, int width, int height)
{
    plot_braille_opts(out, spec, width, height, NULL);
}
