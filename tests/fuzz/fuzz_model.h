// fuzz_model.h - the model fuzz_checkpoint loads into and seed_checkpoint saves.
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include "train/checkpoint.h"

typedef struct {
    ParamSet gps, dps;
    Linear g_fc, d_fc;
    BatchNorm2d g_bn;
    Optimizer gopt, dopt;
} FuzzModel;

static inline void fuzz_model_build(FuzzModel *m) {
    Rng rng;
    rng_seed(&rng, 1);
    paramset_init(&m->gps);
    paramset_init(&m->dps);
    nn_linear_init(&m->g_fc, &m->gps, "g.fc", 3, 4, 1, &rng);
    nn_batchnorm2d_init(&m->g_bn, &m->gps, "g.bn", 4, &rng);
    nn_linear_init(&m->d_fc, &m->dps, "d.fc", 4, 1, 1, &rng);
    optim_adam_init(&m->gopt, &m->gps, 1e-3f, 0.5f, 0.999f, 1e-8f);
    optim_sgd_init(&m->dopt, &m->dps, 1e-2f, 0.9f);
}

static inline void fuzz_model_parts(FuzzModel *m, CheckpointModel parts[2]) {
    parts[0] = (CheckpointModel){"G", &m->gps, &m->gopt};
    parts[1] = (CheckpointModel){"D", &m->dps, &m->dopt};
}

#endif
