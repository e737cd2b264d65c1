// pix2pix_tools.h - what lesson 05's three programs share: the training program
// (main.c), `infer` (cmd_infer.c: your own sketches through a checkpoint) and
// `compare` (cmd_compare.c: several checkpoints side by side).
#ifndef PIX2PIX_TOOLS_H
#define PIX2PIX_TOOLS_H

#include "pix2pix_metrics.h"
#include "data/paired.h"
#include "pix2pix.h"

// malloc for the lesson's programs: an out-of-memory run says what it was
// allocating and exits 1 (the programs have nothing to fall back on).
void *l05_malloc(size_t bytes, const char *what);

// G's outputs for `count` pairs of a set (evenly spread over it, so that a
// partial evaluation sees every category), scored into m; out_buf (count,
// CY, H, W) keeps the outputs, or NULL.
void l05_evaluate_set(L05Pix2pix *p, L05Metrics *m, float *out_buf, const PairedSet *set,
                      int count);

// The n fixed validation pairs of the strips, xs (n, CX, H, W) and ys (n,
// CY, H, W): eight chosen emoji of the course's validation split when they
// are there (colourful, drawn in every style), then pairs spread evenly over
// the set.
void l05_strip_pairs(float *xs, float *ys, const PairedSet *val, int n);

// Builds the network a checkpoint's metadata describes and loads G and D
// into it; batch_stats sets the paper's test mode (l05_generate).
int l05_load_checkpoint(L05Pix2pix *p, const char *path, int batch_stats, Error *err);

// data/split (train, val) as pairs resized to size x size, direction "AtoB"
// or "BtoA"; a missing emoji set says how to make it.
int l05_load_split(PairedSet *set, const char *data, const char *direction, const char *split,
                   int size, Error *err);

// "what (N pairs): L1 ...  PSNR ... dB  sharpness ...  fill sharpness ...  colour ..."
void l05_print_metrics(const char *what, const L05Metrics *m);

// metrics.txt: the loss, the generator, the steps and m's numbers, one
// "name value" a line (the ablation tables are read from it).
int l05_write_metrics(const char *path, const L05Config *c, long steps, const L05Metrics *m,
                      Error *err);

#endif
