// isolate.h - what every tests/NN_topic/isolate_F.h includes first. An
// isolated copy of an exercise file (the Makefile's ISOLATED_RULE) renames
// the student's functions (l04_d_step -> l04_d_step_isolated); an untouched
// stub in it must still say "write l04_d_step() in lessons/...", so from
// each exercise on EXERCISE_TODO names the function without the suffix.
#ifndef EXERCISE_AT
#ifndef ISOLATE_H
#define ISOLATE_H
#include <string.h>

static inline const char *isolated_name(const char *func) {
    static char name[96];
    size_t n = strlen(func), suffix = strlen("_isolated");
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, func, n);
    name[n] = '\0';
    if (n > suffix && !strcmp(name + n - suffix, "_isolated")) name[n - suffix] = '\0';
    return name;
}
#endif
#else
#undef EXERCISE_TODO
#define EXERCISE_TODO(exercise) exercise_todo(exercise, isolated_name(__func__), __FILE__)
#endif
