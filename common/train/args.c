// args.c - see args.h.
#include "train/args.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "train/run.h"

// ---------------------------------------------------------------- registration

static ArgFlag *add_flag(Args *a, const char *name, ArgType type, void *value, const char *help) {
    for (int i = 0; i < a->n_flags; i++)
        if (strcmp(a->flags[i].name, name) == 0) {
            fprintf(stderr, "args: the flag --%s is registered twice\n", name);
            abort();
        }
    if (a->n_flags == ARGS_MAX_FLAGS) {
        fprintf(stderr, "args: more than %d flags (at --%s)\n", ARGS_MAX_FLAGS, name);
        abort();
    }
    ArgFlag *f = &a->flags[a->n_flags++];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->type = type;
    f->value = value;
    f->help = help;
    return f;
}

void args_add_int(Args *a, const char *name, int *value, const char *help) {
    add_flag(a, name, ARG_INT, value, help);
}

void args_add_float(Args *a, const char *name, float *value, const char *help) {
    add_flag(a, name, ARG_FLOAT, value, help);
}

void args_add_string(Args *a, const char *name, const char **value, const char *help) {
    add_flag(a, name, ARG_STRING, value, help);
}

void args_add_choice(Args *a, const char *name, const char **value, const char *choices,
                     const char *help) {
    add_flag(a, name, ARG_CHOICE, value, help)->choices = choices;
}

void args_add_bool(Args *a, const char *name, int *value, const char *help) {
    add_flag(a, name, ARG_BOOL, value, help);
}

void args_add_int_range(Args *a, const char *name, int *value, int lo, int hi, const char *help) {
    ArgFlag *f = add_flag(a, name, ARG_INT, value, help);
    f->has_range = 1;
    f->lo = lo;
    f->hi = hi;
}

void args_init(Args *a, const char *lesson, const char *about) {
    memset(a, 0, sizeof *a);
    a->lesson = lesson;
    a->about = about;
    a->steps = 1000;
    a->epochs = 1;
    a->batch = 64;
    a->lr = 2e-4f;
    a->seed = 1;
    args_add_int(a, "steps", &a->steps, "training steps");
    args_add_int(a, "epochs", &a->epochs, "passes over the training set");
    args_add_int(a, "batch", &a->batch, "mini-batch size");
    args_add_float(a, "lr", &a->lr, "learning rate");
    args_add_int(a, "seed", &a->seed, "random seed: the same seed gives the same run");
    args_add_string(a, "out", &a->out, "output folder (default runs/<lesson>/<name>)");
    args_add_string(a, "name", &a->name, "run name (default: the date and time)");
    args_add_int(a, "threads", &a->threads, "threads to use, 0 = all cores");
    args_add_bool(a, "resume", &a->resume, "continue from the checkpoint in the output folder");
    args_add_bool(a, "help", &a->help, "show this message");
    a->n_common = a->n_flags;
}

// ---------------------------------------------------------------- values

static void format_value(char *buf, size_t n, const ArgFlag *f) {
    switch (f->type) {
    case ARG_INT: snprintf(buf, n, "%d", *(int *)f->value); break;
    case ARG_FLOAT: snprintf(buf, n, "%g", *(float *)f->value); break;
    case ARG_BOOL: snprintf(buf, n, "%s", *(int *)f->value ? "yes" : "no"); break;
    case ARG_STRING:
    case ARG_CHOICE: {
        const char *s = *(const char **)f->value;
        snprintf(buf, n, "%s", s ? s : "");
        break;
    }
    }
}

static int is_choice(const char *choices, const char *s) {
    size_t n = strlen(s);
    for (const char *p = choices; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && strncmp(p, s, n) == 0) return 1;
        p += len + (p[len] == '|');
    }
    return 0;
}

