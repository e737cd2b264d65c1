// fuzz_checkpoint.c - checkpoint_load on any bytes, into a small fixed model
// (G: linear + batch norm with Adam; D: linear with SGD momentum): a refused
// file must leave every weight, buffer, moment and step as they were. The
// seed in corpus/checkpoint/ is this model saved by seed_checkpoint.c.
#include "train/checkpoint.h"
#include "fuzz.h"
#include "fuzz_model.h"

// Everything a load may write, flattened, to compare before and after.
static float *snapshot(const FuzzModel *m, long *n) {
    long gs = m->gps.size, ds = m->dps.size;
    *n = 3 * gs + m->gps.buf_size + 2 * ds + 2;
    float *s = malloc(sizeof(float) * *n), *p = s;
    FUZZ_CHECK(s != NULL, "out of memory");
    memcpy(p, m->gps.data, sizeof(float) * gs), p += gs;
    memcpy(p, m->gopt.m, sizeof(float) * gs), p += gs;
    memcpy(p, m->gopt.v, sizeof(float) * gs), p += gs;
    memcpy(p, m->gps.buf_data, sizeof(float) * m->gps.buf_size), p += m->gps.buf_size;
    memcpy(p, m->dps.data, sizeof(float) * ds), p += ds;
    memcpy(p, m->dopt.m, sizeof(float) * ds), p += ds;
    *p++ = (float)m->gopt.step;
    *p = (float)m->dopt.step;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FuzzModel m;
    static int built;
    if (!built) {
        fuzz_model_build(&m);
        built = 1;
    }
    const char *path = fuzz_write_file("input.ckpt", data, size);
    CheckpointModel parts[2];
    fuzz_model_parts(&m, parts);
    long n;
    float *before = snapshot(&m, &n);
    CheckpointInfo info;
    Rng rng;
    Error err = {""};
    if (checkpoint_load(path, parts, 2, &info, &rng, &err) != 0) {
        fuzz_check_error(err.msg, path);
        long n2;
        float *after = snapshot(&m, &n2);
        FUZZ_CHECK(memcmp(before, after, sizeof(float) * n) == 0,
                   "a refused checkpoint changed the model: %s", err.msg);
        free(after);
    }
    free(before);
    return 0;
}
