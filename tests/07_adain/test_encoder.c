// test_encoder.c - lesson 07's encoder outside the exercises: the weight
// file of tools/convert_vgg.py against PyTorch (its --test mode: a random
// VGG in vgg_normalised's layout, data/lesson07_vgg_tiny.*), a decoder
// checkpoint refused with another encoder, the random encoder's calibration,
// and the size rule. Not graded: none of it is the student's.
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "adain_tools.h"
#include "train/checkpoint.h"
#include "l07_test.h"
#include "autograd/tape.h"

TestSuite(l07_encoder, .timeout = 30);

static const char *ref_path(const char *file, char *buf, size_t n) {
    snprintf(buf, n, "%s/%s", REF_DIR, file);
    return buf;
}

Test(l07_encoder, converted_vgg_matches_pytorch_at_every_level) {
    char path[1200];
    AdainConfig cfg = adain_default_config();
    AdainNet n;
    adain_init(&n, &cfg, 1);
    Error err;
    int rc = adain_encoder_load(&n, ref_path("lesson07_vgg_tiny.enc", path, sizeof path), &err);
    cr_assert(rc == 0, "loading the converter's test file: %s", err.msg);
    cr_assert(n.cfg.width == 2, "the file's width (2) replaces the config's, got %d", n.cfg.width);
    RefFile *ref = ref_open("lesson07_vgg_tiny.bin");
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *x = l07_tensor(&tp, ref, "x", 4, (int[]){1, 3, 12, 12}, 0);
    Tensor *f[VGG_LEVELS];
    vgg_encoder_forward(&n.enc, &tp, x, f);
    const char *names[VGG_LEVELS] = {"relu1_1", "relu2_1", "relu3_1", "relu4_1"};
    for (int i = 0; i < VGG_LEVELS; i++) {
        char what[96];
        snprintf(what, sizeof what, "%s of the converted VGG (1x1 colour conv and [0, 1] folded "
                 "into conv1_1) against PyTorch's slice", names[i]);
        check_close(what, f[i]->data, ref_get(ref, names[i], f[i]->size), f[i]->size, 1e-2f, 1e-4f);
    }
    tape_free(&tp);
    ref_close(ref);
    adain_free(&n);
}

Test(l07_encoder, a_decoder_is_refused_with_another_encoder) {
    char dir[] = "/tmp/l07_encoder_XXXXXX";
    cr_assert(mkdtemp(dir) != NULL, "a scratch folder");
    char enc_a[1100], enc_b[1100], ckpt[1100];
    snprintf(enc_a, sizeof enc_a, "%s/a.enc", dir);
    snprintf(enc_b, sizeof enc_b, "%s/b.enc", dir);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", dir);
    AdainConfig cfg = {.width = 2, .style_weight = 1, .identity_weight = 1, .lr = 1e-3f};
    AdainNet a, b, c;
    adain_init(&a, &cfg, 1);
    adain_init(&b, &cfg, 2);
    Error err;
    cr_assert(adain_encoder_save(&a, enc_a, &err) == 0, "saving encoder a: %s", err.msg);
    cr_assert(adain_encoder_save(&b, enc_b, &err) == 0, "saving encoder b: %s", err.msg);
    CheckpointInfo info = {.step = 1};
    adain_meta(info.meta, sizeof info.meta, &a);
    CheckpointModel m = {.name = "decoder", .params = &a.ps_dec, .opt = NULL};
    cr_assert(checkpoint_save(ckpt, &m, 1, &info, NULL, &err) == 0, "saving: %s", err.msg);
    cr_assert(adain_load_trained(&c, ckpt, enc_a, &err) == 0, "with its own encoder: %s", err.msg);
    check_close("the decoder loaded with its own encoder", c.ps_dec.data, a.ps_dec.data,
                a.ps_dec.size, 0.0f, 0.0f);
    adain_free(&c);
    cr_assert(adain_load_trained(&c, ckpt, enc_b, &err) != 0,
              "a decoder paired with another encoder must be refused");
    cr_assert(strstr(err.msg, "trained with encoder") && strstr(err.msg, "not with the one given"),
              "the message says why (the decoder was trained with another encoder): %s", err.msg);
    char hash[20];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)a.enc_hash);
    cr_assert(strstr(err.msg, hash), "the message names the decoder's encoder %s: %s", hash, err.msg);
    adain_free(&c);
    adain_free(&a);
    adain_free(&b);
    unlink(enc_a), unlink(enc_b), unlink(ckpt), rmdir(dir);
}

