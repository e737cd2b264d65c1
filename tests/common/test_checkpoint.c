// test_checkpoint.c - save/load round trips (weights, running statistics,
// Adam moments, step, epoch, metadata, RNG), a resumed run that continues
// the same curve, byte-identical re-saves, and the refusal of truncated,
// wrong-magic, wrong-version, wrong-shape and wrong-optimiser files with a
// message and the models left untouched.
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/checkpoint.h"

TestSuite(checkpoint, .timeout = 30);

// Two small "networks", as a GAN checkpoint holds: G with batch norm, D linear.
typedef struct {
    ParamSet gps, dps;
    Conv2d conv;
    BatchNorm2d bn;
    Linear fc;
    Optimizer gopt, dopt;
} Model;

static void model_build(Model *m, int seed, int channels) {
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    paramset_init(&m->gps);
    paramset_init(&m->dps);
    nn_conv2d_init(&m->conv, &m->gps, "g.conv", 1, channels, 3, 1, 1, 0, &rng);
    nn_batchnorm2d_init(&m->bn, &m->gps, "g.bn", channels, &rng);
    nn_linear_init(&m->fc, &m->dps, "d.fc", channels * 4, 1, 1, &rng);   // (2, 2) images
    optim_adam_init(&m->gopt, &m->gps, 1e-2f, 0.5f, 0.999f, 1e-8f);
    optim_adam_init(&m->dopt, &m->dps, 1e-2f, 0.5f, 0.999f, 1e-8f);
}

static void model_free(Model *m) {
    optim_free(&m->gopt);
    optim_free(&m->dopt);
    paramset_free(&m->gps);
    paramset_free(&m->dps);
}

// One training step on fresh noise from rng: the curve a resumed run must continue.
static float model_step(Model *m, Rng *rng) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 4, (int[]){2, 1, 2, 2}, 0);
    rng_fill_normal(rng, x->data, (int)x->size, 0.0f, 1.0f);
    Tensor *h = tape_tanh(&tp, nn_batchnorm2d_forward(&tp, &m->bn,
                                                      nn_conv2d_forward(&tp, &m->conv, x), 1));
    Tensor *logit = nn_linear_forward(&tp, &m->fc, tensor_flatten(&tp, h));
    Tensor *loss = tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 1.0f));
    float value = loss->data[0];
    paramset_zero_grad(&m->gps);
    paramset_zero_grad(&m->dps);
    tape_backward(&tp, loss);
    optim_step(&m->gopt, &m->gps);
    optim_step(&m->dopt, &m->dps);
    tape_free(&tp);
    return value;
}

static void parts(Model *m, CheckpointModel out[2]) {
    out[0] = (CheckpointModel){"G", &m->gps, &m->gopt};
    out[1] = (CheckpointModel){"D", &m->dps, &m->dopt};
}

static char dir[64];

static void make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/ckpt_test_XXXXXX");
    cr_assert(mkdtemp(dir) != NULL, "cannot make a temporary folder");
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d) closedir(d);
    rmdir(dir);
}

static int files_in_dir(void) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

