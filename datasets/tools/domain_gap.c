// domain_gap - how much the two domains of an unpaired set differ in SHAPE
// (where the drawing is, where its edges are) and how much in RENDERING
// (colour and shading), measured on its hidden pairs:
//
//     domain_gap ROOT
//
// reads ROOT/testA/*.png and ROOT/testB/*.png, which must hold the same
// names (the same emoji in both domains), at 64x64 RGB, and prints the mean
// over the pairs of
//     silhouette IoU   the drawing's pixels (darker than white by more than
//                      MASK_THRESHOLD in some channel), intersection over union
//     silhouette L1    the share of pixels inside one silhouette only
//     edge F1          XDoG edges (edges.h, the course's sketches) of both:
//                      the F1 score of the ink pixels of one that have an ink
//                      pixel of the other within EDGE_TOLERANCE pixels
//     L1 inside both   mean |a - b| over the pixels of both silhouettes, per
//                      channel, in [-1, 1] units: colour and shading
//     L1, PSNR         of the whole images: the identity baseline of a paired
//                      metric (G(a) = a scored against the true b); PSNR with
//                      the peak-to-peak 2 of [-1, 1], which equals PSNR on
//                      [0, 1] (lesson 05's)
// next to the same numbers for unrelated pairs (testA image i against testB
// image i + N/2 in name order), which say what "different shape" looks like.
// Shape is what a CycleGAN has to redraw and rendering what it repaints, so
// a set whose twins agree in shape and differ in rendering suits it.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/edges.h"
#include "util/error.h"
#include "data/image.h"
#include "data/paired.h"

#define SIDE 64
#define MASK_THRESHOLD 0.1f   // in [-1, 1] units: about 13 of 255 below white
#define EDGE_TOLERANCE 1      // pixels

enum { IOU, SIL_L1, EDGE_F1, L1_INSIDE, L1_ALL, PSNR, N_METRICS };
static const char *metric_names[N_METRICS] = {
    "silhouette IoU", "silhouette L1 (share of pixels)", "edge F1 (1 px tolerance)",
    "L1 inside both silhouettes", "L1 whole image (identity baseline)", "PSNR whole image (dB)"};

static void to_float(float *out, const uint8_t *in, int n) {
    for (int i = 0; i < n; i++) out[i] = image_u8_to_float(in[i]);
}

// mask (H*W) = 1 where img (3, H, W) is darker than white in some channel.
static void silhouette(unsigned char *mask, const float *img) {
    for (int p = 0; p < SIDE * SIDE; p++) {
        float lowest = img[p];
        for (int c = 1; c < 3; c++)
            if (img[c * SIDE * SIDE + p] < lowest) lowest = img[c * SIDE * SIDE + p];
        mask[p] = lowest < 1.0f - MASK_THRESHOLD;
    }
}

// ink (H*W) = 1 on the XDoG sketch's dark pixels.
static void edge_ink(unsigned char *ink, const float *img) {
    float sketch[SIDE * SIDE], scratch[EDGES_XDOG_SCRATCH(SIDE, SIDE)];
    XdogParams p = XDOG_DEFAULTS;
    edges_xdog(sketch, scratch, img, 3, SIDE, SIDE, &p);
    for (int i = 0; i < SIDE * SIDE; i++) ink[i] = sketch[i] < 0.0f;
}

// How many ink pixels of `from` have an ink pixel of `to` within the tolerance.
static int matched(const unsigned char *from, const unsigned char *to) {
    int hits = 0;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            if (!from[y * SIDE + x]) continue;
            int found = 0;
            for (int dy = -EDGE_TOLERANCE; dy <= EDGE_TOLERANCE && !found; dy++)
                for (int dx = -EDGE_TOLERANCE; dx <= EDGE_TOLERANCE && !found; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy >= 0 && yy < SIDE && xx >= 0 && xx < SIDE) found = to[yy * SIDE + xx];
                }
            hits += found;
        }
    return hits;
}

static void measure(double m[N_METRICS], const float *a, const float *b) {
    unsigned char ma[SIDE * SIDE], mb[SIDE * SIDE], ea[SIDE * SIDE], eb[SIDE * SIDE];
    silhouette(ma, a);
    silhouette(mb, b);
    edge_ink(ea, a);
    edge_ink(eb, b);
    int both = 0, either = 0, ink_a = 0, ink_b = 0;
    double inside = 0.0, l1 = 0.0, se = 0.0;
    for (int p = 0; p < SIDE * SIDE; p++) {
        both += ma[p] && mb[p];
        either += ma[p] || mb[p];
        ink_a += ea[p];
        ink_b += eb[p];
        for (int c = 0; c < 3; c++) {
            double d = a[c * SIDE * SIDE + p] - b[c * SIDE * SIDE + p];
            l1 += fabs(d);
            se += d * d;
            if (ma[p] && mb[p]) inside += fabs(d);
        }
    }
    double precision = ink_a ? (double)matched(ea, eb) / ink_a : 0.0;
    double recall = ink_b ? (double)matched(eb, ea) / ink_b : 0.0;
    double mse = se / (3.0 * SIDE * SIDE);
    m[IOU] = either ? (double)both / either : 1.0;
    m[SIL_L1] = (double)(either - both) / (SIDE * SIDE);
    m[EDGE_F1] = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    m[L1_INSIDE] = both ? inside / (3.0 * both) : 0.0;
    m[L1_ALL] = l1 / (3.0 * SIDE * SIDE);
    m[PSNR] = 10.0 * log10(4.0 / (mse > 1e-10 ? mse : 1e-10));
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: domain_gap ROOT   (reads ROOT/testA and ROOT/testB)\n");
        return 2;
    }
    UnpairedSet us;
    Error err;
    if (unpaired_load(&us, argv[1], "test", 3, SIDE, SIDE, &err) != 0) {
        fprintf(stderr, "domain_gap: %s\n", err.msg);
        return 1;
    }
    int status = 0;
    if (us.n_a != us.n_b || us.n_a < 2) {
        fprintf(stderr, "domain_gap: %s: expected the same number (at least 2) of testA and testB "
                        "images, found %d and %d\n", argv[1], us.n_a, us.n_b);
        status = 1;
    }
    for (int i = 0; status == 0 && i < us.n_a; i++)
        if (strcmp(us.names_a[i], us.names_b[i]) != 0) {
            fprintf(stderr, "domain_gap: %s: testA/%s has no twin in testB (found testB/%s in "
                            "its place)\n", argv[1], us.names_a[i], us.names_b[i]);
            status = 1;
        }
    if (status == 0) {
        int n = us.n_a, size = 3 * SIDE * SIDE;
        double twins[N_METRICS] = {0}, unrelated[N_METRICS] = {0};
        float a[3 * SIDE * SIDE], b[3 * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            double m[N_METRICS];
            to_float(a, us.a + (long)i * size, size);
            to_float(b, us.b + (long)i * size, size);
            measure(m, a, b);
            for (int k = 0; k < N_METRICS; k++) twins[k] += m[k] / n;
            to_float(b, us.b + (long)((i + n / 2) % n) * size, size);
            measure(m, a, b);
            for (int k = 0; k < N_METRICS; k++) unrelated[k] += m[k] / n;
        }
        printf("domain_gap: %s: %d test pairs (testA/x.png against testB/x.png)\n", argv[1], n);
        printf("%-36s %8s %10s\n", "mean over the pairs", "twins", "unrelated");
        for (int k = 0; k < N_METRICS; k++)
            printf("%-36s %8.3f %10.3f\n", metric_names[k], twins[k], unrelated[k]);
    }
    unpaired_free(&us);
    return status;
}
