// conv_exercises.c - exercises 3.1 to 3.6: convolution through one matrix
// multiply per image, and the transposed convolution as its adjoint.
//
// Letters as in conv_exercises.h; CKK = C*K*K, OCKK = OC*K*K. Tools:
//   gemm (common/kernels/gemm.h): C (M, N) = alpha * op(A) @ op(B) + beta * C,
//       row-major, trans_a / trans_b = 1 use A^T / B^T as stored.
//   g->B, g->C, g->H, g->W, g->OC, g->K, g->S, g->P, g->OH, g->OW (ConvGeom).
// The backward functions ACCUMULATE (+=) into their gradients and skip the
// ones that are NULL (the tape passes NULL for what needs no gradient).
// README section 3 works the shapes through for the DCGAN's layers.
#include <string.h>

#include "conv_exercises.h"
#include "util/exercise.h"
#include "kernels/gemm.h"

// Exercise 3.1 (8 points): im2col.
//
// One output pixel (oh, ow) of a convolution reads the K x K input pixels
//     ih = oh*S - P + ki,  iw = ow*S - P + kj      (ki, kj in [0, K))
// of every channel c. im2col writes them as column oh*OW + ow of col:
//     col[((c*K + ki)*K + kj) * (OH*OW) + oh*OW + ow] = img[(c*H + ih)*W + iw]
// and 0 where (ih, iw) falls outside [0, H) x [0, W) (the zero padding).
// Every entry of col is written. The row order (c, ki, kj) is the order of
// a weight (OC, C, K, K) flattened to (OC, C*K*K), so out = weight @ col.
// Tested against PyTorch's F.unfold, which has exactly this layout.
void l03_im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH,
                int OW) {
    /* BEGIN EXERCISE 3.1 */
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++)
            for (int kj = 0; kj < K; kj++) {
                float *row = col + ((long)(c * K + ki) * K + kj) * OH * OW;   // (OH, OW)
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * S - P + ki;
                    float *dst = row + (long)oh * OW;
                    if (ih < 0 || ih >= H) {
                        memset(dst, 0, sizeof(float) * OW);
                        continue;
                    }
                    const float *src = img + ((long)c * H + ih) * W;
                    for (int ow = 0; ow < OW; ow++) {
                        int iw = ow * S - P + kj;
                        dst[ow] = iw >= 0 && iw < W ? src[iw] : 0.0f;
                    }
                }
            }
    /* END EXERCISE 3.1 */
}

// Exercise 3.2 (8 points): col2im, the adjoint of im2col.
//
// For every entry of col whose pixel (ih, iw) (same formulas as 3.1) lies
// inside the image:  img[(c*H + ih)*W + iw] += col[...]. Entries that came
// from the padding are dropped. A pixel read by several patches (when K > S)
// receives the SUM of their entries. img is accumulated into, never cleared.
// Tested against PyTorch's F.fold and by the adjoint identity
//     <im2col(x), y> = <x, col2im(y)>   for random x and y.
void l03_col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH,
                int OW) {
    /* BEGIN EXERCISE 3.2 */
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++)
            for (int kj = 0; kj < K; kj++) {
                const float *row = col + ((long)(c * K + ki) * K + kj) * OH * OW;
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * S - P + ki;
                    if (ih < 0 || ih >= H) continue;
                    const float *src = row + (long)oh * OW;
                    float *dst = img + ((long)c * H + ih) * W;
                    for (int ow = 0; ow < OW; ow++) {
                        int iw = ow * S - P + kj;
                        if (iw >= 0 && iw < W) dst[iw] += src[ow];
                    }
                }
            }
    /* END EXERCISE 3.2 */
}

