// adain_model.c - lesson 07's networks: the random encoder and its
// calibration, the decoder's initialisation, the encoder's weight file and
// hash, and stylisation with a trained decoder.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adain.h"
#include "autograd/tape.h"

// Width 16 for time, lr 1e-3 for a 1,500-step run, style weight 2 and identity
// weight 10: the choices of the README's runs (section 8).
AdainConfig adain_default_config(void) {
    return (AdainConfig){.width = 16, .style_weight = 2.0f, .identity_weight = 10.0f, .lr = 1e-3f};
}

// He initialisation, N(0, 2 / fan_in) (1 / fan_in before a layer without a
// ReLU), biases 0. The library's N(0, 0.02) suits the GANs' normalised
// networks; this decoder has no norm at all, and at width 16 a 0.02 std
// shrinks the signal about 2x per layer: nine layers would leave a nearly
// constant image and almost no gradient.
static void he_init(Conv2d *conv, int n, int last_linear, Rng *rng) {
    for (int i = 0; i < n; i++) {
        Tensor *w = conv[i].weight;
        long fan_in = (long)w->shape[1] * w->shape[2] * w->shape[3];
        float gain = (last_linear && i == n - 1) ? 1.0f : 2.0f;
        rng_fill_normal(rng, w->data, (int)w->size, 0.0f, sqrtf(gain / (float)fan_in));
        memset(conv[i].bias->data, 0, sizeof(float) * conv[i].bias->size);
    }
}

static void build(AdainNet *n, const AdainConfig *cfg, uint64_t seed) {
    n->cfg = *cfg;
    n->seed = seed;
    VggConfig vc = {.width = cfg->width, .bilinear = cfg->bilinear};
    Rng rng;
    paramset_init(&n->ps_enc);
    paramset_init(&n->ps_dec);
    rng_seed(&rng, seed);
    vgg_encoder_init(&n->enc, &n->ps_enc, "enc", &vc, &rng);
    he_init(n->enc.conv, VGG_ENC_CONVS, 0, &rng);
    rng_seed(&rng, seed + 1);
    adain_decoder_init(&n->dec, &n->ps_dec, "dec", &vc, &rng);
    he_init(n->dec.conv, VGG_DEC_CONVS, 1, &rng);
    optim_adam_init(&n->opt, &n->ps_dec, cfg->lr, 0.9f, 0.999f, 1e-8f);
    tape_init(&n->tape);
    n->enc_hash = adain_encoder_hash(n);
}

void adain_init(AdainNet *n, const AdainConfig *cfg, uint64_t seed) {
    memset(n, 0, sizeof *n);
    build(n, cfg, seed);
}

void adain_free(AdainNet *n) {
    tape_free(&n->tape);
    optim_free(&n->opt);
    paramset_free(&n->ps_enc);
    paramset_free(&n->ps_dec);
}

// Which encoder convs follow a 2x2 max-pool (vgg.h: conv2_1, conv3_1, conv4_1).
static int pools_before(int i) {
    return i == 2 || i == 4 || i == 8;
}

void adain_calibrate(AdainNet *n, const float *images, int count, int S, int centre) {
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *h = tape_tensor(&tp, 4, (int[]){count, 3, S, S}, 0);
    memcpy(h->data, images, sizeof(float) * h->size);
    for (int i = 0; i < VGG_ENC_CONVS; i++) {
        Conv2d *conv = &n->enc.conv[i];
        if (pools_before(i)) h = tape_maxpool2x2(&tp, h);
        Tensor *pre = tape_conv2d(&tp, tape_pad_reflect(&tp, h, 1), conv->weight, conv->bias, 1, 0);
        int B = pre->shape[0], C = pre->shape[1];
        long N = (long)pre->shape[2] * pre->shape[3];
        long per_filter = conv->weight->size / C;
        for (int c = 0; c < C; c++) {
            double sum = 0.0, sq = 0.0, pos = 0.0;
            for (int b = 0; b < B; b++)
                for (long k = 0; k < N; k++) {
                    double v = pre->data[((long)b * C + c) * N + k];
                    sum += v, sq += v * v;
                }
            double m = sum / ((double)B * N), sd = sqrt(fmax(sq / ((double)B * N) - m * m, 0.0));
            float shift = centre ? (float)(m - n->calib_open * sd) : 0.0f;
            for (int b = 0; b < B; b++)
                for (long k = 0; k < N; k++) {
                    float v = pre->data[((long)b * C + c) * N + k] - shift;
                    pos += v > 0 ? v : 0;
                }
            // a channel that never fires keeps scale 1 (none did on the course's data)
            float scale = pos > 0 ? (float)(((double)B * N) / pos) : 1.0f;
            conv->bias->data[c] = (conv->bias->data[c] - shift) * scale;
            for (long k = 0; k < per_filter; k++) conv->weight->data[c * per_filter + k] *= scale;
            for (int b = 0; b < B; b++)
                for (long k = 0; k < N; k++) {
                    float *v = &pre->data[((long)b * C + c) * N + k];
                    *v = (*v - shift) * scale;
                }
        }
        h = tape_relu(&tp, pre);
    }
    tape_free(&tp);
    n->enc_hash = adain_encoder_hash(n);
}

