// proc.c - fork/exec with a deadline; see proc.h.
#include "proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

ProcResult proc_run(char *const argv[], const char *out_path, double timeout_s) {
    ProcResult r = {PROC_NOT_STARTED, 0, 0.0};
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) return r;
    double start = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        close(out);
        return r;
    }
    if (pid == 0) {
        // Own process group, so that a time-out can kill the forked workers too.
        setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0) dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        execv(argv[0], argv);
        dprintf(2, "cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(out);
    setpgid(pid, pid); // also from the parent: no race with the kill below
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (now_s() - start > timeout_s) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            r.outcome = PROC_TIMED_OUT;
            r.seconds = now_s() - start;
            return r;
        }
        struct timespec nap = {0, 5 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    // Workers the runner left behind must not outlive it.
    kill(-pid, SIGKILL);
    r.seconds = now_s() - start;
    if (WIFEXITED(status)) {
        r.outcome = PROC_EXITED;
        r.code = WEXITSTATUS(status);
    } else {
        r.outcome = PROC_SIGNALED;
        r.code = WTERMSIG(status);
    }
    return r;
}
