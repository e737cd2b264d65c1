// idx.h - the IDX format of MNIST and Fashion-MNIST.
//
// An IDX file is a big-endian header, then raw bytes:
//   magic  0x00000803 (unsigned bytes, 3 dimensions) for images: N, H, W, then N*H*W pixels
//          0x00000801 (unsigned bytes, 1 dimension)  for labels: N, then N labels
// Files may be gzipped (.gz) or raw: zlib reads both.
// The readers check the magic, the dimensions and that the data is exactly as
// long as the header says. Memory grows with the bytes actually read, never
// with what a header claims, so a lying header cannot make a huge allocation.
#ifndef IDX_H
#define IDX_H

#include "util/error.h"

// Refused before reading: more data than this, or images larger than IDX_MAX_SIDE.
#define IDX_MAX_BYTES (256L << 20)
#define IDX_MAX_SIDE 4096

// Reads images into a new array *out (N, 1, H, W) of floats in [-1, 1]
// (pixel u -> u / 127.5 - 1). limit > 0 reads only the first `limit` images
// (and does not look past them); 0 reads all and checks the file ends there.
// want_h, want_w > 0: the caller's networks take want_h x want_w images (rows
// x columns), and a file of another size is refused from its header, before
// any pixel is read; 0, 0 accepts any size.
int idx_read_images(float **out, int *n, int *h, int *w, const char *path, int limit, int want_h,
                    int want_w, Error *err);

// Reads labels into a new array *out (N). limit as above. n_classes > 0: every
// label must be in 0..n_classes-1, or the file is refused naming the first
// label outside (its index and value); 0 accepts any byte.
int idx_read_labels(int **out, int *n, const char *path, int limit, int n_classes, Error *err);

#endif
