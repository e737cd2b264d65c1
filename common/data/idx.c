// idx.c - see idx.h.
#include "data/idx.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data/image.h"

#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAGIC_IMAGES 0x00000803u

static uint32_t be32(const uint8_t *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

// zlib's message without the "path: " it puts in front.
static const char *zlib_message(gzFile f, const char *path, int *zerr) {
    const char *msg = gzerror(f, zerr);
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0) msg += n + 2;
    return msg;
}

static const char *describe_magic(uint32_t magic) {
    if (magic == IDX_MAGIC_IMAGES) return "IDX images";
    if (magic == IDX_MAGIC_LABELS) return "IDX labels";
    if ((magic >> 16) != 0) return "not an IDX file";
    return "another IDX type";
}

// Opens the file and reads the magic and n_dims dimensions.
static gzFile open_idx(const char *path, uint32_t want_magic, uint32_t *dims, int n_dims,
                       Error *err) {
    gzFile f = gzopen(path, "rb");
    if (!f) {
        error_set(err, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
        return NULL;
    }
    uint8_t header[4 * 4];
    int n_read = 0;
    for (int part = 0; part < 2; part++) {   // the magic first, so a wrong type is named as such
        int want = part == 0 ? 4 : 4 * n_dims;
        int got = gzread(f, header + n_read, want);
        if (got != want) {
            int zerr;
            const char *zmsg = zlib_message(f, path, &zerr);
            if (got <= 0 && n_read == 0 && zerr == Z_OK)
                error_set(err, "%s: expected %s, found an empty file", path,
                          describe_magic(want_magic));
            else if (got < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR))
                error_set(err, "%s: corrupt gzip data: %s", path, zmsg);
            else
                error_set(err, "%s: truncated: expected a %d-byte IDX header, found %d bytes", path,
                          4 * (1 + n_dims), n_read + got);
            gzclose(f);
            return NULL;
        }
        n_read += got;
        if (part == 0) {
            uint32_t magic = be32(header);
            if (magic != want_magic) {
                error_set(err, "%s: expected magic 0x%08x (%s), found 0x%08x (%s)", path,
                          want_magic, describe_magic(want_magic), magic, describe_magic(magic));
                gzclose(f);
                return NULL;
            }
        }
    }
    uint32_t v[4];
    for (int i = 0; i <= n_dims; i++) v[i] = be32(header + 4 * i);
    memcpy(dims, v + 1, sizeof(uint32_t) * n_dims);
    return f;
}

// Reads n_bytes bytes, growing the buffer only as data arrives; with
// check_end, also checks that nothing follows (which is also where gzip's
// checksum is verified).
static uint8_t *read_body(gzFile f, size_t n_bytes, int check_end, const char *path,
                          const char *what, Error *err) {
    size_t cap = n_bytes < (1u << 20) ? n_bytes : (1u << 20), have = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        error_set(err, "%s: out of memory", path);
        return NULL;
    }
    while (have < n_bytes) {
        if (have == cap) {
            cap = cap * 2 < n_bytes ? cap * 2 : n_bytes;
            uint8_t *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                error_set(err, "%s: out of memory for %zu bytes", path, cap);
                return NULL;
            }
            buf = bigger;
        }
        int got = gzread(f, buf + have, (unsigned)(cap - have));
        if (got <= 0) {
            int zerr;
            const char *zmsg = zlib_message(f, path, &zerr);
            if (got < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR))
                error_set(err, "%s: corrupt gzip data after %zu bytes of %s: %s", path, have, what,
                          zmsg);
            else
                error_set(err, "%s: truncated: expected %zu bytes of %s, found %zu", path, n_bytes,
                          what, have);
            free(buf);
            return NULL;
        }
        have += (size_t)got;
    }
    if (check_end) {
        uint8_t extra;
        int got = gzread(f, &extra, 1), zerr;
        const char *zmsg = zlib_message(f, path, &zerr);
        if (got == 1)
            error_set(err, "%s: expected exactly %zu bytes of %s, found more after them", path,
                      n_bytes, what);
        else if (zerr == Z_BUF_ERROR)
            error_set(err, "%s: truncated: the gzip stream ends without its trailer", path);
        else if (got < 0 || zerr != Z_OK)   // e.g. gzip's checksum does not match
            error_set(err, "%s: corrupt gzip data at the end of %s: %s", path, what, zmsg);
        if (got != 0 || zerr != Z_OK) {
            free(buf);
            return NULL;
        }
    }
    return buf;
}

