// test_census.c - the lesson program's class census and gallery
// (class_census.h), with a classifier whose last layer is set by hand so
// that the answers are known. Ungraded: nothing to write here.
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "class_census.h"
#include "data/image.h"
#include "util/rng.h"

#define N 40
#define IMG EVAL_PIXELS

TestSuite(l03_census, .timeout = 30);

static void random_images(float *images, long n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    for (long i = 0; i < n * IMG; i++) images[i] = 2.0f * rng_uniform(&rng) - 1.0f;
}

// Every logit is bias[k] + w3 * (feature 0) for class 3 only.
static void set_last_layer(Classifier *net, float bias3, float w3) {
    for (long i = 0; i < net->out.weight->size; i++) net->out.weight->data[i] = 0.0f;
    for (int k = 0; k < EVAL_CLASSES; k++) net->out.bias->data[k] = k == 3 ? bias3 : -4.0f;
    net->out.weight->data[3 * EVAL_FEATURES] = w3;
}

Test(l03_census, counts_only_sure_samples) {
    static float images[N * IMG];
    random_images(images, N, 7);
    Classifier net;
    classifier_init(&net, 1);
    L03ClassCensus cc;

    set_last_layer(&net, 4.0f, 0.0f);   // every sample class 3, p = 0.982
    double rarest = l03_class_census(&cc, &net, images, N);
    cr_assert(fabs(cc.share[3] - 1.0) < 1e-12, "all %d samples are sure class 3: share %g", N,
              cc.share[3]);
    cr_assert(rarest == 0.0, "the other classes have no sample: rarest %g", rarest);
    for (int j = 0; j < L03_CENSUS_BEST; j++)   // ties keep the earliest samples
        cr_assert(cc.best[3][j] == j, "gallery slot %d holds sample %ld, expected %d (ties keep "
                  "the first)", j, cc.best[3][j], j);

    set_last_layer(&net, 1.0f, 0.0f);   // p = 0.73: below L03_CENSUS_CONFIDENT
    l03_class_census(&cc, &net, images, N);
    cr_assert(cc.share[3] == 0.0, "a 73%% sure sample must not count: share %g", cc.share[3]);
    cr_assert(cc.best[3][0] == -1, "nor enter the gallery: slot 0 holds %ld", cc.best[3][0]);
    classifier_free(&net);
}

Test(l03_census, gallery_keeps_the_surest_first) {
    static float images[N * IMG], feat[N * EVAL_FEATURES];
    random_images(images, N, 11);
    Classifier net;
    classifier_init(&net, 2);
    classifier_features(&net, feat, images, N);
    // feature 0 varies between samples (ReLU outputs, some zero): scale it so
    // that the probabilities straddle L03_CENSUS_CONFIDENT
    float lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < N; i++) {
        float f = feat[i * EVAL_FEATURES];
        lo = f < lo ? f : lo;
        hi = f > hi ? f : hi;
    }
    cr_assert(lo < hi, "feature 0 must differ between the samples (%g..%g)", lo, hi);
    float w3 = 4.0f / (hi - lo), b3 = -w3 * lo;   // logits from 0 to 4
    set_last_layer(&net, b3, w3);
    L03ClassCensus cc;
    l03_class_census(&cc, &net, images, N);

    int sure = 0;
    for (int i = 0; i < N; i++) sure += 1.0 / (1.0 + exp(-(b3 + w3 * feat[i * EVAL_FEATURES]))) >=
                                        L03_CENSUS_CONFIDENT;
    cr_assert(fabs(cc.share[3] - (double)sure / N) < 1e-12, "share %g, expected %d/%d",
              cc.share[3], sure, N);
    cr_assert(L03_CENSUS_BEST < sure, "the test needs more sure samples (%d) than slots", sure);
    for (int j = 0; j < L03_CENSUS_BEST; j++) {
        long i = cc.best[3][j];
        cr_assert(i >= 0 && i < N, "slot %d holds sample %ld", j, i);
        float p = (float)(1.0 / (1.0 + exp(-(b3 + w3 * feat[i * EVAL_FEATURES]))));
        cr_assert(fabsf(cc.best_p[3][j] - p) < 1e-4f, "slot %d: p %g, expected %g", j,
                  cc.best_p[3][j], p);
        if (j > 0)
            cr_assert(cc.best_p[3][j] <= cc.best_p[3][j - 1], "slot %d (p %g) is surer than "
                      "slot %d (p %g)", j, cc.best_p[3][j], j - 1, cc.best_p[3][j - 1]);
    }
    for (int i = 0; i < N; i++) {   // nothing left out is surer than the last slot
        int kept = 0;
        for (int j = 0; j < L03_CENSUS_BEST; j++) kept |= cc.best[3][j] == i;
        float p = (float)(1.0 / (1.0 + exp(-(b3 + w3 * feat[i * EVAL_FEATURES]))));
        cr_assert(kept || p <= cc.best_p[3][L03_CENSUS_BEST - 1] + 1e-6f,
                  "sample %d (p %g) is surer than the last kept one (p %g)", i, p,
                  cc.best_p[3][L03_CENSUS_BEST - 1]);
    }

    // The gallery: row 3 holds those samples, the other rows plain grey.
    char png[] = "/tmp/test_census_XXXXXX";
    int fd = mkstemp(png);
    cr_assert(fd >= 0, "mkstemp");
    close(fd);
    Error err;
    cr_assert(l03_class_census_gallery(png, &cc, images, &err) == 0, "%s", err.msg);
    float *grid;
    int c, h, w;
    cr_assert(image_read_png(&grid, &c, &h, &w, png, 1, &err) == 0, "%s", err.msg);
    unlink(png);
    float tile[IMG];
    for (int k = 2; k <= 4; k++) {
        image_crop(tile, grid, 1, h, w, IMAGE_GRID_BORDER + k * (28 + IMAGE_GRID_BORDER),
                   IMAGE_GRID_BORDER, 28, 28);   // the first sample of row k
        const float *want = images + (k == 3 ? cc.best[3][0] : 0) * IMG;
        for (int p = 0; p < IMG; p++) {
            float expect = k == 3 ? want[p] : 0.0f;
            cr_assert(fabsf(tile[p] - expect) < 1.5f / 255 * 2, "row %d, pixel %d: %g, expected "
                      "%g (%s)", k, p, tile[p], expect, k == 3 ? "the surest sample" : "grey");
        }
    }
    free(grid);
    classifier_free(&net);
}
