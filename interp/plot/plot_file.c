/*
** plot_file.c: plots written to image files by gnuplot.
**
** Three files per plot, each written atomically: NAME.dat (the points, one block per series,
** blocks separated by two blank lines as gnuplot's `index` expects), NAME.gp (a gnuplot
** script that draws NAME.dat into the image; `gnuplot NAME.gp` in that folder redraws it)
** and the image itself. gnuplot runs through a pipe (popen) in the image's folder, told to
** draw into a temporary name there (the script's `outfile` variable), which is then renamed
** over the image. Its messages come back through the pipe and end up in the error text.
*/
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"
#include "rt_file.h"
#include "rt_mem.h"

#define OUTPUT_CAP 2048 /* bytes of gnuplot's messages kept for the error text */

typedef enum ImageKind { IMG_NONE, IMG_PNG, IMG_SVG, IMG_PDF } ImageKind;

/* The image kind from path's extension (case-insensitive). */
static ImageKind image_kind(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return IMG_NONE;
    if (strcasecmp(dot, ".png") == 0)
        return IMG_PNG;
    if (strcasecmp(dot, ".svg") == 0)
        return IMG_SVG;
    if (strcasecmp(dot, ".pdf") == 0)
        return IMG_PDF;
    return IMG_NONE;
}

/* The last component of path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A gnuplot string literal: single quotes, a quote doubled. */
static void gp_quote(Buf *b, const char *s)
{
    buf_printf(b, "'");
    for (; *s; s++)
        buf_printf(b, *s == '\'' ? "''" : "%c", *s);
    buf_printf(b, "'");
}

/* A shell word: single quotes, a quote written as '\''. */
static void sh_quote(Buf *b, const char *s)
{
    buf_printf(b, "'");
    for (; *s; s++)
        buf_printf(b, *s == '\'' ? "'\\''" : "%c", *s);
    buf_printf(b, "'");
}

/*
** {======================================================================
** The data and the script
** =======================================================================
*/

static const PlotStyle plain_style;

/* The style of series k. */
static const PlotStyle *style_of(const PlotOpts *o, size_t k)
{
    return o && o->style ? &o->style[k] : &plain_style;
}

/* Whether point i of s is drawn (finite, and y > 0 on a log axis: the left one only). */
static bool drawn(const PlotSeries *s, size_t i, bool logy)
{
    return isfinite(s->x[i]) && isfinite(s->y[i]) && (!logy || s->y[i] > 0.0);
}

static size_t drawn_count(const PlotSeries *s, bool logy)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += drawn(s, i, logy);
    return n;
}

/* One line of text as a comment (newlines in it would end the comment). */
static void comment(Buf *b, const char *label, const char *text)
{
    buf_printf(b, "# %s", label);
    for (; text && *text; text++)
        buf_printf(b, "%c", *text == '\n' ? ' ' : *text);
    buf_printf(b, "\n");
}

/* NAME.dat: a block per series; a point not drawn breaks the line (one blank line). */
static void data_text(Buf *b, const PlotSpec *s, const PlotOpts *o)
{
    comment(b, "aimci plot data: ", s->title);
    buf_printf(b, "# columns: x y (and the error bar); one block per series (gnuplot `index`), "
                  "in legend order\n");
    for (size_t k = 0; k < s->nseries; k++) {
        const PlotSeries *ps = &s->series[k];
        const PlotStyle *st = style_of(o, k);
        bool logy = o && o->logy && !st->right;
        if (k > 0)
            buf_printf(b, "\n\n");
        char head[32];
        snprintf(head, sizeof head, "series %zu: ", k);
        comment(b, head, ps->label ? ps->label : "");
        bool broken = true;
        for (size_t i = 0; i < ps->n; i++) {
            if (drawn(ps, i, logy) && st->err)
                buf_printf(b, "%.9g %.9g %.9g\n", ps->x[i], ps->y[i],
                           isfinite(st->err[i]) ? st->err[i] : 0.0);
            else if (drawn(ps, i, logy))
                buf_printf(b, "%.9g %.9g\n", ps->x[i], ps->y[i]);
            else if (!broken)
                buf_printf(b, "\n");
            broken = !drawn(ps, i, logy);
        }
    }
}

/* `set NAME 'text'` when text is given. */
static void set_text(Buf *b, const char *name, const char *text)
{
    if (!text)
        return;
    buf_printf(b, "set %s ", name);
    gp_quote(b, text);
    buf_printf(b, "\n");
}

