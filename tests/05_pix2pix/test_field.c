// test_field.c - exercise 5.3: what one logit of a PatchGAN sees. The sizes
// are the pix2pix paper's (its section 4.4): 1x1 (PixelGAN), 16x16, 70x70
// and 286x286, from the patchgan layers of 1, 3 and 5 layers.
#include "l05_test.h"

TestSuite(l05_field, .timeout = 10);

static L05Field patchgan_field(int n_layers) {
    PatchGanConfig cfg = {.in_ch = 6, .ndf = 32, .n_layers = n_layers};
    L05Conv convs[PATCHGAN_MAX_LAYERS + 2];
    int n = l05_patchgan_convs(convs, &cfg);
    return l05_receptive_field(convs, n);
}

static void expect_field(const char *what, L05Field got, int size, int jump, int start) {
    cr_assert(got.size == size && got.jump == jump && got.start == start,
              "%s: got size %d, jump %d, start %d; expected size %d, jump %d, start %d", what,
              got.size, got.jump, got.start, size, jump, start);
}

Test(l05_field, classic_patchgan_sees_70x70) {
    // k4 s2 p1 three times, then k4 s1 p1 twice: 1 -> 4 -> 10 -> 22 -> 46 -> 70,
    // logits 8 pixels apart, the first window starting 23 pixels left of the image.
    expect_field("PatchGAN, 3 layers (W2's D and the paper's 70x70)", patchgan_field(3), 70, 8,
                 -23);
}

Test(l05_field, other_patch_sizes_of_the_paper) {
    expect_field("PatchGAN, 1 layer (the paper's 16x16)", patchgan_field(1), 16, 2, -5);
    expect_field("PatchGAN, 5 layers (the paper's 286x286)", patchgan_field(5), 286, 32, -95);
    L05Conv pixel[3] = {{1, 1, 0}, {1, 1, 0}, {1, 1, 0}};
    expect_field("PixelGAN (1x1 convolutions)", l05_receptive_field(pixel, 3), 1, 1, 0);
}

Test(l05_field, stride_one_stacks_and_no_layers) {
    L05Conv three[2] = {{3, 1, 1}, {3, 1, 1}};
    expect_field("two 3x3 convolutions, stride 1, pad 1", l05_receptive_field(three, 2), 5, 1,
                 -2);
    L05Conv mixed[3] = {{7, 1, 3}, {3, 2, 1}, {3, 2, 1}};
    expect_field("c7s1 then two 3x3 stride 2 (a ResNet generator's downsampling)",
                 l05_receptive_field(mixed, 3), 13, 4, -6);
    expect_field("no layers: a pixel sees itself", l05_receptive_field(NULL, 0), 1, 1, 0);
}
