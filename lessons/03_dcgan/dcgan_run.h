// dcgan_run.h - what lesson 03's program keeps around its training step
// (main.c): the Fashion-MNIST training set and its batcher, W1 with its
// optimisers (dcgan_train.h), the fixed noise of the sample grids and of FCD,
// one batch's buffers, the FCD log (fcdlog.h) and the class census
// (class_census.h). Nothing to write here.
//
// B = batch, Z = 100 (noise), images (B, 1, 28, 28) in [-1, 1].
#ifndef DCGAN_RUN_H
#define DCGAN_RUN_H

#include "class_census.h"
#include "dcgan_train.h"
#include "eval/fcdlog.h"

#define L03_GRID 64   // samples in each grid, 8x8

typedef struct {
    int images;         // --images: train on the first N (0: all)
    float real_label;   // --real-label: D's target for real images
    float lr_d;         // --lr-d: D's learning rate (0: --lr)
    float beta1;        // --beta1: Adam's beta1 for both networks
} L03Options;

typedef struct {
    L03Dcgan gan;
    Dataset ds;
    Batcher batcher;
    Rng rng;                      // the data order and the noise of every step
    float *z_fixed, *z_eval;      // (L03_GRID, Z) and (EVAL_FCD_SAMPLES, Z): the same every time
    float *real, *z;              // one batch: (B, 1, 28, 28) and (B, Z)
    int batch;
    const char *data_dir, *evaluator_path;   // --data, --evaluator
    FcdLog fl;
    CsvLog hist;                  // class_hist.csv
    L03ClassCensus census, test_census;
    int measured;                 // whether this process took a census of G
} L03Run;

// malloc for the lesson's program: an out-of-memory run says what it was
// allocating and exits 1 (the program has nothing to fall back on).
void *l03_malloc(size_t bytes, const char *what);

// Loads the training images from r->data_dir, builds W1 from the seed
// (args->seed) with args->lr, batch args->batch and the options, draws the
// fixed noise from a seed of its own (a resumed run draws the same), and
// prints the set-up in one line. Returns 0, or 1 with the message on stderr.
int l03_run_init(L03Run *r, const Args *args, const L03Options *o);
void l03_run_free(L03Run *r);

#endif
