// main.c - lesson 07's program: AdaIN style transfer, a decoder trained with
// YOUR statistics, AdaIN, losses and training step (adain_exercises.c)
// through a frozen encoder; with an unfinished exercise it stops and names it.
// The training loop (common/train/trainloop.h) does the rest. What this file adds:
// the step (random content and style crops), the sample (a content x style
// grid of held-out images), the evaluation (eval.csv: style and content
// losses against the two baselines) and, at the end, metrics.txt (every
// held-out pair, and alpha from 0 to 1), grid.png and alpha_row.png.
// `stylize` (cmd_stylize.c) uses the trained decoder on any image.
//
//     make run LESSON=07                                   (your code)
//     make run LESSON=07 SOLUTIONS=1                       (the reference)
//     make run LESSON=07 ARGS="--autoencoder --name ae"    (alpha 0: a plain autoencoder)
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adain_tools.h"
#include "train/trainloop.h"

#define GRID_N 4          // the sample grid: 4 held-out contents x 4 held-out styles
#define ALPHA_ROW 5       // alpha_row.png: alpha 0, 1/4, ..., 1

typedef struct {
    AdainNet net;
    AdainImages ctrain, strain, ctest, stest;
    Rng rng;                          // crops and flips
    int B, S, autoencoder, n_identity, eval_c, eval_s;
    long warmup;                      // steps of identity pairs only at the start
    float lr, decay;                  // Adam's base lr; the last decay x total steps fall to 0
    float *cb, *sb;                   // one batch of content and style crops
    float *ec, *es;                   // centre crops of every held-out image
    CsvLog eval_log;
} Lesson;

static void draw(Lesson *l, float *out, const AdainImages *set) {
    long img = 3L * l->S * l->S;
    for (int b = 0; b < l->B; b++)
        adain_random_crop(out + b * img, set, rng_int(&l->rng, set->n), l->S, &l->rng);
}

static int step(void *lesson, TrainLoop *loop, float *v, Error *err) {
    (void)err;
    Lesson *l = lesson;
    // linear decay: a short run ends with small steps instead of the noise of
    // a large one (recomputed from the step, so a resumed run agrees)
    long start = (long)((1.0f - l->decay) * (float)loop->total);
    l->net.opt.lr = loop->step < start ? l->lr
                    : l->lr * (float)(loop->total - loop->step) / (float)(loop->total - start);
    draw(l, l->cb, &l->ctrain);
    draw(l, l->sb, &l->strain);
    // identity pairs first: their style is the content itself, AdaIN(x, x) = x
    // (every pair with --autoencoder, and during the --warmup steps: alpha 0)
    int n_id = l->autoencoder || loop->step < l->warmup ? l->B : l->n_identity;
    memcpy(l->sb, l->cb, sizeof(float) * 3 * l->S * l->S * n_id);
    AdainStats st;
    adain_train_step(&l->net, &st, l->cb, l->sb, l->B, l->S, n_id);
    v[0] = st.loss, v[1] = st.content, v[2] = st.style, v[3] = st.identity;
    return 0;
}

static int sample(void *lesson, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    Lesson *l = lesson;
    return adain_write_grid(&l->net, png, l->ec, GRID_N, l->es, GRID_N, l->S,
                            l->autoencoder ? 0.0f : 1.0f, err);
}

static int evaluate(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    AdainEval e;
    adain_evaluate(&l->net, &e, l->ec, l->eval_c, l->es, l->eval_s, l->S, 1.0f);
    adain_print_eval("held out", &e);
    train_report_number(loop, "held-out style loss: output / content image / colour transfer",
                        "%.3f / %.3f / %.3f at step %ld", e.style_out, e.style_content,
                        e.style_colour, loop->step);
    return csvlog_write(&l->eval_log, (double[]){loop->step, e.style_out, e.style_content,
                        e.style_colour, e.content_out, e.struct_out, e.psnr0}, err);
}

static int start(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/encoder.bin", loop->dir);
    if (adain_encoder_save(&l->net, path, err) != 0) return -1;
    train_add_file(loop, "encoder.bin", TRAIN_FILE_DATA);
    return train_open_log(loop, &l->eval_log, "eval.csv", "step,style_out,style_content,"
                          "style_colour,content_out,struct_out,psnr_alpha0", err);
}

