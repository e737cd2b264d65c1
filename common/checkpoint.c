// checkpoint.c - the checkpoint file: atomic writer, validating reader.
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MAGIC[8] = "GANCKPT";

// ---------------------------------------------------------------- writing

// Counts bytes and remembers the first failure, so the writer checks once.
typedef struct {
    FILE *f;
    int failed;
} Writer;

static void put(Writer *w, const void *p, size_t n) {
    if (!w->failed && n > 0 && fwrite(p, 1, n, w->f) != n) w->failed = 1;
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
                      const CheckpointInfo *info, const Rng *rng) {
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
    for (int k = 0; k < n_models; k++) {
        const CheckpointModel *m = &models[k];
        size_t n = sizeof(float) * (size_t)m->params->size;
        put(w, m->params->data, n);
        put(w, m->params->buf_data, sizeof(float) * (size_t)m->params->buf_size);
        if (m->opt && m->opt->m) put(w, m->opt->m, n);
        if (m->opt && m->opt->v) put(w, m->opt->v, n);
    }
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

int checkpoint_save(const char *path, const CheckpointModel *models, int n_models,
                    const CheckpointInfo *info, const Rng *rng, Error *err) {
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
    Writer w = {f, 0};
    write_all(&w, models, n_models, info, rng);
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

static void shape_str(char *buf, size_t n, int ndim, const uint32_t *dims) {
    int len = snprintf(buf, n, "(");
    for (int i = 0; i < ndim && len >= 0 && (size_t)len < n; i++)
        len += snprintf(buf + len, n - len, i ? ", %u" : "%u", dims[i]);
    if (len >= 0 && (size_t)len < n) snprintf(buf + len, n - len, ")");
}

// Reads one tensor's header and compares it with the model's tensor.
static int check_shape(Reader *r, const char *model, const char *want_name, const Tensor *t) {
    char name[PARAM_NAME_LEN];
    get_str(r, name, sizeof name);
    uint32_t ndim = get_u32(r), dims[4];
    for (int i = 0; i < 4; i++) dims[i] = get_u32(r);
    if (r->failed) return -1;
    if (ndim > 4)
        return error_set(r->err, "%s: model '%s': tensor '%s' has %u dimensions (at most 4): "
                         "not a checkpoint of this version", r->path, model, name, ndim);
    int same = strcmp(name, want_name) == 0 && (int)ndim == t->ndim;
    for (int i = 0; same && i < t->ndim; i++) same = dims[i] == (uint32_t)t->shape[i];
    if (!same) {
        char found[64], want[64];
        uint32_t wd[4];
        for (int i = 0; i < 4; i++) wd[i] = (uint32_t)t->shape[i];
        shape_str(found, sizeof found, (int)ndim, dims);
        shape_str(want, sizeof want, t->ndim, wd);
        return error_set(r->err, "%s: model '%s': expected %s %s, found %s %s", r->path, model,
                         want_name, want, name, found);
    }
    return 0;
}

static const char *kind_name(uint32_t kind) {
    return kind == OPTIM_ADAM ? "Adam" : kind == OPTIM_SGD ? "SGD" : "no optimiser";
}

typedef struct {
    uint32_t opt_kind, moments;
    int64_t opt_step;
} ModelHeader;

// The file's own header: magic, version, model count, step, epoch, RNG, meta.
static int read_info(Reader *r, uint32_t *n_models, CheckpointInfo *info, Rng *rng_out,
                     int *has_rng) {
    char magic[8];
    if (!get(r, magic, 8) || memcmp(magic, MAGIC, 8) != 0) {
        if (r->failed) return -1;
        return error_set(r->err, "%s: not a checkpoint (expected magic \"GANCKPT\", found "
                         "\"%.7s\")", r->path, magic);
    }
    uint32_t version = get_u32(r);
    if (r->failed) return -1;
    if (version != CHECKPOINT_VERSION)
        return error_set(r->err, "%s: checkpoint version %u, this program reads version %d",
                         r->path, version, CHECKPOINT_VERSION);
    *n_models = get_u32(r);
    info->step = get_i64(r);
    info->epoch = get_i32(r);
    *has_rng = (int)get_u32(r);
    rng_out->state = get_u64(r);
    rng_out->inc = get_u64(r);
    rng_out->has_spare = get_i32(r);
    rng_out->spare = get_f32(r);
    get_str(r, info->meta, CHECKPOINT_META_LEN);
    return r->failed ? -1 : 0;
}

// Everything before the data: checked against the models, nothing written.
static int read_headers(Reader *r, CheckpointModel *models, int n_models, ModelHeader *mh,
                        CheckpointInfo *info, Rng *rng_out, int *has_rng) {
    uint32_t count;
    if (read_info(r, &count, info, rng_out, has_rng) != 0) return -1;
    if (count != (uint32_t)n_models)
        return error_set(r->err, "%s: expected %d models, found %u", r->path, n_models, count);
    for (int k = 0; k < n_models && !r->failed; k++) {
        CheckpointModel *m = &models[k];
        char name[CHECKPOINT_NAME_LEN];
        get_str(r, name, sizeof name);
        uint32_t np = get_u32(r), nb = get_u32(r);
        if (r->failed) return -1;
        if (strcmp(name, m->name) != 0)
            return error_set(r->err, "%s: model %d: expected '%s', found '%s'", r->path, k,
                             m->name, name);
        if (np != (uint32_t)m->params->n_params || nb != (uint32_t)m->params->n_buffers)
            return error_set(r->err, "%s: model '%s': expected %d parameter and %d buffer "
                             "tensors, found %u and %u", r->path, name, m->params->n_params,
                             m->params->n_buffers, np, nb);
        for (int i = 0; i < m->params->n_params; i++)
            if (check_shape(r, name, m->params->param_names[i], m->params->params[i])) return -1;
        for (int i = 0; i < m->params->n_buffers; i++)
            if (check_shape(r, name, m->params->buffer_names[i], m->params->buffers[i]))
                return -1;
        mh[k].opt_kind = get_u32(r);
        mh[k].moments = get_u32(r);
        mh[k].opt_step = get_i64(r);
        if (r->failed) return -1;
        if (mh[k].moments > 2)
            return error_set(r->err, "%s: model '%s': %u optimiser moments (at most 2)",
                             r->path, name, mh[k].moments);
        if (m->opt && (mh[k].opt_kind != (uint32_t)m->opt->kind ||
                       mh[k].moments != (uint32_t)moment_count(m->opt)))
            return error_set(r->err, "%s: model '%s': expected %s state (%d moment buffers), "
                             "found %s (%u)", r->path, name, kind_name(m->opt->kind),
                             moment_count(m->opt), kind_name(mh[k].opt_kind), mh[k].moments);
    }
    return r->failed ? -1 : 0;
}

static int read_floats(Reader *r, float *dst, long n) {
    if (n > 0 && fread(dst, sizeof(float), (size_t)n, r->f) != (size_t)n)
        return error_set(r->err, "%s: read error in the data: %s", r->path, strerror(errno));
    return 0;
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
    r->file_size = (long)st.st_size;
    return 0;
}

int checkpoint_read_info(const char *path, CheckpointInfo *info, Error *err) {
    Reader r;
    if (reader_open(&r, path, err) != 0) return -1;
    uint32_t n_models;
    CheckpointInfo got;
    Rng rng;
    int has_rng;
    int rc = read_info(&r, &n_models, &got, &rng, &has_rng);
    fclose(r.f);
    if (rc == 0) *info = got;
    return rc;
}

int checkpoint_load(const char *path, CheckpointModel *models, int n_models,
                    CheckpointInfo *info, Rng *rng, Error *err) {
    Reader r;
    if (reader_open(&r, path, err) != 0) return -1;
    FILE *f = r.f;
    ModelHeader *mh = calloc((size_t)(n_models > 0 ? n_models : 1), sizeof(ModelHeader));
    CheckpointInfo got_info;
    Rng got_rng;
    int has_rng = 0, rc = -1;
    if (!mh) {
        error_set(err, "%s: out of memory", path);
        goto done;
    }
    if (read_headers(&r, models, n_models, mh, &got_info, &got_rng, &has_rng) != 0) goto done;
    if (rng && !has_rng) {
        error_set(err, "%s: expected an RNG state, the checkpoint has none", path);
        goto done;
    }
    // The size the header promises, so that a truncated file is refused
    // before a single parameter is overwritten.
    long expected = ftell(f);
    for (int k = 0; k < n_models; k++)
        expected += (long)sizeof(float) * (models[k].params->size * (1 + (long)mh[k].moments) +
                                           models[k].params->buf_size);
    if (expected != r.file_size) {
        error_set(err, "%s: expected %ld bytes from its header, found %ld (%s)", path, expected,
                  r.file_size, expected > r.file_size ? "truncated" : "trailing data");
        goto done;
    }
    for (int k = 0; k < n_models; k++) {
        ParamSet *ps = models[k].params;
        Optimizer *opt = models[k].opt;
        if (read_floats(&r, ps->data, ps->size) || read_floats(&r, ps->buf_data, ps->buf_size))
            goto done;
        if (opt) {
            if ((opt->m && read_floats(&r, opt->m, ps->size)) ||
                (opt->v && read_floats(&r, opt->v, ps->size)))
                goto done;
            opt->step = (long)mh[k].opt_step;
        } else if (fseek(f, (long)sizeof(float) * ps->size * (long)mh[k].moments, SEEK_CUR)) {
            error_set(err, "%s: seek failed: %s", path, strerror(errno));
            goto done;
        }
    }
    if (info) *info = got_info;
    if (rng) *rng = got_rng;
    rc = 0;
done:
    free(mh);
    fclose(f);
    return rc;
}
