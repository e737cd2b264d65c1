// trainloop.h - the one training loop every lesson program runs.
//
// A lesson hands the loop what is the lesson: its networks (with their
// optimisers), a step function (one training step: the student's exercise),
// what a sample picture is, what an evaluation measures, the state it needs
// saved for an exact resume, and its flags. The loop owns everything else,
// once for every lesson:
//
//   - the output folder: created, locked against a second run on it
//     (.train.lock names the first), checked writable with room for a
//     checkpoint, config.txt, and at the end the list of the files written;
//     --threads checked against the machine's cores before anything is made;
//   - checkpoint.bin every checkpoint_every steps (and at epoch ends if asked,
//     at the end, and on an interrupt), atomic, holding every registered
//     network's weights and optimiser state, the step, every registered RNG
//     stream and every registered piece of state (an image pool, a batcher's
//     order, loss.csv's running means), so that --resume continues the same
//     curve: byte for byte at --threads 1;
//   - SIGINT and SIGTERM: the step in progress finishes, a checkpoint is
//     saved, the command that resumes is printed, the exit code is 130 (143
//     for SIGTERM); a second signal exits at once (the last checkpoint on disk
//     is whole: saves are atomic);
//   - the divergence check BETWEEN backward and the update: every registered
//     optimiser gets a gate that optim_step runs first (optim.h), so a NaN or
//     Inf gradient stops the run before that network's weights change; the
//     message names the step, the tensor and the element, and the last good
//     checkpoint is kept (exit code 3). The step's logged values are checked
//     too (NaN/Inf, and |value| > TrainSpec.value_limit);
//   - loss.csv (means over log_every steps) and the PNG curves drawn from it
//     and from any other CSV the lesson registers (train_add_plot);
//   - sample pictures (samples_stepNNNNN.png; samples_epochNN.png too at
//     epoch ends) and evaluations on their cadences, always at step 0 of a
//     fresh run and after the last step;
//   - the progress line with ETA (progress.h);
//   - report.html in the run folder: one static page with the run's
//     settings, its curves, its samples in step order and its evaluation
//     numbers (train_report_number), every link relative.
//
// A lesson program then reads:
//
//     int main(int argc, char **argv) {
//         Args args;
//         args_init(&args, "03_dcgan", "DCGAN on Fashion-MNIST");
//         args.steps = 1800;  ...  args_add_int(&args, "fcd-every", &fcd_every, "...");
//         int code = args_parse_or_usage(&args, argc, argv);
//         if (code >= 0) return code;
//         Lesson les;                                // the lesson's own struct
//         ... build the networks, load the data ...
//         TrainSpec spec = {
//             .lesson = &les, .step = les_step, .sample = les_sample,
//             .evaluate = les_evaluate, .start = les_start, .finish = les_finish,
//             .log_columns = "loss_d,loss_g,d_real,d_fake", .progress_labels = "D,G,D(x),D(G(z))",
//             .log_every = 10, .sample_every = 200, .eval_every = 600, .checkpoint_every = 600,
//             .steps_per_epoch = per_epoch, .images_per_step = args.batch,
//             .meta = "lesson 03 dcgan W1",
//         };
//         static TrainLoop loop;                    // large (the list of files): not on the stack
//         train_init(&loop, &args, NULL, &spec);
//         train_add_network(&loop, "G", &les.ps_g, &les.opt_g);
//         train_add_network(&loop, "D", &les.ps_d, &les.opt_d);
//         train_add_rng(&loop, "train", &les.rng);
//         train_add_batcher(&loop, "batches", &les.batcher);
//         train_add_plot(&loop, "loss.png", "loss.csv", "loss_d,loss_g", "the two losses", NULL);
//         // (a GAN on one data set: train_add_gan registers all of these at once)
//         int rc = train_main(&loop);               // everything above, to the list of files
//         ... free the lesson ...
//         return rc;
//     }
//
// Order inside train_run (the loop's side):
//   1. the folder: made, locked, probed (writable, room for a checkpoint);
//   2. --resume: checkpoint.bin loaded into every registered network, RNG and
//      state (refused with a clear message, config.txt and report.html
//      untouched, when it does not match);
//   3. config.txt, loss.csv opened (a resumed one drops rows after the step);
//   4. spec.start (the lesson opens its own logs: loop->resume_step tells it
//      where the run starts); a resumed run that has all its steps says so
//      and trains nothing;
//   5. a fresh run: a sample and an evaluation of the untrained networks;
//   6. the steps: spec.step, the checks, loss.csv, progress, then what is due
//      at this step: sample, evaluation, checkpoint (in this order);
//   7. the last step always has a sample, an evaluation and a checkpoint;
//      then spec.finish, spec.close, the curves, progress.png, report.html;
//      train_main prints the list of files.
//
// Using a trained network afterwards (a lesson's cmd_<name>.c programs):
// checkpoint_load_networks (checkpoint.h) loads some of a checkpoint's
// networks by name, without optimiser or RNG state; translate.h runs a
// folder of images through one and draws input | output | target strips.
//
// One TrainLoop per run folder. A program may run several in turn (lesson 02's
// ring and Fashion-MNIST parts: one folder each, see train_init's dir).
#ifndef TRAINLOOP_H
#define TRAINLOOP_H

