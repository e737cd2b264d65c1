// seed_checkpoint.c - writes fuzz_checkpoint's seed, corpus/checkpoint/valid_v2.ckpt
// (version 2, with its checksum; valid.ckpt is the same model in version 1):
// its model with non-trivial weights, moments and steps. Built and run by
// `make fuzz-seeds`; the output is committed.
#include <stdio.h>

#include "fuzz_model.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.ckpt\n", argv[0]);
        return 2;
    }
    FuzzModel m;
    fuzz_model_build(&m);
    for (long i = 0; i < m.gps.size; i++) m.gps.grad[i] = 0.01f * (float)(i % 7) - 0.03f;
    for (long i = 0; i < m.dps.size; i++) m.dps.grad[i] = 0.02f * (float)(i % 5) - 0.04f;
    for (int s = 0; s < 3; s++) {
        optim_step(&m.gopt, &m.gps);
        optim_step(&m.dopt, &m.dps);
    }
    m.gps.buf_data[0] = 0.5f;
    CheckpointModel parts[2];
    fuzz_model_parts(&m, parts);
    CheckpointInfo info = {.step = 3, .epoch = 1, .meta = "fuzz seed"};
    Rng rng;
    rng_seed(&rng, 42);
    rng_normal(&rng);   // leaves a Box-Muller spare, so has_spare is 1
    Error err;
    if (checkpoint_save(argv[1], parts, 2, &info, &rng, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return 0;
}
