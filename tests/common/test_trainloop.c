// test_trainloop.c - the training loop (trainloop.h) on a tiny GAN: an
// interrupted and resumed run writes the uninterrupted run's loss.csv and
// checkpoint byte for byte (loss.csv's running means and a registered state
// included); a NaN gradient stops the run before the update, with the
// weights and the last checkpoint untouched; a value past the limit stops
// it; a second run on a locked folder is refused; a second signal ends the
// process at once with the last checkpoint whole; every link of report.html
// exists.
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data/image.h"
#include "train/trainloop.h"

TestSuite(trainloop, .timeout = 60);

// G: z (8, 2) -> Linear -> 2; D: x (8, 2) -> Linear -> 1.
typedef struct {
    ParamSet gps, dps;
    Linear g, d;
    Optimizer gopt, dopt;
    Tape tp;
    Rng rng;
    long counter;         // a registered state: the steps this model has taken
    long stop_at;         // train_request_stop() during this step (0: never)
    long nan_at;          // a NaN in G's gradient in this step (0: never)
    long huge_at;         // step whose loss_d is reported as 1e9 (0: never)
    long raise_at;        // raise SIGINT twice in this step (0: never)
    float *g_before;      // G's weights at the start of step nan_at
    int sample;           // write a picture when asked
} Tiny;

static void tiny_init(Tiny *m) {
    memset(m, 0, sizeof *m);
    rng_seed(&m->rng, 5);
    paramset_init(&m->gps);
    paramset_init(&m->dps);
    nn_linear_init(&m->g, &m->gps, "g.fc", 2, 2, 1, &m->rng);
    nn_linear_init(&m->d, &m->dps, "d.fc", 2, 1, 1, &m->rng);
    optim_adam_init(&m->gopt, &m->gps, 1e-2f, 0.5f, 0.999f, 1e-8f);
    optim_adam_init(&m->dopt, &m->dps, 1e-2f, 0.5f, 0.999f, 1e-8f);
    tape_init(&m->tp);
}

static void tiny_free(Tiny *m) {
    tape_free(&m->tp);
    optim_free(&m->gopt);
    optim_free(&m->dopt);
    paramset_free(&m->gps);
    paramset_free(&m->dps);
    free(m->g_before);
}

static int tiny_step(void *lesson, TrainLoop *loop, float *v, Error *err) {
    (void)err;
    Tiny *m = lesson;
    long step = loop->step + 1;
    Tape *tp = &m->tp;
    tape_reset(tp);
    Tensor *x = tape_tensor(tp, 2, (int[]){8, 2}, 0), *z = tape_tensor(tp, 2, (int[]){8, 2}, 0);
    rng_fill_normal(&m->rng, x->data, 16, 1.0f, 0.1f);
    rng_fill_normal(&m->rng, z->data, 16, 0.0f, 1.0f);
    Tensor *fake = nn_linear_forward(tp, &m->g, z);
    Tensor *lr = nn_linear_forward(tp, &m->d, x), *lf = nn_linear_forward(tp, &m->d, tensor_detach(tp, fake));
    Tensor *loss_d = tape_add(tp, tape_bce_with_logits(tp, lr, tape_full_like(tp, lr, 1.0f)),
                              tape_bce_with_logits(tp, lf, tape_full_like(tp, lf, 0.0f)));
    paramset_zero_grad(&m->dps);
    tape_backward(tp, loss_d);
    optim_step(&m->dopt, &m->dps);
    paramset_set_requires_grad(&m->dps, 0);
    Tensor *lg = nn_linear_forward(tp, &m->d, fake);
    Tensor *loss_g = tape_bce_with_logits(tp, lg, tape_full_like(tp, lg, 1.0f));
    paramset_zero_grad(&m->gps);
    tape_backward(tp, loss_g);
    paramset_set_requires_grad(&m->dps, 1);
    if (step == m->nan_at) {
        m->g_before = malloc(sizeof(float) * m->gps.size);
        memcpy(m->g_before, m->gps.data, sizeof(float) * m->gps.size);
        m->g.weight->grad[1] = NAN;   // as a broken backward would leave it
    }
    optim_step(&m->gopt, &m->gps);
    v[0] = step == m->huge_at ? 1e9f : loss_d->data[0];
    v[1] = loss_g->data[0];
    m->counter++;
    if (step == m->stop_at) train_request_stop();
    if (step == m->raise_at) {
        raise(SIGINT);   // the first: stop after this step
        raise(SIGINT);   // the second: exit at once
    }
    return 0;
}

