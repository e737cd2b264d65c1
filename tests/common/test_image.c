// test_image.c - PNG reading (every colour type, every broken file), exact
// round trips, grid layout, resize, crop and flip; JPEG reading (colour, gray,
// progressive, every broken file) and image_read's choice between the two.
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/image.h"

#define DATA REF_DIR "/../../data/"

TestSuite(image, .timeout = 30);

// The test PNGs hold pixel (y, x) channel k = (y * 4 + x) * 20 + k * 7 (see tests/data/make_data.py).
static int value(int y, int x, int k) { return (y * 4 + x) * 20 + k * 7; }

Test(image, u8_float_round_trip_is_exact_for_all_256_values) {
    for (int u = 0; u < 256; u++) {
        float x = image_u8_to_float((uint8_t)u);
        cr_assert(x >= -1.0f && x <= 1.0f, "u8 %d maps to %f, outside [-1, 1]", u, x);
        cr_assert_eq(image_float_to_u8(x), u, "u8 %d -> %f -> %d", u, x, image_float_to_u8(x));
    }
    cr_assert_eq(image_float_to_u8(-7.0f), 0, "values below -1 clamp to 0");
    cr_assert_eq(image_float_to_u8(7.0f), 255, "values above 1 clamp to 255");
    cr_assert_eq(image_float_to_u8(NAN), 0, "NaN becomes 0, not undefined behaviour");
}

