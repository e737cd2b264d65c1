// main.c - lesson 05's program: Pix2Pix on sketch -> colour emoji pairs,
// trained with YOUR forward passes, losses and training step
// (pix2pix_exercises.c). With an unfinished exercise it stops and names it.
//
// Three modes:
//   training (default)   pairs from --data/train; every --sample-every steps
//                        and at the end an input | output | target strip of
//                        fixed validation pairs, validation numbers in val.csv;
//                        loss.csv, losses.png, d_outputs.png, checkpoint.bin,
//                        and metrics.txt (the whole validation split) at the end.
//   --infer              colours one PNG or a folder of PNGs with a checkpoint,
//                        rebuilding the network its metadata describes.
//   --compare A,B,...    several checkpoints on the same pairs: one strip per
//                        pair (input | output of each | target) and the table
//                        of validation L1, PSNR, sharpness, fill sharpness
//                        and colour (p2p_metrics.h).
//
//     make run LESSON=05                                   (your code)
//     make run LESSON=05 SOLUTIONS=1                       (the reference)
//     make run LESSON=05 ARGS="--loss l1 --name l1"        (the ablation)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "checkpoint.h"
#include "csvlog.h"
#include "dataset.h"
#include "gemm.h"
#include "image.h"
#include "p2p_metrics.h"
#include "paired.h"
#include "pix2pix.h"
#include "plot.h"
#include "progress.h"
#include "run.h"
#include "train_guard.h"

#define PATH_LEN 1200
#define MAX_COMPARE 6
#define LOSS_HEADER "step,loss_d,loss_g,g_gan,g_l1,d_real,d_fake"
#define VAL_HEADER "step,val_l1,val_psnr,val_sharpness,val_fill_sharpness,val_colour"

// The flags of all three modes.
typedef struct {
    const char *data, *direction, *loss, *net_g;
    float lambda;
    int load_size, crop, no_flip;
    int sample_every, strip_count, val_count;
    int infer, batch_stats;
    const char *input, *output, *checkpoint, *compare, *labels;
} Flags;

// ---------------------------------------------------------------- pictures and numbers

// Rows of  input | output(s) | target  for n pairs; xs (n, CX, H, W),
// outs: n_out arrays (n, CY, H, W), ys (n, CY, H, W) or NULL. Gray inputs are
// drawn in colour (three equal channels) so that every cell is RGB.
static int write_strip(const char *path, const float *xs, int cx, float *const *outs, int n_out,
                       const float *ys, int n, int h, int w, Error *err) {
    int cols = 1 + n_out + (ys != NULL);
    long cell = 3L * h * w;
    float *cells = malloc(sizeof(float) * cell * cols * n);
    for (int i = 0; i < n; i++) {
        float *row = cells + (long)i * cols * cell;
        for (int k = 0; k < 3; k++)
            memcpy(row + (long)k * h * w, xs + ((long)i * cx + (cx == 3 ? k : 0)) * h * w,
                   sizeof(float) * h * w);
        for (int j = 0; j < n_out; j++) memcpy(row + (1 + j) * cell, outs[j] + i * cell,
                                               sizeof(float) * cell);
        if (ys) memcpy(row + (cols - 1) * cell, ys + i * cell, sizeof(float) * cell);
    }
    int rc = image_write_grid(path, cells, cols * n, 3, h, w, cols, err);
    free(cells);
    return rc;
}

