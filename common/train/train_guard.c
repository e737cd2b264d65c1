// train_guard.c - see train_guard.h.
#include "train/train_guard.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

void guard_init(TrainGuard *g, const char *checkpoint_path, long good_step) {
    snprintf(g->checkpoint, sizeof g->checkpoint, "%s", checkpoint_path);
    g->good_step = good_step;
}

void guard_saved(TrainGuard *g, long step) { g->good_step = step; }

// The end of every divergence message: where the run can be taken up again.
static void describe_last_good(char *buf, size_t n, const TrainGuard *g) {
    if (g->good_step < 0)
        snprintf(buf, n, "no checkpoint has been written yet (%s does not hold this run)",
                 g->checkpoint);
    else
        snprintf(buf, n, "the last good checkpoint is %s (step %ld)", g->checkpoint, g->good_step);
}

int guard_check_loss(const TrainGuard *g, const char *name, float value, long step, Error *err) {
    if (isfinite(value)) return 0;
    char last[1200];
    describe_last_good(last, sizeof last, g);
    return error_set(err, "%s is %s at step %ld; %s", name,
                     isnan(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf", step, last);
}

int guard_check_grads(const TrainGuard *g, const ParamSet *ps, const char *model, long step,
                      Error *err) {
    for (int i = 0; i < ps->n_params; i++) {
        const Tensor *t = ps->params[i];
        if (!t->requires_grad || !t->grad) continue;
        for (long j = 0; j < t->size; j++) {
            float v = t->grad[j];
            if (isfinite(v)) continue;
            char last[1200];
            describe_last_good(last, sizeof last, g);
            return error_set(err, "the gradient of %s (model %s) has %s at element %ld of %ld "
                             "at step %ld; %s", ps->param_names[i], model,
                             isnan(v) ? "NaN" : "Inf", j, t->size, step, last);
        }
    }
    return 0;
}

long guard_checkpoint_bytes(const CheckpointModel *models, int n_models) {
    return checkpoint_file_bytes(models, n_models, NULL, 0);
}

int guard_check_output(const char *dir, long bytes_needed, Error *err) {
    char probe[1100];
    if (snprintf(probe, sizeof probe, "%s/.write_probe.XXXXXX", dir) >= (int)sizeof probe)
        return error_set(err, "%s: the output folder's name is too long", dir);
    int fd = mkstemp(probe);
    if (fd < 0)
        return error_set(err, "%s: cannot write in the output folder: %s (choose another with "
                         "--out)", dir, strerror(errno));
    int failed = write(fd, "probe\n", 6) != 6 || fsync(fd) != 0;
    int saved_errno = errno;
    close(fd);
    unlink(probe);
    if (failed)
        return error_set(err, "%s: cannot write in the output folder: %s", dir,
                         strerror(saved_errno));

    struct statvfs fs;
    if (statvfs(dir, &fs) == 0) {
        unsigned long long avail = (unsigned long long)fs.f_bavail * fs.f_frsize;
        if (avail < (unsigned long long)bytes_needed)
            return error_set(err, "%s: the disk is too full: a checkpoint needs %ld bytes, "
                             "%llu are free", dir, bytes_needed, avail);
    }
    struct rlimit lim;
    if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        lim.rlim_cur < (rlim_t)bytes_needed)
        return error_set(err, "%s: the file size limit (ulimit -f) is %llu bytes, a checkpoint "
                         "needs %ld", dir, (unsigned long long)lim.rlim_cur, bytes_needed);
    return 0;
}
