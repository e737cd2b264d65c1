// make_jpegs.c - writes the tiny JPEG test inputs in this folder with
// libjpeg's own encoder, so every kind of file is made the same way:
//     gcc make_jpegs.c -ljpeg -o make_jpegs && ./make_jpegs && rm make_jpegs   (run from here)
// The pixels are smooth ramps that tests/common/test_image.c recomputes:
// channel k at (y, x) = jpeg_value(y, x, k) below (JPEG is lossy, so the test
// compares within a tolerance). 13x7 is not a multiple of the 8x8 or 16x16
// blocks, so the decoder's handling of partial blocks is exercised too.
// Quality 95, no chroma subsampling.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#define W 13
#define H 7

static int jpeg_value(int y, int x, int k) {
    if (k == 0) return 20 + 16 * x;
    if (k == 1) return 30 + 30 * y;
    return 200 - 6 * x - 8 * y;
}

typedef struct {
    unsigned char *data;
    unsigned long size;
} Buffer;

// kind: 'g' gray, 'c' colour, 'p' progressive colour, 'a' colour with
// arithmetic coding and a restart marker every MCU row, 'k' CMYK. width W
// gives one ramp, 2 W two side by side (an aligned pair for the folder loaders).
static Buffer encode(char kind, int width) {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    Buffer out = {NULL, 0};
    jpeg_mem_dest(&cinfo, &out.data, &out.size);
    int ch = kind == 'g' ? 1 : kind == 'k' ? 4 : 3;
    cinfo.image_width = width;
    cinfo.image_height = H;
    cinfo.input_components = ch;
    cinfo.in_color_space = kind == 'g' ? JCS_GRAYSCALE : kind == 'k' ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 95, TRUE);
    // 4:4:4: no chroma subsampling, which would blur the ramps' colour
    // across pixel pairs by more than the tolerance the test allows.
    cinfo.comp_info[0].h_samp_factor = cinfo.comp_info[0].v_samp_factor = 1;
    if (kind == 'p') jpeg_simple_progression(&cinfo);
    if (kind == 'a') cinfo.arith_code = TRUE, cinfo.restart_in_rows = 1;
    jpeg_start_compress(&cinfo, TRUE);
    unsigned char row[2 * W * 4];
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < width; x++)
            for (int k = 0; k < ch; k++)
                row[x * ch + k] =
                    (unsigned char)(ch == 1 ? jpeg_value(y, x % W, 1) : jpeg_value(y, x % W, k % 3));
        JSAMPROW r = row;
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return out;
}

static void write(const char *name, const unsigned char *data, size_t size) {
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", name);
        exit(1);
    }
}

// Offset of the first marker 0xff code, or -1.
static long find_marker(const Buffer *b, int code) {
    for (unsigned long i = 0; i + 1 < b->size; i++)
        if (b->data[i] == 0xff && b->data[i + 1] == code) return (long)i;
    return -1;
}

int main(void) {
    Buffer rgb = encode('c', W), gray = encode('g', W), prog = encode('p', W), cmyk = encode('k', W);
    write("rgb_13x7.jpg", rgb.data, rgb.size);
    write("gray_13x7.jpg", gray.data, gray.size);
    write("progressive_13x7.jpg", prog.data, prog.size);
    Buffer arith = encode('a', W);
    write("arith_restart_13x7.jpg", arith.data, arith.size);
    write("cmyk_13x7.jpg", cmyk.data, cmyk.size);

    // Cut in the middle of the entropy-coded data (after the start of scan).
    long sos = find_marker(&rgb, 0xda);
    write("truncated.jpg", rgb.data, (size_t)(sos + (rgb.size - sos) / 2));

    // The frame header (SOF0: ff c0, length, precision, height, width) says
    // 20000 x 30000 pixels: refused before any pixel is decoded.
    Buffer huge = {malloc(rgb.size), rgb.size};
    memcpy(huge.data, rgb.data, rgb.size);
    long sof = find_marker(&huge, 0xc0);
    huge.data[sof + 5] = 20000 >> 8, huge.data[sof + 6] = 20000 & 0xff;
    huge.data[sof + 7] = 30000 >> 8, huge.data[sof + 8] = 30000 & 0xff;
    write("huge.jpg", huge.data, huge.size);

    // A frame header with zero colour components: a fatal libjpeg error.
    Buffer bad = {malloc(rgb.size), rgb.size};
    memcpy(bad.data, rgb.data, rgb.size);
    bad.data[find_marker(&bad, 0xc0) + 9] = 0;
    write("bad_header.jpg", bad.data, bad.size);

    write("not_a_jpeg.jpg", (const unsigned char *)"GIF89a: a GIF, not a JPEG\n", 26);
    write("empty.jpg", (const unsigned char *)"", 0);

    // JPEG folders for common/data/paired.c (tests/common/test_paired.c): an aligned
    // pair whose halves are the same ramp, and unpaired sets named .jpg and
    // .JPEG (the suffix in any case).
    Buffer pair = encode('c', 2 * W);
    write("paired/jpeg_pairs/ramp.jpg", pair.data, pair.size);
    write("paired/jpeg_unpaired/trainA/ramp.jpg", rgb.data, rgb.size);
    write("paired/jpeg_unpaired/trainB/ramp.JPEG", rgb.data, rgb.size);
    return 0;
}
