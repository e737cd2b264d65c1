// conv.c - convolution as im2col + GEMM, transposed convolution as GEMM +
// col2im: the reference, one image at a time, as a textbook writes it; then
// the library's entry points, which pick a faster path for the same result.
//
// Letters as in conv.h; CKK = C*K*K, OCKK = OC*K*K, N = the GEMM's column
// count per image. Every GEMM goes through gemm() (BLIS).
//
// One output pixel (oh, ow) of a convolution reads the input pixels
//     ih = oh*S - P + ki,  iw = ow*S - P + kj   for ki, kj in [0, K)
// and treats those outside [0, H) x [0, W) as zeros (the padding).
// im2col copies them into row (c, ki, kj), column (oh, ow) of col; col2im is
// the exact adjoint: it adds every entry of col back onto the pixel it came
// from. A transposed convolution runs the same pair the other way round, with
// its output playing the role of the convolution's input.
//
// The fast paths, each tested against the *_reference functions below on the
// shapes that choose it (tests/common/test_conv.c):
//   conv_chunks.c   many images per GEMM, threads over images: every shape
//                   the next three do not take (conv_plan.c splits the work)
//   conv_bands.c    bands of output rows, for one image whose col outgrows
//                   a chunk (VGG at 128x128)
//   conv_k4s2p1.c   im2col / col2im of the k4 s2 p1 layer through its four
//                   phases (DCGAN, U-Net, PatchGAN up to 64x64)
//   conv_direct.c   direct loops without a GEMM, for a stride-1 convolution
//                   to at most 4 channels (an RGB image, a logit map)
// conv_planes.c holds the per-channel loops the GEMM paths share, and
// conv_paths.h declares what the paths share.
#include "kernels/conv.h"

#include "kernels/conv_paths.h"
#include "kernels/gemm.h"

ConvGeom conv2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P) {
    return (ConvGeom){.B = B, .C = C, .H = H, .W = W, .OC = OC, .K = K, .S = S, .P = P,
                      .OH = (H + 2 * P - K) / S + 1, .OW = (W + 2 * P - K) / S + 1};
}

ConvGeom conv_transpose2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P, int OP) {
    return (ConvGeom){.B = B, .C = C, .H = H, .W = W, .OC = OC, .K = K, .S = S, .P = P, .OP = OP,
                      .OH = (H - 1) * S - 2 * P + K + OP, .OW = (W - 1) * S - 2 * P + K + OP,
                      .transposed = 1};
}

// ---------------------------------------------------------------- im2col and col2im

void im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++)
            for (int kj = 0; kj < K; kj++) {
                float *row = col + ((long)(c * K + ki) * K + kj) * OH * OW;   // (OH, OW)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        int ih = oh * S - P + ki, iw = ow * S - P + kj;
                        int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                        row[(long)oh * OW + ow] = inside ? img[((long)c * H + ih) * W + iw] : 0.0f;
                    }
            }
}

void col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++)
            for (int kj = 0; kj < K; kj++) {
                const float *row = col + ((long)(c * K + ki) * K + kj) * OH * OW;
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        int ih = oh * S - P + ki, iw = ow * S - P + kj;
                        if (ih >= 0 && ih < H && iw >= 0 && iw < W)   // padding goes nowhere
                            img[((long)c * H + ih) * W + iw] += row[(long)oh * OW + ow];
                    }
            }
}

// ---------------------------------------------------------------- the reference

void conv2d_forward_reference(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    for (int b = 0; b < g->B; b++) {
        float *o = out + (long)b * g->OC * N;                        // (OC, N)
        // col (CKK, N) = the patches of image b
        im2col(col, inp + (long)b * g->C * g->H * g->W, g->C, g->H, g->W, g->K, g->S, g->P, g->OH,
               g->OW);
        // out_b (OC, N) = weight (OC, CKK) @ col (CKK, N)
        gemm(0, 0, g->OC, N, CKK, 1.0f, weight, CKK, col, N, 0.0f, o, N);
        for (int oc = 0; bias && oc < g->OC; oc++)
            for (int i = 0; i < N; i++) o[(long)oc * N + i] += bias[oc];
    }
}

