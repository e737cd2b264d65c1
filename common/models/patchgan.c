// patchgan.c - the PatchGAN discriminator: a map of real/fake logits, one per patch.
#include "models/patchgan.h"

#include <stdio.h>
#include <string.h>

PatchGanConfig patchgan_config_w2(void) {
    return (PatchGanConfig){.in_ch = 6, .ndf = 32, .n_layers = 3, .norm = PATCHGAN_BATCHNORM};
}

PatchGanConfig patchgan_config_w3(void) {
    return (PatchGanConfig){.in_ch = 3, .ndf = 32, .n_layers = 3, .norm = PATCHGAN_INSTANCENORM};
}

static void check_config(const PatchGanConfig *c) {
    if (c->in_ch < 1 || c->ndf < 1 || c->n_layers < 1 || c->n_layers > PATCHGAN_MAX_LAYERS ||
        (c->norm != PATCHGAN_BATCHNORM && c->norm != PATCHGAN_INSTANCENORM))
        tensor_fail("patchgan: bad config (in %d, ndf %d, n_layers %d, norm %d): need "
                    "n_layers 1..%d", c->in_ch, c->ndf, c->n_layers, (int)c->norm,
                    PATCHGAN_MAX_LAYERS);
}

// Conv i of 0 .. L+1: its channels in and out, and its stride.
static void conv_shape(const PatchGanConfig *c, int i, int *ic, int *oc, int *stride) {
    int L = c->n_layers;
    *ic = i == 0 ? c->in_ch : c->ndf * (i - 1 < 3 ? 1 << (i - 1) : 8);
    *oc = i == L + 1 ? 1 : c->ndf * (i < 3 ? 1 << i : 8);
    *stride = i < L ? 2 : 1;
}

static int has_norm(const PatchGanConfig *c, int i) {
    return i > 0 && i <= c->n_layers;
}

void patchgan_init(PatchGan *m, ParamSet *ps, const char *name, const PatchGanConfig *cfg,
                   Rng *rng) {
    check_config(cfg);
    PatchGanConfig c = *cfg;   // cfg may be &m->cfg
    memset(m, 0, sizeof *m);   // the layers this config does not use stay NULL: layers.c checks
    m->cfg = c;
    char n[PARAM_NAME_LEN];
    for (int i = 0; i <= cfg->n_layers + 1; i++) {
        int ic, oc, stride, norm = has_norm(cfg, i);
        conv_shape(cfg, i, &ic, &oc, &stride);
        snprintf(n, sizeof n, "%s.conv%d", name, i);
        nn_conv2d_init(&m->conv[i], ps, n, ic, oc, 4, stride, 1, !norm, rng);
        if (!norm) continue;
        snprintf(n, sizeof n, "%s.norm%d", name, i);
        if (cfg->norm == PATCHGAN_BATCHNORM)
            nn_batchnorm2d_init(&m->bn[i], ps, n, oc, rng);
        else
            nn_instancenorm2d_init(&m->in[i], ps, n, oc, 1, rng);
    }
}

Tensor *patchgan_forward(PatchGan *m, Tape *tp, Tensor *x, int train) {
    const PatchGanConfig *c = &m->cfg;
    int L = c->n_layers;
    Tensor *h = x;
    for (int i = 0; i <= L; i++) {
        h = nn_conv2d_forward(tp, &m->conv[i], h);
        if (has_norm(c, i))
            h = c->norm == PATCHGAN_BATCHNORM ? nn_batchnorm2d_forward(tp, &m->bn[i], h, train)
                                              : nn_instancenorm2d_forward(tp, &m->in[i], h);
        h = tape_leaky_relu(tp, h, 0.2f);
    }
    return nn_conv2d_forward(tp, &m->conv[L + 1], h);
}

long patchgan_param_count(const PatchGanConfig *c) {
    long n = 0;
    for (int i = 0; i <= c->n_layers + 1; i++) {
        int ic, oc, stride;
        conv_shape(c, i, &ic, &oc, &stride);
        n += (long)ic * oc * 16 + (has_norm(c, i) ? 2 * oc : oc);   // norm gain/shift, or bias
    }
    return n;
}
