/*
** fit_cmd.c: the `fit` command: measured data in, a `device` declaration and a report out.
**
** The declaration holds the fitted mean device. Numbers are written with as many digits as
** their standard error warrants (at least 6 significant), so the declaration reproduces the
** fit. Every device-to-device and cycle-to-cycle spread the family has is set to 0: one
** measured curve says nothing about them (the residual bounds the noise instead).
** Tabulated families write their nodes: piecewise_step as node lists, response as
** piecewise-linear expressions of w (clamped to the nodes' range).
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_cmd.h"
#include "measured.h"
#include "rt_fit.h"
#include "rt_mem.h"
#include "schema.h"

/*
** {======================================================================
** Numbers
** =======================================================================
*/

/* v with enough significant digits that rounding moves it by at most se/20 (6 to 17). */
static void num_for(char out[32], double v, double se)
{
    for (int p = 6; p <= 17; p++) {
        snprintf(out, 32, "%.*g", p, v);
        double back = strtod(out, NULL);
        if (back == v || (isfinite(se) && se > 0.0 && fabs(back - v) <= se / 20.0) ||
            (!(se > 0.0) && p >= 7))
            return;
    }
}

/* A number in an expression: "+ 0.5" or "- 0.5" after a term, for readable signs. */
static void signed_term(Buf *b, double v)
{
    char s[32];
    num_for(s, fabs(v), 0.0);
    buf_printf(b, " %c %s", v < 0.0 ? '-' : '+', s);
}

/* }====================================================================== */

/*
** {======================================================================
** The declaration
** =======================================================================
*/

/* What a parameter's comment says (after "# " in the declaration). */
static void param_comment(Buf *b, const RtFitParam *p, const char *hash)
{
    char s[32];
    buf_printf(b, "%s", hash);
    switch (p->how) {
    case RT_FIT_FREE:
        if (isfinite(p->se)) {
            snprintf(s, sizeof s, "%.2g", p->se);
            buf_printf(b, "+- %s", s);
        } else {
            buf_printf(b, "not determined by the data");
        }
        break;
    case RT_FIT_EXTREME: buf_printf(b, "the extreme observed weight"); break;
    case RT_FIT_DEFAULT: buf_printf(b, "aihwkit's default (a, b only rescale A, gamma)"); break;
    case RT_FIT_TABLE: buf_printf(b, "mean step at the middle node (q = step / dw_min)"); break;
    }
}

static void param_line(Buf *b, const RtFitParam *p)
{
    char v[32];
    num_for(v, p->value, p->se);
    int n = (int)strlen(p->name) + (int)strlen(v) + 7;
    buf_printf(b, "    %s = %s%*s", p->name, v, n < 32 ? 32 - n : 1, "");
    param_comment(b, p, "# ");
    buf_printf(b, "\n");
}

/* Whether a device parameter is a spread (device-to-device or cycle-to-cycle). */
static bool is_spread(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, "_dtod") == 0) || strcmp(name, "dw_min_std") == 0 ||
           strcmp(name, "reset_std") == 0 || strcmp(name, "reference_std") == 0;
}

/* Every spread of the family whose default is not 0, set to 0. */
static void zero_spreads(Buf *b, IrDevFamily f)
{
    const SchKind *k = &sch_kinds[SCH_DEVICE];
    int col = 4;
    buf_printf(b, "    # one measured device: no device-to-device or cycle-to-cycle spread\n    ");
    bool first = true;
    for (size_t i = 0; i < k->nparams; i++) {
        IrOrigin o;
        if (!is_spread(k->params[i].name) || !sch_accepts(&k->params[i], (int)f) ||
            sch_default(k, (int)i, (int)f, &o) == 0.0)
            continue;
        int len = (int)strlen(k->params[i].name) + 6;
        if (!first && col + len > 90) {
            buf_printf(b, "\n    ");
            col = 4;
        } else if (!first) {
            buf_printf(b, ", ");
            col += 2;
        }
        buf_printf(b, "%s = 0", k->params[i].name);
        col += len - 2;
        first = false;
    }
    buf_printf(b, "\n");
}

