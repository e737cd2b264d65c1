// edges - turns any picture into a line drawing with the course's XDoG
// (common/data/edges.h), the same code that makes the sketches of the emoji pairs.
//
//     build/tools/edges photo.png sketch.png
//     build/tools/edges --sigma 1.2 --phi 50 photo.png sketch.png
//
// A larger sigma draws thicker lines and skips small detail; a smaller phi
// gives softer, gray strokes. Big photos: shrink them first, the defaults
// suit pictures of about 64 to 256 pixels.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/edges.h"
#include "util/error.h"
#include "data/image.h"

static void usage(FILE *f) {
    XdogParams d = XDOG_DEFAULTS;
    fprintf(f,
            "usage: edges [options] IN.png OUT.png\n"
            "  writes a gray line drawing of IN.png (XDoG on its luminance)\n"
            "  --sigma S     line width scale in pixels (default %g)\n"
            "  --k K         outer blur = K * sigma (default %g)\n"
            "  --tau T       weight of the outer blur (default %g)\n"
            "  --epsilon E   ink threshold (default %g)\n"
            "  --phi P       steepness of the ink ramp (default %g)\n",
            d.sigma, d.k, d.tau, d.epsilon, d.phi);
}

// Reads "--name value" into *value when argv[*i] is --name; 1 if it matched.
static int float_flag(float *value, const char *name, int argc, char **argv, int *i, int *bad) {
    if (strcmp(argv[*i] + 2, name) != 0) return 0;
    char *end = NULL;
    if (*i + 1 < argc) *value = strtof(argv[*i + 1], &end);
    if (*i + 1 >= argc || end == argv[*i + 1] || *end != '\0') {
        fprintf(stderr, "edges: --%s needs a number\n", name);
        *bad = 1;
    }
    *i += 1;
    return 1;
}

int main(int argc, char **argv) {
    XdogParams p = XDOG_DEFAULTS;
    const char *paths[2];
    int n_paths = 0, bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strncmp(argv[i], "--", 2) == 0) {
            if (!(float_flag(&p.sigma, "sigma", argc, argv, &i, &bad) ||
                  float_flag(&p.k, "k", argc, argv, &i, &bad) ||
                  float_flag(&p.tau, "tau", argc, argv, &i, &bad) ||
                  float_flag(&p.epsilon, "epsilon", argc, argv, &i, &bad) ||
                  float_flag(&p.phi, "phi", argc, argv, &i, &bad))) {
                fprintf(stderr, "edges: unknown option %s\n", argv[i]);
                bad = 1;
            }
        } else if (n_paths < 2) {
            paths[n_paths++] = argv[i];
        } else {
            fprintf(stderr, "edges: one input and one output, got a third path %s\n", argv[i]);
            bad = 1;
        }
    }
    if (!bad && n_paths != 2) {
        fprintf(stderr, "edges: expected IN.png OUT.png\n");
        bad = 1;
    }
    if (!bad && !(p.sigma > 0.0f && p.sigma <= 10.0f && p.k > 1.0f)) {
        fprintf(stderr, "edges: need 0 < sigma <= 10 and k > 1\n");
        bad = 1;
    }
    if (bad) {
        usage(stderr);
        return 2;
    }

    Error err;
    float *img;
    int c, h, w;
    if (image_read_png(&img, &c, &h, &w, paths[0], 0, &err) != 0) {
        fprintf(stderr, "edges: %s\n", err.msg);
        return 1;
    }
    float *sketch = malloc(sizeof(float) * h * w);
    float *scratch = malloc(sizeof(float) * EDGES_XDOG_SCRATCH(h, w));
    int status = 1;
    if (!sketch || !scratch) {
        fprintf(stderr, "edges: out of memory for a %dx%d picture\n", w, h);
    } else {
        edges_xdog(sketch, scratch, img, c, h, w, &p);
        if (image_write_png(paths[1], sketch, 1, h, w, &err) != 0)
            fprintf(stderr, "edges: %s\n", err.msg);
        else
            status = 0;
    }
    free(img);
    free(sketch);
    free(scratch);
    return status;
}
