// conv_plan.c - how a call of the GEMM path (conv_chunks.c) splits its work:
// chunks of images per GEMM, threads over images or inside the GEMMs, bands
// of rows for a large image (conv_bands.c), and the scratch that takes.
//
// Two threads (or more) share a call in one of two ways, chosen per call by
// conv_plan():
//   - over images: when every thread gets enough images (W1's batch of 64,
//     W2's outer layers), thread t takes its own slice of the batch and runs
//     the whole pipeline (im2col, a one-thread GEMM, the copies) on it, in its
//     own part of the scratch. One parallel region per call and no barrier
//     inside: BLIS's threaded GEMM synchronises its threads several times per
//     call, which costs most when the GEMMs are small, and on a busy machine
//     a preempted thread stalls the other at every one of those barriers.
//   - inside each GEMM: for one large image (W3, W4S) or the deep layers'
//     few pixels, where splitting the images would leave a thread idle or
//     make each thread read the whole weight for a handful of columns; BLIS
//     splits each GEMM and the plane loops run on threads.
#include "kernels/conv_paths.h"
#include "kernels/gemm.h"

// The scratch (col + mat) of one chunk stays under 1M floats (4 MiB): a few
// hundred GEMM columns already run at close to full speed, and a smaller col
// is still in cache when the GEMM reads it back (measured on W1: 4 MiB chunks
// beat 16 MiB ones and one-image ones).
#define CHUNK_FLOATS (1L << 20)

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

// Images per chunk out of `images`: as many as fit in CHUNK_FLOATS (at
// least one), spread evenly, so that 64 images that fit 37 at a time run as
// 32 + 32, not 37 + 27.
static int chunk_images(const ConvGeom *g, int images) {
    long N, col_rows, mat_rows;
    chunk_dims(g, &N, &col_rows, &mat_rows);
    long fit = CHUNK_FLOATS / ((col_rows + mat_rows) * N);
    if (fit < 1) fit = 1;
    if (fit > images) fit = images;
    int chunks = (int)((images + fit - 1) / fit);
    return (images + chunks - 1) / chunks;
}

// Threads over images pay off when each thread's GEMMs keep at least this
// many columns: below it, every thread would pack the whole weight for a
// few columns, and BLIS splitting the weight's rows does better.
#define IMAGE_SPLIT_MIN_COLS 128

// A convolution whose one image alone outgrows a chunk (VGG's 3x3 layers at
// 128x128: 576 rows of col by 16384 columns) runs in bands of output rows
// instead, each band's col at most BAND_FLOATS and at least BAND_MIN_COLS
// wide. BLIS ran 64 x 576 x N products at 60 GFLOP/s for N = 256..1024 and
// at 42 for N = 4096 (16384: 28): a narrow col stays in cache while the
// GEMM reads it back.
#define BAND_FLOATS (1L << 19)
#define BAND_MIN_COLS 256

// How a call uses the threads: `parts` slices of `per` images each (parts =
// 1: one slice, threads inside the GEMMs), chunks of nb images or bands of
// `band` output rows of one image (band = 0: whole images), and the floats
// of scratch each slice owns (its col and mat).
// (ConvPlan is declared in conv_paths.h.)

ConvPlan conv_plan(const ConvGeom *g) {
    long N, col_rows, mat_rows;
    chunk_dims(g, &N, &col_rows, &mat_rows);
    int T = compute_threads(), B = g->B;
    // Uneven slices (3 images on 2 threads) leave a thread waiting, unless
    // there are many images per thread.
    int even = T > 1 && B >= T && (B % T == 0 || B >= 4 * T);
    ConvPlan p = {.parts = even && (long)(B / T) * N >= IMAGE_SPLIT_MIN_COLS ? T : 1};
    p.per = (B + p.parts - 1) / p.parts;
    p.nb = chunk_images(g, p.per);
    p.part_floats = (col_rows + mat_rows) * p.nb * N;
    if (!g->transposed && col_rows * N > CHUNK_FLOATS) {
        p.band = (int)(BAND_FLOATS / (col_rows * g->OW));
        int min_rows = (BAND_MIN_COLS + g->OW - 1) / g->OW;
        if (p.band < min_rows) p.band = min_rows;
        if (p.band > g->OH) p.band = g->OH;
    }
    return p;
}

// The scratch: each slice's col and mat; then, with several slices, a
// private weight gradient for every slice but the first, summed at the end.
long conv_col_size(const ConvGeom *g) {
    long N, col_rows, mat_rows;
    chunk_dims(g, &N, &col_rows, &mat_rows);
    ConvPlan p = conv_plan(g);
    long weight = (long)mat_rows * col_rows;   // OC*CKK, or C*OCKK transposed
    return p.parts * p.part_floats + (p.parts - 1) * weight;
}
