// ring.h - part 1's data and pictures: points in the plane drawn from 8
// Gaussians on a ring, how many of the 8 modes a generator covers, and the
// scatter plot of real against generated points.
#ifndef RING_H
#define RING_H

#include "util/error.h"
#include "gan.h"
#include "util/rng.h"

#define L02_RING_MODES 8
#define L02_RING_RADIUS 2.0f
#define L02_RING_STD 0.05f
#define L02_RING_SNAPSHOT_POINTS 1000

// n points (n, 2): a mode picked uniformly, then Gaussian noise around it.
void l02_ring_sample(float *x, int n, Rng *rng);

// How well n generated points (n, 2) cover the ring: a point is "good" when it
// lies within 3 standard deviations of a mode's centre; a mode is covered when
// at least 1% of the points are good points of that mode.
void l02_ring_coverage(const float *x, int n, int *modes, float *good);

// L02_RING_SNAPSHOT_POINTS real points (drawn from rng) and as many of G's
// (z_dim noise, batch at a time): their scatter plot into png and the points
// into csv (step, x_real, y_real, x_fake, y_fake); prints the coverage. A
// failed plot is reported and the run goes on.
int l02_ring_snapshot(L02Gan *gan, int z_dim, int batch, long step, const char *png,
                      const char *csv, Rng *rng, Error *err);

#endif
