// conv_paths.h - what the fast paths of the convolution share (kernels/conv.c
// holds the reference and says which path runs when). Internal to the
// kernels: nothing outside conv*.c includes it.
//
// Letters as in conv.h; CKK = C*K*K, OCKK = OC*K*K, N = the GEMM's column
// count per image.
#ifndef CONV_PATHS_H
#define CONV_PATHS_H

#include "kernels/conv.h"

// Below this many floats copied, a loop is not worth starting threads for.
#define PARALLEL_MIN (1L << 14)

// The output positions o in [0, n_out) whose input position o*S - P + k lies
// in [0, n_in) form one interval [*lo, *hi). Computing it once per kernel
// offset keeps the bounds test out of the pixel loops.
static inline void conv_valid_range(int *lo, int *hi, int n_in, int n_out, int k, int S, int P) {
    int first = P - k;               // o*S >= P - k
    int last = n_in - 1 + P - k;     // o*S <= n_in - 1 + P - k
    int a = first <= 0 ? 0 : (first + S - 1) / S;
    int b = last < 0 ? 0 : last / S + 1;
    if (b > n_out) b = n_out;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

// The sum of row[0 .. N). One running sum waits for each add to finish
// (GCC may not reorder float sums); eight independent ones fill a vector
// register and keep the adder busy.
static inline float conv_row_sum(const float *row, long N) {
    float acc[8] = {0};
    long i = 0;
    for (; i + 8 <= N; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += row[i + j];
    float s = 0.0f;
    for (; i < N; i++) s += row[i];
    for (int j = 0; j < 8; j++) s += acc[j];
    return s;
}

// A GEMM's product that col2im scatters straight away is read back from
// cache only if it fits there: the whole col of a chunk (4 MiB) did not, and
// col2im spent its time waiting for it (W1's transposed convolution). So the
// GEMM and col2im run in blocks of channels whose rows of col stay under
// this many floats (256 KiB, half of L2).
#define COL2IM_BLOCK_FLOATS (1L << 16)

// Channels per block when each channel has `rows_per_channel` rows of `cols` columns.
static inline int conv_channel_block(long rows_per_channel, long cols) {
    long cb = COL2IM_BLOCK_FLOATS / (rows_per_channel * cols);
    return cb < 1 ? 1 : (int)cb;
}

// How a call of the chunked path uses the threads and the scratch (conv_chunks.c).
typedef struct {
    int parts, per, nb, band;
    long part_floats;
} ConvPlan;
ConvPlan conv_plan(const ConvGeom *g);

// conv_planes.c: im2col / col2im of one channel, output rows [oh0, oh1), the
// K*K rows of col `ld` floats apart.
void conv_im2col_plane(float *rows, long ld, const float *img, int H, int W, int K, int S, int P,
                       int OH, int OW, int oh0, int oh1);
void conv_col2im_plane(float *img, const float *rows, long ld, int H, int W, int K, int S, int P,
                       int OH, int OW, int oh0, int oh1);

// conv_k4s2p1.c: the same for the k4 s2 p1 layer on an even image, through its phases.
int conv_is_k4s2p1(int H, int W, int K, int S, int P, int OH, int OW);
void conv_im2col_k4s2p1(float *rows, long ld, const float *img, int OH, int OW);
void conv_col2im_k4s2p1(float *img, const float *rows, long ld, int OH, int OW);

// conv_bands.c: output rows [oh0, oh1) of one image (C, H, W), out and dout (OC, OH*OW).
void conv_band_forward(float *out, float *col, const float *img, const float *weight,
                       const float *bias, const ConvGeom *g, int oh0, int oh1, int threaded);
void conv_band_backward(float *dinp, float *dweight, float *col, const float *dout,
                        const float *img, const float *weight, const ConvGeom *g, int oh0,
                        int oh1, int threaded);

// conv_chunks.c: the GEMM path, arguments as conv.h's entry points.
void conv2d_forward_chunks(float *out, float *col, const float *inp, const float *weight,
                           const float *bias, const ConvGeom *g);
void conv2d_backward_chunks(float *dinp, float *dweight, float *dbias, float *col,
                            const float *dout, const float *inp, const float *weight,
                            const ConvGeom *g);
void conv_transpose2d_forward_chunks(float *out, float *col, const float *inp,
                                     const float *weight, const float *bias, const ConvGeom *g);
void conv_transpose2d_backward_chunks(float *dinp, float *dweight, float *dbias, float *col,
                                      const float *dout, const float *inp, const float *weight,
                                      const ConvGeom *g);

// conv_direct.c: a stride-1 convolution to at most 4 channels, without a GEMM.
int conv_direct_applies(const ConvGeom *g);
void conv_direct_forward(float *out, const float *inp, const float *weight, const float *bias,
                         const ConvGeom *g);
void conv_direct_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                          const float *inp, const float *weight, const ConvGeom *g);

#endif
