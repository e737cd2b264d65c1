// unet.c - the pix2pix U-Net: an encoder-decoder with a skip at every level.
#include "models/unet.h"

#include <stdio.h>
#include <string.h>

UNetConfig unet_config_w2(void) {
    return (UNetConfig){.in_ch = 3, .out_ch = 3, .ngf = 32, .depth = 6, .n_dropout = 3,
                        .dropout = 0.5f};
}

int unet_channels(const UNetConfig *cfg, int level) {
    return cfg->ngf * (level < 3 ? 1 << level : 8);
}

static void check_config(const UNetConfig *c) {
    if (c->in_ch < 1 || c->out_ch < 1 || c->ngf < 1 || c->depth < 2 || c->depth > UNET_MAX_DEPTH ||
        c->n_dropout < 0 || c->n_dropout >= c->depth || !(c->dropout >= 0.0f && c->dropout < 1.0f))
        tensor_fail("unet: bad config (in %d, out %d, ngf %d, depth %d, n_dropout %d, dropout %g): "
                    "need depth 2..%d, 0 <= n_dropout < depth, 0 <= dropout < 1", c->in_ch,
                    c->out_ch, c->ngf, c->depth, c->n_dropout, c->dropout, UNET_MAX_DEPTH);
}

// The outermost level has no norm (it sees the image); the innermost none
// either (1x1 at batch 1 would normalise a single value).
static int down_has_norm(const UNetConfig *c, int i) {
    return i > 0 && i < c->depth - 1;
}

// Input channels of decoder level i: the bottleneck alone at the bottom (and
// everywhere without skips), (skip, up) concatenated elsewhere.
static int up_in_ch(const UNetConfig *c, int i) {
    return i == c->depth - 1 || c->no_skips ? unet_channels(c, i) : 2 * unet_channels(c, i);
}

static int up_out_ch(const UNetConfig *c, int i) {
    return i == 0 ? c->out_ch : unet_channels(c, i - 1);
}

void unet_init(UNet *m, ParamSet *ps, const char *name, const UNetConfig *cfg, Rng *rng) {
    check_config(cfg);
    UNetConfig c = *cfg;   // cfg may be &m->cfg
    memset(m, 0, sizeof *m);   // the layers this config does not use stay NULL: layers.c checks
    m->cfg = c;
    int D = cfg->depth;
    char n[PARAM_NAME_LEN];
    // PyTorch's module order: the encoder outermost first, then the decoder innermost first.
    for (int i = 0; i < D; i++) {
        int ic = i == 0 ? cfg->in_ch : unet_channels(cfg, i - 1), oc = unet_channels(cfg, i);
        int norm = down_has_norm(cfg, i);
        snprintf(n, sizeof n, "%s.down%d", name, i);
        nn_conv2d_init(&m->down[i], ps, n, ic, oc, 4, 2, 1, !norm, rng);
        if (norm) {
            snprintf(n, sizeof n, "%s.down%d_bn", name, i);
            nn_batchnorm2d_init(&m->down_bn[i], ps, n, oc, rng);
        }
    }
    for (int i = D - 1; i >= 0; i--) {
        snprintf(n, sizeof n, "%s.up%d", name, i);
        nn_conv_transpose2d_init(&m->up[i], ps, n, up_in_ch(cfg, i), up_out_ch(cfg, i),
                                 4, 2, 1, 0, i == 0, rng);
        if (i > 0) {
            snprintf(n, sizeof n, "%s.up%d_bn", name, i);
            nn_batchnorm2d_init(&m->up_bn[i], ps, n, up_out_ch(cfg, i), rng);
        }
    }
}

Tensor *unet_forward(UNet *m, Tape *tp, Tensor *x, int train, Rng *rng) {
    const UNetConfig *c = &m->cfg;
    int D = c->depth, side = 1 << D;
    if (x->ndim != 4 || x->shape[1] != c->in_ch || x->shape[2] % side || x->shape[3] % side) {
        char buf[64];
        tensor_fail("unet: expects (B, %d, H, W) with H, W multiples of %d, got %s", c->in_ch,
                    side, tensor_shape_str(x, buf, sizeof buf));
    }
    Tensor *skip[UNET_MAX_DEPTH];
    Tensor *h = x;
    for (int i = 0; i < D; i++) {
        if (i > 0) h = tape_leaky_relu(tp, h, 0.2f);
        h = nn_conv2d_forward(tp, &m->down[i], h);
        if (down_has_norm(c, i)) h = nn_batchnorm2d_forward(tp, &m->down_bn[i], h, train);
        skip[i] = h;
    }
    for (int i = D - 1; i >= 0; i--) {
        if (i < D - 1 && !c->no_skips) h = tape_concat_channels(tp, skip[i], h);
        h = nn_conv_transpose2d_forward(tp, &m->up[i], tape_relu(tp, h));
        if (i == 0) break;
        h = nn_batchnorm2d_forward(tp, &m->up_bn[i], h, train);
        if (train && c->dropout > 0.0f && i >= D - c->n_dropout)
            h = tape_dropout(tp, h, c->dropout, rng);
    }
    return tape_tanh(tp, h);
}

long unet_param_count(const UNetConfig *c) {
    long n = 0;
    for (int i = 0; i < c->depth; i++) {
        long ic = i == 0 ? c->in_ch : unet_channels(c, i - 1), oc = unet_channels(c, i);
        n += ic * oc * 16 + (down_has_norm(c, i) ? 2 * oc : oc);   // norm shift/gain or bias
        long uo = up_out_ch(c, i);
        n += up_in_ch(c, i) * uo * 16 + (i > 0 ? 2 * uo : uo);
    }
    return n;
}
