// fuzz_args.c - args_parse on any command line: the input split at NUL bytes
// into arguments, against the common flags and one lesson flag of each type
// (and an int with limits).
#include <omp.h>

#include "train/args.h"
#include "fuzz.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // A copy with a NUL at the end, so that every piece is a string; kept
    // until parsing is done, as main's argv would be.
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    if (size) memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 1] = {"fuzz_args"};
    int argc = 1;
    for (size_t i = 0; i < size && argc < MAX_ARGS; i += strlen(text + i) + 1) argv[argc++] = text + i;
    argv[argc] = NULL;

    Args a;
    args_init(&a, "fuzz-args-lesson", "the fuzz target's flags");
    int n_critic = 5, flip = 0, strips = 8;
    float beta1 = 0.5f;
    const char *loss = "nonsat", *data_dir = "datasets";
    args_add_int(&a, "n-critic", &n_critic, "an int");
    args_add_float(&a, "beta1", &beta1, "a float");
    args_add_choice(&a, "g-loss", &loss, "sat|nonsat|ls", "a choice");
    args_add_string(&a, "data", &data_dir, "a string");
    args_add_bool(&a, "flip", &flip, "a bool");
    args_add_int_range(&a, "strip-count", &strips, 1, 64, "an int with limits");
    Error err = {""};
    int r = args_parse(&a, argc, argv, &err);
    FUZZ_CHECK(r == 0 || r == ARGS_HELP || r == -1, "args_parse returned %d", r);
    if (r == -1) fuzz_check_error(err.msg, NULL);
    if (r == 0) {
        FUZZ_CHECK(a.out != NULL && a.out[0] != '\0', "no output folder");
        FUZZ_CHECK(a.steps >= 0 && a.epochs >= 0 && a.batch >= 1 && a.lr > 0 && a.threads >= 0 &&
                       a.threads <= omp_get_num_procs(),
                   "a common flag out of range passed");
        FUZZ_CHECK(strcmp(loss, "sat") == 0 || strcmp(loss, "nonsat") == 0 || strcmp(loss, "ls") == 0,
                   "choice %s", loss);
        FUZZ_CHECK(strips >= 1 && strips <= 64, "--strip-count %d passed its limits", strips);
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        args_usage(&a, null);
        fclose(null);
    }
    free(text);
    return 0;
}
