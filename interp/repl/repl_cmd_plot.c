/*
** repl_cmd_plot.c: `plot`, `trace` and `compare`: device curves drawn through repl_plot.h.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "repl_args.h"
#include "repl_plot.h"
#include "rt_device.h"
#include "rt_mem.h"
#include "schema.h"

#define CURVE_POINTS 201      /* samples of q+(w), q-(w) over the weight range */
#define TRACE_MAX 1000000L    /* pulses one `trace` records */
#define MAX_PROGRAM 256       /* entries of a trace's pulse list */

/* The weight range to draw a device over: its cross-point's bounds ([-1, 1] if unbounded). */
static void curve_range(const ReplDev *d, double *lo, double *hi)
{
    repl_dev_bounds(d, lo, hi);
    if (!isfinite(*lo) || !isfinite(*hi) || !(*lo < *hi))
        *lo = -1.0, *hi = 1.0;
}

/* q+(w) and q-(w) of d on CURVE_POINTS weights: x, up, down (3 arrays, one allocation). */
static double *response_curves(const ReplDev *d)
{
    double *v = rt_xmalloc(3 * CURVE_POINTS * sizeof *v), lo, hi;
    curve_range(d, &lo, &hi);
    for (size_t k = 0; k < CURVE_POINTS; k++) {
        double w = lo + (hi - lo) * (double)k / (CURVE_POINTS - 1);
        v[k] = w;
        repl_dev_q(d, w, &v[CURVE_POINTS + k], &v[2 * CURVE_POINTS + k]);
    }
    return v;
}

/* Draw spec; a failure is reported at the path's token (or the command). */
static int draw(Cmd *c, const PlotSpec *spec, const char *path, const CmdTok *at)
{
    char err[512];
    if (repl_plot_series(c->r->out, spec, path, err, sizeof err) == 0)
        return 0;
    cmd_error(c, at, "%s", err);
    return 1;
}

/* The optional `-> "file"` and the end of the line; *at is the file's token. Returns 0, or 1
** (reported). */
static int read_target(Cmd *c, const char **path, const CmdTok **at, const char *usage)
{
    *at = &c->tok[c->pos + 1 < c->n ? c->pos + 1 : c->pos]; /* the file after "->" */
    if (cmd_target(c, path))
        return 1;
    return cmd_end(c, usage);
}

/* plot D [-> "file"] */
int cmd_plot(Cmd *c)
{
    const IrDevice *ir = cmd_device(c);
    const char *path = NULL;
    const CmdTok *at;
    if (!ir || read_target(c, &path, &at, "nothing, or -> \"out/response.png\""))
        return 1;
    ReplDev *d = cmd_scratch(c, ir);
    double *v = d ? response_curves(d) : NULL;
    int rc = 1;
    if (v) {
        char title[256];
        snprintf(title, sizeof title, "%s: q+(w) and q-(w) of the cross-point (noise-free)",
                 ir->name);
        PlotSeries s[2] = {{"q+ (up)", v, v + CURVE_POINTS, CURVE_POINTS},
                           {"q- (down)", v, v + 2 * CURVE_POINTS, CURVE_POINTS}};
        PlotSpec spec = {title, "w", "q (step / dw_min)", s, 2};
        rc = draw(c, &spec, path, at);
    }
    free(v);
    free((char *)path);
    return rc;
}

/* [N, N, ...]: non-zero whole numbers, at most TRACE_MAX pulses in all. */
static size_t read_program(Cmd *c, long *prog, long *total)
{
    size_t n = 0;
    *total = 0;
    if (!cmd_punct(c, "[")) {
        char what[96];
        cmd_error(c, cmd_peek(c), "unexpected %s", cmd_describe(cmd_peek(c), what, sizeof what));
        cmd_expected(c, "a list of pulse counts, e.g. [+200, -400, +200]");
        return 0;
    }
    while (!cmd_punct(c, "]")) {
        const CmdTok *at = cmd_peek(c);
        if (n == MAX_PROGRAM) {
            cmd_error(c, at, "too many entries");
            cmd_expected(c, "at most %d pulse counts", MAX_PROGRAM);
            return 0;
        }
        if (cmd_long(c, -TRACE_MAX, TRACE_MAX, "a pulse count", &prog[n]))
            return 0;
        *total += labs(prog[n]);
        if (prog[n] == 0 || *total > TRACE_MAX) {
            cmd_error(c, at, prog[n] ? "more than %ld pulses in one trace" : "0 pulses",
                      TRACE_MAX);
            cmd_expected(c, "non-zero counts, %ld pulses in all at most", TRACE_MAX);
            return 0;
        }
        n++;
        if (!cmd_punct(c, ",") && cmd_peek(c)->kind != CT_PUNCT) {
            char what[96];
            cmd_error(c, cmd_peek(c), "unexpected %s",
                      cmd_describe(cmd_peek(c), what, sizeof what));
            cmd_expected(c, "',' or ']'");
            return 0;
        }
    }
    if (n == 0) {
        cmd_error(c, cmd_peek(c), "an empty pulse list");
        cmd_expected(c, "at least one pulse count, e.g. [+200, -400, +200]");
    }
    return n;
}

