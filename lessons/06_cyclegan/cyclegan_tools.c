// cyclegan_tools.c - lesson 06's data, paired metric, strips and metrics.txt.
#include "cyclegan_tools.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/checkpoint.h"
#include "train/translate.h"

void *l06_malloc(size_t bytes, const char *what) {
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "out of memory: %s needs %zu bytes\n", what, bytes);
        exit(1);
    }
    return p;
}

int l06_load(UnpairedSet *us, const char *root, const char *phase, int size, Error *err) {
    if (unpaired_load(us, root, phase, 3, size, size, err) != 0) return -1;
    if (strcmp(phase, "test") != 0) return 0;
    if (us->n_a != us->n_b)
        return error_set(err, "%s/testA holds %d images and testB %d: the paired metric needs the "
                         "same emoji in both (testA/x.png and testB/x.png)", root, us->n_a, us->n_b);
    for (int i = 0; i < us->n_a; i++)
        if (strcmp(us->names_a[i], us->names_b[i]) != 0)
            return error_set(err, "%s: testA/%s has no twin testB/%s (found testB/%s): the paired "
                             "metric needs the same file names in both", root, us->names_a[i],
                             us->names_a[i], us->names_b[i]);
    return 0;
}

// Adds image-by-image L1 sums and PSNRs of out against target (n images of `image` values).
static void score(double *l1, double *psnr, const float *out, const float *target, int n,
                  long image) {
    for (int i = 0; i < n; i++) {
        double abs = 0.0, sq = 0.0;
        for (long k = 0; k < image; k++) {
            double d = (double)out[i * image + k] - target[i * image + k];
            abs += fabs(d);
            sq += 0.25 * d * d;   // [-1, 1] -> [0, 1] halves every difference
        }
        *l1 += abs / image;
        *psnr += 10.0 * log10(1.0 / (sq / image > 1e-10 ? sq / image : 1e-10));
    }
}

void l06_evaluate(L06Cyclegan *c, L06Metrics *m, const UnpairedSet *test, int n, int size) {
    enum { CHUNK = 16 };
    long image = 3L * size * size;
    float *buf = l06_malloc(sizeof(float) * 4 * CHUNK * image, "the evaluation's batches");
    float *a = buf, *b = a + CHUNK * image, *out = b + CHUNK * image, *rec = out + CHUNK * image;
    memset(m, 0, sizeof *m);
    if (n > test->n_a) n = test->n_a;
    double unused = 0.0;
    for (int i = 0; i < n; i += CHUNK) {
        int k = n - i < CHUNK ? n - i : CHUNK;
        for (int j = 0; j < k; j++) {
            unpaired_get(a + j * image, test, 0, i + j, 0, 0, size, size, 0);
            unpaired_get(b + j * image, test, 1, i + j, 0, 0, size, size, 0);
        }
        score(&m->l1_copy_a, &m->psnr_copy_a, a, b, k, image);
        score(&m->l1_copy_b, &m->psnr_copy_b, b, a, k, image);
        l06_translate(c, out, a, k, size, size, 1);         // G(a)
        score(&m->l1_g, &m->psnr_g, out, b, k, image);
        l06_translate(c, rec, out, k, size, size, 0);       // F(G(a))
        score(&m->cycle_a, &unused, rec, a, k, image);
        l06_translate(c, out, b, k, size, size, 0);         // F(b)
        score(&m->l1_f, &m->psnr_f, out, a, k, image);
        l06_translate(c, rec, out, k, size, size, 1);       // G(F(b))
        score(&m->cycle_b, &unused, rec, b, k, image);
    }
    double *sums[] = {&m->l1_g, &m->psnr_g, &m->l1_copy_a, &m->psnr_copy_a, &m->l1_f, &m->psnr_f,
                      &m->l1_copy_b, &m->psnr_copy_b, &m->cycle_a, &m->cycle_b};
    for (int i = 0; i < 10; i++) *sums[i] /= n > 0 ? n : 1;
    m->n = n;
    free(buf);
}

void l06_print_metrics(const char *what, const L06Metrics *m) {
    printf("%s (%d pairs): G(a) vs b L1 %.4f (copying a: %.4f), PSNR %.2f dB (%.2f); "
           "F(b) vs a L1 %.4f, PSNR %.2f dB (%.2f); cycle A %.4f, B %.4f\n",
           what, m->n, m->l1_g, m->l1_copy_a, m->psnr_g, m->psnr_copy_a, m->l1_f, m->psnr_f,
           m->psnr_copy_b, m->cycle_a, m->cycle_b);
}

