// trainreport.c - see trainreport.h.
#include "train/trainreport.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/image.h"
#include "train/trainloop.h"

static void put_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static int exists_in(const char *dir, const char *name) {
    char path[OUTPUTS_PATH_LEN + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

// The file's name when path lies directly in dir, else NULL.
static const char *name_in(const char *dir, const char *path) {
    size_t n = strlen(dir);
    if (strncmp(path, dir, n) != 0 || path[n] != '/' || strchr(path + n + 1, '/')) return NULL;
    return path + n + 1;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Every samples_step*.png of dir, sorted (the step has five digits: by step).
static int list_samples(const char *dir, char ***names) {
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "samples_step", 12) != 0 || len < 16 ||
            strcmp(e->d_name + len - 4, ".png") != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **grown = realloc(*names, sizeof(char *) * (size_t)cap);
            if (!grown) break;
            *names = grown;
        }
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n > 0) qsort(*names, (size_t)n, sizeof(char *), by_name);
    return n;
}

static void put_config(FILE *f, const char *out_dir) {
    char path[OUTPUTS_PATH_LEN + 16];
    snprintf(path, sizeof path, "%s/config.txt", out_dir);
    FILE *c = fopen(path, "r");
    if (!c) return;
    fputs("<h2>Settings</h2>\n<pre>", f);
    char line[1024];
    while (fgets(line, sizeof line, c)) put_escaped(f, line);
    fputs("</pre>\n", f);
    fclose(c);
}