/* q(w) of the nodes as an expression: v0 + sum slope_k (clamp(w, x_k, x_k+1) - x_k). */
static void table_expr(Buf *b, const char *name, const RtFitResult *r, const double *v)
{
    char s[32];
    num_for(s, v[0], 0.0);
    buf_printf(b, "    %s = (%s", name, s);
    double dx = (r->hi - r->lo) / (double)(r->nnodes - 1);
    for (size_t k = 0; k + 1 < r->nnodes; k++) {
        double slope = (v[k + 1] - v[k]) / dx;
        if (slope == 0.0)
            continue;
        char x0[32], x1[32];
        num_for(x0, r->lo + dx * (double)k, 0.0);
        num_for(x1, k + 2 == r->nnodes ? r->hi : r->lo + dx * (double)(k + 1), 0.0);
        buf_printf(b, "\n       ");
        signed_term(b, slope);
        buf_printf(b, " * (min(max(w, %s), %s)", x0, x1);
        signed_term(b, -strtod(x0, NULL));
        buf_printf(b, ")");
    }
    buf_printf(b, ")\n");
}

static void node_list(Buf *b, const char *name, const double *v, size_t n)
{
    buf_printf(b, "    %s = [", name);
    for (size_t k = 0; k < n; k++) {
        char s[32];
        num_for(s, v[k], 0.0);
        buf_printf(b, "%s%s%s", k ? "," : "", k && k % 8 == 0 ? "\n        " : k ? " " : "", s);
    }
    buf_printf(b, "]\n");
}

static void declaration(Buf *b, const char *name, IrDevFamily f, const RtFitResult *r,
                        const char *path)
{
    const char *fam = sch_kinds[SCH_DEVICE].families[f].name;
    buf_printf(b, "# fitted to %s by aimci (family %s; residual RMS %.3g in weight units)\n",
               path, fam, r->rms);
    buf_printf(b, "device %s : %s {\n", name, fam);
    for (size_t k = 0; k < r->npar; k++)
        param_line(b, &r->par[k]);
    if (f == IR_DEV_LINEAR_STEP && (r->dev.gamma_up < 0.0 || r->dev.gamma_down < 0.0))
        buf_printf(b, "    allow_increasing = true         # a step that grows towards its "
                      "bound\n");
    if (f == IR_DEV_RESPONSE) {
        table_expr(b, "q_up", r, r->node_up);
        table_expr(b, "q_down", r, r->node_down);
    } else if (f == IR_DEV_PIECEWISE_STEP) {
        node_list(b, "piecewise_up", r->node_up, r->nnodes);
        node_list(b, "piecewise_down", r->node_down, r->nnodes);
    }
    zero_spreads(b, f);
    buf_printf(b, "}\n");
}

/* }====================================================================== */

/*
** {======================================================================
** The report
** =======================================================================
*/

static void report_data(Buf *b, const Measured *m)
{
    size_t up = 0;
    for (size_t i = 0; i < m->data.n; i++)
        up += m->data.dir[i] > 0;
    buf_printf(b, "#   data: %zu rows, %zu readings after pulses (%zu up, %zu down) in %zu "
                  "runs, %zu cycle%s (%s)\n",
               m->rows, m->data.n, up, m->data.n - up, m->data.nseg, m->cycles,
               m->cycles == 1 ? "" : "s",
               m->branches ? "one column per branch" : "a direction column");
    if (m->quantity == MS_WEIGHT) {
        buf_printf(b, "#   values: weights, used as they are\n");
        return;
    }
    const char *u = m->unit[0] ? m->unit : "its unit";
    if (m->quantity == MS_RESISTANCE)
        buf_printf(b, "#   values: resistance in %s, as conductance G = 1/R (in 1/%s)\n", u, u);
    else
        buf_printf(b, "#   values: conductance G in %s\n", u);
    buf_printf(b, "#   mapped linearly onto weights: G = %.6g -> -1, G = %.6g -> +1\n", m->g_lo,
               m->g_hi);
}

static void report_params(Buf *b, const RtFitResult *r)
{
    buf_printf(b, "#   %-12s %-14s %s\n", "parameter", "value", "standard error (relative)");
    for (size_t k = 0; k < r->npar; k++) {
        const RtFitParam *p = &r->par[k];
        buf_printf(b, "#   %-12s %-14.8g ", p->name, p->value);
        if (p->how == RT_FIT_FREE && isfinite(p->se))
            buf_printf(b, "%.2g (%.2g)\n", p->se, p->value != 0.0 ? p->se / fabs(p->value) : 0.0);
        else if (p->how == RT_FIT_FREE)
            buf_printf(b, "not determined by the data\n");
        else
            param_comment(b, p, ""), buf_printf(b, "\n");
    }
    if (!r->nnodes)
        return;
    buf_printf(b, "#   %zu nodes from w = %.6g to %.6g: q_up +- se, q_down +- se\n", r->nnodes,
               r->lo, r->hi);
    for (size_t k = 0; k < r->nnodes; k++)
        buf_printf(b, "#     w = %-10.4g %8.4g +- %-8.2g %8.4g +- %.2g\n",
                   r->lo + (r->hi - r->lo) * (double)k / (double)(r->nnodes - 1), r->node_up[k],
                   r->se_up[k], r->node_down[k], r->se_down[k]);
}

