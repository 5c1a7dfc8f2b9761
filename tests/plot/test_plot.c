/*
** test_plot.c: the braille renderer on fixed inputs (golden text in tests/data/plot/, and
** properties that hold for any input), and plots written to files by gnuplot.
**
** Goldens: AIMCI_UPDATE_GOLDENS=1 rewrites them (review the diff: they are the look of the
** plots). The tests run from the repository root (as `make test` does).
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_fixtures.h"
#include "plot.h"

#define GOLDEN_DIR "tests/data/plot/"

/* Compare text with the golden file name (or write it when asked). */
static void assert_golden(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, GOLDEN_DIR "%s", name);
    if (getenv("AIMCI_UPDATE_GOLDENS")) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "cannot write %s", path);
        fputs(text, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (run from the repository root)", path);
    static char want[1 << 16];
    size_t n = fread(want, 1, sizeof want - 1, f);
    fclose(f);
    want[n] = '\0';
    cr_assert_str_eq(text, want, "%s differs; got:\n%s", path, text);
}

/* Display columns of one line (UTF-8 continuation bytes and ANSI escapes take none). */
static int columns(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\033') {
            while (i < len && s[i] != 'm')
                i++;
            continue;
        }
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    }
    return n;
}

/* Every line fits the width, the line count is the height. */
static void assert_size(const char *text, int width, int height)
{
    int lines = 0;
    for (const char *p = text; *p; lines++) {
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "the last line has no newline");
        cr_assert_leq(columns(p, (size_t)(nl - p)), width, "line %d: %.*s", lines + 1,
                      (int)(nl - p), p);
        p = nl + 1;
    }
    cr_assert_eq(lines, height, "%d lines for a height of %d", lines, height);
}

/* Two decaying curves over 200 steps, a NaN and an infinity in the first. */
static double xs[200], ya[200], yb[200];
static PlotSeries two[2];
static void two_curves(void)
{
    for (int i = 0; i < 200; i++) {
        xs[i] = i;
        ya[i] = exp(-i / 50.0);
        yb[i] = 0.5 * exp(-i / 80.0) + 0.1;
    }
    ya[60] = NAN;
    ya[61] = INFINITY;
    two[0] = (PlotSeries){"sgd", xs, ya, 200};
    two[1] = (PlotSeries){"analog_sgd", xs, yb, 200};
}

Test(plot, two_series_with_markers_golden)
{
    two_curves();
    PlotSpec s = {"train fit: loss", "step", "loss", two, 2};
    Buf b = {0};
    plot_braille(&b, &s, 72, 20);
    assert_size(b.s, 72, 20);
    assert_golden("two_series.txt", b.s);
    buf_free(&b);
}

Test(plot, log_axis_golden)
{
    two_curves();
    PlotSpec s = {"log loss", "step", "loss", two, 2};
    PlotOpts o = {.logy = true};
    Buf b = {0};
    plot_braille_opts(&b, &s, 60, 16, &o);
    assert_size(b.s, 60, 16);
    cr_assert(strstr(b.s, "\n0.1 \u2524") != NULL, "a decade tick 0.1:\n%s", b.s);
    assert_golden("log_axis.txt", b.s);
    buf_free(&b);
}

Test(plot, colours_only_when_asked_golden)
{
    two_curves();
    PlotSpec s = {NULL, NULL, NULL, two, 2};
    PlotOpts o = {.color = true};
    Buf plain = {0}, col = {0};
    plot_braille(&plain, &s, 50, 12);
    plot_braille_opts(&col, &s, 50, 12, &o);
    cr_assert_null(strchr(plain.s, '\033'), "no escapes unless asked");
    cr_assert_not_null(strstr(col.s, "\033[34m"), "series 1 in blue");
    cr_assert_not_null(strstr(col.s, "\033[31m"), "series 2 in red");
    cr_assert_null(strchr(col.s, '*'), "colours replace the markers");
    assert_size(col.s, 50, 12);
    assert_golden("colour.txt", col.s);
    buf_free(&plain);
    buf_free(&col);
}

/* A constant series (a single-valued y range), no data at all, and a tiny size. */
Test(plot, degenerate_inputs_golden)
{
    double x[3] = {0, 1, 2}, y[3] = {1, 1, 1};
    PlotSeries flat = {"flat", x, y, 3};
    PlotSpec s1 = {"constant", NULL, NULL, &flat, 1};
    PlotSpec s2 = {"empty", "x", "y", NULL, 0};
    Buf b = {0};
    plot_braille(&b, &s1, 30, 9);
    assert_size(b.s, 30, 9);
    plot_braille(&b, &s2, 30, 8);
    plot_braille(&b, &s1, 1, 1); /* raised to the minimum 20x8 */
    assert_golden("degenerate.txt", b.s);
    buf_free(&b);
}

