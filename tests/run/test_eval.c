/*
** test_eval.c: ev_run on hand-built programs: files written, their format, summaries,
** failures reported at the statement, byte-identical reruns.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "eval.h"
#include "rt_fixtures.h"

#define SRC "train quick\nmeasure m\n"

/* A program with one train (two optimizers) and one measure, writing under dir. */
typedef struct Prog {
    IrDevice dev;
    IrData data;
    IrLayer layer;
    IrModel model;
    IrOptimizer sgd, analog;
    const IrOptimizer *opts[2];
    IrTrain train;
    long pulses[2];
    IrMeasure measure;
    IrRun runs[2];
    IrProgram p;
    char log[128], out[128];
} Prog;

static char scratch[64];

static void setup(void)
{
    cr_assert(fx_temp_dir(scratch, sizeof scratch));
}

static void teardown(void)
{
    fx_rm_tree(scratch);
}

TestSuite(eval, .init = setup, .fini = teardown);

static void make_train(Prog *g)
{
    g->dev = fx_device(IR_DEV_SOFT_BOUNDS);
    g->dev.name = "sb";
    g->data = (IrData){.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 20, .cols = 4,
                       .sigma_a = 1.0, .sigma_w = 0.3, .noise = 0.1};
    g->layer = (IrLayer){.kind = IR_LAYER_DENSE, .in = 4, .out = 1, .on = &g->dev};
    g->model = (IrModel){.name = "lin", .nlayers = 1, .layers = &g->layer};
    g->sgd = (IrOptimizer){.name = "sgd", .kind = IR_OPT_DIGITAL_SGD, .lr = 0.01,
                           .update = fx_update()};
    g->analog = g->sgd;
    g->analog.name = "analog";
    g->analog.kind = IR_OPT_ANALOG_SGD;
    g->opts[0] = &g->sgd;
    g->opts[1] = &g->analog;
    snprintf(g->log, sizeof g->log, "%s/runs/quick.csv", scratch);
    g->train = (IrTrain){.name = "quick", .loc = {0, 1, 1, 5}, .model = &g->model,
                         .data = &g->data, .steps = 100, .batch = 2, .log_every = 25,
                         .nopt = 2, .opt = g->opts, .log = g->log, .seed = 3};
}

static void make_prog(Prog *g)
{
    memset(g, 0, sizeof *g);
    make_train(g);
    g->pulses[0] = 10;
    g->pulses[1] = -4;
    snprintf(g->out, sizeof g->out, "%s/m.csv", scratch);
    g->measure = (IrMeasure){.name = "m", .loc = {0, 2, 1, 7}, .device = &g->dev, .nprog = 2,
                             .pulses = g->pulses, .start = 0.1, .out = g->out, .seed = 4};
    g->runs[0] = (IrRun){.kind = IR_RUN_TRAIN, .name = "quick", .u.train = &g->train};
    g->runs[1] = (IrRun){.kind = IR_RUN_MEASURE, .name = "m", .u.measure = &g->measure};
    g->p = (IrProgram){.seed = 3, .nruns = 2, .runs = g->runs};
}

