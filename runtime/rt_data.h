/*
** rt_data.h: training data generated from the run seed, and its exact optimum.
**
** least_squares (ir.h IrData): A (rows,cols) with entries ~ N(0, sigma_a^2), a planted
** w_true (cols) ~ N(0, sigma_w^2), b = A w_true + noise*xi (rows). All draws come from
** RT_STREAM_DATA in that order (A row-major, then w_true, then the noise of b). A and b
** are rounded to float once; the optimum is that of the float data actually trained on.
**
** The loss is mse: f(w) = (1/(2*rows)) * sum_r (a_r . w - b_r)^2 (half the mean squared
** error; one output). w_star = argmin f from the normal equations A^T A w = A^T b solved
** by Cholesky in double, and f_star = f(w_star).
*/
#ifndef AIMCI_RT_DATA_H
#define AIMCI_RT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

typedef struct RtData {
    size_t rows, cols;  /* inputs per row = cols, targets per row = outs */
    size_t outs;        /* 1 for least squares */
    float *x;           /* (rows,cols) model inputs (A) */
    float *t;           /* (rows,outs) targets (b) */
    double *w_true;     /* (cols) planted weights */
    double *w_star;     /* (cols) the least-squares optimum, or NULL if A^T A is singular */
    double f_star;      /* f(w_star); NaN when w_star is NULL */
} RtData;

/*
** Generate the data of ir from seed. Returns NULL on failure with a message in err
** (out of memory, sizes that overflow).
*/
RtData *rt_data_new(const IrData *ir, uint64_t seed, char *err, size_t errlen);
void rt_data_free(RtData *dt);

/* f(w) in double for a weight vector w (cols), as defined above. */
double rt_data_ls_loss(const RtData *dt, const double *w);

/*
** Solve the symmetric positive definite system G z = r in place (G (n,n) row-major is
** overwritten by its Cholesky factor, r by z). Returns false if G is not positive definite.
*/
bool rt_cholesky_solve(double *G, double *r, size_t n);

#endif