Test(l07_encoder, weight_file_round_trip_and_truncation) {
    char path[] = "/tmp/l07_enc_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "a scratch file");
    close(fd);
    AdainConfig cfg = {.width = 3, .style_weight = 1, .identity_weight = 1, .lr = 1e-3f};
    AdainNet a, b;
    adain_init(&a, &cfg, 4);
    cfg.width = 5;
    adain_init(&b, &cfg, 5);
    Error err;
    cr_assert(adain_encoder_save(&a, path, &err) == 0, "saving: %s", err.msg);
    cr_assert(adain_encoder_load(&b, path, &err) == 0, "loading: %s", err.msg);
    cr_assert(b.cfg.width == 3 && b.enc_hash == a.enc_hash,
              "loaded: width %d (want 3), the same hash", b.cfg.width);
    cr_assert(truncate(path, 100) == 0, "truncating");
    cr_assert(adain_encoder_load(&b, path, &err) != 0, "a truncated file must be refused");
    cr_assert(strstr(err.msg, path) && strstr(err.msg, "floats"),
              "the message names the file and the floats expected: %s", err.msg);
    adain_free(&a);
    adain_free(&b);
    unlink(path);
}

Test(l07_encoder, calibration_gives_every_channel_mean_activation_one) {
    AdainConfig cfg = {.width = 4, .style_weight = 1, .identity_weight = 1, .lr = 1e-3f};
    AdainNet n;
    adain_init(&n, &cfg, 6);
    enum { K = 4, S = 32 };
    float *imgs = malloc(sizeof(float) * K * 3 * S * S);
    Rng r;
    rng_seed(&r, 9);
    for (long i = 0; i < K * 3 * S * S; i++) imgs[i] = 0.6f * sinf(0.05f * i) + 0.3f * (rng_uniform(&r) - 0.5f);
    uint64_t before = n.enc_hash;
    adain_calibrate(&n, imgs, K, S, 1);
    cr_assert(n.enc_hash != before, "calibration changes the weights, and so the hash");
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *x = tape_tensor(&tp, 4, (int[]){K, 3, S, S}, 0);
    memcpy(x->data, imgs, sizeof(float) * x->size);
    Tensor *f[VGG_LEVELS];
    vgg_encoder_forward(&n.enc, &tp, x, f);
    for (int l = 0; l < VGG_LEVELS; l++) {
        int C = f[l]->shape[1];
        long N = (long)f[l]->shape[2] * f[l]->shape[3];
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (int b = 0; b < K; b++)
                for (long k = 0; k < N; k++) s += f[l]->data[((long)b * C + c) * N + k];
            float mean = (float)(s / (K * N)), one = 1.0f;
            char what[64];
            snprintf(what, sizeof what, "mean activation of level %d channel %d", l, c);
            check_close(what, &mean, &one, 1, 1e-3f, 1e-3f);
        }
    }
    tape_free(&tp);
    free(imgs);
    adain_free(&n);
}

Test(l07_encoder, the_size_rule_is_named) {
    Error err;
    cr_assert(adain_check_size(64, 96, "a.jpg", &err) == 0, "64x96 fits");
    cr_assert(adain_check_size(60, 96, "a.jpg", &err) != 0, "60 rows is not a multiple of 8");
    cr_assert(strstr(err.msg, "a.jpg") && strstr(err.msg, "multiples of 8"),
              "the message names the file and the rule: %s", err.msg);
    cr_assert(adain_check_size(8, 96, "b.png", &err) != 0, "8 rows is too few");
}

// A decoder trained with bilinear upsampling must be run with it: the
// checkpoint says so ("up=bilinear"), and loading it switches the net over.
Test(l07_encoder, a_checkpoint_names_its_upsampling) {
    char dir[] = "/tmp/l07_up_XXXXXX";
    cr_assert(mkdtemp(dir) != NULL, "a scratch folder");
    char enc[1100], ckpt[1100];
    snprintf(enc, sizeof enc, "%s/a.enc", dir);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", dir);
    AdainConfig cfg = {.width = 2, .style_weight = 1, .identity_weight = 1, .lr = 1e-3f, .bilinear = 1};
    AdainNet a, c;
    adain_init(&a, &cfg, 1);
    Error err;
    cr_assert(adain_encoder_save(&a, enc, &err) == 0, "saving the encoder: %s", err.msg);
    CheckpointInfo info = {.step = 1};
    adain_meta(info.meta, sizeof info.meta, &a);
    cr_assert(strstr(info.meta, " up=bilinear") != NULL, "the metadata names the upsampling: %s",
              info.meta);
    CheckpointModel m = {.name = "decoder", .params = &a.ps_dec, .opt = NULL};
    cr_assert(checkpoint_save(ckpt, &m, 1, &info, NULL, &err) == 0, "saving: %s", err.msg);
    cr_assert(adain_load_trained(&c, ckpt, enc, &err) == 0, "loading: %s", err.msg);
    cr_assert(c.cfg.bilinear && c.dec.cfg.bilinear,
              "a bilinear decoder loads as bilinear (the default config is nearest)");
    adain_free(&c);
    adain_free(&a);
    unlink(enc), unlink(ckpt), rmdir(dir);
}
