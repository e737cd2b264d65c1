// norm.c - batch norm and instance norm over NCHW tensors.
//
// Letters as in norm.h. Both norms compute, over some group of n values x,
//     xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps)  (biased variance)
//     out  = gamma * xhat + beta                             (per channel)
// and differ only in the group: batch norm takes channel c of every sample
// (B*HW values), instance norm channel c of one sample (HW values). So the
// group's statistics, its forward and its backward are written once below and
// each norm calls them on its groups. Sums run in double: a group can hold
// hundreds of thousands of values.
#include "kernels/norm.h"

#include <math.h>
#include <stddef.h>

// Sums in double over a run of n floats. One running sum waits for each add
// to finish (GCC may not reorder float sums); eight independent ones fill a
// vector register and keep the adder busy: the batch norms of W1 spent most
// of their time in these loops.
#define LANES 8

// sum of x[i]
static inline double run_sum(const float *x, int n) {
    if (n == 1) return x[0];   // after a Linear layer: one value per channel and sample
    double acc[LANES] = {0}, s = 0.0;
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) acc[j] += x[i + j];
    for (; i < n; i++) s += x[i];
    for (int j = 0; j < LANES; j++) s += acc[j];
    return s;
}

// sum of (x[i] - m)^2
static inline double run_sum_sq(const float *x, int n, double m) {
    if (n == 1) return (x[0] - m) * (x[0] - m);
    double acc[LANES] = {0}, s = 0.0;
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) acc[j] += (x[i + j] - m) * (x[i + j] - m);
    for (; i < n; i++) s += (x[i] - m) * (x[i] - m);
    for (int j = 0; j < LANES; j++) s += acc[j];
    return s;
}

// *sd += sum of dy[i], *sdx += sum of dy[i] * xhat[i], xhat = (x - m) * r
static inline void run_sums_dy(double *sd, double *sdx, const float *dy, const float *x, int n,
                               float m, float r) {
    if (n == 1) {
        *sd += dy[0];
        *sdx += (double)dy[0] * ((x[0] - m) * r);
        return;
    }
    double a[LANES] = {0}, b[LANES] = {0}, s = 0.0, t = 0.0;
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) {
            double d = dy[i + j];
            a[j] += d;
            b[j] += d * ((x[i + j] - m) * r);
        }
    for (; i < n; i++) {
        double d = dy[i];
        s += d;
        t += d * ((x[i] - m) * r);
    }
    for (int j = 0; j < LANES; j++) {
        s += a[j];
        t += b[j];
    }
    *sd += s;
    *sdx += t;
}

// A group is `count` runs of HW contiguous floats, `stride` floats apart.
// Batch norm: count = B, stride = C*HW; instance norm: count = 1.

static void group_stats(double *mean, double *var, const float *x, int count, long stride,
                        int HW) {
    double n = (double)count * HW, s = 0.0;
    for (int r = 0; r < count; r++) s += run_sum(x + r * stride, HW);
    double m = s / n, v = 0.0;
    // Two passes: subtracting the mean first avoids E[x^2] - E[x]^2 cancelling.
    for (int r = 0; r < count; r++) v += run_sum_sq(x + r * stride, HW, m);
    *mean = m;
    *var = v / n;
}

// out = (x - mean) * scale + beta over the group, scale = gamma * rstd: the
// normalisation and the affine transform in one pass.
static void group_apply(float *out, const float *x, float mean, float scale, float beta,
                        int count, long stride, int HW) {
    for (int r = 0; r < count; r++) {
        const float *xr = x + r * stride;
        float *outr = out + r * stride;
        for (int i = 0; i < HW; i++) outr[i] = (xr[i] - mean) * scale + beta;
    }
}

