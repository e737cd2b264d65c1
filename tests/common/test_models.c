// test_models.c - the library's networks (common/models/dcgan.h, unet.h, patchgan.h,
// resnet_gen.h, vgg.h): exact parameter counts of every network of
// bench/WORKLOADS.md against PyTorch's numel, output shapes at the workload sizes,
// and forward + backward of each family against PyTorch at small sizes
// (tests/ref/gen_models.py, which builds the nets from bench/torch_workloads.py,
// the definitions the benchmark times).
//
// A reference file holds the parameters p000, p001, ... in the order the
// nets create them; the C models add theirs in the same order, so they load
// by position, and the shapes are checked on the way. The scalar
// differentiated is sum(y * probe) for a random probe, so every output
// element's gradient is checked.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "models/dcgan.h"
#include "models/patchgan.h"
#include "ref.h"
#include "models/resnet_gen.h"
#include "models/unet.h"
#include "models/vgg.h"

TestSuite(models, .timeout = 120);

// float32 forward and backward through up to ~25 layers against a float64
// reference: the largest difference seen is 2e-6; these leave room for
// the kernels' summation order (threads, blocking) without hiding a wrong
// layer, which moves values by O(1).
#define ATOL 1e-4f
#define RTOL 1e-3f

// ---------------------------------------------------------------- helpers

// The reference tensor called name, checked against shape (ndim dims).
static const float *ref_shaped(const RefFile *ref, const char *name, const Tensor *t) {
    for (int i = 0; i < ref->count; i++) {
        const RefTensor *r = &ref->tensors[i];
        if (strcmp(r->name, name) != 0) continue;
        int same = r->ndim == t->ndim;
        for (int k = 0; same && k < t->ndim; k++) same = r->dims[k] == t->shape[k];
        char buf[64];
        cr_assert(same, "%s: PyTorch's tensor %s has another shape than ours %s", ref->path, name,
                  tensor_shape_str(t, buf, sizeof buf));
        return r->data;
    }
    return ref_get(ref, name, t->size);   // fails, naming the missing tensor
}

// Parameters from <prefix>p000.. into ps, in order; every one must be there.
static void load_params(const RefFile *ref, const char *prefix, ParamSet *ps) {
    char name[48];
    for (int i = 0; i < ps->n_params; i++) {
        snprintf(name, sizeof name, "%sp%03d", prefix, i);
        memcpy(ps->params[i]->data, ref_shaped(ref, name, ps->params[i]),
               sizeof(float) * ps->params[i]->size);
    }
    snprintf(name, sizeof name, "%sp%03d", prefix, ps->n_params);
    for (int i = 0; i < ref->count; i++)
        cr_assert(strcmp(ref->tensors[i].name, name) != 0,
                  "%s: PyTorch's net has more parameters than ours (%d)", ref->path, ps->n_params);
}

static Tensor *load_input(Tape *tp, const RefFile *ref, const char *name, int ndim,
                          const int *shape) {
    Tensor *x = tape_tensor(tp, ndim, shape, 1);
    memcpy(x->data, ref_shaped(ref, name, x), sizeof(float) * x->size);
    return x;
}

// sum(y * probe) as a tape scalar: a (1, N) x (1, N)^T linear layer.
static Tensor *probe_loss(Tape *tp, Tensor *y, const float *probe) {
    Tensor *w = tape_tensor(tp, 2, (int[]){1, (int)y->size}, 0);
    memcpy(w->data, probe, sizeof(float) * y->size);
    return tape_linear(tp, tensor_reshape(tp, y, 2, (int[]){1, (int)y->size}), w, NULL);
}

