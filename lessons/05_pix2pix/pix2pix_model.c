// pix2pix_model.c - lesson 05's model: building, evaluation, the checkpoint's
// metadata. Nothing to write here; the exercises are in pix2pix_exercises.c.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pix2pix.h"

static const char *LOSS_NAMES[] = {"l1", "cgan", "l1+cgan"};

int l05_parse_loss(const char *text) {
    for (int i = 0; i < 3; i++)
        if (strcmp(text, LOSS_NAMES[i]) == 0) return i;
    return -1;
}

const char *l05_loss_name(L05Loss loss) {
    return LOSS_NAMES[loss];
}

L05Config l05_default_config(void) {
    return (L05Config){.g = unet_config_w2(), .d = patchgan_config_w2(),
                       .loss = L05_LOSS_L1_CGAN, .lambda = 100.0f,
                       .lr = 2e-4f, .beta1 = 0.5f, .beta2 = 0.999f};
}

int l05_pix2pix_init(L05Pix2pix *p, const L05Config *cfg, const Rng *rng, Error *err) {
    memset(p, 0, sizeof *p);
    if (cfg->d.in_ch != cfg->g.in_ch + cfg->g.out_ch)
        return error_set(err, "pix2pix: D sees concat(input, output), %d + %d channels; "
                              "the configuration gives D %d",
                         cfg->g.in_ch, cfg->g.out_ch, cfg->d.in_ch);
    p->cfg = *cfg;
    p->rng = *rng;
    paramset_init(&p->ps_g);
    paramset_init(&p->ps_d);
    unet_init(&p->g, &p->ps_g, "g", &cfg->g, &p->rng);
    patchgan_init(&p->d, &p->ps_d, "d", &cfg->d, &p->rng);
    optim_adam_init(&p->opt_g, &p->ps_g, cfg->lr, cfg->beta1, cfg->beta2, 1e-8f);
    optim_adam_init(&p->opt_d, &p->ps_d, cfg->lr, cfg->beta1, cfg->beta2, 1e-8f);
    tape_init(&p->tape);
    return 0;
}

void l05_pix2pix_free(L05Pix2pix *p) {
    tape_free(&p->tape);
    optim_free(&p->opt_g);
    optim_free(&p->opt_d);
    paramset_free(&p->ps_g);
    paramset_free(&p->ps_d);
}

float l05_mean_sigmoid(const Tensor *logits) {
    double s = 0.0;
    for (long i = 0; i < logits->size; i++) s += 1.0 / (1.0 + exp(-(double)logits->data[i]));
    return (float)(s / logits->size);
}

// Batches of 8 keep the tape's memory small whatever n is; in evaluation mode
// the batch size does not change the result (running statistics).
// test_batch_stats: the batch's own statistics and dropout (masks from p->rng).
void l05_generate(L05Pix2pix *p, float *out, const float *x, int n, int h, int w) {
    enum { CHUNK = 8 };
    int cx = p->cfg.g.in_ch, cy = p->cfg.g.out_ch;
    int was = tape_set_no_grad(&p->tape, 1);
    for (int i = 0; i < n; i += CHUNK) {
        int b = n - i < CHUNK ? n - i : CHUNK;
        tape_reset(&p->tape);
        Tensor *t = tape_tensor(&p->tape, 4, (int[]){b, cx, h, w}, 0);
        memcpy(t->data, x + (long)i * cx * h * w, sizeof(float) * t->size);
        Tensor *y = p->test_batch_stats ? l05_unet_forward(&p->g, &p->tape, t, 1, &p->rng)
                                        : l05_unet_forward(&p->g, &p->tape, t, 0, NULL);
        memcpy(out + (long)i * cy * h * w, y->data, sizeof(float) * y->size);
    }
    tape_reset(&p->tape);
    tape_set_no_grad(&p->tape, was);
}

void l05_config_to_meta(char *meta, int n, const L05Config *c) {
    snprintf(meta, n,
             "lesson05 netG=%s in=%d out=%d ngf=%d depth=%d n_dropout=%d dropout=%g "
             "ndf=%d n_layers=%d loss=%s lambda=%g",
             c->g.no_skips ? "encdec" : "unet", c->g.in_ch, c->g.out_ch, c->g.ngf, c->g.depth,
             c->g.n_dropout, c->g.dropout, c->d.ndf, c->d.n_layers, l05_loss_name(c->loss),
             c->lambda);
}

int l05_config_from_meta(L05Config *c, const char *meta, Error *err) {
    char net[16], loss[16];
    *c = l05_default_config();
    int got = sscanf(meta,
                     "lesson05 netG=%15s in=%d out=%d ngf=%d depth=%d n_dropout=%d dropout=%f "
                     "ndf=%d n_layers=%d loss=%15s lambda=%f",
                     net, &c->g.in_ch, &c->g.out_ch, &c->g.ngf, &c->g.depth, &c->g.n_dropout,
                     &c->g.dropout, &c->d.ndf, &c->d.n_layers, loss, &c->lambda);
    int kind = got == 11 ? l05_parse_loss(loss) : -1;
    if (kind < 0 || (strcmp(net, "unet") != 0 && strcmp(net, "encdec") != 0) ||
        c->g.depth < 2 || c->g.depth > UNET_MAX_DEPTH || c->d.n_layers < 1 ||
        c->d.n_layers > PATCHGAN_MAX_LAYERS)
        return error_set(err, "not a lesson 05 checkpoint (its metadata reads \"%.120s\")", meta);
    c->g.no_skips = strcmp(net, "encdec") == 0;
    c->d.in_ch = c->g.in_ch + c->g.out_ch;
    c->loss = (L05Loss)kind;
    return 0;
}

int l05_patchgan_convs(L05Conv *convs, const PatchGanConfig *cfg) {
    int L = cfg->n_layers;
    for (int i = 0; i <= L + 1; i++) convs[i] = (L05Conv){4, i < L ? 2 : 1, 1};
    return L + 2;
}
