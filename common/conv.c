// conv.c - convolution as im2col + GEMM, transposed convolution as GEMM + col2im.
//
// Letters as in conv.h; CKK = C*K*K, OCKK = OC*K*K, N = the GEMM's column
// count per image (pixels of one image). Every GEMM goes through gemm() (BLIS).
//
// One output pixel (oh, ow) of a convolution reads the input pixels
//     ih = oh*S - P + ki,  iw = ow*S - P + kj   for ki, kj in [0, K)
// and treats those outside [0, H) x [0, W) as zeros (the padding).
// im2col copies them into row (c, ki, kj), column (oh, ow) of col; col2im is
// the exact adjoint: it adds every entry of col back onto the pixel it came
// from. A transposed convolution runs the same pair the other way round, with
// its output playing the role of the convolution's input.
//
// Many images per GEMM. One image's GEMM is small in a DCGAN: at 7x7 it has
// N = 49 columns, too few for BLIS to reach its speed or to split over two
// cores. So the kernels take the images in chunks of nb: im2col writes image
// b's columns into columns [b*N, (b+1)*N) of one wide col (CKK, nb*N), and one
// GEMM does the whole chunk. The GEMM's other matrix (the output of a
// convolution, the input of a transposed one, their gradients) is then
// (channels, nb*N), while a tensor is (nb, channels, N): a second scratch
// area, `mat`, holds that matrix, and gather_rows / scatter_rows copy between
// the two layouts, which costs little next to the GEMM.
// chunk_images() picks nb; conv_col_size() is the scratch of one chunk.
#include "conv.h"

#include <string.h>

#include "gemm.h"

// Below this many floats copied, a loop is not worth starting threads for.
#define PARALLEL_MIN (1L << 14)
// The scratch (col + mat) of one chunk stays under 1M floats (4 MiB): a few
// hundred GEMM columns already run at close to full speed, and a smaller col
// is still in cache when the GEMM reads it back (measured on W1: 4 MiB chunks
// beat 16 MiB ones and one-image ones).
#define CHUNK_FLOATS (1L << 20)

ConvGeom conv2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P) {
    return (ConvGeom){.B = B, .C = C, .H = H, .W = W, .OC = OC, .K = K, .S = S, .P = P,
                      .OH = (H + 2 * P - K) / S + 1, .OW = (W + 2 * P - K) / S + 1};
}

ConvGeom conv_transpose2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P, int OP) {
    return (ConvGeom){.B = B, .C = C, .H = H, .W = W, .OC = OC, .K = K, .S = S, .P = P, .OP = OP,
                      .OH = (H - 1) * S - 2 * P + K + OP, .OW = (W - 1) * S - 2 * P + K + OP,
                      .transposed = 1};
}

// The GEMM columns of one image, and the rows of col and mat. A convolution
// unrolls its input: col (CKK, N), mat = its output (OC, N), N = OH*OW. A
// transposed convolution unrolls its output: col (OCKK, N), mat = its input
// (C, N), N = H*W.
static void chunk_dims(const ConvGeom *g, long *N, long *col_rows, long *mat_rows) {
    long kk = (long)g->K * g->K;
    *N = g->transposed ? (long)g->H * g->W : (long)g->OH * g->OW;
    *col_rows = (g->transposed ? g->OC : g->C) * kk;
    *mat_rows = g->transposed ? g->C : g->OC;
}

// Images per chunk: as many as fit in CHUNK_FLOATS (at least one), spread
// evenly, so that 64 images that fit 37 at a time run as 32 + 32, not 37 + 27.
static int chunk_images(const ConvGeom *g) {
    long N, col_rows, mat_rows;
    chunk_dims(g, &N, &col_rows, &mat_rows);
    long fit = CHUNK_FLOATS / ((col_rows + mat_rows) * N);
    if (fit < 1) fit = 1;
    if (fit > g->B) fit = g->B;
    int chunks = (int)((g->B + fit - 1) / fit);
    return (g->B + chunks - 1) / chunks;
}

