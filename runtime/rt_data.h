/*
** rt_data.h: the data of a run: least-squares problems generated from the run seed (with
** their exact optimum), and labelled examples read from files (rt_idx.h).
**
** least_squares (ir.h IrData): A (rows,cols) with entries ~ N(0, sigma_a^2), a planted
** w_true (outputs,cols) ~ N(0, sigma_w^2), b = A w_true^T + noise*xi (rows,outputs). All
** draws come from RT_STREAM_DATA in that order (A row-major, then w_true row-major, then the
** noise of b row-major); one output draws what it always did. A and b are rounded to float
** once; the optimum is that of the float data actually trained on.
**
** f is the half mean squared error (the train's half_mse; mse is 2 f):
** f(W) = (1/(2*rows*outputs)) * sum_r sum_o (a_r . w_o - b_ro)^2. w_star = argmin f, row o
** from the normal equations A^T A w_o = A^T b_o solved by Cholesky in double, and
** f_star = f(w_star).
**
** Labelled families (rt_data_files.c): idx (the user's IDX files), fashion_mnist (the IDX
** files of Debian's dataset-fashion-mnist in RT_FASHION_MNIST_DIR), csv. x holds the inputs
** (rows, size of shape), label the classes, t the one-hot targets (rows, classes) for mse;
** classes = 1 + the largest label of the training and test sets. A csv with `targets` has
** no labels: t holds its target columns (rows, outs) and classes is 0. limit keeps the first N
** examples of the training set (test_limit of the test set). The test set comes from the
** test files; a csv without test_file holds out its last test_fraction of rows (rounded
** down) before the limit is applied to the rest. Relative paths are relative to the
** working directory.
*/
#ifndef AIMCI_RT_DATA_H
#define AIMCI_RT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_layer.h"

/* Where Debian's dataset-fashion-mnist installs its files. */
#define RT_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef struct RtData {
    size_t rows, cols;  /* inputs per row = cols, targets per row = outs */
    size_t outs;        /* least squares: outputs; classes for labelled data; csv targets */
    RtShape shape;      /* one example's input: (cols,1,1), or (C,H,W) images */
    int32_t *label;     /* (rows) classes, or NULL (least squares) */
    size_t classes;     /* labelled data: number of classes; else 0 */
    struct RtData *test; /* the held-out test set (labelled data), or NULL */
    float *x;           /* (rows,cols) model inputs (A) */
    float *t;           /* (rows,outs) targets (b) */
    double *w_true;     /* (outs,cols) planted weights */
    double *w_star;     /* (outs,cols) the least-squares optimum, or NULL if A^T A is singular */
    double f_star;      /* f(w_star); NaN when w_star is NULL */
} RtData;

/*
** Generate the data of ir from seed. Returns NULL on failure with a message in err
** (out of memory, sizes that overflow).
*/
RtData *rt_data_new(const IrData *ir, uint64_t seed, char *err, size_t errlen);
void rt_data_free(RtData *dt);

/*
** Whether a loss over f* means something: f* is above 1e-12 of the loss of zero weights,
** f(0) = sum b^2 / (2 rows outputs). Noise-free data has f* = 0, and its computed f* is rounding.
*/
bool rt_data_f_star_meaningful(const RtData *dt);

/* What a data set holds, as a run would find it (rt_data_probe). */
typedef struct RtDataInfo {
    RtShape shape;      /* one example's input */
    size_t rows;        /* training examples (after limit) */
    size_t outs;        /* targets per row: outputs, classes or target columns */
    bool labels;        /* class labels (else real targets) */
} RtDataInfo;

/*
** Check the files of a data set before a run, as the run will read them: csv files are read
** in full (every row, the label or target columns), IDX files by their image headers and
** their labels; least_squares has no files. 0, or -1 with a message naming the data and the
** file (a missing file, a wrong label kind, mismatched counts or widths).
*/
int rt_data_probe(const IrData *ir, RtDataInfo *info, char *err, size_t errlen);

/* The labelled families (rt_data_new calls it for them); NULL with err set. */
RtData *rt_data_load(const IrData *ir, char *err, size_t errlen);

/*
** The Fashion-MNIST files of dir (train and t10k, images and labels, .gz) with limits;
** a missing file gives an error naming it and the Debian package. NULL with err set.
*/
RtData *rt_data_fashion_mnist(const char *dir, size_t limit, size_t test_limit, char *err,
                              size_t errlen);

/* f* in the units of loss: 2 f* for mse, f* for half_mse; NaN for cross_entropy. */
double rt_data_f_star_of(const RtData *dt, IrLoss loss);

/* f(w) in double for weights w (outs,cols), as defined above. */
double rt_data_ls_loss(const RtData *dt, const double *w);

/*
** Solve the symmetric positive definite system G z = r in place (G (n,n) row-major is
** overwritten by its Cholesky factor, r by z). Returns false if G is not positive definite.
*/
bool rt_cholesky_solve(double *G, double *r, size_t n);

#endif
