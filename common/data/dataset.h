// dataset.h - a set of equally sized images in memory, and shuffled
// mini-batches drawn from it.
//
// Dimension letters: N images, B batch, C channels, H rows, W columns.
#ifndef DATASET_H
#define DATASET_H

#include "util/error.h"
#include "util/rng.h"

typedef struct {
    int n, c, h, w;
    float *images;   // (N, C, H, W) in [-1, 1]
    int *labels;     // (N), or NULL for an unlabelled set
    int n_classes;   // 1 + the largest label; 0 when unlabelled
} Dataset;

// Fashion-MNIST style: images from an IDX image file, labels (if labels_path
// is not NULL) from an IDX label file; the two counts must agree.
// limit > 0 keeps only the first `limit` images. The caller says what its
// networks take: h x w images and labels 0..n_classes-1; a file that differs
// is refused when it is read (idx.h), and 0 accepts any size or label.
int dataset_load_idx(Dataset *ds, const char *images_path, const char *labels_path, int limit,
                     int h, int w, int n_classes, Error *err);

// Every *.png in `dir`, in name order, converted to c channels (1 or 3) and
// resized to (h, w) with image_resize. Unlabelled. An empty folder, or any
// unreadable PNG, is an error naming the folder or the file.
int dataset_load_png_folder(Dataset *ds, const char *dir, int c, int h, int w, Error *err);

void dataset_free(Dataset *ds);

// The names (not paths) of the *.png files in dir (any case: .PNG too),
// sorted byte by byte, into *names (count of them); free them with
// dataset_free_names. A folder without PNG files is an error, and when it
// holds JPEG files instead the message says how to convert them.
int dataset_list_pngs(char ***names, int *count, const char *dir, Error *err);
// The same for *.png, *.jpg and *.jpeg files (any case), read with image_read.
int dataset_list_images(char ***names, int *count, const char *dir, Error *err);
void dataset_free_names(char **names, int n);

// An epoch iterator: each epoch visits every image once in a fresh random
// order, `batch` images at a time.
typedef struct {
    const Dataset *ds;
    int batch;
    int drop_last;   // 1: skip the final batch when it would be short
    int *order;      // (N) the current epoch's permutation
    int pos;         // how many of `order` have been handed out; -1 before an epoch
    int epoch;       // epochs started so far
} Batcher;

// The first epoch starts at the first batcher_next.
int batcher_init(Batcher *b, const Dataset *ds, int batch, int drop_last, Error *err);
void batcher_free(Batcher *b);

// Copies the next mini-batch into x (batch, C, H, W) and, when the set is
// labelled and labels is not NULL, its labels into labels (batch). Returns the
// number of images copied: batch, fewer for a final short batch, or 0 when
// the epoch is over (the next call starts a new epoch, shuffled with rng).
// A training loop counted in steps just asks again on 0:
//     if (batcher_next(&b, x, y, &rng) == 0) batcher_next(&b, x, y, &rng);
// The state to save for an exact resume is order, pos and epoch (and the rng).
int batcher_next(Batcher *b, float *x, int *labels, Rng *rng);

// Number of batches one epoch yields.
int batcher_batches_per_epoch(const Batcher *b);

#endif
