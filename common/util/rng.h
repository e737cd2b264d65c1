// rng.h - a small seeded random number generator (PCG32).
// The seed makes a run reproducible; the whole state is one struct so a
// checkpoint can save and restore it.
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
    uint64_t inc;
    int has_spare;   // Box-Muller makes normals in pairs; keep the second one
    float spare;
} Rng;

void rng_seed(Rng *rng, uint64_t seed);
uint32_t rng_u32(Rng *rng);
float rng_uniform(Rng *rng);                         // [0, 1)
float rng_normal(Rng *rng);                          // N(0, 1)
int rng_int(Rng *rng, int n);                        // [0, n)
void rng_fill_normal(Rng *rng, float *x, int n, float mean, float std);
void rng_fill_uniform(Rng *rng, float *x, int n, float lo, float hi);
void rng_shuffle(Rng *rng, int *idx, int n);         // Fisher-Yates

#endif
