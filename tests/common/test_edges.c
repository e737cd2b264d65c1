// test_edges.c - luminance, Gaussian blur and the XDoG line drawing on tiny
// images whose answers are known by hand.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/edges.h"

TestSuite(edges, .timeout = 30);

Test(edges, luminance_uses_rec601_weights, .timeout = 10) {
    // one RGB pixel (r, g, b) = (1, -1, 0.5), and a gray image passes through
    float rgb[3] = {1.0f, -1.0f, 0.5f}, y;
    edges_luminance(&y, rgb, 3, 1, 1);
    float want = 0.299f * 1.0f - 0.587f + 0.114f * 0.5f;
    check_close("luminance of (1, -1, 0.5)", &y, &want, 1, 1e-6f, 0.0f);
    float gray[2] = {0.25f, -0.75f}, out[2];
    edges_luminance(out, gray, 1, 1, 2);
    check_close("gray luminance", out, gray, 2, 0.0f, 0.0f);
}

Test(edges, blur_keeps_a_constant_image_constant_up_to_the_border, .timeout = 10) {
    float in[5 * 7], out[5 * 7], scratch[5 * 7], want[5 * 7];
    for (int i = 0; i < 35; i++) in[i] = want[i] = 0.3f;
    edges_gaussian_blur(out, scratch, in, 5, 7, 1.5f);
    check_close("blurred constant (the border repeats edge pixels)", out, want, 35, 1e-6f, 0.0f);
}

Test(edges, blur_of_an_impulse_is_the_normalised_gaussian, .timeout = 10) {
    // 9x9, one 1 in the middle: the radius is ceil(3 * 1) = 3, so nothing
    // reaches the border and the result is g(dy) g(dx) / (sum g)^2.
    enum { N = 9 };
    float in[N * N] = {0}, out[N * N], scratch[N * N], want[N * N];
    in[4 * N + 4] = 1.0f;
    double g[7], sum = 0.0;
    for (int i = -3; i <= 3; i++) sum += g[i + 3] = exp(-0.5 * i * i);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            int dy = y - 4, dx = x - 4;
            want[y * N + x] = (abs(dy) <= 3 && abs(dx) <= 3) ? (float)(g[dy + 3] * g[dx + 3] / (sum * sum)) : 0.0f;
        }
    edges_gaussian_blur(out, scratch, in, N, N, 1.0f);
    check_close("blurred impulse", out, want, N * N, 1e-7f, 1e-5f);
    // out may alias in
    edges_gaussian_blur(in, scratch, in, N, N, 1.0f);
    check_close("blurred impulse in place", in, out, N * N, 0.0f, 0.0f);
}

Test(edges, xdog_leaves_flat_images_white_however_dark, .timeout = 10) {
    XdogParams p = XDOG_DEFAULTS;
    float img[3 * 6 * 6], out[6 * 6], scratch[EDGES_XDOG_SCRATCH(6, 6)], white[6 * 6];
    for (int i = 0; i < 36; i++) white[i] = 1.0f;
    float levels[3] = {-1.0f, 0.0f, 1.0f};
    for (int l = 0; l < 3; l++) {
        for (int i = 0; i < 3 * 36; i++) img[i] = levels[l];
        edges_xdog(out, scratch, img, 3, 6, 6, &p);
        char what[64];
        snprintf(what, sizeof what, "xdog of a flat image at level %g", levels[l]);
        check_close(what, out, white, 36, 0.0f, 0.0f);
    }
}

// 15x15 white picture with a black 9x9 square in the middle (rows and
// columns 3..11): its centre is 4 pixels from the edges, beyond the reach
// of the default blurs.
enum { S = 15 };
static void square_picture(float *img) {
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            img[y * S + x] = (y >= 3 && y <= 11 && x >= 3 && x <= 11) ? -1.0f : 1.0f;
}

Test(edges, xdog_draws_the_outline_of_a_dark_square, .timeout = 10) {
    XdogParams p = XDOG_DEFAULTS;
    float img[S * S], out[S * S], scratch[EDGES_XDOG_SCRATCH(S, S)];
    square_picture(img);
    edges_xdog(out, scratch, img, 1, S, S, &p);
    for (int i = 0; i < S * S; i++)
        cr_assert(out[i] >= -1.0f && out[i] <= 1.0f, "pixel %d = %g outside [-1, 1]", i, out[i]);
    // Ink on the square's own border (the dark side of the edge) ...
    for (int k = 3; k <= 11; k++) {
        cr_assert_lt(out[3 * S + k], -0.9f, "top edge pixel (3, %d) = %g should be ink", k, out[3 * S + k]);
        cr_assert_lt(out[k * S + 11], -0.9f, "right edge pixel (%d, 11) = %g should be ink", k,
                     out[k * S + 11]);
    }
    // ... paper on the bright side of the edge, far from it, and inside the square.
    cr_assert_eq(out[2 * S + 7], 1.0f, "just above the square: %g should be white", out[2 * S + 7]);
    cr_assert_eq(out[0], 1.0f, "corner: %g should be white", out[0]);
    cr_assert_eq(out[7 * S + 7], 1.0f, "the square's centre: %g should be white", out[7 * S + 7]);
}

Test(edges, xdog_reads_colour_through_the_luminance, .timeout = 10) {
    // The same square in RGB (each channel equal) gives the same drawing.
    XdogParams p = XDOG_DEFAULTS;
    float gray[S * S], rgb[3 * S * S], a[S * S], b[S * S];
    float scratch[EDGES_XDOG_SCRATCH(S, S)];
    square_picture(gray);
    for (int k = 0; k < 3; k++) memcpy(rgb + k * S * S, gray, sizeof gray);
    edges_xdog(a, scratch, gray, 1, S, S, &p);
    edges_xdog(b, scratch, rgb, 3, S, S, &p);
    check_close("RGB vs gray drawing", b, a, S * S, 1e-6f, 0.0f);
}