static long read_file(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    cr_assert(fread(*out, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
    fclose(f);
    return n;
}

static void write_file(const char *path, const char *bytes, long n) {
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL && fwrite(bytes, 1, (size_t)n, f) == (size_t)n, "cannot write %s", path);
    fclose(f);
}

static void assert_same_floats(const char *what, const float *a, const float *b, long n) {
    cr_assert(memcmp(a, b, sizeof(float) * n) == 0, "%s differs after the round trip", what);
}

// A saved model after two steps, and the RNG that goes on from there.
static void trained(Model *m, Rng *rng, const char *path) {
    model_build(m, 1, 4);
    rng_seed(rng, 42);
    model_step(m, rng);
    model_step(m, rng);
    rng_normal(rng);   // leaves a spare normal in the state: that must survive too
    CheckpointModel p[2];
    parts(m, p);
    CheckpointInfo info = {.step = 2, .epoch = 1};
    snprintf(info.meta, sizeof info.meta, "lesson 03 dcgan");
    Error err = {{0}};
    cr_assert_eq(checkpoint_save(path, p, 2, &info, rng, &err), 0, "save failed: %s", err.msg);
}

Test(checkpoint, round_trip_restores_everything_and_continues_the_curve) {
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    Model a, b;
    Rng ra, rb;
    trained(&a, &ra, path);
    cr_assert_eq(files_in_dir(), 1, "the temporary file was left behind");

    model_build(&b, 7, 4);
    rng_seed(&rb, 1);
    CheckpointModel p[2];
    parts(&b, p);
    CheckpointInfo info;
    Error err = {{0}};
    cr_assert_eq(checkpoint_load(path, p, 2, &info, &rb, &err), 0, "load failed: %s", err.msg);
    assert_same_floats("G weights", b.gps.data, a.gps.data, a.gps.size);
    assert_same_floats("G buffers", b.gps.buf_data, a.gps.buf_data, a.gps.buf_size);
    assert_same_floats("D weights", b.dps.data, a.dps.data, a.dps.size);
    assert_same_floats("G Adam m", b.gopt.m, a.gopt.m, a.gps.size);
    assert_same_floats("G Adam v", b.gopt.v, a.gopt.v, a.gps.size);
    assert_same_floats("D Adam v", b.dopt.v, a.dopt.v, a.dps.size);
    cr_assert_eq(b.gopt.step, 2, "optimiser step %ld", b.gopt.step);
    cr_assert(info.step == 2 && info.epoch == 1, "step %ld epoch %d", info.step, info.epoch);
    cr_assert_str_eq(info.meta, "lesson 03 dcgan", "metadata");
    cr_assert(rb.has_spare && rb.spare == ra.spare, "the RNG's spare normal was lost");

    // Both runs go on identically: same noise, same losses, same weights.
    for (int s = 0; s < 3; s++) {
        float la = model_step(&a, &ra), lb = model_step(&b, &rb);
        cr_assert(la == lb, "step %d after resume: loss %.9g, uninterrupted %.9g", s, lb, la);
    }
    assert_same_floats("G weights after 3 more steps", b.gps.data, a.gps.data, a.gps.size);
    model_free(&a);
    model_free(&b);
    remove_dir();
}

Test(checkpoint, save_load_save_gives_identical_bytes) {
    make_dir();
    char p1[128], p2[128];
    snprintf(p1, sizeof p1, "%s/a.ckpt", dir);
    snprintf(p2, sizeof p2, "%s/b.ckpt", dir);
    Model a, b;
    Rng ra, rb;
    trained(&a, &ra, p1);
    model_build(&b, 9, 4);
    CheckpointModel p[2];
    parts(&b, p);
    CheckpointInfo info;
    Error err = {{0}};
    cr_assert_eq(checkpoint_load(p1, p, 2, &info, &rb, &err), 0, "load failed: %s", err.msg);
    cr_assert_eq(checkpoint_save(p2, p, 2, &info, &rb, &err), 0, "save failed: %s", err.msg);
    // Saving over an existing file replaces it.
    cr_assert_eq(checkpoint_save(p2, p, 2, &info, &rb, &err), 0, "re-save failed: %s", err.msg);
    char *x, *y;
    long nx = read_file(p1, &x), ny = read_file(p2, &y);
    cr_assert(nx == ny && memcmp(x, y, (size_t)nx) == 0, "re-saved file differs (%ld vs %ld bytes)",
              nx, ny);
    cr_assert_eq(files_in_dir(), 2, "temporary files were left behind");
    free(x);
    free(y);
    model_free(&a);
    model_free(&b);
    remove_dir();
}

// Loads path into a fresh model built with `channels`; expects failure with a
// message containing every given fragment, and the model unchanged.
static void expect_rejected(const char *path, int channels, int with_sgd, const char *frag1,
                            const char *frag2) {
    Model b;
    model_build(&b, 5, channels);
    if (with_sgd) {
        optim_free(&b.gopt);
        optim_sgd_init(&b.gopt, &b.gps, 0.1f, 0.9f);
    }
    float *before = malloc(sizeof(float) * b.gps.size);
    memcpy(before, b.gps.data, sizeof(float) * b.gps.size);
    CheckpointModel p[2];
    parts(&b, p);
    CheckpointInfo info;
    Rng rng;
    Error err = {{0}};
    cr_assert_eq(checkpoint_load(path, p, 2, &info, &rng, &err), -1, "a bad file was accepted");
    cr_assert(strstr(err.msg, path) != NULL, "the message does not name the file: %s", err.msg);
    cr_assert(strstr(err.msg, frag1) != NULL, "message lacks '%s': %s", frag1, err.msg);
    cr_assert(!frag2 || strstr(err.msg, frag2) != NULL, "message lacks '%s': %s", frag2, err.msg);
    cr_assert(memcmp(before, b.gps.data, sizeof(float) * b.gps.size) == 0,
              "a rejected file changed the model");
    free(before);
    model_free(&b);
}

Test(checkpoint, truncated_files_are_rejected_untouched) {
    make_dir();
    char good[128], bad[128];
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    Model a;
    Rng ra;
    trained(&a, &ra, good);
    char *bytes;
    long n = read_file(good, &bytes);
    // Empty, inside the header, inside the shapes, inside the data, one byte short.
    long cuts[5] = {0, 20, 320, n - 100, n - 1};
    for (int i = 0; i < 5; i++) {
        write_file(bad, bytes, cuts[i]);
        expect_rejected(bad, 4, 0, "truncated", NULL);
    }
    // Trailing garbage is refused too: the header promises an exact size.
    char *longer = malloc((size_t)n + 3);
    memcpy(longer, bytes, (size_t)n);
    write_file(bad, longer, n + 3);
    expect_rejected(bad, 4, 0, "expected", "found");
    free(longer);
    free(bytes);
    model_free(&a);
    remove_dir();
}

Test(checkpoint, wrong_magic_version_shape_or_optimiser_is_rejected) {
    make_dir();
    char good[128], bad[128];
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    Model a;
    Rng ra;
    trained(&a, &ra, good);
    char *bytes;
    long n = read_file(good, &bytes);

    bytes[0] = 'X';
    write_file(bad, bytes, n);
    expect_rejected(bad, 4, 0, "not a checkpoint", "magic");
    bytes[0] = 'G';

    bytes[8] = 99;   // the version, right after the magic
    write_file(bad, bytes, n);
    expect_rejected(bad, 4, 0, "version 99", NULL);
    bytes[8] = CHECKPOINT_VERSION;

    // A model with 3 channels instead of 4: the first tensor's shape differs.
    expect_rejected(good, 3, 0, "g.conv.weight (3, 1, 3, 3)", "(4, 1, 3, 3)");
    // SGD where Adam was saved.
    expect_rejected(good, 4, 1, "expected SGD", "found Adam");
    // No such file.
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    expect_rejected(bad, 4, 0, "cannot open", NULL);
    free(bytes);
    model_free(&a);
    remove_dir();
}

Test(checkpoint, weights_only_load_and_failed_save) {
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    Model a, b;
    Rng ra;
    trained(&a, &ra, path);
    // For sampling: no optimiser, no RNG, no info wanted.
    model_build(&b, 3, 4);
    CheckpointModel p[2] = {{"G", &b.gps, NULL}, {"D", &b.dps, NULL}};
    Error err = {{0}};
    cr_assert_eq(checkpoint_load(path, p, 2, NULL, NULL, &err), 0, "load failed: %s", err.msg);
    assert_same_floats("G weights", b.gps.data, a.gps.data, a.gps.size);
    // A folder that does not exist: an error, no crash, no file.
    char nowhere[160];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/folder.ckpt", dir);
    cr_assert_eq(checkpoint_save(nowhere, p, 2, NULL, NULL, &err), -1, "save into nowhere worked");
    cr_assert(strstr(err.msg, nowhere) != NULL, "the message does not name the file: %s", err.msg);
    model_free(&a);
    model_free(&b);
    remove_dir();
}

Test(checkpoint, read_info_needs_no_model) {
    make_dir();
    char path[128], bad[160];
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    Model a;
    Rng ra;
    trained(&a, &ra, path);
    CheckpointInfo info = {.step = -1};
    Error err = {{0}};
    cr_assert_eq(checkpoint_read_info(path, &info, &err), 0, "read_info failed: %s", err.msg);
    cr_assert_eq(info.step, 2, "step: expected 2, found %ld", info.step);
    cr_assert_eq(info.epoch, 1, "epoch: expected 1, found %d", info.epoch);
    cr_assert_str_eq(info.meta, "lesson 03 dcgan", "meta: found \"%s\"", info.meta);

    // Not a checkpoint, or cut inside the header: refused, info untouched.
    char *bytes;
    long n = read_file(path, &bytes);
    snprintf(bad, sizeof bad, "%s/short.ckpt", dir);
    write_file(bad, bytes, 100);   // the metadata starts at byte 56 and is 256 long
    info.step = -1;
    cr_assert_eq(checkpoint_read_info(bad, &info, &err), -1, "a cut header was accepted");
    cr_assert(strstr(err.msg, "truncated") != NULL, "message: %s", err.msg);
    cr_assert_eq(info.step, -1, "info was written for a refused file");
    bytes[0] = 'X';
    write_file(bad, bytes, n);
    cr_assert_eq(checkpoint_read_info(bad, &info, &err), -1, "a wrong magic was accepted");
    cr_assert(strstr(err.msg, "not a checkpoint") != NULL, "message: %s", err.msg);
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    cr_assert_eq(checkpoint_read_info(bad, &info, &err), -1, "a missing file was accepted");
    cr_assert(strstr(err.msg, "cannot open") != NULL, "message: %s", err.msg);
    free(bytes);
    model_free(&a);
    remove_dir();
}

Test(checkpoint, a_flipped_bit_is_refused_by_the_checksum) {
    make_dir();
    char good[128], bad[128];
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    Model a;
    Rng ra;
    trained(&a, &ra, good);
    char *bytes;
    long n = read_file(good, &bytes);
    bytes[n - 40] ^= 0x04;   // one bit of the data (the last tensors' moments)
    write_file(bad, bytes, n);
    expect_rejected(bad, 4, 0, "damaged: its checksum", NULL);
    CheckpointInfo info;
    Error err;
    cr_assert_eq(checkpoint_verify(good, &info, &err), 0, "verify of a good file: %s", err.msg);
    cr_assert_eq(checkpoint_verify(bad, &info, &err), -1, "verify accepted a flipped bit");
    free(bytes);
    model_free(&a);
    remove_dir();
}

Test(checkpoint, blobs_round_trip_and_must_match) {
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/blobs.ckpt", dir);
    Model a, b;
    model_build(&a, 1, 4);
    model_build(&b, 2, 4);
    CheckpointModel pa[2], pb[2];
    parts(&a, pa);
    parts(&b, pb);
    int pool[5] = {3, 1, 4, 1, 5}, got[5] = {0};
    double lr = 1.5e-4, got_lr = 0;
    CheckpointBlob save[2] = {{"pool", pool, sizeof pool}, {"lr", &lr, sizeof lr}};
    CheckpointBlob load[2] = {{"pool", got, sizeof got}, {"lr", &got_lr, sizeof got_lr}};
    CheckpointInfo info = {.step = 9};
    Error err;
    cr_assert_eq(checkpoint_save_all(path, pa, 2, &info, NULL, save, 2, &err), 0, "save: %s",
                 err.msg);
    char *bytes;
    long size = read_file(path, &bytes);
    free(bytes);
    cr_assert_eq(checkpoint_file_bytes(pa, 2, save, 2), size,
                 "checkpoint_file_bytes is not the file's size");
    cr_assert_eq(checkpoint_load_all(path, pb, 2, NULL, NULL, load, 2, &err), 0, "load: %s",
                 err.msg);
    cr_assert(memcmp(pool, got, sizeof pool) == 0 && got_lr == lr, "the blobs came back changed");
    // A blob of another size is refused before anything is written.
    int small[4];
    CheckpointBlob other[2] = {{"pool", small, sizeof small}, {"lr", &got_lr, sizeof got_lr}};
    cr_assert_eq(checkpoint_load_all(path, pb, 2, NULL, NULL, other, 2, &err), -1,
                 "a blob of another size was accepted");
    cr_assert(strstr(err.msg, "'pool'") != NULL, "the message: %s", err.msg);
    // checkpoint_load skips the blobs.
    cr_assert_eq(checkpoint_load(path, pb, 2, NULL, NULL, &err), 0, "load without blobs: %s",
                 err.msg);
    model_free(&a);
    model_free(&b);
    remove_dir();
}

Test(checkpoint, load_networks_by_name) {
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/nets.ckpt", dir);
    Model a, b;
    Rng ra;
    trained(&a, &ra, path);
    model_build(&b, 7, 4);
    Error err;
    CheckpointModel d_only[1] = {{"D", &b.dps, NULL}};
    cr_assert_eq(checkpoint_load_networks(path, d_only, 1, NULL, &err), 0, "D alone: %s", err.msg);
    assert_same_floats("D weights", b.dps.data, a.dps.data, a.dps.size);
    CheckpointModel missing[1] = {{"G_AB", &b.gps, NULL}};
    cr_assert_eq(checkpoint_load_networks(path, missing, 1, NULL, &err), -1,
                 "a network the file does not hold was loaded");
    cr_assert(strstr(err.msg, "'G_AB'") && strstr(err.msg, "'G', 'D'"), "the message: %s",
              err.msg);
    model_free(&a);
    model_free(&b);
    remove_dir();
}
