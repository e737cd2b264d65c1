// bn_exercises.c - exercises 3.7 and 3.8: batch normalisation, training mode.
//
// Letters as in bn_exercises.h. The values of channel c are
//     inp[(b*C + c)*HW + i]    for b in [0, B), i in [0, HW)
// n = B*HW of them. gamma and beta (C) are NULL together (then gamma = 1,
// beta = 0). Accumulate sums in double: a channel can hold 100,000 values.
// README section 4 derives the backward formula.
#include <math.h>
#include <stddef.h>

#include "bn_exercises.h"
#include "util/exercise.h"

// Exercise 3.7 (8 points): batch norm forward, training mode.
//
// Per channel c, over its n values x:
//     mean[c] = sum(x) / n
//     var     = sum((x - mean)^2) / n              (biased: divide by n)
//     rstd[c] = 1 / sqrt(var + eps)
//     out     = gamma[c] * (x - mean[c]) * rstd[c] + beta[c]
// and, unless running_mean / running_var are NULL, PyTorch's running
// statistics (evaluation mode uses them; the unbiased variance there):
//     running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean
//     running_var[c]  = (1 - momentum) * running_var[c]  + momentum * var * n / (n - 1)
// mean and rstd (C) are saved for the backward pass.
// Tested against PyTorch's BatchNorm2d / BatchNorm1d in training mode:
// out, mean, rstd and both running statistics.
void l03_batchnorm_forward_train(float *out, float *mean, float *rstd, const float *inp,
                                 const float *gamma, const float *beta,
                                 float *running_mean, float *running_var,
                                 float momentum, float eps, int B, int C, int HW) {
    /* BEGIN EXERCISE 3.7 */
    double n = (double)B * HW;
    for (int c = 0; c < C; c++) {
        double s = 0.0;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < HW; i++) s += inp[((long)b * C + c) * HW + i];
        double m = s / n, v = 0.0;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < HW; i++) {
                double d = inp[((long)b * C + c) * HW + i] - m;
                v += d * d;
            }
        v /= n;
        mean[c] = (float)m;
        rstd[c] = (float)(1.0 / sqrt(v + eps));
        if (running_mean)
            running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * (float)m;
        if (running_var)
            running_var[c] = (1.0f - momentum) * running_var[c]
                             + momentum * (float)(v * n / (n - 1.0));
        float scale = (gamma ? gamma[c] : 1.0f) * rstd[c], shift = beta ? beta[c] : 0.0f;
        for (int b = 0; b < B; b++) {
            long off = ((long)b * C + c) * HW;
            for (int i = 0; i < HW; i++) out[off + i] = (inp[off + i] - mean[c]) * scale + shift;
        }
    }
    /* END EXERCISE 3.7 */
}

// Exercise 3.8 (12 points): batch norm backward.
//
// With xhat = (x - mean) * rstd and dy = dout, per channel c:
//     dbeta[c]  += sum(dy)
//     dgamma[c] += sum(dy * xhat)
//     dinp      += gamma * rstd * (dy - sum(dy)/n - xhat * sum(dy * xhat)/n)
// The two subtracted terms are there because mean and rstd depend on every
// x of the channel (README section 4). Each gradient may be NULL: skip it.
// Tested against PyTorch's autograd, finite differences, accumulation.
void l03_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                            const float *inp, const float *mean, const float *rstd,
                            const float *gamma, int B, int C, int HW) {
    /* BEGIN EXERCISE 3.8 */
    double n = (double)B * HW;
    for (int c = 0; c < C; c++) {
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int b = 0; b < B; b++) {
            long off = ((long)b * C + c) * HW;
            for (int i = 0; i < HW; i++) {
                double dy = dout[off + i];
                sum_dy += dy;
                sum_dy_xhat += dy * ((inp[off + i] - mean[c]) * rstd[c]);
            }
        }
        if (dbeta) dbeta[c] += (float)sum_dy;
        if (dgamma) dgamma[c] += (float)sum_dy_xhat;
        if (!dinp) continue;
        float k = (gamma ? gamma[c] : 1.0f) * rstd[c];
        float mean_dy = (float)(sum_dy / n), mean_dy_xhat = (float)(sum_dy_xhat / n);
        for (int b = 0; b < B; b++) {
            long off = ((long)b * C + c) * HW;
            for (int i = 0; i < HW; i++) {
                float xhat = (inp[off + i] - mean[c]) * rstd[c];
                dinp[off + i] += k * (dout[off + i] - mean_dy - xhat * mean_dy_xhat);
            }
        }
    }
    /* END EXERCISE 3.8 */
}
