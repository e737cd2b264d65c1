// class_census.c - see class_census.h.
#include "class_census.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"

#define IMG EVAL_PIXELS

// Puts sample i with probability p into class k's best list, which is kept
// sorted, surest first.
static void keep_if_best(L03ClassCensus *cc, int k, long i, float p) {
    int at = L03_CENSUS_BEST;
    while (at > 0 && (cc->best[k][at - 1] < 0 || cc->best_p[k][at - 1] < p)) at--;
    if (at == L03_CENSUS_BEST) return;
    memmove(&cc->best[k][at + 1], &cc->best[k][at], sizeof(long) * (L03_CENSUS_BEST - 1 - at));
    memmove(&cc->best_p[k][at + 1], &cc->best_p[k][at], sizeof(float) * (L03_CENSUS_BEST - 1 - at));
    cc->best[k][at] = i;
    cc->best_p[k][at] = p;
}

double l03_class_census(L03ClassCensus *cc, Classifier *net, const float *images, long n) {
    static float feat[EVAL_FCD_SAMPLES * EVAL_FEATURES];
    const Linear *out = &net->out;   // features (F) -> logits (K)
    for (int k = 0; k < EVAL_CLASSES; k++) {
        cc->share[k] = 0.0;
        for (int j = 0; j < L03_CENSUS_BEST; j++) cc->best[k][j] = -1;
    }
    for (long i0 = 0; i0 < n; i0 += EVAL_FCD_SAMPLES) {
        long m = n - i0 < EVAL_FCD_SAMPLES ? n - i0 : EVAL_FCD_SAMPLES;
        classifier_features(net, feat, images + i0 * IMG, m);
        for (long i = 0; i < m; i++) {
            int best = 0;
            float best_logit = -INFINITY;
            for (int k = 0; k < EVAL_CLASSES; k++) {
                float logit = out->bias->data[k];
                for (int f = 0; f < EVAL_FEATURES; f++)
                    logit += out->weight->data[k * EVAL_FEATURES + f] * feat[i * EVAL_FEATURES + f];
                if (logit > best_logit) best_logit = logit, best = k;
            }
            float p = (float)(1.0 / (1.0 + exp(-best_logit)));
            if (p < L03_CENSUS_CONFIDENT) continue;
            cc->share[best] += 1.0 / n;
            keep_if_best(cc, best, i0 + i, p);
        }
    }
    double rarest = 1.0;
    for (int k = 0; k < EVAL_CLASSES; k++)
        if (cc->share[k] < rarest) rarest = cc->share[k];
    return rarest;
}

void l03_class_census_print(const L03ClassCensus *g, const L03ClassCensus *test) {
    printf("classes of the 10,000 samples, counting only those the classifier is at least "
           "%.0f%% sure of\n  %-12s %7s %6s\n", 100.0 * L03_CENSUS_CONFIDENT, "class", "G", "test");
    double named = 0.0, test_named = 0.0;
    for (int k = 0; k < EVAL_CLASSES; k++) {
        printf("  %-12s %6.1f%% %5.1f%% ", evaluator_class_names[k], 100.0 * g->share[k],
               100.0 * test->share[k]);
        for (int b = 0; b < (int)(100.0 * g->share[k] + 0.5); b++) putchar('#');
        putchar('\n');
        named += g->share[k];
        test_named += test->share[k];
    }
    printf("  %-12s %6.1f%% %5.1f%%  (the rest: no class is that sure)\n", "all", 100.0 * named,
           100.0 * test_named);
}

int l03_class_census_gallery(const char *png, const L03ClassCensus *cc, const float *images,
                             Error *err) {
    float *rows = calloc((size_t)EVAL_CLASSES * L03_CENSUS_BEST * IMG, sizeof(float));
    if (!rows) return error_set(err, "%s: out of memory for the gallery", png);
    for (int k = 0; k < EVAL_CLASSES; k++)
        for (int j = 0; j < L03_CENSUS_BEST; j++) {
            float *dst = rows + ((long)k * L03_CENSUS_BEST + j) * IMG;
            if (cc->best[k][j] < 0) {
                for (int p = 0; p < IMG; p++) dst[p] = 0.0f;   // grey: no sample
                continue;
            }
            memcpy(dst, images + cc->best[k][j] * IMG, sizeof(float) * IMG);
        }
    int rc = image_write_grid(png, rows, EVAL_CLASSES * L03_CENSUS_BEST, 1, 28, 28,
                              L03_CENSUS_BEST, err);
    free(rows);
    return rc;
}
