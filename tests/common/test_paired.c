// test_paired.c - the aligned A | B loader (direction, channels, joint crop
// and flip, refusals with clear messages) and the unaligned trainA/trainB
// loader, on the tiny sets in tests/data/paired/ (made by make_paired.py;
// the JPEG folders by tests/data/make_jpegs.c).
//
// Fixture values: pair i has A gray v = 60 i + 4 y + x (4x4) and B =
// (v + 100, v + 50, v), so in 8-bit units B's red minus A is 100 at every
// pixel of an aligned pair, and a row of A rises by 1 per column unless it
// was flipped.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"
#include "data/paired.h"
#include "util/rng.h"

#define PAIRED REF_DIR "/../../data/paired/"

TestSuite(paired, .timeout = 30);

// A float back in 8-bit units (exact for values that came from a u8).
static int u8(float v) { return (int)lrintf((v + 1.0f) * 127.5f); }

Test(paired, parses_the_direction, .timeout = 10) {
    PairedDirection d;
    Error err;
    cr_assert(paired_parse_direction(&d, "AtoB", &err) == 0 && d == PAIRED_A_TO_B, "AtoB");
    cr_assert(paired_parse_direction(&d, "BtoA", &err) == 0 && d == PAIRED_B_TO_A, "BtoA");
    cr_assert_eq(paired_parse_direction(&d, "atob", &err), -1, "spelling is exact");
    cr_assert(strstr(err.msg, "AtoB or BtoA") && strstr(err.msg, "atob"), "message: %s", err.msg);
}

Test(paired, join_and_split_are_inverse, .timeout = 10) {
    float a[2 * 2 * 3], b[2 * 2 * 3], ab[2 * 2 * 6], a2[12], b2[12];
    for (int i = 0; i < 12; i++) a[i] = (float)i, b[i] = (float)(100 + i);
    paired_join(ab, a, b, 2, 2, 3);
    cr_assert(ab[0] == 0 && ab[3] == 100 && ab[6] == 3 && ab[9] == 103, "row 0 is A's row 0 then B's");
    paired_split(a2, b2, ab, 2, 2, 3);
    cr_assert(memcmp(a, a2, sizeof a) == 0 && memcmp(b, b2, sizeof b) == 0, "split(join) = identity");
}

Test(paired, names_the_size_rule_of_the_generator, .timeout = 10) {
    Error err;
    cr_assert_eq(paired_check_fits(64, 128, 6, &err), 0, "64x128 fits depth 6: %s", err.msg);
    cr_assert_eq(paired_check_fits(60, 64, 6, &err), -1, "60 is not a multiple of 64");
    cr_assert(strstr(err.msg, "multiples of 2^6 = 64") && strstr(err.msg, "64x64"), "message: %s",
              err.msg);
    cr_assert_eq(paired_check_fits(256, 286, 8, &err), -1, "286 is not a multiple of 256");
    cr_assert(strstr(err.msg, "2^8 = 256") && strstr(err.msg, "286x256"), "message: %s", err.msg);
}

Test(paired, loads_pairs_in_name_order_a_to_b, .timeout = 10) {
    PairedSet ps;
    Error err;
    cr_assert_eq(paired_load(&ps, PAIRED "good", PAIRED_A_TO_B, 3, 3, 0, 0, &err), 0, "%s", err.msg);
    cr_assert(ps.n == 3 && ps.h == 4 && ps.w == 4 && ps.c_x == 3 && ps.c_y == 3,
              "n %d, %dx%d, channels %d, %d", ps.n, ps.w, ps.h, ps.c_x, ps.c_y);
    cr_assert(strcmp(ps.names[0], "pair0.png") == 0 && strcmp(ps.names[2], "pair2.png") == 0,
              "name order: %s, %s", ps.names[0], ps.names[2]);
    float x[3 * 16], y[3 * 16];
    for (int i = 0; i < 3; i++) {
        paired_get(x, y, &ps, i, 0, 0, 4, 4, 0);
        for (int p = 0; p < 16; p++) {
            int v = 60 * i + p;   // p = 4 y + x
            cr_assert(u8(x[p]) == v && u8(x[16 + p]) == v && u8(x[32 + p]) == v,
                      "pair %d pixel %d: input is A (gray %d)", i, p, v);
            cr_assert(u8(y[p]) == v + 100 && u8(y[16 + p]) == v + 50 && u8(y[32 + p]) == v,
                      "pair %d pixel %d: target is B", i, p);
        }
    }
    paired_free(&ps);
    cr_assert(ps.x == NULL && ps.names == NULL, "paired_free empties the set");
}