/*
** A line from the lower-left to the upper-right corner of its range: the first cell of the
** lowest row holds the lower-left dot (dot 7, bit 0x40), the last cell of the top row the
** upper-right one (dot 4, bit 0x08).
*/
static unsigned cell_bits(const char *line, int k)
{
    const unsigned char *p = (const unsigned char *)strstr(line, "\u2502");
    const unsigned char *q = (const unsigned char *)strstr(line, "\u2524");
    if (!p || (q && q < p))
        p = q;
    cr_assert_not_null(p, "no y axis in: %s", line);
    p += 3 + 3 * k;
    cr_assert_eq(p[0], 0xe2, "a braille cell expected in: %s", line);
    return ((p[1] & 0x3u) << 6) | (p[2] & 0x3fu);
}

Test(plot, diagonal_lights_the_corner_dots)
{
    double x[2] = {0, 1}, y[2] = {0, 1};
    PlotSeries s = {NULL, x, y, 2};
    PlotSpec spec = {NULL, NULL, NULL, &s, 1};
    Buf b = {0};
    plot_braille(&b, &spec, 24, 8); /* 6 area rows; 24 - 4 (labels "0.0 ") - 1 = 19 columns */
    const char *axis = strstr(b.s, "\u2514");
    cr_assert_not_null(axis);
    while (axis > b.s && axis[-1] != '\n')
        axis--; /* the start of the x axis line */
    const char *last = axis - 1;
    while (last > b.s && last[-1] != '\n')
        last--; /* the lowest row of the area */
    cr_assert(cell_bits(last, 0) & 0x40, "lower-left dot:\n%s", b.s);
    cr_assert(cell_bits(b.s, 18) & 0x08, "upper-right dot:\n%s", b.s);
    buf_free(&b);
}

Test(plot, terminal_size_falls_back_to_80x24)
{
    int cols = 0, rows = 0;
    FILE *f = tmpfile();
    plot_term_size(fileno(f), &cols, &rows);
    fclose(f);
    cr_assert_eq(cols, 80);
    cr_assert_eq(rows, 24);
}

/*
** {======================================================================
** Files
** =======================================================================
*/

