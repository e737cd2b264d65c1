// part.h - what lesson 02's two parts share around their training steps
// (main.c): the networks and buffers of a part, its run in a folder of its
// own through the training loop, and part 2's pictures and numbers: the
// 8x8 grid from fixed noise and the FCD of 10,000 samples (fcdlog.h).
#ifndef PART_H
#define PART_H

#include "eval/fcdlog.h"
#include "gan.h"
#include "train/trainloop.h"

#define L02_FM_Z 100
#define L02_FM_X (28 * 28)
#define L02_FM_GRID 64   // samples in part 2's grid, 8x8

typedef struct {
    L02Gan gan;
    Rng rng;          // the data, the noise, the ring's snapshots
    int batch, z_dim;
    float *real, *z;  // one batch
    Dataset ds;       // part 2
    Batcher batcher;
    float *z_fixed, *z_eval;   // part 2: the grid's and the FCD's noise, the same every epoch
    const char *data_dir, *evaluator_path;
    FcdLog fl;
} L02Part;

// malloc for the lesson's program: an out-of-memory run says what it was
// allocating and exits 1 (the program has nothing to fall back on).
void *l02_malloc(size_t bytes, const char *what);

// Builds the networks (from p->rng) and one batch's buffers; 1 with the
// message on stderr when spec is wrong.
int l02_part_init(L02Part *p, const L02GanSpec *spec, int z_dim);

// Part 2: the Fashion-MNIST training set from p->data_dir, its batcher, the
// networks, the grid's noise (from the training RNG, seeded with seed) and the
// FCD's (from its own seed: the same 10,000 z every epoch); 1 on failure.
int l02_part_fmnist_init(L02Part *p, const L02GanSpec *spec, int seed);

// Part 2's sample (the grid), evaluation (FCD) and start (which opens the
// FCD log; the loop closes it) for TrainSpec.
int l02_part_fm_grid(void *part, TrainLoop *loop, const char *png, Error *err);
int l02_part_fm_fcd(void *part, TrainLoop *loop, Error *err);
int l02_part_fm_start(void *part, TrainLoop *loop, Error *err);

// The part's training loop in args->out/name, with both networks, the RNG,
// the batcher (part 2) and the curves titled `what`; returns the exit code.
int l02_part_run(L02Part *p, const Args *args, const char *name, const char *what, TrainSpec *spec);

void l02_part_free(L02Part *p);

#endif
