// dropout.c - inverted dropout with a mask the backward pass reuses.
#include "kernels/dropout.h"

#include "util/error.h"

void dropout_forward(float *out, float *mask, const float *inp, float p, int n, Rng *rng) {
    if (!rng) error_abort("dropout_forward: rng is NULL: the mask is drawn from it");
    // infinite when p = 1, but then never used: every uniform in [0, 1) is below p
    float keep_scale = 1.0f / (1.0f - p);
    // one uniform per element, in order, so a seed fixes the mask; the RNG
    // is sequential, hence no threads here
    for (int i = 0; i < n; i++) {
        mask[i] = rng_uniform(rng) < p ? 0.0f : keep_scale;
        out[i] = inp[i] * mask[i];
    }
}

void dropout_backward(float *dinp, const float *mask, const float *dout, int n) {
    for (int i = 0; i < n; i++) dinp[i] += mask[i] * dout[i];
}