static void report(Buf *b, const char *name, IrDevFamily f, const char *path,
                   const Measured *m, const RtFitResult *r)
{
    buf_printf(b, "# fit %s : %s from \"%s\"\n", name, sch_kinds[SCH_DEVICE].families[f].name,
               path);
    report_data(b, m);
    report_params(b, r);
    buf_printf(b, "#   residual: RMS %.3g (weight units) over %zu readings", r->rms, r->nobs);
    if (r->iterations)
        buf_printf(b, "; Levenberg-Marquardt, %zu iterations\n", r->iterations);
    else
        buf_printf(b, "; tabulated from the observed steps\n");
}

/* }====================================================================== */

/* The family named fam, reported when unknown or not fittable; -1 then. */
static int family_of(Diag *d, SrcLoc at, const char *fam)
{
    const SchKind *k = &sch_kinds[SCH_DEVICE];
    int f = strcmp(fam, "piecewise") == 0 ? IR_DEV_PIECEWISE_STEP : sch_family_find(k, fam);
    if (f >= 0 && rt_fit_supports((IrDevFamily)f))
        return f;
    const char *names[IR_DEV__COUNT];
    size_t n = 0;
    Buf list = {0};
    for (size_t i = 0; i < k->nfamilies; i++)
        if (rt_fit_supports((IrDevFamily)i)) {
            names[n++] = k->families[i].name;
            buf_printf(&list, "%s%s", n > 1 ? ", " : "", k->families[i].name);
        }
    if (f >= 0)
        diag_error(d, at, "family '%s' cannot be fitted to measured data", fam);
    else
        diag_error(d, at, "unknown device family '%s'", fam);
    diag_expected(d, "one of %s", list.s);
    const char *best = f < 0 ? diag_nearest(fam, names, n) : NULL;
    if (best)
        diag_hint(d, "did you mean '%s'?", best);
    buf_free(&list);
    return -1;
}

int fit_run(Diag *d, SrcLoc at, const char *name, const char *family, const char *path,
            Buf *decl_out, Buf *report_out)
{
    int f = family_of(d, at, family);
    if (f < 0)
        return 1;
    Measured m;
    if (measured_read(&m, path, d, at) != 0) {
        measured_free(&m);
        return 1;
    }
    RtFitResult *r = rt_xmalloc(sizeof *r);
    char err[256];
    int rc = 1;
    if (rt_fit_device(r, (IrDevFamily)f, &m.data, err, sizeof err) != 0)
        diag_error(d, at, "cannot fit %s to '%s': %s", family, path, err);
    else {
        declaration(decl_out, name, (IrDevFamily)f, r, path);
        report(report_out, name, (IrDevFamily)f, path, &m, r);
        rc = 0;
    }
    free(r);
    measured_free(&m);
    return rc;
}

int fit_command(const char *name, const char *family, const char *path, const char *file,
                int line, int col, Buf *decl_out, Buf *report_out)
{
    Diag *d = diag_new(stderr);
    uint32_t fi = diag_add_file(d, file ? file : "fit", "", 0, (SrcLoc){0, 0, 0, 0});
    SrcLoc at = {fi, line > 0 ? (uint32_t)line : 0, col > 0 ? (uint32_t)col : 0, 1};
    int rc = fit_run(d, at, name, family, path, decl_out, report_out);
    diag_flush(d);
    diag_free(d);
    return rc;
}

void fit_default_name(char out[64], const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = 0;
    if (isdigit((unsigned char)*base))
        out[n++] = 'd', out[n++] = '_';
    for (; *base && *base != '.' && n < 63; base++)
        out[n++] = isalnum((unsigned char)*base) ? *base : '_';
    out[n] = '\0';
    if (n == 0 || sch_kind_find(out) >= 0 || strcmp(out, "true") == 0 ||
        strcmp(out, "false") == 0 || strcmp(out, "use") == 0 || strcmp(out, "w") == 0)
        snprintf(out, 64, "fitted");
}
