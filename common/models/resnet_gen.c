// resnet_gen.c - CycleGAN's ResNet generator: downsample, residual blocks, upsample.
#include "models/resnet_gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

ResnetGenConfig resnet_gen_config_w3(void) {
    return (ResnetGenConfig){.in_ch = 3, .out_ch = 3, .ngf = 32, .n_blocks = 6};
}

static void check_config(const ResnetGenConfig *c) {
    if (c->in_ch < 1 || c->out_ch < 1 || c->ngf < 1 || c->n_blocks < 0 ||
        c->n_blocks > RESNET_GEN_MAX_BLOCKS || (c->input_skip && c->in_ch != c->out_ch))
        tensor_fail("resnet_gen: bad config (in %d, out %d, ngf %d, n_blocks %d, input_skip "
                    "%d): need n_blocks 0..%d, and in = out for the input skip", c->in_ch,
                    c->out_ch, c->ngf, c->n_blocks, c->input_skip, RESNET_GEN_MAX_BLOCKS);
}

// A parameter-name prefix made like printf's, e.g. "g_ab.block3.conv1".
__attribute__((format(printf, 2, 3)))
static const char *layer_name(char buf[PARAM_NAME_LEN], const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, PARAM_NAME_LEN, fmt, ap);
    va_end(ap);
    return buf;
}

void resnet_gen_init(ResnetGen *m, ParamSet *ps, const char *name, const ResnetGenConfig *cfg,
                     Rng *rng) {
    check_config(cfg);
    m->cfg = *cfg;
    int F = cfg->ngf;
    char n[PARAM_NAME_LEN];
    nn_conv2d_init(&m->in_conv, ps, layer_name(n, "%s.in_conv", name), cfg->in_ch, F, 7,
                   1, 0, 0, rng);
    nn_instancenorm2d_init(&m->in_norm, ps, layer_name(n, "%s.in_norm", name), F, 1, rng);
    for (int i = 0; i < 2; i++) {
        int ic = F << i;
        nn_conv2d_init(&m->down[i], ps, layer_name(n, "%s.down%d", name, i), ic, 2 * ic, 3, 2,
                       1, 0, rng);
        nn_instancenorm2d_init(&m->down_norm[i], ps, layer_name(n, "%s.down_norm%d", name, i),
                               2 * ic, 1, rng);
    }
    for (int b = 0; b < cfg->n_blocks; b++) {
        ResBlock *r = &m->blocks[b];
        nn_conv2d_init(&r->c1, ps, layer_name(n, "%s.block%d.conv1", name, b), 4 * F, 4 * F, 3, 1,
                       0, 0, rng);
        nn_instancenorm2d_init(&r->n1, ps, layer_name(n, "%s.block%d.norm1", name, b), 4 * F, 1, rng);
        nn_conv2d_init(&r->c2, ps, layer_name(n, "%s.block%d.conv2", name, b), 4 * F, 4 * F, 3, 1,
                       0, 0, rng);
        nn_instancenorm2d_init(&r->n2, ps, layer_name(n, "%s.block%d.norm2", name, b), 4 * F, 1, rng);
    }
    for (int i = 0; i < 2; i++) {
        int ic = 4 * F >> i;
        if (cfg->upsample == RESNET_UP_RESIZE)
            nn_conv2d_init(&m->up_conv[i], ps, layer_name(n, "%s.up%d", name, i), ic, ic / 2, 3,
                           1, 0, 0, rng);
        else
            nn_conv_transpose2d_init(&m->up[i], ps, layer_name(n, "%s.up%d", name, i), ic,
                                     ic / 2, 3, 2, 1, 1, 0, rng);
        nn_instancenorm2d_init(&m->up_norm[i], ps, layer_name(n, "%s.up_norm%d", name, i),
                               ic / 2, 1, rng);
    }
    nn_conv2d_init(&m->out_conv, ps, layer_name(n, "%s.out_conv", name), F, cfg->out_ch, 7,
                   1, 0, 1, rng);
    // With the input skip the last conv starts at zero, so an untrained G is
    // exactly the identity (the weights are drawn all the same, keeping every
    // other layer's draw as without the skip).
    if (cfg->input_skip) {
        memset(m->out_conv.weight->data, 0, sizeof(float) * m->out_conv.weight->size);
        memset(m->out_conv.bias->data, 0, sizeof(float) * m->out_conv.bias->size);
    }
}

