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
//
// Two threads (or more) share a call in one of two ways, chosen per call by
// plan_of():
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
#include "kernels/conv.h"

#include <omp.h>
#include <string.h>

#include "kernels/gemm.h"

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
typedef struct {
    int parts, per, nb, band;
    long part_floats;
} Plan;

static Plan plan_of(const ConvGeom *g) {
    long N, col_rows, mat_rows;
    chunk_dims(g, &N, &col_rows, &mat_rows);
    int T = compute_threads(), B = g->B;
    // Uneven slices (3 images on 2 threads) leave a thread waiting, unless
    // there are many images per thread.
    int even = T > 1 && B >= T && (B % T == 0 || B >= 4 * T);
    Plan p = {.parts = even && (long)(B / T) * N >= IMAGE_SPLIT_MIN_COLS ? T : 1};
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
    Plan p = plan_of(g);
    long weight = (long)mat_rows * col_rows;   // OC*CKK, or C*OCKK transposed
    return p.parts * p.part_floats + (p.parts - 1) * weight;
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

// ---------------------------------------------------------------- k4 s2 p1
// DCGAN's and pix2pix's layer (kernel 4, stride 2, padding 1) on an even-sized
// image, H = 2 OH and W = 2 OW. Its col rows are short (7 floats at 7x7) and
// read every other pixel, so the general loops below spend most of their time
// on per-row overhead. Split the image into its four phases instead,
//     phase (py, px) [y][x] = img[2y + py][2x + px],   each OH x OW,
// and every row (ki, kj) of col is one phase shifted by (dy, dx) in {-1, 0, 1}:
// ki - 1 = 2 dy + py, kj - 1 = 2 dx + px, and a pixel shifted in from outside
// the phase is the zero padding. A shifted plane is one contiguous copy (the
// phase and the col row have the same row length OW), fixing up the one column
// that wraps round when dx != 0.
#define PHASE_MAX 4096   // floats of an image the phases are built for (64x64)

static int is_k4s2p1(int H, int W, int K, int S, int P, int OH, int OW) {
    return K == 4 && S == 2 && P == 1 && H == 2 * OH && W == 2 * OW && H * W <= PHASE_MAX;
}

// The rows oh of a plane whose source row oh + dy lies inside: [*a, *b).
static void shifted_rows(int *a, int *b, int OH, int dy) {
    *a = dy < 0 ? -dy : 0;
    *b = dy > 0 ? OH - dy : OH;
}

// dst (OH, OW) = src (OH, OW) shifted: dst[oh][ow] = src[oh + dy][ow + dx], 0 outside.
static void shift_copy(float *dst, const float *src, int OH, int OW, int dy, int dx) {
    int a, b;
    shifted_rows(&a, &b, OH, dy);
    memset(dst, 0, sizeof(float) * a * OW);
    memset(dst + (long)b * OW, 0, sizeof(float) * (OH - b) * OW);
    long n = (long)(b - a) * OW;
    float *d = dst + (long)a * OW;
    const float *s = src + (long)(a + dy) * OW;
    if (n == 0) {          // a 1-row plane shifted up or down: all padding
        return;
    } else if (dx == 0) {
        memcpy(d, s, sizeof(float) * n);
    } else if (dx < 0) {   // column 0 wraps to the row above's last pixel: it is padding
        memcpy(d + 1, s, sizeof(float) * (n - 1));
        for (int oh = a; oh < b; oh++) dst[(long)oh * OW] = 0.0f;
    } else {               // column OW-1 wraps to the next row's first pixel
        memcpy(d, s + 1, sizeof(float) * (n - 1));
        for (int oh = a; oh < b; oh++) dst[(long)oh * OW + OW - 1] = 0.0f;
    }
}

// The adjoint of shift_copy: dst[oh + dy][ow + dx] += src[oh][ow] where inside.
static void shift_add(float *restrict dst, const float *restrict src, int OH, int OW, int dy,
                      int dx) {
    int a, b;
    shifted_rows(&a, &b, OH, dy);
    if (dx == 0) {   // whole rows: one contiguous run
        long n = (long)(b - a) * OW;
        float *d = dst + (long)(a + dy) * OW;
        const float *s = src + (long)a * OW;
        for (long i = 0; i < n; i++) d[i] += s[i];
        return;
    }
    int lo = dx < 0 ? 1 : 0, hi = dx < 0 ? OW : OW - 1;
    for (int oh = a; oh < b; oh++) {
        float *d = dst + (long)(oh + dy) * OW + dx;
        const float *s = src + (long)oh * OW;
        for (int ow = lo; ow < hi; ow++) d[ow] += s[ow];
    }
}

// The ki or kj of a kernel row -> its phase (0, 1) and shift (-1, 0, 1).
static int phase_of(int k) { return (k + 1) & 1; }
static int shift_of(int k) { return (k - 1 - phase_of(k)) / 2; }

// im2col_plane for is_k4s2p1: the 16 rows of one channel, `ld` floats apart.
// (noinline: inlined into im2col_plane, it would lose its vector loops to
// that function's no-tree-vectorize attribute.)
__attribute__((noinline)) static void im2col_k4s2p1(float *rows, long ld, const float *img, int OH, int OW) {
    float ph[4][PHASE_MAX / 4];   // ph[2 py + px] = phase (py, px)
    int W = 2 * OW;
    for (int y = 0; y < OH; y++)
        for (int py = 0; py < 2; py++) {
            const float *r = img + (long)(2 * y + py) * W;
            float *e = ph[2 * py] + y * OW, *o = ph[2 * py + 1] + y * OW;
            for (int x = 0; x < OW; x++) {
                e[x] = r[2 * x];
                o[x] = r[2 * x + 1];
            }
        }
    for (int ki = 0; ki < 4; ki++)
        for (int kj = 0; kj < 4; kj++)
            shift_copy(rows + (long)(ki * 4 + kj) * ld, ph[2 * phase_of(ki) + phase_of(kj)], OH,
                       OW, shift_of(ki), shift_of(kj));
}

// col2im_plane for is_k4s2p1: img (2 OH, 2 OW) += the 16 rows of one channel.
__attribute__((noinline)) static void col2im_k4s2p1(float *img, const float *rows, long ld, int OH, int OW) {
    float ph[4][PHASE_MAX / 4];
    int W = 2 * OW;
    for (int i = 0; i < 4; i++) memset(ph[i], 0, sizeof(float) * OH * OW);
    for (int ki = 0; ki < 4; ki++)
        for (int kj = 0; kj < 4; kj++)
            shift_add(ph[2 * phase_of(ki) + phase_of(kj)], rows + (long)(ki * 4 + kj) * ld, OH, OW,
                      shift_of(ki), shift_of(kj));
    for (int y = 0; y < OH; y++)
        for (int py = 0; py < 2; py++) {
            float *r = img + (long)(2 * y + py) * W;
            const float *e = ph[2 * py] + y * OW, *o = ph[2 * py + 1] + y * OW;
            for (int x = 0; x < OW; x++) {
                r[2 * x] += e[x];
                r[2 * x + 1] += o[x];
            }
        }
}

// im2col of one channel: img (H, W) -> its K*K rows of col, `ld` floats
// apart; row (ki, kj) holds the patch positions of output rows [oh0, oh1)
// ((oh1 - oh0) x OW). ld is OH*OW for one image alone, nb*OH*OW inside a
// chunk, (oh1 - oh0)*OW for a band of rows.
//
// The rows are short (7 or 14 floats in a DCGAN), and at stride 2 a vector
// loop would need gathers: GCC's vectorised versions of these two loops ran
// 2-3x slower than plain scalar ones here, hence the optimize attribute.
// Stride 1 copies with memcpy, which stays fast on long rows.
__attribute__((optimize("no-tree-vectorize")))
static void im2col_plane(float *rows, long ld, const float *img, int H, int W, int K, int S,
                         int P, int OH, int OW, int oh0, int oh1) {
    if (oh0 == 0 && oh1 == OH && is_k4s2p1(H, W, K, S, P, OH, OW)) {
        im2col_k4s2p1(rows, ld, img, OH, OW);
        return;
    }
    for (int ki = 0; ki < K; ki++) {
        int oh_lo, oh_hi;
        valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
        for (int kj = 0; kj < K; kj++) {
            int ow_lo, ow_hi;
            valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
            float *row = rows + (long)(ki * K + kj) * ld;  // (oh1 - oh0, OW)
            for (int oh = oh0; oh < oh1; oh++) {
                float *dst = row + (long)(oh - oh0) * OW;
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

// dst[i] += src[i]: vectorised (stride 1 gives contiguous rows, 64-128 long
// in W3 and W4), so it lives outside col2im_plane's no-vectorize attribute.
__attribute__((noinline)) static void add_row(float *restrict dst, const float *restrict src, int n) {
    for (int i = 0; i < n; i++) dst[i] += src[i];
}

// The adjoint of im2col_plane: img (H, W) += the K*K rows scattered back.
__attribute__((optimize("no-tree-vectorize")))
static void col2im_plane(float *img, const float *rows, long ld, int H, int W, int K, int S,
                         int P, int OH, int OW, int oh0, int oh1) {
    if (oh0 == 0 && oh1 == OH && is_k4s2p1(H, W, K, S, P, OH, OW)) {
        col2im_k4s2p1(img, rows, ld, OH, OW);
        return;
    }
    for (int ki = 0; ki < K; ki++) {
        int oh_lo, oh_hi;
        valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
        for (int kj = 0; kj < K; kj++) {
            int ow_lo, ow_hi;
            valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
            const float *row = rows + (long)(ki * K + kj) * ld;
            // Entries that came from the padding have no pixel to go back to.
            int from = oh_lo > oh0 ? oh_lo : oh0, to = oh_hi < oh1 ? oh_hi : oh1;
            for (int oh = from; oh < to; oh++) {
                const float *src = row + (long)(oh - oh0) * OW;
                float *dst = img + (long)(oh * S - P + ki) * W - P + kj;
                if (S == 1)
                    add_row(dst + ow_lo, src + ow_lo, ow_hi - ow_lo);
                else
                    for (int ow = ow_lo; ow < ow_hi; ow++) dst[ow * S] += src[ow];
            }
        }
    }
}

void im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    long N = (long)OH * OW;
    for (int c = 0; c < C; c++)
        im2col_plane(col + (long)c * K * K * N, N, img + (long)c * H * W, H, W, K, S, P, OH, OW, 0,
                     OH);
}

void col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH,
            int OW) {
    long N = (long)OH * OW;
    for (int c = 0; c < C; c++)
        col2im_plane(img + (long)c * H * W, col + (long)c * K * K * N, N, H, W, K, S, P, OH, OW, 0,
                     OH);
}

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
            im2col_plane(col + c * KK * ld + b * N, ld, img + ((long)b * C + c) * HW, H, W, K, S,
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
            col2im_plane(img + b * img_stride + c * HW, col + c * KK * ld + b * N, ld, H, W, K, S,
                         P, OH, OW, 0, OH);
}

// A GEMM's product that col2im scatters straight away is read back from
// cache only if it fits there: the whole col of a chunk (4 MiB) did not, and
// col2im spent its time waiting for it (W1's transposed convolution). So the
// GEMM and col2im run in blocks of channels whose rows of col stay under
// this many floats (256 KiB, half of L2).
#define COL2IM_BLOCK_FLOATS (1L << 16)

// Channels per block when each channel has `rows_per_channel` rows of `cols` columns.
static int channel_block(long rows_per_channel, long cols) {
    long cb = COL2IM_BLOCK_FLOATS / (rows_per_channel * cols);
    return cb < 1 ? 1 : (int)cb;
}

// img (n, C, H, W) += col2im(op(A) @ Bm), the product (C*K*K, cols) made in
// blocks of channels into the start of col. op(A) is (C*K*K, kdim): A stored
// (C*K*K, lda) or, with trans_a, (kdim, lda). Bm is (kdim, cols), cols = n*N.
static void gemm_col2im(float *img, long img_stride, float *col, int trans_a, const float *A,
                        int lda, const float *Bm, int kdim, int n, int C, int H, int W, int K,
                        int S, int P, int OH, int OW, int threaded) {
    int KK = K * K, cols = n * OH * OW, cb = channel_block(KK, cols);
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

// The sum of row[0 .. N). One running sum waits for each add to finish
// (GCC may not reorder float sums); eight independent ones fill a vector
// register and keep the adder busy.
static float row_sum(const float *row, long N) {
    float acc[8] = {0};
    long i = 0;
    for (; i + 8 <= N; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += row[i + j];
    float s = 0.0f;
    for (; i < N; i++) s += row[i];
    for (int j = 0; j < 8; j++) s += acc[j];
    return s;
}

// dbias (R) += the sum of every image's row r of dout (B, R, N). Channels go
// to the threads of the enclosing region (an orphaned `omp for`), so each
// sum is one thread's, in the same order whatever the thread count.
static void sum_rows(float *dbias, const float *dout, int B, long R, long N) {
    #pragma omp for
    for (long r = 0; r < R; r++)
        for (int b = 0; b < B; b++) dbias[r] += row_sum(dout + (b * R + r) * N, N);
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
static int slice_end(const Plan *p, const ConvGeom *g, int part) {
    int end = (part + 1) * p->per;
    return end < g->B ? end : g->B;
}

// ---------------------------------------------------------------- bands of rows
// A band holds output rows [oh0, oh1) of one image: its GEMM columns are
// columns [oh0*OW, oh1*OW) of every channel row of the output, so the GEMMs
// read and write those in place (row stride OH*OW), with no copy through mat.

// col (C*K*K, (oh1-oh0)*OW) <- the band's patches of one image img (C, H, W).
static void im2col_band(float *col, const float *img, const ConvGeom *g, int oh0, int oh1,
                        int threaded) {
    long KK = (long)g->K * g->K, cols = (long)(oh1 - oh0) * g->OW, HW = (long)g->H * g->W;
    #pragma omp parallel for if (threaded && KK * cols * g->C >= PARALLEL_MIN)
    for (int c = 0; c < g->C; c++)
        im2col_plane(col + c * KK * cols, cols, img + c * HW, g->H, g->W, g->K, g->S, g->P, g->OH,
                     g->OW, oh0, oh1);
}

// img (C, H, W) += the band's columns of col scattered back, for channels
// [c0, c1) (col holds theirs only).
static void col2im_band(float *img, const float *col, const ConvGeom *g, int c0, int c1, int oh0,
                        int oh1, int threaded) {
    long KK = (long)g->K * g->K, cols = (long)(oh1 - oh0) * g->OW, HW = (long)g->H * g->W;
    #pragma omp parallel for if (threaded && KK * cols * (c1 - c0) >= PARALLEL_MIN)
    for (int c = c0; c < c1; c++)
        col2im_plane(img + c * HW, col + (c - c0) * KK * cols, cols, g->H, g->W, g->K, g->S, g->P,
                     g->OH, g->OW, oh0, oh1);
}

// out (OC, OH*OW) of one image, rows [oh0, oh1) = weight @ the band's col + bias.
static void band_forward(float *out, float *col, const float *img, const float *weight,
                         const float *bias, const ConvGeom *g, int oh0, int oh1, int threaded) {
    int CKK = g->C * g->K * g->K;
    long N = (long)g->OH * g->OW, cols = (long)(oh1 - oh0) * g->OW;
    float *band = out + (long)oh0 * g->OW;
    im2col_band(col, img, g, oh0, oh1, threaded);
    gemm(0, 0, g->OC, (int)cols, CKK, 1.0f, weight, CKK, col, (int)cols, 0.0f, band, (int)N);
    if (bias)
        for (int o = 0; o < g->OC; o++)
            for (long i = 0; i < cols; i++) band[o * N + i] += bias[o];
}

// One image's band of the backward: dweight += dout_band @ col^T, and
// dinp += col2im(weight^T @ dout_band).
static void band_backward(float *dinp, float *dweight, float *col, const float *dout,
                          const float *img, const float *weight, const ConvGeom *g, int oh0,
                          int oh1, int threaded) {
    int CKK = g->C * g->K * g->K;
    long N = (long)g->OH * g->OW, cols = (long)(oh1 - oh0) * g->OW;
    const float *dband = dout + (long)oh0 * g->OW;     // (OC, cols), rows N apart
    if (dweight) {
        im2col_band(col, img, g, oh0, oh1, threaded);
        gemm(0, 1, g->OC, CKK, (int)cols, 1.0f, dband, (int)N, col, (int)cols, 1.0f, dweight, CKK);
    }
    if (dinp) {   // in blocks of channels, as gemm_col2im
        int KK = g->K * g->K, cb = channel_block(KK, cols);
        for (int c0 = 0; c0 < g->C; c0 += cb) {
            int c1 = c0 + cb < g->C ? c0 + cb : g->C;
            gemm(1, 0, (c1 - c0) * KK, (int)cols, g->OC, 1.0f, weight + (long)c0 * KK, CKK,
                 dband, (int)N, 0.0f, col, (int)cols);
            col2im_band(dinp, col, g, c0, c1, oh0, oh1, threaded);
        }
    }
}

// ---------------------------------------------------------------- few output channels
// A stride-1 convolution to a handful of channels (an RGB image out of W3's
// and W4's generators, PatchGAN's one logit map) makes a poor GEMM: M = OC
// rows is below BLIS's micro-tile, and the GEMM packs the whole col (C*K*K
// rows) to use each float OC times. Direct loops instead slide each input
// row under the kernel, reading the input from cache K*K times and never
// building col: every inner loop is a contiguous, vectorised run of OW floats.
#define DIRECT_MAX_OC 4

static int use_direct(const ConvGeom *g) {
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
        valid_range(&lo_of[kj], &hi_of[kj], W, OW, kj, 1, P);
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
static void direct_forward(float *out, const float *inp, const float *weight, const float *bias,
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
    valid_range(&oh_lo, &oh_hi, H, OH, ki, 1, P);
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
                valid_range(&lo, &hi, W, OW, kj0 + j, 1, P);
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

// The backward of direct_forward: input channels go to the threads for dinp
// (each owns its plane), (output, input) channel pairs for dweight.
static void direct_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *inp, const float *weight, const ConvGeom *g) {
    int K = g->K, P = g->P, OH = g->OH, OW = g->OW, H = g->H, W = g->W, C = g->C, OC = g->OC;
    long HW = (long)H * W, OHW = (long)OH * OW;
    int threaded = (long)g->B * OC * OHW * C * K * K >= (1L << 20);
    if (dbias)
        for (int o = 0; o < OC; o++)
            for (int b = 0; b < g->B; b++) dbias[o] += row_sum(dout + ((long)b * OC + o) * OHW, OHW);
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
                            valid_range(&oh_lo, &oh_hi, H, OH, ki, 1, P);
                            valid_range(&lo, &hi, W, OW, kj, 1, P);
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

// ---------------------------------------------------------------- convolution

// The work of conv2d_forward on the calling thread: every slice, or its share
// of them inside a parallel region.
static void conv2d_forward_slices(float *out, float *col, const float *inp, const float *weight,
                                  const float *bias, const ConvGeom *g) {
    int CKK = g->C * g->K * g->K, N = g->OH * g->OW;
    long in_size = (long)g->C * g->H * g->W, out_size = (long)g->OC * N;
    Plan p = plan_of(g);
    int threaded = p.parts == 1;   // one slice: the threads go inside each step
    for (int part = omp_get_thread_num(); part < p.parts; part += omp_get_num_threads()) {
        int b_lo = part * p.per, b_hi = slice_end(&p, g, part);
        float *pcol = col + part * p.part_floats;
        float *mat = pcol + (long)CKK * p.nb * N;                 // (OC, nb*N)
        for (int b = b_lo; p.band && b < b_hi; b++)
            for (int oh0 = 0; oh0 < g->OH; oh0 += p.band)
                band_forward(out + b * out_size, pcol, inp + b * in_size, weight, bias, g, oh0,
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

void conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                    const float *bias, const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    if (use_direct(g)) {
        direct_forward(out, inp, weight, bias, g);
        return;
    }
    int parts = plan_of(g).parts;
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
    Plan p = plan_of(g);
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
                        band_backward(dinp ? dinp + b * in_size : NULL, dw, pcol,
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

void conv2d_backward(float *dinp, float *dweight, float *dbias, float *col, const float *dout,
                     const float *inp, const float *weight, const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    if (use_direct(g)) {
        direct_backward(dinp, dweight, dbias, dout, inp, weight, g);
        return;
    }
    int parts = plan_of(g).parts;
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
    Plan p = plan_of(g);
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

void conv_transpose2d_forward(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    int parts = plan_of(g).parts;
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
    Plan p = plan_of(g);
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

void conv_transpose2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g) {
    // A region with if (0) would still count as a level of nesting, and the
    // parallel loops inside it would start threads afresh each time (libgomp
    // keeps its thread pool for the outermost level only): W3 ran 4x slower.
    int parts = plan_of(g).parts;
    if (parts > 1) {
        #pragma omp parallel num_threads(parts)
        conv_transpose2d_backward_slices(dinp, dweight, dbias, col, dout, inp, weight, g);
    } else {
        conv_transpose2d_backward_slices(dinp, dweight, dbias, col, dout, inp, weight, g);
    }
}
