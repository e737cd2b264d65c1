// test_gen_options.c - the library's generator options that lesson 06's
// flags use (common/models/resnet_gen.h: --upsample resize, --skip), against
// PyTorch (tests/ref/gen_lesson06.py, data/lesson06_gen_options.bin): ResNet
// generators ngf 2, 1 block, on 12x12, batch 2. Library code, not an
// exercise: these tests are not graded (they pass on the stubs too).
#include "l06_test.h"

TestSuite(l06_gen_options, .timeout = 30);

#define GN (2 * 3 * 12 * 12)

static void check_generator(const char *name, ResnetGenConfig cfg) {
    RefFile *ref = ref_open("lesson06_gen_options.bin");
    char key[48];
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    ResnetGen g;
    resnet_gen_init(&g, &ps, "g", &cfg, &rng);
    cr_assert(ps.size == resnet_gen_param_count(&cfg), "%s: %ld parameters, the formula says %ld",
              name, ps.size, resnet_gen_param_count(&cfg));
    snprintf(key, sizeof key, "%s_block", name);
    l06_load_block(ref, key, &ps);
    Tape tp;
    tape_init(&tp);
    snprintf(key, sizeof key, "%s_x", name);
    Tensor *x = l06_input(&tp, ref, key, 2, 3, 12, 12, 1);
    Tensor *y = resnet_gen_forward(&g, &tp, x, 1);
    snprintf(key, sizeof key, "%s_y", name);
    check_close(name, y->data, ref_get(ref, key, GN), GN, L06_ATOL, L06_RTOL);
    Tensor *w = tape_tensor(&tp, 2, (int[]){1, GN}, 0);
    snprintf(key, sizeof key, "%s_probe", name);
    memcpy(w->data, ref_get(ref, key, GN), sizeof(float) * GN);
    tape_backward(&tp, tape_linear(&tp, tensor_reshape(&tp, y, 2, (int[]){1, GN}), w, NULL));
    snprintf(key, sizeof key, "%s_dx", name);
    check_close("d sum(y * probe) / d x", x->grad, ref_get(ref, key, GN), GN, L06_ATOL, L06_RTOL);
    snprintf(key, sizeof key, "%s_grad", name);
    check_close("the parameters' gradients", ps.grad, ref_get(ref, key, ps.size), ps.size,
                L06_ATOL, L06_RTOL);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(l06_gen_options, resize_convolution_matches_pytorch) {
    check_generator("resize", (ResnetGenConfig){.in_ch = 3, .out_ch = 3, .ngf = 2, .n_blocks = 1,
                                                .upsample = RESNET_UP_RESIZE});
}

Test(l06_gen_options, input_skip_matches_pytorch) {
    check_generator("skip", (ResnetGenConfig){.in_ch = 3, .out_ch = 3, .ngf = 2, .n_blocks = 1,
                                              .input_skip = 1});
}