/* Run p; stdout text and diagnostics text come back malloc'd. */
static int run(const IrProgram *p, const char *only, char **out, char **errs)
{
    size_t ol, el;
    FILE *fo = open_memstream(out, &ol), *fe = open_memstream(errs, &el);
    Diag *d = diag_new(fe);
    diag_add_file(d, "t.aimc", SRC, strlen(SRC), (SrcLoc){0, 0, 0, 0});
    EvOptions o = {.only = only, .resolved = "# resolved\n", .out = fo};
    int rc = ev_run(p, d, &o);
    diag_free(d);
    fclose(fo);
    fclose(fe);
    return rc;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(eval, train_writes_its_log_and_the_resolved_program)
{
    Prog g;
    make_prog(&g);
    char *out, *errs;
    cr_assert_eq(run(&g.p, "quick", &out, &errs), 0, "%s", errs);
    char *csv = fx_slurp(g.log, NULL);
    cr_assert_not_null(csv);
    cr_assert_eq(strncmp(csv, "optimizer,step,loss,dist_to_w_star\nsgd,0,", 41), 0, "%s", csv);
    cr_assert_eq(count_lines(csv), 1 + 2 * 5, "steps 0, 25, 50, 75, 100 per optimizer");
    cr_assert_neq(strstr(csv, "\nanalog,100,"), NULL);
    char res_path[160];
    snprintf(res_path, sizeof res_path, "%s/runs/quick.resolved.aimc", scratch);
    char *res = fx_slurp(res_path, NULL);
    cr_assert_str_eq(res, "# resolved\n");
    cr_assert_neq(strstr(out, "train quick"), NULL, "%s", out);
    cr_assert_neq(strstr(out, g.log), NULL, "%s", out);
    cr_assert_str_eq(errs, "");
    cr_assert_null(fx_slurp(g.out, NULL), "only = quick: the measure did not run");
    free(csv), free(res), free(out), free(errs);
}

/* Without a w_star (a bias makes ||W - w*|| not applicable) the last column is empty. */
Test(eval, distance_column_is_empty_when_not_applicable)
{
    Prog g;
    make_prog(&g);
    g.layer.bias = true;
    char *out, *errs;
    cr_assert_eq(run(&g.p, "quick", &out, &errs), 0, "%s", errs);
    char *csv = fx_slurp(g.log, NULL);
    for (char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1)
        cr_assert_eq(strchr(line, '\n')[-1], ',', "%.40s", line);
    free(csv), free(out), free(errs);
}

Test(eval, measure_writes_its_trace)
{
    Prog g;
    make_prog(&g);
    char *out, *errs;
    cr_assert_eq(run(&g.p, "m", &out, &errs), 0, "%s", errs);
    char *csv = fx_slurp(g.out, NULL);
    cr_assert_eq(strncmp(csv, "pulse_index,direction,w\n0,0,0.100000001\n1,1,", 44), 0, "%s", csv);
    cr_assert_eq(count_lines(csv), 1 + 1 + 14);
    cr_assert_neq(strstr(csv, "\n10,1,"), NULL);
    cr_assert_neq(strstr(csv, "\n11,-1,"), NULL);
    cr_assert_neq(strstr(out, "measure m: 14 pulses"), NULL, "%s", out);
    free(csv), free(out), free(errs);
}

Test(eval, reruns_are_byte_identical)
{
    Prog g;
    make_prog(&g);
    char *out1, *errs1, *out2, *errs2;
    cr_assert_eq(run(&g.p, NULL, &out1, &errs1), 0);
    char *a = fx_slurp(g.log, NULL), *ma = fx_slurp(g.out, NULL);
    cr_assert_eq(run(&g.p, NULL, &out2, &errs2), 0);
    char *b = fx_slurp(g.log, NULL), *mb = fx_slurp(g.out, NULL);
    cr_assert_str_eq(a, b);
    cr_assert_str_eq(ma, mb);
    cr_assert_str_eq(out1, out2);
    free(a), free(b), free(ma), free(mb), free(out1), free(out2), free(errs1), free(errs2);
}

/* A diverging optimizer is reported at the train; the other one and the log still happen. */
Test(eval, failure_is_reported_and_the_log_kept)
{
    Prog g;
    make_prog(&g);
    g.sgd.lr = 50.0;
    char *out, *errs;
    cr_assert_eq(run(&g.p, NULL, &out, &errs), 1);
    cr_assert_neq(strstr(errs, "t.aimc:1:1: error: train 'quick', optimizer 'sgd': training "
                               "diverged at step"),
                  NULL, "%s", errs);
    char *csv = fx_slurp(g.log, NULL);
    cr_assert_neq(strstr(csv, "\nsgd,0,"), NULL);
    cr_assert_neq(strstr(csv, "\nanalog,100,"), NULL);
    cr_assert_neq(strstr(out, "failed"), NULL, "%s", out);
    char *m = fx_slurp(g.out, NULL);
    cr_assert_not_null(m, "the measure after the failed train still ran");
    free(csv), free(m), free(out), free(errs);
}

Test(eval, unwritable_log_is_an_error_at_the_train)
{
    Prog g;
    make_prog(&g);
    snprintf(g.log, sizeof g.log, "%s/m.csv/quick.csv", scratch); /* m.csv: a file, later */
    FILE *f = fopen(g.out, "w");
    fclose(f);
    char *out, *errs;
    cr_assert_eq(run(&g.p, "quick", &out, &errs), 1);
    cr_assert_neq(strstr(errs, "t.aimc:1:1: error: cannot write"), NULL, "%s", errs);
    free(out), free(errs);
}

Test(eval, unknown_only_name_is_an_error)
{
    Prog g;
    make_prog(&g);
    char *out, *errs;
    cr_assert_eq(run(&g.p, "nope", &out, &errs), 1);
    cr_assert_neq(strstr(errs, "no train, measure or experiment named 'nope'"), NULL, "%s", errs);
    free(out), free(errs);
}