#include <stddef.h>

#include "train/args.h"
#include "train/checkpoint.h"
#include "train/csvlog.h"
#include "data/dataset.h"
#include "util/error.h"
#include "nn/optim.h"
#include "data/paired.h"
#include "train/progress.h"
#include "util/rng.h"
#include "train/run.h"
#include "train/train_guard.h"

#define TRAIN_MAX_NETWORKS 8
#define TRAIN_MAX_RNGS 8
#define TRAIN_MAX_STATES 16
#define TRAIN_MAX_PLOTS 12
#define TRAIN_MAX_NUMBERS 24
#define TRAIN_MAX_CLOSERS 8
#define TRAIN_MAX_VALUES CSVLOG_MAX_COLS   // columns of loss.csv after the step

// train_run's results, which train_main returns as the exit code.
enum {
    TRAIN_OK = 0,
    TRAIN_FAILED = 1,        // an error (I/O, data, a lesson callback); message in err
    TRAIN_DIVERGED = 3,      // NaN/Inf or a value past value_limit; nothing was saved
    TRAIN_INTERRUPTED = 130, // SIGINT (143: SIGTERM): saved, the resume command printed
};

// What also happens at the end of every epoch (TrainSpec.at_epoch_end).
enum {
    TRAIN_AT_EPOCH_SAMPLE = 1,       // a sample picture (and samples_epochNN.png)
    TRAIN_AT_EPOCH_EVAL = 2,         // an evaluation
    TRAIN_AT_EPOCH_CHECKPOINT = 4,   // a checkpoint
    TRAIN_AT_EPOCH_LOG = 8,          // a loss.csv row of the means since the last row
};

// What a file is, for report.html's sections and the final list.
typedef enum {
    TRAIN_FILE_DATA,     // a CSV, results.txt, a checkpoint: linked under "files"
    TRAIN_FILE_CURVE,    // a plot: shown under "curves"
    TRAIN_FILE_SAMPLE,   // a sample picture: shown under "samples", in the order written
    TRAIN_FILE_PICTURE,  // any other picture (a class gallery, a comparison strip)
} TrainFileKind;

typedef struct TrainLoop TrainLoop;

// What the lesson supplies. Every callback gets spec.lesson back as `lesson`
// and returns 0, or -1 with a message in err (which stops the run, exit 1).
// loop->step is the number of steps done when a callback runs (step calls it
// with the step in progress not yet counted).
typedef struct {
    void *lesson;

    // One training step: every network's update (the lesson's exercises call
    // optim_step, which runs the loop's divergence gate first). Writes one
    // number per log column into values (in log_columns' order): the step's
    // losses and whatever else loss.csv shows. Required.
    int (*step)(void *lesson, TrainLoop *loop, float *values, Error *err);

    // Draws a sample picture of the current networks into png_path (the loop
    // chooses the name, samples_stepNNNNN.png, and records the file). Always
    // from the same inputs (a fixed z, fixed validation images), so that the
    // pictures show the networks changing, not the draw. NULL: none.
    int (*sample)(void *lesson, TrainLoop *loop, const char *png_path, Error *err);

    // Measures the networks (FCD, an L1 on held-out pairs, a cycle error):
    // writes its own rows (eval.csv through fcdlog.h or a CsvLog opened in
    // start) and may give report.html its numbers (train_report_number).
    // NULL: none.
    int (*evaluate)(void *lesson, TrainLoop *loop, Error *err);

    // Optional. start: after a resume is loaded and before step 0's sample
    // (open the lesson's own logs with loop->resume_step). finish: after the
    // last step's checkpoint (closing lines, results.txt, the lesson's own
    // plots). close: always, at the end of train_run, success or not (close
    // what start opened); it cannot fail.
    int (*start)(void *lesson, TrainLoop *loop, Error *err);
    int (*finish)(void *lesson, TrainLoop *loop, Error *err);
    void (*close)(void *lesson, TrainLoop *loop);

    const char *log_columns;      // loss.csv's columns after "step", e.g. "loss_d,loss_g"
    const char *progress_labels;  // the same count of short names for the progress line
                                  // ("D,G"), comma-separated (so none may hold a comma);
                                  // NULL: log_columns' names
    int log_every;                // steps per loss.csv row (means over them); 0: 10
    int log_with_samples;         // 1: a loss.csv row at every sample picture too

    long steps;                   // the run's length; 0: from the flags (--steps, or
                                  // with --steps 0, --epochs * steps_per_epoch)
    long steps_per_epoch;         // 0: the run has no epochs
    int sample_every;             // steps between sample pictures; 0: only step 0 and the end
    int eval_every;               // steps between evaluations; 0: only step 0 and the end
    int checkpoint_every;         // steps between checkpoints; 0: only at the end (and
                                  // at epoch ends, interrupts)
    int at_epoch_end;             // TRAIN_AT_EPOCH_* bits
    int images_per_step;          // for the progress line's img/s; 0 leaves it out

    int progress_rows;            // > 0: progress.png stacks the first row of cells of
                                  // every sample picture (cells this many pixels high,
                                  // image_write_grid's layout), at most 64 of them
    double value_limit;           // |a logged value| above this is divergence; 0: 1e6
                                  // (issue 19: no healthy course run goes near it)
    int threads;                  // > 0: this many threads whatever --threads says (tiny
                                  // networks that a second thread only slows down)
    int resume_missing_ok;        // 1: with --resume, a folder without a checkpoint starts
                                  // afresh (the second part of a program whose first part
                                  // was interrupted); 0: that is an error
    const char *meta;             // the checkpoint's metadata, e.g. "lesson 03 dcgan W1"
    int resume_same_meta;         // 1: --resume refuses a checkpoint whose metadata is not
                                  // meta (lesson 05: the loss and lambda it was trained with)
    const char *title;            // report.html's heading; NULL: args->about
} TrainSpec;

