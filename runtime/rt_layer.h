/*
** rt_layer.h: the forward/backward kernels of the layers without weights, the convolution's
** im2col, and the losses, llm.c style: outputs, then inputs, then sizes; backward kernels
** add into their outputs (the caller zeroes them).
**
** Legend: B = examples of a batch; an example's activation is (C,H,W) row-major,
** x[c*H*W + h*W + w], and a batch is (B,C,H,W). N = C*H*W features per example.
** Convolutions and pools: kernel K, stride S, padding P (pools: none), output
** OH = (H + 2P - K)/S + 1, OW likewise; Q = OH*OW output positions per example.
**
** A convolution is one matrix (OC, C*K*K) applied to every patch: im2col lays the patches
** out as rows, (B*Q, C*K*K) with row b*Q + oh*OW + ow and column c*K*K + kh*K + kw, reading
** x[b, c, oh*S - P + kh, ow*S - P + kw] (0 outside the image). The product z (B*Q, OC) of
** the patches and the weights is then transposed per example to (B, OC, OH, OW). An analog
** conv is the tile of those (OC, C*K*K) weights, every patch a sample of its I/O and of its
** pulsed update (as aihwkit's AnalogConv2d). rt_conv_forward_ref is the direct convolution,
** kept as the reference the tests compare the im2col path with.
*/
#ifndef AIMCI_RT_LAYER_H
#define AIMCI_RT_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_pool.h"

/* The shape of one example's activation; a vector of n features is (n,1,1). */
typedef struct RtShape {
    size_t c, h, w;
} RtShape;

/* Features per example: c*h*w. */
size_t rt_shape_size(RtShape s);

/* Output side of a window of k with stride s and padding p over n (0 if it does not fit). */
size_t rt_window_out(size_t n, size_t k, size_t s, size_t p);

/*
** {======================================================================
** Convolution
** =======================================================================
*/

/* cols (B*Q, C*K*K) = the patches of x (B,C,H,W), zeros where they overlap the padding. */
void rt_im2col(float *cols, const float *x, size_t B, RtShape in, size_t K, size_t S, size_t P);

/*
** z (B*Q,OC) = the patches times w^T (w (OC, C*K*K)), as rt_im2col then rt_matmul_forward
** without bias give it, bit for bit, without laying out the patches: one-channel 5 x 5
** windows without padding, OC a multiple of 16 (LeNet's first layer), where the update
** kernels' build has short products (RtKern.short_conv5); examples shared on pool. False,
** z untouched, elsewhere.
*/
bool rt_conv_forward_direct(float *z, const float *x, const float *w, size_t B, RtShape in,
                            size_t OC, size_t K, size_t S, size_t P, RtPool *pool);

/* dx (B,C,H,W) += the patches' gradients dcols (B*Q, C*K*K) folded back (im2col's adjoint). */
void rt_col2im(float *dx, const float *dcols, size_t B, RtShape in, size_t K, size_t S,
               size_t P);

/* out (B,OC,Q) = z (B*Q,OC) transposed per example, times scale (OC or 1, or NULL), + bias. */
void rt_conv_arrange(float *out, const float *z, const float *scale, size_t nscale,
                     const float *bias, size_t B, size_t Q, size_t OC);

/* dz (B*Q,OC) = dout (B,OC,Q) transposed per example, times scale (as rt_conv_arrange). */
void rt_conv_unarrange(float *dz, const float *dout, const float *scale, size_t nscale,
                       size_t B, size_t Q, size_t OC);

/* The direct convolution: out (B,OC,OH,OW) of x (B,C,H,W), w (OC,C,K,K), bias (OC) or NULL. */
void rt_conv_forward_ref(float *out, const float *x, const float *w, const float *bias,
                         size_t B, RtShape in, size_t OC, size_t K, size_t S, size_t P);

/* }====================================================================== */

/*
** {======================================================================
** Pools (no padding; windows of K, stride S)
** =======================================================================
*/

/* out (B,C,OH,OW) = window maxima of x; arg (B,C,OH,OW) = the input index (in the example) of
** each maximum, the first one on ties. */
void rt_maxpool_forward(float *out, uint32_t *arg, const float *x, size_t B, RtShape in,
                        size_t K, size_t S);