// G's outputs for every pair of a set, and the numbers of the table.
static void evaluate(P2p *p, P2pMetrics *m, float *out_buf, const PairedSet *set, int count) {
    enum { CHUNK = 8 };
    int h = set->h, w = set->w, cx = set->c_x, cy = set->c_y;
    float *x = malloc(sizeof(float) * CHUNK * cx * h * w);
    float *y = malloc(sizeof(float) * CHUNK * cy * h * w);
    float *out = out_buf ? NULL : malloc(sizeof(float) * CHUNK * cy * h * w);
    p2p_metrics_init(m);
    int n = count < set->n ? count : set->n;
    for (int i = 0; i < n; i += CHUNK) {
        int b = n - i < CHUNK ? n - i : CHUNK;
        for (int k = 0; k < b; k++)
            // evenly spread over the set, so a partial evaluation sees every category
            paired_get(x + (long)k * cx * h * w, y + (long)k * cy * h * w, set,
                       (int)((long)(i + k) * set->n / n), 0, 0, h, w, 0);
        float *o = out_buf ? out_buf + (long)i * cy * h * w : out;
        p2p_generate(p, o, x, b, h, w);
        p2p_metrics_add(m, o, y, x, cx, b, cy, h, w);
    }
    free(x);
    free(y);
    free(out);
}

// ---------------------------------------------------------------- training

// The fixed validation pairs of the strips: these emoji of the course's
// validation split when they are there (colourful, and drawn in every style),
// then pairs spread evenly over the set (any other data set).
static void strip_pairs(float *xs, float *ys, const PairedSet *val, int n) {
    static const char *PICKS[] = {"smiley.png", "fox_face.png", "green_apple.png", "tulip.png",
                                  "christmas_tree.png", "orange_heart.png", "duck.png",
                                  "star.png"};
    int h = val->h, w = val->w, got = 0;
    for (size_t k = 0; k < sizeof PICKS / sizeof PICKS[0] && got < n; k++)
        for (int i = 0; i < val->n; i++)
            if (strcmp(val->names[i], PICKS[k]) == 0) {
                paired_get(xs + (long)got * val->c_x * h * w, ys + (long)got * val->c_y * h * w,
                           val, i, 0, 0, h, w, 0);
                got++;
                break;
            }
    int rest = n - got;
    for (int i = 0; i < rest; i++, got++)
        paired_get(xs + (long)got * val->c_x * h * w, ys + (long)got * val->c_y * h * w, val,
                   (int)((long)i * val->n / rest), 0, 0, h, w, 0);
}

static void plot_curves(const char *dir, const char *csv, P2pLoss loss, Outputs *w) {
    char png[PATH_LEN];
    Error err;
    snprintf(png, sizeof png, "%s/losses.png", dir);
    const char *cols = loss == P2P_LOSS_L1 ? "g_l1" : "g_gan,g_l1,loss_d";
    if (plot_loss_curves(png, csv, cols, "pix2pix: G's GAN term, G's L1 term (unweighted), D",
                         NULL, &err) == 0)
        outputs_add(w, png);
    else
        fprintf(stderr, "no loss plot: %s\n", err.msg);
    if (loss == P2P_LOSS_L1) return;
    snprintf(png, sizeof png, "%s/d_outputs.png", dir);
    if (plot_loss_curves(png, csv, "d_real,d_fake",
                         "mean D(x, y) (d_real) and D(x, G(x)) (d_fake) over the patches",
                         "D output", &err) == 0)
        outputs_add(w, png);
    else
        fprintf(stderr, "no D-output plot: %s\n", err.msg);
}

static int load_split(PairedSet *set, const Flags *f, const char *split, int size, Error *err) {
    char dir[PATH_LEN];
    PairedDirection direction;
    snprintf(dir, sizeof dir, "%s/%s", f->data, split);
    if (paired_parse_direction(&direction, f->direction, err) != 0) return -1;
    if (paired_load(set, dir, direction, 3, 3, size, size, err) != 0) {
        if (strstr(f->data, "datasets/emoji"))
            fprintf(stderr, "The emoji pairs are made by `make datasets` "
                            "(`make run LESSON=05` runs it when they are missing).\n");
        return -1;
    }
    return 0;
}

