// checkpoint.c - the checkpoint file: atomic writer, validating reader.
//
// The reader first reads every header into a Layout (what the file holds and
// where), checks the file's size against it and its checksum, and only then
// compares it with the models and copies data into them: a refused file
// never touches a model.
#include "train/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char MAGIC[8] = "GANCKPT";

// Limits that no real checkpoint comes near; a header past them is damage.
#define MAX_MODELS 64
#define MAX_TENSORS 4096
#define TENSOR_HEADER_BYTES (PARAM_NAME_LEN + 4 + 4 * 4)

// ---------------------------------------------------------------- writing

// Remembers the first failure, so the writer checks once, and the running CRC-32.
typedef struct {
    FILE *f;
    int failed;
    uLong crc;
} Writer;

static void put(Writer *w, const void *p, size_t n) {
    if (w->failed || n == 0) return;
    if (fwrite(p, 1, n, w->f) != n) w->failed = 1;
    // zlib's crc32 takes at most UINT_MAX bytes a call
    for (size_t done = 0; done < n;) {
        size_t part = n - done > (1u << 30) ? (1u << 30) : n - done;
        w->crc = crc32(w->crc, (const Bytef *)p + done, (uInt)part);
        done += part;
    }
}
static void put_u32(Writer *w, uint32_t v) { put(w, &v, 4); }
static void put_i32(Writer *w, int32_t v) { put(w, &v, 4); }
static void put_i64(Writer *w, int64_t v) { put(w, &v, 8); }
static void put_u64(Writer *w, uint64_t v) { put(w, &v, 8); }
static void put_f32(Writer *w, float v) { put(w, &v, 4); }
static void put_str(Writer *w, const char *s, size_t len) {
    char buf[CHECKPOINT_META_LEN] = {0};
    snprintf(buf, len, "%s", s ? s : "");
    put(w, buf, len);
}

static void put_shape(Writer *w, const char *name, const Tensor *t) {
    put_str(w, name, PARAM_NAME_LEN);
    put_u32(w, (uint32_t)t->ndim);
    for (int i = 0; i < 4; i++) put_u32(w, (uint32_t)t->shape[i]);
}

static int moment_count(const Optimizer *opt) {
    if (!opt) return 0;
    return (opt->m != NULL) + (opt->v != NULL);
}

static void write_all(Writer *w, const CheckpointModel *models, int n_models,
                      const CheckpointInfo *info, const Rng *rng, const CheckpointBlob *blobs,
                      int n_blobs) {
    put(w, MAGIC, 8);
    put_u32(w, CHECKPOINT_VERSION);
    put_u32(w, (uint32_t)n_models);
    put_i64(w, info ? info->step : 0);
    put_i32(w, info ? info->epoch : 0);
    put_u32(w, rng != NULL);
    put_u64(w, rng ? rng->state : 0);
    put_u64(w, rng ? rng->inc : 0);
    put_i32(w, rng ? rng->has_spare : 0);
    put_f32(w, rng ? rng->spare : 0.0f);
    put_str(w, info ? info->meta : "", CHECKPOINT_META_LEN);
    for (int k = 0; k < n_models; k++) {
        const CheckpointModel *m = &models[k];
        put_str(w, m->name, CHECKPOINT_NAME_LEN);
        put_u32(w, (uint32_t)m->params->n_params);
        put_u32(w, (uint32_t)m->params->n_buffers);
        for (int i = 0; i < m->params->n_params; i++)
            put_shape(w, m->params->param_names[i], m->params->params[i]);
        for (int i = 0; i < m->params->n_buffers; i++)
            put_shape(w, m->params->buffer_names[i], m->params->buffers[i]);
        put_u32(w, m->opt ? (uint32_t)m->opt->kind : 0);
        put_u32(w, (uint32_t)moment_count(m->opt));
        put_i64(w, m->opt ? m->opt->step : 0);
    }
    put_u32(w, (uint32_t)n_blobs);
    for (int b = 0; b < n_blobs; b++) {
        put_str(w, blobs[b].name, CHECKPOINT_NAME_LEN);
        put_u64(w, (uint64_t)blobs[b].bytes);
    }
    for (int k = 0; k < n_models; k++) {
        const CheckpointModel *m = &models[k];
        size_t n = sizeof(float) * (size_t)m->params->size;
        put(w, m->params->data, n);
        put(w, m->params->buf_data, sizeof(float) * (size_t)m->params->buf_size);
        if (m->opt && m->opt->m) put(w, m->opt->m, n);
        if (m->opt && m->opt->v) put(w, m->opt->v, n);
    }
    for (int b = 0; b < n_blobs; b++) put(w, blobs[b].data, blobs[b].bytes);
    uint32_t crc = (uint32_t)w->crc;
    if (!w->failed && fwrite(&crc, 1, 4, w->f) != 4) w->failed = 1;
}

