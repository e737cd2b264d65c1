// optim.h - optimisers over a ParamSet, and learning-rate schedules.
//
// One Optimizer type covers Adam and SGD, so that a checkpoint saves and
// restores either the same way. Both walk the ParamSet's flat data/grad
// blocks in one loop, exactly as PyTorch's torch.optim.Adam / SGD do
// (bias-corrected Adam; SGD momentum without dampening or Nesterov).
#ifndef OPTIM_H
#define OPTIM_H

#include "nn/layers.h"

typedef enum { OPTIM_SGD = 1, OPTIM_ADAM = 2 } OptimKind;

typedef struct Optimizer {
    OptimKind kind;
    float lr;
    float beta1, beta2, eps;  // Adam
    float momentum;           // SGD; 0 = plain gradient descent
    long step;                // updates done so far (Adam's bias correction needs it)
    long n;                   // floats in the ParamSet it was made for
    float *m;                 // Adam's first moment, or SGD's velocity (n); NULL for plain SGD
    float *v;                 // Adam's second moment (n); NULL for SGD
    // Run by optim_step before it changes anything; a non-zero answer skips
    // the update. The training loop's divergence check (trainloop.h) sits
    // here, between the backward pass and the update, whoever calls
    // optim_step. NULL (the default): no check.
    int (*gate)(void *ctx, const struct Optimizer *opt, const ParamSet *ps);
    void *gate_ctx;
} Optimizer;

// The course's GANs use adam_init(&opt, &ps, 2e-4f, 0.5f, 0.999f, 1e-8f).
void optim_adam_init(Optimizer *opt, const ParamSet *ps, float lr, float beta1, float beta2,
                     float eps);
void optim_sgd_init(Optimizer *opt, const ParamSet *ps, float lr, float momentum);
void optim_free(Optimizer *opt);
// One update of every parameter in ps from its gradient (frozen ones too:
// give frozen layers a ParamSet of their own and do not step it).
void optim_step(Optimizer *opt, ParamSet *ps);

// ---------------------------------------------------------------- schedules

typedef enum { LR_CONSTANT, LR_LINEAR_DECAY } LrPolicy;

// pix2pix / CycleGAN style: base_lr for n_epochs, then linear decay over
// n_epochs_decay more epochs, following their formula
//     lr = base_lr * (1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay + 1))
// with epoch counted from 0 (so the last epoch still trains, at base/(nd+1)).
typedef struct {
    LrPolicy policy;
    float base_lr;
    int n_epochs;
    int n_epochs_decay;
} LrSchedule;

// At the start of each epoch: opt.lr = lr_schedule_at(&schedule, epoch);
float lr_schedule_at(const LrSchedule *s, int epoch);

#endif
