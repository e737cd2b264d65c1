// trainreport.h - report.html, the one page a student opens after a run:
// the run's settings, its numbers, its curves, its sample pictures in step
// order and links to its files. Static HTML, relative links only, no script,
// so it opens from the folder (or a copy of it) in any browser.
#ifndef TRAINREPORT_H
#define TRAINREPORT_H

#include "util/error.h"

struct TrainLoop;

// Writes path (atomically: a temporary file renamed over it). Links only
// files that exist in the run folder when it is written; the samples are
// every samples_step*.png of the folder, so a resumed run's page shows the
// pictures of the earlier processes too.
int train_write_report(const struct TrainLoop *loop, const char *path, Error *err);

// progress.png of trainloop.h's progress_rows: the top row of cells (row_h
// pixels high, with image_write_grid's borders) of every samples_step*.png
// of the folder, in step order, one under the other: the samples' progress in
// one picture. Pictures of another width than the first are left out.
int train_write_progress(const struct TrainLoop *loop, const char *png, int row_h, Error *err);

#endif
