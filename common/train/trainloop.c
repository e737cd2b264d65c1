// trainloop.c - see trainloop.h.
#include "train/trainloop.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "kernels/gemm.h"
#include "train/plot.h"
#include "train/trainreport.h"

#define MAX_BLOBS (TRAIN_MAX_RNGS + TRAIN_MAX_STATES + 2)

// ---------------------------------------------------------------- signals

// The first SIGINT/SIGTERM asks the loop to stop after the step in progress;
// a second one ends the process at once (a checkpoint being written then is
// a temporary file: the last whole one stays as it was).
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) {
    if (stop_signal) {
        static const char msg[] = "\ninterrupted again: exiting now; the last checkpoint on "
                                  "disk is whole\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(128 + sig);
    }
    stop_signal = sig;
}

void train_request_stop(void) { stop_signal = SIGINT; }

typedef struct {
    struct sigaction old_int, old_term;
} Signals;

static void signals_install(Signals *s) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;   // reads and writes in progress are not cut short
    sigaction(SIGINT, &sa, &s->old_int);
    sigaction(SIGTERM, &sa, &s->old_term);
}

static void signals_restore(const Signals *s) {
    sigaction(SIGINT, &s->old_int, NULL);
    sigaction(SIGTERM, &s->old_term, NULL);
}

// ---------------------------------------------------------------- registration

static void copy_name(char *dst, size_t n, const char *src, const char *what) {
    if (strlen(src) >= n) {
        fprintf(stderr, "trainloop: %s name '%s' is longer than %zu characters\n", what, src,
                n - 1);
        abort();
    }
    snprintf(dst, n, "%s", src);
}

void train_init(TrainLoop *loop, const Args *args, const char *dir, const TrainSpec *spec) {
    memset(loop, 0, sizeof *loop);
    loop->args = args;
    loop->spec = *spec;
    if (loop->spec.log_every <= 0) loop->spec.log_every = 10;
    if (loop->spec.value_limit <= 0) loop->spec.value_limit = 1e6;
    snprintf(loop->dir, sizeof loop->dir, "%s", dir ? dir : args->out);
    snprintf(loop->checkpoint, sizeof loop->checkpoint, "%s/checkpoint.bin", loop->dir);
    loop->resume_step = -1;
    loop->lock_fd = -1;
    outputs_init(&loop->outputs);
    loop->n_values = 1;
    for (const char *c = spec->log_columns; c && *c; c++) loop->n_values += *c == ',';
    if (!spec->step || !spec->log_columns || loop->n_values > TRAIN_MAX_VALUES - 1) {
        fprintf(stderr, "trainloop: a TrainSpec needs a step function and 1 to %d log columns\n",
                TRAIN_MAX_VALUES - 1);
        abort();
    }
}

// The divergence check: optim_step asks it before it changes a weight.
static int gate(void *ctx, const Optimizer *opt, const ParamSet *ps) {
    TrainLoop *loop = ctx;
    if (loop->diverged) return 1;   // one bad update stops every later one of the step
    const char *inject = getenv("GAN_TEST_NAN_AT");
    if (inject && strtol(inject, NULL, 10) == loop->step + 1 && ps->size > 0) {
        ps->grad[0] = NAN;
        unsetenv("GAN_TEST_NAN_AT");   // once
    }
    const char *name = "?";
    for (int k = 0; k < loop->n_networks; k++)
        if (loop->networks[k].opt == opt) name = loop->networks[k].name;
    if (guard_check_grads(&loop->guard, ps, name, loop->step + 1, &loop->gate_err) != 0) {
        loop->diverged = 1;
        return 1;
    }
    return 0;
}

void train_add_network(TrainLoop *loop, const char *name, ParamSet *ps, Optimizer *opt) {
    if (loop->n_networks == TRAIN_MAX_NETWORKS || strlen(name) >= CHECKPOINT_NAME_LEN) {
        fprintf(stderr, "trainloop: network '%s': at most %d networks, names below %d "
                "characters\n", name, TRAIN_MAX_NETWORKS, CHECKPOINT_NAME_LEN);
        abort();
    }
    loop->networks[loop->n_networks++] = (CheckpointModel){name, ps, opt};
}

