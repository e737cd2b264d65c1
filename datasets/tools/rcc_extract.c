// rcc_extract - copies files out of a Qt resource bundle (.rcc), the format
// GCompris ships its pictures in:
//
//     rcc_extract BUNDLE.rcc OUT_DIR SUFFIX...
//
// writes every file of the bundle whose name ends with one of the SUFFIXes
// (".webp", "README") to OUT_DIR/<its name> (the folders inside the bundle
// are dropped; a name seen twice is an error) and prints how many.
//
// The format (Qt's rcc, versions 1 to 3): a header "qres", then big-endian
// 32-bit version, tree offset, data offset, names offset (and, from version
// 3, flags). The tree is an array of nodes of 14 bytes (22 from version 2:
// a 64-bit modification time follows): name offset (32), flags (16: 2 =
// directory, 1 = zlib-compressed, 4 = zstd-compressed), then for a
// directory its child count and first child index (32 + 32), for a file
// country and language (16 + 16) and its data offset (32). A name is a
// 16-bit length, a 32-bit hash and that many UTF-16BE characters; a file's
// data is a 32-bit size and the bytes (for zlib, a 32-bit uncompressed size
// and a zlib stream). Node 0 is the root directory.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define RCC_MAX_BYTES (256L << 20)
#define RCC_MAX_DEPTH 64

typedef struct {
    const char *path;
    const uint8_t *b;
    size_t size;
    uint32_t version, tree, data, names;
    size_t node_size;
    const char *out_dir;
    char **suffixes;
    int n_suffixes;
    int written;
} Rcc;

static int fail(const Rcc *r, const char *what) {
    fprintf(stderr, "rcc_extract: %s: %s\n", r->path, what);
    return -1;
}

// 1 when [off, off + n) lies inside the file.
static int inside(const Rcc *r, size_t off, size_t n) { return off <= r->size && n <= r->size - off; }

static uint32_t be(const uint8_t *p, int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++) v = v << 8 | p[i];
    return v;
}

// The node's name as ASCII (other characters become '_') into name[256].
static int node_name(const Rcc *r, uint32_t name_off, char name[256]) {
    size_t at = (size_t)r->names + name_off;
    if (!inside(r, at, 6)) return fail(r, "a name offset points outside the file");
    uint32_t len = be(r->b + at, 2);
    if (len >= 256 || !inside(r, at + 6, 2 * (size_t)len)) return fail(r, "a name is too long or cut");
    for (uint32_t i = 0; i < len; i++) {
        uint32_t ch = be(r->b + at + 6 + 2 * i, 2);
        name[i] = (ch >= 32 && ch < 127 && ch != '/') ? (char)ch : '_';
    }
    name[len] = '\0';
    return 0;
}

static int wanted(const Rcc *r, const char *name) {
    size_t n = strlen(name);
    for (int i = 0; i < r->n_suffixes; i++) {
        size_t m = strlen(r->suffixes[i]);
        if (n >= m && strcmp(name + n - m, r->suffixes[i]) == 0) return 1;
    }
    return 0;
}

static int write_file(Rcc *r, const char *name, uint16_t flags, uint32_t data_off) {
    size_t at = (size_t)r->data + data_off;
    if (!inside(r, at, 4)) return fail(r, "a file's data offset points outside the file");
    uint32_t size = be(r->b + at, 4);
    if (!inside(r, at + 4, size)) return fail(r, "a file's data is cut short");
    const uint8_t *bytes = r->b + at + 4;
    uint8_t *plain = NULL;
    unsigned long n = size;
    if (flags & 4) return fail(r, "a file is zstd-compressed, which this tool does not read");
    if (flags & 1) {   // qCompress: 32-bit uncompressed size, then a zlib stream
        if (size < 4) return fail(r, "a compressed file is shorter than its size field");
        n = be(bytes, 4);
        if (n > RCC_MAX_BYTES || !(plain = malloc(n ? n : 1))) return fail(r, "a compressed file is too large");
        if (uncompress(plain, &n, bytes + 4, size - 4) != Z_OK) {
            free(plain);
            return fail(r, "a compressed file does not inflate");
        }
        bytes = plain;
    }
    char out[4096];
    snprintf(out, sizeof out, "%s/%s", r->out_dir, name);
    struct stat st;
    int status = 0;
    if (stat(out, &st) == 0) {
        fprintf(stderr, "rcc_extract: %s: two files are named %s\n", r->path, name);
        status = -1;
    } else {
        FILE *f = fopen(out, "wb");
        if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
            fprintf(stderr, "rcc_extract: %s: cannot write\n", out);
            status = -1;
        } else {
            r->written++;
        }
    }
    free(plain);
    return status;
}

static int walk(Rcc *r, uint32_t index, int depth) {
    size_t at = (size_t)r->tree + (size_t)index * r->node_size;
    if (depth > RCC_MAX_DEPTH) return fail(r, "the tree is nested too deeply (a loop?)");
    if (!inside(r, at, 14)) return fail(r, "a tree node lies outside the file");
    const uint8_t *p = r->b + at;
    uint16_t flags = (uint16_t)be(p + 4, 2);
    if (flags & 2) {
        uint32_t count = be(p + 6, 4), first = be(p + 10, 4);
        if (first <= index && count > 0) return fail(r, "a folder's children come before it (a loop?)");
        for (uint32_t i = 0; i < count; i++)
            if (walk(r, first + i, depth + 1) != 0) return -1;
        return 0;
    }
    char name[256];
    if (node_name(r, be(p, 4), name) != 0) return -1;
    return wanted(r, name) ? write_file(r, name, flags, be(p + 10, 4)) : 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: rcc_extract BUNDLE.rcc OUT_DIR SUFFIX...\n");
        return 2;
    }
    Rcc r = {.path = argv[1], .out_dir = argv[2], .suffixes = argv + 3, .n_suffixes = argc - 3};
    FILE *f = fopen(r.path, "rb");
    if (!f) return fail(&r, "cannot open"), 1;
    uint8_t *b = malloc(RCC_MAX_BYTES);
    size_t n = b ? fread(b, 1, RCC_MAX_BYTES, f) : 0;
    int more = fgetc(f) != EOF;
    fclose(f);
    r.b = b;
    r.size = n;
    if (!b || more) return fail(&r, "larger than 256 MB, or out of memory"), 1;
    if (n < 20 || memcmp(b, "qres", 4) != 0) return fail(&r, "expected a Qt resource bundle (magic \"qres\")"), 1;
    r.version = be(b + 4, 4);
    r.tree = be(b + 8, 4);
    r.data = be(b + 12, 4);
    r.names = be(b + 16, 4);
    if (r.version < 1 || r.version > 3) return fail(&r, "expected rcc format version 1, 2 or 3"), 1;
    r.node_size = r.version >= 2 ? 22 : 14;
    int status = walk(&r, 0, 0);
    free(b);
    if (status != 0) return 1;
    printf("rcc_extract: %s: %d files\n", r.path, r.written);
    return 0;
}