// A convolution's backward also keeps its weight transposed (see
// conv2d_backward), after the chunk's col and mat.
long conv_col_size(const ConvGeom *g) {
    long N, col_rows, mat_rows;
    chunk_dims(g, &N, &col_rows, &mat_rows);
    long weight_t = g->transposed ? 0 : (long)g->OC * col_rows;
    return (col_rows + mat_rows) * chunk_images(g) * N + weight_t;
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

// im2col of one channel: img (H, W) -> its K*K rows of col, `ld` floats
// apart; row (ki, kj) holds the (OH, OW) patch positions. ld is OH*OW for
// one image alone, nb*OH*OW inside a chunk.
//
// The rows are short (7 or 14 floats in a DCGAN), and at stride 2 a vector
// loop would need gathers: GCC's vectorised versions of these two loops ran
// 2-3x slower than plain scalar ones here, hence the optimize attribute.
// Stride 1 copies with memcpy, which stays fast on long rows.
__attribute__((optimize("no-tree-vectorize")))
static void im2col_plane(float *rows, long ld, const float *img, int H, int W, int K, int S,
                         int P, int OH, int OW) {
    for (int ki = 0; ki < K; ki++) {
        int oh_lo, oh_hi;
        valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
        for (int kj = 0; kj < K; kj++) {
            int ow_lo, ow_hi;
            valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
            float *row = rows + (long)(ki * K + kj) * ld;  // (OH, OW)
            for (int oh = 0; oh < OH; oh++) {
                float *dst = row + (long)oh * OW;
                int ow = 0;
                if (oh < oh_lo || oh >= oh_hi) {   // the row falls in the top or bottom padding
                    for (; ow < OW; ow++) dst[ow] = 0.0f;
                    continue;
                }
                // src[ow*S] is input pixel (ih, ow*S - P + kj) of output column ow
                const float *src = img + (long)(oh * S - P + ki) * W - P + kj;
                for (; ow < ow_lo; ow++) dst[ow] = 0.0f;
                if (S == 1) {
                    memcpy(dst + ow_lo, src + ow_lo, sizeof(float) * (ow_hi - ow_lo));
                    ow = ow_hi;
                }
                for (; ow < ow_hi; ow++) dst[ow] = src[ow * S];
                for (; ow < OW; ow++) dst[ow] = 0.0f;
            }
        }
    }
}

// The adjoint of im2col_plane: img (H, W) += the K*K rows scattered back.
__attribute__((optimize("no-tree-vectorize")))
static void col2im_plane(float *img, const float *rows, long ld, int H, int W, int K, int S,
                         int P, int OH, int OW) {
    for (int ki = 0; ki < K; ki++) {
        int oh_lo, oh_hi;
        valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
        for (int kj = 0; kj < K; kj++) {
            int ow_lo, ow_hi;
            valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
            const float *row = rows + (long)(ki * K + kj) * ld;
            // Entries that came from the padding have no pixel to go back to.
            for (int oh = oh_lo; oh < oh_hi; oh++) {
                const float *src = row + (long)oh * OW;
                float *dst = img + (long)(oh * S - P + ki) * W - P + kj;
                for (int ow = ow_lo; ow < ow_hi; ow++) dst[ow * S] += src[ow];
            }
        }
    }
}

void im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    long N = (long)OH * OW;
    for (int c = 0; c < C; c++)
        im2col_plane(col + (long)c * K * K * N, N, img + (long)c * H * W, H, W, K, S, P, OH, OW);
}

void col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    long N = (long)OH * OW;
    for (int c = 0; c < C; c++)
        col2im_plane(img + (long)c * H * W, col + (long)c * K * K * N, N, H, W, K, S, P, OH, OW);
}

// ---------------------------------------------------------------- chunks of images
// Every (image, channel) plane is independent, so these loops run on
// threads over the planes: over images for a large batch of small images,
// over channels for one large image.

// col (C*K*K, n*N) <- the patches of n images img (n, C, H, W), N = OH*OW.
static void im2col_chunk(float *col, const float *img, int n, int C, int H, int W, int K, int S,
                         int P, int OH, int OW) {
    long N = (long)OH * OW, ld = n * N, KK = (long)K * K, HW = (long)H * W;
    #pragma omp parallel for collapse(2) if (KK * ld * C >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (int c = 0; c < C; c++)
            im2col_plane(col + c * KK * ld + b * N, ld, img + ((long)b * C + c) * HW, H, W, K, S,
                         P, OH, OW);
}