void train_add_rng(TrainLoop *loop, const char *name, Rng *rng) {
    if (loop->n_rngs == TRAIN_MAX_RNGS) {
        fprintf(stderr, "trainloop: RNG '%s': at most %d streams\n", name, TRAIN_MAX_RNGS);
        abort();
    }
    copy_name(loop->rng_names[loop->n_rngs], CHECKPOINT_NAME_LEN, name, "RNG");
    loop->rngs[loop->n_rngs++] = rng;
}

void train_add_state(TrainLoop *loop, const char *name, void *data, size_t bytes) {
    if (loop->n_states == TRAIN_MAX_STATES) {
        fprintf(stderr, "trainloop: state '%s': at most %d pieces\n", name, TRAIN_MAX_STATES);
        abort();
    }
    TrainState *s = &loop->states[loop->n_states++];
    copy_name(s->name, sizeof s->name, name, "state");
    s->data = data;
    s->bytes = bytes;
}

// A batcher's permutation of its n items, its position and its epoch.
static void add_order(TrainLoop *loop, const char *name, int *order, int n, int *pos, int *epoch) {
    char key[96];
    snprintf(key, sizeof key, "%s.order", name);
    train_add_state(loop, key, order, sizeof(int) * (size_t)n);
    snprintf(key, sizeof key, "%s.pos", name);
    train_add_state(loop, key, pos, sizeof *pos);
    snprintf(key, sizeof key, "%s.epoch", name);
    train_add_state(loop, key, epoch, sizeof *epoch);
}

void train_add_batcher(TrainLoop *loop, const char *name, Batcher *b) {
    add_order(loop, name, b->order, b->ds->n, &b->pos, &b->epoch);
}

void train_add_paired_batcher(TrainLoop *loop, const char *name, PairedBatcher *b) {
    add_order(loop, name, b->order, b->ps->n, &b->pos, &b->epoch);
}

void train_add_gan(TrainLoop *loop, ParamSet *ps_g, Optimizer *opt_g, ParamSet *ps_d,
                   Optimizer *opt_d, Rng *rng, Batcher *b, const char *loss_title,
                   const char *d_title) {
    train_add_network(loop, "G", ps_g, opt_g);
    train_add_network(loop, "D", ps_d, opt_d);
    train_add_rng(loop, "rng", rng);
    if (b) train_add_batcher(loop, "batches", b);
    train_add_plot(loop, "loss.png", "loss.csv", "loss_d,loss_g", loss_title, NULL);
    train_add_plot(loop, "d_outputs.png", "loss.csv", "d_real,d_fake", d_title, "D output");
}

void train_close_at_end(TrainLoop *loop, void (*fn)(void *ctx), void *ctx) {
    if (loop->n_closers == TRAIN_MAX_CLOSERS) {
        fprintf(stderr, "trainloop: at most %d things to close at the end\n", TRAIN_MAX_CLOSERS);
        abort();
    }
    loop->closers[loop->n_closers] = fn;
    loop->closer_ctx[loop->n_closers++] = ctx;
}

static TrainPlot *new_plot(TrainLoop *loop, const char *png, const char *csv,
                           const char *columns, const char *title, const char *ylabel) {
    if (loop->n_plots == TRAIN_MAX_PLOTS) {
        fprintf(stderr, "trainloop: plot '%s': at most %d plots\n", png, TRAIN_MAX_PLOTS);
        abort();
    }
    TrainPlot *p = &loop->plots[loop->n_plots++];
    copy_name(p->png, sizeof p->png, png, "plot");
    copy_name(p->csv, sizeof p->csv, csv, "plot CSV");
    copy_name(p->columns, sizeof p->columns, columns, "plot columns");
    snprintf(p->title, sizeof p->title, "%s", title);
    snprintf(p->ylabel, sizeof p->ylabel, "%s", ylabel ? ylabel : "loss");
    return p;
}

void train_add_plot(TrainLoop *loop, const char *png, const char *csv, const char *columns,
                    const char *title, const char *ylabel) {
    new_plot(loop, png, csv, columns, title, ylabel)->moving_average = 1;
}

void train_add_line_plot(TrainLoop *loop, const char *png, const char *csv,
                         const char *x_column, const char *columns, const char *title,
                         const char *ylabel, int log_y) {
    TrainPlot *p = new_plot(loop, png, csv, columns, title, ylabel);
    copy_name(p->x_column, sizeof p->x_column, x_column, "plot x column");
    p->log_y = log_y;
}

