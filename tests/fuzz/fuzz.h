// fuzz.h - what the fuzz targets share. Each fuzz_<reader>.c defines
// LLVMFuzzerTestOneInput, which libFuzzer (make fuzz, clang) calls with
// mutated inputs, and which replay.c (make test, gcc + ASan/UBSan) calls with
// every file of corpus/<reader>/ and regressions/<reader>/.
//
// A target feeds the bytes to one reader and checks the reader's contract
// (error.h): it returns 0 or -1, on -1 err holds one line naming the file,
// and results look sane on 0. A broken contract aborts, which both drivers
// report as a crash with the input that caused it.
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz: contract broken (%s): ", #cond);                  \
            fprintf(stderr, __VA_ARGS__);                                              \
            fprintf(stderr, "\n");                                                     \
            abort();                                                                   \
        }                                                                              \
    } while (0)

// The per-process scratch folder the targets write their inputs into; it is
// removed at exit.
static char fuzz_dir_path[256];

static inline void fuzz_remove_dir(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
    if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

static inline const char *fuzz_dir(void) {
    if (!fuzz_dir_path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        FUZZ_CHECK(mkdtemp(fuzz_dir_path) != NULL, "cannot make %s", fuzz_dir_path);
        atexit(fuzz_remove_dir);
    }
    return fuzz_dir_path;
}

// Writes the bytes to fuzz_dir()/name; returns the path (valid until the next call).
static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot create %s", path);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size, "cannot write %s", path);
    FUZZ_CHECK(fclose(f) == 0, "cannot write %s", path);
    return path;
}

// On -1 the message must be one line that names the file.
static inline void fuzz_check_error(const char *msg, const char *path) {
    FUZZ_CHECK(msg[0] != '\0', "failed without a message (%s)", path ? path : "no file");
    FUZZ_CHECK(strchr(msg, '\n') == NULL, "a message of more than one line: %s", msg);
    FUZZ_CHECK(path == NULL || strstr(msg, path) != NULL, "the message does not name %s: %s",
               path, msg);
}

#endif
