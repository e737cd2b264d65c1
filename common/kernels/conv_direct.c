// conv_direct.c - a stride-1 convolution to at most 4 output channels by
// direct loops, without im2col or a GEMM.
//
// Chosen by conv2d_forward / conv2d_backward (conv.c) when S = 1 and
// OC <= DIRECT_MAX_OC: the RGB image out of W3's and W4's generators (c7s1-3,
// the decoder's last 3x3), PatchGAN's one-channel logit map (W2, W3).
//
// Why it is faster: such a convolution makes a poor GEMM: M = OC rows is
// below BLIS's micro-tile, and the GEMM packs the whole col (C*K*K rows) to
// use each float OC times. Direct loops instead slide each input
// row under the kernel, reading the input from cache K*K times and never
// building col: every inner loop is a contiguous, vectorised run of OW floats.
#include <string.h>

#include "kernels/conv_paths.h"

#define DIRECT_MAX_OC 4

int conv_direct_applies(const ConvGeom *g) {
    return !g->transposed && g->S == 1 && g->OC <= DIRECT_MAX_OC;
}

// y[i] += a * x[i]
static inline void axpy_row(float *restrict y, const float *restrict x, float a, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

// y[i] += a[0] x[0][i] + ... + a[m-1] x[m-1][i], m <= 4, summed in that order.
// One loop per m: padding with zero weights would turn an inf in x into a NaN.
static inline void axpy_rows(float *restrict y, const float *const *x, const float *a, int m,
                             int n) {
    const float *restrict x0 = x[0], *restrict x1 = x[1], *restrict x2 = x[2],
                          *restrict x3 = x[3];
    float a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    switch (m) {
    case 1: for (int i = 0; i < n; i++) y[i] += a0 * x0[i]; break;
    case 2: for (int i = 0; i < n; i++) y[i] += a0 * x0[i] + a1 * x1[i]; break;
    case 3: for (int i = 0; i < n; i++) y[i] += a0 * x0[i] + a1 * x1[i] + a2 * x2[i]; break;
    default:
        for (int i = 0; i < n; i++) y[i] += a0 * x0[i] + a1 * x1[i] + a2 * x2[i] + a3 * x3[i];
    }
}

// Register tiles. The plain loops below load and store an output row once
// per (input channel, kernel offset) and output channel: three memory
// operations per multiply-add, which bound them at 16 GFLOP/s on W3's c7s1-3
// (C 32, K 7, 64x64). A tile keeps DIRECT_TILE columns of every output
// channel in registers across all of them instead, and loads each input run
// once for all OC channels. Sums run in the same order as the plain loops
// (the columns of a tile only ever skip nothing), so the results are the same.
// GCC's vector extension: 8 floats, one AVX register (two SSE ones elsewhere).
typedef float v8f __attribute__((vector_size(32)));
#define DIRECT_TILE 16   // columns per tile: two v8f per output channel

static inline v8f load8(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store8(float *p, v8f v) {
    memcpy(p, &v, sizeof v);
}

// Columns [ow0, ow0 + DIRECT_TILE) of output row oh of one image, every
// channel, when each of them reads inside the input row for every kj
// (P <= ow0, ow0 + DIRECT_TILE - 1 - P + K - 1 < W). OC is a constant once
// inlined, so acc stays in registers.
static inline __attribute__((always_inline)) void direct_tile_forward(
    float *out, const float *inp, const float *weight, const float *bias, const ConvGeom *g,
    int oh, int ow0, const int OC) {
    int K = g->K, P = g->P, H = g->H, W = g->W, C = g->C;
    long HW = (long)H * W, OHW = (long)g->OH * g->OW, CKK = (long)C * K * K;
    v8f acc[DIRECT_MAX_OC][2];
    for (int o = 0; o < OC; o++) {
        float v = bias ? bias[o] : 0.0f;
        acc[o][0] = acc[o][1] = (v8f){v, v, v, v, v, v, v, v};
    }
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++) {
            int ih = oh - P + ki;
            if (ih < 0 || ih >= H) continue;
            const float *x = inp + c * HW + (long)ih * W + ow0 - P;
            const float *w = weight + ((long)c * K + ki) * K;   // + o*CKK + kj
            for (int kj = 0; kj < K; kj++) {
                v8f x0 = load8(x + kj), x1 = load8(x + kj + 8);
                for (int o = 0; o < OC; o++) {
                    float a = w[o * CKK + kj];
                    acc[o][0] += a * x0;
                    acc[o][1] += a * x1;
                }
            }
        }
    for (int o = 0; o < OC; o++) {
        store8(out + o * OHW + (long)oh * g->OW + ow0, acc[o][0]);
        store8(out + o * OHW + (long)oh * g->OW + ow0 + 8, acc[o][1]);
    }
}

// Columns [c_lo, c_hi) of output row oh of one image, every channel: the plain loops.
static void direct_cols_forward(float *out, const float *inp, const float *weight,
                                const float *bias, const ConvGeom *g, int oh, int c_lo, int c_hi) {
    int K = g->K, P = g->P, H = g->H, W = g->W, OW = g->OW;
    long HW = (long)H * W, OHW = (long)g->OH * OW;
    if (c_lo >= c_hi) return;
    for (int o = 0; o < g->OC; o++) {
        float *row = out + o * OHW + (long)oh * OW, v = bias ? bias[o] : 0.0f;
        for (int ow = c_lo; ow < c_hi; ow++) row[ow] = v;
    }
    int lo_of[K], hi_of[K];   // the columns each kj reads inside the row, within [c_lo, c_hi)
    for (int kj = 0; kj < K; kj++) {
        conv_valid_range(&lo_of[kj], &hi_of[kj], W, OW, kj, 1, P);
        if (lo_of[kj] < c_lo) lo_of[kj] = c_lo;
        if (hi_of[kj] > c_hi) hi_of[kj] = c_hi;
    }
    for (int c = 0; c < g->C; c++)
        for (int ki = 0; ki < K; ki++) {
            int ih = oh - P + ki;
            if (ih < 0 || ih >= H) continue;
            const float *in_row = inp + c * HW + (long)ih * W;
            for (int kj = 0; kj < K; kj++) {
                int lo = lo_of[kj], hi = hi_of[kj];
                if (lo >= hi) continue;
                for (int o = 0; o < g->OC; o++)
                    axpy_row(out + o * OHW + (long)oh * OW + lo, in_row + lo - P + kj,
                             weight[(((long)o * g->C + c) * K + ki) * K + kj], hi - lo);
            }
        }
}

// out (B, OC, OH, OW) = bias + the convolution, stride 1. Output rows go to
// the threads; each row sums over every input channel and kernel offset:
//     out[o, oh, ow] += w[o, c, ki, kj] * inp[c, oh - P + ki, ow - P + kj]
// in register tiles where a whole tile reads inside the input row, the
// plain loops at the edges.
void conv_direct_forward(float *out, const float *inp, const float *weight, const float *bias,
                           const ConvGeom *g) {
    int K = g->K, P = g->P, OH = g->OH, OW = g->OW, W = g->W;
    long in_size = (long)g->C * g->H * W, out_size = (long)g->OC * OH * OW;
    // Columns that read inside the row for every kj: P <= ow <= W - K + P.
    int t_lo = P < OW ? P : OW, t_end = W - K + P + 1 < OW ? W - K + P + 1 : OW;
    int tiles = t_end > t_lo ? (t_end - t_lo) / DIRECT_TILE : 0, t_hi = t_lo + tiles * DIRECT_TILE;
    if (tiles == 0) t_lo = t_hi = OW;   // no tile: the plain loops once, over the whole row
    #pragma omp parallel for collapse(2) if ((long)g->B * g->OC * OH * OW * g->C * K * K >= (1L << 20))
    for (int b = 0; b < g->B; b++)
        for (int oh = 0; oh < OH; oh++) {
            float *ob = out + b * out_size;
            const float *ib = inp + b * in_size;
            direct_cols_forward(ob, ib, weight, bias, g, oh, 0, t_lo);
            for (int ow0 = t_lo; ow0 < t_hi; ow0 += DIRECT_TILE)
                switch (g->OC) {
                case 1: direct_tile_forward(ob, ib, weight, bias, g, oh, ow0, 1); break;
                case 2: direct_tile_forward(ob, ib, weight, bias, g, oh, ow0, 2); break;
                case 3: direct_tile_forward(ob, ib, weight, bias, g, oh, ow0, 3); break;
                default: direct_tile_forward(ob, ib, weight, bias, g, oh, ow0, 4); break;
                }
            direct_cols_forward(ob, ib, weight, bias, g, oh, t_hi, OW);
        }
}

// dweight[o, c, ki, kj0 .. kj0 + KB) += the sum over images and output
// pixels of dout[o, oh, ow] * inp[c, oh - P + ki, ow - P + kj]. The KB sums
// are vectors of 8 column lanes in registers: each dout run is loaded once
// for all KB offsets (dot products one offset at a time loaded both operands
// for every multiply-add: 20 GFLOP/s on W3's c7s1-3). Columns that read
// outside the input row for some kj (the padding) are summed one by one.
#define DIRECT_KJ_BLOCK 8

static inline __attribute__((always_inline)) void direct_dweight_block(
    float *dweight, const float *dout, const float *inp, const ConvGeom *g, int o, int c, int ki,
    int kj0, const int KB) {
    int K = g->K, P = g->P, OH = g->OH, OW = g->OW, H = g->H, W = g->W, C = g->C, OC = g->OC;
    long HW = (long)H * W, OHW = (long)OH * OW;
    // Columns that read inside the row for every kj of the kernel: P <= ow <= W - K + P.
    int t_lo = P < OW ? P : OW, t_end = W - K + P + 1 < OW ? W - K + P + 1 : OW;
    int t_hi = t_end > t_lo ? t_lo + (t_end - t_lo) / 8 * 8 : t_lo;
    int oh_lo, oh_hi;
    conv_valid_range(&oh_lo, &oh_hi, H, OH, ki, 1, P);
    v8f acc[DIRECT_KJ_BLOCK];
    float edge[DIRECT_KJ_BLOCK];
    for (int j = 0; j < KB; j++) acc[j] = (v8f){0}, edge[j] = 0.0f;
    for (int b = 0; b < g->B; b++)
        for (int oh = oh_lo; oh < oh_hi; oh++) {
            const float *d = dout + ((long)b * OC + o) * OHW + (long)oh * OW;
            const float *x = inp + ((long)b * C + c) * HW + (long)(oh - P + ki) * W - P + kj0;
            for (int ow = t_lo; ow < t_hi; ow += 8) {
                v8f dv = load8(d + ow);
                for (int j = 0; j < KB; j++) acc[j] += dv * load8(x + ow + j);
            }
            for (int j = 0; j < KB; j++) {
                int lo, hi;
                conv_valid_range(&lo, &hi, W, OW, kj0 + j, 1, P);
                for (int ow = lo; ow < hi && ow < t_lo; ow++) edge[j] += d[ow] * x[ow + j];
                for (int ow = lo > t_hi ? lo : t_hi; ow < hi; ow++) edge[j] += d[ow] * x[ow + j];
            }
        }
    for (int j = 0; j < KB; j++) {
        float s = edge[j];
        for (int l = 0; l < 8; l++) s += acc[j][l];
        dweight[(((long)o * C + c) * K + ki) * K + kj0 + j] += s;
    }
}

// The backward of conv_direct_forward: input channels go to the threads for dinp
// (each owns its plane), (output, input) channel pairs for dweight.
void conv_direct_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *inp, const float *weight, const ConvGeom *g) {
    int K = g->K, P = g->P, OH = g->OH, OW = g->OW, H = g->H, W = g->W, C = g->C, OC = g->OC;
    long HW = (long)H * W, OHW = (long)OH * OW;
    int threaded = (long)g->B * OC * OHW * C * K * K >= (1L << 20);
    if (dbias)
        for (int o = 0; o < OC; o++)
            for (int b = 0; b < g->B; b++) dbias[o] += conv_row_sum(dout + ((long)b * OC + o) * OHW, OHW);
    #pragma omp parallel if (threaded)
    {
        if (dinp) {
            // dinp[c, oh - P + ki, ow - P + kj] += sum over o of w[o, c, ki, kj] * dout[o, oh, ow]:
            // every output channel in one pass over the dinp row (one load and
            // store of it instead of OC; the loads and stores were the cost)
            #pragma omp for collapse(2)
            for (int b = 0; b < g->B; b++)
                for (int c = 0; c < C; c++)
                    for (int ki = 0; ki < K; ki++)
                        for (int kj = 0; kj < K; kj++) {
                            int oh_lo, oh_hi, lo, hi;
                            conv_valid_range(&oh_lo, &oh_hi, H, OH, ki, 1, P);
                            conv_valid_range(&lo, &hi, W, OW, kj, 1, P);
                            float w[DIRECT_MAX_OC] = {0};
                            for (int o = 0; o < OC; o++)
                                w[o] = weight[(((long)o * C + c) * K + ki) * K + kj];
                            for (int oh = oh_lo; oh < oh_hi; oh++) {
                                const float *d[DIRECT_MAX_OC];
                                for (int o = 0; o < DIRECT_MAX_OC; o++)   // absent ones unread
                                    d[o] = dout + ((long)b * OC + (o < OC ? o : 0)) * OHW
                                           + (long)oh * OW + lo;
                                axpy_rows(dinp + ((long)b * C + c) * HW
                                              + (long)(oh - P + ki) * W + lo - P + kj,
                                          d, w, OC, hi - lo);
                            }
                        }
        }
        if (dweight) {
            // dweight[o, c, ki, kj] += sum over b, oh, ow of dout[o, oh, ow] * inp[c, ...]
            #pragma omp for collapse(2)
            for (int o = 0; o < OC; o++)
                for (int c = 0; c < C; c++)
                    for (int ki = 0; ki < K; ki++)
                        for (int kj0 = 0; kj0 < K; kj0 += DIRECT_KJ_BLOCK)
                            switch (K - kj0 < DIRECT_KJ_BLOCK ? K - kj0 : DIRECT_KJ_BLOCK) {
                            case 1: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 1); break;
                            case 2: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 2); break;
                            case 3: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 3); break;
                            case 4: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 4); break;
                            case 5: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 5); break;
                            case 6: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 6); break;
                            case 7: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 7); break;
                            default: direct_dweight_block(dweight, dout, inp, g, o, c, ki, kj0, 8); break;
                            }
        }
    }
}