Test(image, reads_gray_and_rgb_exactly) {
    Error err;
    float *img;
    int c, h, w;
    cr_assert_eq(image_read_png(&img, &c, &h, &w, DATA "gray_4x3.png", 0, &err), 0, "%s", err.msg);
    cr_assert(c == 1 && h == 3 && w == 4, "gray shape (%d, %d, %d), want (1, 3, 4)", c, h, w);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            cr_assert_eq(image_float_to_u8(img[y * 4 + x]), value(y, x, 0), "gray (%d, %d)", y, x);
    free(img);

    cr_assert_eq(image_read_png(&img, &c, &h, &w, DATA "rgb_4x3.png", 0, &err), 0, "%s", err.msg);
    cr_assert(c == 3 && h == 3 && w == 4, "rgb shape (%d, %d, %d), want (3, 3, 4)", c, h, w);
    for (int k = 0; k < 3; k++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                cr_assert_eq(image_float_to_u8(img[(k * 3 + y) * 4 + x]), value(y, x, k),
                             "rgb channel %d at (%d, %d)", k, y, x);
    free(img);
}

Test(image, rgba_is_composited_onto_white) {
    Error err;
    float *img;
    int c, h, w;
    cr_assert_eq(image_read_png(&img, &c, &h, &w, DATA "rgba_4x3.png", 0, &err), 0, "%s", err.msg);
    cr_assert(c == 3 && h == 3 && w == 4, "rgba gives RGB, got shape (%d, %d, %d)", c, h, w);
    for (int k = 0; k < 3; k++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) {
                float a = x * 85 / 255.0f;   // alpha of column x
                int want = (int)lrintf(a * value(y, x, k) + (1 - a) * 255);
                cr_assert_eq(image_float_to_u8(img[(k * 3 + y) * 4 + x]), want,
                             "channel %d at (%d, %d), alpha %.2f", k, y, x, a);
            }
    free(img);
}

Test(image, palette_and_channel_conversion) {
    Error err;
    float *img;
    int c, h, w;
    cr_assert_eq(image_read_png(&img, &c, &h, &w, DATA "palette_4x3.png", 0, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(c, 3, "a palette image reads as RGB, got C = %d", c);
    const int palette[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
    for (int k = 0; k < 3; k++)
        for (int x = 0; x < 4; x++)
            cr_assert_eq(image_float_to_u8(img[(k * 3 + 2) * 4 + x]), palette[x][k],
                         "palette colour %d channel %d", x, k);
    free(img);

    // gray -> RGB copies the channel; RGB -> gray weighs R, G, B by luma
    cr_assert_eq(image_read_png(&img, &c, &h, &w, DATA "gray_4x3.png", 3, &err), 0, "%s", err.msg);
    cr_assert_eq(c, 3, "want_c = 3 gives 3 channels, got %d", c);
    for (int k = 0; k < 3; k++)
        cr_assert_eq(image_float_to_u8(img[k * 12 + 5]), value(1, 1, 0), "gray copied to channel %d", k);
    free(img);
    cr_assert_eq(image_read_png(&img, &c, &h, &w, DATA "rgb_4x3.png", 1, &err), 0, "%s", err.msg);
    cr_assert_eq(c, 1, "want_c = 1 gives 1 channel, got %d", c);
    int want = (int)lrintf(0.299f * value(1, 1, 0) + 0.587f * value(1, 1, 1) + 0.114f * value(1, 1, 2));
    cr_assert_eq(image_float_to_u8(img[5]), want, "luma of pixel (1, 1)");
    free(img);
}

typedef int (*ImageReader)(float **out, int *c, int *h, int *w, const char *path, int want_c,
                           Error *err);

// Every broken file gives -1, no image, and a one-line message naming the
// file and the problem.
static void expect_refused_by(ImageReader reader, const char *name, const char *phrase) {
    char path[512];
    snprintf(path, sizeof path, DATA "%s", name);
    Error err = {"untouched"};
    float *img = (float *)&err;   // any non-NULL value: a refusal must reset it
    int c = 0, h = 0, w = 0;
    int r = reader(&img, &c, &h, &w, path, 0, &err);
    cr_assert_eq(r, -1, "%s: a broken file must be refused, got %d", name, r);
    cr_assert_null(img, "%s: nothing is returned on failure", name);
    cr_assert(strstr(err.msg, name) != NULL, "%s: message must name the file: \"%s\"", name, err.msg);
    cr_assert(strstr(err.msg, phrase) != NULL, "%s: message must say \"%s\": \"%s\"", name, phrase,
              err.msg);
    cr_assert(strchr(err.msg, '\n') == NULL, "%s: one line: \"%s\"", name, err.msg);
}

static void expect_rejected(const char *name, const char *phrase) {
    expect_refused_by(image_read_png, name, phrase);
}

Test(image, rejects_broken_files_with_a_clear_message) {
    expect_rejected("empty.png", "found an empty file");
    expect_rejected("not_a_png.png", "expected the PNG signature");
    expect_rejected("truncated.png", "truncated PNG");
    expect_rejected("bad_crc.png", "CRC error");
    expect_rejected("bad_data.png", "not a readable PNG");
    expect_rejected("huge.png", "expected at most 8192x8192 pixels, found 100000x100000");
    expect_rejected("no_such_file.png", "cannot open");
}

// A folder named like a PNG once gave "expected at most 67108864 bytes,
// found 9223372036854775807", and a named pipe would wait for a writer forever.
Test(image, refuses_what_is_not_a_regular_file, .timeout = 10) {
    expect_rejected("paired/folder_png/pair1.png", "expected an image file, found a folder");
    char dir[] = "/tmp/test_image_fifo_XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    char path[256];
    snprintf(path, sizeof path, "%s/pipe.png", dir);
    cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo %s", path);
    Error err = {""};
    float *img = NULL;
    int c, h, w;
    cr_assert_eq(image_read_png(&img, &c, &h, &w, path, 0, &err), -1, "a named pipe is refused");
    cr_assert(strstr(err.msg, path) && strstr(err.msg, "found a named pipe"), "message: %s", err.msg);
    unlink(path);
    rmdir(dir);
}

Test(image, png_round_trip_is_exact) {
    char path[] = "/tmp/test_image_XXXXXX.png";
    int fd = mkstemps(path, 4);
    cr_assert(fd >= 0, "mkstemps failed");
    close(fd);
    const int C = 3, H = 5, W = 7;
    float img[3 * 5 * 7];
    for (int i = 0; i < C * H * W; i++) img[i] = image_u8_to_float((uint8_t)((i * 37) % 256));
    for (int c = 1; c <= 3; c += 2) {
        Error err;
        cr_assert_eq(image_write_png(path, img, c, H, W, &err), 0, "%s", err.msg);
        float *back;
        int bc, bh, bw;
        cr_assert_eq(image_read_png(&back, &bc, &bh, &bw, path, 0, &err), 0, "%s", err.msg);
        cr_assert(bc == c && bh == H && bw == W, "shape (%d, %d, %d) after round trip, want (%d, %d, %d)",
                  bc, bh, bw, c, H, W);
        for (int i = 0; i < c * H * W; i++)
            cr_assert_eq(back[i], img[i], "C = %d: element %d is %f, wrote %f", c, i, back[i], img[i]);
        free(back);
    }
    Error err;
    cr_assert_eq(image_write_png(path, img, 2, H, W, &err), -1, "2 channels cannot be written");
    cr_assert(strstr(err.msg, "got 2") != NULL, "message says what was given: %s", err.msg);
    cr_assert_eq(image_write_png("/nonexistent-dir/x.png", img, 1, H, W, &err), -1,
                 "an uncreatable path is an error");
    cr_assert(strstr(err.msg, "/nonexistent-dir/x.png: cannot create") != NULL, "%s", err.msg);
    unlink(path);
}

static long file_bytes(const char *path, unsigned char *buf, long cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long n = (long)fread(buf, 1, (size_t)cap, f);
    fclose(f);
    return n;
}

// A disk that filled mid-write said "not a readable PNG: Write Error" and
// deleted the picture that was there. A file size limit (ulimit -f, here
// setrlimit in this test's own process) gives the same failed write(2), with
// EFBIG instead of ENOSPC.
Test(image, a_failed_write_says_so_and_keeps_the_previous_file, .timeout = 10) {
    char dir[] = "/tmp/test_image_full_XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    char path[256], tmp[300];
    snprintf(path, sizeof path, "%s/samples.png", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    float small[3 * 4 * 4];
    for (int i = 0; i < 48; i++) small[i] = image_u8_to_float((uint8_t)(i * 5));
    Error err = {""};
    cr_assert_eq(image_write_png(path, small, 3, 4, 4, &err), 0, "%s", err.msg);
    static unsigned char before[4096], after[4096];
    long n_before = file_bytes(path, before, sizeof before);
    cr_assert(n_before > 0 && n_before < 1024, "the small PNG is %ld bytes", n_before);

    enum { H = 256, W = 256 };   // noise: it does not compress below the limit
    float *noise = malloc(sizeof(float) * 3 * H * W);
    uint32_t x = 12345;
    for (int i = 0; i < 3 * H * W; i++) {
        x = x * 1664525u + 1013904223u;
        noise[i] = image_u8_to_float((uint8_t)(x >> 24));
    }
    signal(SIGXFSZ, SIG_IGN);   // a write past the limit fails instead of killing the process
    struct rlimit lim = {4096, 4096};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0, "setrlimit");
    cr_assert_eq(image_write_png(path, noise, 3, H, W, &err), -1, "a write past the limit fails");
    cr_assert(strstr(err.msg, path) && strstr(err.msg, "writing the PNG failed: File too large"),
              "the message names the file and the write's error: %s", err.msg);
    cr_assert_null(strstr(err.msg, "not a readable PNG"), "not a reader's message: %s", err.msg);
    cr_assert(file_bytes(path, after, sizeof after) == n_before &&
              memcmp(before, after, (size_t)n_before) == 0, "the previous PNG is byte for byte intact");
    cr_assert_neq(access(tmp, F_OK), 0, "no temporary file is left behind");
    free(noise);
    unlink(path);
    rmdir(dir);
}

Test(image, grid_layout_has_borders_and_cells_in_order) {
    // 5 images of 1x2x3, 2 per row -> 3 rows; each image filled with its index/10
    const int N = 5, C = 1, H = 2, W = 3, COLS = 2, B = IMAGE_GRID_BORDER;
    float imgs[5 * 2 * 3];
    for (int i = 0; i < N * C * H * W; i++) imgs[i] = (i / (H * W)) / 10.0f;
    int gh, gw;
    image_grid_size(&gh, &gw, N, H, W, COLS);
    cr_assert(gh == 3 * H + 4 * B && gw == 2 * W + 3 * B, "grid size %dx%d", gh, gw);
    float *grid = malloc(sizeof(float) * gh * gw);
    image_grid(grid, imgs, N, C, H, W, COLS);
    for (int y = 0; y < gh; y++)
        for (int x = 0; x < gw; x++) {
            int cy = (y - B) / (H + B), cx = (x - B) / (W + B);
            int inside = y >= B && x >= B && (y - B) % (H + B) < H && (x - B) % (W + B) < W;
            int idx = cy * COLS + cx;
            float want = (inside && idx < N) ? idx / 10.0f : IMAGE_GRID_BORDER_VALUE;
            cr_assert_eq(grid[y * gw + x], want, "grid pixel (%d, %d) = %f, want %f", y, x,
                         grid[y * gw + x], want);
        }
    free(grid);

    char path[] = "/tmp/test_grid_XXXXXX.png";
    int fd = mkstemps(path, 4);
    close(fd);
    Error err;
    cr_assert_eq(image_write_grid(path, imgs, N, C, H, W, COLS, &err), 0, "%s", err.msg);
    float *back;
    int bc, bh, bw;
    cr_assert_eq(image_read_png(&back, &bc, &bh, &bw, path, 0, &err), 0, "%s", err.msg);
    cr_assert(bc == 1 && bh == gh && bw == gw, "written grid is %dx%dx%d", bc, bh, bw);
    free(back);
    unlink(path);
}

Test(image, resize_keeps_a_constant_image_constant) {
    const int C = 3, H = 7, W = 5;
    float in[3 * 7 * 5], out[3 * 16 * 3];
    for (int k = 0; k < C; k++)
        for (int i = 0; i < H * W; i++) in[k * H * W + i] = 0.1f * k - 0.37f;
    image_resize(out, in, C, H, W, 16, 3);
    for (int k = 0; k < C; k++)
        for (int i = 0; i < 16 * 3; i++)
            cr_assert_eq(out[k * 48 + i], 0.1f * k - 0.37f, "channel %d element %d = %f", k, i,
                         out[k * 48 + i]);
}

Test(image, resize_interpolates_like_pytorch_bilinear) {
    // 1x2 -> 1x4 with half-pixel centres: [a, .75a+.25b, .25a+.75b, b]
    float in[2] = {0.0f, 1.0f}, out[4];
    image_resize(out, in, 1, 1, 2, 1, 4);
    float want[4] = {0.0f, 0.25f, 0.75f, 1.0f};
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(out[i], want[i], 1e-6f, "upsampled element %d = %f, want %f", i, out[i], want[i]);
    // 4x4 -> 2x2 averages each 2x2 block (sample point in the middle of it)
    float big[16], small[4];
    for (int i = 0; i < 16; i++) big[i] = (float)i;
    image_resize(small, big, 1, 4, 4, 2, 2);
    float want2[4] = {2.5f, 4.5f, 10.5f, 12.5f};
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(small[i], want2[i], 1e-5f, "downsampled element %d = %f, want %f", i,
                           small[i], want2[i]);
}

Test(image, resize_reproduces_a_linear_ramp) {
    // Bilinear interpolation is exact on f(y, x) = 10 y + x, so every output
    // pixel is f at its source coordinate (clamped to the edge pixels).
    const int H = 3, W = 4, OH = 5, OW = 7;
    float in[3 * 4], out[5 * 7];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) in[y * W + x] = 10.0f * y + x;
    image_resize(out, in, 1, H, W, OH, OW);
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float fy = fminf(fmaxf((oy + 0.5f) * H / OH - 0.5f, 0.0f), H - 1);
            float fx = fminf(fmaxf((ox + 0.5f) * W / OW - 0.5f, 0.0f), W - 1);
            cr_assert_float_eq(out[oy * OW + ox], 10.0f * fy + fx, 1e-5f, "pixel (%d, %d) = %f, want %f",
                               oy, ox, out[oy * OW + ox], 10.0f * fy + fx);
        }
}

Test(image, crop_and_flip) {
    const int C = 2, H = 3, W = 4;
    float in[2 * 3 * 4], out[2 * 2 * 2], flipped[2 * 3 * 4];
    for (int i = 0; i < C * H * W; i++) in[i] = (float)i;
    image_crop(out, in, C, H, W, 1, 2, 2, 2);
    float want[8] = {6, 7, 10, 11, 18, 19, 22, 23};
    for (int i = 0; i < 8; i++) cr_assert_eq(out[i], want[i], "crop element %d = %f", i, out[i]);
    image_flip_horizontal(flipped, in, C, H, W);
    for (int k = 0; k < C; k++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                cr_assert_eq(flipped[(k * H + y) * W + x], in[(k * H + y) * W + W - 1 - x],
                             "flip at (%d, %d, %d)", k, y, x);
}

// ---------------------------------------------------------------- JPEG

// The test JPEGs hold channel k at (y, x) = jpeg_value(y, x, k), 13x7 pixels,
// quality 95, 4:4:4 (see tests/data/make_jpegs.c); the gray one holds channel 1.
static int jpeg_value(int y, int x, int k) {
    if (k == 0) return 20 + 16 * x;
    if (k == 1) return 30 + 30 * y;
    return 200 - 6 * x - 8 * y;
}

// JPEG is lossy: at quality 95 a smooth ramp comes back within a few levels
// (measured: at most 4). A decoder that swaps channels,
// rows or columns is off by tens of levels.
#define JPEG_TOLERANCE 6

static void expect_jpeg_ramp(const char *name, int want_c, int file_c) {
    Error err;
    float *img;
    int c, h, w;
    cr_assert_eq(image_read(&img, &c, &h, &w, name, want_c, &err), 0, "%s", err.msg);
    int oc = want_c ? want_c : file_c;
    cr_assert(c == oc && h == 7 && w == 13, "%s: shape (%d, %d, %d), want (%d, 7, 13)", name, c, h,
              w, oc);
    int worst = 0;
    for (int k = 0; k < c; k++)
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 13; x++) {
                int want;
                if (file_c == 1) want = jpeg_value(y, x, 1);
                else if (c == 3) want = jpeg_value(y, x, k);
                else want = (int)lrintf(0.299f * jpeg_value(y, x, 0) + 0.587f * jpeg_value(y, x, 1) +
                                        0.114f * jpeg_value(y, x, 2));
                int got = image_float_to_u8(img[(k * 7 + y) * 13 + x]);
                int d = abs(got - want);
                if (d > worst) worst = d;
                cr_assert(d <= JPEG_TOLERANCE, "%s (want_c %d): channel %d at (%d, %d) is %d, want "
                          "%d +- %d", name, want_c, k, y, x, got, want, JPEG_TOLERANCE);
            }
    cr_assert(worst > 0 || file_c == 1, "%s: a lossy file decoded exactly? (suspicious)", name);
    free(img);
}

Test(image, reads_jpeg_colour_gray_progressive_and_arithmetic) {
    expect_jpeg_ramp(DATA "rgb_13x7.jpg", 0, 3);
    expect_jpeg_ramp(DATA "rgb_13x7.jpg", 1, 3);     // RGB -> gray by luma
    expect_jpeg_ramp(DATA "gray_13x7.jpg", 0, 1);
    expect_jpeg_ramp(DATA "gray_13x7.jpg", 3, 1);    // gray copied to R, G and B
    expect_jpeg_ramp(DATA "progressive_13x7.jpg", 0, 3);
    expect_jpeg_ramp(DATA "arith_restart_13x7.jpg", 0, 3);   // arithmetic coding, restart markers
}

Test(image, image_read_tells_png_from_jpeg_by_content) {
    // The same reader for both, and a PNG named .jpg is still a PNG.
    char path[] = "/tmp/test_image_XXXXXX.jpg";
    int fd = mkstemps(path, 4);
    cr_assert(fd >= 0, "mkstemps failed");
    close(fd);
    float img[12];
    for (int i = 0; i < 12; i++) img[i] = image_u8_to_float((uint8_t)(i * 20));
    Error err;
    cr_assert_eq(image_write_png(path, img, 1, 3, 4, &err), 0, "%s", err.msg);
    float *back;
    int c, h, w;
    cr_assert_eq(image_read(&back, &c, &h, &w, path, 0, &err), 0, "%s", err.msg);
    cr_assert(c == 1 && h == 3 && w == 4, "shape (%d, %d, %d)", c, h, w);
    for (int i = 0; i < 12; i++) cr_assert_eq(back[i], img[i], "PNG pixel %d exact", i);
    free(back);
    unlink(path);
    cr_assert_eq(image_read_jpeg(&back, &c, &h, &w, DATA "rgb_4x3.png", 0, &err), -1,
                 "image_read_jpeg refuses a PNG");
    cr_assert(strstr(err.msg, "expected the JPEG signature ff d8 ff, found 89 50 4e"), "%s", err.msg);
}

Test(image, rejects_broken_jpegs_with_a_clear_message) {
    for (int k = 0; k < 2; k++) {
        ImageReader reader = k == 0 ? image_read_jpeg : image_read;
        expect_refused_by(reader, "truncated.jpg", "truncated JPEG");
        expect_refused_by(reader, "bad_header.jpg", "not a readable JPEG");
        expect_refused_by(reader, "huge.jpg",
                          "expected at most 8192x8192 pixels, found 30000x20000");
        expect_refused_by(reader, "cmyk_13x7.jpg", "found CMYK");
        expect_refused_by(reader, "cmyk_13x7.jpg", "-colorspace sRGB");
        expect_refused_by(reader, "empty.jpg", "found an empty file");
        expect_refused_by(reader, "no_such_file.jpg", "cannot open");
    }
    expect_refused_by(image_read_jpeg, "not_a_jpeg.jpg",
                      "expected the JPEG signature ff d8 ff, found 47 49 46");
    expect_refused_by(image_read, "not_a_jpeg.jpg",
                      "expected a PNG (89 50 4e 47 ...) or JPEG (ff d8 ff ...) image, found 47 49 46 38");
    expect_refused_by(image_read, "empty.jpg", "expected a PNG or JPEG image");
    expect_refused_by(image_read_jpeg, "empty.jpg", "expected a JPEG image");
    // image_read still says what is wrong with a broken PNG
    expect_refused_by(image_read, "truncated.png", "truncated PNG");
    expect_refused_by(image_read, "paired", "expected an image file, found a folder");
}
