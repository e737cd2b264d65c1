// l07_ref.c - the reference exercises 7.1-7.4 of lesson 07 (adain.h), that
// the isolated 7.2 and 7.5 run on. The statistics and AdaIN go through the
// library's tape ops (tape_mean_std_hw, adain), which common/'s own tests
// check against PyTorch.
#include <stdlib.h>

#include "l07_test.h"
#include "autograd/tape.h"

void l07_ref_mean_std(float *mean, float *std, const float *x, int C, long N, float eps) {
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *t = tape_tensor(&tp, 4, (int[]){1, C, (int)N, 1}, 0);
    memcpy(t->data, x, sizeof(float) * t->size);
    Tensor *st = tape_mean_std_hw(&tp, t, eps);
    memcpy(mean, st->data, sizeof(float) * C);
    memcpy(std, st->data + C, sizeof(float) * C);
    tape_free(&tp);
}

void l07_ref_adain_forward(float *out, const float *x, long N, const float *y, long M, int C,
                           float eps) {
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *a = tape_tensor(&tp, 4, (int[]){1, C, (int)N, 1}, 0);
    Tensor *b = tape_tensor(&tp, 4, (int[]){1, C, (int)M, 1}, 0);
    memcpy(a->data, x, sizeof(float) * a->size);
    memcpy(b->data, y, sizeof(float) * b->size);
    Tensor *o = adain(&tp, a, b, eps);
    memcpy(out, o->data, sizeof(float) * o->size);
    tape_free(&tp);
}

Tensor *l07_ref_content_loss(Tape *tp, Tensor *out_feat, Tensor *target) {
    return tape_mse(tp, out_feat, target);
}

Tensor *l07_ref_style_loss(Tape *tp, Tensor *const out_feats[VGG_LEVELS],
                           Tensor *const style_feats[VGG_LEVELS], float eps) {
    Tensor *sum = NULL;
    for (int i = 0; i < VGG_LEVELS; i++) {
        Tensor *a = tape_mean_std_hw(tp, out_feats[i], eps);
        Tensor *b = tape_mean_std_hw(tp, style_feats[i], eps);
        for (int row = 0; row < 2; row++) {
            Tensor *term = tape_mse(tp, tensor_slice(tp, a, row, 1), tensor_slice(tp, b, row, 1));
            sum = sum ? tape_add(tp, sum, term) : term;
        }
    }
    return sum;
}
