// translate.c - see translate.h.
#include "train/translate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/dataset.h"
#include "kernels/gemm.h"
#include "data/image.h"

int translate_write_strip(const char *path, const float *xs, int cx, float *const *outs,
                          int n_out, const float *ys, int n, int h, int w, Error *err) {
    int cols = 1 + n_out + (ys != NULL);
    long cell = 3L * h * w;
    float *cells = malloc(sizeof(float) * cell * cols * n);
    if (!cells) return error_set(err, "%s: out of memory for a strip of %d rows", path, n);
    for (int i = 0; i < n; i++) {
        float *row = cells + (long)i * cols * cell;
        for (int k = 0; k < 3; k++)
            memcpy(row + (long)k * h * w, xs + ((long)i * cx + (cx == 3 ? k : 0)) * h * w,
                   sizeof(float) * h * w);
        for (int j = 0; j < n_out; j++)
            memcpy(row + (1 + j) * cell, outs[j] + i * cell, sizeof(float) * cell);
        if (ys) memcpy(row + (cols - 1) * cell, ys + i * cell, sizeof(float) * cell);
    }
    int rc = image_write_grid(path, cells, cols * n, 3, h, w, cols, err);
    free(cells);
    return rc;
}

// One image in, one image out.
static int translate_one(const TranslateSpec *t, const char *in, const char *out, Error *err) {
    float *img;
    int c, h, w;
    if (image_read_png(&img, &c, &h, &w, in, t->in_channels, err) != 0) return -1;
    if (t->fits && t->fits(t->ctx, h, w, err) != 0) {
        char msg[ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        free(img);
        return error_set(err, "%s: %s", in, msg);
    }
    float *y = malloc(sizeof(float) * t->out_channels * h * w);
    int rc = y ? t->fn(t->ctx, y, img, h, w, err) : error_set(err, "%s: out of memory", in);
    if (rc == 0) rc = image_write_png(out, y, t->out_channels, h, w, err);
    free(img);
    free(y);
    return rc;
}

static int is_dir(const char *path) {
    struct stat s;
    return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

int translate_path(const TranslateSpec *t, const char *input, const char *output, Outputs *out,
                   Error *err) {
    if (!is_dir(input)) {
        if (translate_one(t, input, output, err) != 0) return -1;
        outputs_add(out, output);
        return 0;
    }
    char **names;
    int n;
    if (dataset_list_pngs(&names, &n, input, err) != 0) return -1;
    if (run_mkdir(output, err) != 0) {
        dataset_free_names(names, n);
        return -1;
    }
    int failed = 0, written = 0;
    Error first = {{0}};
    for (int i = 0; i < n; i++) {
        char in[OUTPUTS_PATH_LEN], o[OUTPUTS_PATH_LEN];
        snprintf(in, sizeof in, "%s/%s", input, names[i]);
        snprintf(o, sizeof o, "%s/%s", output, names[i]);
        Error e;
        if (translate_one(t, in, o, &e) != 0) {
            fprintf(stderr, "skipped: %s\n", e.msg);
            if (!failed++) first = e;
            continue;
        }
        outputs_add(out, o);
        written++;
    }
    dataset_free_names(names, n);
    printf("translated %d of the %d images of %s into %s\n", written, n, input, output);
    if (failed)
        return error_set(err, "%d of %d images could not be translated; the first: %s", failed,
                         n, first.msg);
    return 0;
}

void translate_add_flags(Args *args, const char **input, const char **output,
                         const char **checkpoint) {
    args_add_string(args, "input", input, "an image or a folder of images");
    args_add_string(args, "output", output, "a PNG, or a folder (made when missing)");
    args_add_string(args, "checkpoint", checkpoint, "the trained model (checkpoint.bin)");
}

int translate_parse_flags(Args *args, int argc, char **argv, const char *const *input,
                          const char *const *output, const char *const *checkpoint) {
    int code = args_parse_or_usage(args, argc, argv);
    if (code >= 0) return code;
    if (!*input || !*output || !*checkpoint)
        return args_usage_error(args, "needs --input, --output and --checkpoint");
    compute_set_threads(args->threads);
    return -1;
}
