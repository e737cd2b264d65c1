// adain_tools.c - grids, the alpha row, the evaluation line, and loading a
// trained decoder with its encoder.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adain_tools.h"
#include "train/checkpoint.h"
#include "data/image.h"

int adain_write_grid(AdainNet *n, const char *path, const float *contents, int nc,
                     const float *styles, int ns, int S, float alpha, Error *err) {
    long img = 3L * S * S;
    int cols = ns + 1, cells = (nc + 1) * cols;
    float *all = malloc(sizeof(float) * img * cells);
    for (long k = 0; k < img; k++) all[k] = 1.0f;   // the corner stays white
    memcpy(all + img, styles, sizeof(float) * img * ns);
    for (int i = 0; i < nc; i++) {
        float *row = all + (long)(i + 1) * cols * img;
        memcpy(row, contents + i * img, sizeof(float) * img);
        for (int j = 0; j < ns; j++) {
            const float *s = styles + j * img;
            adain_stylize(n, row + (j + 1) * img, contents + i * img, S, S, &s, (int[]){S},
                          (int[]){S}, (float[]){1}, 1, alpha);
        }
    }
    int rc = image_write_grid(path, all, cells, 3, S, S, cols, err);
    free(all);
    return rc;
}

int adain_write_alpha_row(AdainNet *n, const char *path, const float *content,
                          const float *style, int S, int k, Error *err) {
    long img = 3L * S * S;
    float *all = malloc(sizeof(float) * img * (k + 2));
    memcpy(all, content, sizeof(float) * img);
    for (int i = 0; i < k; i++)
        adain_stylize(n, all + (i + 1) * img, content, S, S, &style, (int[]){S}, (int[]){S},
                      (float[]){1}, 1, k > 1 ? (float)i / (float)(k - 1) : 1.0f);
    memcpy(all + (k + 1) * img, style, sizeof(float) * img);
    int rc = image_write_grid(path, all, k + 2, 3, S, S, k + 2, err);
    free(all);
    return rc;
}

void adain_print_eval(const char *label, const AdainEval *e) {
    printf("%s (%d pairs): style loss output %.3f, content image %.3f, colour transfer %.3f | "
           "content loss output %.3f, colour transfer %.3f | structure output %.3f, colour "
           "transfer %.3f | alpha 0 PSNR %.2f dB\n", label, e->pairs, e->style_out,
           e->style_content, e->style_colour, e->content_out, e->content_colour, e->struct_out,
           e->struct_colour, e->psnr0);
}

#define ALPHAS 5   // the sweep: 0, 1/4, ..., 1

int adain_write_metrics(AdainNet *n, const char *path, AdainEval *at_one, const float *contents,
                        int nc_all, int nc, const float *styles, int ns_all, int ns, int S,
                        int batch, long steps, Error *err) {
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "%s: cannot write", path);
    for (int a = ALPHAS - 1; a >= 0; a--) {   // alpha 1 first: every held-out pair
        float alpha = (float)a / (ALPHAS - 1);
        AdainEval e;
        adain_evaluate(n, &e, contents, a == ALPHAS - 1 ? nc_all : nc, styles,
                       a == ALPHAS - 1 ? ns_all : ns, S, alpha);
        if (a == ALPHAS - 1) *at_one = e;
        char label[64];
        snprintf(label, sizeof label, "held out, alpha %.2f", alpha);
        adain_print_eval(label, &e);
        fprintf(f, "alpha %.2f pairs %d style_out %.4f style_content %.4f style_colour %.4f "
                "content_out %.4f content_content %.4f content_colour %.4f struct_out %.4f "
                "struct_colour %.4f psnr_alpha0 %.2f\n", alpha, e.pairs, e.style_out,
                e.style_content, e.style_colour, e.content_out, e.content_content,
                e.content_colour, e.struct_out, e.struct_colour, e.psnr0);
    }
    fprintf(f, "steps %ld width %d crop %d batch %d style_weight %g identity_weight %g lr %g "
            "encoder %016llx\n", steps, n->cfg.width, S, batch, n->cfg.style_weight,
            n->cfg.identity_weight, n->cfg.lr, (unsigned long long)n->enc_hash);
    if (fclose(f) != 0) return error_set(err, "%s: writing failed (disk full?)", path);
    return 0;
}

int adain_setup_encoder(AdainNet *n, const char *path, const AdainImages *contents,
                        const AdainImages *styles, int calib, int crop, int centre, Error *err) {
    if (path) return adain_encoder_load(n, path, err);
    long img = 3L * crop * crop;
    float *cal = malloc(sizeof(float) * img * calib);
    for (int i = 0; i < calib; i++) {
        const AdainImages *set = i % 2 ? styles : contents;
        adain_centre_crop(cal + i * img, set, (i / 2) % set->n, crop);
    }
    adain_calibrate(n, cal, calib, crop, centre);
    free(cal);
    return 0;
}

int adain_load_trained(AdainNet *n, const char *checkpoint, const char *encoder_path, Error *err) {
    CheckpointInfo info;
    if (checkpoint_read_info(checkpoint, &info, err) != 0) return -1;
    AdainConfig cfg = adain_default_config();
    adain_init(n, &cfg, 0);
    if (adain_encoder_load(n, encoder_path, err) != 0 ||
        adain_check_meta(n, info.meta, checkpoint, err) != 0)
        return -1;
    // the upsampling the decoder was trained with (older checkpoints do not
    // name it: nearest)
    n->cfg.bilinear = n->dec.cfg.bilinear = strstr(info.meta, " up=bilinear") != NULL;
    CheckpointModel m = {.name = "decoder", .params = &n->ps_dec, .opt = NULL};
    return checkpoint_load_networks(checkpoint, &m, 1, NULL, err);
}
