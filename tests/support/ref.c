// ref.c - reader for the PyTorch reference-data files.
#include "ref.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef REF_DIR
#define REF_DIR "tests/ref/data"
#endif

#define REGENERATE "regenerate with: make refdata (needs python3-torch)"

static int read_u32(FILE *f, uint32_t *v) {
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4) return 0;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

RefFile *ref_open(const char *file) {
    RefFile *ref = calloc(1, sizeof(RefFile));
    snprintf(ref->path, sizeof ref->path, "%s/%s", REF_DIR, file);
    FILE *f = fopen(ref->path, "rb");
    if (!f) cr_assert_fail("cannot open reference file %s; " REGENERATE, ref->path);
    char magic[8];
    uint32_t count;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "GANREF1", 8) != 0 || !read_u32(f, &count) ||
        count > 4096)
        cr_assert_fail("%s is not a reference file (bad magic or header); " REGENERATE, ref->path);
    ref->count = (int)count;
    ref->tensors = calloc(count, sizeof(RefTensor));
    for (uint32_t i = 0; i < count; i++) {
        RefTensor *t = &ref->tensors[i];
        uint32_t ndim, d;
        if (fread(t->name, 1, 48, f) != 48 || !read_u32(f, &ndim) || ndim > 4)
            cr_assert_fail("%s: tensor %u has a broken header; " REGENERATE, ref->path, i);
        t->name[47] = '\0';
        t->ndim = (int)ndim;
        t->size = 1;
        for (uint32_t k = 0; k < ndim; k++) {
            if (!read_u32(f, &d) || d > (1u << 24))
                cr_assert_fail("%s: tensor %s has a broken shape; " REGENERATE, ref->path, t->name);
            t->dims[k] = (int)d;
            t->size *= d;
        }
        t->data = malloc(sizeof(float) * (t->size > 0 ? t->size : 1));
        if (fread(t->data, sizeof(float), (size_t)t->size, f) != (size_t)t->size)
            cr_assert_fail("%s: tensor %s is truncated; " REGENERATE, ref->path, t->name);
    }
    fclose(f);
    return ref;
}

const float *ref_get(const RefFile *ref, const char *name, long expected_size) {
    for (int i = 0; i < ref->count; i++) {
        const RefTensor *t = &ref->tensors[i];
        if (strcmp(t->name, name) != 0) continue;
        if (t->size != expected_size)
            cr_assert_fail("%s: tensor %s holds %ld floats, the test expects %ld; " REGENERATE,
                           ref->path, name, t->size, expected_size);
        return t->data;
    }
    cr_assert_fail("%s: no tensor called %s; " REGENERATE, ref->path, name);
    return NULL;
}

float ref_scalar(const RefFile *ref, const char *name) {
    return ref_get(ref, name, 1)[0];
}

void ref_close(RefFile *ref) {
    if (!ref) return;
    for (int i = 0; i < ref->count; i++) free(ref->tensors[i].data);
    free(ref->tensors);
    free(ref);
}