/* Fire the program on d, w[0] the start and w[k] after pulse k; the pulses fired. */
static size_t run_program(ReplDev *d, const long *prog, size_t n, double *w)
{
    size_t at = 0;
    w[0] = repl_dev_w(d);
    for (size_t i = 0; i < n; i++) {
        uint64_t got = repl_dev_pulse(d, prog[i], w + at + 1);
        at += got;
        if (got < (uint64_t)labs(prog[i]))
            break;
    }
    return at;
}

/* The summary a measure prints: pulses, start, final, min, max. */
static void trace_summary(FILE *out, const char *name, const double *w, size_t n, long total)
{
    double lo = w[0], hi = w[0];
    for (size_t k = 1; k <= n; k++)
        lo = fmin(lo, w[k]), hi = fmax(hi, w[k]);
    if ((long)n < total)
        fprintf(out, "interrupted after %zu of %ld pulses\n", n, total);
    fprintf(out, "%s: %zu pulses, start %.6g, final w %.6g, min %.6g, max %.6g\n", name, n, w[0],
            w[n], lo, hi);
}

/* trace D [N, ...] [-> "file"] */
int cmd_trace(Cmd *c)
{
    const IrDevice *ir = cmd_device(c);
    long prog[MAX_PROGRAM], total;
    size_t np = ir ? read_program(c, prog, &total) : 0;
    const char *path = NULL;
    const CmdTok *at;
    if (!np || read_target(c, &path, &at, "nothing, or -> \"out/trace.png\""))
        return 1;
    ReplDev *d = cmd_scratch(c, ir);
    double *x = d ? malloc(2 * ((size_t)total + 1) * sizeof *x) : NULL;
    int rc = 1;
    if (x) {
        double *w = x + total + 1;
        size_t n = run_program(d, prog, np, w);
        for (size_t k = 0; k <= n; k++)
            x[k] = (double)k;
        char title[256];
        snprintf(title, sizeof title, "%s: weight of the cross-point against pulse number",
                 ir->name);
        PlotSeries s = {"w", x, w, n + 1};
        PlotSpec spec = {title, "pulse", "w", &s, 1};
        rc = draw(c, &spec, path, at);
        trace_summary(c->r->out, ir->name, w, n, total);
    }
    free(x);
    free((char *)path);
    return rc;
}

/*
** {======================================================================
** compare
** =======================================================================
*/

/* "name = value" lines of the --dump form of a device, one per parameter. */
typedef struct Params {
    char name[64][64];
    char value[64][128];
    size_t n;
} Params;

static void read_params(Params *p, const IrDevice *ir)
{
    Buf b = {0};
    dump_device(&b, ir);
    p->n = 0;
    for (char *line = b.s, *next; line && *line && p->n < 64; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strstr(line, " = "), *hash = strstr(line, "  # ");
        if (strncmp(line, "    ", 4) != 0 || line[4] == '#' || !eq || (hash && hash < eq))
            continue;
        if (hash)
            *hash = '\0';
        snprintf(p->name[p->n], 64, "%.*s", (int)strcspn(line + 4, " "), line + 4);
        snprintf(p->value[p->n], 128, "%s", eq + 3);
        p->value[p->n][strcspn(p->value[p->n], " ")] = '\0';
        p->n++;
    }
    buf_free(&b);
}

static const char *param_value(const Params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return "-";
}

/* One row of the table (values as text). */
static void row(FILE *out, const char *what, const char *a, const char *b)
{
    fprintf(out, "  %-22s %-22s %s\n", what, a, b);
}