static int set_value(ArgFlag *f, const char *text, Error *err) {
    char *end;
    errno = 0;
    switch (f->type) {
    case ARG_INT: {
        long v = strtol(text, &end, 10);
        if (end == text || *end || errno || v < INT_MIN || v > INT_MAX)
            return error_set(err, "--%s: expected a whole number, found \"%s\"", f->name, text);
        if (f->has_range && (v < f->lo || v > f->hi))
            return f->hi == INT_MAX
                       ? error_set(err, "--%s: expected %d or more, found %ld", f->name, f->lo, v)
                       : error_set(err, "--%s: expected %d to %d, found %ld", f->name, f->lo,
                                   f->hi, v);
        *(int *)f->value = (int)v;
        return 0;
    }
    case ARG_FLOAT: {
        float v = strtof(text, &end);
        if (end == text || *end || !isfinite(v))
            return error_set(err, "--%s: expected a number, found \"%s\"", f->name, text);
        *(float *)f->value = v;
        return 0;
    }
    case ARG_CHOICE:
        if (!is_choice(f->choices, text))
            return error_set(err, "--%s: expected one of %s, found \"%s\"", f->name, f->choices,
                             text);
        *(const char **)f->value = text;
        return 0;
    case ARG_STRING:
        if (!*text) return error_set(err, "--%s: expected a value, found an empty string", f->name);
        *(const char **)f->value = text;
        return 0;
    case ARG_BOOL: return error_set(err, "--%s takes no value, found \"%s\"", f->name, text);
    }
    return -1;
}

// ---------------------------------------------------------------- the output folder

static int later(struct timespec a, struct timespec b) {
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

// The newest checkpoint.bin in path or in a folder inside it (lesson 02
// keeps one per part: ring/, fmnist/): its modification time into *t; 0 if none.
static int newest_checkpoint(const char *path, struct timespec *t) {
    char p[1200];
    struct stat st;
    int found = 0;
    snprintf(p, sizeof p, "%s/checkpoint.bin", path);
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) *t = st.st_mtim, found = 1;
    DIR *d = opendir(path);
    if (!d) return found;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (snprintf(p, sizeof p, "%s/%s/checkpoint.bin", path, e->d_name) >= (int)sizeof p) continue;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (!found || later(st.st_mtim, *t)) *t = st.st_mtim, found = 1;
    }
    closedir(d);
    return found;
}

// The folder inside dir that holds the newest checkpoint, into out: the run a
// --resume without --out continues. A newer folder without one (a failed
// start left only config.txt) is not a run to resume.
static int newest_run(char *out, size_t n, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    char newest[1024];
    struct timespec best = {0, 0};
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        struct timespec t = {0, 0};
        if (snprintf(out, n, "%s/%s", dir, e->d_name) >= (int)n) continue;   // too long to use
        if (!newest_checkpoint(out, &t)) continue;
        if (!found || later(t, best)) {
            best = t;
            snprintf(newest, sizeof newest, "%s", out);
            found = 1;
        }
    }
    closedir(d);
    if (found) snprintf(out, n, "%s", newest);
    return found ? 0 : -1;
}

static int resolve_out(Args *a, Error *err) {
    if (a->out) return 0;
    if (a->name) {
        if (strchr(a->name, '/'))
            return error_set(err, "--name: expected a plain name, found \"%s\" (use --out for a path)",
                             a->name);
        snprintf(a->out_buf, sizeof a->out_buf, "runs/%s/%s", a->lesson, a->name);
    } else if (a->resume) {
        char dir[1024];
        snprintf(dir, sizeof dir, "runs/%s", a->lesson);
        if (newest_run(a->out_buf, sizeof a->out_buf, dir) != 0)
            return error_set(err, "--resume: expected an earlier run with a checkpoint.bin "
                                  "in %s/, found none (give --out <folder>)", dir);
        a->out_found = 1;
    } else {
        char stamp[32];
        time_t now = time(NULL);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
        snprintf(a->out_buf, sizeof a->out_buf, "runs/%s/%s", a->lesson, stamp);
    }
    a->out = a->out_buf;
    return 0;
}

// ---------------------------------------------------------------- parsing

static ArgFlag *find_flag(Args *a, const char *name, size_t len) {
    for (int i = 0; i < a->n_flags; i++)
        if (strlen(a->flags[i].name) == len && strncmp(a->flags[i].name, name, len) == 0)
            return &a->flags[i];
    return NULL;
}

static int check_common(const Args *a, Error *err) {
    if (a->steps < 0) return error_set(err, "--steps: expected 0 or more, found %d", a->steps);
    if (a->epochs < 0) return error_set(err, "--epochs: expected 0 or more, found %d", a->epochs);
    if (a->batch < 1) return error_set(err, "--batch: expected 1 or more, found %d", a->batch);
    if (!(a->lr > 0)) return error_set(err, "--lr: expected a positive number, found %g", a->lr);
    // More threads than cores only wait for each other: --threads 1000 on two
    // cores ran 14x slower than --threads 2.
    int cores = omp_get_num_procs();
    if (a->threads < 0 || a->threads > cores)
        return error_set(err, "--threads: expected 0 (all cores) to %d, the cores this program "
                         "may use (more threads than cores wait for each other and run many "
                         "times slower), found %d", cores, a->threads);
    return 0;
}

