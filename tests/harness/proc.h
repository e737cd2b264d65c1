// proc.h - runs a test binary under a wall-clock limit, output to a file.
//
// Criterion's own --timeout flag is ignored (2.4.1) and a test without a
// .timeout can loop forever, so every run of a student's test binary goes
// through here: the child gets its own process group, and on time-out the
// whole group (the runner and its forked workers) is killed.
#ifndef HARNESS_PROC_H
#define HARNESS_PROC_H

typedef enum { PROC_EXITED, PROC_SIGNALED, PROC_TIMED_OUT, PROC_NOT_STARTED } ProcOutcome;

typedef struct {
    ProcOutcome outcome;
    int code;       // exit status (PROC_EXITED) or signal number (PROC_SIGNALED)
    double seconds; // wall time
} ProcResult;

// Runs argv[0] with argv, stdout and stderr both written to out_path
// (truncated), stdin from /dev/null; kills it after timeout_s seconds.
ProcResult proc_run(char *const argv[], const char *out_path, double timeout_s);

#endif
