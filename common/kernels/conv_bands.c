// conv_bands.c - a convolution of one large image in bands of output rows.
//
// Chosen (by conv_plan.c) for a convolution whose one image
// alone outgrows a chunk of scratch, C*K*K * OH*OW > 1M floats: VGG's 3x3
// layers of W4 at 128x128 (576 rows of col by 16384 columns). Why it is
// faster: the whole col would not stay in cache while the GEMM reads it
// back; BLIS ran 64 x 576 x N products at 60 GFLOP/s for N = 256..1024 and
// at 28 for N = 16384. Each band's col is at most 512K floats and at least
// 256 columns wide.
//
// A band holds output rows [oh0, oh1) of one image: its GEMM columns are
// columns [oh0*OW, oh1*OW) of every channel row of the output, so the GEMMs
// read and write those in place (row stride OH*OW), with no copy through mat.

#include "kernels/conv_paths.h"
#include "kernels/gemm.h"

// col (C*K*K, (oh1-oh0)*OW) <- the band's patches of one image img (C, H, W).
static void im2col_band(float *col, const float *img, const ConvGeom *g, int oh0, int oh1,
                        int threaded) {
    long KK = (long)g->K * g->K, cols = (long)(oh1 - oh0) * g->OW, HW = (long)g->H * g->W;
    #pragma omp parallel for if (threaded && KK * cols * g->C >= PARALLEL_MIN)
    for (int c = 0; c < g->C; c++)
        conv_im2col_plane(col + c * KK * cols, cols, img + c * HW, g->H, g->W, g->K, g->S, g->P, g->OH,
                     g->OW, oh0, oh1);
}

// img (C, H, W) += the band's columns of col scattered back, for channels
// [c0, c1) (col holds theirs only).
static void col2im_band(float *img, const float *col, const ConvGeom *g, int c0, int c1, int oh0,
                        int oh1, int threaded) {
    long KK = (long)g->K * g->K, cols = (long)(oh1 - oh0) * g->OW, HW = (long)g->H * g->W;
    #pragma omp parallel for if (threaded && KK * cols * (c1 - c0) >= PARALLEL_MIN)
    for (int c = c0; c < c1; c++)
        conv_col2im_plane(img + c * HW, col + (c - c0) * KK * cols, cols, g->H, g->W, g->K, g->S, g->P,
                     g->OH, g->OW, oh0, oh1);
}

// out (OC, OH*OW) of one image, rows [oh0, oh1) = weight @ the band's col + bias.
void conv_band_forward(float *out, float *col, const float *img, const float *weight,
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
void conv_band_backward(float *dinp, float *dweight, float *col, const float *dout,
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
        int KK = g->K * g->K, cb = conv_channel_block(KK, cols);
        for (int c0 = 0; c0 < g->C; c0 += cb) {
            int c1 = c0 + cb < g->C ? c0 + cb : g->C;
            gemm(1, 0, (c1 - c0) * KK, (int)cols, g->OC, 1.0f, weight + (long)c0 * KK, CKK,
                 dband, (int)N, 0.0f, col, (int)cols);
            col2im_band(dinp, col, g, c0, c1, oh0, oh1, threaded);
        }
    }
}
