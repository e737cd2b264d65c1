// l07_test.h - what the lesson 07 tests share: the PyTorch reference files
// (tests/ref/gen_lesson07.py), the reference versions of exercises 7.1-7.4
// that the isolated 7.2 and 7.5 run on (l07_ref.c,
// isolate_adain_exercises.h), and the isolated copies themselves.
#ifndef L07_TEST_H
#define L07_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "adain.h"
#include "check.h"
#include "ref.h"

// float32 against float64 references
#define L07_ATOL 1e-5f
#define L07_RTOL 1e-4f

// A leaf tensor of the given shape filled from the reference.
static inline Tensor *l07_tensor(Tape *tp, const RefFile *ref, const char *name, int ndim,
                                 const int *shape, int requires_grad) {
    Tensor *x = tape_tensor(tp, ndim, shape, requires_grad);
    memcpy(x->data, ref_get(ref, name, x->size), sizeof(float) * x->size);
    return x;
}

// The references (l07_ref.c): 7.1-7.4 as adain.h describes them.
void l07_ref_mean_std(float *mean, float *std, const float *x, int C, long N, float eps);
void l07_ref_adain_forward(float *out, const float *x, long N, const float *y, long M, int C,
                           float eps);
Tensor *l07_ref_content_loss(Tape *tp, Tensor *out_feat, Tensor *target);
Tensor *l07_ref_style_loss(Tape *tp, Tensor *const out_feats[VGG_LEVELS],
                           Tensor *const style_feats[VGG_LEVELS], float eps);

// The isolated copies: 7.2 on the reference 7.1, 7.5 on the reference 7.1-7.4.
void adain_forward_isolated(float *out, const float *x, long N, const float *y, long M, int C,
                            float eps);
void adain_backward_isolated(float *dx, float *dy, const float *dout, const float *x, long N,
                             const float *y, long M, int C, float eps);
void adain_train_step_isolated(AdainNet *n, AdainStats *st, const float *content,
                               const float *style, int B, int S, int n_identity);

#endif