static void add_path(TrainLoop *loop, const char *path, TrainFileKind kind) {
    Outputs *o = &loop->outputs;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->paths[i], path) == 0) return;
    outputs_add(o, path);
    if (o->n > 0 && strcmp(o->paths[o->n - 1], path) == 0) loop->kinds[o->n - 1] = kind;
}

void train_add_file(TrainLoop *loop, const char *name, TrainFileKind kind) {
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/%s", loop->dir, name);
    add_path(loop, path, kind);
}

void train_report_number(TrainLoop *loop, const char *label, const char *fmt, ...) {
    TrainNumber *n = NULL;
    for (int i = 0; i < loop->n_numbers && !n; i++)
        if (strcmp(loop->numbers[i].label, label) == 0) n = &loop->numbers[i];
    if (!n) {
        if (loop->n_numbers == TRAIN_MAX_NUMBERS) return;
        n = &loop->numbers[loop->n_numbers++];
        snprintf(n->label, sizeof n->label, "%s", label);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->value, sizeof n->value, fmt, ap);
    va_end(ap);
}

int train_open_log(TrainLoop *loop, CsvLog *log, const char *name, const char *header,
                   Error *err) {
    if (loop->n_lesson_logs == (int)(sizeof loop->lesson_logs / sizeof loop->lesson_logs[0]))
        return error_set(err, "%s: the training loop closes at most 8 logs of a lesson", name);
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/%s", loop->dir, name);
    if (csvlog_open(log, path, header, loop->resume_step, err) != 0) return -1;
    loop->lesson_logs[loop->n_lesson_logs++] = log;
    add_path(loop, path, TRAIN_FILE_DATA);
    return 0;
}

double train_epoch(const TrainLoop *loop) {
    return loop->spec.steps_per_epoch > 0 ? (double)loop->step / loop->spec.steps_per_epoch : 0.0;
}

// ---------------------------------------------------------------- checkpoints

// Everything of the run besides the networks: each RNG stream, each
// registered state, and loss.csv's running means.
static int blobs_of(TrainLoop *loop, CheckpointBlob *blobs) {
    int n = 0;
    for (int i = 0; i < loop->n_rngs; i++)
        blobs[n++] = (CheckpointBlob){loop->rng_names[i], loop->rngs[i], sizeof(Rng)};
    for (int i = 0; i < loop->n_states; i++)
        blobs[n++] = (CheckpointBlob){loop->states[i].name, loop->states[i].data,
                                      loop->states[i].bytes};
    blobs[n++] = (CheckpointBlob){"loss.csv sums", loop->log_sums, sizeof loop->log_sums};
    blobs[n++] = (CheckpointBlob){"loss.csv count", &loop->log_added, sizeof loop->log_added};
    return n;
}

static int save(TrainLoop *loop, Error *err) {
    memcpy(loop->log_sums, loop->log.sums, sizeof loop->log_sums);
    loop->log_added = loop->log.n_added;
    CheckpointBlob blobs[MAX_BLOBS];
    int nb = blobs_of(loop, blobs);
    CheckpointInfo info = {.step = loop->step, .epoch = (int)train_epoch(loop)};
    snprintf(info.meta, sizeof info.meta, "%s", loop->spec.meta ? loop->spec.meta : "");
    if (checkpoint_save_all(loop->checkpoint, loop->networks, loop->n_networks, &info, NULL,
                            blobs, nb, err) != 0)
        return -1;
    guard_saved(&loop->guard, loop->step);
    add_path(loop, loop->checkpoint, TRAIN_FILE_DATA);
    return 0;
}

static int resume(TrainLoop *loop, Error *err) {
    CheckpointBlob blobs[MAX_BLOBS];
    int nb = blobs_of(loop, blobs);
    CheckpointInfo info;
    if (access(loop->checkpoint, F_OK) != 0)
        return error_set(err, "%s: cannot resume: no checkpoint in %s (a run that stopped "
                         "before its first save starts again without --resume)",
                         loop->checkpoint, loop->dir);
    if (loop->spec.resume_same_meta) {
        if (checkpoint_read_info(loop->checkpoint, &info, err) != 0) return -1;
        if (strcmp(info.meta, loop->spec.meta ? loop->spec.meta : "") != 0)
            return error_set(err, "%s was trained as \"%s\", this run is \"%s\": resume with "
                             "the flags it was trained with", loop->checkpoint, info.meta,
                             loop->spec.meta ? loop->spec.meta : "");
    }
    if (checkpoint_load_all(loop->checkpoint, loop->networks, loop->n_networks, &info, NULL,
                            blobs, nb, err) != 0)
        return -1;
    loop->step = loop->resume_step = info.step;
    printf("resumed at step %ld from %s\n", loop->step, loop->checkpoint);
    return 0;
}

