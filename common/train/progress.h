// progress.h - one status line for a training run:
//
//     step 1200/5000  24%  D 0.612  G 1.873  312 img/s  ETA 2m31s
//
// On a terminal the line is redrawn in place (\r) at most 10 times a second;
// into a file or a pipe (a log, CI) a plain line is written every
// `every_seconds` seconds, so logs stay short.
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdio.h>

typedef struct {
    FILE *out;
    int is_tty;
    long total;            // the step count at which the run ends
    long first;            // the step the run (re)started from: speed counts from here
    int images_per_step;   // for img/s; 0 leaves it out
    double every_seconds;  // how often a non-terminal gets a line
    double t_start, t_last;
    int drawn;             // a \r line is on screen and needs a newline before other output
} Progress;

// out is usually stderr. first > 0 when resuming.
void progress_init(Progress *p, FILE *out, long first, long total, int images_per_step,
                   double every_seconds);

// Shows `step` (1-based: steps done) and the caller's numbers, printf-style,
// e.g. progress_update(&p, step, "D %.3f  G %.3f", loss_d, loss_g). The final
// step is always shown.
void progress_update(Progress *p, long step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Ends the line so that later output starts on a fresh one.
void progress_done(Progress *p);

// "2m31s", "1h04m", "12s": the ETA's format.
void progress_format_duration(char *buf, size_t n, double seconds);

// Seconds on a monotonic clock (one that never jumps): the difference of two
// readings is the time between them, e.g. an epoch's duration.
double progress_now(void);

#endif