// y, dx, every parameter's gradient and the running statistics against <prefix>...
static void check_against(const RefFile *ref, const char *prefix, const ParamSet *ps,
                          const Tensor *x, const Tensor *y) {
    char name[48];
    snprintf(name, sizeof name, "%sy", prefix);
    check_close(name, y->data, ref_shaped(ref, name, y), y->size, ATOL, RTOL);
    snprintf(name, sizeof name, "%sdx", prefix);
    check_close(name, x->grad, ref_get(ref, name, x->size), x->size, ATOL, RTOL);
    for (int i = 0; i < ps->n_params; i++) {
        snprintf(name, sizeof name, "%sg%03d", prefix, i);
        check_close(ps->param_names[i], ps->params[i]->grad, ref_shaped(ref, name, ps->params[i]),
                    ps->params[i]->size, ATOL, RTOL);
    }
    for (int i = 0; i < ps->n_buffers; i++) {
        const Tensor *b = ps->buffers[i];
        snprintf(name, sizeof name, "%s%s%03d", prefix, i % 2 ? "rv" : "rm", i / 2);
        check_close(ps->buffer_names[i], b->data, ref_shaped(ref, name, b), b->size, ATOL, RTOL);
    }
}

static void expect_shape(const char *what, const Tensor *t, int ndim, const int *shape) {
    char got[64];
    int same = t->ndim == ndim;
    for (int k = 0; same && k < ndim; k++) same = t->shape[k] == shape[k];
    cr_assert(same, "%s: output shape %s is wrong", what, tensor_shape_str(t, got, sizeof got));
}

// ---------------------------------------------------------------- parameter counts

// Every count below is PyTorch's sum of numel over the same net in
// bench/torch_workloads.py (`torch_workloads.py --info-only`). Our three
// must agree: the ParamSet _init filled, the _param_count formula, PyTorch.
static void expect_count(const char *what, long built, long formula, long torch) {
    cr_assert_eq(formula, torch, "%s: the formula gives %ld parameters, PyTorch has %ld", what,
                 formula, torch);
    cr_assert_eq(built, torch, "%s: _init added %ld parameters, PyTorch has %ld", what, built,
                 torch);
}

Test(models, w1_dcgan_parameter_counts) {
    // By hand (Z 100, S 7, G 256, D 64):
    //   G: fc 100*12544 + 12544 = 1,266,944   bn0 2*12544 = 25,088
    //      up1 256*128*16 = 524,288 (a norm follows: no bias)   bn1 2*128 = 256
    //      up2 128*1*16 + 1 = 2,049            total 1,818,625
    //   D: c1 1*64*16 + 64 = 1,088   c2 64*128*16 = 131,072 (no bias)   bn2 256
    //      fc 6272 + 1 = 6,273                 total 138,689
    DcganConfig cfg = dcgan_config_w1();
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet pg, pd;
    paramset_init(&pg);
    paramset_init(&pd);
    DcganG g;
    DcganD d;
    dcgan_g_init(&g, &pg, "g", &cfg, &rng);
    dcgan_d_init(&d, &pd, "d", &cfg, &rng);
    expect_count("W1 G", pg.size, dcgan_g_param_count(&cfg), 1818625);
    expect_count("W1 D", pd.size, dcgan_d_param_count(&cfg), 138689);
    cr_assert_eq(pg.n_params, 9, "G has fc w/b, bn0 w/b, up1 w, bn1 w/b, up2 w/b: 9 tensors");
    cr_assert_str_eq(pg.param_names[0], "g.fc.weight", "parameters are named <net>.<layer>.<what>");
    paramset_free(&pg);
    paramset_free(&pd);
}

Test(models, w2_pix2pix_parameter_counts) {
    UNetConfig uc = unet_config_w2();
    PatchGanConfig pc = patchgan_config_w2();
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet pg, pd;
    paramset_init(&pg);
    paramset_init(&pd);
    UNet g;
    PatchGan d;
    unet_init(&g, &pg, "g", &uc, &rng);
    patchgan_init(&d, &pd, "d", &pc, &rng);
    expect_count("W2 U-Net", pg.size, unet_param_count(&uc), 7315043);
    expect_count("W2 PatchGAN", pd.size, patchgan_param_count(&pc), 696225);
    // batch norms: encoder levels 1..4 and decoder levels 1..5, two buffers each
    cr_assert_eq(pg.n_buffers, 2 * 9, "U-Net: 9 batch norms, got %d buffers", pg.n_buffers);
    paramset_free(&pg);
    paramset_free(&pd);
}