// ---------------------------------------------------------------- the folder

// A second run on the same folder would splice its rows into this one's:
// an advisory lock held for the whole run (released by the kernel however
// the process ends) refuses it, naming the holder.
static int lock_folder(TrainLoop *loop, Error *err) {
    char path[OUTPUTS_PATH_LEN + 16];
    snprintf(path, sizeof path, "%s/.train.lock", loop->dir);
    // O_CLOEXEC: gnuplot, started during the run, must not inherit the lock
    // (a killed run's plot still drawing would refuse the resume).
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return error_set(err, "%s: cannot create the run's lock file: %s", path,
                                 strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char holder[128] = "";
        ssize_t n = read(fd, holder, sizeof holder - 1);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        close(fd);
        return error_set(err, "%s: another run is using this folder (%s); wait for it to end, "
                         "or choose another --out", loop->dir, *holder ? holder : "unknown");
    }
    char text[64];
    int len = snprintf(text, sizeof text, "process %ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len) {
        // the lock holds without its text; the message of a refused run is vaguer
    }
    loop->lock_fd = fd;
    return 0;
}

static void unlock_folder(TrainLoop *loop) {
    if (loop->lock_fd >= 0) close(loop->lock_fd);
    loop->lock_fd = -1;
}

// ---------------------------------------------------------------- pictures, evaluations

static void draw_plots(TrainLoop *loop, int record) {
    for (int i = 0; i < loop->n_plots; i++) {
        const TrainPlot *p = &loop->plots[i];
        char png[OUTPUTS_PATH_LEN], csv[OUTPUTS_PATH_LEN];
        snprintf(png, sizeof png, "%s/%s", loop->dir, p->png);
        snprintf(csv, sizeof csv, "%s/%s", loop->dir, p->csv);
        Error err;
        int rc = p->moving_average
                     ? plot_loss_curves(png, csv, p->columns, p->title, p->ylabel, &err)
                     : plot_lines(png, csv, p->x_column, p->columns, p->title, p->x_column,
                                  p->ylabel, p->log_y, &err);
        if (rc == 0 && record) add_path(loop, png, TRAIN_FILE_CURVE);
        if (rc != 0 && record) fprintf(stderr, "no plot %s: %s\n", p->png, err.msg);
    }
}

static int copy_file(const char *to, const char *from, Error *err) {
    FILE *in = fopen(from, "rb");
    if (!in) return error_set(err, "%s: cannot read: %s", from, strerror(errno));
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return error_set(err, "%s: cannot write: %s", to, strerror(errno));
    }
    char buf[1 << 14];
    size_t n;
    int failed = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) failed = 1;
    failed |= ferror(in);
    fclose(in);
    if (fclose(out) != 0) failed = 1;
    return failed ? error_set(err, "%s: writing failed: %s", to, strerror(errno)) : 0;
}

static int is_epoch_end(const TrainLoop *loop) {
    return loop->spec.steps_per_epoch > 0 && loop->step % loop->spec.steps_per_epoch == 0;
}

static int sample(TrainLoop *loop, double t0, Error *err) {
    progress_done(&loop->progress);
    printf("step %ld", loop->step);
    if (loop->spec.steps_per_epoch > 0) printf(" (epoch %.2f)", train_epoch(loop));
    printf(": %.0f s so far\n", progress_now() - t0);
    char png[OUTPUTS_PATH_LEN];
    snprintf(png, sizeof png, "%s/samples_step%05ld.png", loop->dir, loop->step);
    if (loop->spec.sample(loop->spec.lesson, loop, png, err) != 0) return -1;
    add_path(loop, png, TRAIN_FILE_SAMPLE);
    if ((loop->spec.at_epoch_end & TRAIN_AT_EPOCH_SAMPLE) && is_epoch_end(loop)) {
        char epoch_png[OUTPUTS_PATH_LEN];
        snprintf(epoch_png, sizeof epoch_png, "%s/samples_epoch%02d.png", loop->dir,
                 (int)train_epoch(loop));
        if (copy_file(epoch_png, png, err) != 0) return -1;
        add_path(loop, epoch_png, TRAIN_FILE_SAMPLE);
    }
    return 0;
}

