// translate.h - the tools every image-to-image lesson shares once it has a
// trained generator (lessons 05, 06, 07 and their cmd_<name>.c programs):
// a strip of rows  input | output(s) | target,  and a PNG or a folder of
// PNGs run through a generator into files of the same names.
//
//     // cmd_infer.c of a lesson: its G, loaded from a checkpoint
//     static int colour(void *ctx, float *out, const float *in, int h, int w, Error *err) {
//         l05_generate(ctx, out, in, 1, h, w);
//         return 0;
//     }
//     TranslateSpec t = {.in_channels = 3, .out_channels = 3, .fn = colour, .ctx = &p};
//     rc = translate_path(&t, input, output, &outputs, &err);
//
// B = batch, C = channels, H, W = height and width.
#ifndef TRANSLATE_H
#define TRANSLATE_H

#include "train/args.h"
#include "util/error.h"
#include "train/run.h"

// Rows of  input | outs[0] | ... | outs[n_out-1] | target  for n images into
// the PNG path: xs (n, cx, H, W), each outs[j] (n, 3, H, W), ys (n, 3, H, W)
// or NULL (no target column, e.g. CycleGAN's A -> B -> A). A gray input
// (cx 1) is drawn in colour (three equal channels) so that every cell is RGB.
int translate_write_strip(const char *path, const float *xs, int cx, float *const *outs,
                          int n_out, const float *ys, int n, int h, int w, Error *err);

typedef struct {
    int in_channels, out_channels;   // what fn reads and writes (1 or 3)
    // Checks that an image of h x w fits the network (a U-Net's multiple of
    // 2^depth); -1 with a message. NULL: every size fits.
    int (*fits)(void *ctx, int h, int w, Error *err);
    // out (1, out_channels, h, w) = the network's output for in (1, in_channels, h, w).
    int (*fn)(void *ctx, float *out, const float *in, int h, int w, Error *err);
    void *ctx;
} TranslateSpec;

// input a PNG: output is a PNG. input a folder: output is a folder (made when
// missing) that receives every PNG of input under its own name. A file that
// cannot be read or does not fit is reported on stderr and skipped; the
// others are written and recorded in out (may be NULL). Returns 0 when every
// file was written, -1 (err: how many failed, and the first reason) otherwise.
int translate_path(const TranslateSpec *t, const char *input, const char *output, Outputs *out,
                   Error *err);

// The flags every inference program (a lesson's cmd_<name>.c) shares:
// --input, --output, --checkpoint (each NULL until given).
void translate_add_flags(Args *args, const char **input, const char **output,
                         const char **checkpoint);
// Parses argv; refuses a run without the three; sets the compute threads.
// Returns -1 to go on, or the exit code (--help, a wrong or missing flag).
int translate_parse_flags(Args *args, int argc, char **argv, const char *const *input,
                          const char *const *output, const char *const *checkpoint);

#endif
