// cmd_translate.c - lesson 06's `translate` program: one PNG (or JPEG), or
// every image of a folder, through a trained G (A -> B: sketch -> colour
// by default) or F (B -> A), rebuilding the networks the checkpoint's metadata describes.
// Any size whose sides are multiples of 4 (and at least 8) goes through as
// it is: the ResNet generator is convolutional. A file that cannot be read
// or does not fit is reported and skipped; the others are written.
//
//     make run LESSON=06 SOLUTIONS=1 PROGRAM=translate
//         ARGS="--checkpoint runs/06_cyclegan/<run>/checkpoint.bin --input my.png --output out.png"
//     ... ARGS="... --direction BtoA"               (F: 3-D -> flat)
#include <stdio.h>
#include <string.h>

#include "cyclegan_tools.h"
#include "train/translate.h"

typedef struct {
    L06Cyclegan c;
    int to_b;
} Translator;

static int fits(void *ctx, int h, int w, Error *err) {
    (void)ctx;
    if (h >= 8 && w >= 8 && h % 4 == 0 && w % 4 == 0) return 0;
    return error_set(err, "%dx%d does not fit the ResNet generator: it halves the size twice, "
                     "so both sides must be multiples of 4 and at least 8 (e.g. %dx%d)", w, h,
                     w < 8 ? 8 : w / 4 * 4, h < 8 ? 8 : h / 4 * 4);
}

static int run(void *ctx, float *out, const float *in, int h, int w, Error *err) {
    (void)err;
    Translator *t = ctx;
    l06_translate(&t->c, out, in, 1, h, w, t->to_b);
    return 0;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "06_cyclegan", "translate images with a trained CycleGAN (G or F)");
    const char *input = NULL, *output = NULL, *checkpoint = NULL, *direction = "AtoB";
    translate_add_flags(&args, &input, &output, &checkpoint);
    args_add_choice(&args, "direction", &direction, "AtoB|BtoA", "G (A -> B) or F (B -> A)");
    int code = translate_parse_flags(&args, argc, argv, &input, &output, &checkpoint);
    if (code >= 0) return code;
    Outputs out;
    outputs_init(&out);
    Error err;
    Translator t = {.to_b = strcmp(direction, "AtoB") == 0};
    int rc = l06_load_checkpoint(&t.c, checkpoint, &err);
    if (rc == 0) {
        printf("translating with %s\n", t.to_b ? "G: A -> B" : "F: B -> A");
        TranslateSpec spec = {.in_channels = 3, .out_channels = 3, .fits = fits, .fn = run,
                              .ctx = &t};
        rc = translate_path(&spec, input, output, &out, &err);
        l06_cyclegan_free(&t.c);
    }
    if (rc != 0) fprintf(stderr, "%s\n", err.msg);
    outputs_print(&out, rc == 0);
    return rc == 0 ? 0 : 1;
}
