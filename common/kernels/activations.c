// activations.c - element-wise non-linearities over n floats.
#include "kernels/activations.h"

#include <math.h>

// tanh and sigmoid cost an exp per element, enough for threads to pay off on
// a feature map; below this size starting the threads costs more than it saves.
// ReLU and LeakyReLU are bound by memory speed and stay single-threaded.
#define PARALLEL_MIN (1 << 15)

void relu_forward(float *out, const float *inp, int n) {
    // written so that a NaN passes through (NaN < 0 is false): a diverging
    // run must show up in the loss, not vanish here
    for (int i = 0; i < n; i++) out[i] = inp[i] < 0.0f ? 0.0f : inp[i];
}

void relu_backward(float *dinp, const float *inp, const float *dout, int n) {
    // the derivative at exactly 0 is taken as 0, as PyTorch does
    for (int i = 0; i < n; i++) dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}

// Both branches of LeakyReLU are cheap, so a vector loop would compute both
// and select; but by default GCC must assume a float multiply can trap, so it
// will not compute slope * x where the C code does not, and it leaves a
// branch per element, which mispredicts on every other sign. Telling it that
// nothing traps here (we never enable FP exceptions) lets it vectorise.
__attribute__((optimize("no-trapping-math")))
void leaky_relu_forward(float *out, const float *inp, float slope, int n) {
    for (int i = 0; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] : slope * inp[i];
}

__attribute__((optimize("no-trapping-math")))
void leaky_relu_backward(float *dinp, const float *inp, const float *dout, float slope, int n) {
    for (int i = 0; i < n; i++) dinp[i] += inp[i] > 0.0f ? dout[i] : slope * dout[i];
}

void tanh_forward(float *out, const float *inp, int n) {
    #pragma omp parallel for if (n >= PARALLEL_MIN)
    for (int i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void tanh_backward(float *dinp, const float *out, const float *dout, int n) {
    for (int i = 0; i < n; i++) dinp[i] += (1.0f - out[i] * out[i]) * dout[i];
}

void sigmoid_forward(float *out, const float *inp, int n) {
    #pragma omp parallel for if (n >= PARALLEL_MIN)
    for (int i = 0; i < n; i++) {
        // exp of a non-positive number only: no overflow for any input
        float x = inp[i];
        if (x >= 0.0f) {
            out[i] = 1.0f / (1.0f + expf(-x));
        } else {
            float e = expf(x);
            out[i] = e / (1.0f + e);
        }
    }
}

void sigmoid_backward(float *dinp, const float *out, const float *dout, int n) {
    for (int i = 0; i < n; i++) dinp[i] += out[i] * (1.0f - out[i]) * dout[i];
}
