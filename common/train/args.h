// args.h - the command-line parser every lesson program shares.
//
// Common flags live in the Args struct; a lesson sets their defaults, binds
// its own flags to its own variables (whose current values are the
// defaults), then parses:
//
//     int main(int argc, char **argv) {
//         Args args;
//         args_init(&args, "03_dcgan", "DCGAN on Fashion-MNIST");
//         args.steps = 5000;                      // this lesson's defaults
//         args.batch = 64;
//         float beta1 = 0.5f;
//         const char *loss = "nonsat";
//         args_add_float(&args, "beta1", &beta1, "Adam's beta1");
//         args_add_choice(&args, "g-loss", &loss, "sat|nonsat", "generator loss");
//         int code = args_parse_or_usage(&args, argc, argv);
//         if (code >= 0) return code;              // --help, or a usage error
//         if (beta1 >= 1.0f) return args_usage_error(&args, "--beta1: expected below 1");
//         Error err;
//         if (args_write_config(&args, &err) != 0) ...
//         ...
//
// Flags are written `--name value` or `--name=value`; booleans take no value.
// The library never exits: main decides. Exit codes: 0 after --help, 2 for a
// usage error.
#ifndef ARGS_H
#define ARGS_H

#include <stdio.h>

#include "util/error.h"

#define ARGS_MAX_FLAGS 48
#define ARGS_HELP 1   // args_parse's result when --help or -h was given

typedef enum { ARG_INT, ARG_FLOAT, ARG_STRING, ARG_CHOICE, ARG_BOOL } ArgType;

typedef struct {
    const char *name;      // without the leading "--"
    ArgType type;
    void *value;           // int *, float *, const char ** (string, choice), int * (bool)
    const char *choices;   // ARG_CHOICE: the allowed values, "a|b|c"
    const char *help;
    char default_text[64]; // the value before parsing, shown by args_usage
    int has_range;         // ARG_INT from args_add_int_range: a value outside [lo, hi] is refused
    int lo, hi;
} ArgFlag;

typedef struct {
    // The common flags: set defaults before args_parse, read after.
    int steps;            // --steps: training steps (0: the lesson counts in epochs)
    int epochs;           // --epochs
    int batch;            // --batch: mini-batch size
    float lr;             // --lr: learning rate
    int seed;             // --seed: seeds every random choice of the run
    const char *out;      // --out: output folder; after args_parse never NULL
    const char *name;     // --name: out = runs/<lesson>/<name> (default: date and time)
    int threads;          // --threads: 0 = all cores
    int resume;           // --resume: continue from the checkpoint in out
    int help;             // --help, -h

    const char *lesson;   // "03_dcgan": names the runs/ subfolder
    const char *about;    // one line for the usage message
    const char *program;  // argv[0]
    int argc;
    char **argv;
    ArgFlag flags[ARGS_MAX_FLAGS];
    int n_flags;
    int n_common;         // the first n_common flags are the common ones
    char out_buf[1024];   // storage for a derived out
    int out_found;        // 1: out is the run --resume found (no --out, no --name given)
} Args;

// Registers the common flags with generic defaults. Args must not move
// afterwards (the flags point into it).
void args_init(Args *a, const char *lesson, const char *about);

// Lesson flags: the variable's current value is the default. Registering more
// than ARGS_MAX_FLAGS flags, or a name twice, is a programming error: abort().
void args_add_int(Args *a, const char *name, int *value, const char *help);
void args_add_float(Args *a, const char *name, float *value, const char *help);
void args_add_string(Args *a, const char *name, const char **value, const char *help);
void args_add_choice(Args *a, const char *name, const char **value, const char *choices,
                     const char *help);
void args_add_bool(Args *a, const char *name, int *value, const char *help);
// An int flag with limits: args_parse refuses a value outside [lo, hi] with
// "--strip-count: expected 1 to 64, found 200", before anything runs (a count
// too large for a picture died at the first one, after minutes of training).
void args_add_int_range(Args *a, const char *name, int *value, int lo, int hi, const char *help);

// Returns 0, ARGS_HELP, or -1 with err saying which argument is wrong and why.
// Resolves out: --out, else runs/<lesson>/<name>, else runs/<lesson>/<date-time>;
// with --resume and neither, the run folder in runs/<lesson>/ whose checkpoint.bin
// (in it, or in a part's folder inside it: lesson 02's ring/) is the newest, and
// out_found is set (the training loop says which folder it picked). A folder
// without a checkpoint (a run refused or stopped before its first save) is
// passed over.
int args_parse(Args *a, int argc, char **argv, Error *err);

void args_usage(const Args *a, FILE *f);

// args_parse, and what every program does with its answer: on --help, the
// usage on stdout and 0; on a wrong argument, the error and the usage on
// stderr and 2. Returns -1 when the program goes on: main returns any
// other value as its exit code.
int args_parse_or_usage(Args *a, int argc, char **argv);

// A lesson's own check of the parsed values failed: prints the message
// (printf-style) and the usage on stderr; returns 2, the exit code.
int args_usage_error(const Args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Creates out (and its parents, run_mkdir) and writes out/config.txt: the command line
// and every flag's resolved value, one `name = value` per line.
int args_write_config(const Args *a, Error *err);

#endif
