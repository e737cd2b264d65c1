// conv_exercises.h - exercises 3.1 to 3.6: convolution as im2col + GEMM and
// transposed convolution as GEMM + col2im (your code in conv_exercises.c).
//
// B = batch, C = input channels, H, W = input size, OC = output channels,
// K = kernel size (square), S = stride, P = zero padding on each side,
// OH, OW = output size. Every tensor is NCHW float32 and contiguous.
// The geometry (ConvGeom, conv2d_geom, conv_transpose2d_geom, conv_col_size)
// comes from the library's common/kernels/conv.h, and these functions have exactly
// the signatures of the library's conv2d_forward & co.: the lesson program
// hands them to the autograd tape (tape_set_kernels), which then trains the
// DCGAN with YOUR convolutions.
#ifndef CONV_EXERCISES_H
#define CONV_EXERCISES_H

#include "kernels/conv.h"

// 3.1: col (C*K*K, OH*OW) <- the K x K patches of img (C, H, W).
void l03_im2col(float *col, const float *img, int C, int H, int W, int K, int S, int P, int OH,
                int OW);
// 3.2: img (C, H, W) += the entries of col (C*K*K, OH*OW) added back onto their pixels.
void l03_col2im(float *img, const float *col, int C, int H, int W, int K, int S, int P, int OH,
                int OW);

// 3.3 and 3.4: convolution; weight (OC, C, K, K), bias (OC) or NULL.
void l03_conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                        const float *bias, const ConvGeom *g);
void l03_conv2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                         const float *dout, const float *inp, const float *weight,
                         const ConvGeom *g);

// 3.5 and 3.6: transposed convolution; weight (C, OC, K, K) (PyTorch's layout).
void l03_conv_transpose2d_forward(float *out, float *col, const float *inp, const float *weight,
                                  const float *bias, const ConvGeom *g);
void l03_conv_transpose2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                                   const float *dout, const float *inp, const float *weight,
                                   const ConvGeom *g);

#endif
