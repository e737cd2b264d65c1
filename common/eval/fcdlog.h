// fcdlog.h - FCD over a training run, measured the same way by lessons 02-04
// (common/eval/evaluator.h says what FCD is): the untrained G's value first, a row
// of eval.csv at every measurement, fcd.png, and the closing line
//
//     FCD 39.02 (untrained G 601.80, floor 0.43)
//
// Each lesson draws its samples from the same noise at every measurement, so
// that the curve shows G changing, not the draw.
//
//     FcdLog fl;
//     if (fcdlog_open(&fl, args.out, data_dir, evaluator_path, "epoch", NULL,
//                     args.resume ? step : -1, &err) != 0) ...
//     ... G writes EVAL_FCD_SAMPLES samples (N, 1, 28, 28) in [-1, 1] into fl.images ...
//     if (fcdlog_measure(&fl, &err) != 0 || fcdlog_write(&fl, step, epoch, NULL, &err) != 0) ...
//     fcdlog_plot(&fl, &out);
//     fcdlog_close(&fl);
//
// eval.csv: step, epoch, fcd, fcd_floor, fcd_untrained, then the lesson's own
// columns (lesson 04: class_accuracy). The floor and the untrained G's FCD
// repeat on every row, so that fcd.png draws them as the two lines that frame
// the curve, and a resumed run finds them again.
#ifndef FCDLOG_H
#define FCDLOG_H

#include "train/csvlog.h"
#include "eval/evaluator.h"
#include "train/run.h"

#define FCDLOG_MAX_EXTRA 4

typedef struct {
    Evaluator ev;
    float *images;        // (EVAL_FCD_SAMPLES, 1, 28, 28): the samples fcdlog_measure scores
    double fcd;           // the latest FCD; NAN before the first
    double untrained;     // the FCD at step 0, the untrained G's; NAN before it is known
    CsvLog log;           // eval.csv
    int n_extra;          // the lesson's own columns
    const char *x_column; // fcd.png's x axis: "step" or "epoch"
    char csv[OUTPUTS_PATH_LEN], png[OUTPUTS_PATH_LEN];
} FcdLog;

// Opens the evaluator (training its classifier first when evaluator_path does
// not exist: evaluator_open) and dir/eval.csv, with extra_columns (e.g.
// "class_accuracy"; NULL for none) after the FCD's. resume_step >= 0 continues
// the log of a resumed run (csvlog_open) and reads the untrained G's FCD and
// the latest one back from it. Prints the classifier's test accuracy and the
// floor. After a failure there is nothing to close.
int fcdlog_open(FcdLog *f, const char *dir, const char *data_dir, const char *evaluator_path,
                const char *x_column, const char *extra_columns, long resume_step, Error *err);

// f->fcd = the FCD of f->images against the test images (a few seconds).
int fcdlog_measure(FcdLog *f, Error *err);

// Writes the row of f->fcd (extra: one number per extra column, or NULL when
// there are none) and prints "step 600 (epoch 0.64): FCD 41.20 (untrained G
// 310.50, floor 0.43)". The row of step 0 sets the untrained G's value.
int fcdlog_write(FcdLog *f, long step, double epoch, const double *extra, Error *err);

// "FCD 39.02 (untrained G 601.80, floor 0.43)" into buf.
void fcdlog_format(const FcdLog *f, char *buf, size_t n);

// fcd.png: FCD, the floor and the untrained G's value against x_column, on a
// log scale. A failed plot is reported on stderr; out (may be NULL) records the file.
void fcdlog_plot(FcdLog *f, Outputs *out);

void fcdlog_close(FcdLog *f);

// The Fashion-MNIST training images (and labels when with_labels) from
// data_dir (the first `limit`; 0: all) and a batcher of `batch` over them,
// dropping a short last batch: what lessons 02-04 train on. Prints the file
// it reads. On failure nothing is left to free.
int fcdlog_load_training(Dataset *ds, Batcher *b, const char *data_dir, int with_labels,
                         int limit, int batch, Error *err);

// ---------------------------------------------------------------- in the training loop
struct TrainLoop;

// fcdlog_open in the loop's run folder, continuing its eval.csv at the loop's
// resume step; eval.csv becomes one of the run's files and fcd.png one of its
// curves (drawn by the loop), and the loop closes f at the end of the run
// (fcdlog_close). Call it from the lesson's start.
int fcdlog_start(FcdLog *f, struct TrainLoop *loop, const char *data_dir,
                 const char *evaluator_path, const char *x_column, const char *extra_columns,
                 Error *err);

// After fcdlog_measure: fcdlog_write at the loop's step and epoch, and the
// FCD numbers of report.html.
int fcdlog_write_at(FcdLog *f, struct TrainLoop *loop, const double *extra, Error *err);

#endif
