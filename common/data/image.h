// image.h - images as float arrays, PNG files, and JPEG input.
//
// In memory an image is float CHW (C = 1 gray or 3 RGB, then rows, then
// columns) with values in [-1, 1]: the range of a generator's tanh output.
// On disk it is an 8-bit PNG (JPEG is read too: most photos are JPEG). Pixel
// u in 0..255 maps to u / 127.5 - 1, and back with rounding, so
// u8 -> float -> u8 is exact.
//
// Dimension letters: N images, C channels, H rows, W columns.
#ifndef IMAGE_H
#define IMAGE_H

#include <stdint.h>

#include "util/error.h"

// Files larger than this, or images wider/taller than IMAGE_MAX_SIDE, are
// refused before anything is allocated for them.
#define IMAGE_MAX_FILE_BYTES (64L << 20)
#define IMAGE_MAX_SIDE 8192

// The grid writer's border, in pixels, and its value (white).
#define IMAGE_GRID_BORDER 2
#define IMAGE_GRID_BORDER_VALUE 1.0f

float image_u8_to_float(uint8_t u);
uint8_t image_float_to_u8(float x);   // clamps to [-1, 1], rounds to nearest

// Reads a PNG (gray, gray+alpha, RGB, RGBA, palette; 1 to 16 bits) into a new
// float array *out (C, H, W) that the caller frees.
// want_c = 1 gives gray, 3 gives RGB, 0 keeps the file's own choice (1 for
// gray files, 3 otherwise). Alpha is composited onto white, then dropped.
// Gray -> RGB copies the channel; RGB -> gray uses the Rec. 601 luma weights.
// *out is NULL on failure.
int image_read_png(float **out, int *c, int *h, int *w, const char *path, int want_c, Error *err);

// Reads a baseline or progressive JPEG (gray, YCbCr or RGB; 8-bit) with the
// same contract as image_read_png: want_c 0 keeps the file's choice (1 for
// gray, 3 for colour). Refused with a message naming the file: a wrong
// signature, a truncated or corrupt file, CMYK (with the command that
// converts it), more than IMAGE_MAX_SIDE pixels a side. libjpeg's errors
// never exit() or print.
int image_read_jpeg(float **out, int *c, int *h, int *w, const char *path, int want_c,
                    Error *err);

// Reads a PNG or a JPEG, told apart by the file's first bytes (not by its
// name); anything else is refused with the bytes found.
int image_read(float **out, int *c, int *h, int *w, const char *path, int want_c, Error *err);

// Writes img (C, H, W) with C = 1 (gray) or 3 (RGB) as an 8-bit PNG.
int image_write_png(const char *path, const float *img, int c, int h, int w, Error *err);

// Lays out N images (N, C, H, W) left to right, top to bottom, n_cols per
// row, with an IMAGE_GRID_BORDER-pixel white border around and between them;
// cells after the last image stay white. out is (C, grid_h, grid_w) from
// image_grid_size.
void image_grid_size(int *grid_h, int *grid_w, int n, int h, int w, int n_cols);
void image_grid(float *out, const float *imgs, int n, int c, int h, int w, int n_cols);

// image_grid, then image_write_png: one call for a sample grid.
int image_write_grid(const char *path, const float *imgs, int n, int c, int h, int w, int n_cols,
                     Error *err);

// Bilinear resampling (C, H, W) -> (C, out_h, out_w) with pixel centres
// aligned (PyTorch's align_corners=False): a constant image stays constant.
void image_resize(float *out, const float *in, int c, int h, int w, int out_h, int out_w);

// Copies the window of size (out_h, out_w) whose top-left corner is (y0, x0);
// the window must lie inside the image.
void image_crop(float *out, const float *in, int c, int h, int w, int y0, int x0, int out_h,
                int out_w);

// Mirrors left <-> right. out may not alias in.
void image_flip_horizontal(float *out, const float *in, int c, int h, int w);

#endif
