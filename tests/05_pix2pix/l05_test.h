// l05_test.h - what the lesson 05 tests share: networks loaded from the
// PyTorch reference files (tests/ref/gen_lesson05.py), whose parameter
// blocks are in the C ParamSet order, and the probe loss sum(y * probe).
#ifndef L05_TEST_H
#define L05_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pix2pix.h"
#include "ref.h"

// float32 networks against float64 references
#define L05_ATOL 1e-4f
#define L05_RTOL 1e-3f

// Copies a whole parameter block from the reference file into ps.
static inline void l05_load_block(const RefFile *ref, const char *name, ParamSet *ps) {
    memcpy(ps->data, ref_get(ref, name, ps->size), sizeof(float) * ps->size);
}

// A leaf tensor of the given shape filled from the reference, with a gradient.
static inline Tensor *l05_input(Tape *tp, const RefFile *ref, const char *name, int n, int c,
                                int h, int w) {
    Tensor *x = tape_tensor(tp, 4, (int[]){n, c, h, w}, 1);
    memcpy(x->data, ref_get(ref, name, x->size), sizeof(float) * x->size);
    return x;
}

// sum(y * probe) as a tape scalar: a (1, N) x (1, N)^T linear layer.
static inline Tensor *l05_probe_loss(Tape *tp, Tensor *y, const RefFile *ref, const char *name) {
    Tensor *w = tape_tensor(tp, 2, (int[]){1, (int)y->size}, 0);
    memcpy(w->data, ref_get(ref, name, y->size), sizeof(float) * y->size);
    return tape_linear(tp, tensor_reshape(tp, y, 2, (int[]){1, (int)y->size}), w, NULL);
}

// The reference losses (pix2pix_ref.c), and the student's step calling them
// and the library's networks (isolate_pix2pix_exercises.h).
Tensor *l05_ref_g_loss(Tape *tp, Tensor *fake_logits, Tensor *fake, Tensor *target,
                       L05Loss loss, float lambda, float *gan_term, float *l1_term);
Tensor *l05_ref_d_loss(Tape *tp, Tensor *real_logits, Tensor *fake_logits);
void l05_train_step_isolated(L05Pix2pix *p, L05Stats *st, const float *x, const float *y, int B,
                             int h, int w);

static inline void l05_expect_shape(const char *what, const Tensor *t, int n, int c, int h,
                                    int w) {
    char got[64];
    cr_assert(t != NULL, "%s: returned NULL", what);
    cr_assert(t->ndim == 4 && t->shape[0] == n && t->shape[1] == c && t->shape[2] == h &&
                  t->shape[3] == w,
              "%s: shape %s, expected (%d, %d, %d, %d)", what,
              tensor_shape_str(t, got, sizeof got), n, c, h, w);
}

#endif
