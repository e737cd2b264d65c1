// run.h - what a lesson program does around its training: it starts (writes
// config.txt, sets the threads, says where its files go), records the files
// it writes, and ends by listing them, so that the learner knows where to look.
//
//     int code = args_parse_or_usage(&args, argc, argv);
//     if (code >= 0) return code;
//     Outputs out;
//     Error err;
//     int rc = run_start(&out, &args, &err);
//     if (rc == 0) rc = train(&args, &out, &err);   // outputs_add(&out, path) per file
//     return run_end(&out, rc, &err);
//
// prints, at the start and at the end,
//
//     03_dcgan: output in runs/03_dcgan/20260101-120000, 2 threads
//     ...
//     Done after 312 s. Wrote:
//       runs/03_dcgan/20260101-120000/config.txt
//       runs/03_dcgan/20260101-120000/loss.png
#ifndef RUN_H
#define RUN_H

#include "train/args.h"
#include "util/error.h"

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
// then one path a line; "... Nothing was written." when the list is empty.
void outputs_print(const Outputs *o, int ok);

// After args_parse_or_usage, before anything is printed on stdout: makes
// stdout line-buffered (into a log file or a pipe too, each line appears as
// it is printed), writes a->out/config.txt (args_write_config), starts o with
// it (and the clock), uses a->threads threads (0: all cores) and prints where
// the outputs go. Returns 0, or -1 with err.
int run_start(Outputs *o, const Args *a, Error *err);

// The end of main: err's message on stderr when rc != 0, then the list
// (outputs_print). Returns main's exit code: 0, or 1 when rc != 0.
int run_end(const Outputs *o, int rc, const Error *err);

// Creates the folder path and any missing parent ("mkdir -p"); an existing
// folder is fine.
int run_mkdir(const char *path, Error *err);

#endif
