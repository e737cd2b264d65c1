// conv.c - convolution as im2col + GEMM, transposed convolution as GEMM + col2im.
//
// Letters as in conv.h; CKK = C*K*K, OCKK = OC*K*K, N = the GEMM's column
// count (pixels of one image). Every GEMM goes through gemm() (BLIS).
//
// One output pixel (oh, ow) of a convolution reads the input pixels
//     ih = oh*S - P + ki,  iw = ow*S - P + kj   for ki, kj in [0, K)
// and treats those outside [0, H) x [0, W) as zeros (the padding).
// im2col copies them into row (c, ki, kj), column (oh, ow) of col; col2im is
// the exact adjoint: it adds every entry of col back onto the pixel it came
// from. A transposed convolution runs the same pair the other way round, with
// its output playing the role of the convolution's input.
#include "conv.h"

#include <string.h>

#include "gemm.h"

ConvGeom conv2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P) {
    return (ConvGeom){.B = B, .C = C, .H = H, .W = W, .OC = OC, .K = K, .S = S, .P = P,
                      .OH = (H + 2 * P - K) / S + 1, .OW = (W + 2 * P - K) / S + 1};
}

ConvGeom conv_transpose2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P, int OP) {
    return (ConvGeom){.B = B, .C = C, .H = H, .W = W, .OC = OC, .K = K, .S = S, .P = P, .OP = OP,
                      .OH = (H - 1) * S - 2 * P + K + OP, .OW = (W - 1) * S - 2 * P + K + OP,
                      .transposed = 1};
}

long conv_col_size(const ConvGeom *g) {
    long kk = (long)g->K * g->K;
    return g->transposed ? (long)g->OC * kk * g->H * g->W : (long)g->C * kk * g->OH * g->OW;
}

// The output positions o in [0, n_out) whose input position o*S - P + k lies
// in [0, n_in) form one interval [*lo, *hi). Computing it once per kernel
// offset keeps the bounds test out of the pixel loops.
static void valid_range(int *lo, int *hi, int n_in, int n_out, int k, int S, int P) {
    int first = P - k;               // o*S >= P - k
    int last = n_in - 1 + P - k;     // o*S <= n_in - 1 + P - k
    int a = first <= 0 ? 0 : (first + S - 1) / S;
    int b = last < 0 ? 0 : last / S + 1;
    if (b > n_out) b = n_out;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

void im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++) {
            int oh_lo, oh_hi;
            valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
            for (int kj = 0; kj < K; kj++) {
                int ow_lo, ow_hi;
                valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
                float *row = col + ((long)(c * K + ki) * K + kj) * OH * OW;  // (OH, OW)
                // Whole output rows that fall in the top or bottom padding.
                memset(row, 0, sizeof(float) * oh_lo * OW);
                memset(row + (long)oh_hi * OW, 0, sizeof(float) * (OH - oh_hi) * OW);
                int n = ow_hi - ow_lo, iw0 = ow_lo * S - P + kj;
                for (int oh = oh_lo; oh < oh_hi; oh++) {
                    float *dst = row + (long)oh * OW;
                    // src[i*S] is input pixel (ih, iw0 + i*S), output column ow_lo + i
                    const float *src = img + ((long)c * H + oh * S - P + ki) * W + iw0;
                    for (int ow = 0; ow < ow_lo; ow++) dst[ow] = 0.0f;
                    if (S == 1) {
                        memcpy(dst + ow_lo, src, sizeof(float) * n);
                    } else {
                        for (int i = 0; i < n; i++) dst[ow_lo + i] = src[i * S];
                    }
                    for (int ow = ow_hi; ow < OW; ow++) dst[ow] = 0.0f;
                }
            }
        }
}

void col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++) {
            int oh_lo, oh_hi;
            valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
            for (int kj = 0; kj < K; kj++) {
                int ow_lo, ow_hi;
                valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
                const float *row = col + ((long)(c * K + ki) * K + kj) * OH * OW;
                // Entries that came from the padding have no pixel to go back to.
                int n = ow_hi - ow_lo, iw0 = ow_lo * S - P + kj;
                for (int oh = oh_lo; oh < oh_hi; oh++) {
                    const float *src = row + (long)oh * OW + ow_lo;
                    float *dst = img + ((long)c * H + oh * S - P + ki) * W + iw0;
                    for (int i = 0; i < n; i++) dst[i * S] += src[i];
                }
            }
        }
}

