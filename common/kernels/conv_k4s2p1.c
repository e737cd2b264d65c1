// conv_k4s2p1.c - im2col and col2im of the k4 s2 p1 layer through its four
// phases: a fast path of conv_planes.c's loops, exact (the same values, the
// sums in col2im in another order).
//
// Chosen by conv_im2col_plane / conv_col2im_plane for a whole plane when
// K = 4, S = 2, P = 1 and H = 2 OH, W = 2 OW, up to 64x64: every
// convolution and transposed convolution of W1 (DCGAN) and the U-Net and
// PatchGAN layers of W2 at those sizes.
//
// Why it is faster: the col rows of this layer are short (7 floats at 7x7)
// and read every other pixel, so the general loops (conv_planes.c) spend
// most of their time on per-row overhead. Here the image is split into its
// four phases instead,
//     phase (py, px) [y][x] = img[2y + py][2x + px],   each OH x OW,
// and every row (ki, kj) of col is one phase shifted by (dy, dx) in {-1, 0, 1}:
// ki - 1 = 2 dy + py, kj - 1 = 2 dx + px, and a pixel shifted in from outside
// the phase is the zero padding. A shifted plane is one contiguous copy (the
// phase and the col row have the same row length OW), fixing up the one column
// that wraps round when dx != 0.
#include <string.h>

#include "kernels/conv_paths.h"

#define PHASE_MAX 4096   // floats of an image the phases are built for (64x64)

int conv_is_k4s2p1(int H, int W, int K, int S, int P, int OH, int OW) {
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

// conv_im2col_plane for conv_is_k4s2p1: the 16 rows of one channel, `ld` floats apart.
// (noinline: inlined into conv_im2col_plane, it would lose its vector loops to
// that function's no-tree-vectorize attribute.)
__attribute__((noinline)) void conv_im2col_k4s2p1(float *rows, long ld, const float *img, int OH, int OW) {
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

// conv_col2im_plane for conv_is_k4s2p1: img (2 OH, 2 OW) += the 16 rows of one channel.
__attribute__((noinline)) void conv_col2im_k4s2p1(float *img, const float *rows, long ld, int OH, int OW) {
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