/* The plot command: one element per series with points (or a "no data" placeholder). */
static void plot_command(Buf *b, const PlotSpec *s, const char *dat, const PlotOpts *o)
{
    bool any = false;
    for (size_t k = 0; k < s->nseries; k++) {
        const PlotStyle *st = style_of(o, k);
        size_t n = drawn_count(&s->series[k], o && o->logy && !st->right);
        if (n == 0)
            continue;
        buf_printf(b, any ? ", \\\n     " : "plot ");
        gp_quote(b, dat);
        buf_printf(b, " index %zu using %s with %s lw 2", k, st->err ? "1:2:3" : "1:2",
                   st->err ? "yerrorlines" : n <= 40 ? "linespoints" : "lines");
        if (st->color > 0)
            buf_printf(b, " lc %d", st->color);
        if (st->right)
            buf_printf(b, " dt 2 axes x1y2");
        buf_printf(b, " title ");
        gp_quote(b, s->series[k].label ? s->series[k].label : "");
        any = true;
    }
    if (!any)
        buf_printf(b, "set label 'no data' at graph 0.5, 0.5 center\n"
                      "plot [0:1] [0:1] 2 notitle");
    buf_printf(b, "\n");
}

/* NAME.gp: terminal, labels and the plot command; `outfile` may be set before it runs. */
static void script_text(Buf *b, const char *image, const char *dat, const char *gp,
                        const PlotSpec *s, ImageKind kind, const PlotOpts *o)
{
    bool logy = o && o->logy;
    comment(b, "aimci plot: ", s->title);
    static const char *const ext[] = {"", "png", "svg", "pdf"};
    static const char *const term[] = {"", "set terminal pngcairo size 960,640 noenhanced",
                                       "set terminal svg size 960,640 noenhanced",
                                       "set terminal pdfcairo size 6in,4in noenhanced"};
    buf_printf(b, "# Draws %s into %s. Restyle it and redraw with: gnuplot %s\n"
                  "# (in this folder; gnuplot -e \"outfile='other.%s'\" %s draws elsewhere)\n",
               dat, image, gp, ext[kind], gp);
    buf_printf(b, "if (!exists(\"outfile\")) outfile = ");
    gp_quote(b, image);
    buf_printf(b, "\n%s\n", term[kind]);
    buf_printf(b, "set output outfile\nset termoption noenhanced\n");
    set_text(b, "title", s->title);
    set_text(b, "xlabel", s->xlabel);
    set_text(b, "ylabel", s->ylabel);
    if (logy)
        buf_printf(b, "set logscale y\n");
    bool right = false;
    for (size_t k = 0; k < s->nseries; k++)
        right |= style_of(o, k)->right;
    if (right) {
        buf_printf(b, "set ytics nomirror\nset y2tics\nset format y2 '%%g'\n");
        set_text(b, "y2label", o->y2label);
    }
    if (o && o->nxtics) {
        buf_printf(b, "set xtics (");
        for (size_t k = 0; k < o->nxtics; k++) {
            buf_printf(b, "%s", k ? ", " : "");
            gp_quote(b, o->xtic_label[k]);
            buf_printf(b, " %.9g", o->xtic_at[k]);
        }
        buf_printf(b, ")%s\nset offsets graph 0.05, graph 0.05, 0, 0\n",
                   o->nxtics > 6 ? " rotate by -30" : "");
    }
    buf_printf(b, "set format y '%%g'\nset grid\nset key below\n");
    plot_command(b, s, dat, o);
}

/* }====================================================================== */

/*
** {======================================================================
** Running gnuplot
** =======================================================================
*/

/* The folder of path ("." when it has none) as a new string. */
static char *dir_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return rt_xstrdup(".");
    if (slash == path)
        return rt_xstrdup("/");
    char *dir = rt_xstrdup(path);
    dir[slash - path] = '\0';
    return dir;
}

/* gnuplot's first message line (the useful one), trimmed, for the error text. */
static void first_message(const char *out, char *msg, size_t cap)
{
    while (*out && isspace((unsigned char)*out))
        out++;
    size_t n = strcspn(out, "\n");
    while (n > 0 && isspace((unsigned char)out[n - 1]))
        n--;
    snprintf(msg, cap, "%.*s", (int)n, out);
}

