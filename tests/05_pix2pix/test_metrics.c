// test_metrics.c - the numbers of the ablation table (pix2pix_metrics.h), on
// images whose answers are known by hand. Ungraded: nothing to write here.
#include <math.h>

#include "l05_test.h"
#include "pix2pix_metrics.h"

TestSuite(l05_metrics, .timeout = 10);

Test(l05_metrics, l1_and_psnr_of_a_constant_error) {
    enum { C = 3, H = 4, W = 4, N = C * H * W };
    float out[2 * N], target[2 * N];
    for (int i = 0; i < 2 * N; i++) target[i] = 0.0f, out[i] = i < N ? 0.2f : -0.2f;
    L05Metrics m;
    l05_metrics_init(&m);
    l05_metrics_add(&m, out, target, NULL, 0, 2, C, H, W);
    // an error of 0.2 in [-1, 1] units is 0.1 on [0, 1]: MSE 0.01, PSNR 20 dB
    cr_assert(fabs(l05_metrics_l1(&m) - 0.2) < 1e-6, "L1 %g, expected 0.2", l05_metrics_l1(&m));
    cr_assert(fabs(l05_metrics_psnr(&m) - 20.0) < 1e-4, "PSNR %g, expected 20 dB",
              l05_metrics_psnr(&m));
}

Test(l05_metrics, sharpness_of_an_edge) {
    // A vertical step edge from -1 to 1 between columns 1 and 2; a flat
    // output has no gradient at all, the target itself a ratio of exactly 1.
    enum { H = 4, W = 4 };
    float edge[H * W], flat[H * W];
    for (int i = 0; i < H * W; i++) edge[i] = (i % W) < 2 ? -1.0f : 1.0f, flat[i] = 0.0f;
    double g = l05_mean_gradient(edge, 1, H, W);
    // 3 x 3 pixels are scored; the 3 in column 1 see a jump of 2
    cr_assert(fabs(g - 2.0 * 3 / 9) < 1e-6, "mean gradient of the edge %g, expected 2/3", g);
    L05Metrics m;
    l05_metrics_init(&m);
    l05_metrics_add(&m, flat, edge, NULL, 0, 1, 1, H, W);
    cr_assert(l05_metrics_sharpness(&m) == 0.0, "a flat output must have sharpness 0, got %g",
              l05_metrics_sharpness(&m));
    l05_metrics_init(&m);
    l05_metrics_add(&m, edge, edge, NULL, 0, 1, 1, H, W);
    cr_assert(fabs(l05_metrics_sharpness(&m) - 1.0) < 1e-9,
              "the target itself must have sharpness 1, got %g", l05_metrics_sharpness(&m));
}

Test(l05_metrics, a_box_blur_lowers_sharpness) {
    // A checkerboard of +-1 and its 2x2 box blur (all zeros in the interior):
    // the blur has far weaker gradients.
    enum { H = 8, W = 8 };
    float sharp[H * W], blur[H * W];
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) sharp[i * W + j] = (i + j) % 2 ? 1.0f : -1.0f;
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            int i2 = i + 1 < H ? i + 1 : i, j2 = j + 1 < W ? j + 1 : j;
            blur[i * W + j] = 0.25f * (sharp[i * W + j] + sharp[i * W + j2] + sharp[i2 * W + j] +
                                       sharp[i2 * W + j2]);
        }
    L05Metrics m;
    l05_metrics_init(&m);
    l05_metrics_add(&m, blur, sharp, NULL, 0, 1, 1, H, W);
    cr_assert(l05_metrics_sharpness(&m) < 0.5, "a blurred checkerboard has sharpness %g, "
              "expected well below 1", l05_metrics_sharpness(&m));
}

Test(l05_metrics, the_fills_keep_clear_of_the_ink) {
    // one ink column (1) in a white 8x8 sketch: columns 0-3 are within 2
    // pixels of it, columns 4-7 are fill
    enum { H = 8, W = 8 };
    float sketch[H * W];
    unsigned char fill[H * W];
    for (int i = 0; i < H * W; i++) sketch[i] = i % W == 1 ? -1.0f : 1.0f;
    int n = l05_fill_mask(fill, sketch, 1, H, W);
    cr_assert(n == 4 * H, "%d fill pixels, expected %d", n, 4 * H);
    for (int i = 0; i < H * W; i++)
        cr_assert(fill[i] == (i % W >= 4), "pixel (%d, %d) is %s fill", i / W, i % W,
                  fill[i] ? "wrongly" : "not");
}

Test(l05_metrics, fill_sharpness_sees_blur_that_copied_lines_hide) {
    // The sketch has an ink line at column 1; the target a colour edge in
    // the fill, 0.5 | -0.5 between columns 9 and 10. The output copies the
    // ink line (-1 at column 1) and blurs the colour edge into a ramp of 4
    // steps of 0.25. The plain ratio counts the copied line and sees an output
    // "sharper" than the target; the fill ratio sees the ramp: per row, the
    // sum of dx^2 is 4 x 0.25^2 = 0.25 against 1^2, a ratio of sqrt(0.25).
    enum { H = 16, W = 16 };
    float sketch[H * W], target[H * W], out[H * W];
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            sketch[i * W + j] = j == 1 ? -1.0f : 1.0f;
            target[i * W + j] = j < 10 ? 0.5f : -0.5f;
            out[i * W + j] = j == 1 ? -1.0f : j <= 8 ? 0.5f : j >= 12 ? -0.5f
                                                              : 0.5f - 0.25f * (j - 8);
        }
    L05Metrics m;
    l05_metrics_init(&m);
    l05_metrics_add(&m, out, target, sketch, 1, 1, 1, H, W);
    cr_assert(l05_metrics_sharpness(&m) > 1.0, "the copied line should make the plain ratio "
              "exceed 1, got %g", l05_metrics_sharpness(&m));
    cr_assert(fabs(l05_metrics_fill_sharpness(&m) - 0.5) < 1e-6, "fill sharpness of the "
              "blurred edge %g, expected 0.5", l05_metrics_fill_sharpness(&m));
    l05_metrics_init(&m);
    l05_metrics_add(&m, target, target, sketch, 1, 1, 1, H, W);
    cr_assert(fabs(l05_metrics_fill_sharpness(&m) - 1.0) < 1e-9, "the target itself must have "
              "fill sharpness 1, got %g", l05_metrics_fill_sharpness(&m));
}

Test(l05_metrics, grey_has_no_colour) {
    // pure red (1, -1, -1) has saturation 1; grey (0, 0, 0) none
    enum { H = 2, W = 2, N = H * W };
    float red[3 * N], grey[3 * N] = {0};
    for (int i = 0; i < N; i++) red[i] = 1.0f, red[N + i] = -1.0f, red[2 * N + i] = -1.0f;
    cr_assert(fabs(l05_mean_saturation(red, H, W) - 1.0) < 1e-9, "saturation of red %g, "
              "expected 1", l05_mean_saturation(red, H, W));
    L05Metrics m;
    l05_metrics_init(&m);
    l05_metrics_add(&m, grey, red, NULL, 0, 1, 3, H, W);
    cr_assert(l05_metrics_colour(&m) == 0.0, "grey output for a red target: colour ratio %g, "
              "expected 0", l05_metrics_colour(&m));
}