static int check_count(uint32_t n, int limit, const char *path, Error *err) {
    if (n == 0) return error_set(err, "%s: expected at least one item, found a count of 0", path);
    if (limit > 0 && (uint32_t)limit < n) return limit;
    if (n > (uint32_t)IDX_MAX_BYTES)
        return error_set(err, "%s: expected at most %ld items, header claims %u", path,
                         IDX_MAX_BYTES, n);
    return (int)n;
}

int idx_read_images(float **out, int *n, int *h, int *w, const char *path, int limit, int want_h,
                    int want_w, Error *err) {
    uint32_t dims[3];
    gzFile f = open_idx(path, IDX_MAGIC_IMAGES, dims, 3, err);
    if (!f) return -1;
    int count = check_count(dims[0], limit, path, err);
    if (count < 0) goto fail;
    if (dims[1] == 0 || dims[2] == 0 || dims[1] > IDX_MAX_SIDE || dims[2] > IDX_MAX_SIDE) {
        error_set(err, "%s: expected image sides in 1..%d, found %ux%u", path, IDX_MAX_SIDE,
                  dims[1], dims[2]);
        goto fail;
    }
    // A network built for another size would read past its images (or train on misread rows).
    if (want_h > 0 && want_w > 0 && (dims[1] != (uint32_t)want_h || dims[2] != (uint32_t)want_w)) {
        error_set(err, "%s: expected %dx%d images, found %ux%u%s", path, want_h, want_w, dims[1],
                  dims[2], want_h != want_w || dims[1] != dims[2] ? " (rows x columns)" : "");
        goto fail;
    }
    size_t plane = (size_t)dims[1] * dims[2], n_bytes = (size_t)count * plane;
    if (n_bytes > (size_t)IDX_MAX_BYTES) {
        error_set(err, "%s: expected at most %ld bytes of pixels, header claims %u x %ux%u = %zu",
                  path, IDX_MAX_BYTES, dims[0], dims[1], dims[2], n_bytes);
        goto fail;
    }
    uint8_t *pixels = read_body(f, n_bytes, count == (int)dims[0], path, "pixels", err);
    if (!pixels) goto fail;
    gzclose(f);
    float *img = malloc(sizeof(float) * n_bytes);
    if (!img) {
        free(pixels);
        return error_set(err, "%s: out of memory for %zu pixels", path, n_bytes);
    }
    for (size_t i = 0; i < n_bytes; i++) img[i] = image_u8_to_float(pixels[i]);
    free(pixels);
    *out = img;
    *n = count;
    *h = (int)dims[1];
    *w = (int)dims[2];
    return 0;
fail:
    gzclose(f);
    return -1;
}

int idx_read_labels(int **out, int *n, const char *path, int limit, int n_classes, Error *err) {
    uint32_t dims[1];
    gzFile f = open_idx(path, IDX_MAGIC_LABELS, dims, 1, err);
    if (!f) return -1;
    int count = check_count(dims[0], limit, path, err);
    if (count < 0) {
        gzclose(f);
        return -1;
    }
    uint8_t *bytes = read_body(f, (size_t)count, count == (int)dims[0], path, "labels", err);
    gzclose(f);
    if (!bytes) return -1;
    for (int i = 0; n_classes > 0 && i < count; i++)
        if (bytes[i] >= n_classes) {
            error_set(err, "%s: the label at index %d is %d, expected 0..%d (%d classes)", path, i, bytes[i],
                      n_classes - 1, n_classes);
            free(bytes);
            return -1;
        }
    int *labels = malloc(sizeof(int) * count);
    if (!labels) {
        free(bytes);
        return error_set(err, "%s: out of memory for %d labels", path, count);
    }
    for (int i = 0; i < count; i++) labels[i] = bytes[i];
    free(bytes);
    *out = labels;
    *n = count;
    return 0;
}
