// part.h - what lesson 02's two parts share around their training steps
// (main.c): the networks and buffers of a part, its run in a folder of its
// own through the training loop, and part 2's pictures and numbers: the
// 8x8 grid from fixed noise and the FCD of 10,000 samples (fcdlog.h).
#ifndef PART_H
#define PART_H

#include "eval/fcdlog.h"
#include "gan.h"
#include "train/trainloop.h"

#define FM_Z 100
#define FM_X (28 * 28)
#define FM_GRID 64   // samples in part 2's grid, 8x8

typedef struct {
    Gan gan;
    Rng rng;          // the data, the noise, the ring's snapshots
    int batch, z_dim;
    float *real, *z;  // one batch
    Dataset ds;       // part 2
    Batcher batcher;
    float *z_fixed, *z_eval;   // part 2: the grid's and the FCD's noise, the same every epoch
    const char *data_dir, *evaluator_path;
    FcdLog fl;
} Part;

// Builds the networks (from p->rng) and one batch's buffers; 1 with the
// message on stderr when spec is wrong.
int part_build(Part *p, const GanSpec *spec, int z_dim);

// Part 2: the Fashion-MNIST training set from p->data_dir, its batcher, the
// networks, the grid's noise (from the training RNG, seeded with seed) and the
// FCD's (from its own seed: the same 10,000 z every epoch); 1 on failure.
int part_fmnist_build(Part *p, const GanSpec *spec, int seed);

// Part 2's sample (the grid), evaluation (FCD) and start (which opens the
// FCD log; the loop closes it) for TrainSpec.
int part_fm_grid(void *part, TrainLoop *loop, const char *png, Error *err);
int part_fm_fcd(void *part, TrainLoop *loop, Error *err);
int part_fm_start(void *part, TrainLoop *loop, Error *err);

// The part's training loop in args->out/name, with both networks, the RNG,
// the batcher (part 2) and the curves titled `what`; returns the exit code.
int part_run(Part *p, const Args *args, const char *name, const char *what, TrainSpec *spec);

void part_free(Part *p);

#endif
