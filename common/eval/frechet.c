// frechet.c - Gaussian statistics of features and the Fréchet distance.
// D = features, N = vectors.
#include "eval/frechet.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int frechet_stats(FrechetStats *s, const float *feat, long n, int d, Error *err) {
    memset(s, 0, sizeof *s);
    if (n < 2) return error_set(err, "frechet_stats: a covariance needs at least 2 vectors, got %ld", n);
    s->d = d;
    s->n = n;
    s->mu = calloc((size_t)d, sizeof(double));
    s->sigma = calloc((size_t)d * d, sizeof(double));
    double *row = malloc(sizeof(double) * d);
    if (!s->mu || !s->sigma || !row) {
        free(row);
        frechet_stats_free(s);
        return error_set(err, "frechet_stats: out of memory for %d features", d);
    }
    for (long i = 0; i < n; i++)
        for (int j = 0; j < d; j++) s->mu[j] += feat[i * d + j];
    for (int j = 0; j < d; j++) s->mu[j] /= (double)n;
    // Centred first: summing raw products and subtracting mu mu^T afterwards
    // loses digits when the mean is large against the spread.
    for (long i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) row[j] = feat[i * d + j] - s->mu[j];
        for (int j = 0; j < d; j++) {
            double rj = row[j];
            double *sj = s->sigma + (long)j * d;
            for (int k = j; k < d; k++) sj[k] += rj * row[k];
        }
    }
    for (int j = 0; j < d; j++)
        for (int k = j; k < d; k++) {
            double v = s->sigma[(long)j * d + k] / (double)(n - 1);
            s->sigma[(long)j * d + k] = v;
            s->sigma[(long)k * d + j] = v;
        }
    free(row);
    return 0;
}

void frechet_stats_free(FrechetStats *s) {
    free(s->mu);
    free(s->sigma);
    memset(s, 0, sizeof *s);
}

// c (D, D) = a (D, D) @ b (D, D); D is small (the classifier's 128 features).
static void matmul(double *c, const double *a, const double *b, int d) {
    for (int i = 0; i < d; i++) {
        double *ci = c + (long)i * d;
        memset(ci, 0, sizeof(double) * d);
        for (int k = 0; k < d; k++) {
            double aik = a[(long)i * d + k];
            const double *bk = b + (long)k * d;
            for (int j = 0; j < d; j++) ci[j] += aik * bk[j];
        }
    }
}

// Eigen-decomposes the symmetric m (D, D) in place: afterwards m holds the
// eigenvectors as columns and w (D) the eigenvalues, ascending.
static int symmetric_eigen(double *m, double *w, int d, Error *err) {
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', d, m, d, w);
    if (info != 0)
        return error_set(err, "frechet_distance: LAPACKE_dsyevd failed (info %d) on a %dx%d matrix",
                         (int)info, d, d);
    return 0;
}

int frechet_distance(double *d2, const FrechetStats *a, const FrechetStats *b, Error *err) {
    int d = a->d;
    if (b->d != d)
        return error_set(err, "frechet_distance: %d features against %d", a->d, b->d);
    size_t dd = (size_t)d * d;
    // calloc: gcc cannot see that the loops below fill root, and warns
    double *v = malloc(sizeof(double) * dd), *root = calloc(dd, sizeof(double));
    double *tmp = malloc(sizeof(double) * dd), *m = malloc(sizeof(double) * dd);
    double *w = malloc(sizeof(double) * d);
    int rc = -1;
    if (!v || !root || !tmp || !m || !w) {
        error_set(err, "frechet_distance: out of memory for %d features", d);
        goto done;
    }

    // root = S1^(1/2) = V diag(sqrt(l)) V^T
    memcpy(v, a->sigma, sizeof(double) * dd);
    if (symmetric_eigen(v, w, d, err) != 0) goto done;
    for (int k = 0; k < d; k++) w[k] = sqrt(fmax(w[k], 0.0));
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0.0;
            for (int k = 0; k < d; k++) s += v[(long)i * d + k] * w[k] * v[(long)j * d + k];
            root[(long)i * d + j] = s;
        }

    // m = S1^(1/2) S2 S1^(1/2): symmetric in exact arithmetic; averaging it
    // with its transpose removes the rounding that would make it not quite so.
    matmul(tmp, root, b->sigma, d);
    matmul(m, tmp, root, d);
    for (int i = 0; i < d; i++)
        for (int j = i + 1; j < d; j++) {
            double s = 0.5 * (m[(long)i * d + j] + m[(long)j * d + i]);
            m[(long)i * d + j] = m[(long)j * d + i] = s;
        }
    if (symmetric_eigen(m, w, d, err) != 0) goto done;
    double tr_sqrt = 0.0;
    for (int k = 0; k < d; k++) tr_sqrt += sqrt(fmax(w[k], 0.0));

    double dist = 0.0;
    for (int k = 0; k < d; k++) {
        double dm = a->mu[k] - b->mu[k];
        dist += dm * dm + a->sigma[(long)k * d + k] + b->sigma[(long)k * d + k];
    }
    // Rounding can leave a tiny negative value for two equal sets.
    *d2 = fmax(dist - 2.0 * tr_sqrt, 0.0);
    rc = 0;

done:
    free(v);
    free(root);
    free(tmp);
    free(m);
    free(w);
    return rc;
}
