// test_idx.c - the IDX reader on a committed 4-image sample, on every broken
// variant of it, and (when installed) on the real Fashion-MNIST training set.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/idx.h"
#include "data/image.h"

#define DATA REF_DIR "/../../data/"
#define FASHION "/usr/share/datasets/fashion-mnist/"

TestSuite(idx, .timeout = 60);

Test(idx, reads_the_tiny_gzipped_sample) {
    Error err;
    float *img;
    int *labels;
    int n, h, w, nl;
    cr_assert_eq(idx_read_images(&img, &n, &h, &w, DATA "tiny-images-idx3-ubyte.gz", 0, 28, 28, &err), 0,
                 "%s", err.msg);
    cr_assert(n == 4 && h == 28 && w == 28, "shape (%d, %d, %d), want (4, 28, 28)", n, h, w);
    float lo = 1, hi = -1, sum = 0;
    for (int i = 0; i < n * h * w; i++) {
        lo = img[i] < lo ? img[i] : lo;
        hi = img[i] > hi ? img[i] : hi;
        sum += img[i];
    }
    cr_assert(lo == -1.0f && hi == 1.0f, "Fashion-MNIST pixels span [-1, 1], found [%f, %f]", lo, hi);
    cr_assert(sum / (n * h * w) < 0.0f, "images are mostly black background, mean %f", sum / (n * h * w));
    // the corner pixel of every Fashion-MNIST image is background (0 -> -1)
    for (int i = 0; i < n; i++) cr_assert_eq(img[i * h * w], -1.0f, "image %d corner pixel", i);
    cr_assert_eq(idx_read_labels(&labels, &nl, DATA "tiny-labels-idx1-ubyte.gz", 0, 10, &err), 0, "%s",
                 err.msg);
    const int want[4] = {9, 0, 0, 3};   // ankle boot, T-shirt, T-shirt, dress
    cr_assert_eq(nl, 4, "4 labels, got %d", nl);
    for (int i = 0; i < 4; i++) cr_assert_eq(labels[i], want[i], "label %d = %d", i, labels[i]);
    free(labels);

    // the raw (not gzipped) copy of the labels reads the same
    cr_assert_eq(idx_read_labels(&labels, &nl, DATA "tiny-labels-idx1-ubyte", 0, 0, &err), 0, "%s",
                 err.msg);
    cr_assert(nl == 4 && labels[0] == 9 && labels[3] == 3, "raw labels read as gzipped ones");
    free(labels);

    // limit reads only the first images
    float *two;
    cr_assert_eq(idx_read_images(&two, &n, &h, &w, DATA "tiny-images-idx3-ubyte.gz", 2, 0, 0, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(n, 2, "limit 2 gives 2 images, got %d", n);
    cr_assert(memcmp(two, img, sizeof(float) * 2 * 28 * 28) == 0, "the first two images");
    free(two);
    free(img);
}

static void expect_rejected(int images, const char *name, const char *phrase) {
    char path[512];
    snprintf(path, sizeof path, DATA "%s", name);
    Error err = {"untouched"};
    float *img = NULL;
    int *labels = NULL;
    int n = 0, h = 0, w = 0;
    int r = images ? idx_read_images(&img, &n, &h, &w, path, 0, 0, 0, &err)
                   : idx_read_labels(&labels, &n, path, 0, 0, &err);
    cr_assert_eq(r, -1, "%s: must be refused, got %d", name, r);
    cr_assert(img == NULL && labels == NULL, "%s: nothing returned on failure", name);
    cr_assert(strstr(err.msg, name) != NULL, "%s: message must name the file: \"%s\"", name, err.msg);
    cr_assert(strstr(err.msg, phrase) != NULL, "%s: message must say \"%s\": \"%s\"", name, phrase,
              err.msg);
}

Test(idx, rejects_broken_files_with_a_clear_message) {
    expect_rejected(1, "idx_empty", "expected IDX images, found an empty file");
    expect_rejected(0, "idx_empty", "expected IDX labels, found an empty file");
    expect_rejected(1, "tiny-labels-idx1-ubyte",
                    "expected magic 0x00000803 (IDX images), found 0x00000801 (IDX labels)");
    expect_rejected(0, "tiny-images-idx3-ubyte.gz",
                    "expected magic 0x00000801 (IDX labels), found 0x00000803 (IDX images)");
    expect_rejected(0, "idx_bad_magic", "found 0x00000802");
    expect_rejected(1, "gray_4x3.png", "found 0x89504e47 (not an IDX file)");
    expect_rejected(1, "idx_short_header", "expected a 16-byte IDX header, found 6 bytes");
    expect_rejected(1, "idx_truncated.gz", "truncated: expected 3136 bytes of pixels, found 100");
    expect_rejected(1, "idx_cut.gz", "truncated");
    expect_rejected(0, "idx_extra_data", "expected exactly 4 bytes of labels, found more");
    expect_rejected(1, "idx_huge_count", "header claims 2147483647");
    expect_rejected(0, "idx_zero_count", "expected at least one item, found a count of 0");
    expect_rejected(1, "idx_corrupt.gz", "corrupt gzip data");
    expect_rejected(1, "idx_bad_crc.gz", "corrupt gzip data");
    expect_rejected(1, "no_such_file", "cannot open");
}

// A network built for 28x28 given 32x32 images read past its buffers (lessons
// 02-04 aborted with "double free or corruption"), and 20x20 ones trained on
// misread rows: the caller's size is checked against the header.
Test(idx, refuses_images_of_another_size_than_the_caller_takes) {
    const int sides[2] = {32, 20};
    for (int k = 0; k < 2; k++) {
        int side = sides[k];
        char path[512], found[32];
        snprintf(path, sizeof path, DATA "idx_%dx%d.gz", side, side);
        snprintf(found, sizeof found, "found %dx%d", side, side);
        Error err = {""};
        float *img = NULL;
        int n = 0, h = 0, w = 0;
        cr_assert_eq(idx_read_images(&img, &n, &h, &w, path, 0, 0, 0, &err), 0,
                     "0x0 accepts any size: %s", err.msg);
        cr_assert(n == 2 && h == side && w == side, "shape (%d, %d, %d)", n, h, w);
        free(img);
        img = NULL;
        cr_assert_eq(idx_read_images(&img, &n, &h, &w, path, 0, side, side, &err), 0,
                     "the size asked for is accepted: %s", err.msg);
        free(img);
        img = NULL;
        cr_assert_eq(idx_read_images(&img, &n, &h, &w, path, 0, 28, 28, &err), -1,
                     "%s must be refused by a caller that takes 28x28", path);
        cr_assert_null(img, "nothing returned on failure");
        cr_assert(strstr(err.msg, path) && strstr(err.msg, "expected 28x28 images") &&
                  strstr(err.msg, found), "the message names the file and both sizes: %s",
                  err.msg);
        cr_assert_eq(idx_read_images(&img, &n, &h, &w, path, 0, 28, 32, &err), -1,
                     "a non-square size asked for is checked too");
        cr_assert(strstr(err.msg, "expected 28x32 images") && strstr(err.msg, "(rows x columns)"),
                  "a non-square message says which side is which: %s", err.msg);
    }
}

// Lesson 04 aborted at step 1 on a label of 12; the caller states the classes.
Test(idx, refuses_a_label_outside_the_callers_classes) {
    Error err = {""};
    int *labels = NULL, n = 0;
    cr_assert_eq(idx_read_labels(&labels, &n, DATA "idx_label_12", 0, 10, &err), -1,
                 "a label of 12 must be refused for 10 classes");
    cr_assert_null(labels, "nothing returned on failure");
    cr_assert(strstr(err.msg, DATA "idx_label_12") && strstr(err.msg, "index 2 is 12") &&
              strstr(err.msg, "expected 0..9 (10 classes)"),
              "the message names the file, the index and the value: %s", err.msg);
    cr_assert_eq(idx_read_labels(&labels, &n, DATA "idx_label_12", 0, 13, &err), 0,
                 "13 classes take a label of 12: %s", err.msg);
    cr_assert(n == 4 && labels[2] == 12, "the label is read as it is: %d", labels[2]);
    free(labels);
    labels = NULL;
    cr_assert_eq(idx_read_labels(&labels, &n, DATA "idx_label_12", 2, 10, &err), 0,
                 "limit 2 does not look at the third label: %s", err.msg);
    free(labels);
}

Test(idx, reads_the_real_fashion_mnist_training_set) {
    const char *ipath = FASHION "train-images-idx3-ubyte.gz";
    const char *lpath = FASHION "train-labels-idx1-ubyte.gz";
    if (access(ipath, R_OK) != 0 || access(lpath, R_OK) != 0)
        cr_skip_test("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    Error err;
    float *img;
    int *labels;
    int n, h, w, nl;
    cr_assert_eq(idx_read_images(&img, &n, &h, &w, ipath, 0, 28, 28, &err), 0, "%s", err.msg);
    cr_assert(n == 60000 && h == 28 && w == 28, "shape (%d, %d, %d), want (60000, 28, 28)", n, h, w);
    cr_assert_eq(idx_read_labels(&labels, &nl, lpath, 0, 10, &err), 0, "%s", err.msg);
    cr_assert_eq(nl, 60000, "60000 labels, got %d", nl);
    int count[10] = {0};
    for (int i = 0; i < nl; i++) {
        cr_assert(labels[i] >= 0 && labels[i] <= 9, "label %d is %d, outside 0..9", i, labels[i]);
        count[labels[i]]++;
    }
    for (int k = 0; k < 10; k++) cr_assert_eq(count[k], 6000, "class %d has %d images", k, count[k]);
    // the committed sample is the start of this file
    float *tiny;
    int tn, th, tw;
    cr_assert_eq(idx_read_images(&tiny, &tn, &th, &tw, DATA "tiny-images-idx3-ubyte.gz", 0, 0, 0, &err), 0,
                 "%s", err.msg);
    cr_assert(memcmp(tiny, img, sizeof(float) * tn * th * tw) == 0, "sample = first 4 training images");
    free(tiny);
    free(labels);
    free(img);
}
