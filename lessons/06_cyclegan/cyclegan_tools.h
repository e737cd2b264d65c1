// cyclegan_tools.h - lesson 06's plumbing: the data, the paired metric on the
// held-out test emoji, the strips, metrics.txt. Nothing to write here.
//
// The paired metric. The training never sees a pair, but the test split
// keeps them: testA/x.png and testB/x.png are the same emoji in both
// domains. So G(a) can be scored against the true b, next to the identity
// baseline (a itself against b: what "doing nothing" scores), and F(b)
// against the true a likewise. Images in [-1, 1]:
//   L1    mean |output - target| over every value, in [-1, 1] units
//   PSNR  10 log10(1 / MSE) in dB with pixels rescaled to [0, 1], per image,
//         averaged over the images
//   cycle mean |F(G(a)) - a| and mean |G(F(b)) - b|
#ifndef CYCLEGAN_TOOLS_H
#define CYCLEGAN_TOOLS_H

#include "cyclegan.h"
#include "data/paired.h"
#include "train/trainloop.h"

typedef struct {
    int n;                          // test pairs scored
    double l1_g, psnr_g;            // G(a) against the true b
    double l1_copy_a, psnr_copy_a;  // a against b: G's identity baseline
    double l1_f, psnr_f;            // F(b) against the true a
    double l1_copy_b, psnr_copy_b;  // b against a: F's identity baseline (the same L1)
    double cycle_a, cycle_b;        // mean |F(G(a)) - a|, mean |G(F(b)) - b|
} L06Metrics;

// malloc for the lesson's programs: an out-of-memory run says what it was
// allocating and exits 1 (the programs have nothing to fall back on).
void *l06_malloc(size_t bytes, const char *what);

// root/<phase>A and root/<phase>B at size x size (PNG or JPEG, resized).
// For the test phase the two folders must hold the same file names (the
// hidden pairing); a set without it is refused with a message.
int l06_load(UnpairedSet *us, const char *root, const char *phase, int size, Error *err);

// The first n test pairs (n <= us->n_a) through G and F.
void l06_evaluate(L06Cyclegan *c, L06Metrics *m, const UnpairedSet *test, int n, int size);
void l06_print_metrics(const char *what, const L06Metrics *m);
int l06_write_metrics(const char *path, const L06Config *cfg, long step, const L06Metrics *m,
                      Error *err);

// The strips' fixed test pairs: n evenly spread over the test split.
// a, b: (n, 3, size, size) each, the same emoji in both.
void l06_strip_pairs(float *a, float *b, const UnpairedSet *test, int n, int size);
// Rows a | G(a) | F(G(a)) | true b, then rows b | F(b) | G(F(b)) | true a.
// work: 6 n images of scratch.
int l06_write_strip(L06Cyclegan *c, const char *path, const float *a, const float *b, int n,
                    int size, float *work, Error *err);

// The networks' sizes and the losses, one line each.
void l06_print_model(const L06Cyclegan *c);
// Registers both image pools (images and counts) as the loop's state, so that
// a checkpoint holds them and --resume replays the same pool.
void l06_add_pools(TrainLoop *loop, L06Cyclegan *c);

// Rebuilds G and F from a checkpoint of main.c: the architecture from its
// metadata (refused with a message when it is not a lesson 06 checkpoint),
// the weights of "G" and "F" (the discriminators are not loaded).
int l06_load_checkpoint(L06Cyclegan *c, const char *path, Error *err);

#endif
