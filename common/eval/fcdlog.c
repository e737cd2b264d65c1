// fcdlog.c - see fcdlog.h.
#include "eval/fcdlog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/plot.h"
#include "train/trainloop.h"

#define FCDLOG_HEADER "step,epoch,fcd,fcd_floor,fcd_untrained"
#define FCDLOG_COLS 5   // the columns of FCDLOG_HEADER

static int count_columns(const char *columns) {
    if (!columns || !*columns) return 0;
    int n = 1;
    for (const char *p = columns; *p; p++) n += (*p == ',');
    return n;
}

// A resumed run's untrained and latest FCD: the last row of its eval.csv.
static void read_back(FcdLog *f) {
    FILE *in = fopen(f->csv, "r");
    if (!in) return;
    char line[1024];
    int header = 1;
    while (fgets(line, sizeof line, in)) {
        if (header) {
            header = 0;
            continue;
        }
        double v[FCDLOG_COLS];
        char *p = line, *end;
        int n = 0;
        for (; n < FCDLOG_COLS; n++, p = end + 1) {
            v[n] = strtod(p, &end);
            if (end == p || (*end != ',' && n < FCDLOG_COLS - 1)) break;
        }
        if (n < FCDLOG_COLS) continue;   // a row cut by a kill: skip it
        f->fcd = v[2];
        f->untrained = v[4];
    }
    fclose(in);
}

int fcdlog_open(FcdLog *f, const char *dir, const char *data_dir, const char *evaluator_path,
                const char *x_column, const char *extra_columns, long resume_step, Error *err) {
    memset(f, 0, sizeof *f);
    f->fcd = NAN;
    f->untrained = NAN;
    f->x_column = x_column;
    f->n_extra = count_columns(extra_columns);
    if (f->n_extra > FCDLOG_MAX_EXTRA)
        return error_set(err, "fcdlog: at most %d extra columns, found %d", FCDLOG_MAX_EXTRA,
                         f->n_extra);
    snprintf(f->csv, sizeof f->csv, "%s/eval.csv", dir);
    snprintf(f->png, sizeof f->png, "%s/fcd.png", dir);
    if (evaluator_open(&f->ev, data_dir, evaluator_path, err) != 0) return -1;
    printf("evaluator: %s, test accuracy %.4f, FCD floor %.3f\n", evaluator_path,
           f->ev.test_accuracy, f->ev.fcd_floor);
    f->images = malloc(sizeof(float) * EVAL_FCD_SAMPLES * EVAL_PIXELS);
    if (!f->images) {
        evaluator_close(&f->ev);
        return error_set(err, "fcdlog: out of memory for %d samples", EVAL_FCD_SAMPLES);
    }
    char header[256];
    snprintf(header, sizeof header, "%s%s%s", FCDLOG_HEADER, f->n_extra ? "," : "",
             f->n_extra ? extra_columns : "");
    if (csvlog_open(&f->log, f->csv, header, resume_step, err) != 0) {
        fcdlog_close(f);
        return -1;
    }
    if (resume_step >= 0) read_back(f);
    return 0;
}

int fcdlog_measure(FcdLog *f, Error *err) {
    return evaluator_fcd(&f->fcd, &f->ev, f->images, EVAL_FCD_SAMPLES, err);
}

void fcdlog_format(const FcdLog *f, char *buf, size_t n) {
    snprintf(buf, n, "FCD %.2f (untrained G %.2f, floor %.2f)", f->fcd, f->untrained,
             f->ev.fcd_floor);
}

int fcdlog_write(FcdLog *f, long step, double epoch, const double *extra, Error *err) {
    if (step == 0) f->untrained = f->fcd;
    double row[FCDLOG_COLS + FCDLOG_MAX_EXTRA] = {step, epoch, f->fcd, f->ev.fcd_floor,
                                                  f->untrained};
    for (int i = 0; i < f->n_extra; i++) row[FCDLOG_COLS + i] = extra[i];
    char text[128];
    fcdlog_format(f, text, sizeof text);
    printf("step %ld (epoch %.2f): %s\n", step, epoch, text);
    return csvlog_write(&f->log, row, err);
}

void fcdlog_plot(FcdLog *f, Outputs *out) {
    Error err;
    if (plot_lines(f->png, f->csv, f->x_column, "fcd,fcd_floor,fcd_untrained",
                   "FCD of 10,000 samples against the test images (lower is better)", f->x_column,
                   "FCD", 1, &err) == 0)
        outputs_add(out, f->png);
    else
        fprintf(stderr, "no FCD plot: %s\n", err.msg);
}

void fcdlog_close(FcdLog *f) {
    csvlog_close(&f->log);
    evaluator_close(&f->ev);
    free(f->images);
    f->images = NULL;
}

static void close_at_end(void *f) { fcdlog_close(f); }

int fcdlog_start(FcdLog *f, TrainLoop *loop, const char *data_dir, const char *evaluator_path,
                 const char *x_column, const char *extra_columns, Error *err) {
    if (fcdlog_open(f, loop->dir, data_dir, evaluator_path, x_column, extra_columns,
                    loop->resume_step, err) != 0)
        return -1;
    train_add_file(loop, "eval.csv", TRAIN_FILE_DATA);
    train_add_line_plot(loop, "fcd.png", "eval.csv", x_column, "fcd,fcd_floor,fcd_untrained",
                        "FCD of 10,000 samples against the test images (lower is better)",
                        "FCD", 1);
    train_close_at_end(loop, close_at_end, f);
    return 0;
}

int fcdlog_write_at(FcdLog *f, TrainLoop *loop, const double *extra, Error *err) {
    if (fcdlog_write(f, loop->step, train_epoch(loop), extra, err) != 0) return -1;
    train_report_number(loop, "FCD (lower is better)", "%.2f at step %ld", f->fcd, loop->step);
    train_report_number(loop, "FCD of the untrained G (the ceiling)", "%.2f", f->untrained);
    train_report_number(loop, "FCD of training vs test images (the floor)", "%.2f",
                        f->ev.fcd_floor);
    return 0;
}

int fcdlog_load_training(Dataset *ds, Batcher *b, const char *data_dir, int with_labels,
                         int limit, int batch, Error *err) {
    char images[1100], labels[1100];
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", data_dir);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte.gz", data_dir);
    printf("reading %s\n", images);
    if (dataset_load_idx(ds, images, with_labels ? labels : NULL, limit, 28, 28,
                         with_labels ? EVAL_CLASSES : 0, err) != 0)
        return -1;
    if (batcher_init(b, ds, batch, 1, err) != 0) {
        dataset_free(ds);
        return -1;
    }
    return 0;
}
