// cgan_run.h - what lesson 04's program keeps around its training step
// (main.c): the labelled Fashion-MNIST training set and its batcher, the cGAN
// with its optimisers (cgan.h), the fixed noise and classes of the grid and of
// the evaluation, one batch's buffers, the FCD log (fcdlog.h), and the closing
// numbers (results.txt). Nothing to write here.
//
// B = batch, Z = noise size, K = classes.
#ifndef CGAN_RUN_H
#define CGAN_RUN_H

#include "cgan.h"
#include "eval/fcdlog.h"
#include "train/trainloop.h"

#define L04_GRID_COLS 10   // the grid: row k of class k, column j from the noise z_grid[j]

typedef struct {
    L04Cgan gan;
    Dataset ds;
    Batcher batcher;
    Rng rng;                        // the data order, the noise and the fakes' classes
    int B;
    float *real, *z, *z_grid;       // one batch (B, 1, 28, 28), (B, Z); the grid's noise (L04_GRID_COLS, Z)
    int *real_labels, *fake_labels; // (B)
    float *z_eval;                  // (EVAL_FCD_SAMPLES, Z): the same every epoch
    int *eval_labels;               // sample i asks for class i mod K
    float accuracy, per_class[EVAL_CLASSES];   // the latest evaluation's
    const char *data_dir, *evaluator_path;     // --data, --evaluator
    FcdLog fl;
} L04Run;

// malloc for the lesson's program: an out-of-memory run says what it was
// allocating and exits 1 (the program has nothing to fall back on).
void *l04_malloc(size_t bytes, const char *what);

// Loads the training images and labels from r->data_dir, builds the cGAN
// from the seed (args->seed) with args->lr and batch args->batch, draws the
// fixed noise from a seed of its own (the same whatever the training draws,
// and after a resume), and prints the set-up in one line. Returns 0, or 1
// with the message on stderr.
int l04_run_init(L04Run *r, const Args *args);

// The closing numbers (steps, FCD with its ceiling and floor, the class
// accuracy overall and per class), on stdout and in results.txt.
int l04_run_results(L04Run *r, TrainLoop *loop, Error *err);

void l04_run_free(L04Run *r);

#endif
