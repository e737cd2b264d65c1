// dropout.h - inverted dropout: zero each element with probability p and
// scale the survivors by 1/(1-p), so evaluation needs no rescaling.
#ifndef DROPOUT_H
#define DROPOUT_H

#include "util/rng.h"

// mask (n) receives 0 or 1/(1-p) per element; backward reuses it.
void dropout_forward(float *out, float *mask, const float *inp, float p, int n, Rng *rng);
void dropout_backward(float *dinp, const float *mask, const float *dout, int n);

#endif