static int train(const Args *args, const Flags *f, const P2pConfig *cfg, Outputs *w, Error *err) {
    char path[PATH_LEN], ckpt[PATH_LEN], csv[PATH_LEN], val_csv[PATH_LEN];
    int S = f->crop, B = args->batch;
    if (paired_check_fits(S, S, cfg->g.depth, err) != 0) return -1;
    if (f->load_size < S) return error_set(err, "--load-size %d is below --crop %d", f->load_size, S);

    PairedSet train_set, val_set;
    printf("data: %s (%s)\n", f->data, f->direction);
    if (load_split(&train_set, f, "train", f->load_size, err) != 0) return -1;
    if (load_split(&val_set, f, "val", S, err) != 0) {
        paired_free(&train_set);
        return -1;
    }
    printf("data: %d training pairs (loaded at %d, random %dx%d crops%s), %d validation pairs\n",
           train_set.n, f->load_size, S, S, f->no_flip ? "" : " and flips", val_set.n);

    P2p p;
    p2p_init(&p, cfg, (uint64_t)args->seed);
    PairedBatcher batches;
    int rc = -1;
    float *x = malloc(sizeof(float) * B * 3 * S * S), *y = malloc(sizeof(float) * B * 3 * S * S);
    int n_strip = f->strip_count;
    float *sx = malloc(sizeof(float) * n_strip * 3 * S * S);
    float *sy = malloc(sizeof(float) * n_strip * 3 * S * S);
    float *so = malloc(sizeof(float) * n_strip * 3 * S * S);
    strip_pairs(sx, sy, &val_set, n_strip);
    if (paired_batcher_init(&batches, &train_set, B, 1, S, S, !f->no_flip, err) != 0) goto done;

    long step = 0;
    int epoch = 0;
    CheckpointModel models[2] = {{"G", &p.ps_g, &p.opt_g}, {"D", &p.ps_d, &p.opt_d}};
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", args->out);
    if (args->resume) {
        CheckpointInfo info;
        char want[CHECKPOINT_META_LEN];
        if (checkpoint_load(ckpt, models, 2, &info, &p.rng, err) != 0) goto done_batches;
        p2p_config_to_meta(want, sizeof want, cfg);
        if (strcmp(want, info.meta) != 0) {
            P2pConfig was;
            if (p2p_config_from_meta(&was, info.meta, err) == 0)
                error_set(err, "%s was trained with --netG %s --loss %s --lambda %g: resume "
                               "with the same flags", ckpt, was.g.no_skips ? "encdec" : "unet",
                          p2p_loss_name(was.loss), was.lambda);
            goto done_batches;
        }
        step = info.step;
        epoch = info.epoch;
        printf("resumed at step %ld from %s\n", step, ckpt);
    }
    long total = args->steps > 0 ? args->steps
                                 : (long)args->epochs * (train_set.n / B);
    TrainGuard guard;
    guard_init(&guard, ckpt, args->resume ? step : -1);
    if (guard_check_output(args->out, guard_checkpoint_bytes(models, 2), err) != 0)
        goto done_batches;
    CsvLog log, val_log;
    snprintf(csv, sizeof csv, "%s/loss.csv", args->out);
    snprintf(val_csv, sizeof val_csv, "%s/val.csv", args->out);
    if (csvlog_open(&log, csv, LOSS_HEADER, args->resume ? step : -1, err) != 0) goto done_batches;
    if (csvlog_open(&val_log, val_csv, VAL_HEADER, args->resume ? step : -1, err) != 0) {
        csvlog_close(&log);
        goto done_batches;
    }

    P2pConv convs[PATCHGAN_MAX_LAYERS + 2];
    P2pField field = p2p_receptive_field(convs, p2p_patchgan_convs(convs, &cfg->d));
    int patches = S / (1 << cfg->d.n_layers) - 2;
    printf("G: %s, ngf %d, depth %d, %ld parameters\n", cfg->g.no_skips ? "encoder-decoder" : "U-Net",
           cfg->g.ngf, cfg->g.depth, p.ps_g.size);
    if (cfg->loss != P2P_LOSS_L1)
        printf("D: PatchGAN, ndf %d, %d layers, %ld parameters: %dx%d logits, each seeing a "
               "%dx%d window (%d px apart, the first starting at %d)\n", cfg->d.ndf,
               cfg->d.n_layers, p.ps_d.size, patches, patches, field.size, field.size, field.jump,
               field.start);
    printf("loss: %s, lambda %g; batch %d, Adam lr %g; %ld steps (%.2f epochs), %d thread%s\n",
           p2p_loss_name(cfg->loss), cfg->lambda, B, cfg->lr, total,
           (double)total * B / train_set.n, compute_threads(), compute_threads() == 1 ? "" : "s");

    // about 100 rows whatever the length: enough for the curves' moving average
    long log_every = total >= 200 ? total / 100 : 1;
    Progress prog;
    progress_init(&prog, stderr, step, total, B, 10.0);
    double t0 = progress_now();
    while (step < total) {
        if (paired_batcher_next(&batches, x, y, &p.rng) == 0) {   // an epoch ended
            epoch++;
            paired_batcher_next(&batches, x, y, &p.rng);
        }
        P2pStats st;
        p2p_train_step(&p, &st, x, y, B, S, S);
        step++;
        // the updates are inside the step (your exercise): a NaN has reached
        // the weights already, so stop and point at the last good checkpoint
        if (guard_check_loss(&guard, "loss_g", st.loss_g, step, err) != 0 ||
            guard_check_loss(&guard, "loss_d", st.loss_d, step, err) != 0) {
            progress_done(&prog);
            goto done_logs;
        }
        csvlog_add(&log, (double[]){st.loss_d, st.loss_g, st.g_gan, st.g_l1, st.d_real,
                                    st.d_fake});
        if (cfg->loss == P2P_LOSS_L1)
            progress_update(&prog, step, "L1 %.3f", st.g_l1);
        else
            progress_update(&prog, step, "D %.3f  G %.2f = GAN %.3f + %g x L1 %.3f  D(x,y) %.2f  "
                            "D(x,G(x)) %.2f", st.loss_d, st.loss_g, st.g_gan, cfg->lambda, st.g_l1,
                            st.d_real, st.d_fake);
        if (step % log_every == 0 && csvlog_write_means(&log, step, err) != 0) goto done_logs;
        if (step % f->sample_every == 0 || step == total) {
            progress_done(&prog);
            if (csvlog_write_means(&log, step, err) != 0) goto done_logs;
            P2pMetrics m;
            evaluate(&p, &m, NULL, &val_set, f->val_count);
            printf("step %ld (%.0f s): validation (%d pairs) L1 %.4f  PSNR %.2f dB  sharpness "
                   "%.2f  fill sharpness %.2f  colour %.2f\n", step, progress_now() - t0, m.images,
                   p2p_metrics_l1(&m), p2p_metrics_psnr(&m), p2p_metrics_sharpness(&m),
                   p2p_metrics_fill_sharpness(&m), p2p_metrics_colour(&m));
            if (csvlog_write(&val_log, (double[]){step, p2p_metrics_l1(&m), p2p_metrics_psnr(&m),
                                                  p2p_metrics_sharpness(&m),
                                                  p2p_metrics_fill_sharpness(&m),
                                                  p2p_metrics_colour(&m)}, err) != 0)
                goto done_logs;
            p2p_generate(&p, so, sx, n_strip, S, S);
            snprintf(path, sizeof path, "%s/val_step%05ld.png", args->out, step);
            if (write_strip(path, sx, 3, &so, 1, sy, n_strip, S, S, err) != 0) goto done_logs;
            outputs_add(w, path);
            CheckpointInfo info = {.step = step, .epoch = epoch};
            p2p_config_to_meta(info.meta, sizeof info.meta, cfg);
            if (checkpoint_save(ckpt, models, 2, &info, &p.rng, err) != 0) goto done_logs;
            guard_saved(&guard, step);
            plot_curves(args->out, csv, cfg->loss, w);
        }
    }
    progress_done(&prog);
    printf("training: %ld steps in %.0f s\n", step, progress_now() - t0);

    // The whole validation split, for the ablation table.
    P2pMetrics m;
    evaluate(&p, &m, NULL, &val_set, val_set.n);
    snprintf(path, sizeof path, "%s/metrics.txt", args->out);
    FILE *mf = fopen(path, "w");
    if (!mf) {
        error_set(err, "%s: cannot write: %s", path, strerror(errno));
        goto done_logs;
    }
    fprintf(mf, "loss %s\nnetG %s\nsteps %ld\nval_pairs %d\nval_l1 %.4f\nval_psnr %.2f\n"
                "val_sharpness %.3f\nval_fill_sharpness %.3f\nval_colour %.3f\n",
            p2p_loss_name(cfg->loss), cfg->g.no_skips ? "encdec" : "unet", step, m.images,
            p2p_metrics_l1(&m), p2p_metrics_psnr(&m), p2p_metrics_sharpness(&m),
            p2p_metrics_fill_sharpness(&m), p2p_metrics_colour(&m));
    fclose(mf);
    printf("validation, all %d pairs: L1 %.4f  PSNR %.2f dB  sharpness %.3f  fill sharpness %.3f  "
           "colour %.3f\n", m.images, p2p_metrics_l1(&m), p2p_metrics_psnr(&m),
           p2p_metrics_sharpness(&m), p2p_metrics_fill_sharpness(&m), p2p_metrics_colour(&m));
    outputs_add(w, csv);
    outputs_add(w, val_csv);
    outputs_add(w, path);
    outputs_add(w, ckpt);
    rc = 0;

done_logs:
    csvlog_close(&log);
    csvlog_close(&val_log);
done_batches:
    paired_batcher_free(&batches);
done:
    free(x);
    free(y);
    free(sx);
    free(sy);
    free(so);
    p2p_free(&p);
    paired_free(&train_set);
    paired_free(&val_set);
    return rc;
}