uint64_t adain_encoder_hash(const AdainNet *n) {
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)&n->cfg.width;
    for (size_t i = 0; i < sizeof n->cfg.width; i++) h = (h ^ p[i]) * 1099511628211ULL;
    p = (const unsigned char *)n->ps_enc.data;
    for (size_t i = 0; i < sizeof(float) * (size_t)n->ps_enc.size; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

#define ENC_MAGIC "ADAINVGG"

int adain_encoder_save(const AdainNet *n, const char *path, Error *err) {
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return error_set(err, "%s: cannot write the encoder", tmp);
    uint32_t head[2] = {1, (uint32_t)n->cfg.width};
    int ok = fwrite(ENC_MAGIC, 1, 8, f) == 8 && fwrite(head, 4, 2, f) == 2 &&
             fwrite(n->ps_enc.data, sizeof(float), (size_t)n->ps_enc.size, f) ==
                 (size_t)n->ps_enc.size;
    if (fclose(f) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return error_set(err, "%s: writing the encoder failed (disk full?)", path);
    }
    return 0;
}

int adain_encoder_load(AdainNet *n, const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open the encoder weight file", path);
    char magic[8];
    uint32_t head[2];
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, ENC_MAGIC, 8) != 0 || fread(head, 4, 2, f) != 2) {
        fclose(f);
        return error_set(err, "%s: expected an encoder weight file (\"" ENC_MAGIC "\", made by "
                         "tools/convert_vgg.py or a training run), found other bytes", path);
    }
    if (head[0] != 1 || head[1] < 1 || head[1] > 512) {
        fclose(f);
        return error_set(err, "%s: expected version 1 and a width 1..512, found version %u, "
                         "width %u", path, head[0], head[1]);
    }
    VggConfig vc = {.width = (int)head[1]};
    long want = vgg_encoder_param_count(&vc);
    float *w = malloc(sizeof(float) * want);
    size_t got = fread(w, sizeof(float), (size_t)want, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if ((long)got != want || extra) {
        free(w);
        return error_set(err, "%s: width %u needs %ld floats, the file holds %s%zu", path,
                         head[1], want, extra ? "more than " : "", got);
    }
    AdainConfig cfg = n->cfg;
    cfg.width = (int)head[1];
    adain_free(n);
    adain_init(n, &cfg, n->seed);
    memcpy(n->ps_enc.data, w, sizeof(float) * want);
    free(w);
    n->enc_hash = adain_encoder_hash(n);
    return 0;
}

void adain_meta(char *meta, int len, const AdainNet *n) {
    snprintf(meta, (size_t)len, "lesson 07 adain width=%d encoder=%016llx up=%s", n->cfg.width,
             (unsigned long long)n->enc_hash, n->cfg.bilinear ? "bilinear" : "nearest");
}

int adain_check_meta(const AdainNet *n, const char *meta, const char *path, Error *err) {
    int width;
    unsigned long long hash;
    if (sscanf(meta, "lesson 07 adain width=%d encoder=%llx", &width, &hash) != 2)
        return error_set(err, "%s: expected a lesson 07 decoder checkpoint, found metadata '%s'",
                         path, meta);
    if (width != n->cfg.width || hash != (unsigned long long)n->enc_hash)
        return error_set(err, "%s: this decoder was trained with encoder %016llx (width %d), "
                         "not with the one given (%016llx, width %d): a decoder only inverts "
                         "the encoder it was trained with", path, hash, width,
                         (unsigned long long)n->enc_hash, n->cfg.width);
    return 0;
}

int adain_check_size(int H, int W, const char *what, Error *err) {
    if (H % 8 || W % 8 || H < 16 || W < 16)
        return error_set(err, "%s: %dx%d pixels (width x height); the size rule: both sides "
                         "multiples of 8 and at least 16 (use --size to rescale)", what, W, H);
    return 0;
}

// f(image) at relu4_1 for one image (3, h, w), a tensor on tp.
static Tensor *encode(AdainNet *n, const float *img, int h, int w) {
    Tensor *x = tape_tensor(&n->tape, 4, (int[]){1, 3, h, w}, 0);
    memcpy(x->data, img, sizeof(float) * x->size);
    return vgg_encoder_forward(&n->enc, &n->tape, x, NULL);
}

void adain_stylize(AdainNet *n, float *out, const float *content, int H, int W,
                   const float *const *styles, const int *sh, const int *sw,
                   const float *weights, int K, float alpha) {
    Tape *tp = &n->tape;
    tape_reset(tp);
    int was = tape_set_no_grad(tp, 1);
    Tensor *fc = encode(n, content, H, W);
    int C = fc->shape[1];
    long N = (long)fc->shape[2] * fc->shape[3];
    const float *targets[16];
    for (int k = 0; k < K && k < 16; k++) {
        Tensor *fs = encode(n, styles[k], sh[k], sw[k]);
        float *t = tape_alloc(tp, sizeof(float) * C * N);
        adain_forward(t, fc->data, N, fs->data, (long)fs->shape[2] * fs->shape[3], C, ADAIN_EPS);
        targets[k] = t;
    }
    Tensor *t = tape_tensor(tp, 4, fc->shape, 0);
    adain_blend(t->data, fc->data, targets, weights, K < 16 ? K : 16, C * N, alpha);
    Tensor *g = adain_decoder_forward(&n->dec, tp, t);
    for (long i = 0; i < g->size; i++) out[i] = fminf(1.0f, fmaxf(-1.0f, g->data[i]));
    tape_set_no_grad(tp, was);
}
