// frechet.h - the Fréchet distance between two sets of feature vectors, each
// summarised by a Gaussian: its mean and its covariance.
//
// For Gaussians N(mu1, S1) and N(mu2, S2) the squared Fréchet (2-Wasserstein)
// distance is
//     d^2 = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^(1/2) S2 S1^(1/2))^(1/2))
// FID is this d^2 on Inception features; the course computes it on the
// features of its own Fashion-MNIST classifier (evaluator.h) and calls it FCD.
// The matrix square roots come from LAPACK's symmetric eigensolver
// (LAPACKE_dsyevd): S1^(1/2) = V diag(sqrt(l)) V^T for S1 = V diag(l) V^T,
// and tr(M^(1/2)) = sum sqrt(eigenvalues of M) for the symmetric M above.
// Everything is in double: the trace is a difference of large, close numbers.
//
// Dimension letters: N vectors, D features.
#ifndef FRECHET_H
#define FRECHET_H

#include "util/error.h"

typedef struct {
    int d;           // D
    long n;          // N, the vectors the statistics came from
    double *mu;      // (D) the mean
    double *sigma;   // (D, D) the covariance, unbiased (divided by N - 1), as numpy.cov
} FrechetStats;

// The mean and covariance of feat (N, D); N >= 2. Returns 0, or -1 when out
// of memory or N < 2.
int frechet_stats(FrechetStats *s, const float *feat, long n, int d, Error *err);
void frechet_stats_free(FrechetStats *s);

// *d2 = the squared Fréchet distance between a and b (same D). Eigenvalues
// that rounding makes slightly negative count as 0. Returns -1 (with err)
// when the dimensions differ or LAPACK fails.
int frechet_distance(double *d2, const FrechetStats *a, const FrechetStats *b, Error *err);

#endif
