// exercise.c - the message an unfinished exercise prints.
#include "util/exercise.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void exercise_todo(const char *exercise, const char *function, const char *file) {
    fprintf(stderr, "exercise %s is not done yet: write %s() in %s\n", exercise, function, file);
    fflush(stderr);
    abort();
}