typedef struct {
    char name[CHECKPOINT_NAME_LEN];
    void *data;
    size_t bytes;
} TrainState;

typedef struct {
    char png[64], csv[64];   // file names in the run folder
    char x_column[32];       // "step", "epoch"
    char columns[256];       // comma-separated
    char title[160], ylabel[64];
    int log_y;
    int moving_average;      // 1: plot_loss_curves (raw faint, mean solid); 0: plot_lines
} TrainPlot;

typedef struct {
    char label[64];
    char value[64];
} TrainNumber;

// The loop's state. The lesson reads the fields marked "read"; the rest is
// the loop's.
struct TrainLoop {
    const Args *args;                 // read: the parsed flags
    TrainSpec spec;
    char dir[1100];                   // read: the run folder (a part of one: out/ring)
    char checkpoint[OUTPUTS_PATH_LEN];// read: dir/checkpoint.bin
    long step;                        // read: steps done
    long total;                       // read: the step at which the run ends
    long resume_step;                 // read: the step the run resumed at; -1 for a fresh run

    CheckpointModel networks[TRAIN_MAX_NETWORKS];
    int n_networks;
    Rng *rngs[TRAIN_MAX_RNGS];
    char rng_names[TRAIN_MAX_RNGS][CHECKPOINT_NAME_LEN];
    int n_rngs;
    TrainState states[TRAIN_MAX_STATES];
    int n_states;
    TrainPlot plots[TRAIN_MAX_PLOTS];
    int n_plots;
    TrainNumber numbers[TRAIN_MAX_NUMBERS];
    int n_numbers;

    Outputs outputs;                  // the files of the run, for the list and the report
    TrainFileKind kinds[OUTPUTS_MAX];
    CsvLog log;                       // loss.csv
    TrainGuard guard;
    Progress progress;
    int diverged;                     // the gate stopped an update: gate_err holds why
    Error gate_err;
    int lock_fd;
    int n_values;                     // columns of loss.csv after the step
    double log_sums[CSVLOG_MAX_COLS]; // loss.csv's running means, as the checkpoint holds them
    int log_added;
    int signal;                       // the signal that stopped the run, 0 if none
    const char *status;               // report.html's word for how the run ended
    int started;                      // config.txt written: the folder holds this run
    CsvLog *lesson_logs[8];           // opened by train_open_log, closed by the loop
    int n_lesson_logs;
    void (*closers[TRAIN_MAX_CLOSERS])(void *ctx);   // train_close_at_end
    void *closer_ctx[TRAIN_MAX_CLOSERS];
    int n_closers;
};

// Binds the loop to the parsed flags (steps, epochs, seed, threads, resume,
// out) and the lesson's spec. dir NULL: args->out; otherwise a folder of its
// own (lesson 02: args->out/ring). The run's length: spec->steps, else
// args->steps, or with --steps 0, args->epochs * spec->steps_per_epoch.
void train_init(TrainLoop *loop, const Args *args, const char *dir, const TrainSpec *spec);

