// test_stats.c - exercise 7.1: the per-channel mean and standard deviation
// (unbiased variance, eps inside the square root) against PyTorch
// (tests/ref/gen_lesson07.py, data/lesson07_stats.bin).
#include <math.h>

#include "l07_test.h"

TestSuite(l07_stats, .timeout = 10);

Test(l07_stats, matches_pytorch) {
    RefFile *ref = ref_open("lesson07_stats.bin");
    float mean[5] = {0}, std[5] = {0};
    adain_mean_std(mean, std, ref_get(ref, "x", 5 * 12), 5, 12, ref_scalar(ref, "eps"));
    check_close("mean per channel (channel 4: mean 1000, spread 0.01)", mean,
                ref_get(ref, "mean", 5), 5, 1e-5f, 1e-6f);
    check_close("std = sqrt(unbiased var + eps) per channel (channel 3 is constant: "
                "sqrt(eps); channel 4: mean 1000, spread 0.01, accumulate in double)",
                std, ref_get(ref, "std", 5), 5, 1e-5f, 1e-4f);
    ref_close(ref);
}

Test(l07_stats, unbiased_and_eps_inside_the_root) {
    // One channel {0, 2}: mean 1; unbiased variance 2 (biased: 1).
    // Another {3, 3, 3}: variance 0, so std = sqrt(eps) exactly (eps outside
    // the root would give eps; no eps at all, 0).
    float x[] = {0.0f, 2.0f};
    float mean = -1, std = -1;
    adain_mean_std(&mean, &std, x, 1, 2, 1e-5f);
    float want_mean = 1.0f, want_std = sqrtf(2.0f + 1e-5f);
    check_close("mean of {0, 2}", &mean, &want_mean, 1, 1e-6f, 1e-6f);
    check_close("std of {0, 2}: sqrt(2 + eps) (unbiased: divide by N - 1 = 1; the biased "
                "std would be 1)", &std, &want_std, 1, 1e-6f, 1e-5f);
    float c[] = {3.0f, 3.0f, 3.0f};
    adain_mean_std(&mean, &std, c, 1, 3, 1e-5f);
    want_std = sqrtf(1e-5f);
    check_close("std of a constant channel: sqrt(eps), eps INSIDE the square root", &std,
                &want_std, 1, 1e-7f, 1e-4f);
}
