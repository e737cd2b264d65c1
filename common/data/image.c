// image.c - see image.h. PNG input/output goes through libpng, JPEG input
// through libjpeg(-turbo); both report errors by longjmp, which never leaves
// this file: each call sequence sits in a small function whose setjmp turns
// the jump into a -1 return.
#include "data/image.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// jpeglib.h needs stdio.h (FILE, size_t) first.
#include <jpeglib.h>
#include <jerror.h>

float image_u8_to_float(uint8_t u) { return (float)u / 127.5f - 1.0f; }

uint8_t image_float_to_u8(float x) {
    if (!(x > -1.0f)) return 0;   // also catches NaN
    if (x >= 1.0f) return 255;
    return (uint8_t)lrintf((x + 1.0f) * 127.5f);
}

// ---------------------------------------------------------------- libpng plumbing

// What libpng's callbacks need: the file in memory, a read cursor, and where
// to put the error message.
typedef struct {
    const char *path;
    const uint8_t *data;
    size_t size, pos;
    Error *err;
} PngIo;

static void on_png_error(png_structp png, png_const_charp msg) {
    PngIo *io = png_get_error_ptr(png);
    error_set(io->err, "%s: not a readable PNG: %s", io->path, msg);
    png_longjmp(png, 1);
}

// Warnings (unknown chunks, odd gamma) do not stop a read and would only be noise.
static void on_png_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void read_png_from_memory(png_structp png, png_bytep dst, png_size_t n) {
    PngIo *io = png_get_io_ptr(png);
    if (n > io->size - io->pos) {
        error_set(io->err, "%s: truncated PNG: needed %zu more bytes at offset %zu, file has %zu",
                  io->path, (size_t)n, io->pos, io->size);
        png_longjmp(png, 1);
    }
    memcpy(dst, io->data + io->pos, n);
    io->pos += n;
}

static const char *file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a named pipe";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISSOCK(mode)) return "a socket";
    return "something other than a regular file";
}

// Only regular files are opened: a folder named x.png would "open" and report
// a size of LONG_MAX, and opening a named pipe would wait for a writer.
static int check_regular_file(const char *path, Error *err) {
    struct stat st;
    if (stat(path, &st) != 0) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return error_set(err, "%s: expected an image file, found %s", path, file_kind(st.st_mode));
    return 0;
}

// Reads the whole file, refusing empty and oversized ones. kind names what
// was expected in the message for an empty file ("a PNG image").
static int read_file(uint8_t **out, size_t *size, const char *path, long max_bytes,
                     const char *kind, Error *err) {
    if (check_regular_file(path, err) != 0) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return error_set(err, "%s: cannot read: not a regular file", path);
    }
    if (n == 0) {
        fclose(f);
        return error_set(err, "%s: expected %s, found an empty file", path, kind);
    }
    if (n > max_bytes) {
        fclose(f);
        return error_set(err, "%s: expected at most %ld bytes, found %ld", path, max_bytes, n);
    }
    uint8_t *buf = malloc((size_t)n);
    if (!buf) {
        fclose(f);
        return error_set(err, "%s: out of memory for %ld bytes", path, n);
    }
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    if (got != (size_t)n) {
        free(buf);
        return error_set(err, "%s: read %zu of %ld bytes", path, got, n);
    }
    *out = buf;
    *size = (size_t)n;
    return 0;
}

// After this, every row libpng delivers is 8-bit gray, gray+alpha, RGB or RGBA.
static int read_png_header(png_structp png, png_infop info, PngIo *io, int *h, int *w, int *ch) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_read_info(png, info);
    png_uint_32 pw = png_get_image_width(png, info), ph = png_get_image_height(png, info);
    if (pw > IMAGE_MAX_SIDE || ph > IMAGE_MAX_SIDE)
        return error_set(io->err, "%s: expected at most %dx%d pixels, found %ux%u", io->path,
                         IMAGE_MAX_SIDE, IMAGE_MAX_SIDE, (unsigned)pw, (unsigned)ph);
    png_set_expand(png);   // palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha
    png_set_strip_16(png);
    if (png_get_interlace_type(png, info) != PNG_INTERLACE_NONE) png_set_interlace_handling(png);
    png_read_update_info(png, info);
    *h = (int)ph;
    *w = (int)pw;
    *ch = png_get_channels(png, info);
    return 0;
}

static int read_png_pixels(png_structp png, png_bytep *rows) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    return 0;
}

// ---------------------------------------------------------------- reading