// Makes a rename durable: the new directory entry must reach the disk too.
static void sync_folder(const char *path) {
    char folder[4096];
    snprintf(folder, sizeof folder, "%s", path);
    char *slash = strrchr(folder, '/');
    if (slash == folder) slash[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(folder, sizeof folder, ".");
    int fd = open(folder, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int checkpoint_save_all(const char *path, const CheckpointModel *models, int n_models,
                        const CheckpointInfo *info, const Rng *rng, const CheckpointBlob *blobs,
                        int n_blobs, Error *err) {
    for (int k = 0; k < n_models; k++) {
        const Optimizer *opt = models[k].opt;
        if (opt && opt->n != models[k].params->size)
            return error_set(err, "%s: not saved: the optimiser of model '%s' was made for %ld "
                             "parameters, the model has %ld", path, models[k].name, opt->n,
                             models[k].params->size);
    }
    // One fixed temporary name: a save killed half-way leaves at most this one
    // file behind, and the next save reuses it.
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return error_set(err, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return error_set(err, "%s: cannot create a temporary file: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        return error_set(err, "%s: cannot open the temporary file: %s", path, strerror(errno));
    }
    Writer w = {f, 0, crc32(0L, Z_NULL, 0)};
    write_all(&w, models, n_models, info, rng, blobs, n_blobs);
    int failed = w.failed || fflush(f) != 0 || fsync(fd) != 0;
    int saved_errno = errno;
    if (fclose(f) != 0) failed = 1;
    if (failed || rename(tmp, path) != 0) {
        if (!failed) saved_errno = errno;
        unlink(tmp);
        return error_set(err, "%s: writing the checkpoint failed: %s (the previous file, if "
                         "any, is unchanged)", path, strerror(saved_errno));
    }
    sync_folder(path);
    return 0;
}

int checkpoint_save(const char *path, const CheckpointModel *models, int n_models,
                    const CheckpointInfo *info, const Rng *rng, Error *err) {
    return checkpoint_save_all(path, models, n_models, info, rng, NULL, 0, err);
}

long checkpoint_file_bytes(const CheckpointModel *models, int n_models,
                           const CheckpointBlob *blobs, int n_blobs) {
    long bytes = 8 + 4 + 4 + 8 + 4 + 4 + 8 + 8 + 4 + 4 + CHECKPOINT_META_LEN + 4 + 4;
    for (int k = 0; k < n_models; k++) {
        const ParamSet *ps = models[k].params;
        bytes += CHECKPOINT_NAME_LEN + 4 + 4 + 4 + 4 + 8;
        bytes += (long)(ps->n_params + ps->n_buffers) * TENSOR_HEADER_BYTES;
        bytes += (long)sizeof(float) *
                 (ps->size * (1 + moment_count(models[k].opt)) + ps->buf_size);
    }
    for (int b = 0; b < n_blobs; b++) bytes += CHECKPOINT_NAME_LEN + 8 + (long)blobs[b].bytes;
    return bytes;
}

// ---------------------------------------------------------------- reading

typedef struct {
    FILE *f;
    const char *path;
    long file_size;
    Error *err;
    int failed;
} Reader;

static int get(Reader *r, void *p, size_t n) {
    if (r->failed) return 0;
    if (fread(p, 1, n, r->f) != n) {
        r->failed = 1;
        error_set(r->err, "%s: truncated: the file ends at byte %ld, inside its header",
                  r->path, r->file_size);
        return 0;
    }
    return 1;
}
static uint32_t get_u32(Reader *r) { uint32_t v = 0; get(r, &v, 4); return v; }
static int32_t get_i32(Reader *r) { int32_t v = 0; get(r, &v, 4); return v; }
static int64_t get_i64(Reader *r) { int64_t v = 0; get(r, &v, 8); return v; }
static uint64_t get_u64(Reader *r) { uint64_t v = 0; get(r, &v, 8); return v; }
static float get_f32(Reader *r) { float v = 0; get(r, &v, 4); return v; }
static void get_str(Reader *r, char *s, size_t len) {
    if (get(r, s, len)) s[len - 1] = '\0';
    else s[0] = '\0';
}

// One tensor as the file describes it.
typedef struct {
    char name[PARAM_NAME_LEN];
    uint32_t ndim, dims[4];
    long size;
} FileTensor;

// One model as the file describes it, and where its data starts.
typedef struct {
    char name[CHECKPOINT_NAME_LEN];
    uint32_t n_params, n_buffers;
    FileTensor *tensors;   // n_params parameters, then n_buffers buffers
    long size, buf_size;   // floats
    uint32_t opt_kind, moments;
    int64_t opt_step;
    long offset;           // of its data in the file
} FileModel;

typedef struct {
    char name[CHECKPOINT_NAME_LEN];
    uint64_t bytes;
    long offset;
} FileBlob;

typedef struct {
    uint32_t version;
    CheckpointInfo info;
    int has_rng;
    Rng rng;
    uint32_t n_models, n_blobs;
    FileModel *models;
    FileBlob *blobs;
} Layout;

static void layout_free(Layout *l) {
    for (uint32_t k = 0; l->models && k < l->n_models; k++) free(l->models[k].tensors);
    free(l->models);
    free(l->blobs);
    memset(l, 0, sizeof *l);
}

// Opens path for a Reader that knows the file's size.
static int reader_open(Reader *r, const char *path, Error *err) {
    *r = (Reader){NULL, path, 0, err, 0};
    r->f = fopen(path, "rb");
    if (!r->f) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(r->f), &st) != 0) {
        fclose(r->f);
        return error_set(err, "%s: cannot stat: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(r->f);
        return error_set(err, "%s: expected a checkpoint file, found a folder or a device",
                         path);
    }
    r->file_size = (long)st.st_size;
    return 0;
}

// The file's own header: magic, version, model count, step, epoch, RNG, meta.
static int read_info(Reader *r, Layout *l) {
    char magic[8];
    if (!get(r, magic, 8) || memcmp(magic, MAGIC, 8) != 0) {
        if (r->failed) return -1;
        return error_set(r->err, "%s: not a checkpoint (expected magic \"GANCKPT\", found "
                         "\"%.7s\")", r->path, magic);
    }
    l->version = get_u32(r);
    if (r->failed) return -1;
    if (l->version != 1 && l->version != CHECKPOINT_VERSION)
        return error_set(r->err, "%s: checkpoint version %u, this program reads versions 1 "
                         "and %d", r->path, l->version, CHECKPOINT_VERSION);
    l->n_models = get_u32(r);
    l->info.step = get_i64(r);
    l->info.epoch = get_i32(r);
    l->has_rng = (int)get_u32(r);
    l->rng.state = get_u64(r);
    l->rng.inc = get_u64(r);
    l->rng.has_spare = get_i32(r);
    l->rng.spare = get_f32(r);
    get_str(r, l->info.meta, CHECKPOINT_META_LEN);
    return r->failed ? -1 : 0;
}

// A tensor's float count, or -1 when that is more than a file of file_size
// bytes holds (four dimensions of up to 2^24 would overflow a long).
static long tensor_floats(const FileTensor *t, long file_size) {
    long n = 1;
    for (uint32_t i = 0; i < t->ndim; i++) {
        n *= (long)t->dims[i];   // n <= file_size / 4 before, a dimension <= 2^24: no overflow
        if (n > file_size / (long)sizeof(float)) return -1;
    }
    return n;
}

// Every header: what the file holds, where, and that its size adds up.
static int read_layout(Reader *r, Layout *l) {
    memset(l, 0, sizeof *l);
    if (read_info(r, l) != 0) return -1;
    if (l->n_models > MAX_MODELS)
        return error_set(r->err, "%s: %u models (at most %d): a damaged header", r->path,
                         l->n_models, MAX_MODELS);
    l->models = calloc(l->n_models ? l->n_models : 1, sizeof(FileModel));
    if (!l->models) return error_set(r->err, "%s: out of memory", r->path);
    for (uint32_t k = 0; k < l->n_models; k++) {
        FileModel *m = &l->models[k];
        get_str(r, m->name, sizeof m->name);
        m->n_params = get_u32(r);
        m->n_buffers = get_u32(r);
        if (r->failed) return -1;
        uint64_t nt = (uint64_t)m->n_params + m->n_buffers;
        if (nt > MAX_TENSORS || (long)(nt * TENSOR_HEADER_BYTES) > r->file_size) {
            r->failed = 1;
            return error_set(r->err, "%s: truncated: model '%s' lists %llu tensors, more than "
                             "the file's %ld bytes can hold", r->path, m->name,
                             (unsigned long long)nt, r->file_size);
        }
        m->tensors = calloc(nt ? nt : 1, sizeof(FileTensor));
        if (!m->tensors) return error_set(r->err, "%s: out of memory", r->path);
        for (uint64_t i = 0; i < nt; i++) {
            FileTensor *t = &m->tensors[i];
            get_str(r, t->name, sizeof t->name);
            t->ndim = get_u32(r);
            for (int d = 0; d < 4; d++) t->dims[d] = get_u32(r);
            if (r->failed) return -1;
            if (t->ndim > 4)
                return error_set(r->err, "%s: model '%s': tensor '%s' has %u dimensions (at "
                                 "most 4): not a checkpoint of this version", r->path, m->name,
                                 t->name, t->ndim);
            for (uint32_t d = 0; d < t->ndim; d++)
                if (t->dims[d] > (1u << 24))
                    return error_set(r->err, "%s: model '%s': tensor '%s' has a dimension of "
                                     "%u: a damaged header", r->path, m->name, t->name,
                                     t->dims[d]);
            t->size = tensor_floats(t, r->file_size);
            if (t->size < 0) {
                r->failed = 1;
                return error_set(r->err, "%s: truncated: model '%s': tensor '%s' has more "
                                 "values than the file's %ld bytes can hold", r->path, m->name,
                                 t->name, r->file_size);
            }
            if (i < m->n_params) m->size += t->size;
            else m->buf_size += t->size;
        }
        m->opt_kind = get_u32(r);
        m->moments = get_u32(r);
        m->opt_step = get_i64(r);
        if (r->failed) return -1;
        if (m->moments > 2)
            return error_set(r->err, "%s: model '%s': %u optimiser moments (at most 2)",
                             r->path, m->name, m->moments);
    }
    if (l->version >= 2) {
        l->n_blobs = get_u32(r);
        if (r->failed) return -1;
        if (l->n_blobs > MAX_MODELS)
            return error_set(r->err, "%s: %u pieces of state (at most %d): a damaged header",
                             r->path, l->n_blobs, MAX_MODELS);
        l->blobs = calloc(l->n_blobs ? l->n_blobs : 1, sizeof(FileBlob));
        if (!l->blobs) return error_set(r->err, "%s: out of memory", r->path);
        for (uint32_t b = 0; b < l->n_blobs; b++) {
            get_str(r, l->blobs[b].name, CHECKPOINT_NAME_LEN);
            l->blobs[b].bytes = get_u64(r);
        }
        if (r->failed) return -1;
    }
    // Where each part's data starts, and the size the headers promise, so
    // that a truncated file is refused before a single value is read.
    long offset = ftell(r->f);
    for (uint32_t k = 0; k < l->n_models; k++) {
        FileModel *m = &l->models[k];
        m->offset = offset;
        offset += (long)sizeof(float) * (m->size * (1 + (long)m->moments) + m->buf_size);
    }
    for (uint32_t b = 0; b < l->n_blobs; b++) {
        if (l->blobs[b].bytes > (uint64_t)r->file_size) {
            r->failed = 1;
            return error_set(r->err, "%s: truncated: state '%s' of %llu bytes, the file has "
                             "%ld", r->path, l->blobs[b].name,
                             (unsigned long long)l->blobs[b].bytes, r->file_size);
        }
        l->blobs[b].offset = offset;
        offset += (long)l->blobs[b].bytes;
    }
    long expected = offset + (l->version >= 2 ? 4 : 0);
    if (expected != r->file_size)
        return error_set(r->err, "%s: expected %ld bytes from its header, found %ld (%s)",
                         r->path, expected, r->file_size,
                         expected > r->file_size ? "truncated" : "trailing data");
    return 0;
}

// Version 2 ends with the CRC-32 of everything before it: one flipped bit in
// the weights is refused instead of trained on.
static int check_crc(Reader *r, const Layout *l) {
    if (l->version < 2) return 0;
    if (fseek(r->f, 0, SEEK_SET) != 0)
        return error_set(r->err, "%s: seek failed: %s", r->path, strerror(errno));
    static unsigned char buf[1 << 16];
    uLong crc = crc32(0L, Z_NULL, 0);
    long left = r->file_size - 4;
    while (left > 0) {
        size_t n = left > (long)sizeof buf ? sizeof buf : (size_t)left;
        if (fread(buf, 1, n, r->f) != n)
            return error_set(r->err, "%s: read error: %s", r->path, strerror(errno));
        crc = crc32(crc, buf, (uInt)n);
        left -= (long)n;
    }
    uint32_t stored;
    if (fread(&stored, 1, 4, r->f) != 4)
        return error_set(r->err, "%s: read error: %s", r->path, strerror(errno));
    if (stored != (uint32_t)crc)
        return error_set(r->err, "%s: damaged: its checksum is %08x, its contents give %08x "
                         "(a changed or corrupted file; use an earlier checkpoint or start "
                         "again)", r->path, stored, (unsigned)crc);
    return 0;
}

static void shape_str(char *buf, size_t n, int ndim, const uint32_t *dims) {
    int len = snprintf(buf, n, "(");
    for (int i = 0; i < ndim && len >= 0 && (size_t)len < n; i++)
        len += snprintf(buf + len, n - len, i ? ", %u" : "%u", dims[i]);
    if (len >= 0 && (size_t)len < n) snprintf(buf + len, n - len, ")");
}

// One tensor of the file against the model's.
static int check_shape(const char *path, const char *model, const FileTensor *ft,
                       const char *want_name, const Tensor *t, Error *err) {
    int same = strcmp(ft->name, want_name) == 0 && (int)ft->ndim == t->ndim;
    for (int i = 0; same && i < t->ndim; i++) same = ft->dims[i] == (uint32_t)t->shape[i];
    if (same) return 0;
    char found[64], want[64];
    uint32_t wd[4];
    for (int i = 0; i < 4; i++) wd[i] = (uint32_t)t->shape[i];
    shape_str(found, sizeof found, (int)ft->ndim, ft->dims);
    shape_str(want, sizeof want, t->ndim, wd);
    return error_set(err, "%s: model '%s': expected %s %s, found %s %s", path, model, want_name,
                     want, ft->name, found);
}

static const char *kind_name(uint32_t kind) {
    return kind == OPTIM_ADAM ? "Adam" : kind == OPTIM_SGD ? "SGD" : "no optimiser";
}

// The file's model fm against the model m: tensors, and the optimiser when
// with_opt (m->opt set and wanted).
static int check_model(const char *path, const FileModel *fm, const CheckpointModel *m,
                       int with_opt, Error *err) {
    const ParamSet *ps = m->params;
    if (fm->n_params != (uint32_t)ps->n_params || fm->n_buffers != (uint32_t)ps->n_buffers)
        return error_set(err, "%s: model '%s': expected %d parameter and %d buffer tensors, "
                         "found %u and %u", path, m->name, ps->n_params, ps->n_buffers,
                         fm->n_params, fm->n_buffers);
    for (int i = 0; i < ps->n_params; i++)
        if (check_shape(path, m->name, &fm->tensors[i], ps->param_names[i], ps->params[i], err))
            return -1;
    for (int i = 0; i < ps->n_buffers; i++)
        if (check_shape(path, m->name, &fm->tensors[ps->n_params + i], ps->buffer_names[i],
                        ps->buffers[i], err))
            return -1;
    if (with_opt && m->opt &&
        (fm->opt_kind != (uint32_t)m->opt->kind || fm->moments != (uint32_t)moment_count(m->opt)))
        return error_set(err, "%s: model '%s': expected %s state (%d moment buffers), found %s "
                         "(%u)", path, m->name, kind_name(m->opt->kind), moment_count(m->opt),
                         kind_name(fm->opt_kind), fm->moments);
    return 0;
}

static int read_floats(Reader *r, float *dst, long n, long offset) {
    if (n <= 0) return 0;
    if (fseek(r->f, offset, SEEK_SET) != 0 ||
        fread(dst, sizeof(float), (size_t)n, r->f) != (size_t)n)
        return error_set(r->err, "%s: read error in the data: %s", r->path, strerror(errno));
    return 0;
}

// Copies the file's model fm into m (and its optimiser state when with_opt).
static int load_model(Reader *r, const FileModel *fm, CheckpointModel *m, int with_opt) {
    ParamSet *ps = m->params;
    long at = fm->offset, bytes = (long)sizeof(float) * ps->size;
    if (read_floats(r, ps->data, ps->size, at) ||
        read_floats(r, ps->buf_data, ps->buf_size, at + bytes))
        return -1;
    at += bytes + (long)sizeof(float) * ps->buf_size;
    if (with_opt && m->opt) {
        Optimizer *opt = m->opt;
        if ((opt->m && read_floats(r, opt->m, ps->size, at)) ||
            (opt->v && read_floats(r, opt->v, ps->size, at + (opt->m ? bytes : 0))))
            return -1;
        opt->step = (long)fm->opt_step;
    }
    return 0;
}

// Opens, reads every header, checks size and checksum.
static int open_layout(Reader *r, Layout *l, const char *path, Error *err) {
    memset(l, 0, sizeof *l);
    if (reader_open(r, path, err) != 0) return -1;
    if (read_layout(r, l) != 0 || check_crc(r, l) != 0) {
        layout_free(l);
        fclose(r->f);
        return -1;
    }
    return 0;
}

int checkpoint_load_all(const char *path, CheckpointModel *models, int n_models,
                        CheckpointInfo *info, Rng *rng, CheckpointBlob *blobs, int n_blobs,
                        Error *err) {
    Reader r;
    Layout l;
    if (open_layout(&r, &l, path, err) != 0) return -1;
    int rc = -1;
    if (l.n_models != (uint32_t)n_models) {
        error_set(err, "%s: expected %d models, found %u", path, n_models, l.n_models);
        goto done;
    }
    for (int k = 0; k < n_models; k++) {
        if (strcmp(l.models[k].name, models[k].name) != 0) {
            error_set(err, "%s: model %d: expected '%s', found '%s'", path, k, models[k].name,
                      l.models[k].name);
            goto done;
        }
        if (check_model(path, &l.models[k], &models[k], 1, err) != 0) goto done;
    }
    if (rng && !l.has_rng) {
        error_set(err, "%s: expected an RNG state, the checkpoint has none", path);
        goto done;
    }
    if (l.n_blobs != (uint32_t)n_blobs) {
        error_set(err, "%s: expected %d pieces of training state, found %u%s", path, n_blobs,
                  l.n_blobs, l.version < 2 ? " (a version 1 checkpoint, written before the "
                  "training loop saved its state: start the run again)" : "");
        goto done;
    }
    for (int b = 0; b < n_blobs; b++)
        if (strcmp(l.blobs[b].name, blobs[b].name) != 0 ||
            l.blobs[b].bytes != (uint64_t)blobs[b].bytes) {
            error_set(err, "%s: training state %d: expected '%s' of %zu bytes, found '%s' of "
                      "%llu (a run with other settings?)", path, b, blobs[b].name,
                      blobs[b].bytes, l.blobs[b].name, (unsigned long long)l.blobs[b].bytes);
            goto done;
        }
    // Everything checked: now the models, the state, the step and the RNG change.
    for (int k = 0; k < n_models; k++)
        if (load_model(&r, &l.models[k], &models[k], 1) != 0) goto done;
    for (int b = 0; b < n_blobs; b++)
        if (blobs[b].bytes > 0 &&
            (fseek(r.f, l.blobs[b].offset, SEEK_SET) != 0 ||
             fread(blobs[b].data, 1, blobs[b].bytes, r.f) != blobs[b].bytes)) {
            error_set(err, "%s: read error in the data: %s", path, strerror(errno));
            goto done;
        }
    if (info) *info = l.info;
    if (rng) *rng = l.rng;
    rc = 0;
done:
    layout_free(&l);
    fclose(r.f);
    return rc;
}

int checkpoint_load(const char *path, CheckpointModel *models, int n_models,
                    CheckpointInfo *info, Rng *rng, Error *err) {
    // Whatever state a training loop saved besides is not this caller's:
    // read it into nothing by matching the file's list.
    Reader r;
    Layout l;
    if (open_layout(&r, &l, path, err) != 0) return -1;
    uint32_t nb = l.n_blobs;
    CheckpointBlob *skip = calloc(nb ? nb : 1, sizeof *skip);
    unsigned char **bufs = calloc(nb ? nb : 1, sizeof *bufs);
    int rc = -1;
    if (!skip || !bufs) {
        error_set(err, "%s: out of memory", path);
    } else {
        int ok = 1;
        for (uint32_t b = 0; b < nb && ok; b++) {
            bufs[b] = malloc(l.blobs[b].bytes ? l.blobs[b].bytes : 1);
            skip[b] = (CheckpointBlob){l.blobs[b].name, bufs[b], l.blobs[b].bytes};
            ok = bufs[b] != NULL;
        }
        if (!ok) error_set(err, "%s: out of memory", path);
        else rc = checkpoint_load_all(path, models, n_models, info, rng, skip, (int)nb, err);
    }
    for (uint32_t b = 0; bufs && b < nb; b++) free(bufs[b]);
    free(bufs);
    free(skip);
    layout_free(&l);
    fclose(r.f);
    return rc;
}

int checkpoint_load_networks(const char *path, CheckpointModel *models, int n_models,
                             CheckpointInfo *info, Error *err) {
    Reader r;
    Layout l;
    if (open_layout(&r, &l, path, err) != 0) return -1;
    int rc = -1;
    const FileModel **found = calloc(n_models > 0 ? n_models : 1, sizeof *found);
    if (!found) {
        error_set(err, "%s: out of memory", path);
        goto done;
    }
    for (int k = 0; k < n_models; k++) {
        for (uint32_t j = 0; j < l.n_models && !found[k]; j++)
            if (strcmp(l.models[j].name, models[k].name) == 0) found[k] = &l.models[j];
        if (!found[k]) {
            char names[256] = "";
            for (uint32_t j = 0; j < l.n_models; j++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%s'",
                         j ? ", " : "", l.models[j].name);
            error_set(err, "%s: expected a network '%s', the checkpoint holds %s", path,
                      models[k].name, l.n_models ? names : "none");
            goto done;
        }
        if (check_model(path, found[k], &models[k], 0, err) != 0) goto done;
    }
    for (int k = 0; k < n_models; k++)
        if (load_model(&r, found[k], &models[k], 0) != 0) goto done;
    if (info) *info = l.info;
    rc = 0;
done:
    free(found);
    layout_free(&l);
    fclose(r.f);
    return rc;
}

int checkpoint_read_info(const char *path, CheckpointInfo *info, Error *err) {
    Reader r;
    if (reader_open(&r, path, err) != 0) return -1;
    Layout l;
    memset(&l, 0, sizeof l);
    int rc = read_info(&r, &l);
    fclose(r.f);
    if (rc == 0) *info = l.info;
    return rc;
}

int checkpoint_verify(const char *path, CheckpointInfo *info, Error *err) {
    Reader r;
    Layout l;
    if (open_layout(&r, &l, path, err) != 0) return -1;
    if (info) *info = l.info;
    layout_free(&l);
    fclose(r.f);
    return 0;
}
