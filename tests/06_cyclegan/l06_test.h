// l06_test.h - what the lesson 06 tests share: networks loaded from the
// PyTorch reference files (tests/ref/gen_lesson06.py), whose parameter
// blocks are in the C ParamSet order, and the reference pieces the step
// tests run the student's steps on (cyclegan_ref.c).
#ifndef L06_TEST_H
#define L06_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cyclegan.h"
#include "ref.h"

// float32 networks against float64 references
#define L06_ATOL 1e-4f
#define L06_RTOL 1e-3f

// Copies a whole parameter block from the reference file into ps.
static inline void l06_load_block(const RefFile *ref, const char *name, ParamSet *ps) {
    memcpy(ps->data, ref_get(ref, name, ps->size), sizeof(float) * ps->size);
}

// A tensor of the given shape filled from the reference.
static inline Tensor *l06_input(Tape *tp, const RefFile *ref, const char *name, int n, int c,
                                int h, int w, int requires_grad) {
    Tensor *x = tape_tensor(tp, 4, (int[]){n, c, h, w}, requires_grad);
    memcpy(x->data, ref_get(ref, name, x->size), sizeof(float) * x->size);
    return x;
}

// The reference pieces (cyclegan_ref.c), and the student's steps calling them
// (isolate_cyclegan_exercises.h).
Tensor *l06_ref_identity_loss(Tape *tp, Tensor *a, Tensor *f_a, Tensor *b, Tensor *g_b,
                              float weight, float *idt_a, float *idt_b);
Tensor *l06_ref_generator(ResnetGen *m, Tape *tp, Tensor *x);
void l06_ref_pool_query(L06Pool *p, float *out, const float *fake, int n, Rng *rng);
void l06_g_step_isolated(L06Cyclegan *c, L06Stats *st, Tensor *a, Tensor *b, Tensor **fake_a,
                         Tensor **fake_b);
void l06_d_step_isolated(L06Cyclegan *c, L06Stats *st, Tensor *a, Tensor *b, Tensor *fake_a,
                         Tensor *fake_b);

#endif