Test(models, w3_cyclegan_parameter_counts) {
    // Both generators (and both discriminators) in one ParamSet, as one Adam updates them.
    ResnetGenConfig gc = resnet_gen_config_w3();
    PatchGanConfig dc = patchgan_config_w3();
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet pg, pd;
    paramset_init(&pg);
    paramset_init(&pd);
    ResnetGen g_ab, g_ba;
    PatchGan d_a, d_b;
    resnet_gen_init(&g_ab, &pg, "g_ab", &gc, &rng);
    long one = pg.size;
    resnet_gen_init(&g_ba, &pg, "g_ba", &gc, &rng);
    patchgan_init(&d_a, &pd, "d_a", &dc, &rng);
    patchgan_init(&d_b, &pd, "d_b", &dc, &rng);
    expect_count("W3 ResNet G", one, resnet_gen_param_count(&gc), 1966915);
    expect_count("W3 PatchGAN (instance norm)", pd.size / 2, patchgan_param_count(&dc), 694689);
    cr_assert_eq(pg.size, 2 * one, "two generators hold twice the parameters");
    cr_assert_eq(pd.n_buffers, 0, "instance norm keeps no running statistics");
    paramset_free(&pg);
    paramset_free(&pd);
}

Test(models, w4_adain_parameter_counts) {
    VggConfig cfg = vgg_config_w4();
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet pe, pdec;
    paramset_init(&pe);
    paramset_init(&pdec);
    VggEncoder enc;
    AdainDecoder dec;
    vgg_encoder_init(&enc, &pe, "enc", &cfg, &rng);
    adain_decoder_init(&dec, &pdec, "dec", &cfg, &rng);
    expect_count("W4 VGG encoder", pe.size, vgg_encoder_param_count(&cfg), 3505728);
    expect_count("W4 decoder", pdec.size, adain_decoder_param_count(&cfg), 3505219);
    for (int i = 0; i < pe.n_params; i++)
        cr_assert_eq(pe.params[i]->requires_grad, 0, "%s: the encoder is frozen", pe.param_names[i]);
    for (int i = 0; i < pdec.n_params; i++)
        cr_assert_eq(pdec.params[i]->requires_grad, 1, "%s: the decoder trains", pdec.param_names[i]);
    paramset_free(&pe);
    paramset_free(&pdec);
}

// ---------------------------------------------------------------- shapes at the workload sizes

Test(models, output_shapes_at_workload_sizes) {
    Rng rng;
    rng_seed(&rng, 2);
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    ParamSet ps;
    paramset_init(&ps);

    DcganConfig dc = dcgan_config_w1();
    DcganG g;
    DcganD d;
    dcgan_g_init(&g, &ps, "g", &dc, &rng);
    dcgan_d_init(&d, &ps, "d", &dc, &rng);
    Tensor *img = dcgan_g_forward(&g, &tp, tape_tensor(&tp, 2, (int[]){2, 100}, 0), 1);
    expect_shape("W1 G", img, 4, (int[]){2, 1, 28, 28});
    expect_shape("W1 D", dcgan_d_forward(&d, &tp, img, 1), 2, (int[]){2, 1});

    UNetConfig uc = unet_config_w2();
    PatchGanConfig pc = patchgan_config_w2();
    UNet u;
    PatchGan p2;
    unet_init(&u, &ps, "u", &uc, &rng);
    patchgan_init(&p2, &ps, "p2", &pc, &rng);
    Tensor *x3 = tape_tensor(&tp, 4, (int[]){1, 3, 64, 64}, 0);
    expect_shape("W2 U-Net", unet_forward(&u, &tp, x3, 0, NULL), 4, (int[]){1, 3, 64, 64});
    expect_shape("W2 PatchGAN", patchgan_forward(&p2, &tp, tape_tensor(&tp, 4, (int[]){1, 6, 64, 64}, 0), 0),
                 4, (int[]){1, 1, 6, 6});

    ResnetGenConfig rc = resnet_gen_config_w3();
    PatchGanConfig p3c = patchgan_config_w3();
    ResnetGen r;
    PatchGan p3;
    resnet_gen_init(&r, &ps, "r", &rc, &rng);
    patchgan_init(&p3, &ps, "p3", &p3c, &rng);
    expect_shape("W3 ResNet G", resnet_gen_forward(&r, &tp, x3, 1), 4, (int[]){1, 3, 64, 64});
    expect_shape("W3 PatchGAN", patchgan_forward(&p3, &tp, x3, 1), 4, (int[]){1, 1, 6, 6});

    // W4 at 32x32 (128x128 only scales every side by 4).
    VggConfig vc = vgg_config_w4();
    VggEncoder enc;
    AdainDecoder dec;
    vgg_encoder_init(&enc, &ps, "enc", &vc, &rng);
    adain_decoder_init(&dec, &ps, "dec", &vc, &rng);
    Tensor *feats[VGG_LEVELS];
    Tensor *c4 = vgg_encoder_forward(&enc, &tp, tape_tensor(&tp, 4, (int[]){1, 3, 32, 32}, 0), feats);
    expect_shape("relu1_1", feats[0], 4, (int[]){1, 64, 32, 32});
    expect_shape("relu2_1", feats[1], 4, (int[]){1, 128, 16, 16});
    expect_shape("relu3_1", feats[2], 4, (int[]){1, 256, 8, 8});
    expect_shape("relu4_1", feats[3], 4, (int[]){1, 512, 4, 4});
    cr_assert_eq(c4, feats[3], "the encoder returns relu4_1");
    expect_shape("decoder", adain_decoder_forward(&dec, &tp, c4), 4, (int[]){1, 3, 32, 32});

    paramset_free(&ps);
    tape_free(&tp);
}