static Tensor *norm_relu(Tape *tp, const InstanceNorm2d *norm, Tensor *x) {
    return tape_relu(tp, nn_instancenorm2d_forward(tp, norm, x));
}

Tensor *resnet_block_forward(const ResBlock *r, Tape *tp, Tensor *x) {
    Tensor *h = norm_relu(tp, &r->n1, nn_conv2d_forward(tp, &r->c1, tape_pad_reflect(tp, x, 1)));
    h = nn_instancenorm2d_forward(tp, &r->n2, nn_conv2d_forward(tp, &r->c2, tape_pad_reflect(tp, h, 1)));
    return tape_add(tp, x, h);
}

// x (B, C, H, W) -> (B, C/2, 2H, 2W): the transposed convolution or the resize-convolution.
static Tensor *upsample(const ResnetGen *m, Tape *tp, int i, Tensor *h) {
    if (m->cfg.upsample == RESNET_UP_RESIZE)
        return nn_conv2d_forward(tp, &m->up_conv[i],
                                 tape_pad_reflect(tp, tape_upsample_nearest2x(tp, h), 1));
    return nn_conv_transpose2d_forward(tp, &m->up[i], h);
}

Tensor *resnet_gen_forward(ResnetGen *m, Tape *tp, Tensor *x, int train) {
    (void)train;
    return resnet_gen_forward_with(m, tp, x, NULL);
}

Tensor *resnet_gen_forward_with(ResnetGen *m, Tape *tp, Tensor *x, ResnetBlockFn block) {
    if (!block) block = resnet_block_forward;
    if (x->ndim != 4 || x->shape[1] != m->cfg.in_ch || x->shape[2] % 4 || x->shape[3] % 4) {
        char buf[64];
        tensor_fail("resnet_gen: expects (B, %d, H, W) with H, W multiples of 4, got %s",
                    m->cfg.in_ch, tensor_shape_str(x, buf, sizeof buf));
    }
    Tensor *h = norm_relu(tp, &m->in_norm, nn_conv2d_forward(tp, &m->in_conv, tape_pad_reflect(tp, x, 3)));
    for (int i = 0; i < 2; i++)
        h = norm_relu(tp, &m->down_norm[i], nn_conv2d_forward(tp, &m->down[i], h));
    for (int b = 0; b < m->cfg.n_blocks; b++) h = block(&m->blocks[b], tp, h);
    for (int i = 0; i < 2; i++) h = norm_relu(tp, &m->up_norm[i], upsample(m, tp, i, h));
    h = tape_tanh(tp, nn_conv2d_forward(tp, &m->out_conv, tape_pad_reflect(tp, h, 3)));
    return m->cfg.input_skip ? tape_add(tp, x, h) : h;
}

long resnet_gen_param_count(const ResnetGenConfig *c) {
    long F = c->ngf;
    return (c->in_ch * F * 49 + 2 * F)                          // c7s1-F, norm
         + (F * 2 * F * 9 + 4 * F) + (2 * F * 4 * F * 9 + 8 * F)   // d2F, d4F, norms
         + c->n_blocks * 2 * (4 * F * 4 * F * 9 + 8 * F)          // residual blocks
         + (4 * F * 2 * F * 9 + 4 * F) + (2 * F * F * 9 + 2 * F)   // u2F, uF, norms
         + (F * c->out_ch * 49 + c->out_ch);                     // c7s1-out, bias
}