// Registers a network for checkpoints and resume, by name ("G", "D_A"); opt
// may be NULL for a network that is not trained but whose buffers must be
// saved. A trained network's optimiser gets the divergence gate. A frozen
// network loaded from elsewhere (AdaIN's encoder) is not registered.
void train_add_network(TrainLoop *loop, const char *name, ParamSet *ps, Optimizer *opt);

// Registers an RNG stream: saved and restored with the checkpoint. Register
// every stream a step draws from (the data order's, dropout's, the image
// pool's); streams that are only seeded once (a fixed z for the samples)
// need not be.
void train_add_rng(TrainLoop *loop, const char *name, Rng *rng);

// Registers `bytes` bytes at data, saved and restored as they are: an image
// pool's images and count, an lr schedule's current value, a counter. The
// memory must stay where it is for the whole run and keep its size.
void train_add_state(TrainLoop *loop, const char *name, void *data, size_t bytes);

// A batcher's order, position and epoch (dataset.h), so that a resumed epoch
// hands out the batches the uninterrupted run would have.
void train_add_batcher(TrainLoop *loop, const char *name, Batcher *b);

// The same for a batcher of A | B pairs (paired.h).
void train_add_paired_batcher(TrainLoop *loop, const char *name, PairedBatcher *b);

// What every GAN lesson on one data set registers: networks "G" and "D" with
// their optimisers, the RNG "rng" the steps draw from, the batcher "batches"
// (b NULL: none, the data is drawn), and loss.csv's two curves: loss.png
// (loss_d, loss_g, titled loss_title) and d_outputs.png (d_real, d_fake, the
// mean outputs of D, titled d_title). loss.csv's columns must be
// TRAIN_GAN_COLUMNS then.
#define TRAIN_GAN_COLUMNS "loss_d,loss_g,d_real,d_fake"
void train_add_gan(TrainLoop *loop, ParamSet *ps_g, Optimizer *opt_g, ParamSet *ps_d,
                   Optimizer *opt_d, Rng *rng, Batcher *b, const char *loss_title,
                   const char *d_title);

// A curve drawn from a CSV of the run folder (csv, png: file names in it)
// when the run ends and after each evaluation: plot_loss_curves against the
// first column (loss.csv's), or with x_column set, plot_lines against it.
// ylabel NULL: "loss".
void train_add_plot(TrainLoop *loop, const char *png, const char *csv, const char *columns,
                    const char *title, const char *ylabel);
void train_add_line_plot(TrainLoop *loop, const char *png, const char *csv,
                         const char *x_column, const char *columns, const char *title,
                         const char *ylabel, int log_y);

// Records a file the lesson wrote in the run folder (name relative to it,
// e.g. "eval.csv", "classes.png"), for the final list and report.html.
// Recording it twice is harmless.
void train_add_file(TrainLoop *loop, const char *name, TrainFileKind kind);

// A number report.html shows in its evaluation table ("FCD", "41.20");
// printf-style. A later call with the same label replaces the value.
void train_report_number(TrainLoop *loop, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Opens a CSV log of the lesson's own in the run folder (name: "eval.csv",
// "val.csv") with the step as its first column, continuing it on a resume
// (csvlog_open with loop->resume_step), records it for the list and the
// report, and closes it at the end of train_run. Call it from spec.start.
int train_open_log(TrainLoop *loop, CsvLog *log, const char *name, const char *header,
                   Error *err);

// Something the lesson opens during the run (fcdlog_start's evaluator and
// eval.csv) that train_run closes at its end, success or not, after
// spec.close: fn(ctx) is called then, in the order of registration.
void train_close_at_end(TrainLoop *loop, void (*fn)(void *ctx), void *ctx);

// The epoch count at step loop->step (a fraction; 0 when the run has no epochs).
double train_epoch(const TrainLoop *loop);

// Everything of the list above. Returns a TRAIN_* code; err holds the
// message for TRAIN_FAILED and TRAIN_DIVERGED.
int train_run(TrainLoop *loop, Error *err);

// What main does: train_run, the message on stderr, "Done after N s. Wrote:"
// (or "Stopped ...") and the list of files. Returns the exit code
// (TRAIN_INTERRUPTED becomes 130 or 143 by the signal).
int train_main(TrainLoop *loop);

// ---------------------------------------------------------------- for tests

// What a signal would do: the loop stops after the step in progress as if
// SIGINT had arrived (tests interrupt a run without a signal).
void train_request_stop(void);

// Fault injection for tests/reliability, which run the real lesson programs:
//   GAN_TEST_NAN_AT=S          a NaN in the first gradient the divergence gate
//                              checks at step S (before the check, as a bad
//                              backward pass would leave it)
//   GAN_TEST_SKIP_PREFLIGHT=1  no free-space check before training, so that a
//                              save can fail mid-run (ulimit -f)

#endif
