// check.h - numeric assertions shared by every test: closeness to a
// reference, and gradients against central finite differences.
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

// Fails the test unless |got[i] - want[i]| <= atol + rtol * |want[i]| for
// every i; the message names `what`, the first offending index, both values,
// and the largest difference.
void check_close(const char *what, const float *got, const float *want, long n,
                 float atol, float rtol);

// A scalar function of some inputs the test owns, evaluated in double.
typedef double (*ScalarFn)(void *ctx);

// Checks analytic[i] = d f / d x[i] by central differences (f(x+h)-f(x-h))/2h
// on up to max_checks indices spread over x (x is perturbed in place and
// restored). Also fails if the analytic gradient is all zero, so a backward
// that does nothing cannot pass.
void check_grad_fd(const char *what, float *x, const float *analytic, long n,
                   ScalarFn f, void *ctx, float h, float atol, float rtol, int max_checks);

// sum_i out[i] * probe[i] in double: the scalar a test differentiates, so that
// d/d out = probe (a random direction) checks every output element.
double dot_probe(const float *out, const float *probe, long n);

#endif