// img (n, C, H, W) += the columns of col (C*K*K, n*N) scattered back.
static void col2im_chunk(float *img, const float *col, int n, int C, int H, int W, int K, int S,
                         int P, int OH, int OW) {
    long N = (long)OH * OW, ld = n * N, KK = (long)K * K, HW = (long)H * W;
    #pragma omp parallel for collapse(2) if (KK * ld * C >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (int c = 0; c < C; c++)
            col2im_plane(img + ((long)b * C + c) * HW, col + c * KK * ld + b * N, ld, H, W, K, S,
                         P, OH, OW);
}

// mat (R, n*N) <- x (n, R, N): row r of mat is row r of every image, side by side.
static void gather_rows(float *mat, const float *x, int n, long R, long N) {
    #pragma omp parallel for collapse(2) if (n * R * N >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (long r = 0; r < R; r++)
            memcpy(mat + r * n * N + b * N, x + (b * R + r) * N, sizeof(float) * N);
}

// x (n, R, N) = mat (R, n*N) + bias (R) (NULL: none), the inverse of
// gather_rows; with accumulate, x += mat instead.
static void scatter_rows(float *x, const float *mat, const float *bias, int accumulate, int n,
                         long R, long N) {
    #pragma omp parallel for collapse(2) if (n * R * N >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (long r = 0; r < R; r++) {
            const float *src = mat + r * n * N + b * N;
            float *dst = x + (b * R + r) * N;
            float add = bias ? bias[r] : 0.0f;
            if (accumulate)
                for (long i = 0; i < N; i++) dst[i] += src[i];
            else
                for (long i = 0; i < N; i++) dst[i] = src[i] + add;
        }
}

// dbias (R) += the sum of every image's row r of dout (B, R, N). Channels go
// to threads, so each sum is one thread's, in the same order as with one.
static void sum_rows(float *dbias, const float *dout, int B, long R, long N) {
    #pragma omp parallel for if (B * R * N >= PARALLEL_MIN)
    for (long r = 0; r < R; r++)
        for (int b = 0; b < B; b++) {
            const float *row = dout + (b * R + r) * N;
            float s = 0.0f;
            for (long i = 0; i < N; i++) s += row[i];
            dbias[r] += s;
        }
}

// ---------------------------------------------------------------- convolution

void conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                    const float *bias, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW, nb = chunk_images(g);
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    float *mat = col + (long)CKK * nb * N;                      // (OC, nb*N)
    for (int b0 = 0; b0 < g->B; b0 += nb) {
        int n = g->B - b0 < nb ? g->B - b0 : nb, cols = n * N;
        im2col_chunk(col, inp + b0 * in_size, n, g->C, g->H, g->W, g->K, g->S, g->P, g->OH,
                     g->OW);
        // mat (OC, n*N) = weight (OC, CKK) @ col (CKK, n*N)
        gemm(0, 0, g->OC, cols, CKK, 1.0f, weight, CKK, col, cols, 0.0f, mat, cols);
        scatter_rows(out + b0 * out_size, mat, bias, 0, n, g->OC, N);
    }
}