static int evaluate(TrainLoop *loop, Error *err) {
    progress_done(&loop->progress);
    if (loop->spec.evaluate(loop->spec.lesson, loop, err) != 0) return -1;
    draw_plots(loop, 0);   // to watch during the run
    return 0;
}

// Whether what happens every `every` steps (and at epoch ends when bit is
// set, and after the last step) is due now.
static int due(const TrainLoop *loop, int every, int bit) {
    return (every > 0 && loop->step % every == 0) ||
           ((loop->spec.at_epoch_end & bit) && is_epoch_end(loop)) || loop->step == loop->total;
}

// ---------------------------------------------------------------- one step

// The step's logged values: NaN/Inf, or past the limit no healthy run reaches.
static int check_values(TrainLoop *loop, const float *values, Error *err) {
    const char *names = loop->spec.log_columns;
    for (int i = 0; i < loop->n_values; i++) {
        int len = (int)strcspn(names, ",");
        float v = values[i];
        if (!isfinite(v) || fabs(v) > loop->spec.value_limit) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", len, names);
            if (!isfinite(v)) return guard_check_loss(&loop->guard, name, v, loop->step + 1, err);
            char last[1200];
            if (loop->guard.good_step < 0)
                snprintf(last, sizeof last, "no checkpoint has been written yet");
            else
                snprintf(last, sizeof last, "the last good checkpoint is %s (step %ld)",
                         loop->guard.checkpoint, loop->guard.good_step);
            return error_set(err, "%s is %g at step %ld, past %g, which no healthy run reaches: "
                             "the training diverged (a learning rate too high?); %s", name, v,
                             loop->step + 1, loop->spec.value_limit, last);
        }
        names += len + (names[len] == ',');
    }
    return 0;
}

static void show_progress(TrainLoop *loop, const float *values) {
    char line[512];
    int len = 0;
    if (loop->spec.steps_per_epoch > 0)
        len += snprintf(line, sizeof line, "epoch %ld  ",
                        (loop->step - 1) / loop->spec.steps_per_epoch + 1);
    const char *names = loop->spec.progress_labels ? loop->spec.progress_labels
                                                   : loop->spec.log_columns;
    for (int i = 0; i < loop->n_values && len < (int)sizeof line - 40; i++) {
        int n = (int)strcspn(names, ",");
        len += snprintf(line + len, sizeof line - len, "%s%.*s %.3f", i ? "  " : "", n, names,
                        values[i]);
        names += n + (names[n] == ',');
    }
    progress_update(&loop->progress, loop->step, "%s", line);
}

// The command that continues an interrupted run.
static void print_resume_command(const TrainLoop *loop) {
    const Args *a = loop->args;
    int has_resume = 0, has_out = 0;
    printf("To continue it:\n ");
    for (int i = 0; i < a->argc; i++) {
        const char *s = a->argv[i];
        has_resume |= strcmp(s, "--resume") == 0;
        has_out |= strcmp(s, "--out") == 0 || strncmp(s, "--out=", 6) == 0;
        printf(strpbrk(s, " \t'\"$") ? " '%s'" : " %s", s);
    }
    if (!has_resume) printf(" --resume");
    if (!has_out) printf(" --out %s", a->out);
    printf("\n");
}

// ---------------------------------------------------------------- the run