// ---------------------------------------------------------------- against PyTorch

Test(models, dcgan_forward_backward_match_torch) {
    RefFile *ref = ref_open("models_dcgan.bin");
    DcganConfig cfg = {.z_dim = 8, .img_ch = 1, .img_size = 8, .g_ch = 8, .d_ch = 4};
    Rng rng;
    rng_seed(&rng, 3);
    ParamSet pg, pd;
    paramset_init(&pg);
    paramset_init(&pd);
    DcganG g;
    DcganD d;
    dcgan_g_init(&g, &pg, "g", &cfg, &rng);
    dcgan_d_init(&d, &pd, "d", &cfg, &rng);
    load_params(ref, "g.", &pg);
    load_params(ref, "d.", &pd);
    Tape tp;
    tape_init(&tp);

    Tensor *z = load_input(&tp, ref, "g.x", 2, (int[]){4, 8});
    Tensor *img = dcgan_g_forward(&g, &tp, z, 1);
    tape_backward(&tp, probe_loss(&tp, img, ref_shaped(ref, "g.probe", img)));
    check_against(ref, "g.", &pg, z, img);

    Tensor *x = load_input(&tp, ref, "d.x", 4, (int[]){4, 1, 8, 8});
    Tensor *logit = dcgan_d_forward(&d, &tp, x, 1);
    tape_backward(&tp, probe_loss(&tp, logit, ref_shaped(ref, "d.probe", logit)));
    check_against(ref, "d.", &pd, x, logit);

    tape_free(&tp);
    paramset_free(&pg);
    paramset_free(&pd);
    ref_close(ref);
}

