// spatial.h - the shape-changing ops on NCHW tensors: padding, nearest
// upsampling, max-pooling, channel concatenation, residual addition, and the
// per-channel statistics AdaIN needs.
//
// B = batch, C = channels, H, W = input size, P = padding per side.
// Backward functions accumulate (+=) and skip NULL gradients.
#ifndef SPATIAL_H
#define SPATIAL_H

// Zero padding: out (B, C, H+2P, W+2P).
void pad_zero_forward(float *out, const float *inp, int B, int C, int H, int W, int P);
void pad_zero_backward(float *dinp, const float *dout, int B, int C, int H, int W, int P);

// Reflection padding (PyTorch ReflectionPad2d: the edge pixel is not repeated;
// needs P < H and P < W): out (B, C, H+2P, W+2P).
void pad_reflect_forward(float *out, const float *inp, int B, int C, int H, int W, int P);
void pad_reflect_backward(float *dinp, const float *dout, int B, int C, int H, int W, int P);

// Nearest-neighbour upsampling by 2: out (B, C, 2H, 2W).
void upsample_nearest2x_forward(float *out, const float *inp, int B, int C, int H, int W);
void upsample_nearest2x_backward(float *dinp, const float *dout, int B, int C, int H, int W);

// Max-pooling 2x2, stride 2, ceil mode: out (B, C, ceil(H/2), ceil(W/2)).
// argmax (same size as out) records the input index each output came from.
void maxpool2x2_forward(float *out, int *argmax, const float *inp, int B, int C, int H, int W);
void maxpool2x2_backward(float *dinp, const int *argmax, const float *dout, int B, int C, int H, int W);

// Concatenate a (B, CA, H, W) and b (B, CB, H, W) along channels: out (B, CA+CB, H, W).
void concat_channels_forward(float *out, const float *a, const float *b, int B, int CA, int CB, int HW);
void concat_channels_backward(float *da, float *db, const float *dout, int B, int CA, int CB, int HW);

// Residual addition: out = a + b over n floats.
void add_forward(float *out, const float *a, const float *b, int n);
void add_backward(float *da, float *db, const float *dout, int n);

// Per-(sample, channel) mean and standard deviation over HW, as AdaIN uses
// them: std = sqrt(unbiased variance + eps), so HW >= 2. mean, std: (B, C).
// Backward: dmean or dstd may be NULL when only one statistic is used.
void mean_std_hw_forward(float *mean, float *std, const float *inp, float eps, int B, int C, int HW);
void mean_std_hw_backward(float *dinp, const float *dmean, const float *dstd, const float *inp,
                          const float *mean, const float *std, int B, int C, int HW);

#endif
