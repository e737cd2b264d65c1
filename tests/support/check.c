// check.c - closeness and finite-difference assertions.
#include "check.h"

#include <criterion/criterion.h>
#include <math.h>

void check_close(const char *what, const float *got, const float *want, long n,
                 float atol, float rtol) {
    long first_bad = -1, bad = 0;
    double max_diff = 0.0;
    for (long i = 0; i < n; i++) {
        double diff = fabs((double)got[i] - (double)want[i]);
        if (!(diff <= max_diff)) max_diff = diff;   // also catches NaN
        if (!(diff <= atol + rtol * fabs((double)want[i]))) {
            if (first_bad < 0) first_bad = i;
            bad++;
        }
    }
    if (bad > 0)
        cr_assert_fail("%s: %ld of %ld values differ; first at [%ld]: got %.7g, want %.7g; "
                       "max |diff| %.3g (atol %.1g, rtol %.1g)",
                       what, bad, n, first_bad, got[first_bad], want[first_bad], max_diff,
                       atol, rtol);
}

void check_grad_fd(const char *what, float *x, const float *analytic, long n,
                   ScalarFn f, void *ctx, float h, float atol, float rtol, int max_checks) {
    double norm = 0.0;
    for (long i = 0; i < n; i++) norm += fabs((double)analytic[i]);
    cr_assert(norm > 0.0, "%s: the analytic gradient is all zero", what);
    long step = n > max_checks ? n / max_checks : 1;
    for (long i = 0; i < n; i += step) {
        float saved = x[i];
        x[i] = saved + h;
        double fp = f(ctx);
        x[i] = saved - h;
        double fm = f(ctx);
        x[i] = saved;
        double numeric = (fp - fm) / (2.0 * (double)h);
        double diff = fabs(numeric - analytic[i]);
        cr_assert(diff <= atol + rtol * fabs(numeric),
                  "%s: gradient at [%ld]: analytic %.7g, finite difference %.7g "
                  "(|diff| %.3g > atol %.1g + rtol %.1g * |fd|)",
                  what, i, analytic[i], numeric, diff, atol, rtol);
    }
}

double dot_probe(const float *out, const float *probe, long n) {
    double s = 0.0;
    for (long i = 0; i < n; i++) s += (double)out[i] * (double)probe[i];
    return s;
}
