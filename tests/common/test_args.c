// test_args.c - the shared argument parser: values, errors, usage, the
// output folder and config.txt.
#include <criterion/criterion.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "train/args.h"
#include "train/run.h"

TestSuite(args, .timeout = 30);

// A lesson's set-up: common defaults changed, three lesson flags.
typedef struct {
    Args args;
    int n_critic;
    float lambda;
    const char *loss;
    const char *data;
    int ablation;
} Lesson;

static void lesson_init(Lesson *l) {
    args_init(&l->args, "99_test", "a lesson for the tests");
    l->args.steps = 500;
    l->n_critic = 5;
    l->lambda = 100.0f;
    l->loss = "nonsat";
    l->data = "fashion";
    l->ablation = 0;
    args_add_int(&l->args, "n-critic", &l->n_critic, "D steps per G step");
    args_add_float(&l->args, "lambda", &l->lambda, "weight of the L1 loss");
    args_add_choice(&l->args, "g-loss", &l->loss, "sat|nonsat", "generator loss");
    args_add_string(&l->args, "data", &l->data, "data set");
    args_add_bool(&l->args, "ablation", &l->ablation, "train with L1 only");
}

static int parse(Lesson *l, Error *err, int argc, char **argv) {
    lesson_init(l);
    return args_parse(&l->args, argc, argv, err);
}

#define PARSE(l, err, ...) parse(l, err, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *), (char *[]){__VA_ARGS__})

Test(args, defaults_and_values) {
    Lesson l;
    Error err;
    cr_assert_eq(PARSE(&l, &err, "prog"), 0, "%s", err.msg);
    cr_assert(l.args.steps == 500 && l.args.batch == 64 && l.n_critic == 5 && l.lambda == 100.0f &&
                  strcmp(l.loss, "nonsat") == 0 && !l.ablation && !l.args.resume,
              "defaults are kept");
    cr_assert(strncmp(l.args.out, "runs/99_test/", 13) == 0, "default out: %s", l.args.out);

    cr_assert_eq(PARSE(&l, &err, "prog", "--steps", "20", "--lr=0.001", "--n-critic", "2",
                       "--lambda", "1e1", "--g-loss=sat", "--data", "edges", "--ablation",
                       "--batch", "8", "--seed", "42", "--name", "try1", "--resume"), 0, "%s", err.msg);
    cr_assert(l.args.steps == 20 && l.args.lr == 0.001f && l.args.batch == 8 && l.args.seed == 42,
              "common values");
    cr_assert(l.n_critic == 2 && l.lambda == 10.0f && strcmp(l.loss, "sat") == 0 &&
                  strcmp(l.data, "edges") == 0 && l.ablation && l.args.resume,
              "lesson values");
    cr_assert_str_eq(l.args.out, "runs/99_test/try1", "--name picks the run folder");
    cr_assert_eq(PARSE(&l, &err, "prog", "--out", "elsewhere/x", "--name", "y"), 0, "%s", err.msg);
    cr_assert_str_eq(l.args.out, "elsewhere/x", "--out wins over --name");
    cr_assert_eq(PARSE(&l, &err, "prog", "--steps", "5", "-h"), ARGS_HELP, "-h asks for help");
    cr_assert_eq(PARSE(&l, &err, "prog", "--help"), ARGS_HELP, "--help asks for help");
}

static void expect_error(Lesson *l, const char *phrase, int argc, char **argv) {
    Error err = {""};
    int r = parse(l, &err, argc, argv);
    cr_assert_eq(r, -1, "argument %s must be refused, got %d", argv[1], r);
    cr_assert(strstr(err.msg, phrase) != NULL, "message must say \"%s\": \"%s\"", phrase, err.msg);
}
#define EXPECT_ERROR(l, phrase, ...) \
    expect_error(l, phrase, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *), (char *[]){__VA_ARGS__})

Test(args, bad_arguments_are_refused_with_a_clear_message) {
    Lesson l;
    EXPECT_ERROR(&l, "unknown option --stepz", "prog", "--stepz", "5");
    EXPECT_ERROR(&l, "--steps: expected a whole number, found \"5x\"", "prog", "--steps", "5x");
    EXPECT_ERROR(&l, "--steps: expected a whole number, found \"99999999999\"", "prog", "--steps",
                 "99999999999");
    EXPECT_ERROR(&l, "--lr: expected a number, found \"fast\"", "prog", "--lr", "fast");
    EXPECT_ERROR(&l, "--lr: expected a number, found \"nan\"", "prog", "--lr", "nan");
    EXPECT_ERROR(&l, "--lr: expected a positive number, found -1", "prog", "--lr", "-1");
    EXPECT_ERROR(&l, "--batch: expected 1 or more, found 0", "prog", "--batch", "0");
    EXPECT_ERROR(&l, "--g-loss: expected one of sat|nonsat, found \"satt\"", "prog", "--g-loss", "satt");
    EXPECT_ERROR(&l, "--g-loss: expected one of sat|nonsat, found \"sa\"", "prog", "--g-loss=sa");
    EXPECT_ERROR(&l, "--lambda: expected a value after it", "prog", "--lambda");
    EXPECT_ERROR(&l, "--ablation takes no value", "prog", "--ablation=1");
    EXPECT_ERROR(&l, "unexpected argument \"data.png\"", "prog", "data.png");
    EXPECT_ERROR(&l, "--name: expected a plain name", "prog", "--name", "a/b");
}

