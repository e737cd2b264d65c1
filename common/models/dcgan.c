// dcgan.c - the DCGAN generator and discriminator.
#include "models/dcgan.h"

#include <stdarg.h>
#include <stdio.h>

DcganConfig dcgan_config_w1(void) {
    return (DcganConfig){.z_dim = 100, .img_ch = 1, .img_size = 28, .g_ch = 256, .d_ch = 64};
}

static void check_config(const DcganConfig *c) {
    if (c->z_dim < 1 || c->img_ch < 1 || c->img_size < 4 || c->img_size % 4 || c->g_ch < 2 ||
        c->g_ch % 2 || c->d_ch < 1)
        tensor_fail("dcgan: bad config (z %d, channels %d, size %d, g_ch %d, d_ch %d): "
                    "the size must be a multiple of 4 and g_ch even", c->z_dim, c->img_ch,
                    c->img_size, c->g_ch, c->d_ch);
}

// A parameter-name prefix made like printf's, e.g. "g.fc".
__attribute__((format(printf, 2, 3)))
static const char *layer_name(char buf[PARAM_NAME_LEN], const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, PARAM_NAME_LEN, fmt, ap);
    va_end(ap);
    return buf;
}

void dcgan_g_init(DcganG *g, ParamSet *ps, const char *name, const DcganConfig *cfg, Rng *rng) {
    check_config(cfg);
    g->cfg = *cfg;
    int S = cfg->img_size / 4, G = cfg->g_ch;
    char n[PARAM_NAME_LEN];
    nn_linear_init(&g->fc, ps, layer_name(n, "%s.fc", name), cfg->z_dim, G * S * S, 1, rng);
    nn_batchnorm2d_init(&g->bn0, ps, layer_name(n, "%s.bn0", name), G * S * S, rng);
    nn_conv_transpose2d_init(&g->up1, ps, layer_name(n, "%s.up1", name), G, G / 2,
                             4, 2, 1, 0, 0, rng);
    nn_batchnorm2d_init(&g->bn1, ps, layer_name(n, "%s.bn1", name), G / 2, rng);
    nn_conv_transpose2d_init(&g->up2, ps, layer_name(n, "%s.up2", name), G / 2,
                             cfg->img_ch, 4, 2, 1, 0, 1, rng);
}

void dcgan_d_init(DcganD *d, ParamSet *ps, const char *name, const DcganConfig *cfg, Rng *rng) {
    check_config(cfg);
    d->cfg = *cfg;
    int S = cfg->img_size / 4, D = cfg->d_ch;
    char n[PARAM_NAME_LEN];
    nn_conv2d_init(&d->c1, ps, layer_name(n, "%s.c1", name), cfg->img_ch, D, 4, 2, 1, 1, rng);
    nn_conv2d_init(&d->c2, ps, layer_name(n, "%s.c2", name), D, 2 * D, 4, 2, 1, 0, rng);
    nn_batchnorm2d_init(&d->bn2, ps, layer_name(n, "%s.bn2", name), 2 * D, rng);
    nn_linear_init(&d->fc, ps, layer_name(n, "%s.fc", name), 2 * D * S * S, 1, 1, rng);
}

Tensor *dcgan_g_forward(DcganG *g, Tape *tp, Tensor *z, int train) {
    int B = z->shape[0], S = g->cfg.img_size / 4;
    Tensor *h = nn_batchnorm2d_forward(tp, &g->bn0, nn_linear_forward(tp, &g->fc, z), train);
    h = tensor_reshape(tp, tape_relu(tp, h), 4, (int[]){B, g->cfg.g_ch, S, S});
    h = nn_batchnorm2d_forward(tp, &g->bn1, nn_conv_transpose2d_forward(tp, &g->up1, h), train);
    h = tape_relu(tp, h);
    return tape_tanh(tp, nn_conv_transpose2d_forward(tp, &g->up2, h));
}

Tensor *dcgan_d_forward(DcganD *d, Tape *tp, Tensor *x, int train) {
    Tensor *h = tape_leaky_relu(tp, nn_conv2d_forward(tp, &d->c1, x), 0.2f);
    h = nn_batchnorm2d_forward(tp, &d->bn2, nn_conv2d_forward(tp, &d->c2, h), train);
    h = tape_leaky_relu(tp, h, 0.2f);
    return nn_linear_forward(tp, &d->fc, tensor_flatten(tp, h));
}

long dcgan_g_param_count(const DcganConfig *c) {
    long S2 = (long)(c->img_size / 4) * (c->img_size / 4), G = c->g_ch;
    return (c->z_dim * G * S2 + G * S2)          // fc, with bias
         + 2 * G * S2                            // bn0
         + G * (G / 2) * 16 + 2 * (G / 2)        // up1 (no bias), bn1
         + (G / 2) * c->img_ch * 16 + c->img_ch; // up2, with bias
}

long dcgan_d_param_count(const DcganConfig *c) {
    long S2 = (long)(c->img_size / 4) * (c->img_size / 4), D = c->d_ch;
    return (c->img_ch * D * 16 + D)              // c1, with bias
         + D * 2 * D * 16 + 2 * 2 * D            // c2 (no bias), bn2
         + 2 * D * S2 + 1;                       // fc
}