/* The symmetric point of the mean device in a few words. */
static void sp_text(char *buf, size_t n, const RtDeviceInfo *in)
{
    switch (in->sym_kind) {
    case RT_SYM_POINT: snprintf(buf, n, "%.6g", in->sym); break;
    case RT_SYM_EVERY: snprintf(buf, n, "every weight"); break;
    case RT_SYM_UPPER: snprintf(buf, n, "none (drifts up)"); break;
    case RT_SYM_LOWER: snprintf(buf, n, "none (drifts down)"); break;
    }
}

/* The derived rows: family, granularity, states, bounds, symmetric point, q+ q- at 0. */
static void derived_rows(FILE *out, const ReplDev *d[2])
{
    char v[6][2][64];
    for (int i = 0; i < 2; i++) {
        RtDeviceInfo in;
        rt_device_info(&in, d[i]->ir);
        double lo, hi, qp, qm;
        repl_dev_bounds(d[i], &lo, &hi);
        repl_dev_q(d[i], 0.0, &qp, &qm);
        snprintf(v[0][i], 64, "%s", sch_kinds[SCH_DEVICE].families[d[i]->ir->family].name);
        snprintf(v[1][i], 64, "%.6g", in.granularity);
        snprintf(v[2][i], 64, "%.6g", in.states);
        snprintf(v[3][i], 64, "[%.4g, %.4g]", lo, hi);
        sp_text(v[4][i], 64, &in);
        snprintf(v[5][i], 64, "%.4g / %.4g", qp, qm);
    }
    static const char *const what[6] = {"family", "granularity", "states",
                                        "bounds (cross-point)", "symmetric point (mean)",
                                        "q+ / q- at w = 0"};
    for (int k = 0; k < 6; k++)
        row(out, what[k], v[k][0], v[k][1]);
}

/* The parameters whose values differ (or that only one family has). */
static void differing_rows(FILE *out, const IrDevice *a, const IrDevice *b)
{
    Params *p = rt_xmalloc(2 * sizeof *p);
    read_params(&p[0], a);
    read_params(&p[1], b);
    bool any = false;
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < p[side].n; i++) {
            const char *name = p[side].name[i];
            const char *va = param_value(&p[0], name), *vb = param_value(&p[1], name);
            if (strcmp(va, vb) == 0 || (side == 1 && strcmp(va, "-") != 0))
                continue; /* equal, or already listed from the first device */
            if (!any)
                fprintf(out, "  parameters that differ:\n");
            any = true;
            row(out, name, va, vb);
        }
    if (!any)
        fprintf(out, "  every parameter is the same\n");
    free(p);
}

/* compare D1 D2 [-> "file"]: a table, then both devices' response curves in one plot. */
int cmd_compare(Cmd *c)
{
    const IrDevice *a = cmd_device(c), *b = a ? cmd_device(c) : NULL;
    const char *path = NULL;
    const CmdTok *at;
    if (!b || read_target(c, &path, &at, "two device names: compare D1 D2 [-> \"out/cmp.png\"]"))
        return 1;
    const ReplDev *d[2] = {cmd_scratch(c, a), NULL};
    d[1] = d[0] ? cmd_scratch(c, b) : NULL;
    if (!d[1]) {
        free((char *)path);
        return 1;
    }
    FILE *out = c->r->out;
    fprintf(out, "  %-22s %-22s %s\n", "", a->name, b->name);
    derived_rows(out, d);
    differing_rows(out, a, b);
    double *v[2] = {response_curves(d[0]), response_curves(d[1])};
    int rc = 1;
    if (v[0] && v[1]) {
        char lab[4][160];
        PlotSeries s[4];
        for (int i = 0; i < 4; i++) {
            snprintf(lab[i], sizeof lab[i], "%s %s", d[i / 2]->name, i % 2 ? "q-" : "q+");
            s[i] = (PlotSeries){lab[i], v[i / 2], v[i / 2] + (1 + i % 2) * CURVE_POINTS,
                                CURVE_POINTS};
        }
        PlotSpec spec = {"response curves (noise-free, cross-points)", "w", "q (step / dw_min)",
                         s, 4};
        rc = draw(c, &spec, path, at);
    }
    free(v[0]);
    free(v[1]);
    free((char *)path);
    return rc;
}

/* }====================================================================== */
