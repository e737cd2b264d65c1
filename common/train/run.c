// run.c - see run.h.
#include "train/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kernels/blas_kernels.h"
#include "kernels/gemm.h"
#include "train/progress.h"

void outputs_init(Outputs *o) {
    o->t_start = progress_now();
    o->n = 0;
    o->left_out = 0;
}

void outputs_add(Outputs *o, const char *path) {
    if (!o) return;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->paths[i], path) == 0) return;
    if (o->n == OUTPUTS_MAX) {
        o->left_out++;
        return;
    }
    snprintf(o->paths[o->n++], OUTPUTS_PATH_LEN, "%s", path);
}

void outputs_print(const Outputs *o, int ok) {
    printf("\n%s after %.0f s. %s\n", ok ? "Done" : "Stopped", progress_now() - o->t_start,
           o->n > 0 ? "Wrote:" : "Nothing was written.");
    for (int i = 0; i < o->n; i++) printf("  %s\n", o->paths[i]);
    if (o->left_out > 0) printf("  (and %d more files)\n", o->left_out);
    fflush(stdout);
}

int run_start(Outputs *o, const Args *a, Error *err) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    outputs_init(o);
    if (args_write_config(a, err) != 0) return -1;
    char config[OUTPUTS_PATH_LEN];
    snprintf(config, sizeof config, "%s/config.txt", a->out);
    outputs_add(o, config);
    compute_set_threads(a->threads);
    int threads = compute_threads();
    // The GEMM kernels BLIS runs (common/kernels/blas_kernels.h): a run's speed depends on them.
    FILE *f = fopen(config, "a");
    if (f) {
        fprintf(f, "# gemm kernels: %s (%s)\n", gemm_kernel_set(), gemm_kernel_reason());
        fclose(f);
    }
    printf("%s: output in %s, %d thread%s\n", a->lesson, a->out, threads, threads == 1 ? "" : "s");
    return 0;
}

int run_end(const Outputs *o, int rc, const Error *err) {
    if (rc != 0) fprintf(stderr, "%s\n", err->msg);
    outputs_print(o, rc == 0);
    return rc == 0 ? 0 : 1;
}

int run_mkdir(const char *path, Error *err) {
    char buf[OUTPUTS_PATH_LEN];
    if (!*path) return error_set(err, "expected a folder name, found an empty string");
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return error_set(err, "%.100s...: the folder name is too long", path);
    // Each prefix that ends at a '/' (and the whole path) is a folder to make.
    for (char *p = buf + 1;; p++) {
        int last = (*p == '\0');
        if (*p == '/' || last) {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return error_set(err, "%s: cannot create the folder: %s", buf, strerror(errno));
            if (last) break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return error_set(err, "%s: expected a folder, found a file of that name", buf);
    return 0;
}