// Exercise 3.3 (10 points): convolution forward.
//
// out (B, OC, OH, OW). For each image b, with N = OH*OW:
//     col = im2col(inp_b)                         (CKK, N)   your 3.1
//     out_b (OC, N) = weight (OC, CKK) @ col      one gemm
//     out_b[o, :] += bias[o]                      when bias is not NULL
// col is scratch of conv_col_size(g) floats: room for at least one image's
// columns, which is all this function needs.
// Tested against PyTorch's F.conv2d (with and without bias, strides 1 and 2,
// paddings 0 and 1, odd sizes).
void l03_conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                        const float *bias, const ConvGeom *g) {
    /* BEGIN EXERCISE 3.3 */
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    for (int b = 0; b < g->B; b++) {
        float *out_b = out + b * out_size;
        l03_im2col(col, inp + b * in_size, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
        gemm(0, 0, g->OC, N, CKK, 1.0f, weight, CKK, col, N, 0.0f, out_b, N);
        if (bias)
            for (int o = 0; o < g->OC; o++)
                for (int i = 0; i < N; i++) out_b[(long)o * N + i] += bias[o];
    }
    /* END EXERCISE 3.3 */
}

// Exercise 3.4 (14 points): convolution backward.
//
// out_b = weight @ col_b + bias, so for each image b (dout_b is (OC, N)):
//     dbias (OC)        += the sum of each row of dout_b
//     dweight (OC, CKK) += dout_b (OC, N) @ col_b^T (N, CKK)   (im2col again:
//                          the forward's col was overwritten by later images)
//     dcol (CKK, N)      = weight^T (CKK, OC) @ dout_b (OC, N)
//     dinp_b            += col2im(dcol)                        your 3.2
// Each of dinp, dweight, dbias may be NULL: skip its work. Use col as the
// scratch for both col_b and dcol.
// Tested against PyTorch's autograd, finite differences, accumulation (a
// second call adds the same amount again) and NULL gradients.
void l03_conv2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                         const float *dout, const float *inp, const float *weight,
                         const ConvGeom *g) {
    /* BEGIN EXERCISE 3.4 */
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    for (int b = 0; b < g->B; b++) {
        const float *dout_b = dout + b * out_size;
        if (dbias)
            for (int o = 0; o < g->OC; o++) {
                float s = 0.0f;
                for (int i = 0; i < N; i++) s += dout_b[(long)o * N + i];
                dbias[o] += s;
            }
        if (dweight) {
            l03_im2col(col, inp + b * in_size, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
            gemm(0, 1, g->OC, CKK, N, 1.0f, dout_b, N, col, N, 1.0f, dweight, CKK);
        }
        if (dinp) {
            gemm(1, 0, CKK, N, g->OC, 1.0f, weight, CKK, dout_b, N, 0.0f, col, N);
            l03_col2im(dinp + b * in_size, col, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
        }
    }
    /* END EXERCISE 3.4 */
}

// Exercise 3.5 (10 points): transposed convolution forward.
//
// A transposed convolution is the backward-to-input of a convolution that
// maps (OC, OH, OW) to (C, H, W): each input pixel spreads a K x K patch of
// weights onto the output, and overlapping patches add. With N = H*W:
//     col (OCKK, N) = weight^T (OCKK, C) @ inp_b (C, N)     (weight (C, OC*K*K))
//     out_b (OC, OH, OW) = bias (or 0), then += col2im(col)  your 3.2, with the
//         output in the image's place: col2im(out_b, col, OC, OH, OW, K, S, P, H, W)
// g comes from conv_transpose2d_geom: OH = (H - 1) S - 2P + K + OP, and
// conv_col_size(g) = OCKK * H*W.
// Tested against PyTorch's F.conv_transpose2d (output_padding 0 and 1).
void l03_conv_transpose2d_forward(float *out, float *col, const float *inp, const float *weight,
                                  const float *bias, const ConvGeom *g) {
    /* BEGIN EXERCISE 3.5 */
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W, ON = g->OH * g->OW;
    long in_size = (long)g->C * N, out_size = (long)g->OC * ON;
    for (int b = 0; b < g->B; b++) {
        float *out_b = out + b * out_size;
        gemm(1, 0, OCKK, N, g->C, 1.0f, weight, OCKK, inp + b * in_size, N, 0.0f, col, N);
        for (int o = 0; o < g->OC; o++)
            for (int i = 0; i < ON; i++) out_b[(long)o * ON + i] = bias ? bias[o] : 0.0f;
        l03_col2im(out_b, col, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H, g->W);
    }
    /* END EXERCISE 3.5 */
}

// Exercise 3.6 (14 points): transposed convolution backward.
//
// The adjoint of col2im is im2col, so for each image b:
//     dbias (OC)         += the sum of dout_b over its OH*OW pixels, per channel
//     dcol (OCKK, N)      = im2col(dout_b)    im2col(col, dout_b, OC, OH, OW, K, S, P, H, W)
//     dinp_b (C, N)      += weight (C, OCKK) @ dcol (OCKK, N)
//     dweight (C, OCKK)  += inp_b (C, N) @ dcol^T (N, OCKK)
// Each gradient may be NULL. Tested like 3.4.
void l03_conv_transpose2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                                   const float *dout, const float *inp, const float *weight,
                                   const ConvGeom *g) {
    /* BEGIN EXERCISE 3.6 */
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W, ON = g->OH * g->OW;
    long in_size = (long)g->C * N, out_size = (long)g->OC * ON;
    for (int b = 0; b < g->B; b++) {
        const float *dout_b = dout + b * out_size;
        if (dbias)
            for (int o = 0; o < g->OC; o++) {
                float s = 0.0f;
                for (int i = 0; i < ON; i++) s += dout_b[(long)o * ON + i];
                dbias[o] += s;
            }
        if (!dinp && !dweight) continue;
        l03_im2col(col, dout_b, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H, g->W);
        if (dinp)
            gemm(0, 0, g->C, N, OCKK, 1.0f, weight, OCKK, col, N, 1.0f, dinp + b * in_size, N);
        if (dweight)
            gemm(0, 1, g->C, OCKK, N, 1.0f, inp + b * in_size, N, col, N, 1.0f, dweight, OCKK);
    }
    /* END EXERCISE 3.6 */
}
