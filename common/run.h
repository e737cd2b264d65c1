// run.h - what a program writes: its folders, and the list of its files that
// it prints when it ends, so that the learner knows where to look.
//
//     Outputs out;
//     outputs_init(&out);                     // starts the clock
//     ... outputs_add(&out, "runs/03_dcgan/x/loss.png") for each file written ...
//     if (rc != 0) fprintf(stderr, "%s\n", err.msg);
//     outputs_print(&out, rc == 0);
//
// prints
//
//     Done after 312 s. Wrote:
//       runs/03_dcgan/x/loss.png
#ifndef RUN_H
#define RUN_H

#include "error.h"

#define OUTPUTS_MAX 256
#define OUTPUTS_PATH_LEN 1200   // an output folder (at most 1024 long) and a file name

typedef struct {
    double t_start;   // progress_now() at outputs_init
    int n;
    int left_out;     // paths past OUTPUTS_MAX
    char paths[OUTPUTS_MAX][OUTPUTS_PATH_LEN];
} Outputs;

void outputs_init(Outputs *o);

// Records path once: a file rewritten during the run (a curve redrawn every
// epoch) is listed once, where it was first written. o NULL: nothing to do
// (a helper may be asked not to record). Past OUTPUTS_MAX files the list is
// cut, and outputs_print says how many were left out.
void outputs_add(Outputs *o, const char *path);

// On stdout: "Done after N s. Wrote:" (ok != 0) or "Stopped after N s. Wrote:",
// then one path a line.
void outputs_print(const Outputs *o, int ok);

// Creates the folder path and any missing parent ("mkdir -p"); an existing
// folder is fine.
int run_mkdir(const char *path, Error *err);

#endif