static char dir[64];
static void temp_dir(void)
{
    strcpy(dir, "/tmp/aimci-plot-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_temp_dir(void)
{
    fx_rm_tree(dir);
}

/* A test's scratch directory, made before it and removed after it. */
#define SCRATCH .init = temp_dir, .fini = remove_temp_dir

static bool gnuplot_present(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/* The first bytes of a file. */
static size_t head(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got;
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

Test(plot, png_and_svg_with_their_data_and_script, SCRATCH)
{
    if (!gnuplot_present()) {
        cr_skip_test("gnuplot is not installed (Debian: gnuplot-nox): file plots not tested");
        return;
    }
    two_curves();
    PlotSpec s = {"curves", "step", "loss", two, 2};
    char png[128], svg[128], path[160], err[512], buf[256];
    snprintf(png, sizeof png, "%s/sub/c.png", dir);
    snprintf(svg, sizeof svg, "%s/c.svg", dir);
    cr_assert_eq(plot_file(png, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(head(png, buf, 8), 8);
    cr_assert_eq(memcmp(buf, "\x89PNG\r\n\x1a\n", 8), 0, "PNG signature");
    snprintf(path, sizeof path, "%s/sub/c.dat", dir);
    cr_assert(exists(path));
    snprintf(path, sizeof path, "%s/sub/c.gp", dir);
    cr_assert(exists(path));
    PlotOpts o = {.logy = true};
    cr_assert_eq(plot_file_opts(svg, &s, &o, err, sizeof err), 0, "%s", err);
    size_t n = head(svg, buf, sizeof buf - 1);
    buf[n] = '\0';
    cr_assert(strstr(buf, "<svg") != NULL, "SVG header: %s", buf);
    snprintf(path, sizeof path, "%s/c.gp", dir);
    n = head(path, buf, sizeof buf - 1);
    cr_assert(n > 0);
    /* the data are x y pairs, one block per series, the NaN and inf points left out */
    snprintf(path, sizeof path, "%s/c.dat", dir);
    FILE *f = fopen(path, "r");
    char line[256];
    int blocks = 1, rows = 0;
    while (fgets(line, sizeof line, f)) {
        double x, y;
        if (sscanf(line, "%lf %lf", &x, &y) == 2) {
            rows++;
            cr_assert(isfinite(x) && isfinite(y) && y > 0.0);
        } else if (strncmp(line, "# series 1", 10) == 0) {
            blocks++;
        }
    }
    fclose(f);
    cr_assert_eq(blocks, 2);
    cr_assert_eq(rows, 398, "200 + 200 points less the NaN and the infinity");
}

Test(plot, missing_gnuplot_keeps_the_data_and_says_how_to_install, SCRATCH)
{
    setenv("AIMCI_GNUPLOT", "/nonexistent/gnuplot", 1);
    two_curves();
    PlotSpec s = {"curves", "step", "loss", two, 2};
    char png[128], path[160], err[512];
    snprintf(png, sizeof png, "%s/c.png", dir);
    cr_assert_eq(plot_file(png, &s, err, sizeof err), 1);
    cr_assert(strstr(err, "gnuplot-nox") != NULL, "%s", err);
    cr_assert(!exists(png));
    snprintf(path, sizeof path, "%s/c.dat", dir);
    cr_assert(exists(path), "the data are kept");
    snprintf(path, sizeof path, "%s/c.gp", dir);
    cr_assert(exists(path), "the script is kept");
}

Test(plot, unknown_extension_is_an_error, SCRATCH)
{
    PlotSpec s = {NULL, NULL, NULL, NULL, 0};
    char jpg[128], err[512];
    snprintf(jpg, sizeof jpg, "%s/c.jpg", dir);
    cr_assert_eq(plot_file(jpg, &s, err, sizeof err), 1);
    cr_assert(strstr(err, ".png, .svg or .pdf") != NULL, "%s", err);
}

/* The whole text of a file (at most 64 KiB), NUL-terminated, in buf. */
static void slurp(const char *path, char *buf, size_t cap)
{
    size_t n = head(path, buf, cap - 1);
    buf[n] = '\0';
}

/*
** The file styles: a right-hand axis (dashed, with its label), colours shared by series,
** error bars (three data columns, yerrorlines), x tick marks with labels, and PDF output.
*/
Test(plot, styles_right_axis_error_bars_ticks_and_pdf, SCRATCH)
{
    double x[3] = {1, 2, 3}, y[3] = {0.5, 0.25, 0.125}, a[3] = {60, 70, 75}, e[3] = {0.1, 0.2, 0};
    PlotSeries s[2] = {{"loss", x, y, 3}, {"accuracy", x, a, 3}};
    PlotStyle st[2] = {{.err = e, .color = 1}, {.right = true, .color = 1}};
    const char *labels[3] = {"one", "two", "three"};
    PlotOpts o = {.logy = true, .style = st, .y2label = "acc (%)", .xtic_label = labels,
                  .xtic_at = x, .nxtics = 3};
    PlotSpec spec = {"t", "epoch", "loss", s, 2};
    char path[128], gp[160], dat[160], err[512];
    static char buf[65536];
    snprintf(path, sizeof path, "%s/s.pdf", dir);
    snprintf(gp, sizeof gp, "%s/s.gp", dir);
    snprintf(dat, sizeof dat, "%s/s.dat", dir);
    setenv("AIMCI_GNUPLOT", "/nonexistent/gnuplot", 1); /* the sources alone */
    cr_assert_eq(plot_file_opts(path, &spec, &o, err, sizeof err), 1);
    unsetenv("AIMCI_GNUPLOT");
    slurp(gp, buf, sizeof buf);
    cr_expect(strstr(buf, "set terminal pdfcairo") != NULL, "%s", buf);
    cr_expect(strstr(buf, "set y2label 'acc (%)'") != NULL, "%s", buf);
    cr_expect(strstr(buf, "set y2tics") != NULL, "%s", buf);
    cr_expect(strstr(buf, "set xtics ('one' 1, 'two' 2, 'three' 3)") != NULL, "%s", buf);
    cr_expect(strstr(buf, "index 0 using 1:2:3 with yerrorlines lw 2 lc 1 title 'loss'") != NULL,
              "%s", buf);
    cr_expect(strstr(buf, "index 1 using 1:2 with linespoints lw 2 lc 1 dt 2 axes x1y2") != NULL,
              "%s", buf);
    slurp(dat, buf, sizeof buf);
    cr_expect(strstr(buf, "\n2 0.25 0.2\n") != NULL, "three columns with error bars: %s", buf);
    cr_expect(strstr(buf, "\n2 70\n") != NULL, "the right-axis series: %s",
              buf);
    if (!gnuplot_present())
        return;
    cr_assert_eq(plot_file_opts(path, &spec, &o, err, sizeof err), 0, "%s", err);
    cr_assert_eq(head(path, buf, 5), 5);
    cr_expect_eq(memcmp(buf, "%PDF-", 5), 0, "PDF signature");
}

/* }====================================================================== */
