// conv.h - 2-D convolution and transposed convolution as GEMMs.
//
// B = batch, C = input channels, H, W = input size, OC = output channels,
// K = kernel size (square), S = stride, P = zero padding on each side,
// OP = output padding (transposed convolution only), OH, OW = output size.
//
// Convolution: im2col unrolls every K x K input patch into a column, so the
// convolution of one image is one GEMM: out (OC, OH*OW) = W (OC, C*K*K) @ col.
// Transposed convolution is the adjoint: col = W^T @ inp, then col2im scatters
// the columns back (summing overlaps). Both backward passes reuse the pair.
// Backward functions accumulate (+=) and skip NULL gradients.
//
// conv.c holds the reference (im2col, col2im and the *_reference functions
// below) and says which fast path each entry point takes for which shape.
#ifndef CONV_H
#define CONV_H

typedef struct {
    int B, C, H, W;      // input
    int OC, K, S, P, OP; // layer
    int OH, OW;          // output
    int transposed;      // set by conv_transpose2d_geom: the col buffer is then
                         // (OC*K*K, H*W) instead of (C*K*K, OH*OW)
} ConvGeom;

// OH = (H + 2P - K) / S + 1
ConvGeom conv2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P);
// OH = (H - 1) S - 2P + K + OP
ConvGeom conv_transpose2d_geom(int B, int C, int H, int W, int OC, int K, int S, int P, int OP);

// Floats of scratch the col buffer needs, for either direction (the geometry
// knows which one it describes): the columns of one chunk of images (at least
// one image's) plus a transposed copy of the weight.
long conv_col_size(const ConvGeom *g);

// col (C*K*K, OH*OW) <- patches of img (C, H, W); (H, W) is the padded-from
// image size and (OH, OW) the grid of patch positions.
void im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH, int OW);
// img (C, H, W) += the columns of col scattered back to their pixels.
void col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH, int OW);

void conv2d_forward(float *out,           // (B, OC, OH, OW)
                    float *col,           // scratch, conv_col_size(g)
                    const float *inp,     // (B, C, H, W)
                    const float *weight,  // (OC, C, K, K)
                    const float *bias,    // (OC) or NULL
                    const ConvGeom *g);
void conv2d_backward(float *dinp,         // (B, C, H, W) or NULL
                     float *dweight,      // (OC, C, K, K) or NULL
                     float *dbias,        // (OC) or NULL
                     float *col,          // scratch, conv_col_size(g)
                     const float *dout,   // (B, OC, OH, OW)
                     const float *inp,    // (B, C, H, W)
                     const float *weight, // (OC, C, K, K)
                     const ConvGeom *g);

void conv_transpose2d_forward(float *out,          // (B, OC, OH, OW)
                              float *col,          // scratch, conv_col_size(g)
                              const float *inp,    // (B, C, H, W)
                              const float *weight, // (C, OC, K, K), PyTorch's layout
                              const float *bias,   // (OC) or NULL
                              const ConvGeom *g);
void conv_transpose2d_backward(float *dinp,          // (B, C, H, W) or NULL
                               float *dweight,       // (C, OC, K, K) or NULL
                               float *dbias,         // (OC) or NULL
                               float *col,           // scratch, conv_col_size(g)
                               const float *dout,    // (B, OC, OH, OW)
                               const float *inp,     // (B, C, H, W)
                               const float *weight,  // (C, OC, K, K)
                               const ConvGeom *g);

// The reference: the same four functions, one image at a time through
// im2col / col2im and one GEMM each (conv.c), as a textbook writes them.
// The entry points above compute the same, faster; the tests check them
// against these. Same arguments; col needs one image's columns only.
void conv2d_forward_reference(float *out, float *col, const float *inp, const float *weight,
                              const float *bias, const ConvGeom *g);
void conv2d_backward_reference(float *dinp, float *dweight, float *dbias, float *col,
                               const float *dout, const float *inp, const float *weight,
                               const ConvGeom *g);
void conv_transpose2d_forward_reference(float *out, float *col, const float *inp,
                                        const float *weight, const float *bias,
                                        const ConvGeom *g);
void conv_transpose2d_backward_reference(float *dinp, float *dweight, float *dbias, float *col,
                                         const float *dout, const float *inp,
                                         const float *weight, const ConvGeom *g);

#endif