Test(paired, b_to_a_swaps_the_halves_and_channels_convert, .timeout = 10) {
    PairedSet ps;
    Error err;
    // BtoA with a gray input: x is B's luminance, y is A (RGB).
    cr_assert_eq(paired_load(&ps, PAIRED "good", PAIRED_B_TO_A, 1, 3, 0, 0, &err), 0, "%s", err.msg);
    float x[16], y[3 * 16];
    paired_get(x, y, &ps, 1, 0, 0, 4, 4, 0);
    for (int p = 0; p < 16; p++) {
        int v = 60 + p;
        int luma = (int)lrintf(0.299f * (v + 100) + 0.587f * (v + 50) + 0.114f * v);
        cr_assert(abs(u8(x[p]) - luma) <= 1, "pixel %d: input %d is B's luminance %d", p, u8(x[p]), luma);
        cr_assert(u8(y[p]) == v && u8(y[32 + p]) == v, "pixel %d: target is A", p);
    }
    paired_free(&ps);
}

Test(paired, resizes_to_the_load_size, .timeout = 10) {
    PairedSet ps;
    Error err;
    cr_assert_eq(paired_load(&ps, PAIRED "good", PAIRED_A_TO_B, 3, 3, 6, 8, &err), 0, "%s", err.msg);
    cr_assert(ps.h == 6 && ps.w == 8, "kept size %dx%d, expected 8x6", ps.w, ps.h);
    float x[3 * 48], y[3 * 48];
    paired_get(x, y, &ps, 2, 0, 0, 6, 8, 0);
    for (int p = 0; p < 48; p++)
        cr_assert(abs(u8(y[p]) - u8(x[p]) - 100) <= 1, "pixel %d: resized halves stay aligned", p);
    paired_free(&ps);
}