static void write_page(FILE *f, const TrainLoop *loop) {
    const char *title = loop->spec.title ? loop->spec.title : loop->args->about;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    put_escaped(f, loop->args->lesson);
    fputs(": ", f);
    put_escaped(f, title);
    fputs("</title>\n<style>\nbody { font-family: sans-serif; max-width: 72em; margin: 1em auto; "
          "padding: 0 1em; }\nimg { max-width: 100%; }\nimg.sample { image-rendering: pixelated; "
          "min-width: 16em; }\nfigure { display: inline-block; margin: 0.5em; vertical-align: "
          "top; }\ntable { border-collapse: collapse; }\ntd, th { border: 1px solid #999; "
          "padding: 0.2em 0.6em; text-align: left; }\npre { background: #f4f4f4; padding: 0.5em; "
          "}\n</style>\n</head>\n<body>\n<h1>", f);
    put_escaped(f, loop->args->lesson);
    fputs(": ", f);
    put_escaped(f, title);
    fprintf(f, "</h1>\n<p>Run %s after step %ld of %ld.</p>\n",
            loop->status ? loop->status : "running", loop->step, loop->total);

    if (loop->n_numbers > 0) {
        fputs("<h2>Evaluation</h2>\n<table>\n", f);
        for (int i = 0; i < loop->n_numbers; i++) {
            fputs("<tr><th>", f);
            put_escaped(f, loop->numbers[i].label);
            fputs("</th><td>", f);
            put_escaped(f, loop->numbers[i].value);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }

    int curves = 0;
    for (int i = 0; i < loop->n_plots; i++)
        if (exists_in(loop->dir, loop->plots[i].png)) {
            if (!curves++) fputs("<h2>Curves</h2>\n", f);
            fputs("<figure><img src=\"", f);
            put_escaped(f, loop->plots[i].png);
            fputs("\" alt=\"", f);
            put_escaped(f, loop->plots[i].title);
            fputs("\"></figure>\n", f);
        }

    char **samples;
    int n = list_samples(loop->dir, &samples);
    if (n > 0) fputs("<h2>Samples, in step order</h2>\n", f);
    for (int i = 0; i < n; i++) {
        long step = strtol(samples[i] + 12, NULL, 10);
        fputs("<figure><img class=\"sample\" src=\"", f);
        put_escaped(f, samples[i]);
        fprintf(f, "\" alt=\"samples at step %ld\"><figcaption>step %ld</figcaption></figure>\n",
                step, step);
        free(samples[i]);
    }
    free(samples);

    int pictures = 0;
    const Outputs *o = &loop->outputs;
    for (int i = 0; i < o->n; i++) {
        const char *name = name_in(loop->dir, o->paths[i]);
        if (loop->kinds[i] != TRAIN_FILE_PICTURE || !name || !exists_in(loop->dir, name)) continue;
        if (!pictures++) fputs("<h2>Pictures</h2>\n", f);
        fputs("<figure><img class=\"sample\" src=\"", f);
        put_escaped(f, name);
        fputs("\" alt=\"", f);
        put_escaped(f, name);
        fputs("\"><figcaption>", f);
        put_escaped(f, name);
        fputs("</figcaption></figure>\n", f);
    }

    int files = 0;
    for (int i = 0; i < o->n; i++) {
        const char *name = name_in(loop->dir, o->paths[i]);
        if (loop->kinds[i] != TRAIN_FILE_DATA || !name || !exists_in(loop->dir, name) ||
            strcmp(name, "report.html") == 0)
            continue;
        if (!files++) fputs("<h2>Files</h2>\n<ul>\n", f);
        fputs("<li><a href=\"", f);
        put_escaped(f, name);
        fputs("\">", f);
        put_escaped(f, name);
        fputs("</a></li>\n", f);
    }
    if (files) fputs("</ul>\n", f);
    put_config(f, loop->args->out);
    fputs("</body>\n</html>\n", f);
}

int train_write_report(const TrainLoop *loop, const char *path, Error *err) {
    char tmp[OUTPUTS_PATH_LEN + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return error_set(err, "%s: cannot write: %s", tmp, strerror(errno));
    write_page(f, loop);
    int failed = ferror(f);
    if (fclose(f) != 0) failed = 1;
    if (failed || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return error_set(err, "%s: writing failed: %s", path, strerror(e));
    }
    return 0;
}

int train_write_progress(const TrainLoop *loop, const char *png, int row_h, Error *err) {
    enum { MAX_ROWS = 64 };
    char **samples;
    int n = list_samples(loop->dir, &samples), rows = 0, c = 0, width = 0;
    int band = IMAGE_GRID_BORDER + row_h;   // a row of cells and the border above it
    float *out = NULL;
    int rc = 0;
    for (int i = 0; i < n && rows < MAX_ROWS && rc == 0; i++) {
        char path[OUTPUTS_PATH_LEN + 64];
        snprintf(path, sizeof path, "%s/%s", loop->dir, samples[i]);
        float *img;
        int ic, ih, iw;
        if (image_read_png(&img, &ic, &ih, &iw, path, c, err) != 0) {
            rc = -1;
            break;
        }
        if (!out) {
            c = ic;
            width = iw;
            out = malloc(sizeof(float) * (size_t)c * (MAX_ROWS * band + IMAGE_GRID_BORDER) *
                         (size_t)width);
            if (!out) rc = error_set(err, "%s: out of memory", png);
        }
        if (out && iw == width && ih >= band + IMAGE_GRID_BORDER) {
            int total_h = MAX_ROWS * band + IMAGE_GRID_BORDER;
            for (int k = 0; k < c; k++)
                memcpy(out + ((long)k * total_h + (long)rows * band) * width,
                       img + (long)k * ih * iw, sizeof(float) * (size_t)band * width);
            rows++;
        }
        free(img);
    }
    if (rc == 0 && rows > 0) {
        // Packed: the channels of the stacked bands, then the closing border.
        int total_h = MAX_ROWS * band + IMAGE_GRID_BORDER, h = rows * band + IMAGE_GRID_BORDER;
        float *pic = malloc(sizeof(float) * (size_t)c * h * width);
        if (!pic) {
            rc = error_set(err, "%s: out of memory", png);
        } else {
            for (int k = 0; k < c; k++) {
                memcpy(pic + (long)k * h * width, out + (long)k * total_h * width,
                       sizeof(float) * (size_t)rows * band * width);
                for (long j = (long)rows * band * width; j < (long)h * width; j++)
                    pic[(long)k * h * width + j] = IMAGE_GRID_BORDER_VALUE;
            }
            rc = image_write_png(png, pic, c, h, width, err);
            free(pic);
        }
    }
    for (int i = 0; i < n; i++) free(samples[i]);
    free(samples);
    free(out);
    return rc;
}