// With g = gamma * dout (the gradient reaching xhat):
//     dbeta  += sum(dout),  dgamma += sum(dout * xhat)
//     dinp   += rstd * (g - mean(g) - xhat * mean(g * xhat))
// the last line because mean and rstd themselves depend on every x of the group.
static void group_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *x, float mean, float rstd, float gamma, int count,
                           long stride, int HW) {
    double sum_dout = 0.0, sum_dout_xhat = 0.0;
    for (int r = 0; r < count; r++)
        run_sums_dy(&sum_dout, &sum_dout_xhat, dout + r * stride, x + r * stride, HW, mean, rstd);
    if (dbeta) *dbeta += (float)sum_dout;
    if (dgamma) *dgamma += (float)sum_dout_xhat;
    if (!dinp) return;
    double n = (double)count * HW;
    float mean_g = (float)(gamma * sum_dout / n);
    float mean_g_xhat = (float)(gamma * sum_dout_xhat / n);
    for (int r = 0; r < count; r++) {
        const float *xr = x + r * stride, *dyr = dout + r * stride;
        float *dxr = dinp + r * stride;
        for (int i = 0; i < HW; i++) {
            float xhat = (xr[i] - mean) * rstd;
            dxr[i] += rstd * (gamma * dyr[i] - mean_g - xhat * mean_g_xhat);
        }
    }
}

// ---------------------------------------------------------------- batch norm
// A batch-norm group is strided: channel c of sample b is HW floats, and the
// next sample's are C*HW floats further. Walking one channel at a time hops
// through memory, which is slow when HW is small (after a Linear layer,
// HW = 1 and C = 12544: 64 loads a whole row apart per channel). So the
// channels are taken in blocks of CBLOCK, and each block is walked sample by
// sample, through contiguous memory, with one double sum per channel. The
// blocks are independent, so they run on threads, and every sum is one
// thread's in a fixed order: the result does not depend on the thread count.

#define CBLOCK 64
// Below this many floats, a norm is not worth starting threads for.
#define NORM_PARALLEL_MIN (1L << 15)

// sums[c - c0] = sum over the batch of channel c of x (B, C, HW), c in [c0, c1);
// with centre, the sum of (x - centre[c])^2 instead.
static void block_sums(double *sums, const float *x, const float *centre, int c0, int c1,
                       int B, int C, int HW) {
    for (int c = c0; c < c1; c++) sums[c - c0] = 0.0;
    for (int b = 0; b < B; b++)
        for (int c = c0; c < c1; c++) {
            const float *row = x + ((long)b * C + c) * HW;
            sums[c - c0] += centre ? run_sum_sq(row, HW, centre[c]) : run_sum(row, HW);
        }
}

void batchnorm_forward_train(float *out, float *mean, float *rstd, const float *inp,
                             const float *gamma, const float *beta,
                             float *running_mean, float *running_var,
                             float momentum, float eps, int B, int C, int HW) {
    double n = (double)B * HW;
    #pragma omp parallel for if ((long)B * C * HW >= NORM_PARALLEL_MIN)
    for (int c0 = 0; c0 < C; c0 += CBLOCK) {
        int c1 = c0 + CBLOCK < C ? c0 + CBLOCK : C;
        double sums[CBLOCK];
        float scale[CBLOCK], shift[CBLOCK];
        block_sums(sums, inp, NULL, c0, c1, B, C, HW);
        for (int c = c0; c < c1; c++) mean[c] = (float)(sums[c - c0] / n);
        // Two passes: subtracting the mean first avoids E[x^2] - E[x]^2 cancelling.
        block_sums(sums, inp, mean, c0, c1, B, C, HW);
        for (int c = c0; c < c1; c++) {
            double v = sums[c - c0] / n;
            rstd[c] = (float)(1.0 / sqrt(v + eps));
            // PyTorch tracks the unbiased variance (n / (n-1)); for n = 1 it is
            // undefined, and PyTorch stores the same NaN/inf.
            if (running_mean)
                running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
            if (running_var)
                running_var[c] = (1.0f - momentum) * running_var[c]
                                 + momentum * (float)(v * n / (n - 1.0));
            // out = (x - mean) * rstd * gamma + beta = x * scale + shift
            float g = gamma ? gamma[c] : 1.0f, be = beta ? beta[c] : 0.0f;
            scale[c - c0] = g * rstd[c];
            shift[c - c0] = be - mean[c] * scale[c - c0];
        }
        for (int b = 0; b < B; b++)
            for (int c = c0; c < c1; c++) {
                long off = ((long)b * C + c) * HW;
                float sc = scale[c - c0], sh = shift[c - c0];
                for (int i = 0; i < HW; i++) out[off + i] = inp[off + i] * sc + sh;
            }
    }
}

