// conv_chunks.c - the GEMM path of convolution and transposed convolution:
// many images per GEMM, threads over images.
//
// Letters as in conv.h; CKK = C*K*K, OCKK = OC*K*K, N = the GEMM's column
// count per image (pixels of one image). Every GEMM goes through gemm() (BLIS).
//
// conv.c says what im2col and col2im compute; this file runs them, and the
// GEMMs, on many images at once.
//
// Why it is faster than one image at a time: one image's GEMM is small in a DCGAN: at 7x7 it has
// N = 49 columns, too few for BLIS to reach its speed or to split over two
// cores. So the kernels take the images in chunks of nb: im2col writes image
// b's columns into columns [b*N, (b+1)*N) of one wide col (CKK, nb*N), and one
// GEMM does the whole chunk. The GEMM's other matrix (the output of a
// convolution, the input of a transposed one, their gradients) is then
// (channels, nb*N), while a tensor is (nb, channels, N): a second scratch
// area, `mat`, holds that matrix, and gather_rows / scatter_rows copy between
// the two layouts, which costs little next to the GEMM.
// conv_plan.c picks nb and sizes the scratch (conv_col_size).
//
// Chosen for every shape conv_direct.c does not take, i.e. every transposed
// convolution and every convolution to more than 4 channels or at a stride
// above 1; an image too large for a chunk goes to conv_bands.c from here.
// Its results match conv.c's reference up to float rounding; the tests check
// that on shapes that take each branch (one chunk, several, threads over
// images, bands).
#include <omp.h>
#include <string.h>

#include "kernels/conv_paths.h"
#include "kernels/gemm.h"

// ---------------------------------------------------------------- chunks of images
// Every (image, channel) plane is independent, so with `threaded` these
// loops run on threads over the planes: over images for a large batch of
// small images, over channels for one large image. Inside a slice (threads
// over images) they run on the slice's own thread: `threaded` is 0.

// col (C*K*K, n*N) <- the patches of n images img (n, C, H, W), N = OH*OW.
static void im2col_chunk(float *col, const float *img, int n, int C, int H, int W, int K, int S,
                         int P, int OH, int OW, int threaded) {
    long N = (long)OH * OW, ld = n * N, KK = (long)K * K, HW = (long)H * W;
    #pragma omp parallel for collapse(2) if (threaded && KK * ld * C >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (int c = 0; c < C; c++)
            conv_im2col_plane(col + c * KK * ld + b * N, ld, img + ((long)b * C + c) * HW, H, W, K, S,
                         P, OH, OW, 0, OH);
}

// img (n, C, H, W) += the columns of col (C*K*K, n*N) scattered back; the
// images are img_stride floats apart (C*H*W, or more for a block of channels).
static void col2im_chunk(float *img, long img_stride, const float *col, int n, int C, int H,
                         int W, int K, int S, int P, int OH, int OW, int threaded) {
    long N = (long)OH * OW, ld = n * N, KK = (long)K * K, HW = (long)H * W;
    #pragma omp parallel for collapse(2) if (threaded && KK * ld * C >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (int c = 0; c < C; c++)
            conv_col2im_plane(img + b * img_stride + c * HW, col + c * KK * ld + b * N, ld, H, W, K, S,
                         P, OH, OW, 0, OH);
}
// img (n, C, H, W) += col2im(op(A) @ Bm), the product (C*K*K, cols) made in
// blocks of channels into the start of col. op(A) is (C*K*K, kdim): A stored
// (C*K*K, lda) or, with trans_a, (kdim, lda). Bm is (kdim, cols), cols = n*N.
static void gemm_col2im(float *img, long img_stride, float *col, int trans_a, const float *A,
                        int lda, const float *Bm, int kdim, int n, int C, int H, int W, int K,
                        int S, int P, int OH, int OW, int threaded) {
    int KK = K * K, cols = n * OH * OW, cb = conv_channel_block(KK, cols);
    for (int c0 = 0; c0 < C; c0 += cb) {
        int nc = C - c0 < cb ? C - c0 : cb;
        long r0 = (long)c0 * KK;
        gemm(trans_a, 0, nc * KK, cols, kdim, 1.0f, trans_a ? A + r0 : A + r0 * lda, lda, Bm,
             cols, 0.0f, col, cols);
        col2im_chunk(img + (long)c0 * H * W, img_stride, col, n, nc, H, W, K, S, P, OH, OW,
                     threaded);
    }
}