Test(paired, batches_crop_and_flip_both_halves_together, .timeout = 10) {
    PairedSet ps;
    PairedBatcher b;
    Error err;
    Rng rng;
    rng_seed(&rng, 7);
    cr_assert_eq(paired_load(&ps, PAIRED "good", PAIRED_A_TO_B, 1, 3, 0, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(paired_batcher_init(&b, &ps, 2, 0, 2, 3, 1, &err), 0, "%s", err.msg);
    int flipped = 0, unflipped = 0, rows[3] = {0}, seen_total = 0;
    for (int epoch = 0; epoch < 40; epoch++) {
        int seen[3] = {0}, got;
        float x[2 * 6], y[2 * 3 * 6];
        while ((got = paired_batcher_next(&b, x, y, &rng)) > 0) {
            for (int k = 0; k < got; k++) {
                const float *xk = x + k * 6, *yk = y + k * 18;   // (1, 2, 3) and (3, 2, 3)
                for (int p = 0; p < 6; p++)
                    cr_assert_eq(u8(yk[p]) - u8(xk[p]), 100, "pixel %d: target red - input = 100 "
                                 "when input and target got the same crop and flip", p);
                int i = u8(xk[0]) / 60;
                seen[i]++;
                if (u8(xk[1]) > u8(xk[0])) unflipped++;
                else flipped++;
                int v0 = u8(xk[0]) - 60 * i;   // the top-left pixel tells the window
                int row = v0 / 4;
                cr_assert(row <= 2, "a 2-row crop of 4 rows starts at row 0..2, got %d", row);
                rows[row]++;
                seen_total++;
            }
        }
        cr_assert(seen[0] == 1 && seen[1] == 1 && seen[2] == 1, "each pair once per epoch: %d %d %d",
                  seen[0], seen[1], seen[2]);
    }
    cr_assert_eq(b.epoch, 40, "40 epochs started, got %d", b.epoch);
    cr_assert(flipped > 20 && unflipped > 20, "flips %d vs %d of %d", flipped, unflipped, seen_total);
    cr_assert(rows[0] > 0 && rows[1] > 0 && rows[2] > 0, "every crop row 0..2 is drawn: %d %d %d",
              rows[0], rows[1], rows[2]);
    paired_batcher_free(&b);
    cr_assert_eq(paired_batcher_init(&b, &ps, 2, 0, 5, 4, 1, &err), -1, "a crop taller than the images");
    cr_assert(strstr(err.msg, "crop 4x5") && strstr(err.msg, "4x4"), "message: %s", err.msg);
    paired_free(&ps);
}

// Loads a broken fixture folder and checks the message has every fragment.
static void refuses(const char *folder, const char *fragment1, const char *fragment2) {
    PairedSet ps;
    Error err;
    char dir[512];
    snprintf(dir, sizeof dir, PAIRED "%s", folder);
    cr_assert_eq(paired_load(&ps, dir, PAIRED_A_TO_B, 3, 3, 0, 0, &err), -1, "%s must be refused", folder);
    cr_assert(strstr(err.msg, fragment1) && strstr(err.msg, fragment2), "%s: message: %s", folder, err.msg);
    cr_assert(ps.x == NULL && ps.y == NULL && ps.names == NULL && ps.n == 0,
              "%s: nothing is left allocated", folder);
}

Test(paired, refuses_broken_sets_with_clear_messages, .timeout = 10) {
    refuses("odd_width", "odd_width/pair.png", "width 9 is odd");
    refuses("not_png", "not_png/pair.png", "");
    refuses("mixed_size", "b.png: is 12x6", "a.png is 8x4");
    refuses("empty", "empty", "found none");
    refuses("jpeg_only", "jpeg_only/photo.jpg", "truncated JPEG");   // read, and found broken
    refuses("no_such_folder", "no_such_folder", "cannot open");
    refuses("folder_png", "folder_png/pair1.png: expected an image file", "found a folder");
}

Test(paired, refuses_bad_arguments, .timeout = 10) {
    PairedSet ps;
    Error err;
    cr_assert_eq(paired_load(&ps, PAIRED "good", PAIRED_A_TO_B, 2, 3, 0, 0, &err), -1, "2 channels");
    cr_assert(strstr(err.msg, "channels must be 1 or 3"), "message: %s", err.msg);
    cr_assert_eq(paired_load(&ps, PAIRED "good", PAIRED_A_TO_B, 3, 3, 0, 8, &err), -1, "half a load size");
    cr_assert(strstr(err.msg, "load size 8x0"), "message: %s", err.msg);
}

Test(paired, unpaired_sets_resize_and_draw_b_at_random, .timeout = 10) {
    UnpairedSet us;
    Error err;
    cr_assert_eq(unpaired_load(&us, PAIRED "unpaired", "train", 3, 4, 4, &err), 0, "%s", err.msg);
    cr_assert(us.n_a == 2 && us.n_b == 3 && us.c == 3 && us.h == 4 && us.w == 4,
              "n_a %d, n_b %d, %dx%dx%d", us.n_a, us.n_b, us.c, us.h, us.w);
    cr_assert(strcmp(us.names_b[2], "b2.png") == 0, "B names in order: %s", us.names_b[2]);
    UnpairedBatcher it;
    Rng rng;
    rng_seed(&rng, 3);
    cr_assert_eq(unpaired_batcher_init(&it, &us, 1, 3, 3, 1, &err), 0, "%s", err.msg);
    int b_count[3] = {0}, same_flip = 0, other_flip = 0;
    for (int epoch = 0; epoch < 60; epoch++) {
        float a[27], b[27];
        int a_seen[2] = {0};
        while (unpaired_batcher_next(&it, a, b, &rng) > 0) {
            int ia = u8(a[0]) - 10, ib = u8(b[0]) - 200;   // red = 10 + i or 200 + i everywhere
            cr_assert(ia >= 0 && ia < 2 && ib >= 0 && ib < 3, "red %d, %d", u8(a[0]), u8(b[0]));
            a_seen[ia]++;
            b_count[ib]++;
            // green rises with the column unless the image was flipped
            int a_flip = u8(a[9 + 1]) < u8(a[9]), b_flip = u8(b[9 + 1]) < u8(b[9]);
            if (a_flip == b_flip) same_flip++;
            else other_flip++;
        }
        cr_assert(a_seen[0] == 1 && a_seen[1] == 1, "each A image once per epoch");
    }
    cr_assert(b_count[0] > 10 && b_count[1] > 10 && b_count[2] > 10, "B drawn uniformly: %d %d %d",
              b_count[0], b_count[1], b_count[2]);
    cr_assert(same_flip > 10 && other_flip > 10, "A and B flip independently: %d same, %d not",
              same_flip, other_flip);
    unpaired_batcher_free(&it);
    unpaired_free(&us);
    cr_assert_eq(unpaired_load(&us, PAIRED "unpaired", "test", 3, 4, 4, &err), -1, "no testA folder");
    cr_assert(strstr(err.msg, "unpaired/testA") && strstr(err.msg, "cannot open"), "message: %s", err.msg);
    cr_assert(us.a == NULL && us.b == NULL, "nothing is left allocated");
}

// The JPEG folders hold 13x7 ramps (tests/data/make_jpegs.c): red = 20 + 16 x,
// green = 30 + 30 y, blue = 200 - 6 x - 8 y, within a few levels (lossy).
static void expect_ramp(const float *img, int h, int w, const char *what) {
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int want[3] = {20 + 16 * x, 30 + 30 * y, 200 - 6 * x - 8 * y};
            for (int k = 0; k < 3; k++) {
                int got = u8(img[(k * h + y) * w + x]);
                cr_assert(abs(got - want[k]) <= 6, "%s: channel %d at (%d, %d) is %d, want %d +- 6",
                          what, k, y, x, got, want[k]);
            }
        }
}

Test(paired, jpeg_folders_load_like_png_ones, .timeout = 10) {
    PairedSet ps;
    Error err;
    cr_assert_eq(paired_load(&ps, PAIRED "jpeg_pairs", PAIRED_A_TO_B, 3, 3, 0, 0, &err), 0, "%s",
                 err.msg);
    cr_assert(ps.n == 1 && ps.h == 7 && ps.w == 13 && strcmp(ps.names[0], "ramp.jpg") == 0,
              "n %d, %dx%d, %s", ps.n, ps.w, ps.h, ps.n ? ps.names[0] : "");
    float x[3 * 7 * 13], y[3 * 7 * 13];
    paired_get(x, y, &ps, 0, 0, 0, 7, 13, 0);
    expect_ramp(x, 7, 13, "A half");
    expect_ramp(y, 7, 13, "B half");
    paired_free(&ps);

    UnpairedSet us;
    cr_assert_eq(unpaired_load(&us, PAIRED "jpeg_unpaired", "train", 3, 7, 13, &err), 0, "%s",
                 err.msg);
    cr_assert(us.n_a == 1 && us.n_b == 1, "a .jpg in trainA and a .JPEG in trainB: %d, %d", us.n_a,
              us.n_b);
    unpaired_get(x, &us, 0, 0, 0, 0, 7, 13, 0);
    expect_ramp(x, 7, 13, "trainA/ramp.jpg");
    unpaired_get(x, &us, 1, 0, 0, 0, 7, 13, 0);
    expect_ramp(x, 7, 13, "trainB/ramp.JPEG");
    unpaired_free(&us);
}
