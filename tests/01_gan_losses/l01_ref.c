// l01_ref.c - see l01_ref.h. The formulas are l01_test.h's, in float for
// the callers' signatures.
#include "l01_ref.h"

#include "l01_test.h"

float l01_ref_bce_forward(const float *logits, float target, int n) {
    return (float)l01_bce_mean(logits, target, n);
}

void l01_ref_bce_backward(float *dlogits, const float *logits, float target, float dloss, int n) {
    for (int i = 0; i < n; i++) {
        double sigmoid = 1.0 / (1.0 + exp(-(double)logits[i]));   // exp(+inf) gives 0: fine
        dlogits[i] += (float)(dloss * (sigmoid - target) / n);
    }
}