int args_parse(Args *a, int argc, char **argv, Error *err) {
    a->program = argc > 0 ? argv[0] : "lesson";
    a->argc = argc;
    a->argv = argv;
    for (int i = 0; i < a->n_flags; i++)
        format_value(a->flags[i].default_text, sizeof a->flags[i].default_text, &a->flags[i]);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0) arg = "--help";
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return error_set(err, "unexpected argument \"%s\": options start with --", arg);
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        ArgFlag *f = find_flag(a, name, len);
        if (!f) return error_set(err, "unknown option --%.*s", (int)len, name);
        if (f->type == ARG_BOOL) {
            if (eq) return error_set(err, "--%s takes no value, found \"%s\"", f->name, eq + 1);
            *(int *)f->value = 1;
            continue;
        }
        const char *text = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!text) return error_set(err, "--%s: expected a value after it, found the end", f->name);
        if (set_value(f, text, err) != 0) return -1;
    }
    if (a->help) return ARGS_HELP;
    if (check_common(a, err) != 0) return -1;
    return resolve_out(a, err);
}

void args_usage(const Args *a, FILE *f) {
    fprintf(f, "usage: %s [options]\n", a->program ? a->program : "lesson");
    if (a->about) fprintf(f, "%s: %s\n", a->lesson, a->about);
    for (int i = 0; i < a->n_flags; i++) {
        const ArgFlag *fl = &a->flags[i];
        if (i == 0) fprintf(f, "\ncommon options:\n");
        if (i == a->n_common) fprintf(f, "\n%s options:\n", a->lesson);
        const char *meta = fl->type == ARG_INT     ? " N"
                           : fl->type == ARG_FLOAT ? " X"
                           : fl->type == ARG_BOOL  ? ""
                                                   : " S";
        char left[128];
        if (fl->type == ARG_CHOICE)
            snprintf(left, sizeof left, "--%s {%s}", fl->name, fl->choices);
        else
            snprintf(left, sizeof left, "--%s%s", fl->name, meta);
        fprintf(f, "  %-22s %s", left, fl->help ? fl->help : "");
        if (fl->type != ARG_BOOL && fl->default_text[0]) fprintf(f, " (default %s)", fl->default_text);
        if (fl->has_range && fl->hi == INT_MAX) fprintf(f, " (%d or more)", fl->lo);
        else if (fl->has_range) fprintf(f, " (%d to %d)", fl->lo, fl->hi);
        fprintf(f, "\n");
    }
}

int args_parse_or_usage(Args *a, int argc, char **argv) {
    Error err;
    int r = args_parse(a, argc, argv, &err);
    if (r == ARGS_HELP) {
        args_usage(a, stdout);
        return 0;
    }
    if (r != 0) return args_usage_error(a, "%s", err.msg);
    return -1;
}

int args_usage_error(const Args *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n");
    args_usage(a, stderr);
    return 2;
}

// ---------------------------------------------------------------- config.txt

int args_write_config(const Args *a, Error *err) {
    if (run_mkdir(a->out, err) != 0) return -1;
    char path[1100];
    if (snprintf(path, sizeof path, "%s/config.txt", a->out) >= (int)sizeof path)
        return error_set(err, "%s: the output folder's name is too long", a->out);
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "%s: cannot create: %s", path, strerror(errno));
    fprintf(f, "# %s: the configuration of this run\n# command:", a->lesson);
    for (int i = 0; i < a->argc; i++) fprintf(f, " %s", a->argv[i]);
    fprintf(f, "\n");
    for (int i = 0; i < a->n_flags; i++) {
        if (a->flags[i].value == &a->help) continue;
        char value[1024];
        format_value(value, sizeof value, &a->flags[i]);
        fprintf(f, "%s = %s\n", a->flags[i].name, value);
    }
    if (fclose(f) != 0) return error_set(err, "%s: write failed: %s", path, strerror(errno));
    return 0;
}