static int tiny_sample(void *lesson, TrainLoop *loop, const char *png, Error *err) {
    (void)lesson, (void)loop;
    float img[4 * 4] = {0};
    return image_write_png(png, img, 1, 4, 4, err);
}

static char dir[64];

static void make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/trainloop_test_XXXXXX");
    cr_assert(mkdtemp(dir) != NULL, "cannot make a temporary folder");
}

// Parses argv (a NULL-ended list after the program name) into a.
static void parse(Args *a, const char *out, const char **extra) {
    static char *argv[32];
    int argc = 0;
    argv[argc++] = "test";
    argv[argc++] = "--out";
    argv[argc++] = (char *)out;
    argv[argc++] = "--threads";
    argv[argc++] = "1";
    for (int i = 0; extra && extra[i]; i++) argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    args_init(a, "test_loop", "the training loop's tests");
    a->steps = 30;
    Error err;
    cr_assert_eq(args_parse(a, argc, argv, &err), 0, "args_parse: %s", err.msg);
}

// One run of Tiny in out; returns train_run's code.
static int run(Tiny *m, const char *out, const char **extra, Error *err) {
    Args a;
    parse(&a, out, extra);
    TrainSpec spec = {.lesson = m, .step = tiny_step, .sample = m->sample ? tiny_sample : NULL,
                      .log_columns = "loss_d,loss_g", .log_every = 4, .checkpoint_every = 7,
                      .sample_every = 10, .meta = "tiny"};
    static TrainLoop loop;
    train_init(&loop, &a, NULL, &spec);
    train_add_network(&loop, "G", &m->gps, &m->gopt);
    train_add_network(&loop, "D", &m->dps, &m->dopt);
    train_add_rng(&loop, "rng", &m->rng);
    train_add_state(&loop, "counter", &m->counter, sizeof m->counter);
    train_add_plot(&loop, "loss.png", "loss.csv", "loss_d,loss_g", "losses", NULL);
    return train_run(&loop, err);
}