static int train_steps(TrainLoop *loop, Error *err) {
    const TrainSpec *s = &loop->spec;
    double t0 = progress_now();
    progress_init(&loop->progress, stderr, loop->step, loop->total, s->images_per_step, 10.0);
    if (loop->resume_step < 0) {   // the untrained networks: where the curves start
        if (s->sample && sample(loop, t0, err) != 0) return TRAIN_FAILED;
        if (s->evaluate && evaluate(loop, err) != 0) return TRAIN_FAILED;
    }
    float values[TRAIN_MAX_VALUES];
    double row[TRAIN_MAX_VALUES];
    while (loop->step < loop->total) {
        if (s->step(s->lesson, loop, values, err) != 0) return TRAIN_FAILED;
        if (loop->diverged) {
            progress_done(&loop->progress);
            *err = loop->gate_err;
            return TRAIN_DIVERGED;
        }
        if (check_values(loop, values, err) != 0) {
            progress_done(&loop->progress);
            return TRAIN_DIVERGED;
        }
        loop->step++;
        for (int i = 0; i < loop->n_values; i++) row[i] = values[i];
        csvlog_add(&loop->log, row);
        show_progress(loop, values);
        if ((loop->step % s->log_every == 0 ||
             ((s->at_epoch_end & TRAIN_AT_EPOCH_LOG) && is_epoch_end(loop)) ||
             (s->log_with_samples && s->sample && due(loop, s->sample_every,
                                                      TRAIN_AT_EPOCH_SAMPLE))) &&
            csvlog_write_means(&loop->log, loop->step, err) != 0)
            return TRAIN_FAILED;
        if (s->sample && due(loop, s->sample_every, TRAIN_AT_EPOCH_SAMPLE) &&
            sample(loop, t0, err) != 0)
            return TRAIN_FAILED;
        if (s->evaluate && due(loop, s->eval_every, TRAIN_AT_EPOCH_EVAL) &&
            evaluate(loop, err) != 0)
            return TRAIN_FAILED;
        if ((due(loop, s->checkpoint_every, TRAIN_AT_EPOCH_CHECKPOINT) || stop_signal) &&
            save(loop, err) != 0)
            return TRAIN_FAILED;
        if (stop_signal) {
            progress_done(&loop->progress);
            loop->signal = stop_signal;
            printf("\nInterrupted (%s) at step %ld of %ld: %s holds it.\n",
                   stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", loop->step, loop->total,
                   loop->checkpoint);
            print_resume_command(loop);
            return TRAIN_INTERRUPTED;
        }
    }
    progress_done(&loop->progress);
    if (csvlog_write_means(&loop->log, loop->step, err) != 0) return TRAIN_FAILED;
    printf("training: %.0f s for %ld steps\n", progress_now() - t0,
           loop->step - (loop->resume_step > 0 ? loop->resume_step : 0));
    return TRAIN_OK;
}

// Steps 2 to 7 of trainloop.h, once the folder is locked.
static int run_locked(TrainLoop *loop, Error *err) {
    const Args *a = loop->args;
    CheckpointBlob blobs[MAX_BLOBS];
    long bytes = checkpoint_file_bytes(loop->networks, loop->n_networks, blobs,
                                       blobs_of(loop, blobs));
    const char *skip = getenv("GAN_TEST_SKIP_PREFLIGHT");
    if (!(skip && *skip == '1') && guard_check_output(loop->dir, bytes, err) != 0)
        return TRAIN_FAILED;
    int fresh = loop->spec.resume_missing_ok && access(loop->checkpoint, F_OK) != 0;
    if (a->resume && fresh) printf("%s: no checkpoint yet: this part starts afresh\n", loop->dir);
    if (a->resume && !fresh && resume(loop, err) != 0) return TRAIN_FAILED;
    guard_init(&loop->guard, loop->checkpoint, loop->resume_step);
    if (args_write_config(a, err) != 0) return TRAIN_FAILED;
    loop->started = 1;
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/config.txt", a->out);
    add_path(loop, path, TRAIN_FILE_DATA);

    char header[CSVLOG_MAX_COLS * 32];
    snprintf(header, sizeof header, "step,%s", loop->spec.log_columns);
    snprintf(path, sizeof path, "%s/loss.csv", loop->dir);
    if (csvlog_open(&loop->log, path, header, loop->resume_step, err) != 0) return TRAIN_FAILED;
    add_path(loop, path, TRAIN_FILE_DATA);
    if (loop->resume_step >= 0) {   // the means of the steps after loss.csv's last row
        memcpy(loop->log.sums, loop->log_sums, sizeof loop->log.sums);
        loop->log.n_added = loop->log_added;
    }
    if (loop->spec.start && loop->spec.start(loop->spec.lesson, loop, err) != 0)
        return TRAIN_FAILED;
    if (loop->step >= loop->total) {
        printf("nothing left to train: the run has its %ld steps (a larger --steps continues "
               "it)\n", loop->total);
        return TRAIN_OK;
    }
    for (int k = 0; k < loop->n_networks; k++)
        if (loop->networks[k].opt) {
            loop->networks[k].opt->gate = gate;
            loop->networks[k].opt->gate_ctx = loop;
        }
    Signals sig;
    signals_install(&sig);
    int rc = train_steps(loop, err);
    signals_restore(&sig);
    for (int k = 0; k < loop->n_networks; k++)
        if (loop->networks[k].opt) loop->networks[k].opt->gate = NULL;
    if (rc == TRAIN_OK && loop->spec.finish &&
        loop->spec.finish(loop->spec.lesson, loop, err) != 0)
        rc = TRAIN_FAILED;
    return rc;
}

