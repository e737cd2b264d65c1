// train_guard.h - the checks that stop a training run before it spoils
// anything: a NaN or Inf in a loss or a gradient (divergence), and an output
// folder that cannot take the run's files (before the first step).
//
// The training loop (trainloop.h) runs them for every lesson: the gradient
// check sits in the gate that optim_step calls before it changes a weight,
// so it runs between backward and the update whoever calls optim_step:
//
//     guard_init(&guard, "runs/x/checkpoint.bin", resumed ? step : -1);
//     if (guard_check_output("runs/x", checkpoint_file_bytes(...), &err)) ...  // before training
//     ...
//     if (guard_check_grads(&guard, ps, "D", step, &err) != 0) skip the update, stop the run:
//         "the gradient of d.fc1.weight (model D) has Inf at element 3 of 256 at step 12;
//          the last good checkpoint is runs/x/checkpoint.bin (step 1200)"
//     if (checkpoint_save(...) == 0) guard_saved(&guard, step);
//
// The weights, the optimiser's moments and the checkpoint on disk all stay as
// they were at the last good step. The program exits non-zero; nothing is
// saved after a failure.
#ifndef TRAIN_GUARD_H
#define TRAIN_GUARD_H

#include "train/checkpoint.h"
#include "util/error.h"
#include "nn/layers.h"

typedef struct {
    char checkpoint[1024];   // the run's checkpoint file, named in the messages
    long good_step;          // the step it holds; -1 while none has been written
} TrainGuard;

void guard_init(TrainGuard *g, const char *checkpoint_path, long good_step);
// After a successful checkpoint_save of step `step`.
void guard_saved(TrainGuard *g, long step);

// -1 with "<name> is NaN at step S; the last good checkpoint is ..." when value
// is not finite.
int guard_check_loss(const TrainGuard *g, const char *name, float value, long step, Error *err);
// Every parameter's gradient in ps: -1 naming the first tensor with a NaN or
// Inf, e.g. "the gradient of d.fc1.weight (model D) has Inf at element 3 of 256
// at step 12; the last good checkpoint is ...". Frozen parameters are skipped.
int guard_check_grads(const TrainGuard *g, const ParamSet *ps, const char *model, long step,
                      Error *err);

// The bytes a checkpoint of these models takes on disk (with their optimisers' moments).
long guard_checkpoint_bytes(const CheckpointModel *models, int n_models);

// Before training (after args_write_config has made the folder): checks, by
// writing and removing a probe file, that files can be made in `dir`; that the file
// system has room for `bytes_needed` more bytes (a new checkpoint is written
// next to the old one before it replaces it); and that the process's file
// size limit (ulimit -f) allows a file of that size. -1 with a message saying
// which and what to do.
int guard_check_output(const char *dir, long bytes_needed, Error *err);

#endif