void batchnorm_forward_eval(float *out, const float *inp, const float *gamma, const float *beta,
                            const float *running_mean, const float *running_var,
                            float eps, int B, int C, int HW) {
    long stride = (long)C * HW;
    for (int c = 0; c < C; c++) {
        float g = gamma ? gamma[c] : 1.0f, b = beta ? beta[c] : 0.0f;
        group_apply(out + (long)c * HW, inp + (long)c * HW, running_mean[c],
                    g / sqrtf(running_var[c] + eps), b, B, stride, HW);
    }
}

// As group_backward, a block of channels at a time (see above).
void batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                        const float *inp, const float *mean, const float *rstd,
                        const float *gamma, int B, int C, int HW) {
    double n = (double)B * HW;
    #pragma omp parallel for if ((long)B * C * HW >= NORM_PARALLEL_MIN)
    for (int c0 = 0; c0 < C; c0 += CBLOCK) {
        int c1 = c0 + CBLOCK < C ? c0 + CBLOCK : C;
        double sum_dout[CBLOCK] = {0}, sum_dout_xhat[CBLOCK] = {0};
        for (int b = 0; b < B; b++)
            for (int c = c0; c < c1; c++) {
                long off = ((long)b * C + c) * HW;
                run_sums_dy(&sum_dout[c - c0], &sum_dout_xhat[c - c0], dout + off, inp + off, HW,
                            mean[c], rstd[c]);
            }
        for (int c = c0; c < c1; c++) {
            if (dbeta) dbeta[c] += (float)sum_dout[c - c0];
            if (dgamma) dgamma[c] += (float)sum_dout_xhat[c - c0];
        }
        if (!dinp) continue;
        for (int b = 0; b < B; b++)
            for (int c = c0; c < c1; c++) {
                long off = ((long)b * C + c) * HW;
                float g = gamma ? gamma[c] : 1.0f, m = mean[c], r = rstd[c];
                float mean_g = (float)(g * sum_dout[c - c0] / n);
                float mean_g_xhat = (float)(g * sum_dout_xhat[c - c0] / n);
                for (int i = 0; i < HW; i++) {
                    float xhat = (inp[off + i] - m) * r;
                    dinp[off + i] += r * (g * dout[off + i] - mean_g - xhat * mean_g_xhat);
                }
            }
    }
}

// ---------------------------------------------------------------- instance norm

void instancenorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *gamma, const float *beta, float eps,
                          int B, int C, int HW) {
    // Every (sample, channel) is its own group: they run on threads (W3's
    // batch of one leaves nothing else to split).
    #pragma omp parallel for collapse(2) if ((long)B * C * HW >= NORM_PARALLEL_MIN)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) {
            long bc = (long)b * C + c, off = bc * HW;
            double m, v;
            group_stats(&m, &v, inp + off, 1, HW, HW);
            mean[bc] = (float)m;
            rstd[bc] = (float)(1.0 / sqrt(v + eps));
            float g = gamma ? gamma[c] : 1.0f, be = beta ? beta[c] : 0.0f;
            group_apply(out + off, inp + off, mean[bc], g * rstd[bc], be, 1, HW, HW);
        }
}

void instancenorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *inp, const float *mean, const float *rstd,
                           const float *gamma, int B, int C, int HW) {
    // Channels on threads, the samples of one channel on one thread in order:
    // dgamma[c] and dbeta[c] sum over the samples.
    #pragma omp parallel for if ((long)B * C * HW >= NORM_PARALLEL_MIN)
    for (int c = 0; c < C; c++)
        for (int b = 0; b < B; b++) {
            long bc = (long)b * C + c, off = bc * HW;
            group_backward(dinp ? dinp + off : NULL, dgamma ? dgamma + c : NULL,
                           dbeta ? dbeta + c : NULL, dout + off, inp + off, mean[bc], rstd[bc],
                           gamma ? gamma[c] : 1.0f, 1, HW, HW);
        }
}