// The curves, progress.png and report.html of a run that began (one refused
// before it began, a resume that does not match, leaves the folder's pages,
// which describe the run that is there, alone).
static void write_pictures(TrainLoop *loop, int rc) {
    if (rc == TRAIN_OK) draw_plots(loop, 1);
    if (loop->spec.progress_rows > 0 && loop->spec.sample) {
        char png[OUTPUTS_PATH_LEN];
        Error perr;
        snprintf(png, sizeof png, "%s/progress.png", loop->dir);
        if (train_write_progress(loop, png, loop->spec.progress_rows, &perr) == 0)
            add_path(loop, png, TRAIN_FILE_PICTURE);
        else
            fprintf(stderr, "no progress.png: %s\n", perr.msg);
    }
    loop->status = rc == TRAIN_OK ? "finished" : rc == TRAIN_INTERRUPTED ? "interrupted"
                   : rc == TRAIN_DIVERGED ? "stopped: diverged" : "stopped by an error";
    Error err;
    char report[OUTPUTS_PATH_LEN];
    snprintf(report, sizeof report, "%s/report.html", loop->dir);
    if (train_write_report(loop, report, &err) == 0) add_path(loop, report, TRAIN_FILE_DATA);
    else fprintf(stderr, "no report: %s\n", err.msg);
}

int train_run(TrainLoop *loop, Error *err) {
    const Args *a = loop->args;
    const TrainSpec *s = &loop->spec;
    stop_signal = 0;
    loop->diverged = 0;
    loop->total = s->steps > 0 ? s->steps
                  : a->steps > 0 ? a->steps : (long)a->epochs * s->steps_per_epoch;
    if (loop->total <= 0) {
        error_set(err, "nothing to train: --steps must be positive (or --steps 0 with "
                  "--epochs >= 1)");
        return TRAIN_FAILED;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (run_mkdir(loop->dir, err) != 0 || lock_folder(loop, err) != 0) return TRAIN_FAILED;
    int threads_before = compute_threads();
    compute_set_threads(s->threads > 0 ? s->threads : a->threads);
    int threads = compute_threads();
    if (a->out_found)
        printf("--resume: continuing %s, the run of runs/%s/ with the newest checkpoint "
               "(--out chooses another)\n", a->out, a->lesson);
    printf("%s: output in %s, %d thread%s\n", a->lesson, loop->dir, threads,
           threads == 1 ? "" : "s");

    int rc = run_locked(loop, err);
    if (s->close) s->close(s->lesson, loop);
    for (int i = 0; i < loop->n_closers; i++) loop->closers[i](loop->closer_ctx[i]);
    loop->n_closers = 0;
    for (int i = 0; i < loop->n_lesson_logs; i++) csvlog_close(loop->lesson_logs[i]);
    loop->n_lesson_logs = 0;
    csvlog_close(&loop->log);
    if (loop->started) write_pictures(loop, rc);
    unlock_folder(loop);
    if (s->threads > 0) compute_set_threads(threads_before);
    return rc;
}

int train_main(TrainLoop *loop) {
    Error err = {{0}};
    int rc = train_run(loop, &err);
    if (rc == TRAIN_FAILED || rc == TRAIN_DIVERGED) fprintf(stderr, "%s\n", err.msg);
    outputs_print(&loop->outputs, rc == TRAIN_OK);
    if (rc == TRAIN_INTERRUPTED) return 128 + loop->signal;
    return rc;
}
