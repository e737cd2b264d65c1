// test_frechet.c - Gaussian statistics and the Fréchet distance (frechet.h)
// against PyTorch (tests/ref/gen_frechet.py), and the cases whose answer is
// known in closed form: equal sets, shifted sets, diagonal covariances.
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eval/frechet.h"
#include "ref.h"
#include "util/rng.h"

enum { NA = 40, NB = 31, D = 6 };

TestSuite(frechet, .timeout = 30);

static void stats_of(FrechetStats *s, const float *x, long n, int d) {
    Error err;
    cr_assert(frechet_stats(s, x, n, d, &err) == 0, "frechet_stats: %s", err.msg);
}

static double distance(const FrechetStats *a, const FrechetStats *b) {
    double d2 = -1.0;
    Error err;
    cr_assert(frechet_distance(&d2, a, b, &err) == 0, "frechet_distance: %s", err.msg);
    return d2;
}

static void check_double(const char *what, const double *got, const float *want, long n,
                         float atol, float rtol) {
    float *g = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) g[i] = (float)got[i];
    check_close(what, g, want, n, atol, rtol);
    free(g);
}

// float32 features, statistics in double against float64 references
Test(frechet, stats_match_pytorch) {
    RefFile *ref = ref_open("frechet.bin");
    FrechetStats a, b;
    stats_of(&a, ref_get(ref, "a", NA * D), NA, D);
    stats_of(&b, ref_get(ref, "b", NB * D), NB, D);
    check_double("mean of a", a.mu, ref_get(ref, "mu_a", D), D, 1e-6f, 1e-5f);
    check_double("covariance of a", a.sigma, ref_get(ref, "sigma_a", D * D), D * D, 1e-6f, 1e-5f);
    check_double("mean of b", b.mu, ref_get(ref, "mu_b", D), D, 1e-6f, 1e-5f);
    check_double("covariance of b", b.sigma, ref_get(ref, "sigma_b", D * D), D * D, 1e-6f, 1e-5f);
    frechet_stats_free(&a);
    frechet_stats_free(&b);
    ref_close(ref);
}

Test(frechet, distance_matches_pytorch) {
    RefFile *ref = ref_open("frechet.bin");
    FrechetStats a, b;
    stats_of(&a, ref_get(ref, "a", NA * D), NA, D);
    stats_of(&b, ref_get(ref, "b", NB * D), NB, D);
    float got = (float)distance(&a, &b), want = ref_scalar(ref, "d2");
    check_close("d^2(a, b)", &got, &want, 1, 1e-5f, 1e-5f);
    float back = (float)distance(&b, &a);
    check_close("d^2(b, a) = d^2(a, b)", &back, &want, 1, 1e-5f, 1e-5f);
    frechet_stats_free(&a);
    frechet_stats_free(&b);
    ref_close(ref);
}

// Random features with correlated columns, so that the covariance is full.
static float *random_features(long n, int d, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    float *x = malloc(sizeof(float) * n * d);
    rng_fill_normal(&rng, x, (int)(n * d), 0.0f, 1.0f);
    for (long i = 0; i < n; i++)
        for (int j = 1; j < d; j++) x[i * d + j] += 0.5f * x[i * d + j - 1];
    return x;
}

Test(frechet, identical_sets_are_at_distance_zero) {
    enum { N = 500, DD = 32 };
    float *x = random_features(N, DD, 7);
    FrechetStats a, b;
    stats_of(&a, x, N, DD);
    stats_of(&b, x, N, DD);
    double d2 = distance(&a, &b);
    // tr(S) is about 40 here; what is left is rounding in the eigensolver.
    cr_assert(d2 >= 0.0 && d2 < 1e-8, "d^2 of a set with itself: expected 0, got %g", d2);
    frechet_stats_free(&a);
    frechet_stats_free(&b);
    free(x);
}

Test(frechet, a_shifted_set_is_at_the_squared_shift) {
    enum { N = 300, DD = 16 };
    float *x = random_features(N, DD, 8);
    float *y = malloc(sizeof(float) * N * DD);
    double want = 0.0;
    for (int j = 0; j < DD; j++) want += (0.1 * j - 0.4) * (0.1 * j - 0.4);
    for (long i = 0; i < N; i++)
        for (int j = 0; j < DD; j++) y[i * DD + j] = x[i * DD + j] + (0.1f * j - 0.4f);
    FrechetStats a, b;
    stats_of(&a, x, N, DD);
    stats_of(&b, y, N, DD);
    double d2 = distance(&a, &b);
    // the covariances agree to float32 rounding of the shifted features
    cr_assert(fabs(d2 - want) <= 1e-4 * want, "d^2 after a shift c: expected |c|^2 = %.8f, got %.8f",
              want, d2);
    frechet_stats_free(&a);
    frechet_stats_free(&b);
    free(x);
    free(y);
}

// Diagonal covariances: d^2 = |mu1 - mu2|^2 + sum_k (sqrt(s1_k) - sqrt(s2_k))^2.
Test(frechet, diagonal_covariances_follow_the_closed_form) {
    enum { DD = 5 };
    double mu1[DD] = {0, 1, 2, 3, 4}, mu2[DD] = {1, 1, 0, 3, 4.5};
    double s1[DD] = {1, 4, 0.25, 9, 2}, s2[DD] = {4, 1, 0.25, 1, 8};
    double sig1[DD * DD] = {0}, sig2[DD * DD] = {0};
    double want = 0.0;
    for (int k = 0; k < DD; k++) {
        sig1[k * DD + k] = s1[k];
        sig2[k * DD + k] = s2[k];
        want += (mu1[k] - mu2[k]) * (mu1[k] - mu2[k]) + pow(sqrt(s1[k]) - sqrt(s2[k]), 2);
    }
    FrechetStats a = {.d = DD, .n = 2, .mu = mu1, .sigma = sig1};
    FrechetStats b = {.d = DD, .n = 2, .mu = mu2, .sigma = sig2};
    double d2 = distance(&a, &b);
    cr_assert(fabs(d2 - want) <= 1e-12 * want, "d^2 of diagonal Gaussians: expected %.12f, got %.12f",
              want, d2);
}

Test(frechet, refuses_what_it_cannot_compute) {
    float x[2 * 3] = {0};
    FrechetStats a, b;
    Error err;
    cr_assert(frechet_stats(&a, x, 1, 3, &err) == -1, "one vector has no covariance: expected -1");
    cr_assert(strstr(err.msg, "at least 2") != NULL, "the message says why: %s", err.msg);
    stats_of(&a, x, 2, 3);
    stats_of(&b, x, 3, 2);
    double d2;
    cr_assert(frechet_distance(&d2, &a, &b, &err) == -1, "3 features against 2: expected -1");
    cr_assert(strstr(err.msg, "3 features against 2") != NULL, "the message names both: %s",
              err.msg);
    frechet_stats_free(&a);
    frechet_stats_free(&b);
}
