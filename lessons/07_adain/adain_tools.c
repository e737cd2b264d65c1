// adain_tools.c - grids, the alpha row, the evaluation line, and loading a
// trained decoder with its encoder.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adain_tools.h"
#include "checkpoint.h"
#include "image.h"

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

int adain_load_trained(AdainNet *n, const char *checkpoint, const char *encoder_path, Error *err) {
    CheckpointInfo info;
    if (checkpoint_read_info(checkpoint, &info, err) != 0) return -1;
    AdainConfig cfg = adain_default_config();
    adain_init(n, &cfg, 0);
    if (adain_encoder_load(n, encoder_path, err) != 0 ||
        adain_check_meta(n, info.meta, checkpoint, err) != 0)
        return -1;
    CheckpointModel m = {.name = "decoder", .params = &n->ps_dec, .opt = NULL};
    return checkpoint_load_networks(checkpoint, &m, 1, NULL, err);
}