// mat (R, n*N) <- x (n, R, N): row r of mat is row r of every image, side by side.
static void gather_rows(float *mat, const float *x, int n, long R, long N, int threaded) {
    #pragma omp parallel for collapse(2) if (threaded && n * R * N >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (long r = 0; r < R; r++)
            memcpy(mat + r * n * N + b * N, x + (b * R + r) * N, sizeof(float) * N);
}

// x (n, R, N) = mat (R, n*N) + bias (R) (NULL: none), the inverse of
// gather_rows; with accumulate, x += mat instead.
static void scatter_rows(float *x, const float *mat, const float *bias, int accumulate, int n,
                         long R, long N, int threaded) {
    #pragma omp parallel for collapse(2) if (threaded && n * R * N >= PARALLEL_MIN)
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
// to the threads of the enclosing region (an orphaned `omp for`), so each
// sum is one thread's, in the same order whatever the thread count.
static void sum_rows(float *dbias, const float *dout, int B, long R, long N) {
    #pragma omp for
    for (long r = 0; r < R; r++)
        for (int b = 0; b < B; b++) dbias[r] += conv_row_sum(dout + (b * R + r) * N, N);
}

// The weight gradient of slice `part`: the first slice accumulates into
// dweight itself, every other one into a private copy (zeroed here), which
// sum_partials() adds in once every slice is done.
static float *slice_dweight(float *dweight, float *partials, int part, long size) {
    if (part == 0) return dweight;
    float *d = partials + (part - 1) * size;
    memset(d, 0, sizeof(float) * size);
    return d;
}

// dweight += the private gradients of slices 1 .. parts-1, split over the
// threads of the region by elements; the sum runs in slice order.
static void sum_partials(float *dweight, const float *partials, int parts, long size) {
    #pragma omp for
    for (long i = 0; i < size; i++)
        for (int p = 1; p < parts; p++) dweight[i] += partials[(p - 1) * size + i];
}

// In the kernels below, a parallel region runs over a plan's slices: each
// thread takes the slices `part` it owns (all of them if the region got
// fewer threads than asked for), slice part holding images [b_lo, b_hi).
static int slice_end(const ConvPlan *p, const ConvGeom *g, int part) {
    int end = (part + 1) * p->per;
    return end < g->B ? end : g->B;
}
// ---------------------------------------------------------------- convolution
// The work of conv2d_forward on the calling thread: every slice, or its share
// of them inside a parallel region.
static void conv2d_forward_slices(float *out, float *col, const float *inp, const float *weight,
                                  const float *bias, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    ConvPlan p = conv_plan(g);
    int threaded = p.parts == 1;   // one slice: the threads go inside each step
    for (int part = omp_get_thread_num(); part < p.parts; part += omp_get_num_threads()) {
        int b_lo = part * p.per, b_hi = slice_end(&p, g, part);
        float *pcol = col + part * p.part_floats;
        float *mat = pcol + (long)CKK * p.nb * N;                 // (OC, nb*N)
        for (int b = b_lo; p.band && b < b_hi; b++)
            for (int oh0 = 0; oh0 < g->OH; oh0 += p.band)
                conv_band_forward(out + b * out_size, pcol, inp + b * in_size, weight, bias, g, oh0,
                             oh0 + p.band < g->OH ? oh0 + p.band : g->OH, threaded);
        for (int b0 = b_lo; !p.band && b0 < b_hi; b0 += p.nb) {
            int n = b_hi - b0 < p.nb ? b_hi - b0 : p.nb, cols = n * N;
            im2col_chunk(pcol, inp + b0 * in_size, n, g->C, g->H, g->W, g->K, g->S, g->P, g->OH,
                         g->OW, threaded);
            // mat (OC, n*N) = weight (OC, CKK) @ col (CKK, n*N)
            gemm(0, 0, g->OC, cols, CKK, 1.0f, weight, CKK, pcol, cols, 0.0f, mat, cols);
            scatter_rows(out + b0 * out_size, mat, bias, 0, n, g->OC, N, threaded);
        }
    }}

void conv2d_forward_chunks(float *out, float *col, const float *inp, const float *weight,
                    const float *bias, const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    int parts = conv_plan(g).parts;
    if (parts > 1) {
        #pragma omp parallel num_threads(parts)
        conv2d_forward_slices(out, col, inp, weight, bias, g);
    } else {
        conv2d_forward_slices(out, col, inp, weight, bias, g);
    }
}

// The work of conv2d_backward on the calling thread: every slice, or its share
// of them inside a parallel region.
static void conv2d_backward_slices(float *dinp, float *dweight, float *dbias, float *col,
                                   const float *dout, const float *inp, const float *weight,
                                   const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    ConvPlan p = conv_plan(g);
    int threaded = p.parts == 1;
    // dcol = weight^T @ dout below takes weight (OC, CKK) with the transpose
    // flag: BLIS packs it as fast as an untransposed one (measured at W1's and
    // W3's shapes since gemm.c turned BLIS's small-matrix path off), and a
    // transposed copy made per call cost 5% of a W3 step (its strided reads
    // miss the cache).
    float *partials = col + p.parts * p.part_floats;              // (parts-1, OC, CKK)
    {
        if (dbias) sum_rows(dbias, dout, g->B, g->OC, N);
        if (dinp || dweight)
            for (int part = omp_get_thread_num(); part < p.parts;
                 part += omp_get_num_threads()) {
                int b_lo = part * p.per, b_hi = slice_end(&p, g, part);
                float *pcol = col + part * p.part_floats;
                float *mat = pcol + (long)CKK * p.nb * N;         // (OC, nb*N)
                float *dw = dweight ? slice_dweight(dweight, partials, part, (long)g->OC * CKK)
                                    : NULL;
                for (int b = b_lo; p.band && b < b_hi; b++)
                    for (int oh0 = 0; oh0 < g->OH; oh0 += p.band)
                        conv_band_backward(dinp ? dinp + b * in_size : NULL, dw, pcol,
                                      dout + b * out_size, inp + b * in_size, weight, g, oh0,
                                      oh0 + p.band < g->OH ? oh0 + p.band : g->OH, threaded);
                for (int b0 = b_lo; !p.band && b0 < b_hi; b0 += p.nb) {
                    int n = b_hi - b0 < p.nb ? b_hi - b0 : p.nb, cols = n * N;
                    // dout of the chunk (OC, n*N)
                    gather_rows(mat, dout + b0 * out_size, n, g->OC, N, threaded);
                    if (dw) {
                        // dweight (OC, CKK) += dout (OC, n*N) @ col^T (n*N, CKK)
                        im2col_chunk(pcol, inp + b0 * in_size, n, g->C, g->H, g->W, g->K, g->S,
                                     g->P, g->OH, g->OW, threaded);
                        gemm(0, 1, g->OC, CKK, cols, 1.0f, mat, cols, pcol, cols, 1.0f, dw, CKK);
                    }
                    if (dinp) {
                        // dcol (CKK, n*N) = weight^T (CKK, OC) @ dout (OC, n*N), then back to pixels
                        gemm_col2im(dinp + b0 * in_size, in_size, pcol, 1, weight, CKK, mat,
                                    g->OC, n, g->C, g->H, g->W, g->K, g->S, g->P, g->OH, g->OW,
                                    threaded);
                    }
                }
            }
        if (dweight && p.parts > 1) {
            #pragma omp barrier
            sum_partials(dweight, partials, p.parts, (long)g->OC * CKK);
        }
    }}

void conv2d_backward_chunks(float *dinp, float *dweight, float *dbias, float *col, const float *dout,
                     const float *inp, const float *weight, const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    int parts = conv_plan(g).parts;
    if (parts > 1) {
        #pragma omp parallel num_threads(parts)
        conv2d_backward_slices(dinp, dweight, dbias, col, dout, inp, weight, g);
    } else {
        conv2d_backward_slices(dinp, dweight, dbias, col, dout, inp, weight, g);
    }
}

// ---------------------------------------------------------------- transposed convolution
// The input pixels (H, W) are the patch positions of the output (OC, OH, OW):
// each input pixel spreads a K x K patch of weights onto the output.

// x (n, R, N) = bias broadcast along each row (or 0): col2im then adds onto it.
static void fill_bias(float *x, const float *bias, int n, long R, long N, int threaded) {
    #pragma omp parallel for collapse(2) if (threaded && n * R * N >= PARALLEL_MIN)
    for (int b = 0; b < n; b++)
        for (long r = 0; r < R; r++) {
            float *row = x + (b * R + r) * N, v = bias ? bias[r] : 0.0f;
            for (long i = 0; i < N; i++) row[i] = v;
        }
}

// The work of conv_transpose2d_forward on the calling thread: every slice, or its share
// of them inside a parallel region.
static void conv_transpose2d_forward_slices(float *out, float *col, const float *inp,
                                            const float *weight, const float *bias,
                                            const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W;
    long in_size = (long)g->C * N, out_size = (long)g->OC * g->OH * g->OW;
    ConvPlan p = conv_plan(g);
    int threaded = p.parts == 1;
    for (int part = omp_get_thread_num(); part < p.parts; part += omp_get_num_threads()) {
        int b_lo = part * p.per, b_hi = slice_end(&p, g, part);
        float *pcol = col + part * p.part_floats;
        float *mat = pcol + (long)OCKK * p.nb * N;                // (C, nb*N)
        fill_bias(out + b_lo * out_size, bias, b_hi - b_lo, g->OC, (long)g->OH * g->OW,
                  threaded);
        for (int b0 = b_lo; b0 < b_hi; b0 += p.nb) {
            int n = b_hi - b0 < p.nb ? b_hi - b0 : p.nb;
            gather_rows(mat, inp + b0 * in_size, n, g->C, N, threaded);  // input (C, n*N)
            // col (OCKK, n*N) = weight^T (OCKK, C) @ inp (C, n*N), then onto the output
            gemm_col2im(out + b0 * out_size, out_size, pcol, 1, weight, OCKK, mat, g->C, n, g->OC,
                        g->OH, g->OW, g->K, g->S, g->P, g->H, g->W, threaded);
        }
    }}

void conv_transpose2d_forward_chunks(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    int parts = conv_plan(g).parts;
    if (parts > 1) {
        #pragma omp parallel num_threads(parts)
        conv_transpose2d_forward_slices(out, col, inp, weight, bias, g);
    } else {
        conv_transpose2d_forward_slices(out, col, inp, weight, bias, g);
    }
}

// The work of conv_transpose2d_backward on the calling thread: every slice, or its share
// of them inside a parallel region.
static void conv_transpose2d_backward_slices(float *dinp, float *dweight, float *dbias,
                                             float *col, const float *dout, const float *inp,
                                             const float *weight, const ConvGeom *g) {
    int OCKK = g->OC * g->K * g->K, N = g->H * g->W;
    long in_size = (long)g->C * N, out_size = (long)g->OC * g->OH * g->OW;
    ConvPlan p = conv_plan(g);
    int threaded = p.parts == 1;
    float *partials = col + p.parts * p.part_floats;             // (parts-1, C, OCKK)
    {
        if (dbias) sum_rows(dbias, dout, g->B, g->OC, (long)g->OH * g->OW);
        if (dinp || dweight)
            for (int part = omp_get_thread_num(); part < p.parts;
                 part += omp_get_num_threads()) {
                int b_lo = part * p.per, b_hi = slice_end(&p, g, part);
                float *pcol = col + part * p.part_floats;
                float *mat = pcol + (long)OCKK * p.nb * N;        // (C, nb*N)
                float *dw = dweight ? slice_dweight(dweight, partials, part, (long)g->C * OCKK)
                                    : NULL;
                for (int b0 = b_lo; b0 < b_hi; b0 += p.nb) {
                    int n = b_hi - b0 < p.nb ? b_hi - b0 : p.nb, cols = n * N;
                    // The adjoint of col2im: dcol (OCKK, n*N) gathers dout's patches.
                    im2col_chunk(pcol, dout + b0 * out_size, n, g->OC, g->OH, g->OW, g->K, g->S,
                                 g->P, g->H, g->W, threaded);
                    if (dw) {
                        // dweight (C, OCKK) += inp (C, n*N) @ dcol^T (n*N, OCKK)
                        gather_rows(mat, inp + b0 * in_size, n, g->C, N, threaded);
                        gemm(0, 1, g->C, OCKK, cols, 1.0f, mat, cols, pcol, cols, 1.0f, dw, OCKK);
                    }
                    if (dinp) {
                        // dinp (C, n*N) += weight (C, OCKK) @ dcol (OCKK, n*N), via mat
                        gemm(0, 0, g->C, cols, OCKK, 1.0f, weight, OCKK, pcol, cols, 0.0f, mat,
                             cols);
                        scatter_rows(dinp + b0 * in_size, mat, NULL, 1, n, g->C, N, threaded);
                    }
                }
            }
        if (dweight && p.parts > 1) {
            #pragma omp barrier
            sum_partials(dweight, partials, p.parts, (long)g->C * OCKK);
        }
    }}

void conv_transpose2d_backward_chunks(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    int parts = conv_plan(g).parts;
    if (parts > 1) {
        #pragma omp parallel num_threads(parts)
        conv_transpose2d_backward_slices(dinp, dweight, dbias, col, dout, inp, weight, g);
    } else {
        conv_transpose2d_backward_slices(dinp, dweight, dbias, col, dout, inp, weight, g);
    }
}
