// paired.h - image pairs for Pix2Pix, and two unpaired image sets for
// CycleGAN, in the folder layouts that pix2pix and CycleGAN code commonly use.
//
// Aligned (paired) layout: one PNG or JPEG per pair, the two images side by side,
// A on the left and B on the right, both halves the same size:
//     dataroot/train/*.png   dataroot/val/*.png   dataroot/test/*.png   (or *.jpg)
//     each file: (C, H, 2W) = A (C, H, W) | B (C, H, W)
// The direction says which half the generator sees: AtoB turns A into B,
// BtoA turns B into A (the course's emoji pairs are sketch | colour, so
// AtoB; facades-style sets with the photo on the left are BtoA).
//
// Unaligned (unpaired) layout: two folders of single images with nothing
// pairing them, possibly of different sizes:
//     dataroot/trainA/*.png  dataroot/trainB/*.png  (testA, testB)
//
// Images are kept as 8-bit pixels (a quarter of the memory of floats) and
// become floats in [-1, 1] only when a batch is copied out. Training batches
// are jittered: a random crop (load the images a little larger than the crop,
// e.g. 72 for 64) and a random left-right flip; the two halves of a pair get
// the SAME crop and flip, so the target stays aligned with the input, while
// unpaired A and B images get independent ones.
//
// Files are PNG or JPEG (*.png, *.jpg, *.jpeg in any case; image_read tells
// them apart by content), so facades-style JPEG sets load as they come.
//
// Dimension letters: N images, B batch, C channels, H rows, W columns.
#ifndef PAIRED_H
#define PAIRED_H

#include <stdint.h>

#include "util/error.h"
#include "util/rng.h"

typedef enum { PAIRED_A_TO_B, PAIRED_B_TO_A } PairedDirection;

// "AtoB" or "BtoA" (as the --direction flag spells them).
int paired_parse_direction(PairedDirection *direction, const char *text, Error *err);

// ab (C, H, 2W) = a (C, H, W) | b (C, H, W), and back.
void paired_join(float *ab, const float *a, const float *b, int c, int h, int w);
void paired_split(float *a, float *b, const float *ab, int c, int h, int w);

// A generator that halves the size `depth` times (a U-Net of depth d, or a
// ResNet generator's downsampling) needs sides that are multiples of 2^depth,
// or its skips and outputs would not line up. Checks h x w against that rule;
// the message names the rule and the nearest sizes that fit.
int paired_check_fits(int h, int w, int depth, Error *err);

// ---------------------------------------------------------------- aligned pairs

typedef struct {
    int n;           // pairs
    int c_x, c_y;    // channels of the generator's input and of its target (1 or 3)
    int h, w;        // size of each half as kept (after the load resize)
    uint8_t *x;      // (N, C_x, H, W) the generator's input: A for AtoB, B for BtoA
    uint8_t *y;      // (N, C_y, H, W) its target: the other half
    char **names;    // (N) the file names, in name order
} PairedSet;

// Reads every *.png and *.jpg in dir (name order) as an A | B pair. Each half is
// converted to its channel count (c_x for the input, c_y for the target) and,
// when load_h and load_w are > 0, resized to load_h x load_w; with 0 the
// halves keep the files' size, which must then be the same for every file.
// Refused with a message naming the file: an odd width (the halves would
// differ in size), a size unlike the first file's, an unreadable image, a
// folder without images.
int paired_load(PairedSet *ps, const char *dir, PairedDirection direction, int c_x, int c_y,
                int load_h, int load_w, Error *err);
void paired_free(PairedSet *ps);

// Copies pair i, cropped to the window (crop_h, crop_w) at (y0, x0) and, if
// flip, mirrored left <-> right, into x (C_x, crop_h, crop_w) and y (C_y,
// crop_h, crop_w) as floats in [-1, 1]. The whole pair, unjittered (for
// testing): y0 = x0 = 0, crop = (h, w), flip = 0.
void paired_get(float *x, float *y, const PairedSet *ps, int i, int y0, int x0, int crop_h,
                int crop_w, int flip);

// An epoch iterator over pairs with joint jitter, like Batcher (dataset.h).
typedef struct {
    const PairedSet *ps;
    int batch;
    int drop_last;        // 1: skip the final batch when it would be short
    int crop_h, crop_w;   // every batch is (batch, C, crop_h, crop_w)
    int flip;             // 1: mirror each pair with probability 1/2
    int *order;           // (N) the current epoch's permutation
    int pos;              // how many of `order` have been handed out; -1 before an epoch
    int epoch;            // epochs started so far
} PairedBatcher;

// The crop must fit inside the kept size; crop (h, w) with flip 0 means no jitter.
int paired_batcher_init(PairedBatcher *b, const PairedSet *ps, int batch, int drop_last,
                        int crop_h, int crop_w, int flip, Error *err);
void paired_batcher_free(PairedBatcher *b);

// Copies the next pairs into x (batch, C_x, crop_h, crop_w) and y (batch,
// C_y, crop_h, crop_w), each pair with its own random window and flip, the
// same for both halves. Returns the number of pairs copied: batch, fewer for
// a final short batch, or 0 when the epoch is over (the next call starts a
// new epoch, shuffled with rng).
int paired_batcher_next(PairedBatcher *b, float *x, float *y, Rng *rng);

// ---------------------------------------------------------------- unaligned sets

typedef struct {
    int n_a, n_b;    // images in each domain: they need not be equal
    int c, h, w;     // every image is (C, H, W) as kept
    uint8_t *a;      // (N_a, C, H, W) domain A
    uint8_t *b;      // (N_b, C, H, W) domain B
    char **names_a;  // (N_a) file names, in name order
    char **names_b;  // (N_b)
} UnpairedSet;

// Reads root/<phase>A/ and root/<phase>B/ (*.png, *.jpg; phase "train" or
// "test"), converted to c channels and resized to load_h x load_w (both > 0:
// unpaired images often differ in size, so they are always resized).
int unpaired_load(UnpairedSet *us, const char *root, const char *phase, int c, int load_h,
                  int load_w, Error *err);
void unpaired_free(UnpairedSet *us);

// Copies image i of domain A (which = 0) or B (which = 1), cropped and
// optionally flipped as paired_get, into out (C, crop_h, crop_w).
void unpaired_get(float *out, const UnpairedSet *us, int which, int i, int y0, int x0, int crop_h,
                  int crop_w, int flip);

// Epochs run over domain A in a fresh random order; each A image gets a B
// image drawn uniformly at random, so nothing pairs them. Each image has its
// own random crop and flip.
typedef struct {
    const UnpairedSet *us;
    int batch;
    int crop_h, crop_w;
    int flip;
    int *order;   // (N_a) the current epoch's permutation of domain A
    int pos;      // -1 before an epoch
    int epoch;
} UnpairedBatcher;

int unpaired_batcher_init(UnpairedBatcher *b, const UnpairedSet *us, int batch, int crop_h,
                          int crop_w, int flip, Error *err);
void unpaired_batcher_free(UnpairedBatcher *b);

// Copies the next images into a (batch, C, crop_h, crop_w) and b (batch, C,
// crop_h, crop_w). Returns the number copied (fewer for the last batch of an
// epoch), or 0 when the epoch is over, as paired_batcher_next.
int unpaired_batcher_next(UnpairedBatcher *it, float *a, float *b, Rng *rng);

#endif