// ---------------------------------------------------------------- using a trained model

// Builds the network a checkpoint describes and loads it.
static int load_model(P2p *p, const char *path, int batch_stats, Error *err) {
    CheckpointInfo info;
    P2pConfig cfg;
    if (checkpoint_read_info(path, &info, err) != 0) return -1;
    if (p2p_config_from_meta(&cfg, info.meta, err) != 0) {
        char msg[ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return error_set(err, "%s: %s", path, msg);
    }
    p2p_init(p, &cfg, 1);
    CheckpointModel models[2] = {{"G", &p->ps_g, NULL}, {"D", &p->ps_d, NULL}};
    if (checkpoint_load(path, models, 2, NULL, NULL, err) != 0) {
        p2p_free(p);
        return -1;
    }
    p->test_batch_stats = batch_stats;
    printf("%s: %s, trained %ld steps (%s)%s\n", path,
           cfg.g.no_skips ? "encoder-decoder" : "U-Net", info.step, info.meta,
           batch_stats ? "; batch statistics and dropout" : "");
    return 0;
}

static int is_dir(const char *path) {
    struct stat s;
    return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

// One image in, one image out: the size must fit the U-Net's rule.
static int infer_one(P2p *p, const char *in, const char *out, Error *err) {
    float *img;
    int c, h, w;
    if (image_read_png(&img, &c, &h, &w, in, p->cfg.g.in_ch, err) != 0) return -1;
    if (paired_check_fits(h, w, p->cfg.g.depth, err) != 0) {
        char msg[ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        free(img);
        return error_set(err, "%s: %s", in, msg);
    }
    float *y = malloc(sizeof(float) * p->cfg.g.out_ch * h * w);
    p2p_generate(p, y, img, 1, h, w);
    int rc = image_write_png(out, y, p->cfg.g.out_ch, h, w, err);
    free(img);
    free(y);
    return rc;
}

// Every PNG of a folder into a folder of the same names.
static int infer_folder(P2p *p, const char *in_dir, const char *out_dir, Error *err) {
    char **names;
    int n;
    if (dataset_list_pngs(&names, &n, in_dir, err) != 0) return -1;
    int rc = run_mkdir(out_dir, err);
    for (int i = 0; i < n && rc == 0; i++) {
        char in[PATH_LEN], out[PATH_LEN];
        snprintf(in, sizeof in, "%s/%s", in_dir, names[i]);
        snprintf(out, sizeof out, "%s/%s", out_dir, names[i]);
        rc = infer_one(p, in, out, err);
    }
    if (rc == 0) printf("coloured %d images\n", n);
    dataset_free_names(names, n);
    return rc;
}

static int infer(const Flags *f, Outputs *w, Error *err) {
    if (!f->input || !f->output || !f->checkpoint)
        return error_set(err, "--infer needs --input (a PNG or a folder), --output and --checkpoint");
    P2p p;
    if (load_model(&p, f->checkpoint, f->batch_stats, err) != 0) return -1;
    int rc = is_dir(f->input) ? infer_folder(&p, f->input, f->output, err)
                              : infer_one(&p, f->input, f->output, err);
    if (rc == 0) outputs_add(w, f->output);
    p2p_free(&p);
    return rc;
}

// Several checkpoints on the same pairs: the strips and the table.
static int compare(const Flags *f, Outputs *w, Error *err) {
    if (!f->input || !f->output)
        return error_set(err, "--compare needs --input (a folder of A|B pairs) and --output (a PNG)");
    char list[1024], *names[MAX_COMPARE], labels_buf[1024], *labels[MAX_COMPARE];
    snprintf(list, sizeof list, "%s", f->compare);
    snprintf(labels_buf, sizeof labels_buf, "%s", f->labels ? f->labels : f->compare);
    int n = 0, nl = 0;
    for (char *s = strtok(list, ","); s && n < MAX_COMPARE; s = strtok(NULL, ",")) names[n++] = s;
    for (char *s = strtok(labels_buf, ","); s && nl < MAX_COMPARE; s = strtok(NULL, ","))
        labels[nl++] = s;
    if (nl != n) return error_set(err, "--labels: %d labels for %d checkpoints", nl, n);

    PairedSet set;
    PairedDirection direction;
    if (paired_parse_direction(&direction, f->direction, err) != 0 ||
        paired_load(&set, f->input, direction, 3, 3, 0, 0, err) != 0)
        return -1;
    int h = set.h, wd = set.w, ns = f->strip_count < set.n ? f->strip_count : set.n;
    float *outs[MAX_COMPARE] = {0}, *full = malloc(sizeof(float) * set.n * 3 * h * wd);
    float *sx = malloc(sizeof(float) * ns * 3 * h * wd), *sy = malloc(sizeof(float) * ns * 3 * h * wd);
    strip_pairs(sx, sy, &set, ns);
    int rc = 0;
    P2pMetrics m[MAX_COMPARE];
    for (int k = 0; k < n && rc == 0; k++) {
        P2p p;
        if ((rc = load_model(&p, names[k], f->batch_stats, err)) != 0) break;
        if ((rc = paired_check_fits(h, wd, p.cfg.g.depth, err)) != 0) {
            p2p_free(&p);
            break;
        }
        evaluate(&p, &m[k], full, &set, set.n);
        outs[k] = malloc(sizeof(float) * ns * 3 * h * wd);
        p2p_generate(&p, outs[k], sx, ns, h, wd);
        p2p_free(&p);
    }
    if (rc == 0) {
        printf("\n| model | val L1 | PSNR (dB) | sharpness | fill sharpness | colour |\n"
               "|---|---:|---:|---:|---:|---:|\n");
        for (int k = 0; k < n; k++)
            printf("| %s | %.4f | %.2f | %.3f | %.3f | %.3f |\n", labels[k], p2p_metrics_l1(&m[k]),
                   p2p_metrics_psnr(&m[k]), p2p_metrics_sharpness(&m[k]),
                   p2p_metrics_fill_sharpness(&m[k]), p2p_metrics_colour(&m[k]));
        printf("(%d pairs from %s; fills: %.0f%% of the pixels; strips: %d pairs, columns "
               "input | %s | target)\n", set.n, f->input,
               n ? 100.0 * m[0].fill_pixels / m[0].values : 0.0, ns,
               f->labels ? f->labels : f->compare);
        rc = write_strip(f->output, sx, 3, outs, n, sy, ns, h, wd, err);
        if (rc == 0) outputs_add(w, f->output);
    }
    for (int k = 0; k < n; k++) free(outs[k]);
    free(full);
    free(sx);
    free(sy);
    paired_free(&set);
    return rc;
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "05_pix2pix", "Pix2Pix: I sketch, you colour");
    // 2000 steps (5.3 epochs): at 300 the strips' greens and pinks still come
    // out orange or blue; 2000 is what fits in under 10 minutes on an idle
    // 2-core machine (about 0.23 s a step, README section 8).
    args.steps = 2000;
    args.batch = 8;
    args.lr = 2e-4f;
    // Every core: the U-Net's convolutions keep two threads busy (0.23 s a
    // step against 0.43 s on one). On a machine busy with other jobs use
    // --threads 1 (README, section 8): a thread waiting for a taken core
    // stalls every convolution.
    args.threads = 0;
    Flags f = {.data = "datasets/emoji/sketch2google", .direction = "AtoB", .loss = "l1+cgan",
               .net_g = "unet", .lambda = 100.0f, .load_size = 72, .crop = 64,
               .sample_every = 200, .strip_count = 8, .val_count = 64};
    args_add_string(&args, "data", &f.data, "folder with train/ and val/ of A|B pair PNGs");
    args_add_choice(&args, "direction", &f.direction, "AtoB|BtoA", "which half is G's input");
    args_add_choice(&args, "loss", &f.loss, "l1|cgan|l1+cgan", "G's loss (the ablation)");
    args_add_choice(&args, "netG", &f.net_g, "unet|encdec", "U-Net, or the encoder-decoder");
    args_add_float(&args, "lambda", &f.lambda, "weight of the L1 term");
    args_add_int(&args, "load-size", &f.load_size, "training pairs are resized to this ...");
    args_add_int(&args, "crop", &f.crop, "... then randomly cropped to this (a multiple of 2^6)");
    args_add_bool(&args, "no-flip", &f.no_flip, "no random left-right flips");
    args_add_int(&args, "sample-every", &f.sample_every, "steps between strips and checkpoints");
    args_add_int(&args, "strip-count", &f.strip_count, "validation pairs in each strip");
    args_add_int(&args, "val-count", &f.val_count, "validation pairs scored during training");
    args_add_bool(&args, "infer", &f.infer, "colour --input with --checkpoint into --output");
    args_add_string(&args, "input", &f.input, "--infer: a PNG or a folder; --compare: pairs");
    args_add_string(&args, "output", &f.output, "--infer: a PNG or a folder; --compare: a PNG");
    args_add_string(&args, "checkpoint", &f.checkpoint, "--infer: the trained model");
    args_add_string(&args, "compare", &f.compare, "checkpoints, comma-separated (at most 6)");
    args_add_string(&args, "labels", &f.labels, "--compare: their names, comma-separated");
    args_add_bool(&args, "batch-stats", &f.batch_stats,
                  "--infer, --compare: batch statistics and dropout (the paper's test mode)");

    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (f.sample_every < 1 || f.strip_count < 1 || f.val_count < 1 || !(f.lambda >= 0.0f))
        return args_usage_error(&args, "--sample-every, --strip-count and --val-count must be "
                                "positive, --lambda at least 0");

    Outputs out;
    Error err;
    int rc;
    if (f.infer || f.compare) {   // a trained model: no run folder, no config.txt
        outputs_init(&out);
        compute_set_threads(args.threads);
        rc = f.infer ? infer(&f, &out, &err) : compare(&f, &out, &err);
    } else {
        P2pConfig cfg = p2p_default_config();
        cfg.loss = (P2pLoss)p2p_parse_loss(f.loss);
        cfg.g.no_skips = strcmp(f.net_g, "encdec") == 0;
        cfg.lambda = f.lambda;
        cfg.lr = args.lr;
        rc = run_start(&out, &args, &err);
        if (rc == 0) rc = train(&args, &f, &cfg, &out, &err);
    }
    return run_end(&out, rc, &err);
}