// One pixel's colour from the file (ch = 1, 2, 3 or 4 bytes) onto white, as
// floats r, g, b in [0, 255].
static void composite(float rgb[3], const uint8_t *p, int ch) {
    int has_alpha = (ch == 2 || ch == 4);
    float a = has_alpha ? p[ch - 1] / 255.0f : 1.0f;
    for (int k = 0; k < 3; k++) {
        float v = (ch <= 2) ? p[0] : p[k];
        rgb[k] = a * v + (1.0f - a) * 255.0f;
    }
}

// img (oc, plane) in [-1, 1] = interleaved 8-bit pixels (plane, ch) with
// alpha composited onto white, converted to oc = 1 or 3 channels.
static void pixels_to_chw(float *img, const uint8_t *pixels, size_t plane, int ch, int oc) {
    for (size_t i = 0; i < plane; i++) {
        float rgb[3];
        composite(rgb, pixels + i * ch, ch);
        if (oc == 1) {
            float y = (ch <= 2) ? rgb[0] : 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
            img[i] = image_u8_to_float((uint8_t)lrintf(y));
        } else {
            for (int k = 0; k < 3; k++) img[k * plane + i] = image_u8_to_float((uint8_t)lrintf(rgb[k]));
        }
    }
}

int image_read_png(float **out, int *c, int *h, int *w, const char *path, int want_c, Error *err) {
    *out = NULL;
    if (want_c != 0 && want_c != 1 && want_c != 3)
        return error_set(err, "%s: want_c must be 0, 1 or 3, got %d", path, want_c);
    uint8_t *file = NULL;
    size_t size = 0;
    if (read_file(&file, &size, path, IMAGE_MAX_FILE_BYTES, "a PNG image", err) != 0) return -1;
    if (size < 8 || png_sig_cmp(file, 0, 8) != 0) {
        char found[3 * 8 + 1] = "";
        for (size_t i = 0; i < size && i < 8; i++) sprintf(found + 3 * i, " %02x", file[i]);
        free(file);
        return error_set(err, "%s: expected the PNG signature 89 50 4e 47 0d 0a 1a 0a, found%s%s",
                         path, found, size < 8 ? " (file too short)" : "");
    }

    PngIo io = {path, file, size, 0, err};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, on_png_error,
                                             on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        free(file);
        return error_set(err, "%s: libpng could not start (out of memory)", path);
    }
    png_set_read_fn(png, &io, read_png_from_memory);

    int ph, pw, ch, status = -1;
    uint8_t *pixels = NULL;
    png_bytep *rows = NULL;
    float *img = NULL;
    if (read_png_header(png, info, &io, &ph, &pw, &ch) != 0) goto done;
    pixels = malloc((size_t)ph * pw * ch);
    rows = malloc(sizeof(png_bytep) * ph);
    if (!pixels || !rows) {
        error_set(err, "%s: out of memory for %dx%d pixels", path, pw, ph);
        goto done;
    }
    for (int y = 0; y < ph; y++) rows[y] = pixels + (size_t)y * pw * ch;
    if (read_png_pixels(png, rows) != 0) goto done;

    int oc = want_c ? want_c : (ch <= 2 ? 1 : 3);
    img = malloc(sizeof(float) * oc * ph * pw);
    if (!img) {
        error_set(err, "%s: out of memory for %dx%d pixels", path, pw, ph);
        goto done;
    }
    pixels_to_chw(img, pixels, (size_t)ph * pw, ch, oc);
    *out = img;
    *c = oc;
    *h = ph;
    *w = pw;
    img = NULL;
    status = 0;
done:
    png_destroy_read_struct(&png, &info, NULL);
    free(img);
    free(rows);
    free(pixels);
    free(file);
    return status;
}

// ---------------------------------------------------------------- JPEG (libjpeg-turbo)

// libjpeg reports a fatal error by calling error_exit, which by default
// prints and calls exit(); ours formats the message into err and longjmps
// back to the setjmp in read_jpeg_pixels. Warnings that mean lost or
// garbled pixels (a truncated file, bad entropy-coded data) are fatal too:
// libjpeg would otherwise return an image whose bottom is grey.
typedef struct {
    struct jpeg_error_mgr base;   // first, so a j_common_ptr's err is one of these
    jmp_buf jump;
    const char *path;
    Error *err;
} JpegErr;

static void jpeg_fail(j_common_ptr cinfo, const char *what) {
    JpegErr *je = (JpegErr *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, msg);
    error_set(je->err, "%s: %s: %s", je->path, what, msg);
    longjmp(je->jump, 1);
}

static void on_jpeg_error(j_common_ptr cinfo) { jpeg_fail(cinfo, "not a readable JPEG"); }

