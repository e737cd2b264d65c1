// jigsaw - puts together a painting that GCompris ships only as the pieces
// of its "paintings" puzzle:
//
//     jigsaw BOARD.qml PIECES_DIR OUT.png
//
// BOARD.qml (one level of the activity) gives the board's size and, for each
// piece, its file and the position of its centre as a fraction of the board:
//     "type" : "SHAPE_BACKGROUND_IMAGE", "width": 702, "height": 515
//     "pixmapfile" : "image/renoir-moulin_de_la_galette-4.webp", "x" : "0.226", "y" : "0.651"
// Each piece must be in PIECES_DIR as NAME.pam (RGBA, as `dwebp -pam` writes
// it): its jigsaw outline is in the alpha channel, and the tabs of one piece
// overlap the next one's. Colours are averaged, weighted by alpha, where pieces
// overlap, so the half-transparent seams between pieces disappear; the result
// is cropped to where the pieces cover the board and written as RGB.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "data/image.h"

#define MAX_PIECES 64
#define MAX_TEXT (1L << 20)

typedef struct {
    char name[256];   // file name without the folder and the .webp
    double x, y;      // centre, as a fraction of the board
} Piece;

// The number after `key` (e.g. "width") in text, or -1.
static double number_after(const char *text, const char *key) {
    const char *p = strstr(text, key);
    if (!p) return -1;
    p += strlen(key);
    while (*p && (*p == '"' || *p == ':' || *p == ' ')) p++;
    return atof(p);
}

// Reads a PAM file (P7, DEPTH 4, MAXVAL 255) into *rgba (H, W, 4), 8-bit.
static int read_pam(unsigned char **rgba, int *h, int *w, const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open", path);
    char line[256];
    int width = -1, height = -1, depth = -1, maxval = -1, ended = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "P7", 2) != 0) {
        fclose(f);
        return error_set(err, "%s: expected a PAM file (P7), found something else", path);
    }
    while (!ended && fgets(line, sizeof line, f)) {
        if (sscanf(line, "WIDTH %d", &width) == 1 || sscanf(line, "HEIGHT %d", &height) == 1 ||
            sscanf(line, "DEPTH %d", &depth) == 1 || sscanf(line, "MAXVAL %d", &maxval) == 1)
            continue;
        if (strncmp(line, "ENDHDR", 6) == 0) ended = 1;
    }
    if (!ended || depth != 4 || maxval != 255 || width < 1 || height < 1 ||
        width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE) {
        fclose(f);
        return error_set(err, "%s: expected an 8-bit RGBA PAM of at most %d px a side, found "
                              "%dx%d, depth %d, maxval %d", path, IMAGE_MAX_SIDE, width, height,
                         depth, maxval);
    }
    size_t n = (size_t)width * height * 4;
    unsigned char *px = malloc(n);
    size_t got = px ? fread(px, 1, n, f) : 0;
    fclose(f);
    if (got != n) {
        free(px);
        return error_set(err, "%s: truncated PAM: expected %zu bytes of pixels, found %zu", path, n, got);
    }
    *rgba = px;
    *h = height;
    *w = width;
    return 0;
}

