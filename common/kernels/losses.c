// losses.c - BCE on logits, MSE and L1, each the mean over n elements.
// Sums run in double: a float sum of many small terms loses digits.
#include "kernels/losses.h"

#include <math.h>

// 1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|.
static double sigmoid_stable(double x) {
    double e = exp(-fabs(x));
    return x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

float bce_with_logits_forward(const float *logits, const float *targets, int n) {
    // -[y log s(x) + (1-y) log(1-s(x))] rewritten so that exp never sees a
    // positive argument: max(x,0) - x*y + log(1 + exp(-|x|)). The naive form
    // takes log(0) = -inf once s(x) rounds to 0 or 1 (|x| > ~17 in float).
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double x = logits[i], y = targets[i];
        sum += fmax(x, 0.0) - x * y + log1p(exp(-fabs(x)));
    }
    return (float)(sum / n);
}

void bce_with_logits_backward(float *dlogits, const float *logits, const float *targets,
                              float dloss, int n) {
    // d/dx [max(x,0) - x*y + log(1 + exp(-|x|))] = sigmoid(x) - y
    double scale = (double)dloss / n;
    for (int i = 0; i < n; i++)
        dlogits[i] += (float)(scale * (sigmoid_stable(logits[i]) - targets[i]));
}

float mse_forward(const float *a, const float *b, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        sum += d * d;
    }
    return (float)(sum / n);
}

void mse_backward(float *da, const float *a, const float *b, float dloss, int n) {
    double scale = 2.0 * dloss / n;
    for (int i = 0; i < n; i++) da[i] += (float)(scale * ((double)a[i] - b[i]));
}

float l1_forward(const float *a, const float *b, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += fabs((double)a[i] - b[i]);
    return (float)(sum / n);
}

void l1_backward(float *da, const float *a, const float *b, float dloss, int n) {
    // |d| has no derivative at d = 0; 0 there is PyTorch's choice too
    float scale = dloss / n;
    for (int i = 0; i < n; i++) {
        float sign = (a[i] > b[i]) - (a[i] < b[i]);
        da[i] += scale * sign;
    }
}
