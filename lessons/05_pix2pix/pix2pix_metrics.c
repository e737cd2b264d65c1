// pix2pix_metrics.c - L1, PSNR, the sharpness ratios and the colour ratio of
// lesson 05's ablation.
#include "pix2pix_metrics.h"
#include "pix2pix_tools.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void l05_metrics_init(L05Metrics *m) {
    memset(m, 0, sizeof *m);
}

double l05_mean_gradient(const float *img, int c, int h, int w) {
    double s = 0.0;
    for (int k = 0; k < c; k++)
        for (int i = 0; i + 1 < h; i++)
            for (int j = 0; j + 1 < w; j++) {
                const float *p = img + ((long)k * h + i) * w + j;
                double dx = p[1] - p[0], dy = p[w] - p[0];
                s += sqrt(dx * dx + dy * dy);
            }
    return s / ((double)c * (h - 1) * (w - 1));
}

int l05_fill_mask(unsigned char *fill, const float *x, int cx, int h, int w) {
    int r = L05_FILL_GAP - 1, count = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            int clear = 1;
            for (int a = i - r; a <= i + r && clear; a++)
                for (int b = j - r; b <= j + r && clear; b++) {
                    if (a < 0 || a >= h || b < 0 || b >= w) continue;
                    double v = 0.0;
                    for (int k = 0; k < cx; k++) v += x[((long)k * h + a) * w + b];
                    if (v < 0.0) clear = 0;   // the mean over channels is below mid-grey
                }
            fill[i * w + j] = (unsigned char)clear;
            count += clear;
        }
    return count;
}

double l05_fill_energy(const float *img, const unsigned char *fill, int c, int h, int w,
                       long *count) {
    double s = 0.0;
    for (int k = 0; k < c; k++)
        for (int i = 0; i + 1 < h; i++)
            for (int j = 0; j + 1 < w; j++) {
                if (!fill[i * w + j]) continue;
                const float *p = img + ((long)k * h + i) * w + j;
                double dx = p[1] - p[0], dy = p[w] - p[0];
                s += dx * dx + dy * dy;
                (*count)++;
            }
    return s;
}

double l05_mean_saturation(const float *img, int h, int w) {
    long n = (long)h * w;
    double s = 0.0;
    for (long i = 0; i < n; i++) {
        float r = img[i], g = img[n + i], b = img[2 * n + i];
        float hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
        float lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
        s += 0.5 * (hi - lo);   // [-1, 1] -> [0, 1]
    }
    return s / n;
}

void l05_metrics_add(L05Metrics *m, const float *out, const float *target, const float *x, int cx,
                     int n, int c, int h, int w) {
    long size = (long)c * h * w;
    unsigned char *fill = x ? l05_malloc((size_t)h * w, "the fill mask") : NULL;
    for (int i = 0; i < n; i++) {
        const float *o = out + i * size, *t = target + i * size;
        double abs = 0.0, sq = 0.0;
        for (long k = 0; k < size; k++) {
            double d = (double)o[k] - t[k];
            abs += fabs(d);
            sq += 0.25 * d * d;   // the difference on the [0, 1] scale is d / 2
        }
        m->abs_sum += abs;
        m->values += size;
        // an exact match would be infinitely good: cap it at 100 dB
        m->psnr_sum += sq > 0.0 ? fmin(100.0, 10.0 * log10(size / sq)) : 100.0;
        m->images++;
        m->grad_out += l05_mean_gradient(o, c, h, w);
        m->grad_target += l05_mean_gradient(t, c, h, w);
        if (x) {
            l05_fill_mask(fill, x + (long)i * cx * h * w, cx, h, w);
            long unused = 0;
            m->fill_out += l05_fill_energy(o, fill, c, h, w, &m->fill_pixels);
            m->fill_target += l05_fill_energy(t, fill, c, h, w, &unused);
        }
        if (c == 3) {
            m->sat_out += l05_mean_saturation(o, h, w);
            m->sat_target += l05_mean_saturation(t, h, w);
        }
    }
    free(fill);
}

double l05_metrics_l1(const L05Metrics *m) {
    return m->values ? m->abs_sum / m->values : 0.0;
}

double l05_metrics_psnr(const L05Metrics *m) {
    return m->images ? m->psnr_sum / m->images : 0.0;
}

double l05_metrics_sharpness(const L05Metrics *m) {
    return m->grad_target > 0.0 ? m->grad_out / m->grad_target : 0.0;
}

double l05_metrics_fill_sharpness(const L05Metrics *m) {
    return m->fill_target > 0.0 ? sqrt(m->fill_out / m->fill_target) : 0.0;
}

double l05_metrics_colour(const L05Metrics *m) {
    return m->sat_target > 0.0 ? m->sat_out / m->sat_target : 0.0;
}