// Parses the board: its size and its pieces.
static int read_board(int *bw, int *bh, Piece *pieces, int *n, const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open", path);
    char *text = calloc(MAX_TEXT + 1, 1);
    size_t len = text ? fread(text, 1, MAX_TEXT, f) : 0;
    fclose(f);
    if (!text) return error_set(err, "%s: out of memory", path);
    const char *bg = strstr(text, "SHAPE_BACKGROUND_IMAGE");
    *bw = bg ? (int)number_after(bg, "\"width\"") : -1;
    *bh = bg ? (int)number_after(bg, "\"height\"") : -1;
    *n = 0;
    for (const char *p = strstr(text, "\"pixmapfile\""); p; p = strstr(p + 1, "\"pixmapfile\"")) {
        // the quoted value: "image/NAME.webp" for a piece ("image/bg.svg" is the board)
        const char *open = strchr(p + 12, '"'), *close = open ? strchr(open + 1, '"') : NULL;
        if (!close) break;
        size_t len = (size_t)(close - open - 1);
        if (len <= 11 || len - 11 >= sizeof pieces[0].name || strncmp(open + 1, "image/", 6) != 0 ||
            strncmp(close - 5, ".webp", 5) != 0)
            continue;
        if (*n == MAX_PIECES) break;
        Piece *pc = &pieces[(*n)++];
        memcpy(pc->name, open + 7, len - 11);
        pc->name[len - 11] = '\0';
        pc->x = number_after(close, "\"x\"");
        pc->y = number_after(close, "\"y\"");
    }
    free(text);
    if (len == 0 || *bw < 1 || *bh < 1 || *bw > IMAGE_MAX_SIDE || *bh > IMAGE_MAX_SIDE || *n == 0)
        return error_set(err, "%s: expected a GCompris paintings board (a background of 1..%d px "
                              "a side and pieces), found size %dx%d and %d pieces", path,
                         IMAGE_MAX_SIDE, *bw, *bh, *n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: jigsaw BOARD.qml PIECES_DIR OUT.png\n");
        return 2;
    }
    Error err;
    Piece pieces[MAX_PIECES];
    int bw = 0, bh = 0, n = 0;
    if (read_board(&bw, &bh, pieces, &n, argv[1], &err) != 0) {
        fprintf(stderr, "jigsaw: %s\n", err.msg);
        return 1;
    }
    size_t plane = (size_t)bw * bh;
    float *sum = calloc(plane * 4, sizeof(float));   // alpha-weighted R, G, B, then alpha
    if (!sum) return fprintf(stderr, "jigsaw: out of memory\n"), 1;
    for (int i = 0; i < n; i++) {
        char path[4096 + sizeof pieces[0].name];
        snprintf(path, sizeof path, "%.4000s/%.255s.pam", argv[2], pieces[i].name);
        unsigned char *px = NULL;
        int ph = 0, pw = 0;
        if (read_pam(&px, &ph, &pw, path, &err) != 0) {
            fprintf(stderr, "jigsaw: %s (a piece of %s)\n", err.msg, argv[1]);
            free(sum);
            return 1;
        }
        int x0 = (int)lround(pieces[i].x * bw - pw / 2.0), y0 = (int)lround(pieces[i].y * bh - ph / 2.0);
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                int by = y0 + y, bx = x0 + x;
                if (by < 0 || by >= bh || bx < 0 || bx >= bw) continue;
                const unsigned char *p = px + ((size_t)y * pw + x) * 4;
                float a = p[3] / 255.0f;
                size_t at = (size_t)by * bw + bx;
                for (int k = 0; k < 3; k++) sum[k * plane + at] += a * p[k];
                sum[3 * plane + at] += a;
            }
        free(px);
    }
    // The painting is where the pieces cover the board.
    int top = bh, bottom = -1, left = bw, right = -1;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++)
            if (sum[3 * plane + (size_t)y * bw + x] > 0.5f) {
                if (y < top) top = y;
                if (y > bottom) bottom = y;
                if (x < left) left = x;
                if (x > right) right = x;
            }
    int oh = bottom - top + 1, ow = right - left + 1;
    if (bottom < 0) {
        fprintf(stderr, "jigsaw: %s: the pieces cover nothing of the board\n", argv[1]);
        free(sum);
        return 1;
    }
    float *img = malloc(sizeof(float) * 3 * oh * ow);
    if (!img) return fprintf(stderr, "jigsaw: out of memory\n"), 1;
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            size_t at = (size_t)(top + y) * bw + left + x;
            float a = sum[3 * plane + at];
            for (int k = 0; k < 3; k++) {
                float v = a > 0.0f ? sum[k * plane + at] / a : 255.0f;   // a gap: white
                img[((size_t)k * oh + y) * ow + x] = v / 127.5f - 1.0f;
            }
        }
    free(sum);
    int status = image_write_png(argv[3], img, 3, oh, ow, &err);
    free(img);
    if (status != 0) {
        fprintf(stderr, "jigsaw: %s\n", err.msg);
        return 1;
    }
    printf("jigsaw: %s: %d pieces, %dx%d\n", argv[3], n, ow, oh);
    return 0;
}
