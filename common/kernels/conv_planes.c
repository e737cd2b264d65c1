// conv_planes.c - im2col and col2im of one channel plane, for a band of
// output rows: the loops the GEMM paths (conv_chunks.c, conv_bands.c) run.
//
// They compute what conv.c's im2col and col2im do, faster: the bounds of
// each kernel offset are worked out once (conv_valid_range) instead of per
// pixel, stride 1 copies whole runs with memcpy, and a k4 s2 p1 plane goes to
// conv_k4s2p1.c.
#include <string.h>

#include "kernels/conv_paths.h"

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
void conv_im2col_plane(float *rows, long ld, const float *img, int H, int W, int K, int S,
                         int P, int OH, int OW, int oh0, int oh1) {
    if (oh0 == 0 && oh1 == OH && conv_is_k4s2p1(H, W, K, S, P, OH, OW)) {
        conv_im2col_k4s2p1(rows, ld, img, OH, OW);
        return;
    }
    for (int ki = 0; ki < K; ki++) {
        int oh_lo, oh_hi;
        conv_valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
        for (int kj = 0; kj < K; kj++) {
            int ow_lo, ow_hi;
            conv_valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
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
// in W3 and W4), so it lives outside conv_col2im_plane's no-vectorize attribute.
__attribute__((noinline)) static void add_row(float *restrict dst, const float *restrict src, int n) {
    for (int i = 0; i < n; i++) dst[i] += src[i];
}

// The adjoint of conv_im2col_plane: img (H, W) += the K*K rows scattered back.
__attribute__((optimize("no-tree-vectorize")))
void conv_col2im_plane(float *img, const float *rows, long ld, int H, int W, int K, int S,
                         int P, int OH, int OW, int oh0, int oh1) {
    if (oh0 == 0 && oh1 == OH && conv_is_k4s2p1(H, W, K, S, P, OH, OW)) {
        conv_col2im_k4s2p1(img, rows, ld, OH, OW);
        return;
    }
    for (int ki = 0; ki < K; ki++) {
        int oh_lo, oh_hi;
        conv_valid_range(&oh_lo, &oh_hi, H, OH, ki, S, P);
        for (int kj = 0; kj < K; kj++) {
            int ow_lo, ow_hi;
            conv_valid_range(&ow_lo, &ow_hi, W, OW, kj, S, P);
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
