// adain_eval.c - the held-out measurements (adain_data.h's AdainEval), on the
// library's tape ops only: the instrument never runs on the code it measures.
// Only the stylisation itself (adain_stylize) runs the lesson's exercises.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adain_data.h"
#include "autograd/tape.h"

static Tensor *image_tensor(Tape *tp, const float *img, int S) {
    Tensor *x = tape_tensor(tp, 4, (int[]){1, 3, S, S}, 0);
    memcpy(x->data, img, sizeof(float) * x->size);
    return x;
}

// L_s of adain.h between two sets of the four levels.
static double style_loss(Tape *tp, Tensor *const a[VGG_LEVELS], Tensor *const b[VGG_LEVELS]) {
    double total = 0.0;
    for (int i = 0; i < VGG_LEVELS; i++) {
        Tensor *sa = tape_mean_std_hw(tp, a[i], ADAIN_EPS), *sb = tape_mean_std_hw(tp, b[i], ADAIN_EPS);
        total += tape_mse(tp, tensor_slice(tp, sa, 0, 1), tensor_slice(tp, sb, 0, 1))->data[0] +
                 tape_mse(tp, tensor_slice(tp, sa, 1, 1), tensor_slice(tp, sb, 1, 1))->data[0];
    }
    return total;
}

static double structure(Tape *tp, Tensor *a, Tensor *b) {
    return tape_mse(tp, tape_instancenorm(tp, a, NULL, NULL, ADAIN_EPS),
                    tape_instancenorm(tp, b, NULL, NULL, ADAIN_EPS))->data[0];
}

void adain_colour_transfer(float *out, const float *c, int ch, int cw, const float *s, int sh,
                           int sw) {
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *a = tape_tensor(&tp, 4, (int[]){1, 3, ch, cw}, 0);
    Tensor *b = tape_tensor(&tp, 4, (int[]){1, 3, sh, sw}, 0);
    memcpy(a->data, c, sizeof(float) * a->size);
    memcpy(b->data, s, sizeof(float) * b->size);
    Tensor *y = adain(&tp, a, b, ADAIN_EPS);
    for (long i = 0; i < y->size; i++) out[i] = fminf(1.0f, fmaxf(-1.0f, y->data[i]));
    tape_free(&tp);
}

void adain_evaluate(AdainNet *n, AdainEval *e, const float *contents, int nc,
                    const float *styles, int ns, int S, float alpha) {
    memset(e, 0, sizeof *e);
    long img = 3L * S * S;
    float *out = malloc(sizeof(float) * img), *ct = malloc(sizeof(float) * img);
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    double mse0 = 0.0;
    for (int i = 0; i < nc; i++) {
        const float *c = contents + i * img;
        const float *none[1] = {c};
        adain_stylize(n, out, c, S, S, none, (int[]){S}, (int[]){S}, (float[]){1}, 1, 0.0f);
        double se = 0.0;
        for (long k = 0; k < img; k++) se += ((double)out[k] - c[k]) * ((double)out[k] - c[k]);
        mse0 += se / (double)img;
        for (int j = 0; j < ns; j++) {
            const float *s = styles + j * img;
            adain_stylize(n, out, c, S, S, &s, (int[]){S}, (int[]){S}, (float[]){1}, 1, alpha);
            adain_colour_transfer(ct, c, S, S, s, S, S);
            tape_reset(&tp);
            Tensor *fs[VGG_LEVELS], *fc[VGG_LEVELS], *fo[VGG_LEVELS], *fk[VGG_LEVELS];
            vgg_encoder_forward(&n->enc, &tp, image_tensor(&tp, s, S), fs);
            vgg_encoder_forward(&n->enc, &tp, image_tensor(&tp, c, S), fc);
            vgg_encoder_forward(&n->enc, &tp, image_tensor(&tp, out, S), fo);
            vgg_encoder_forward(&n->enc, &tp, image_tensor(&tp, ct, S), fk);
            Tensor *t = adain(&tp, fc[3], fs[3], ADAIN_EPS);
            e->style_out += style_loss(&tp, fo, fs);
            e->style_content += style_loss(&tp, fc, fs);
            e->style_colour += style_loss(&tp, fk, fs);
            e->content_out += tape_mse(&tp, fo[3], t)->data[0];
            e->content_content += tape_mse(&tp, fc[3], t)->data[0];
            e->content_colour += tape_mse(&tp, fk[3], t)->data[0];
            e->struct_out += structure(&tp, fo[3], fc[3]);
            e->struct_colour += structure(&tp, fk[3], fc[3]);
        }
    }
    int p = nc * ns;
    e->pairs = p;
    double *sums[] = {&e->style_out, &e->style_content, &e->style_colour, &e->content_out,
                      &e->content_content, &e->content_colour, &e->struct_out, &e->struct_colour};
    for (int k = 0; k < 8; k++) *sums[k] /= p > 0 ? p : 1;
    // images in [-1, 1]: the peak-to-peak range is 2
    e->psnr0 = 10.0 * log10(4.0 / (mse0 / (nc > 0 ? nc : 1) + 1e-12));
    tape_free(&tp);
    free(out), free(ct);
}
