// csvlog.h - the training log: one CSV row of numbers per logged step.
//
//     CsvLog log;
//     if (csvlog_open(&log, "runs/x/log.csv", "step,loss_d,loss_g", -1, &err) != 0) ...
//     csvlog_write(&log, (double[]){step, loss_d, loss_g}, &err);
//     csvlog_close(&log);
//
// Every row is flushed as it is written, so a run that is killed keeps its
// log up to its last row.
//
// A training loop usually logs means over the last few steps, which draw a
// readable curve where single steps are noise:
//
//     csvlog_add(&log, (double[]){loss_d, loss_g});              // every step
//     if (step % 10 == 0) csvlog_write_means(&log, step, &err);  // one row of 10-step means
#ifndef CSVLOG_H
#define CSVLOG_H

#include <stdio.h>

#include "util/error.h"

#define CSVLOG_MAX_COLS 64

typedef struct {
    FILE *f;
    int n_cols;
    char path[1024];   // for error messages
    double sums[CSVLOG_MAX_COLS];   // csvlog_add's running sums since the last row of means
    int n_added;
} CsvLog;

// header: the column names separated by commas; the first column is the step.
// resume_step < 0 starts a new log (an old file is replaced).
// resume_step >= 0 continues an existing log: its header must be `header`,
// and rows whose step is > resume_step (written after the checkpoint being
// resumed) are dropped so that the curve has no repeated steps. A missing
// file is started afresh.
int csvlog_open(CsvLog *log, const char *path, const char *header, long resume_step, Error *err);

// Writes one row: values has one number per column. Whole numbers are written
// without a decimal point; others with 7 significant digits.
int csvlog_write(CsvLog *log, const double *values, Error *err);

// Adds one step's numbers to the running means: values has one number per
// column after the first (the step).
void csvlog_add(CsvLog *log, const double *values);

// Writes the row {step, the mean of each column since the last such row} and
// starts the means over. Nothing is written when nothing was added.
int csvlog_write_means(CsvLog *log, long step, Error *err);

void csvlog_close(CsvLog *log);

#endif