static int finish(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/metrics.txt", loop->dir);
    AdainEval e;
    if (adain_write_metrics(&l->net, path, &e, l->ec, l->ctest.n, l->eval_c, l->es, l->stest.n,
                            l->eval_s, l->S, l->B, loop->step, err) != 0)
        return -1;
    train_add_file(loop, "metrics.txt", TRAIN_FILE_DATA);
    train_report_number(loop, "held-out style loss, all pairs (output)", "%.3f", e.style_out);
    train_report_number(loop, "... the content image's", "%.3f", e.style_content);
    train_report_number(loop, "... the colour transfer's", "%.3f", e.style_colour);
    train_report_number(loop, "alpha 0 reconstruction PSNR", "%.2f dB", e.psnr0);
    snprintf(path, sizeof path, "%s/grid.png", loop->dir);
    if (adain_write_grid(&l->net, path, l->ec, GRID_N, l->es, GRID_N, l->S, 1.0f, err) != 0)
        return -1;
    train_add_file(loop, "grid.png", TRAIN_FILE_PICTURE);
    snprintf(path, sizeof path, "%s/alpha_row.png", loop->dir);
    if (adain_write_alpha_row(&l->net, path, l->ec, l->es, l->S, ALPHA_ROW, err) != 0) return -1;
    train_add_file(loop, "alpha_row.png", TRAIN_FILE_PICTURE);
    return 0;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "07_adain", "AdaIN: any style, one forward pass");
    args.steps = 1500;
    args.batch = 8;
    args.threads = 0;
    AdainConfig cfg = adain_default_config();
    args.lr = cfg.lr;
    const char *content = "datasets/adain/content", *style = "datasets/adain/style", *encoder = "";
    int crop = 64, calib = 32, autoencoder = 0, sample_every = 250, eval_c = 6, eval_s = 5;
    int n_identity = 2, no_centre = 0;
    float calib_open = 1.0f;
    float decay = 0.0f;
    int warmup = 0;
    args_add_int_range(&args, "warmup", &warmup, 0, INT_MAX, "first steps with identity pairs only (the decoder learns to invert first)");
    args_add_float(&args, "decay", &decay, "the lr falls linearly to 0 over this fraction of the steps at the end");
    args_add_string(&args, "content", &content, "folder with train/ and test/ content images");
    args_add_string(&args, "style", &style, "folder with train/ and test/ style images");
    args_add_string(&args, "encoder", &encoder, "encoder weight file (tools/convert_vgg.py); "
                    "empty: the calibrated random VGG");
    args_add_int_range(&args, "width", &cfg.width, 1, 256, "width of the random VGG (64 = VGG-19)");
    args_add_int_range(&args, "crop", &crop, 16, 1024, "training crops (images scaled to twice this short side)");
    args_add_float(&args, "style-weight", &cfg.style_weight, "weight of the style loss");
    args_add_float(&args, "identity-weight", &cfg.identity_weight, "weight of the identity pairs' pixel loss");
    args_add_int(&args, "identity-pairs", &n_identity, "identity pairs (style = content) per batch");
    int bilinear = 0;
    args_add_bool(&args, "bilinear", &bilinear, "the decoder upsamples bilinearly, not by nearest neighbour (the paper's)");
    args_add_bool(&args, "no-centre", &no_centre, "calibration only rescales (no bias shift)");
    args_add_float(&args, "calib-open", &calib_open, "calibration: pre-activations above mean - this x std pass the ReLU");
    args_add_int_range(&args, "calib", &calib, 2, INT_MAX, "calibration images (half content, half style)");
    args_add_bool(&args, "autoencoder", &autoencoder, "alpha 0: train to reconstruct the content");
    args_add_int_range(&args, "sample-every", &sample_every, 1, INT_MAX, "steps between grids, evaluations, checkpoints");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;
    Error err;
    if (crop % 8 || args.batch < 1 || n_identity < 0 || n_identity > args.batch || decay < 0 || decay > 1)
        return args_usage_error(&args, "--crop: a multiple of 8; --batch positive; --identity-pairs "
                                "0 to --batch; --decay 0 to 1");
    cfg.lr = args.lr;
    cfg.bilinear = bilinear;
    Lesson l = {.B = args.batch, .S = crop, .autoencoder = autoencoder, .n_identity = n_identity,
               .lr = args.lr, .decay = decay, .warmup = warmup};
    if (adain_load_splits(&l.ctrain, &l.ctest, content, 2 * crop, &err) != 0 ||
        adain_load_splits(&l.strain, &l.stest, style, 2 * crop, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    l.eval_c = eval_c < l.ctest.n ? eval_c : l.ctest.n;
    l.eval_s = eval_s < l.stest.n ? eval_s : l.stest.n;
    if (l.ctest.n < GRID_N || l.stest.n < GRID_N) {
        fprintf(stderr, "%s, %s: expected at least %d held-out images in each test/\n", content,
                style, GRID_N);
        return 1;
    }
    adain_init(&l.net, &cfg, (uint64_t)args.seed);
    char enc_path[OUTPUTS_PATH_LEN];
    snprintf(enc_path, sizeof enc_path, "%s/encoder.bin", args.out);
    // a resumed run takes its own encoder back (a calibration on another
    // thread count could differ in the last bits, and so in its hash)
    const char *source = *encoder ? encoder : args.resume ? enc_path : NULL;
    l.net.calib_open = calib_open;
    if (adain_setup_encoder(&l.net, source, &l.ctrain, &l.strain, calib, crop, !no_centre, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("data: %d + %d content images, %d + %d style images (train + held out), %dx%d crops\n",
           l.ctrain.n, l.ctest.n, l.strain.n, l.stest.n, crop, crop);
    printf("encoder: %s, width %d, %ld weights, hash %016llx; decoder %ld weights\n",
           source ? source : "random VGG-19 to relu4_1, calibrated", l.net.cfg.width,
           l.net.ps_enc.size, (unsigned long long)l.net.enc_hash, l.net.ps_dec.size);
    printf("loss: content + %g x style + %g x identity (%d identity pairs a batch)%s; batch %d, "
           "Adam lr %g\n", l.net.cfg.style_weight, l.net.cfg.identity_weight,
           autoencoder ? l.B : n_identity, autoencoder ? " (autoencoder: style = content)" : "",
           l.B, l.net.cfg.lr);
    rng_seed(&l.rng, (uint64_t)args.seed + 7);
    long img = 3L * crop * crop;
    l.cb = malloc(sizeof(float) * img * l.B), l.sb = malloc(sizeof(float) * img * l.B);
    l.ec = adain_centre_crops(&l.ctest, crop), l.es = adain_centre_crops(&l.stest, crop);
    if (!l.cb || !l.sb || !l.ec || !l.es) {
        fprintf(stderr, "07_adain: out of memory for the batches and the held-out crops\n");
        return 1;
    }

    char meta[CHECKPOINT_META_LEN];
    adain_meta(meta, sizeof meta, &l.net);
    long total = args.steps;
    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish, .log_columns = "loss,content,style,identity", .progress_labels = "L,Lc,Ls,Lid",
        .log_every = total >= 200 ? (int)(total / 100) : 1, .log_with_samples = 1,
        .sample_every = sample_every, .eval_every = sample_every,
        .checkpoint_every = sample_every, .images_per_step = l.B, .meta = meta,
        .resume_same_meta = 1,
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_network(&loop, "decoder", &l.net.ps_dec, &l.net.opt);
    train_add_rng(&loop, "crops", &l.rng);
    train_add_plot(&loop, "losses.png", "loss.csv", "content,style,identity",
                   "AdaIN: the content, style and identity losses (unweighted)", NULL);
    train_add_line_plot(&loop, "eval.png", "eval.csv", "step", "style_out,style_content,style_colour",
                        "held-out style loss: output, content image, colour transfer", "style loss", 0);
    int rc = train_main(&loop);

    free(l.cb), free(l.sb), free(l.ec), free(l.es);
    adain_free(&l.net);
    AdainImages *sets[4] = {&l.ctrain, &l.ctest, &l.strain, &l.stest};
    for (int i = 0; i < 4; i++) adain_images_free(sets[i]);
    return rc;
}
