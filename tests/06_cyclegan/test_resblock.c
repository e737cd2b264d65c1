// test_resblock.c - exercise 6.3: the ResNet generator's residual block
// (reflection padding, 3x3 convolutions, instance norm, the skip) against
// PyTorch (tests/ref/gen_lesson06.py, data/lesson06_resblock.bin): 4
// channels, 5x5, batch 2.
#include <math.h>

#include "l06_test.h"

TestSuite(l06_resblock, .timeout = 30);

#define RC 4
#define RHW 5
#define RN (2 * RC * RHW * RHW)

static void build(ResBlock *r, ParamSet *ps) {
    Rng rng;
    rng_seed(&rng, 3);
    paramset_init(ps);
    nn_conv2d_init(&r->c1, ps, "b.conv1", RC, RC, 3, 1, 0, 0, &rng);
    nn_instancenorm2d_init(&r->n1, ps, "b.norm1", RC, 1, &rng);
    nn_conv2d_init(&r->c2, ps, "b.conv2", RC, RC, 3, 1, 0, 0, &rng);
    nn_instancenorm2d_init(&r->n2, ps, "b.norm2", RC, 1, &rng);
}

Test(l06_resblock, matches_pytorch) {
    RefFile *ref = ref_open("lesson06_resblock.bin");
    ResBlock r;
    ParamSet ps;
    build(&r, &ps);
    l06_load_block(ref, "block", &ps);
    Tape tp;
    tape_init(&tp);
    Tensor *x = l06_input(&tp, ref, "x", 2, RC, RHW, RHW, 1);
    Tensor *y = l06_resblock_forward(&r, &tp, x);
    cr_assert(y != NULL && y->ndim == 4 && y->size == RN,
              "the block's output must have the input's shape (2, %d, %d, %d)", RC, RHW, RHW);
    check_close("x + block(x)", y->data, ref_get(ref, "y", RN), RN, L06_ATOL, L06_RTOL);
    Tensor *w = tape_tensor(&tp, 2, (int[]){1, RN}, 0);
    memcpy(w->data, ref_get(ref, "probe", RN), sizeof(float) * RN);
    tape_backward(&tp, tape_linear(&tp, tensor_reshape(&tp, y, 2, (int[]){1, RN}), w, NULL));
    check_close("d sum(y * probe) / d x (the skip adds the probe itself)", x->grad,
                ref_get(ref, "dx", RN), RN, L06_ATOL, L06_RTOL);
    check_close("the gradients of conv1, norm1, conv2, norm2", ps.grad,
                ref_get(ref, "grad", ps.size), ps.size, L06_ATOL, L06_RTOL);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

// With the second norm's gain at 0 the block is exactly the identity (the
// skip alone): a block that forgets the skip, or adds a ReLU after it, fails.
Test(l06_resblock, starts_near_identity_and_keeps_the_shape) {
    RefFile *ref = ref_open("lesson06_resblock.bin");
    ResBlock r;
    ParamSet ps;
    build(&r, &ps);
    l06_load_block(ref, "block", &ps);
    for (int c = 0; c < RC; c++) r.n2.gamma->data[c] = 0.0f, r.n2.beta->data[c] = 0.0f;
    Tape tp;
    tape_init(&tp);
    int was = tape_set_no_grad(&tp, 1);
    Tensor *x = l06_input(&tp, ref, "x", 2, RC, RHW, RHW, 0);
    Tensor *y = l06_resblock_forward(&r, &tp, x);
    cr_assert(y != NULL && y->ndim == 4 && y->shape[0] == 2 && y->shape[1] == RC &&
                  y->shape[2] == RHW && y->shape[3] == RHW,
              "the block must keep the shape (2, %d, %d, %d): reflection padding by 1 before "
              "each 3x3 convolution", RC, RHW, RHW);
    check_close("x + 0 (second norm's gain and shift at 0): the skip, and nothing after it",
                y->data, x->data, RN, 1e-6f, 1e-6f);
    tape_set_no_grad(&tp, was);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}