Test(models, unet_forward_backward_and_eval_match_torch) {
    RefFile *ref = ref_open("models_unet.bin");
    // dropout 0: PyTorch's masks cannot be reproduced; evaluation mode has none anyway
    UNetConfig cfg = {.in_ch = 3, .out_ch = 3, .ngf = 1, .depth = 4, .n_dropout = 3, .dropout = 0};
    Rng rng;
    rng_seed(&rng, 3);
    ParamSet ps;
    paramset_init(&ps);
    UNet u;
    unet_init(&u, &ps, "u", &cfg, &rng);
    cr_assert_eq(ps.size, unet_param_count(&cfg), "the formula counts what _init adds");
    load_params(ref, "", &ps);
    Tape tp;
    tape_init(&tp);

    Tensor *x = load_input(&tp, ref, "x", 4, (int[]){2, 3, 16, 16});
    Tensor *y = unet_forward(&u, &tp, x, 1, &rng);
    tape_backward(&tp, probe_loss(&tp, y, ref_shaped(ref, "probe", y)));
    check_against(ref, "", &ps, x, y);

    // evaluation: the running statistics the training pass left behind
    tape_set_no_grad(&tp, 1);
    Tensor *y_eval = unet_forward(&u, &tp, x, 0, NULL);
    check_close("y_eval", y_eval->data, ref_shaped(ref, "y_eval", y_eval), y_eval->size, ATOL, RTOL);

    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

// PatchGAN with batch norm (pix2pix, 6 channels) or instance norm (CycleGAN, 3).
static void patchgan_case(const char *file, PatchGanNorm norm, int in_ch) {
    RefFile *ref = ref_open(file);
    PatchGanConfig cfg = {.in_ch = in_ch, .ndf = 2, .n_layers = 2, .norm = norm};
    Rng rng;
    rng_seed(&rng, 3);
    ParamSet ps;
    paramset_init(&ps);
    PatchGan d;
    patchgan_init(&d, &ps, "d", &cfg, &rng);
    cr_assert_eq(ps.size, patchgan_param_count(&cfg), "the formula counts what _init adds");
    load_params(ref, "", &ps);
    Tape tp;
    tape_init(&tp);
    Tensor *x = load_input(&tp, ref, "x", 4, (int[]){2, in_ch, 16, 16});
    Tensor *y = patchgan_forward(&d, &tp, x, 1);
    expect_shape("PatchGAN logits", y, 4, (int[]){2, 1, 2, 2});
    tape_backward(&tp, probe_loss(&tp, y, ref_shaped(ref, "probe", y)));
    check_against(ref, "", &ps, x, y);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(models, patchgan_batchnorm_forward_backward_match_torch) {
    patchgan_case("models_patchgan_bn.bin", PATCHGAN_BATCHNORM, 6);
}

Test(models, patchgan_instancenorm_forward_backward_match_torch) {
    patchgan_case("models_patchgan_in.bin", PATCHGAN_INSTANCENORM, 3);
}

Test(models, resnet_gen_forward_backward_match_torch) {
    RefFile *ref = ref_open("models_resnet_gen.bin");
    ResnetGenConfig cfg = {.in_ch = 3, .out_ch = 3, .ngf = 2, .n_blocks = 1};
    Rng rng;
    rng_seed(&rng, 3);
    ParamSet ps;
    paramset_init(&ps);
    ResnetGen g;
    resnet_gen_init(&g, &ps, "g", &cfg, &rng);
    cr_assert_eq(ps.size, resnet_gen_param_count(&cfg), "the formula counts what _init adds");
    load_params(ref, "", &ps);
    Tape tp;
    tape_init(&tp);
    Tensor *x = load_input(&tp, ref, "x", 4, (int[]){2, 3, 12, 12});
    Tensor *y = resnet_gen_forward(&g, &tp, x, 1);
    tape_backward(&tp, probe_loss(&tp, y, ref_shaped(ref, "probe", y)));
    check_against(ref, "", &ps, x, y);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(models, vgg_encoder_matches_torch_and_stays_frozen) {
    RefFile *ref = ref_open("models_vgg_enc.bin");
    VggConfig cfg = {.width = 2};
    Rng rng;
    rng_seed(&rng, 3);
    ParamSet ps;
    paramset_init(&ps);
    VggEncoder enc;
    vgg_encoder_init(&enc, &ps, "enc", &cfg, &rng);
    cr_assert_eq(ps.size, vgg_encoder_param_count(&cfg), "the formula counts what _init adds");
    load_params(ref, "", &ps);
    Tape tp;
    tape_init(&tp);
    // 12 -> 6 -> 3 -> 2: the last pool is in ceil mode
    Tensor *x = load_input(&tp, ref, "x", 4, (int[]){2, 3, 12, 12});
    Tensor *feats[VGG_LEVELS];
    vgg_encoder_forward(&enc, &tp, x, feats);
    expect_shape("relu4_1", feats[3], 4, (int[]){2, 16, 2, 2});

    // PyTorch's y is the four levels flattened and joined; so is its probe.
    long total = 0;
    for (int k = 0; k < VGG_LEVELS; k++) total += feats[k]->size;
    const float *y = ref_get(ref, "y", total), *probe = ref_get(ref, "probe", total);
    Tensor *loss = NULL;
    long at = 0;
    for (int k = 0; k < VGG_LEVELS; k++) {
        char what[32];
        snprintf(what, sizeof what, "relu%d_1", k + 1);
        check_close(what, feats[k]->data, y + at, feats[k]->size, ATOL, RTOL);
        Tensor *l = probe_loss(&tp, feats[k], probe + at);
        loss = loss ? tape_add(&tp, loss, l) : l;
        at += feats[k]->size;
    }
    tape_backward(&tp, loss);
    check_close("dx", x->grad, ref_get(ref, "dx", x->size), x->size, ATOL, RTOL);
    for (long i = 0; i < ps.size; i++)
        cr_assert_eq(ps.grad[i], 0.0f, "the frozen encoder got a gradient at %ld", i);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(models, adain_decoder_forward_backward_match_torch) {
    RefFile *ref = ref_open("models_adain_dec.bin");
    VggConfig cfg = {.width = 2};
    Rng rng;
    rng_seed(&rng, 3);
    ParamSet ps;
    paramset_init(&ps);
    AdainDecoder dec;
    adain_decoder_init(&dec, &ps, "dec", &cfg, &rng);
    cr_assert_eq(ps.size, adain_decoder_param_count(&cfg), "the formula counts what _init adds");
    load_params(ref, "", &ps);
    Tape tp;
    tape_init(&tp);
    Tensor *t = load_input(&tp, ref, "x", 4, (int[]){1, 16, 2, 2});
    Tensor *y = adain_decoder_forward(&dec, &tp, t);
    expect_shape("decoder", y, 4, (int[]){1, 3, 16, 16});
    tape_backward(&tp, probe_loss(&tp, y, ref_shaped(ref, "probe", y)));
    check_against(ref, "", &ps, t, y);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

// ---------------------------------------------------------------- adain

typedef struct {
    Tape tp;
    float *content, *style;   // (2, 4, 3, 3), (2, 4, 5, 4)
    const float *probe;
} AdainCase;

static Tensor *adain_of(AdainCase *c, Tensor **content, Tensor **style) {
    *content = tape_tensor(&c->tp, 4, (int[]){2, 4, 3, 3}, 1);
    *style = tape_tensor(&c->tp, 4, (int[]){2, 4, 5, 4}, 1);
    memcpy((*content)->data, c->content, sizeof(float) * (*content)->size);
    memcpy((*style)->data, c->style, sizeof(float) * (*style)->size);
    return adain(&c->tp, *content, *style, 1e-5f);
}

static double adain_probe(void *ctx) {
    AdainCase *c = ctx;
    tape_reset(&c->tp);
    Tensor *content, *style;
    Tensor *y = adain_of(c, &content, &style);
    return dot_probe(y->data, c->probe, y->size);
}

Test(models, adain_matches_torch_and_finite_differences) {
    RefFile *ref = ref_open("models_adain.bin");
    AdainCase c;
    tape_init(&c.tp);
    c.content = (float *)ref_get(ref, "content", 72);
    c.style = (float *)ref_get(ref, "style", 160);
    Tensor *content, *style;
    Tensor *y = adain_of(&c, &content, &style);
    c.probe = ref_shaped(ref, "probe", y);
    check_close("adain", y->data, ref_shaped(ref, "y", y), y->size, 1e-5f, 1e-4f);
    tape_backward(&c.tp, probe_loss(&c.tp, y, c.probe));
    check_close("dcontent", content->grad, ref_get(ref, "dcontent", 72), 72, 1e-5f, 1e-4f);
    check_close("dstyle", style->grad, ref_get(ref, "dstyle", 160), 160, 1e-5f, 1e-4f);

    // the gradients copied out: the finite differences reset the tape
    float dcontent[72], dstyle[160];
    memcpy(dcontent, content->grad, sizeof dcontent);
    memcpy(dstyle, style->grad, sizeof dstyle);
    check_grad_fd("adain d/dcontent", c.content, dcontent, 72, adain_probe, &c, 1e-2f, 1e-2f,
                  1e-2f, 72);
    check_grad_fd("adain d/dstyle", c.style, dstyle, 160, adain_probe, &c, 1e-2f, 1e-2f, 1e-2f, 160);
    tape_free(&c.tp);
    ref_close(ref);
}

// PyTorch's bilinear interpolation (align_corners=False), as its
// area_pixel_compute_source_index writes it: output o reads the source
// coordinate max((o + 0.5) / 2 - 0.5, 0) between its two neighbours, the
// second clamped to the last row or column. One plane (H, W) -> (2H, 2W).
static void bilinear_reference(float *out, const float *x, int H, int W) {
    for (int oy = 0; oy < 2 * H; oy++)
        for (int ox = 0; ox < 2 * W; ox++) {
            float sy = fmaxf((oy + 0.5f) * 0.5f - 0.5f, 0.0f), sx = fmaxf((ox + 0.5f) * 0.5f - 0.5f, 0.0f);
            int y0 = (int)sy, x0 = (int)sx;
            int y1 = y0 + 1 < H ? y0 + 1 : H - 1, x1 = x0 + 1 < W ? x0 + 1 : W - 1;
            float ly = sy - y0, lx = sx - x0;
            out[oy * 2 * W + ox] = (1 - ly) * ((1 - lx) * x[y0 * W + x0] + lx * x[y0 * W + x1]) +
                                   ly * ((1 - lx) * x[y1 * W + x0] + lx * x[y1 * W + x1]);
        }
}

Test(models, bilinear_upsampling_matches_torch_formula) {
    enum { B = 2, C = 3, H = 4, W = 5, PLANE = H * W, UP = 4 * H * W };
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 4, (int[]){B, C, H, W}, 1);
    for (long i = 0; i < x->size; i++) x->data[i] = (float)((i * 37 % 23) - 11) / 7.0f;
    Tensor *y = vgg_upsample_bilinear2x(&tp, x);
    expect_shape("bilinear upsampling", y, 4, (int[]){B, C, 2 * H, 2 * W});
    float want[B * C * UP], probe[B * C * UP], dx[B * C * PLANE], unit[PLANE], col[UP];
    for (int p = 0; p < B * C; p++) bilinear_reference(want + p * UP, x->data + p * PLANE, H, W);
    check_close("bilinear upsampling", y->data, want, y->size, 1e-6f, 1e-5f);
    // the gradient of sum(y * probe): the op is linear, so dx[j] is the
    // probe's dot product with the reference's response to a unit input j
    for (long i = 0; i < y->size; i++) probe[i] = (float)((i * 13 % 17) - 8) / 5.0f;
    tape_backward(&tp, probe_loss(&tp, y, probe));
    for (int p = 0; p < B * C; p++)
        for (int j = 0; j < PLANE; j++) {
            memset(unit, 0, sizeof unit);
            unit[j] = 1.0f;
            bilinear_reference(col, unit, H, W);
            dx[p * PLANE + j] = (float)dot_probe(col, probe + p * UP, UP);
        }
    check_close("bilinear upsampling d/dx", x->grad, dx, x->size, 1e-5f, 1e-4f);
    tape_free(&tp);
}

// ---------------------------------------------------------------- dropout

Test(models, unet_dropout_only_in_training) {
    UNetConfig cfg = {.in_ch = 3, .out_ch = 3, .ngf = 2, .depth = 4, .n_dropout = 3, .dropout = 0.5f};
    Rng rng;
    rng_seed(&rng, 4);
    ParamSet ps;
    paramset_init(&ps);
    UNet u;
    unet_init(&u, &ps, "u", &cfg, &rng);
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *x = tape_tensor(&tp, 4, (int[]){2, 3, 16, 16}, 0);
    rng_fill_uniform(&rng, x->data, (int)x->size, -1.0f, 1.0f);
    Tensor *a = unet_forward(&u, &tp, x, 1, &rng), *b = unet_forward(&u, &tp, x, 1, &rng);
    Tensor *e1 = unet_forward(&u, &tp, x, 0, NULL), *e2 = unet_forward(&u, &tp, x, 0, NULL);
    cr_assert(memcmp(a->data, b->data, sizeof(float) * a->size) != 0,
              "two training passes drew the same dropout masks");
    cr_assert(memcmp(e1->data, e2->data, sizeof(float) * e1->size) == 0,
              "evaluation must be deterministic (no dropout)");
    tape_free(&tp);
    paramset_free(&ps);
}
