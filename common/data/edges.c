// edges.c - see edges.h.
#include "data/edges.h"

#include <math.h>

void edges_luminance(float *out, const float *img, int c, int h, int w) {
    long plane = (long)h * w;
    for (long i = 0; i < plane; i++)
        out[i] = (c == 1) ? img[i]
                          : 0.299f * img[i] + 0.587f * img[plane + i] + 0.114f * img[2 * plane + i];
}

// Largest kernel radius: 3 sigma for sigma up to 10 pixels.
#define BLUR_MAX_RADIUS 30

static int clamp_index(int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

void edges_gaussian_blur(float *out, float *scratch, const float *in, int h, int w, float sigma) {
    int r = (int)ceilf(3.0f * sigma);
    if (r > BLUR_MAX_RADIUS) r = BLUR_MAX_RADIUS;
    float kernel[2 * BLUR_MAX_RADIUS + 1];
    float sum = 0.0f;
    for (int i = -r; i <= r; i++) sum += kernel[i + r] = expf(-0.5f * i * i / (sigma * sigma));
    for (int i = 0; i <= 2 * r; i++) kernel[i] /= sum;

    // A Gaussian is separable: rows into scratch, then columns into out.
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float acc = 0.0f;
            for (int i = -r; i <= r; i++) acc += kernel[i + r] * in[(long)y * w + clamp_index(x + i, w)];
            scratch[(long)y * w + x] = acc;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float acc = 0.0f;
            for (int i = -r; i <= r; i++)
                acc += kernel[i + r] * scratch[(long)clamp_index(y + i, h) * w + x];
            out[(long)y * w + x] = acc;
        }
}

void edges_xdog(float *out, float *scratch, const float *img, int c, int h, int w,
                const XdogParams *p) {
    long plane = (long)h * w;
    float *lum = scratch;              // (H, W) luminance in [0, 1]
    float *tmp = scratch + plane;      // (H, W) the blur's own scratch
    float *wide = scratch + 2 * plane; // (H, W) G_{k sigma} * L
    edges_luminance(lum, img, c, h, w);
    for (long i = 0; i < plane; i++) lum[i] = 0.5f * (lum[i] + 1.0f);
    edges_gaussian_blur(out, tmp, lum, h, w, p->sigma);
    edges_gaussian_blur(wide, tmp, lum, h, w, p->k * p->sigma);
    for (long i = 0; i < plane; i++) {
        float d = out[i] - p->tau * wide[i];
        float paper = (d >= p->epsilon) ? 1.0f : 1.0f + tanhf(p->phi * (d - p->epsilon));
        out[i] = 2.0f * paper - 1.0f;
    }
}
