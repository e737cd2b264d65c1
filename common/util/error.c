// error.c - see error.h for the convention.
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int error_set(Error *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        // Messages quote names and text read from files: a newline or a
        // terminal escape in a corrupt file must not break the one line.
        for (char *p = err->msg; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    }
    return -1;
}

void error_clear(Error *err) {
    if (err) err->msg[0] = '\0';
}

_Noreturn void error_abort(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    abort();
}