static long read_file(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    cr_assert(fread(*out, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
    (*out)[n] = '\0';
    fclose(f);
    return n;
}

static void assert_same_file(const char *a, const char *b) {
    char *x, *y;
    long nx = read_file(a, &x), ny = read_file(b, &y);
    cr_assert(nx == ny && memcmp(x, y, (size_t)nx) == 0, "%s (%ld bytes) and %s (%ld bytes) differ",
              a, nx, b, ny);
    free(x);
    free(y);
}

Test(trainloop, interrupted_and_resumed_run_is_byte_exact) {
    make_dir();
    char ref[128], cut[128], p[2][192];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(cut, sizeof cut, "%s/cut", dir);
    Error err;
    Tiny a, b;
    tiny_init(&a);
    cr_assert_eq(run(&a, ref, NULL, &err), TRAIN_OK, "the uninterrupted run: %s", err.msg);
    // Stopped at step 13: not a multiple of log_every (4) nor of checkpoint_every (7), so the
    // resumed run needs the running means and the RNG from the checkpoint.
    tiny_init(&b);
    b.stop_at = 13;
    cr_assert_eq(run(&b, cut, NULL, &err), TRAIN_INTERRUPTED, "expected an interrupted run");
    tiny_free(&b);
    tiny_init(&b);   // a new process would start from freshly built networks
    rng_seed(&b.rng, 99);
    cr_assert_eq(run(&b, cut, (const char *[]){"--resume", NULL}, &err), TRAIN_OK,
                 "the resumed run: %s", err.msg);
    cr_assert_eq(b.counter, 30, "the registered state: expected 30 steps, found %ld", b.counter);
    const char *files[] = {"loss.csv", "checkpoint.bin"};
    for (int i = 0; i < 2; i++) {
        snprintf(p[0], sizeof p[0], "%s/%s", ref, files[i]);
        snprintf(p[1], sizeof p[1], "%s/%s", cut, files[i]);
        assert_same_file(p[0], p[1]);
    }
    tiny_free(&a);
    tiny_free(&b);
}

Test(trainloop, nan_gradient_stops_before_the_update) {
    make_dir();
    char out[128], ckpt[192];
    snprintf(out, sizeof out, "%s/nan", dir);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", out);
    Error err;
    Tiny m;
    tiny_init(&m);
    m.nan_at = 12;   // the last checkpoint is step 7's
    cr_assert_eq(run(&m, out, NULL, &err), TRAIN_DIVERGED, "expected the run to diverge");
    cr_assert(strstr(err.msg, "g.fc.weight (model G) has NaN at element 1 of 4 at step 12") &&
              strstr(err.msg, "(step 7)"), "the message: %s", err.msg);
    cr_assert(memcmp(m.g_before, m.gps.data, sizeof(float) * m.gps.size) == 0,
              "G's weights changed after the NaN gradient");
    cr_assert_eq(m.gopt.step, 11, "G's Adam made %ld updates, expected 11", m.gopt.step);
    CheckpointInfo info;
    cr_assert_eq(checkpoint_verify(ckpt, &info, &err), 0, "the checkpoint: %s", err.msg);
    cr_assert_eq(info.step, 7, "the checkpoint holds step %ld, expected 7", info.step);
    cr_assert(m.gopt.gate == NULL, "the loop left its gate in G's optimiser");
    tiny_free(&m);
}

Test(trainloop, a_value_past_the_limit_is_divergence) {
    make_dir();
    char out[128];
    snprintf(out, sizeof out, "%s/huge", dir);
    Error err;
    Tiny m;
    tiny_init(&m);
    m.huge_at = 9;
    cr_assert_eq(run(&m, out, NULL, &err), TRAIN_DIVERGED, "expected the run to diverge");
    cr_assert(strstr(err.msg, "loss_d is 1e+09 at step 9") && strstr(err.msg, "(step 7)"),
              "the message: %s", err.msg);
    tiny_free(&m);
}

Test(trainloop, a_locked_folder_is_refused) {
    make_dir();
    char lock[128];
    snprintf(lock, sizeof lock, "%s/.train.lock", dir);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    cr_assert(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "cannot take the lock");
    cr_assert(write(fd, "process 4242\n", 13) == 13, "cannot write the lock");
    Error err;
    Tiny m;
    tiny_init(&m);
    cr_assert_eq(run(&m, dir, NULL, &err), TRAIN_FAILED, "a locked folder was trained in");
    cr_assert(strstr(err.msg, "another run is using this folder (process 4242)"),
              "the message: %s", err.msg);
    cr_assert_eq(m.counter, 0, "a step ran in a locked folder");
    close(fd);
    tiny_free(&m);
}

Test(trainloop, second_signal_exits_at_once_leaving_a_whole_checkpoint) {
    make_dir();
    char out[128], ckpt[192];
    snprintf(out, sizeof out, "%s/twice", dir);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", out);
    fflush(stdout);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        Tiny m;
        tiny_init(&m);
        m.raise_at = 10;   // after step 7's checkpoint
        Error err;
        run(&m, out, NULL, &err);
        _exit(0);          // not reached when the second signal works
    }
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT,
              "expected exit %d at the second SIGINT, found status %d", 128 + SIGINT, status);
    CheckpointInfo info;
    Error err;
    cr_assert_eq(checkpoint_verify(ckpt, &info, &err), 0, "the checkpoint: %s", err.msg);
    cr_assert_eq(info.step, 7, "the checkpoint holds step %ld, expected 7", info.step);
}

// Every src="..." and href="..." of the page names a file of the folder.
Test(trainloop, every_link_of_report_html_exists) {
    make_dir();
    char out[128], path[256];
    snprintf(out, sizeof out, "%s/report", dir);
    Error err;
    Tiny m;
    tiny_init(&m);
    m.sample = 1;
    cr_assert_eq(run(&m, out, NULL, &err), TRAIN_OK, "the run: %s", err.msg);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html;
    read_file(path, &html);
    int links = 0, samples = 0;
    for (const char *p = html; (p = strpbrk(p, "sh"));) {
        const char *q = NULL;
        if (strncmp(p, "src=\"", 5) == 0) q = p + 5;
        else if (strncmp(p, "href=\"", 6) == 0) q = p + 6;
        if (!q) {
            p++;
            continue;
        }
        const char *end = strchr(q, '"');
        cr_assert(end != NULL, "an unterminated link in report.html");
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(end - q), q);
        cr_assert(strchr(name, '/') == NULL && strchr(name, ':') == NULL,
                  "a link that is not a file of the folder: %s", name);
        snprintf(path, sizeof path, "%s/%s", out, name);
        cr_assert(access(path, R_OK) == 0, "report.html links %s, which does not exist", name);
        links++;
        samples += strncmp(name, "samples_step", 12) == 0;
        p = end;
    }
    // samples at steps 0, 10, 20, 30; loss.csv, checkpoint.bin, loss.png at least
    cr_assert(samples == 4, "expected the 4 sample pictures, found %d", samples);
    cr_assert(links >= 7, "expected at least 7 links, found %d", links);
    cr_assert(strstr(html, "steps = 30") != NULL, "the settings (config.txt) are missing");
    free(html);
    tiny_free(&m);
}
