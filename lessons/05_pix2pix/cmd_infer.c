// cmd_infer.c - lesson 05's `infer` program: colours one PNG, or every PNG of
// a folder, with a trained checkpoint, rebuilding the network its metadata
// describes. A file that cannot be read or does not fit the U-Net is
// reported and skipped; the others are written.
//
//     make run LESSON=05 SOLUTIONS=1 PROGRAM=infer
//         ARGS="--checkpoint runs/05_pix2pix/<run>/checkpoint.bin --input my_sketch.png --output my.png"
#include <stdio.h>

#include "kernels/gemm.h"
#include "pix2pix_tools.h"
#include "train/translate.h"

static int fits(void *ctx, int h, int w, Error *err) {
    return paired_check_fits(h, w, ((L05Pix2pix *)ctx)->cfg.g.depth, err);
}

static int colour(void *ctx, float *out, const float *in, int h, int w, Error *err) {
    (void)err;
    l05_generate(ctx, out, in, 1, h, w);
    return 0;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "05_pix2pix", "colour a PNG or a folder of PNGs with a trained Pix2Pix");
    const char *input = NULL, *output = NULL, *checkpoint = NULL;
    int batch_stats = 0;
    args_add_string(&args, "input", &input, "a PNG or a folder of PNGs");
    args_add_string(&args, "output", &output, "a PNG, or a folder (made when missing)");
    args_add_string(&args, "checkpoint", &checkpoint, "the trained model (checkpoint.bin)");
    args_add_bool(&args, "batch-stats", &batch_stats,
                  "batch statistics and dropout (the paper's test mode)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;
    if (!input || !output || !checkpoint)
        return args_usage_error(&args, "needs --input, --output and --checkpoint");
    compute_set_threads(args.threads);
    Outputs out;
    outputs_init(&out);
    Error err;
    L05Pix2pix p;
    int rc = l05_load_checkpoint(&p, checkpoint, batch_stats, &err);
    if (rc == 0) {
        TranslateSpec t = {.in_channels = p.cfg.g.in_ch, .out_channels = p.cfg.g.out_ch,
                           .fits = fits, .fn = colour, .ctx = &p};
        rc = translate_path(&t, input, output, &out, &err);
        l05_pix2pix_free(&p);
    }
    if (rc != 0) fprintf(stderr, "%s\n", err.msg);
    outputs_print(&out, rc == 0);
    return rc == 0 ? 0 : 1;
}
