/*
** test_nn_lang.c: the language of networks on labelled data: layer kinds, data families,
** schedules, epochs; their errors, suggestions and dump.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "dump.h"
#include "fe_fixtures.h"
#include "rt_train.h"

TestSuite(nn_lang, .init = fe_setup, .fini = fe_teardown);

#define DEV "device rram : power { gamma_res = 0.5, tau = 0.6 }\n"
#define FM "data fm : fashion_mnist { limit = 100 }\n"
#define SGD "optimizer sgd : digital_sgd { lr = 0.1 }\n"

Test(nn_lang, a_cnn_on_fashion_mnist_checks_with_its_defaults)
{
    assert_ok(DEV FM SGD
              "model cnn {\n"
              "    conv2d(1, 16, 5, on = rram, learn_out_scaling = true)\n"
              "    tanh\n"
              "    maxpool2d(2)\n"
              "    conv2d(16, 32, 5, stride = 1, padding = 0)\n"
              "    tanh\n"
              "    maxpool2d(kernel = 2, stride = 2)\n"
              "    flatten\n"
              "    dense(512, 128)\n"
              "    tanh()\n"
              "    dense(128, 10, on = rram, weight_scaling_omega = 0.6, "
              "weight_scaling_columnwise = true)\n"
              "    log_softmax\n"
              "}\n"
              "schedule s : step { every = 15, factor = 0.5 }\n"
              "train fit { model = cnn, data = fm, optimizer = sgd, epochs = 3, batch = 8, "
              "lr_schedule = s }\n");
    const IrProgram *p = chk_program(fe.c);
    const IrTrain *t = p->runs[0].u.train;
    cr_assert_eq(t->loss, IR_LOSS_CROSS_ENTROPY, "the default loss for labelled data");
    cr_assert_eq(t->epochs, 3);
    cr_assert_eq(t->schedule->kind, IR_SCHED_STEP);
    cr_assert_eq(t->schedule->every, 15);
    const IrLayer *l = t->model->layers;
    cr_assert_eq(t->model->nlayers, 11);
    cr_assert_eq(l[0].kind, IR_LAYER_CONV2D);
    cr_assert_eq(l[0].kernel, 5);
    cr_assert_eq(l[0].stride, 1, "default stride");
    cr_assert(l[0].learn_out_scaling);
    cr_assert_eq(l[2].kind, IR_LAYER_MAXPOOL2D);
    cr_assert_eq(l[2].stride, 0, "a pool's stride defaults to its kernel (0)");
    cr_assert_eq(l[8].kind, IR_LAYER_TANH);
    cr_assert_eq(l[9].weight_scaling_omega, 0.6);
    cr_assert_eq(l[10].kind, IR_LAYER_LOG_SOFTMAX);
    cr_assert_eq(p->data[0]->kind, IR_DATA_FASHION_MNIST);
    cr_assert_eq(p->data[0]->limit, 100);
}

typedef struct Bad {
    char src[400];
    int line, col;
    char msg[160];
} Bad;

static Bad bads[] = {
    {FM SGD "model m { dense(700, 10) }\ntrain f { model = m, data = fm, optimizer = sgd }\n",
     4, 11, "model 'm' does not fit data 'fm': layer 1 (dense) takes 700 inputs but gets "
            "1x28x28 = 784"},
    {FM SGD "model m { flatten\n dense(700, 10) }\ntrain f { model = m, data = fm, optimizer = "
            "sgd }\n", 5, 11, "layer 2 (dense) takes 700 inputs but gets 784"},
    {FM SGD "model m { conv2d(3, 4, 5) }\ntrain f { model = m, data = fm, optimizer = sgd }\n",
     4, 11, "layer 1 (conv2d) takes 3 channels but gets 1x28x28 = 784"},
    {FM SGD "model m { flatten\n dense(784, 7) }\ntrain f { model = m, data = fm, optimizer = "
            "sgd }\n", 5, 11, "model 'm' gives 7 outputs but data 'fm' has 10 classes"},
    {"model m { dense(4, 8)\n sigmoid\n maxpool2d(3) }\n", 3, 2,
     "layer 3 (maxpool2d): a 3x3 window does not fit its input 8x1x1"},
    {"model m { dense(4, 8)\n relu\n dense(9, 2) }\n", 3, 2,
     "layer 3 takes 9 inputs but layer 2 gives 8 outputs"},
    {"model m { dense(4, 8, learn_out_scaling = true) }\n", 1, 23,
     "'learn_out_scaling' applies to analog layers, but this layer has no device"},
    {"model m { conv2d(1, 2) }\n", 1, 11, "conv2d needs 'kernel'"},
    {"model m { sigmoid(3) }\n", 1, 19, "too many positional arguments for sigmoid"},
    {"model m { maxpool(2) }\n", 1, 11, "unknown layer 'maxpool'"},
    {"data d : idx { images = \"a\" }\n", 1, 6, "data 'd' needs 'labels'"},
    {"data d : idx { images = \"a\", labels = \"b\", test_images = \"c\" }\n", 1, 44,
     "data 'd' sets test_images but not test_labels"},
    {"data d : csv { file = \"a.csv\", test_file = \"b.csv\", test_fraction = 0.1 }\n", 1, 53,
     "data 'd' sets both test_file and test_fraction"},
    {"data d : fashion_mnist { rows = 5 }\n", 1, 26,
     "data family fashion_mnist has no parameter 'rows'"},
    {"data d : fashion_mnst { }\n", 1, 10, "unknown data family 'fashion_mnst'"},
    {"schedule s : step { factor = 0.5 }\n", 1, 10, "schedule 's' needs 'every'"},
    {"schedule s : cosine { every = 2 }\n", 1, 23, "schedule family cosine has no parameter "
                                                   "'every'"},
    {"schedule s : linear { }\n", 1, 14, "unknown schedule family 'linear'"},
    {"data ls : least_squares { }\n" SGD "model m { dense(50, 1) }\n"
     "train f { model = m, data = ls, optimizer = sgd, loss = cross_entropy }\n", 4, 50,
     "loss cross_entropy needs labelled data, but data 'ls' is least_squares"},
    {"data ls : least_squares { }\n" SGD "model m { dense(50, 1) }\n"
     "train f { model = m, data = ls, optimizer = sgd, lr_schedule = sgd }\n", 4, 64,
     "'sgd' is an optimizer; lr_schedule expects a schedule"},
};

ParameterizedTestParameters(nn_lang, bad_networks_are_reported)
{
    return cr_make_param_array(Bad, bads, sizeof bads / sizeof *bads);
}

ParameterizedTest(Bad *t, nn_lang, bad_networks_are_reported)
{
    assert_error_at(t->src, t->line, t->col, t->msg);
}

Test(nn_lang, misspelt_layers_and_families_get_suggestions)
{
    fe_check("model m { maxpool(2) }\n");
    assert_output_has("did you mean 'maxpool2d'?");
    fe_check("data d : fashion_mnst { }\n");
    assert_output_has("did you mean 'fashion_mnist'?");
    fe_check("model m2 { dense(2, 2, learn_out_scalling = true) }\n");
    assert_output_has("did you mean 'learn_out_scaling'?");
}

/* The dump is a script: checked again it gives the same layers, data and schedule. */
Test(nn_lang, the_dump_reproduces_networks_data_and_schedules)
{
    assert_ok(DEV FM SGD
              "data c : csv { file = \"t.csv\", label = 0, header = false, test_fraction = 0.2 }\n"
              "model cnn {\n"
              "    conv2d(1, 4, 3, stride = 2, padding = 1, on = rram, bias = false)\n"
              "    relu\n"
              "    avgpool2d(2, stride = 1)\n"
              "    flatten\n"
              "    dense(676, 10, on = rram, learn_out_scaling = true)\n"
              "}\n"
              "schedule cos : cosine { min_factor = 0.1 }\n"
              "train fit { model = cnn, data = fm, optimizer = sgd, epochs = 2, "
              "lr_schedule = cos }\n");
    Buf b = {0};
    dump_program(&b, chk_program(fe.c), "t.aimc");
    cr_assert_not_null(strstr(b.s, "conv2d(1, 4, 3, stride = 2, padding = 1, on = rram, "
                                   "bias = false)"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "    relu\n    avgpool2d(2, stride = 1)\n    flatten\n"),
                       "%s", b.s);
    cr_assert_not_null(strstr(b.s, "dense(676, 10, on = rram, bias = true, "
                                   "learn_out_scaling = true)"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "schedule cos : cosine {"), "%s", b.s);
    Checker *again = chk_new(fe.ar, fe.d, fe.tmp);
    const char *text = fe_copy(b.s, b.n);
    cr_assert_eq(chk_source(again, "dump.aimc", text, b.n), 0, "%s\n%s", fe_text(), b.s);
    const IrProgram *q = chk_program(again);
    cr_assert_not_null(q);
    const IrTrain *t = q->runs[0].u.train;
    cr_assert_eq(t->schedule->kind, IR_SCHED_COSINE);
    cr_assert_eq(t->schedule->min_factor, 0.1);
    cr_assert_eq(t->model->layers[0].padding, 1);
    cr_assert_eq(t->model->layers[2].stride, 1);
    cr_assert(t->model->layers[4].learn_out_scaling);
    cr_assert_eq(q->data[1]->test_fraction, 0.2);
    buf_free(&b);
}