/*
** Run gnuplot on the script `gp` (a name in folder dir), drawing into dir/tmp. Returns the
** shell's exit status (127: the program was not found), or -1 if it could not be started;
** its messages go to out (NUL-terminated, truncated at cap).
*/
static int run_gnuplot(const char *dir, const char *gp, const char *tmp, char *out, size_t cap)
{
    const char *prog = getenv("AIMCI_GNUPLOT");
    Buf cmd = {0};
    buf_printf(&cmd, "cd ");
    sh_quote(&cmd, dir);
    buf_printf(&cmd, " && exec ");
    sh_quote(&cmd, prog && *prog ? prog : "gnuplot");
    buf_printf(&cmd, " -e 'outfile=\"%s\"' ", tmp); /* tmp: safe characters only */
    sh_quote(&cmd, gp);
    buf_printf(&cmd, " 2>&1 </dev/null");
    fflush(NULL);
    FILE *p = popen(cmd.s, "r");
    buf_free(&cmd);
    if (!p)
        return -1;
    size_t n = 0;
    int ch;
    while ((ch = fgetc(p)) != EOF)
        if (n + 1 < cap)
            out[n++] = (char)ch;
    out[n] = '\0';
    int st = pclose(p);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/*
** Move the image gnuplot wrote (dir/tmp) to path, with the resolved program beside it when
** given, as one unit (rt_file_write_set); 0, or -1 with err set.
*/
static int install(const char *dir, const char *tmp, const char *path, const char *resolved,
                   char *err, size_t errlen)
{
    Buf full = {0};
    buf_printf(&full, "%s/%s", dir, tmp);
    int fd = open(full.s, O_RDONLY);
    int rc = -1;
    if (fd < 0) {
        snprintf(err, errlen, "gnuplot wrote no image");
    } else {
        fsync(fd);
        close(fd);
        char *res = resolved ? rt_path_swap_ext(path, ".resolved.aimc") : NULL;
        RtFileOut files[] = {{path, NULL, 0, full.s},
                             {res, resolved, resolved ? strlen(resolved) : 0, NULL}};
        rc = rt_file_write_set(files, res ? 2 : 1, err, errlen);
        free(res);
    }
    if (rc != 0)
        unlink(full.s);
    buf_free(&full);
    return rc;
}

/* Draw the image: gnuplot on the script, then the rename; 0, or 1 with err set. */
static int draw(const char *path, const char *gp, const char *dat, const char *resolved,
                char *err, size_t errlen)
{
    static unsigned counter; /* distinct temporary names within one process */
    char tmp[64], out[OUTPUT_CAP], msg[256], why[512];
    snprintf(tmp, sizeof tmp, ".aimci-plot-%ld-%u.tmp", (long)getpid(), counter++);
    char *dir = dir_name(path);
    int st = run_gnuplot(dir, base_name(gp), tmp, out, sizeof out);
    int rc = 0;
    first_message(out, msg, sizeof msg);
    if (st == 127 || st == 126 || st == -1) {
        snprintf(err, errlen, "plot '%s': gnuplot is not installed (Debian: apt-get install "
                              "gnuplot-nox); the data and the plot script are kept: %s, %s",
                 path, dat, gp);
        rc = 1;
    } else if (st != 0) {
        snprintf(err, errlen, "plot '%s': gnuplot failed (exit %d): %s; the data and the plot "
                              "script are kept: %s, %s", path, st, msg[0] ? msg : "no message",
                 dat, gp);
        rc = 1;
    } else if (install(dir, tmp, path, resolved, why, sizeof why) != 0) {
        snprintf(err, errlen, "plot '%s': %s%s%s", path, why, msg[0] ? ": " : "", msg);
        rc = 1;
    }
    if (rc) {
        Buf full = {0};
        buf_printf(&full, "%s/%s", dir, tmp);
        unlink(full.s); /* whatever a failed run left */
        buf_free(&full);
    }
    free(dir);
    return rc;
}

/* }====================================================================== */

/* Write NAME.dat and NAME.gp beside path: 0, or 1 with err set. */
static int write_sources(const char *path, const char *dat, const char *gp, const PlotSpec *s,
                         ImageKind kind, const PlotOpts *o, char *err, size_t errlen)
{
    Buf data = {0}, script = {0};
    data_text(&data, s, o);
    script_text(&script, base_name(path), base_name(dat), base_name(gp), s, kind, o);
    int rc = rt_file_write(dat, data.s, data.n, err, errlen) != 0 ||
             rt_file_write(gp, script.s, script.n, err, errlen) != 0;
    buf_free(&data);
    buf_free(&script);
    return rc;
}

int plot_file_opts(const char *path, const PlotSpec *spec, const PlotOpts *o, char *err,
                   size_t errlen)
{
    ImageKind kind = image_kind(path);
    if (kind == IMG_NONE) {
        snprintf(err, errlen, "plot '%s': unknown image type; expected a path ending in .png, "
                              ".svg or .pdf", path);
        return 1;
    }
    char *dat = rt_path_swap_ext(path, ".dat"), *gp = rt_path_swap_ext(path, ".gp");
    int rc = 1;
    if (write_sources(path, dat, gp, spec, kind, o, err, errlen) == 0)
        rc = draw(path, gp, dat, o ? o->resolved : NULL, err, errlen);
    free(dat);
    free(gp);
    return rc;
}

int plot_file(const char *path, const PlotSpec *spec, char *err, size_t errlen)
{
    return plot_file_opts(path, spec, NULL, err, errlen);
}
