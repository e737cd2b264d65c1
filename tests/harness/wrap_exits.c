// wrap_exits.c - the other ways out of a process, for test binaries linked
// with -Wl,--wrap=_exit,--wrap=_Exit,--wrap=quick_exit (exit itself is in
// tests/support/wrap_exit.c). Criterion 2.4.1 counts a test whose worker ends
// with status 0 as passed, so each of these would turn a failing test into a
// pass; aborting makes it a crash that fails the test.
#include <stdio.h>
#include <stdlib.h>

static _Noreturn void refuse(const char *how, int status) {
    fprintf(stderr, "%s(%d) was called by the code under test: that fails the test\n", how, status);
    fflush(stderr);
    abort();
}

void __wrap__exit(int status) { refuse("_exit", status); }
void __wrap__Exit(int status) { refuse("_Exit", status); }
void __wrap_quick_exit(int status) { refuse("quick_exit", status); }
