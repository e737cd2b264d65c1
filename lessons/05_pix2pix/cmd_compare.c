// cmd_compare.c - lesson 05's `compare` program: several checkpoints on the
// same validation pairs: one strip per pair (input | output of each |
// target) and the table of validation L1, PSNR, sharpness, fill sharpness
// and colour (pix2pix_metrics.h).
//
//     make run LESSON=05 SOLUTIONS=1 PROGRAM=compare ARGS="--checkpoints a.bin,b.bin
//         --labels A,B --input datasets/emoji/sketch2google/val --output compare.png"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemm.h"
#include "pix2pix_tools.h"
#include "train/translate.h"

#define MAX_COMPARE 6

// "a,b,c" into at most MAX_COMPARE pieces of buf.
static int split(char *buf, size_t n, const char *text, char **parts) {
    snprintf(buf, n, "%s", text);
    int k = 0;
    for (char *s = strtok(buf, ","); s && k < MAX_COMPARE; s = strtok(NULL, ",")) parts[k++] = s;
    return k;
}

static int compare(const char *list, const char *label_list, const char *input,
                   const char *output, const char *direction_text, int strip_count,
                   int batch_stats, Outputs *w, Error *err) {
    char names_buf[1024], labels_buf[1024], *names[MAX_COMPARE], *labels[MAX_COMPARE];
    int n = split(names_buf, sizeof names_buf, list, names);
    int nl = split(labels_buf, sizeof labels_buf, label_list ? label_list : list, labels);
    if (nl != n) return error_set(err, "--labels: %d labels for %d checkpoints", nl, n);
    PairedSet set;
    PairedDirection direction;
    if (paired_parse_direction(&direction, direction_text, err) != 0 ||
        paired_load(&set, input, direction, 3, 3, 0, 0, err) != 0)
        return -1;
    int h = set.h, wd = set.w, ns = strip_count < set.n ? strip_count : set.n;
    long cell = 3L * h * wd;
    float *outs[MAX_COMPARE] = {0};
    float *full = l05_malloc(sizeof(float) * set.n * cell, "the outputs for every pair");
    float *sx = l05_malloc(sizeof(float) * ns * cell, "the strip's inputs");
    float *sy = l05_malloc(sizeof(float) * ns * cell, "the strip's targets");
    l05_strip_pairs(sx, sy, &set, ns);
    int rc = 0;
    L05Metrics m[MAX_COMPARE];
    for (int k = 0; k < n && rc == 0; k++) {
        L05Pix2pix p;
        if ((rc = l05_load_checkpoint(&p, names[k], batch_stats, err)) != 0) break;
        if ((rc = paired_check_fits(h, wd, p.cfg.g.depth, err)) == 0) {
            l05_evaluate_set(&p, &m[k], full, &set, set.n);
            outs[k] = l05_malloc(sizeof(float) * ns * cell, "a strip of outputs");
            l05_generate(&p, outs[k], sx, ns, h, wd);
        }
        l05_pix2pix_free(&p);
    }
    if (rc == 0) {
        printf("\n| model | val L1 | PSNR (dB) | sharpness | fill sharpness | colour |\n"
               "|---|---:|---:|---:|---:|---:|\n");
        for (int k = 0; k < n; k++)
            printf("| %s | %.4f | %.2f | %.3f | %.3f | %.3f |\n", labels[k], l05_metrics_l1(&m[k]),
                   l05_metrics_psnr(&m[k]), l05_metrics_sharpness(&m[k]),
                   l05_metrics_fill_sharpness(&m[k]), l05_metrics_colour(&m[k]));
        printf("(%d pairs from %s; fills: %.0f%% of the pixels; strips: %d pairs, columns "
               "input | %s | target)\n", set.n, input,
               n ? 100.0 * m[0].fill_pixels / m[0].values : 0.0, ns, label_list ? label_list : list);
        rc = translate_write_strip(output, sx, 3, outs, n, sy, ns, h, wd, err);
        if (rc == 0) outputs_add(w, output);
    }
    for (int k = 0; k < n; k++) free(outs[k]);
    free(full), free(sx), free(sy);
    paired_free(&set);
    return rc;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "05_pix2pix", "several Pix2Pix checkpoints side by side");
    const char *list = NULL, *labels = NULL, *input = NULL, *output = NULL, *direction = "AtoB";
    int strip_count = 8, batch_stats = 0;
    args_add_string(&args, "checkpoints", &list, "checkpoints, comma-separated (at most 6)");
    args_add_string(&args, "labels", &labels, "their names, comma-separated");
    args_add_string(&args, "input", &input, "a folder of A|B pairs");
    args_add_string(&args, "output", &output, "the strip (a PNG)");
    args_add_choice(&args, "direction", &direction, "AtoB|BtoA", "which half is G's input");
    args_add_int(&args, "strip-count", &strip_count, "pairs in the strip (1 to 64)");
    args_add_bool(&args, "batch-stats", &batch_stats,
                  "batch statistics and dropout (the paper's test mode)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;
    if (!list || !input || !output || strip_count < 1 || strip_count > 64)
        return args_usage_error(&args, "needs --checkpoints, --input and --output; "
                                "--strip-count 1 to 64");
    compute_set_threads(args.threads);
    Outputs out;
    outputs_init(&out);
    Error err;
    int rc = compare(list, labels, input, output, direction, strip_count, batch_stats, &out, &err);
    if (rc != 0) fprintf(stderr, "%s\n", err.msg);
    outputs_print(&out, rc == 0);
    return rc == 0 ? 0 : 1;
}
