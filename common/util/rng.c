// rng.c - PCG32 (O'Neill, pcg-random.org) and Box-Muller normals.
#include "util/rng.h"

#include <math.h>

void rng_seed(Rng *rng, uint64_t seed) {
    rng->state = 0;
    rng->inc = (seed << 1u) | 1u;
    rng->has_spare = 0;
    rng->spare = 0.0f;
    rng_u32(rng);
    rng->state += 0x853c49e6748fea9bULL ^ seed;
    rng_u32(rng);
}

uint32_t rng_u32(Rng *rng) {
    uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

float rng_uniform(Rng *rng) {
    return (rng_u32(rng) >> 8) * (1.0f / 16777216.0f);   // 24 random bits
}

float rng_normal(Rng *rng) {
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    // u1 in (0, 1] so that log(u1) is finite
    double u1 = 1.0 - rng_uniform(rng);
    double u2 = rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    double theta = 2.0 * M_PI * u2;
    rng->spare = (float)(r * sin(theta));
    rng->has_spare = 1;
    return (float)(r * cos(theta));
}

int rng_int(Rng *rng, int n) {
    // Lemire's multiply-shift: unbiased enough for n far below 2^32
    return (int)(((uint64_t)rng_u32(rng) * (uint64_t)n) >> 32);
}

void rng_fill_normal(Rng *rng, float *x, int n, float mean, float std) {
    for (int i = 0; i < n; i++) x[i] = mean + std * rng_normal(rng);
}

void rng_fill_uniform(Rng *rng, float *x, int n, float lo, float hi) {
    for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng_uniform(rng);
}

void rng_shuffle(Rng *rng, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = rng_int(rng, i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
