// vgg.c - the VGG-19 encoder, the AdaIN decoder and AdaIN itself.
#include "models/vgg.h"

#include <math.h>
#include <stdio.h>

VggConfig vgg_config_w4(void) {
    return (VggConfig){.width = 64};
}

static void check_config(const VggConfig *c) {
    if (c->width < 1) tensor_fail("vgg: the width must be positive, got %d", c->width);
}

// One conv of either net: channels as multiples of the width (0 = 3 image
// channels), what comes before and after it.
typedef struct {
    const char *name;
    int in, out;      // x width; 0 means the 3 colour channels
    int pool_before;  // encoder: 2x2 max-pool first
    int level;        // encoder: this ReLU's output is relu<level+1>_1; -1 otherwise
    int relu;         // decoder: the last conv has none
    int up_after;     // decoder: nearest upsampling x2 after the ReLU
} VggLayer;

static const VggLayer ENC[VGG_ENC_CONVS] = {
    {"conv1_1", 0, 1, 0, 0, 1, 0}, {"conv1_2", 1, 1, 0, -1, 1, 0},
    {"conv2_1", 1, 2, 1, 1, 1, 0}, {"conv2_2", 2, 2, 0, -1, 1, 0},
    {"conv3_1", 2, 4, 1, 2, 1, 0}, {"conv3_2", 4, 4, 0, -1, 1, 0},
    {"conv3_3", 4, 4, 0, -1, 1, 0}, {"conv3_4", 4, 4, 0, -1, 1, 0},
    {"conv4_1", 4, 8, 1, 3, 1, 0},
};

// The encoder backwards; each conv named after the encoder conv it undoes.
static const VggLayer DEC[VGG_DEC_CONVS] = {
    {"conv4_1", 8, 4, 0, -1, 1, 1}, {"conv3_4", 4, 4, 0, -1, 1, 0},
    {"conv3_3", 4, 4, 0, -1, 1, 0}, {"conv3_2", 4, 4, 0, -1, 1, 0},
    {"conv3_1", 4, 2, 0, -1, 1, 1}, {"conv2_2", 2, 2, 0, -1, 1, 0},
    {"conv2_1", 2, 1, 0, -1, 1, 1}, {"conv1_2", 1, 1, 0, -1, 1, 0},
    {"conv1_1", 1, 0, 0, -1, 0, 0},
};

static int channels(const VggConfig *c, int mult) {
    return mult ? mult * c->width : 3;
}

static void init_convs(Conv2d *conv, const VggLayer *layers, int n, ParamSet *ps,
                       const char *name, const VggConfig *cfg, Rng *rng) {
    check_config(cfg);
    char full[PARAM_NAME_LEN];
    for (int i = 0; i < n; i++) {
        snprintf(full, sizeof full, "%s.%s", name, layers[i].name);
        nn_conv2d_init(&conv[i], ps, full, channels(cfg, layers[i].in), channels(cfg, layers[i].out),
                       3, 1, 0, 1, rng);
    }
}

static long count_convs(const VggLayer *layers, int n, const VggConfig *cfg) {
    long total = 0;
    for (int i = 0; i < n; i++) {
        long ic = channels(cfg, layers[i].in), oc = channels(cfg, layers[i].out);
        total += ic * oc * 9 + oc;
    }
    return total;
}

// ReflectionPad(1) -> conv k3
static Tensor *conv3_reflect(Tape *tp, const Conv2d *conv, Tensor *x) {
    return nn_conv2d_forward(tp, conv, tape_pad_reflect(tp, x, 1));
}

void vgg_encoder_init(VggEncoder *m, ParamSet *ps, const char *name, const VggConfig *cfg,
                      Rng *rng) {
    m->cfg = *cfg;
    init_convs(m->conv, ENC, VGG_ENC_CONVS, ps, name, cfg, rng);
    for (int i = 0; i < VGG_ENC_CONVS; i++)
        m->conv[i].weight->requires_grad = m->conv[i].bias->requires_grad = 0;
}

Tensor *vgg_encoder_forward(VggEncoder *m, Tape *tp, Tensor *x, Tensor *feats[VGG_LEVELS]) {
    if (x->ndim != 4 || x->shape[1] != 3) {
        char buf[64];
        tensor_fail("vgg_encoder: expects an image (B, 3, H, W), got %s",
                    tensor_shape_str(x, buf, sizeof buf));
    }
    Tensor *h = x;
    for (int i = 0; i < VGG_ENC_CONVS; i++) {
        if (ENC[i].pool_before) h = tape_maxpool2x2(tp, h);
        h = tape_relu(tp, conv3_reflect(tp, &m->conv[i], h));
        if (feats && ENC[i].level >= 0) feats[ENC[i].level] = h;
    }
    return h;
}

long vgg_encoder_param_count(const VggConfig *cfg) {
    return count_convs(ENC, VGG_ENC_CONVS, cfg);
}

