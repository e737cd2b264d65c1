// fuzz_csvlog.c - csvlog_open resuming an existing log made of any bytes
// (it keeps the header and the rows up to the resume step), then one row.
// A log it refuses must be left exactly as it was.
#include "train/csvlog.h"
#include "fuzz.h"

#define HEADER "step,loss_d,loss_g"

static uint8_t *read_back(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    FUZZ_CHECK(f != NULL, "%s is gone", path);
    size_t cap = 4096;
    uint8_t *buf = malloc(cap);
    *n = 0;
    size_t got;
    while (buf && (got = fread(buf + *n, 1, cap - *n, f)) > 0) {
        *n += got;
        if (*n == cap) buf = realloc(buf, cap *= 2);
    }
    FUZZ_CHECK(buf != NULL, "out of memory");
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const long resume_steps[4] = {0, 3, 100, 1L << 40};
    long resume = resume_steps[size % 4];
    const char *path = fuzz_write_file("log.csv", data, size);
    char saved_path[512];
    snprintf(saved_path, sizeof saved_path, "%s", path);
    CsvLog log;
    Error err = {""};
    size_t n;
    if (csvlog_open(&log, saved_path, HEADER, resume, &err) != 0) {
        fuzz_check_error(err.msg, saved_path);
        uint8_t *after = read_back(saved_path, &n);
        FUZZ_CHECK(n == size && (size == 0 || memcmp(after, data, size) == 0),
                   "a refused log was changed: %s", err.msg);
        free(after);
        return 0;
    }
    double row[3] = {(double)resume + 1, 0.5, 1.25};
    FUZZ_CHECK(csvlog_write(&log, row, &err) == 0, "csvlog_write: %s", err.msg);
    csvlog_close(&log);
    uint8_t *after = read_back(saved_path, &n);
    FUZZ_CHECK(n > sizeof HEADER && memcmp(after, HEADER "\n", sizeof HEADER) == 0,
               "the resumed log does not start with its header");
    free(after);
    return 0;
}
