/*
** rt_layer_act.c: element-wise activations and log_softmax (rt_layer.h). Each backward
** reads the forward's output y, which the net keeps as the layer's activation.
*/
#include <math.h>

#include "rt_layer.h"

void rt_sigmoid_forward(float *y, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = (float)(1.0 / (1.0 + exp(-(double)x[k])));
}

void rt_sigmoid_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dx[k] += dy[k] * y[k] * (1.0f - y[k]);
}

void rt_tanh_forward(float *y, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = (float)tanh((double)x[k]);
}

void rt_tanh_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dx[k] += dy[k] * (1.0f - y[k] * y[k]);
}

void rt_relu_forward(float *y, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = x[k] > 0.0f ? x[k] : 0.0f;
}

void rt_relu_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (y[k] > 0.0f)
            dx[k] += dy[k];
}

double rt_log_sum_exp(const float *v, size_t n)
{
    double m = v[0];
    for (size_t k = 1; k < n; k++)
        m = fmax(m, (double)v[k]);
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += exp((double)v[k] - m);
    return m + log(s);
}

void rt_log_softmax_forward(float *y, const float *x, size_t B, size_t N)
{
    for (size_t b = 0; b < B; b++) {
        double lse = rt_log_sum_exp(x + b * N, N);
        for (size_t k = 0; k < N; k++)
            y[b * N + k] = (float)((double)x[b * N + k] - lse);
    }
}

void rt_log_softmax_backward(float *dx, const float *dy, const float *y, size_t B, size_t N)
{
    for (size_t b = 0; b < B; b++) {
        const float *dy_b = dy + b * N, *y_b = y + b * N;
        double s = 0.0;
        for (size_t k = 0; k < N; k++)
            s += dy_b[k];
        for (size_t k = 0; k < N; k++)
            dx[b * N + k] += (float)((double)dy_b[k] - exp((double)y_b[k]) * s);
    }
}