// out (OC, N) += bias broadcast along each row.
static void add_bias(float *out, const float *bias, int OC, int N) {
    for (int o = 0; o < OC; o++) {
        float b = bias[o];
        float *row = out + (long)o * N;
        for (int i = 0; i < N; i++) row[i] += b;
    }
}

// dbias (OC) += the sum of each row of dout (OC, N).
static void sum_rows(float *dbias, const float *dout, int OC, int N) {
    for (int o = 0; o < OC; o++) {
        const float *row = dout + (long)o * N;
        float s = 0.0f;
        for (int i = 0; i < N; i++) s += row[i];
        dbias[o] += s;
    }
}

// ---------------------------------------------------------------- convolution

void conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                    const float *bias, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    for (int b = 0; b < g->B; b++) {
        float *out_b = out + b * out_size;                      // (OC, OH*OW)
        im2col(col, inp + b * in_size, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
        // out_b = weight (OC, CKK) @ col (CKK, N)
        gemm(0, 0, g->OC, N, CKK, 1.0f, weight, CKK, col, N, 0.0f, out_b, N);
        if (bias) add_bias(out_b, bias, g->OC, N);
    }
}

void conv2d_backward(float *dinp, float *dweight, float *dbias, float *col, const float *dout,
                     const float *inp, const float *weight, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    for (int b = 0; b < g->B; b++) {
        const float *dout_b = dout + b * out_size;              // (OC, OH*OW)
        if (dbias) sum_rows(dbias, dout_b, g->OC, N);
        if (dweight) {
            // dweight (OC, CKK) += dout_b (OC, N) @ col^T (N, CKK)
            im2col(col, inp + b * in_size, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
            gemm(0, 1, g->OC, CKK, N, 1.0f, dout_b, N, col, N, 1.0f, dweight, CKK);
        }
        if (dinp) {
            // dcol (CKK, N) = weight^T (CKK, OC) @ dout_b (OC, N), then back to pixels
            gemm(1, 0, CKK, N, g->OC, 1.0f, weight, CKK, dout_b, N, 0.0f, col, N);
            col2im(dinp + b * in_size, col, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
        }
    }
}

// ---------------------------------------------------------------- transposed convolution
// The input pixels (H, W) are the patch positions of the output (OC, OH, OW):
// each input pixel spreads a K x K patch of weights onto the output.

void conv_transpose2d_forward(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W;
    long in_size = (long)g->C * N, out_size = (long)g->OC * g->OH * g->OW;
    for (int b = 0; b < g->B; b++) {
        float *out_b = out + b * out_size;                      // (OC, OH, OW)
        // col (OCKK, N) = weight^T (OCKK, C) @ inp_b (C, N)
        gemm(1, 0, OCKK, N, g->C, 1.0f, weight, OCKK, inp + b * in_size, N, 0.0f, col, N);
        // col2im adds onto out_b, so out_b starts as the bias (or zero).
        memset(out_b, 0, sizeof(float) * out_size);
        if (bias) add_bias(out_b, bias, g->OC, g->OH * g->OW);
        col2im(out_b, col, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H, g->W);
    }
}

void conv_transpose2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W;
    long in_size = (long)g->C * N, out_size = (long)g->OC * g->OH * g->OW;
    for (int b = 0; b < g->B; b++) {
        const float *dout_b = dout + b * out_size;              // (OC, OH, OW)
        if (dbias) sum_rows(dbias, dout_b, g->OC, g->OH * g->OW);
        if (!dinp && !dweight) continue;
        // The adjoint of col2im: dcol (OCKK, N) gathers dout_b's patches.
        im2col(col, dout_b, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H, g->W);
        // dinp_b (C, N) += weight (C, OCKK) @ dcol (OCKK, N)
        if (dinp)
            gemm(0, 0, g->C, N, OCKK, 1.0f, weight, OCKK, col, N, 1.0f, dinp + b * in_size, N);
        // dweight (C, OCKK) += inp_b (C, N) @ dcol^T (N, OCKK)
        if (dweight)
            gemm(0, 1, g->C, OCKK, N, 1.0f, inp + b * in_size, N, col, N, 1.0f, dweight, OCKK);
    }
}
