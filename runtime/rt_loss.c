/*
** rt_loss.c: the losses and the accuracy count (rt_layer.h), summed in double.
*/
#include <math.h>

#include "rt_layer.h"

double rt_loss_mse(float *dy, const float *y, const float *t, size_t B, size_t O, bool half)
{
    size_t m = B * O;
    double scale = (half ? 1.0 : 2.0) / (double)m, sum = 0.0;
    for (size_t k = 0; k < m; k++) {
        double e = (double)y[k] - (double)t[k];
        sum += e * e;
        if (dy)
            dy[k] = (float)(e * scale);
    }
    return 0.5 * sum * scale;  /* sum / (2m) half, sum / m not */
}

double rt_loss_cross_entropy(float *dy, const float *y, const int32_t *label, size_t B,
                             size_t O)
{
    double sum = 0.0, inv = 1.0 / (double)B;
    for (size_t b = 0; b < B; b++) {
        const float *y_b = y + b * O;
        double lse = rt_log_sum_exp(y_b, O);
        sum += lse - (double)y_b[label[b]];
        if (dy)
            for (size_t k = 0; k < O; k++)
                dy[b * O + k] = (float)((exp((double)y_b[k] - lse) -
                                         ((int32_t)k == label[b] ? 1.0 : 0.0)) * inv);
    }
    return sum * inv;
}

double rt_loss_nll(float *dy, const float *y, const int32_t *label, size_t B, size_t O)
{
    double sum = 0.0, inv = 1.0 / (double)B;
    for (size_t b = 0; b < B; b++) {
        sum -= (double)y[b * O + label[b]];
        if (dy)
            for (size_t k = 0; k < O; k++)
                dy[b * O + k] = (int32_t)k == label[b] ? (float)-inv : 0.0f;
    }
    return sum * inv;
}

size_t rt_count_correct(const float *y, const int32_t *label, size_t B, size_t O)
{
    size_t hits = 0;
    for (size_t b = 0; b < B; b++) {
        size_t best = 0;
        for (size_t k = 1; k < O; k++)
            if (y[b * O + k] > y[b * O + best])
                best = k;
        hits += (int32_t)best == label[b];
    }
    return hits;
}
