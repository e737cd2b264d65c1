// wrap_exit.c - test binaries are linked with -Wl,--wrap=exit, so a call to
// exit() from the code under test lands here. Criterion would count an early
// exit(0) as a pass; aborting makes it a crash that fails the test.
#include <stdio.h>
#include <stdlib.h>

void __wrap_exit(int status) {
    fprintf(stderr, "exit(%d) was called by the code under test: that fails the test\n", status);
    fflush(stderr);
    abort();
}
