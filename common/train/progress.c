// progress.c - see progress.h.
#include "train/progress.h"

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

double progress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_format_duration(char *buf, size_t n, double seconds) {
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(buf, n, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf(buf, n, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, n, "%lds", s);
}

void progress_init(Progress *p, FILE *out, long first, long total, int images_per_step,
                   double every_seconds) {
    p->out = out;
    p->is_tty = isatty(fileno(out));
    p->first = first;
    p->total = total;
    p->images_per_step = images_per_step;
    p->every_seconds = every_seconds;
    p->t_start = progress_now();
    p->t_last = -1e30;
    p->drawn = 0;
}

void progress_update(Progress *p, long step, const char *fmt, ...) {
    double t = progress_now();
    double interval = p->is_tty ? 0.1 : p->every_seconds;
    if (step < p->total && t - p->t_last < interval) return;
    p->t_last = t;

    double elapsed = t - p->t_start;
    long done = step - p->first;
    double steps_per_s = (done > 0 && elapsed > 0) ? done / elapsed : 0;
    int pct = p->total > 0 ? (int)(100 * step / p->total) : 0;
    fprintf(p->out, "%sstep %ld/%ld  %3d%%  ", p->is_tty ? "\r" : "", step, p->total, pct);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    if (p->images_per_step > 0 && steps_per_s > 0)
        fprintf(p->out, "  %.0f img/s", steps_per_s * p->images_per_step);
    char eta[32] = "?";
    if (steps_per_s > 0) progress_format_duration(eta, sizeof eta, (p->total - step) / steps_per_s);
    if (step >= p->total) progress_format_duration(eta, sizeof eta, elapsed);
    fprintf(p->out, "  %s %s", step >= p->total ? "took" : "ETA", eta);
    if (p->is_tty) {
        fprintf(p->out, "\033[K");   // erase what a longer previous line left behind
        p->drawn = 1;
    } else {
        fprintf(p->out, "\n");
    }
    fflush(p->out);
}

void progress_done(Progress *p) {
    if (p->drawn) fprintf(p->out, "\n");
    p->drawn = 0;
    fflush(p->out);
}