/* The schedules' formulas (ir.h): StepLR and the cosine from lr down to lr * min_factor. */
Test(nn_lang, schedules_give_the_documented_rates)
{
    IrSchedule step = {.kind = IR_SCHED_STEP, .every = 15, .factor = 0.5};
    cr_assert_float_eq(rt_train_lr(&step, 0.1, 14, 30), 0.1, 1e-15);
    cr_assert_float_eq(rt_train_lr(&step, 0.1, 15, 30), 0.05, 1e-15);
    cr_assert_float_eq(rt_train_lr(&step, 0.1, 29, 30), 0.05, 1e-15);
    IrSchedule cosine = {.kind = IR_SCHED_COSINE, .min_factor = 0.2};
    cr_assert_float_eq(rt_train_lr(&cosine, 1.0, 0, 10), 1.0, 1e-15);
    cr_assert_float_eq(rt_train_lr(&cosine, 1.0, 5, 10), 0.6, 1e-15);
    cr_assert_float_eq(rt_train_lr(NULL, 0.3, 7, 10), 0.3, 0);
    IrTrain t = {.steps = 25, .batch = 4};
    cr_assert_eq(rt_train_epochs(&t, 10), 10, "ceil(25 * 4 / 10)");
    t.epochs = 3;
    cr_assert_eq(rt_train_epochs(&t, 10), 3);
}