void adain_decoder_init(AdainDecoder *m, ParamSet *ps, const char *name, const VggConfig *cfg,
                        Rng *rng) {
    m->cfg = *cfg;
    init_convs(m->conv, DEC, VGG_DEC_CONVS, ps, name, cfg, rng);
}

// Bilinear upsampling x2 (PyTorch's, align_corners=False, edges clamped) is
// nearest upsampling followed by the filter [1 2 1] / 4 along each axis with
// reflected edges: an output pixel 2i gets x[i-1] / 4 + 3 x[i] / 4, and 2i+1
// gets 3 x[i] / 4 + x[i+1] / 4. The filter runs channel by channel: the
// channels become a batch of one-channel images (a view), so it costs one
// 3x3 tap per pixel, not C.
Tensor *vgg_upsample_bilinear2x(Tape *tp, Tensor *x) {
    Tensor *u = tape_upsample_nearest2x(tp, x);
    int B = u->shape[0], C = u->shape[1], H = u->shape[2], W = u->shape[3];
    Tensor *k = tape_tensor(tp, 4, (int[]){1, 1, 3, 3}, 0);
    static const float tap[3] = {0.25f, 0.5f, 0.25f};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) k->data[i * 3 + j] = tap[i] * tap[j];
    Tensor *planes = tensor_reshape(tp, u, 4, (int[]){B * C, 1, H, W});
    Tensor *y = tape_conv2d(tp, tape_pad_reflect(tp, planes, 1), k, NULL, 1, 0);
    return tensor_reshape(tp, y, 4, u->shape);
}

Tensor *adain_decoder_forward(AdainDecoder *m, Tape *tp, Tensor *t) {
    if (t->ndim != 4 || t->shape[1] != 8 * m->cfg.width) {
        char buf[64];
        tensor_fail("adain_decoder: expects relu4_1 features (B, %d, h, w), got %s",
                    8 * m->cfg.width, tensor_shape_str(t, buf, sizeof buf));
    }
    Tensor *h = t;
    for (int i = 0; i < VGG_DEC_CONVS; i++) {
        h = conv3_reflect(tp, &m->conv[i], h);
        if (DEC[i].relu) h = tape_relu(tp, h);
        if (DEC[i].up_after)
            h = m->cfg.bilinear ? vgg_upsample_bilinear2x(tp, h) : tape_upsample_nearest2x(tp, h);
    }
    return h;
}

long adain_decoder_param_count(const VggConfig *cfg) {
    return count_convs(DEC, VGG_DEC_CONVS, cfg);
}

// The tape has no broadcasting multiply, but AdaIN is an instance norm whose
// gain and shift are the style's std and mean; they differ per sample, so
// each sample is normalised on its own and the results are joined again.
// Instance norm divides by sqrt(biased var + eps'), AdaIN by
// sqrt(unbiased var + eps); with N = H*W pixels the two agree when
//     eps' = eps (N-1)/N   and the gain carries a factor sqrt((N-1)/N).
Tensor *adain(Tape *tp, Tensor *content, Tensor *style, float eps) {
    if (content->ndim != 4 || style->ndim != 4 || content->shape[0] != style->shape[0] ||
        content->shape[1] != style->shape[1]) {
        char bc[64], bs[64];
        tensor_fail("adain: content %s and style %s need the same batch and channels",
                    tensor_shape_str(content, bc, sizeof bc), tensor_shape_str(style, bs, sizeof bs));
    }
    int B = content->shape[0], C = content->shape[1];
    long N = (long)content->shape[2] * content->shape[3];
    if (N < 2) tensor_fail("adain: the content needs H*W >= 2 pixels, got %ld", N);
    float shrink = (float)(N - 1) / (float)N;

    Tensor *stats = tape_mean_std_hw(tp, style, eps);   // (2, B, C)
    Tensor *mean_s = tensor_reshape(tp, tensor_slice(tp, stats, 0, 1), 2, (int[]){B, C});
    Tensor *gain = tape_scale(tp, tensor_reshape(tp, tensor_slice(tp, stats, 1, 1), 2, (int[]){B, C}),
                              sqrtf(shrink));
    Tensor *out = NULL;
    for (int b = 0; b < B; b++) {
        Tensor *g = tensor_reshape(tp, tensor_slice(tp, gain, b, 1), 1, (int[]){C});
        Tensor *m = tensor_reshape(tp, tensor_slice(tp, mean_s, b, 1), 1, (int[]){C});
        Tensor *y = tape_instancenorm(tp, tensor_slice(tp, content, b, 1), g, m, eps * shrink);
        // (1, C*H*W) rows: joining them along dimension 1 stacks the samples
        y = tensor_flatten(tp, y);
        out = out ? tape_concat_channels(tp, out, y) : y;
    }
    return tensor_reshape(tp, out, 4, content->shape);
}
