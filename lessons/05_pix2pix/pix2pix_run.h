// pix2pix_run.h - what lesson 05's training program keeps around its step
// (main.c): the training and validation pairs with the training batcher,
// Pix2Pix with its optimisers (pix2pix.h), one batch's buffers and the strips'
// fixed validation pairs. Nothing to write here.
//
// B = batch, S = the crop's side; images (B, 3, S, S) in [-1, 1].
#ifndef PIX2PIX_RUN_H
#define PIX2PIX_RUN_H

#include "train/args.h"
#include "train/csvlog.h"
#include "pix2pix_tools.h"

typedef struct {
    const char *data;        // --data: a folder with train/ and val/ of A|B pairs
    const char *direction;   // --direction: AtoB or BtoA
    int load_size, crop;     // --load-size, --crop
    int no_flip;             // --no-flip
    int strip_count;         // --strip-count: validation pairs in each strip
    int val_count;           // --val-count: validation pairs scored during training
} L05RunOptions;

typedef struct {
    L05Pix2pix p;                 // G, D, their optimisers, and p.rng: crops, flips, dropout
    PairedSet train_set, val_set;
    PairedBatcher batches;
    int B, S, strip_count, val_count;
    float *x, *y;                 // one batch
    float *sx, *sy, *so;          // the strips' fixed validation pairs and G's outputs
    CsvLog val_log;               // val.csv
} L05Run;

// Loads both splits (the training pairs at load_size, the validation pairs at
// the crop), builds the networks of cfg from args->seed with batch
// args->batch, picks the strips' pairs, and prints the set-up: the data, G,
// D with what one of its logits sees (your exercise 5.3), the loss. Returns
// 0, or 1 with the message on stderr.
int l05_run_init(L05Run *r, const Args *args, const L05Config *cfg, const L05RunOptions *o);
void l05_run_free(L05Run *r);

#endif
