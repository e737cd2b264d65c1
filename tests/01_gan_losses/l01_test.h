// l01_test.h - what the lesson 01 tests share: the losses in double precision
// (the scalar the finite-difference checks differentiate, written
// independently of the exercise code so each test grades one exercise) and a
// check for a backward that must ACCUMULATE.
#ifndef L01_TEST_H
#define L01_TEST_H

#include <math.h>

#include "check.h"

// log(1 + e^a), exact for any a: exp only ever sees -|a|.
static inline double l01_softplus(double a) { return fmax(a, 0.0) + log1p(exp(-fabs(a))); }

// BCE(a, y) = -[y log s(a) + (1-y) log(1-s(a))] = softplus(a) - a*y
static inline double l01_bce_mean(const float *a, double y, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += l01_softplus(a[i]) - a[i] * y;
    return s / n;
}

static inline double l01_sq_mean(const float *a, double target, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += ((double)a[i] - target) * ((double)a[i] - target);
    return s / n;
}

// Runs a backward into an array pre-filled with `base`, with upstream gradient
// `dloss`, and checks it holds base + dloss * want: a backward that assigns
// (=) instead of adding (+=), or ignores dloss, fails here.
static inline void l01_expect_accumulated(const char *what, const float *got, const float *want,
                                          float base, float dloss, int n) {
    float expect[64];
    for (int i = 0; i < n && i < 64; i++) expect[i] = base + dloss * want[i];
    check_close(what, got, expect, n < 64 ? n : 64, 1e-6f, 1e-5f);
}

#endif