/*
** out (B,C,PH,PW) = the window maxima of tanh of a conv layer's outputs z (B,Q,C) arranged:
** rt_conv_arrange, rt_tanh_forward, then rt_maxpool_forward's values, bit for bit, in one
** pass over z (conv: the shape (C,OH,OW) of the arranged outputs). For C up to 256
** (rt_conv_maxpool_tanh_fits).
*/
bool rt_conv_maxpool_tanh_fits(size_t C);
void rt_conv_maxpool_tanh_forward(float *out, const float *z, const float *scale, size_t nscale,
                                  const float *bias, size_t B, RtShape conv, size_t K, size_t S);
/* dx (B,C,H,W) += dout routed to the maxima. */
void rt_maxpool_backward(float *dx, const float *dout, const uint32_t *arg, size_t B,
                         RtShape in, RtShape out);
/* Whether K x K windows with stride S never share an input. */
bool rt_maxpool_disjoint(size_t K, size_t S);
/*
** dx (B,C,H,W) = the backward of tanh (output y (B,C,H,W)) then of max-pooling, dout routed
** to the maxima: written, bit for bit the two backward kernels into zeros, for windows that
** share no input (rt_maxpool_disjoint).
*/
void rt_maxpool_tanh_backward(float *dx, const float *dout, const uint32_t *arg,
                              const float *y, size_t B, RtShape in, size_t K, size_t S);
/*
** The same gradient as the rows of the conv layer before the tanh, dz (B*H*W, C): what
** rt_maxpool_tanh_backward then rt_conv_unarrange without scales write, bit for bit.
*/
void rt_maxpool_tanh_backward_rows(float *dz, const float *dout, const uint32_t *arg,
                                   const float *y, size_t B, RtShape in, size_t K, size_t S);

/* out (B,C,OH,OW) = window means of x. */
void rt_avgpool_forward(float *out, const float *x, size_t B, RtShape in, size_t K, size_t S);
/* dx += dout / (K*K) spread over each window. */
void rt_avgpool_backward(float *dx, const float *dout, size_t B, RtShape in, size_t K,
                         size_t S);

/* }====================================================================== */

/*
** {======================================================================
** Activations: element-wise over n values; the backward reads the forward's output y.
** log_softmax works per example over N features (B,N).
** =======================================================================
*/

void rt_sigmoid_forward(float *y, const float *x, size_t n);
void rt_sigmoid_backward(float *dx, const float *dy, const float *y, size_t n);
void rt_tanh_forward(float *y, const float *x, size_t n);
void rt_tanh_backward(float *dx, const float *dy, const float *y, size_t n);
void rt_relu_forward(float *y, const float *x, size_t n);
void rt_relu_backward(float *dx, const float *dy, const float *y, size_t n);
/* y = x - log sum exp(x), per example, in double. */
void rt_log_softmax_forward(float *y, const float *x, size_t B, size_t N);

/* log sum exp of v (n), shifted by its maximum, in double (log_softmax, cross_entropy). */
double rt_log_sum_exp(const float *v, size_t n);
/* dx += dy - exp(y) * sum(dy), per example. */
void rt_log_softmax_backward(float *dx, const float *dy, const float *y, size_t B, size_t N);

/* }====================================================================== */

/*
** {======================================================================
** Losses of outputs y (B,O), summed in double. dy (B,O), if not NULL, receives dL/dy
** (overwritten, not added).
** =======================================================================
*/

/*
** mse (torch.nn.MSELoss): L = sum (y - t)^2 / (B O); dy = 2 (y - t) / (B O). half: the
** seed paper's half of it, L = sum (y - t)^2 / (2 B O), dy = (y - t) / (B O). t is (B,O).
*/
double rt_loss_mse(float *dy, const float *y, const float *t, size_t B, size_t O, bool half);

/* L = -(1/B) sum_b log softmax(y_b)[label_b]; dy = (softmax(y) - onehot) / B. */
double rt_loss_cross_entropy(float *dy, const float *y, const int32_t *label, size_t B,
                             size_t O);

/* y are log-probabilities (a log_softmax output): L = -(1/B) sum_b y_b[label_b];
** dy = -onehot / B. */
double rt_loss_nll(float *dy, const float *y, const int32_t *label, size_t B, size_t O);

/* How many rows have their largest output (the first on ties) at their label. */
size_t rt_count_correct(const float *y, const int32_t *label, size_t B, size_t O);

/* }====================================================================== */

#endif