static void on_jpeg_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;   // trace messages
    int code = cinfo->err->msg_code;
    // Harmless oddities of real files: stray bytes between markers, newer
    // JFIF or Adobe marker versions. The pixels are intact.
    if (code == JWRN_EXTRANEOUS_DATA || code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM)
        return;
    jpeg_fail(cinfo, code == JWRN_JPEG_EOF ? "truncated JPEG" : "corrupt JPEG");
}

// A progressive file may hold any number of scans, each a pass over the whole
// image; a small crafted file with thousands of them takes minutes to decode.
// Real encoders write about 10.
#define JPEG_MAX_SCANS 500

static void on_jpeg_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    JpegErr *je = (JpegErr *)cinfo->err;
    if (d->is_decompressor && d->input_scan_number > JPEG_MAX_SCANS) {
        error_set(je->err, "%s: expected at most %d progressive scans, found more", je->path,
                  JPEG_MAX_SCANS);
        longjmp(je->jump, 1);
    }
}

// Decodes a whole JPEG in memory into *pixels (h, w, ch) 8-bit, ch = 1 (gray)
// or 3 (RGB). Every libjpeg call sits after the setjmp, so an error anywhere
// comes back here as -1 with err set.
static int read_jpeg_pixels(uint8_t **pixels, int *h, int *w, int *ch, const uint8_t *file,
                            size_t size, const char *path, Error *err) {
    struct jpeg_decompress_struct cinfo;
    JpegErr je;
    struct jpeg_progress_mgr progress = {.progress_monitor = on_jpeg_progress};
    uint8_t *volatile buf = NULL;   // volatile: its value must survive the longjmp
    cinfo.err = jpeg_std_error(&je.base);
    je.base.error_exit = on_jpeg_error;
    je.base.emit_message = on_jpeg_message;
    je.path = path;
    je.err = err;
    if (setjmp(je.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(buf);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    // Without a backing store libjpeg fails cleanly when a file asks for more.
    cinfo.mem->max_memory_to_use = 1L << 30;
    jpeg_mem_src(&cinfo, file, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width > IMAGE_MAX_SIDE || cinfo.image_height > IMAGE_MAX_SIDE) {
        error_set(err, "%s: expected at most %dx%d pixels, found %ux%u", path, IMAGE_MAX_SIDE,
                  IMAGE_MAX_SIDE, (unsigned)cinfo.image_width, (unsigned)cinfo.image_height);
        longjmp(je.jump, 1);
    }
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        error_set(err, "%s: expected a gray or colour (YCbCr/RGB) JPEG, found CMYK (a print "
                       "file); convert it with `convert %s -colorspace sRGB out.png` "
                       "(Debian: imagemagick)", path, path);
        longjmp(je.jump, 1);
    }
    cinfo.out_color_space = cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int rw = (int)cinfo.output_width, rh = (int)cinfo.output_height;
    int rc = cinfo.output_components;
    buf = malloc((size_t)rh * rw * rc);
    if (!buf) {
        error_set(err, "%s: out of memory for %dx%d pixels", path, rw, rh);
        longjmp(je.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = buf + (size_t)cinfo.output_scanline * rw * rc;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *pixels = buf;
    *h = rh;
    *w = rw;
    *ch = rc;
    return 0;
}

int image_read_jpeg(float **out, int *c, int *h, int *w, const char *path, int want_c,
                    Error *err) {
    *out = NULL;
    if (want_c != 0 && want_c != 1 && want_c != 3)
        return error_set(err, "%s: want_c must be 0, 1 or 3, got %d", path, want_c);
    uint8_t *file = NULL, *pixels = NULL;
    size_t size = 0;
    if (read_file(&file, &size, path, IMAGE_MAX_FILE_BYTES, "a JPEG image", err) != 0) return -1;
    if (size < 3 || file[0] != 0xff || file[1] != 0xd8 || file[2] != 0xff) {
        char found[3 * 3 + 1] = "";
        for (size_t i = 0; i < size && i < 3; i++) sprintf(found + 3 * i, " %02x", file[i]);
        free(file);
        return error_set(err, "%s: expected the JPEG signature ff d8 ff, found%s%s", path, found,
                         size < 3 ? " (file too short)" : "");
    }
    int jh, jw, ch;
    int status = read_jpeg_pixels(&pixels, &jh, &jw, &ch, file, size, path, err);
    free(file);
    if (status != 0) return -1;
    int oc = want_c ? want_c : ch;
    float *img = malloc(sizeof(float) * oc * jh * jw);
    if (!img) {
        free(pixels);
        return error_set(err, "%s: out of memory for %dx%d pixels", path, jw, jh);
    }
    pixels_to_chw(img, pixels, (size_t)jh * jw, ch, oc);
    free(pixels);
    *out = img;
    *c = oc;
    *h = jh;
    *w = jw;
    return 0;
}

// ---------------------------------------------------------------- PNG or JPEG

int image_read(float **out, int *c, int *h, int *w, const char *path, int want_c, Error *err) {
    *out = NULL;
    if (check_regular_file(path, err) != 0) return -1;
    uint8_t head[8];
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    size_t n = fread(head, 1, sizeof head, f);
    int failed = ferror(f), why = errno;
    fclose(f);
    if (failed) return error_set(err, "%s: cannot read: %s", path, strerror(why));
    if (n >= 8 && png_sig_cmp(head, 0, 8) == 0)
        return image_read_png(out, c, h, w, path, want_c, err);
    if (n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
        return image_read_jpeg(out, c, h, w, path, want_c, err);
    if (n == 0) return error_set(err, "%s: expected a PNG or JPEG image, found an empty file", path);
    char found[3 * 8 + 1] = "";
    for (size_t i = 0; i < n; i++) sprintf(found + 3 * i, " %02x", head[i]);
    return error_set(err, "%s: expected a PNG (89 50 4e 47 ...) or JPEG (ff d8 ff ...) image, "
                          "found%s%s", path, found, n < 8 ? " (file too short)" : "");
}

// ---------------------------------------------------------------- writing

// What the writer's libpng callbacks need: the file, and the errno of a write
// that failed (libpng's own message would only say "Write Error").
typedef struct {
    const char *path;
    FILE *f;
    int write_errno;
    Error *err;
} PngOut;

static void on_png_write_error(png_structp png, png_const_charp msg) {
    PngOut *out = png_get_error_ptr(png);
    if (out->write_errno)
        error_set(out->err, "%s: writing the PNG failed: %s (the previous file, if any, is "
                  "unchanged)", out->path, strerror(out->write_errno));
    else
        error_set(out->err, "%s: cannot encode a PNG: %s", out->path, msg);
    png_longjmp(png, 1);
}

static void write_png_bytes(png_structp png, png_bytep data, png_size_t n) {
    PngOut *out = png_get_io_ptr(png);
    if (fwrite(data, 1, n, out->f) != n) {
        out->write_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void flush_png(png_structp png) {
    PngOut *out = png_get_io_ptr(png);
    if (fflush(out->f) != 0) {
        out->write_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static int write_png_rows(png_structp png, png_infop info, PngOut *out, png_bytep *rows, int h,
                          int w, int c) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_set_write_fn(png, out, write_png_bytes, flush_png);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 c == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    return 0;
}

// The PNG goes to path.tmp, which replaces path only once it is complete: a
// full disk or a crash mid-write leaves the previous picture as it was.
int image_write_png(const char *path, const float *img, int c, int h, int w, Error *err) {
    if (c != 1 && c != 3)
        return error_set(err, "%s: can write 1 (gray) or 3 (RGB) channels, got %d", path, c);
    if (h <= 0 || w <= 0 || h > IMAGE_MAX_SIDE || w > IMAGE_MAX_SIDE)
        return error_set(err, "%s: image size %dx%d is outside 1..%d", path, w, h, IMAGE_MAX_SIDE);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return error_set(err, "%s: path too long", path);
    size_t plane = (size_t)h * w;
    uint8_t *pixels = malloc(plane * c);
    png_bytep *rows = malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows) {
        free(pixels);
        free(rows);
        return error_set(err, "%s: out of memory for %dx%d pixels", path, w, h);
    }
    for (size_t i = 0; i < plane; i++)   // CHW -> interleaved rows
        for (int k = 0; k < c; k++) pixels[i * c + k] = image_float_to_u8(img[k * plane + i]);
    for (int y = 0; y < h; y++) rows[y] = pixels + (size_t)y * w * c;

    int status = -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        error_set(err, "%s: cannot create: %s", path, strerror(errno));
    } else {
        PngOut out = {path, f, 0, err};
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &out, on_png_write_error,
                                                  on_png_warning);
        png_infop info = png ? png_create_info_struct(png) : NULL;
        if (!info)
            error_set(err, "%s: libpng could not start (out of memory)", path);
        else if (write_png_rows(png, info, &out, rows, h, w, c) == 0)
            status = 0;
        png_destroy_write_struct(&png, &info);
        if (fclose(f) != 0 && status == 0)
            status = error_set(err, "%s: writing the PNG failed: %s (the previous file, if any, "
                               "is unchanged)", path, strerror(errno));
        if (status == 0 && rename(tmp, path) != 0)
            status = error_set(err, "%s: cannot replace it with %s: %s", path, tmp, strerror(errno));
        if (status != 0) remove(tmp);
    }
    free(rows);
    free(pixels);
    return status;
}

// ---------------------------------------------------------------- grids

void image_grid_size(int *grid_h, int *grid_w, int n, int h, int w, int n_cols) {
    int n_rows = (n + n_cols - 1) / n_cols;
    *grid_h = n_rows * h + (n_rows + 1) * IMAGE_GRID_BORDER;
    *grid_w = n_cols * w + (n_cols + 1) * IMAGE_GRID_BORDER;
}

void image_grid(float *out, const float *imgs, int n, int c, int h, int w, int n_cols) {
    int gh, gw;
    image_grid_size(&gh, &gw, n, h, w, n_cols);
    for (long i = 0; i < (long)c * gh * gw; i++) out[i] = IMAGE_GRID_BORDER_VALUE;
    for (int i = 0; i < n; i++) {
        int y0 = IMAGE_GRID_BORDER + (i / n_cols) * (h + IMAGE_GRID_BORDER);
        int x0 = IMAGE_GRID_BORDER + (i % n_cols) * (w + IMAGE_GRID_BORDER);
        for (int k = 0; k < c; k++)
            for (int y = 0; y < h; y++)
                memcpy(out + ((size_t)k * gh + y0 + y) * gw + x0,
                       imgs + (((size_t)i * c + k) * h + y) * w, sizeof(float) * w);
    }
}

int image_write_grid(const char *path, const float *imgs, int n, int c, int h, int w, int n_cols,
                     Error *err) {
    if (n <= 0 || n_cols <= 0)
        return error_set(err, "%s: a grid needs n > 0 images and n_cols > 0, got %d and %d", path,
                         n, n_cols);
    if (n_cols > n) n_cols = n;
    int gh, gw;
    image_grid_size(&gh, &gw, n, h, w, n_cols);
    float *grid = malloc(sizeof(float) * c * gh * gw);
    if (!grid) return error_set(err, "%s: out of memory for a %dx%d grid", path, gw, gh);
    image_grid(grid, imgs, n, c, h, w, n_cols);
    int status = image_write_png(path, grid, c, gh, gw, err);
    free(grid);
    return status;
}

// ---------------------------------------------------------------- geometry

void image_resize(float *out, const float *in, int c, int h, int w, int out_h, int out_w) {
    float sy = (float)h / out_h, sx = (float)w / out_w;
    for (int oy = 0; oy < out_h; oy++) {
        // source coordinate of this pixel's centre, clamped to the edge pixels
        float fy = fmaxf((oy + 0.5f) * sy - 0.5f, 0.0f);
        int y0 = (int)fy < h - 1 ? (int)fy : h - 1;
        int y1 = y0 + 1 < h ? y0 + 1 : h - 1;
        float ty = fy - y0;
        for (int ox = 0; ox < out_w; ox++) {
            float fx = fmaxf((ox + 0.5f) * sx - 0.5f, 0.0f);
            int x0 = (int)fx < w - 1 ? (int)fx : w - 1;
            int x1 = x0 + 1 < w ? x0 + 1 : w - 1;
            float tx = fx - x0;
            for (int k = 0; k < c; k++) {
                const float *p = in + (size_t)k * h * w;
                // a + t * (b - a) is exactly a when a == b: constants stay constant
                float top = p[y0 * w + x0] + tx * (p[y0 * w + x1] - p[y0 * w + x0]);
                float bot = p[y1 * w + x0] + tx * (p[y1 * w + x1] - p[y1 * w + x0]);
                out[((size_t)k * out_h + oy) * out_w + ox] = top + ty * (bot - top);
            }
        }
    }
}

void image_crop(float *out, const float *in, int c, int h, int w, int y0, int x0, int out_h,
                int out_w) {
    for (int k = 0; k < c; k++)
        for (int y = 0; y < out_h; y++)
            memcpy(out + ((size_t)k * out_h + y) * out_w, in + ((size_t)k * h + y0 + y) * w + x0,
                   sizeof(float) * out_w);
}

void image_flip_horizontal(float *out, const float *in, int c, int h, int w) {
    for (int k = 0; k < c; k++)
        for (int y = 0; y < h; y++) {
            const float *src = in + ((size_t)k * h + y) * w;
            float *dst = out + ((size_t)k * h + y) * w;
            for (int x = 0; x < w; x++) dst[x] = src[w - 1 - x];
        }
}
