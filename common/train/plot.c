// plot.c - see plot.h.
#include "train/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARAMS_MAX 8192

// ---------------------------------------------------------------- finding the scripts

static int readable(const char *path) { return access(path, R_OK) == 0; }

static int find_script(char *out, size_t n, const char *name, Error *err) {
    const char *env = getenv("GAN_PLOTS_DIR");
    if (env && snprintf(out, n, "%s/%s", env, name) < (int)n && readable(out)) return 0;
    if (snprintf(out, n, "plots/%s", name) < (int)n && readable(out)) return 0;
    // beside or up to four levels above the program (build/solutions/03_dcgan/lesson)
    char exe[2048];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *dir = dirname(exe);
        for (int up = 0; up <= 4; up++) {
            if (snprintf(out, n, "%s/plots/%s", dir, name) < (int)n && readable(out)) return 0;
            dir = dirname(dir);
        }
    }
    return error_set(err, "plot: cannot find the gnuplot script plots/%s (run from the course's "
                          "folder, or set GAN_PLOTS_DIR)", name);
}

// ---------------------------------------------------------------- gnuplot parameters

// Appends name='value'; to params. gnuplot's single-quoted strings escape '
// as ''; a newline would end the command, so it becomes a space.
static int add_param(char *params, const char *name, const char *value, Error *err) {
    size_t len = strlen(params);
    int w = snprintf(params + len, PARAMS_MAX - len, "%s='", name);
    if (w < 0 || (size_t)w >= PARAMS_MAX - len) goto too_long;
    len += (size_t)w;
    for (const char *p = value ? value : ""; *p; p++) {
        if (len + 3 >= PARAMS_MAX) goto too_long;
        if (*p == '\'') params[len++] = '\'';
        params[len++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    }
    if (len + 4 >= PARAMS_MAX) goto too_long;
    memcpy(params + len, "'; ", 4);
    return 0;
too_long:
    return error_set(err, "plot: parameter %s is too long", name);
}

// "a,b,c" -> "a b c", for gnuplot's words().
static void commas_to_spaces(char *dst, size_t n, const char *src) {
    snprintf(dst, n, "%s", src);
    for (char *p = dst; *p; p++)
        if (*p == ',') *p = ' ';
}

// The CSV must have rows, and every wanted column in its header: a clear
// message beats gnuplot's.
static int check_columns(const char *csv, const char *wanted, Error *err) {
    FILE *f = fopen(csv, "r");
    if (!f) return error_set(err, "%s: cannot open: %s", csv, strerror(errno));
    char header[4096];
    if (!fgets(header, sizeof header, f)) {
        fclose(f);
        return error_set(err, "%s: expected a CSV header line, found an empty file", csv);
    }
    char row[64];
    int has_rows = fgets(row, sizeof row, f) != NULL;
    fclose(f);
    header[strcspn(header, "\r\n")] = '\0';
    if (!has_rows) return error_set(err, "%s: expected rows of data, found only the header", csv);
    for (const char *w = wanted; *w;) {
        size_t len = strcspn(w, ",");
        int found = 0;
        for (const char *h = header; *h;) {
            size_t hl = strcspn(h, ",");
            if (hl == len && strncmp(h, w, len) == 0) found = 1;
            h += hl + (h[hl] == ',');
        }
        if (!found)
            return error_set(err, "%s: expected a column \"%.*s\", found the columns \"%.200s\"", csv,
                             (int)len, w, header);
        w += len + (w[len] == ',');
    }
    return 0;
}

// ---------------------------------------------------------------- running gnuplot

// Runs `gnuplot -e params script`; its error output becomes err's message.
static int run_gnuplot(const char *script, const char *params, const char *png_path, Error *err) {
    int pipefd[2];
    if (pipe(pipefd) != 0) return error_set(err, "plot: pipe failed: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return error_set(err, "plot: fork failed: %s", strerror(errno));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execlp("gnuplot", "gnuplot", "-e", params, script, (char *)NULL);
        _exit(127);   // exec failed: gnuplot is not installed
    }
    close(pipefd[1]);
    char out[2048];
    size_t have = 0;
    for (;;) {   // read to the end (so gnuplot never blocks on a full pipe), keep the start
        char chunk[512];
        ssize_t got = read(pipefd[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        size_t keep = (size_t)got < sizeof out - 1 - have ? (size_t)got : sizeof out - 1 - have;
        memcpy(out + have, chunk, keep);
        have += keep;
    }
    out[have] = '\0';
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return error_set(err, "plot: waitpid failed: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return error_set(err, "plot: gnuplot is not installed, so %s was not drawn "
                              "(sudo apt-get install gnuplot-nox)", png_path);
    // gnuplot's message: its last non-empty line says what went wrong
    char *end = out + strlen(out);
    while (end > out && (end[-1] == '\n' || end[-1] == ' ')) *--end = '\0';
    char *last = strrchr(out, '\n');
    return error_set(err, "plot: gnuplot failed on %s for %s: %.150s", script, png_path,
                     last ? last + 1 : out);
}

// ---------------------------------------------------------------- the plots

int plot_loss_curves(const char *png_path, const char *csv_path, const char *columns,
                     const char *title, const char *ylabel, Error *err) {
    char script[2048], cols[1024];
    char params[PARAMS_MAX];
    params[0] = '\0';
    if (find_script(script, sizeof script, "loss_curves.gp", err) != 0) return -1;
    if (check_columns(csv_path, columns, err) != 0) return -1;
    commas_to_spaces(cols, sizeof cols, columns);
    if (add_param(params, "csv", csv_path, err) || add_param(params, "out", png_path, err) ||
        add_param(params, "cols", cols, err) || add_param(params, "title", title, err) ||
        add_param(params, "ylabel", ylabel ? ylabel : "loss", err))
        return -1;
    return run_gnuplot(script, params, png_path, err);
}

int plot_lines(const char *png_path, const char *csv_path, const char *x_column,
               const char *columns, const char *title, const char *xlabel, const char *ylabel,
               int log_y, Error *err) {
    char script[2048], cols[1024];
    char params[PARAMS_MAX];
    params[0] = '\0';
    if (find_script(script, sizeof script, "lines.gp", err) != 0) return -1;
    if (check_columns(csv_path, x_column, err) != 0 || check_columns(csv_path, columns, err) != 0)
        return -1;
    commas_to_spaces(cols, sizeof cols, columns);
    if (add_param(params, "csv", csv_path, err) || add_param(params, "out", png_path, err) ||
        add_param(params, "xcol", x_column, err) || add_param(params, "cols", cols, err) ||
        add_param(params, "title", title, err) ||
        add_param(params, "xlabel", xlabel ? xlabel : x_column, err) ||
        add_param(params, "ylabel", ylabel, err))
        return -1;
    if (log_y && strlen(params) + sizeof "logy=1;" < PARAMS_MAX) strcat(params, "logy=1;");
    return run_gnuplot(script, params, png_path, err);
}

int plot_scatter(const char *png_path, const float *a, int na, const char *label_a, const float *b,
                 int nb, const char *label_b, const char *title, Error *err) {
    char script[2048], data[] = "/tmp/gan-scatter-XXXXXX";
    char params[PARAMS_MAX];
    params[0] = '\0';
    if (find_script(script, sizeof script, "scatter.gp", err) != 0) return -1;
    int fd = mkstemp(data);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return error_set(err, "plot: cannot create a temporary file for %s: %s", png_path,
                         strerror(errno));
    }
    for (int i = 0; i < na; i++) fprintf(f, "%g %g\n", a[2 * i], a[2 * i + 1]);
    fprintf(f, "\n\n");   // gnuplot's separator between data sets (index 0, index 1)
    for (int i = 0; i < nb; i++) fprintf(f, "%g %g\n", b[2 * i], b[2 * i + 1]);
    int status = -1;
    if (fclose(f) != 0)
        error_set(err, "plot: cannot write %s: %s", data, strerror(errno));
    else if (add_param(params, "data", data, err) == 0 && add_param(params, "out", png_path, err) == 0 &&
             add_param(params, "title", title, err) == 0 &&
             add_param(params, "label_a", label_a, err) == 0 &&
             add_param(params, "label_b", label_b, err) == 0)
        status = run_gnuplot(script, params, png_path, err);
    unlink(data);
    return status;
}
