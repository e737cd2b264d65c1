// test_blend.c - exercise 7.6: alpha blending of one or several style
// targets with the content features, against PyTorch (pytorch-AdaIN's
// test.py with interpolation weights, normalised; tests/ref/gen_lesson07.py,
// data/lesson07_blend.bin).
#include "l07_test.h"

TestSuite(l07_blend, .timeout = 10);

enum { NB = 4 * 3 * 3 };

Test(l07_blend, one_style_matches_pytorch) {
    RefFile *ref = ref_open("lesson07_blend.bin");
    float out[NB];
    const float *t[1] = {ref_get(ref, "t0", NB)};
    adain_blend(out, ref_get(ref, "fc", NB), t, (float[]){1.0f}, 1, NB, ref_scalar(ref, "alpha"));
    check_close("alpha t + (1 - alpha) f(c), alpha 0.3", out, ref_get(ref, "one", NB), NB, 1e-6f,
                1e-5f);
    ref_close(ref);
}

Test(l07_blend, three_styles_matches_pytorch) {
    RefFile *ref = ref_open("lesson07_blend.bin");
    float out[NB];
    const float *t[3] = {ref_get(ref, "t0", NB), ref_get(ref, "t1", NB), ref_get(ref, "t2", NB)};
    const float *w = ref_get(ref, "weights", 3);
    adain_blend(out, ref_get(ref, "fc", NB), t, w, 3, NB, ref_scalar(ref, "alpha"));
    check_close("three styles, weights 1, 2, 5 (normalised to sum 1), alpha 0.3", out,
                ref_get(ref, "three", NB), NB, 1e-6f, 1e-5f);
    ref_close(ref);
}

Test(l07_blend, alpha_zero_and_one) {
    RefFile *ref = ref_open("lesson07_blend.bin");
    float out[NB];
    const float *fc = ref_get(ref, "fc", NB);
    const float *t[1] = {ref_get(ref, "t0", NB)};
    adain_blend(out, fc, t, (float[]){3.0f}, 1, NB, 0.0f);
    check_close("alpha 0: the content features, whatever the style", out, fc, NB, 1e-7f, 1e-6f);
    adain_blend(out, fc, t, (float[]){3.0f}, 1, NB, 1.0f);
    check_close("alpha 1, one style of weight 3 (normalised: 1): the target t", out, t[0], NB,
                1e-7f, 1e-6f);
    ref_close(ref);
}
