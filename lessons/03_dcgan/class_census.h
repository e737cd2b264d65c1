// class_census.h - which garments G draws, and its best one of each.
//
// FCD says how far the samples are from the test set as a whole; a census
// says whether some classes are missing. The evaluator's classifier gives
// each sample a probability per class (a sigmoid per class: it was trained
// with one BCE per class). A sample counts for class k when k is its most
// likely class with a probability of at least L03_CENSUS_CONFIDENT, so that a
// shapeless blob, which the classifier must still put somewhere, counts for
// none. The real test set has 10% of each class, of which the classifier is
// sure of most.
//
// The census also keeps, per class, the L03_CENSUS_BEST samples the classifier
// is surest of: the gallery shows them, one row per class, so that a person
// can check that G's "T-shirts" are T-shirts (and that the classifier is not
// sure of something that is not a garment).
#ifndef CLASS_CENSUS_H
#define CLASS_CENSUS_H

#include "util/error.h"
#include "eval/evaluator.h"

#define L03_CENSUS_CONFIDENT 0.8
#define L03_CENSUS_BEST 8   // samples per gallery row

typedef struct {
    double share[EVAL_CLASSES];          // fraction of the samples that count for each class
    long best[EVAL_CLASSES][L03_CENSUS_BEST];   // sample indices, surest first; -1: none
    float best_p[EVAL_CLASSES][L03_CENSUS_BEST];
} L03ClassCensus;

// Counts images (n, 1, 28, 28) in [-1, 1]; returns the smallest share.
double l03_class_census(L03ClassCensus *cc, Classifier *net, const float *images, long n);

// Prints G's shares next to the test set's, as a table with bars.
void l03_class_census_print(const L03ClassCensus *g, const L03ClassCensus *test);

// png <- a grid of EVAL_CLASSES rows (T-shirt/top first, in the classifier's
// order) of the L03_CENSUS_BEST samples of each class; a class with fewer sure
// samples ends its row with plain grey squares.
int l03_class_census_gallery(const char *png, const L03ClassCensus *cc, const float *images,
                             Error *err);

#endif