int l06_write_metrics(const char *path, const L06Config *cfg, long step, const L06Metrics *m,
                      Error *err) {
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "cannot write %s", path);
    char meta[CHECKPOINT_META_LEN];
    l06_config_to_meta(meta, sizeof meta, cfg);
    fprintf(f, "%s\nstep %ld\ntest pairs %d\n", meta, step, m->n);
    fprintf(f, "G(a) vs b: L1 %.4f PSNR %.2f dB\ncopy a vs b: L1 %.4f PSNR %.2f dB\n", m->l1_g,
            m->psnr_g, m->l1_copy_a, m->psnr_copy_a);
    fprintf(f, "F(b) vs a: L1 %.4f PSNR %.2f dB\ncopy b vs a: L1 %.4f PSNR %.2f dB\n", m->l1_f,
            m->psnr_f, m->l1_copy_b, m->psnr_copy_b);
    fprintf(f, "cycle A |F(G(a)) - a| %.4f\ncycle B |G(F(b)) - b| %.4f\n", m->cycle_a, m->cycle_b);
    if (fclose(f) != 0) return error_set(err, "cannot write %s", path);
    return 0;
}

void l06_strip_pairs(float *a, float *b, const UnpairedSet *test, int n, int size) {
    long image = 3L * size * size;
    for (int i = 0; i < n; i++) {
        int k = (int)((long)i * test->n_a / n);
        unpaired_get(a + i * image, test, 0, k, 0, 0, size, size, 0);
        unpaired_get(b + i * image, test, 1, k, 0, 0, size, size, 0);
    }
}

int l06_write_strip(L06Cyclegan *c, const char *path, const float *a, const float *b, int n,
                    int size, float *work, Error *err) {
    long image = 3L * size * size, half = n * image;
    float *x = work, *y = x + 2 * half, *z = y + 2 * half;   // input, there, and back
    memcpy(x, a, sizeof(float) * half);
    memcpy(x + half, b, sizeof(float) * half);
    l06_translate(c, y, a, n, size, size, 1);
    l06_translate(c, z, y, n, size, size, 0);
    l06_translate(c, y + half, b, n, size, size, 0);
    l06_translate(c, z + half, y + half, n, size, size, 1);
    float *truth = malloc(sizeof(float) * 2 * half);
    if (!truth) return error_set(err, "%s: out of memory for %d true images", path, 2 * n);
    memcpy(truth, b, sizeof(float) * half);
    memcpy(truth + half, a, sizeof(float) * half);
    float *outs[] = {y, z};
    int rc = translate_write_strip(path, x, 3, outs, 2, truth, 2 * n, size, size, err);
    free(truth);
    return rc;
}

int l06_load_checkpoint(L06Cyclegan *c, const char *path, Error *err) {
    CheckpointInfo info;
    L06Config cfg;
    if (checkpoint_read_info(path, &info, err) != 0) return -1;
    Rng rng;
    rng_seed(&rng, 1);
    if (l06_config_from_meta(&cfg, info.meta, err) != 0 ||
        l06_cyclegan_init(c, &cfg, 8, 8, &rng, err) != 0) {   // the pools are not used: any size
        char msg[ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return error_set(err, "%s: %s", path, msg);
    }
    CheckpointModel models[2] = {{"G", &c->ps_g, NULL}, {"F", &c->ps_f, NULL}};
    if (checkpoint_load_networks(path, models, 2, NULL, err) != 0) {
        l06_cyclegan_free(c);
        return -1;
    }
    printf("%s: G and F trained %ld steps (%s)\n", path, info.step, info.meta);
    return 0;
}

void l06_print_model(const L06Cyclegan *c) {
    const L06Config *cfg = &c->cfg;
    printf("G, F: ResNet, ngf %d, %d blocks, %s upsampling%s, %ld parameters each; D_X, D_Y: "
           "PatchGAN ndf %d, %ld parameters each\n", cfg->g.ngf, cfg->g.n_blocks,
           cfg->g.upsample == RESNET_UP_RESIZE ? "resize" : "transposed",
           cfg->g.input_skip ? ", input skip" : "", c->ps_g.size, cfg->d.ndf, c->ps_dx.size);
    printf("loss: LSGAN%s, identity %g x lambda; pool %d; Adam lr %g\n",
           cfg->cycle ? " + cycle" : " (no cycle)", cfg->identity, cfg->pool_size, cfg->lr);
}

void l06_add_pools(TrainLoop *loop, L06Cyclegan *c) {
    L06Pool *pools[] = {&c->pool_a, &c->pool_b};
    const char *names[][2] = {{"pool_a.images", "pool_a.count"}, {"pool_b.images", "pool_b.count"}};
    for (int i = 0; i < 2; i++) {
        L06Pool *p = pools[i];
        size_t images = (size_t)(p->cap > 0 ? p->cap : 1);   // l06_pool_init's allocation
        train_add_state(loop, names[i][0], p->images, sizeof(float) * images * p->c * p->h * p->w);
        train_add_state(loop, names[i][1], &p->count, sizeof p->count);
    }
}