void conv2d_backward(float *dinp, float *dweight, float *dbias, float *col, const float *dout,
                     const float *inp, const float *weight, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW, nb = chunk_images(g);
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    if (dbias) sum_rows(dbias, dout, g->B, g->OC, N);
    if (!dinp && !dweight) return;
    float *mat = col + (long)CKK * nb * N;                      // (OC, nb*N)
    // dcol = weight^T @ dout below. BLIS ran that product about 2x slower
    // with the transpose flag on weight (OC, CKK) than on a copy stored
    // transposed (measured at W1's shapes, CKK = 1024, OC = 128), and the
    // copy costs OC*CKK floats once per call.
    float *weight_t = mat + (long)g->OC * nb * N;               // (CKK, OC)
    if (dinp)
        for (int o = 0; o < g->OC; o++)
            for (int k = 0; k < CKK; k++) weight_t[(long)k * g->OC + o] = weight[(long)o * CKK + k];
    for (int b0 = 0; b0 < g->B; b0 += nb) {
        int n = g->B - b0 < nb ? g->B - b0 : nb, cols = n * N;
        gather_rows(mat, dout + b0 * out_size, n, g->OC, N);  // dout of the chunk (OC, n*N)
        if (dweight) {
            // dweight (OC, CKK) += dout (OC, n*N) @ col^T (n*N, CKK)
            im2col_chunk(col, inp + b0 * in_size, n, g->C, g->H, g->W, g->K, g->S, g->P, g->OH,
                         g->OW);
            gemm(0, 1, g->OC, CKK, cols, 1.0f, mat, cols, col, cols, 1.0f, dweight, CKK);
        }
        if (dinp) {
            // dcol (CKK, n*N) = weight^T (CKK, OC) @ dout (OC, n*N), then back to pixels
            gemm(0, 0, CKK, cols, g->OC, 1.0f, weight_t, g->OC, mat, cols, 0.0f, col, cols);
            col2im_chunk(dinp + b0 * in_size, col, n, g->C, g->H, g->W, g->K, g->S, g->P, g->OH,
                         g->OW);
        }
    }
}

// ---------------------------------------------------------------- transposed convolution
// The input pixels (H, W) are the patch positions of the output (OC, OH, OW):
// each input pixel spreads a K x K patch of weights onto the output.

// x (n, R, N) = bias broadcast along each row (or 0): col2im then adds onto it.
static void fill_bias(float *x, const float *bias, int n, long R, long N) {
    #pragma omp parallel for collapse(2) if (n * R * N >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (long r = 0; r < R; r++) {
            float *row = x + (b * R + r) * N, v = bias ? bias[r] : 0.0f;
            for (long i = 0; i < N; i++) row[i] = v;
        }
}

void conv_transpose2d_forward(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W, nb = chunk_images(g);
    long in_size = (long)g->C * N, out_size = (long)g->OC * g->OH * g->OW;
    float *mat = col + (long)OCKK * nb * N;                     // (C, nb*N)
    fill_bias(out, bias, g->B, g->OC, (long)g->OH * g->OW);
    for (int b0 = 0; b0 < g->B; b0 += nb) {
        int n = g->B - b0 < nb ? g->B - b0 : nb, cols = n * N;
        gather_rows(mat, inp + b0 * in_size, n, g->C, N);     // the chunk's input (C, n*N)
        // col (OCKK, n*N) = weight^T (OCKK, C) @ inp (C, n*N)
        gemm(1, 0, OCKK, cols, g->C, 1.0f, weight, OCKK, mat, cols, 0.0f, col, cols);
        col2im_chunk(out + b0 * out_size, col, n, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H,
                     g->W);
    }
}

void conv_transpose2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W, nb = chunk_images(g);
    long in_size = (long)g->C * N, out_size = (long)g->OC * g->OH * g->OW;
    if (dbias) sum_rows(dbias, dout, g->B, g->OC, (long)g->OH * g->OW);
    if (!dinp && !dweight) return;
    float *mat = col + (long)OCKK * nb * N;                     // (C, nb*N)
    for (int b0 = 0; b0 < g->B; b0 += nb) {
        int n = g->B - b0 < nb ? g->B - b0 : nb, cols = n * N;
        // The adjoint of col2im: dcol (OCKK, n*N) gathers dout's patches.
        im2col_chunk(col, dout + b0 * out_size, n, g->OC, g->OH, g->OW, g->K, g->S, g->P, g->H,
                     g->W);
        if (dweight) {
            // dweight (C, OCKK) += inp (C, n*N) @ dcol^T (n*N, OCKK)
            gather_rows(mat, inp + b0 * in_size, n, g->C, N);
            gemm(0, 1, g->C, OCKK, cols, 1.0f, mat, cols, col, cols, 1.0f, dweight, OCKK);
        }
        if (dinp) {
            // dinp (C, n*N) += weight (C, OCKK) @ dcol (OCKK, n*N), via mat
            gemm(0, 0, g->C, cols, OCKK, 1.0f, weight, OCKK, col, cols, 0.0f, mat, cols);
            scatter_rows(dinp + b0 * in_size, mat, NULL, 1, n, g->C, N);
        }
    }
}
