// l03_test.h - what lesson 03's tests share: the reference cases of
// lesson03_conv.bin / lesson03_convt.bin, and a few array helpers.
#ifndef L03_TEST_H
#define L03_TEST_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels/conv.h"
#include "ref.h"

// One convolution case as tests/ref/gen_lesson03.py wrote it ("a_geom" ...).
typedef struct {
    const char *name;   // "a", "b", "c"
    int B, C, H, W, OC, K, S, P, OP, has_bias, transposed, OH, OW;
    ConvGeom g;
    long in_size, out_size, w_size;
} ConvCase;

// The tensor "<case>_<what>" holding exactly n floats.
static inline const float *case_get(const RefFile *ref, const ConvCase *c, const char *what,
                                    long n) {
    char key[48];
    snprintf(key, sizeof key, "%s_%s", c->name, what);
    return ref_get(ref, key, n);
}

static inline ConvCase conv_case(const RefFile *ref, const char *name) {
    ConvCase c = {.name = name};
    const float *g = case_get(ref, &c, "geom", 13);
    c.B = (int)g[0], c.C = (int)g[1], c.H = (int)g[2], c.W = (int)g[3], c.OC = (int)g[4];
    c.K = (int)g[5], c.S = (int)g[6], c.P = (int)g[7], c.OP = (int)g[8];
    c.has_bias = (int)g[9], c.transposed = (int)g[10], c.OH = (int)g[11], c.OW = (int)g[12];
    c.g = c.transposed ? conv_transpose2d_geom(c.B, c.C, c.H, c.W, c.OC, c.K, c.S, c.P, c.OP)
                       : conv2d_geom(c.B, c.C, c.H, c.W, c.OC, c.K, c.S, c.P);
    cr_assert(c.g.OH == c.OH && c.g.OW == c.OW,
              "case %s: the library's geometry gives %dx%d, PyTorch's output is %dx%d", name,
              c.g.OH, c.g.OW, c.OH, c.OW);
    c.in_size = (long)c.B * c.C * c.H * c.W;
    c.out_size = (long)c.B * c.OC * c.OH * c.OW;
    c.w_size = (long)c.OC * c.C * c.K * c.K;
    return c;
}

static inline float *filled(long n, float v) {
    float *x = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) x[i] = v;
    return x;
}

static inline float *copy_of(const float *src, long n) {
    float *x = malloc(sizeof(float) * n);
    memcpy(x, src, sizeof(float) * n);
    return x;
}

// x * s, elementwise, in a new array.
static inline float *scaled(const float *src, long n, float s) {
    float *x = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) x[i] = s * src[i];
    return x;
}

#endif
