// replay.c - a main() for a fuzz target without libFuzzer: calls
// LLVMFuzzerTestOneInput once per file, for every file given and every file
// in every folder given. `make test` builds it with gcc and ASan/UBSan and
// replays corpus/<reader>/ and regressions/<reader>/, so every input that
// once crashed a reader is checked on every run; any report aborts.
#include <dirent.h>

#include "fuzz.h"

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Every regular file in dir, in name order; -1 if dir cannot be read.
static int replay_dir(const char *dir, int *count) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    char *names[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    int status = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (replay_file(path) == 0) (*count)++;
        else status = -1;
        free(names[i]);
    }
    return status;
}

int main(int argc, char **argv) {
    int count = 0, status = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (d) {
            closedir(d);
            if (replay_dir(argv[i], &count) != 0) status = 1;
        } else if (replay_file(argv[i]) == 0) {
            count++;
        } else {
            status = 1;
        }
    }
    printf("replay %s: %d inputs, no crash%s\n", argc > 0 ? argv[0] : "", count,
           status ? "; some inputs could not be read" : "");
    return status;
}