void conv2d_backward_reference(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W;
    for (int b = 0; b < g->B; b++) {
        const float *d = dout + (long)b * g->OC * N;                 // (OC, N)
        for (int oc = 0; dbias && oc < g->OC; oc++)
            for (int i = 0; i < N; i++) dbias[oc] += d[(long)oc * N + i];
        if (dweight) {
            // dweight (OC, CKK) += dout_b (OC, N) @ col^T (N, CKK)
            im2col(col, inp + b * in_size, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
            gemm(0, 1, g->OC, CKK, N, 1.0f, d, N, col, N, 1.0f, dweight, CKK);
        }
        if (dinp) {
            // dcol (CKK, N) = weight^T (CKK, OC) @ dout_b (OC, N), then back onto the pixels
            gemm(1, 0, CKK, N, g->OC, 1.0f, weight, CKK, d, N, 0.0f, col, N);
            col2im(dinp + b * in_size, col, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW);
        }
    }
}

// The input pixels (H, W) are the patch positions of the output (OC, OH, OW):
// each input pixel spreads a K x K patch of weights onto the output.
void conv_transpose2d_forward_reference(float *out, float *col, const float *inp,
                                        const float *weight, const float *bias,
                                        const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W;
    long OHW = (long)g->OH * g->OW;
    for (int b = 0; b < g->B; b++) {
        float *o = out + (long)b * g->OC * OHW;                      // (OC, OH, OW)
        for (int oc = 0; oc < g->OC; oc++)
            for (long i = 0; i < OHW; i++) o[oc * OHW + i] = bias ? bias[oc] : 0.0f;
        // col (OCKK, N) = weight^T (OCKK, C) @ inp_b (C, N); weight is (C, OC, K, K)
        gemm(1, 0, OCKK, N, g->C, 1.0f, weight, OCKK, inp + (long)b * g->C * N, N, 0.0f, col, N);
        // out_b += col scattered back, the output in the image's place
        col2im(o, col, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H, g->W);
    }
}

void conv_transpose2d_backward_reference(float *dinp, float *dweight, float *dbias, float *col,
                                         const float *dout, const float *inp,
                                         const float *weight, const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W;
    long OHW = (long)g->OH * g->OW;
    for (int b = 0; b < g->B; b++) {
        const float *d = dout + (long)b * g->OC * OHW;               // (OC, OH, OW)
        for (int oc = 0; dbias && oc < g->OC; oc++)
            for (long i = 0; i < OHW; i++) dbias[oc] += d[oc * OHW + i];
        if (!dinp && !dweight) continue;
        // dcol (OCKK, N) = im2col(dout_b), the adjoint of col2im
        im2col(col, d, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H, g->W);
        // dweight (C, OCKK) += inp_b (C, N) @ dcol^T (N, OCKK)
        if (dweight)
            gemm(0, 1, g->C, OCKK, N, 1.0f, inp + (long)b * g->C * N, N, col, N, 1.0f, dweight,
                 OCKK);
        // dinp_b (C, N) += weight (C, OCKK) @ dcol (OCKK, N)
        if (dinp)
            gemm(0, 0, g->C, N, OCKK, 1.0f, weight, OCKK, col, N, 1.0f, dinp + (long)b * g->C * N,
                 N);
    }
}

// ---------------------------------------------------------------- the entry points
// The path depends on the shape (and the thread count) only, so a layer
// always takes the same one and a run is reproducible.

void conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                    const float *bias, const ConvGeom *g) {
    if (conv_direct_applies(g)) conv_direct_forward(out, inp, weight, bias, g);
    else conv2d_forward_chunks(out, col, inp, weight, bias, g);
}

void conv2d_backward(float *dinp, float *dweight, float *dbias, float *col, const float *dout,
                     const float *inp, const float *weight, const ConvGeom *g) {
    if (conv_direct_applies(g)) conv_direct_backward(dinp, dweight, dbias, dout, inp, weight, g);
    else conv2d_backward_chunks(dinp, dweight, dbias, col, dout, inp, weight, g);
}

void conv_transpose2d_forward(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g) {
    conv_transpose2d_forward_chunks(out, col, inp, weight, bias, g);
}

void conv_transpose2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g) {
    conv_transpose2d_backward_chunks(dinp, dweight, dbias, col, dout, inp, weight, g);
}