// --threads 1000 was accepted and ran 14x slower than one thread per core.
Test(args, threads_are_limited_to_the_cores) {
    int cores = omp_get_num_procs();
    char n[16], more[16], phrase[64];
    snprintf(n, sizeof n, "%d", cores);
    snprintf(more, sizeof more, "%d", cores + 1);
    snprintf(phrase, sizeof phrase, "--threads: expected 0 (all cores) to %d", cores);
    Lesson l;
    Error err = {""};
    cr_assert_eq(PARSE(&l, &err, "prog", "--threads", n), 0, "one thread per core: %s", err.msg);
    cr_assert_eq(PARSE(&l, &err, "prog", "--threads", "0"), 0, "0, all cores: %s", err.msg);
    EXPECT_ERROR(&l, phrase, "prog", "--threads", more);
    EXPECT_ERROR(&l, "found 1000", "prog", "--threads", "1000");
    EXPECT_ERROR(&l, "more threads than cores wait for each other", "prog", "--threads", "1000");
    EXPECT_ERROR(&l, phrase, "prog", "--threads", "-1");
}

Test(args, usage_lists_every_flag_with_its_default) {
    Lesson l;
    Error err;
    cr_assert_eq(PARSE(&l, &err, "prog", "--steps", "7"), 0, "%s", err.msg);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    args_usage(&l.args, f);
    fclose(f);
    const char *want[] = {"usage: prog [options]", "99_test: a lesson for the tests",
                          "common options:", "--steps N", "(default 500)", "--lr X",
                          "(default 0.0002)", "--resume", "99_test options:",
                          "--g-loss {sat|nonsat}", "generator loss (default nonsat)",
                          "--lambda X", "(default 100)"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert(strstr(text, want[i]) != NULL, "usage must contain \"%s\":\n%s", want[i], text);
    free(text);
}

static void touch(const char *path) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fclose(f);
}

// File times have a resolution finer than this, but some file systems round.
static void sleep_a_little(void) { usleep(20000); }

