// plot.h - pictures of a run, drawn by gnuplot with the scripts in plots/.
//
// Each function runs gnuplot (fork + exec, parameters passed with -e) and
// waits for it. A plot is a by-product: when gnuplot is missing or fails the
// function returns -1 with a message in err, and the caller prints it and
// carries on; a training run never stops because of a plot.
//
// The scripts are looked for in $GAN_PLOTS_DIR, then ./plots, then in a
// plots/ folder beside or above the running program.
// Column lists are comma-separated, as in the CSV header ("loss_d,loss_g").
#ifndef PLOT_H
#define PLOT_H

#include "util/error.h"

// The CSV's columns against its first column (the step): raw values faint,
// a moving average solid (plots/loss_curves.gp). ylabel NULL means "loss";
// e.g. "D output" for the columns d_real,d_fake.
int plot_loss_curves(const char *png_path, const char *csv_path, const char *columns,
                     const char *title, const char *ylabel, Error *err);

// Columns against the column x_column, as lines (plots/lines.gp). log_y != 0
// gives a logarithmic y axis.
int plot_lines(const char *png_path, const char *csv_path, const char *x_column,
               const char *columns, const char *title, const char *xlabel, const char *ylabel,
               int log_y, Error *err);

// Two sets of 2-D points, a (na, 2) and b (nb, 2), in two colours on equal
// axes (plots/scatter.gp).
int plot_scatter(const char *png_path, const float *a, int na, const char *label_a, const float *b,
                 int nb, const char *label_b, const char *title, Error *err);

#endif
