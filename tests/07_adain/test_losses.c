// test_losses.c - exercises 7.3 and 7.4: the content loss and the style loss
// over the four levels, against PyTorch (pytorch-AdaIN's calc_content_loss
// and calc_style_loss; tests/ref/gen_lesson07.py, data/lesson07_losses.bin),
// and the style loss's gradient against finite differences.
#include "l07_test.h"

TestSuite(l07_content, .timeout = 10);
TestSuite(l07_style, .timeout = 10);

static const int SHAPES[VGG_LEVELS][4] = {{2, 2, 8, 8}, {2, 4, 4, 4}, {2, 8, 3, 2}, {2, 16, 2, 2}};

Test(l07_content, matches_pytorch) {
    RefFile *ref = ref_open("lesson07_losses.bin");
    Tape tp;
    tape_init(&tp);
    int shape[4] = {2, 4, 3, 3};
    Tensor *out = l07_tensor(&tp, ref, "c_out", 4, shape, 1);
    Tensor *target = l07_tensor(&tp, ref, "c_target", 4, shape, 0);
    Tensor *loss = adain_content_loss(&tp, out, target);
    cr_assert(loss != NULL && loss->size == 1, "adain_content_loss must return a scalar");
    float want = ref_scalar(ref, "c_loss");
    check_close("L_c = MSE(f(g(t)), t)", loss->data, &want, 1, L07_ATOL, L07_RTOL);
    tape_backward(&tp, loss);
    check_close("dL_c/d out_feat", out->grad, ref_get(ref, "c_grad", out->size), out->size,
                L07_ATOL, L07_RTOL);
    tape_free(&tp);
    ref_close(ref);
}

// The four levels' feature maps from the reference: outputs (with a
// gradient) and the style's (constants, one row taller).
static void load_levels(Tape *tp, const RefFile *ref, Tensor *outs[VGG_LEVELS],
                        Tensor *styles[VGG_LEVELS]) {
    char name[32];
    for (int i = 0; i < VGG_LEVELS; i++) {
        int s[4] = {SHAPES[i][0], SHAPES[i][1], SHAPES[i][2] + 1, SHAPES[i][3]};
        snprintf(name, sizeof name, "s_out%d", i);
        outs[i] = l07_tensor(tp, ref, name, 4, SHAPES[i], 1);
        snprintf(name, sizeof name, "s_style%d", i);
        styles[i] = l07_tensor(tp, ref, name, 4, s, 0);
    }
}

Test(l07_style, matches_pytorch) {
    RefFile *ref = ref_open("lesson07_losses.bin");
    Tape tp;
    tape_init(&tp);
    Tensor *outs[VGG_LEVELS], *styles[VGG_LEVELS];
    load_levels(&tp, ref, outs, styles);
    Tensor *loss = adain_style_loss(&tp, outs, styles, ADAIN_EPS);
    cr_assert(loss != NULL && loss->size == 1, "adain_style_loss must return a scalar");
    float want = ref_scalar(ref, "s_loss");
    check_close("L_s = sum over the 4 levels of MSE(means) + MSE(stds)", loss->data, &want, 1,
                L07_ATOL, L07_RTOL);
    tape_backward(&tp, loss);
    char name[32], what[96];
    for (int i = 0; i < VGG_LEVELS; i++) {
        snprintf(name, sizeof name, "s_grad%d", i);
        snprintf(what, sizeof what, "dL_s / d out_feats[%d] (relu%d_1)", i, i + 1);
        check_close(what, outs[i]->grad, ref_get(ref, name, outs[i]->size), outs[i]->size,
                    L07_ATOL, L07_RTOL);
    }
    tape_free(&tp);
    ref_close(ref);
}

typedef struct {
    const RefFile *ref;
    float *level2;
} FdCtx;

static double style_value(void *ctx) {
    FdCtx *c = ctx;
    Tape tp;
    tape_init(&tp);
    Tensor *outs[VGG_LEVELS], *styles[VGG_LEVELS];
    load_levels(&tp, c->ref, outs, styles);
    memcpy(outs[2]->data, c->level2, sizeof(float) * outs[2]->size);
    double v = adain_style_loss(&tp, outs, styles, ADAIN_EPS)->data[0];
    tape_free(&tp);
    return v;
}

Test(l07_style, gradient_matches_finite_differences) {
    RefFile *ref = ref_open("lesson07_losses.bin");
    Tape tp;
    tape_init(&tp);
    Tensor *outs[VGG_LEVELS], *styles[VGG_LEVELS];
    load_levels(&tp, ref, outs, styles);
    Tensor *loss = adain_style_loss(&tp, outs, styles, ADAIN_EPS);
    cr_assert(loss != NULL && loss->size == 1, "adain_style_loss must return a scalar");
    tape_backward(&tp, loss);
    FdCtx ctx = {ref, outs[2]->data};
    check_grad_fd("dL_s / d out_feats[2] against central differences of your loss", outs[2]->data,
                  outs[2]->grad, outs[2]->size, style_value, &ctx, 1e-2f, 1e-3f, 2e-2f, 48);
    tape_free(&tp);
    ref_close(ref);
}

Test(l07_style, zero_when_the_statistics_match) {
    RefFile *ref = ref_open("lesson07_losses.bin");
    Tape tp;
    tape_init(&tp);
    Tensor *outs[VGG_LEVELS], *styles[VGG_LEVELS];
    load_levels(&tp, ref, outs, styles);
    Tensor *loss = adain_style_loss(&tp, styles, styles, ADAIN_EPS);
    cr_assert(loss != NULL && loss->size == 1, "adain_style_loss must return a scalar");
    float zero = 0.0f;
    check_close("L_s of the style's own features against themselves", loss->data, &zero, 1,
                1e-7f, 0.0f);
    tape_free(&tp);
    ref_close(ref);
}