Test(args, resume_finds_the_latest_run_and_config_is_written) {
    char dir[] = "/tmp/test_args_XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    cr_assert_eq(chdir(dir), 0, "chdir");   // each test runs in its own process
    Lesson l;
    Error err;
    cr_assert_eq(PARSE(&l, &err, "prog", "--resume"), -1, "nothing to resume yet");
    cr_assert(strstr(err.msg, "--resume: expected an earlier run with a checkpoint.bin in "
                              "runs/99_test/"), "%s", err.msg);

    char *argv[] = {"prog", "--name", "first", "--lambda", "3"};   // args keeps argv, as main's
    cr_assert_eq(parse(&l, &err, 5, argv), 0, "%s", err.msg);
    cr_assert_eq(args_write_config(&l.args, &err), 0, "%s", err.msg);
    FILE *f = fopen("runs/99_test/first/config.txt", "r");
    cr_assert_not_null(f, "config.txt is written in the output folder");
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    const char *want[] = {"# command: prog --name first --lambda 3\n", "steps = 500\n",
                          "lambda = 3\n", "g-loss = nonsat\n", "out = runs/99_test/first\n",
                          "resume = no\n"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert(strstr(text, want[i]) != NULL, "config.txt must contain \"%s\":\n%s", want[i], text);

    cr_assert_eq(PARSE(&l, &err, "prog", "--resume"), -1,
                 "a folder with only config.txt is not a run to resume");
    touch("runs/99_test/first/checkpoint.bin");
    sleep_a_little();
    char *failed_argv[] = {"prog", "--name", "failed"};   // kept by args, as main's
    cr_assert_eq(parse(&l, &err, 3, failed_argv), 0, "%s", err.msg);
    cr_assert_eq(args_write_config(&l.args, &err), 0, "%s", err.msg);   // newer, no checkpoint
    cr_assert_eq(PARSE(&l, &err, "prog", "--resume"), 0, "%s", err.msg);
    cr_assert_str_eq(l.args.out, "runs/99_test/first",
                     "--resume picks the newest run with a checkpoint, not a failed start");
    cr_assert_eq(l.args.out_found, 1, "out_found says the folder was found, to be named");
    sleep_a_little();
    cr_assert_eq(run_mkdir("runs/99_test/parts/ring", &err), 0, "%s", err.msg);
    touch("runs/99_test/parts/ring/checkpoint.bin");   // lesson 02: one checkpoint per part
    cr_assert_eq(PARSE(&l, &err, "prog", "--resume"), 0, "%s", err.msg);
    cr_assert_str_eq(l.args.out, "runs/99_test/parts", "a part's checkpoint counts for its run");
    cr_assert_eq(PARSE(&l, &err, "prog", "--resume", "--out", "runs/99_test/failed"), 0, "%s",
                 err.msg);
    cr_assert_eq(l.args.out_found, 0, "an --out given is not a folder found");
    cr_assert_eq(system("rm -rf runs"), 0, "clean up");
    cr_assert_eq(chdir("/"), 0, "chdir");
    rmdir(dir);
}

// What args_parse_or_usage printed on a stream redirected into a file.
static char *read_back(const char *path) {
    static char text[8192];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

// A count too large for a picture (--strip-count 200) died at the first one,
// after the steps since the last checkpoint: flags with limits are refused
// when they are parsed, naming the flag, the limit and the value.
Test(args, a_flag_outside_its_limits_is_refused_naming_them) {
    Args a;
    Error err;
    int strips = 8, every = 200;
    args_init(&a, "99_test", "limits");
    args_add_int_range(&a, "strip-count", &strips, 1, 64, "pairs in each strip");
    args_add_int_range(&a, "sample-every", &every, 1, INT_MAX, "steps between strips");
    cr_assert_eq(args_parse(&a, 3, (char *[]){"prog", "--strip-count", "200"}, &err), -1,
                 "--strip-count 200 is past the limit");
    cr_assert_str_eq(err.msg, "--strip-count: expected 1 to 64, found 200", "the message");
    cr_assert_eq(strips, 8, "a refused value is not stored");
    cr_assert_eq(args_parse(&a, 3, (char *[]){"prog", "--sample-every", "0"}, &err), -1,
                 "--sample-every 0 is below the limit");
    cr_assert_str_eq(err.msg, "--sample-every: expected 1 or more, found 0", "the message");
    cr_assert_eq(args_parse(&a, 5, (char *[]){"prog", "--strip-count", "64", "--sample-every",
                                              "1"}, &err), 0, "the limits are allowed: %s", err.msg);
    cr_assert(strips == 64 && every == 1, "the values: %d %d", strips, every);
    char buf[4096] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    args_usage(&a, f);
    fclose(f);
    cr_assert(strstr(buf, "pairs in each strip (default 8) (1 to 64)") &&
              strstr(buf, "steps between strips (default 200) (1 or more)"),
              "the usage shows the limits:\n%s", buf);
}

Test(args, parse_or_usage_gives_the_exit_code) {
    char out[] = "/tmp/test_args_out_XXXXXX", errs[] = "/tmp/test_args_err_XXXXXX";
    close(mkstemp(out));
    close(mkstemp(errs));
    cr_assert_not_null(freopen(out, "w", stdout), "redirect stdout");
    cr_assert_not_null(freopen(errs, "w", stderr), "redirect stderr");
    Lesson l;
    lesson_init(&l);
    cr_assert_eq(args_parse_or_usage(&l.args, 3, (char *[]){"prog", "--steps", "9"}), -1,
                 "good arguments: go on");
    cr_assert_eq(l.args.steps, 9, "the value is parsed");
    lesson_init(&l);
    cr_assert_eq(args_parse_or_usage(&l.args, 2, (char *[]){"prog", "--help"}), 0, "--help: exit 0");
    lesson_init(&l);
    cr_assert_eq(args_parse_or_usage(&l.args, 2, (char *[]){"prog", "--stepz"}), 2,
                 "a wrong flag: exit 2");
    cr_assert_eq(args_usage_error(&l.args, "--lambda: expected %s", "less"), 2,
                 "a lesson's own check: exit 2");
    fflush(stdout);
    fflush(stderr);
    cr_assert(strstr(read_back(out), "usage: prog [options]") != NULL, "--help prints the usage on stdout");
    const char *e = read_back(errs);
    cr_assert(strstr(e, "unknown option --stepz\n\nusage: prog") != NULL,
              "the error, then the usage, on stderr:\n%s", e);
    cr_assert(strstr(e, "--lambda: expected less\n\nusage: prog") != NULL,
              "args_usage_error prints its message, then the usage:\n%s", e);
    unlink(out);
    unlink(errs);
}
