// points.h - a lesson's graded tests: tests/NN_topic/points.tsv, one per line,
//     suite/test<TAB>exercise<TAB>points[<TAB>visibility]
// Blank lines and lines starting with '#' are ignored. A test listed twice is
// refused (its points would count twice), naming both lines.
#ifndef HARNESS_POINTS_H
#define HARNESS_POINTS_H

typedef struct {
    char suite[128];
    char name[128];
    char exercise[32];
    double points;
    char visibility[32]; // "" when the line has no 4th column
    int line;            // its line in points.tsv
} GradedTest;

typedef struct {
    GradedTest *tests;
    int n;
} PointsFile;

// Returns 0, or -1 with a one-line reason (file:line: what is wrong) in err.
int points_read(const char *path, PointsFile *pf, char *err, int errcap);
void points_free(PointsFile *pf);

// Visibilities Gradescope accepts.
int visibility_valid(const char *v);

#endif
