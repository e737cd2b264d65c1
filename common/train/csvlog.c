// csvlog.c - see csvlog.h.
#include "train/csvlog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int count_columns(const char *header) {
    int n = 1;
    for (const char *p = header; *p; p++) n += (*p == ',');
    return n;
}

// Keeps the header and the rows with step <= resume_step of an existing log,
// through a temporary file renamed over the old one.
static int trim_log(const char *path, const char *header, long resume_step, Error *err) {
    FILE *in = fopen(path, "r");
    if (!in) return error_set(err, "%s: cannot read the log to resume: %s", path, strerror(errno));
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fclose(in);
        return error_set(err, "%s: cannot create: %s", tmp, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, in);
    int status = 0;
    if (len <= 0) {
        status = error_set(err, "%s: expected the header \"%s\", found an empty file", path, header);
    } else {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, header) != 0)
            status = error_set(err, "%s: expected the header \"%s\", found \"%.80s\"", path, header,
                               line);
    }
    if (status == 0) {
        fprintf(out, "%s\n", header);
        while ((len = getline(&line, &cap, in)) > 0) {
            char *end;
            double step = strtod(line, &end);
            if (end == line || step > (double)resume_step) continue;   // later or unreadable rows
            fputs(line, out);
            if (line[len - 1] != '\n') fputc('\n', out);
        }
    }
    free(line);
    fclose(in);
    if (fclose(out) != 0 && status == 0)
        status = error_set(err, "%s: write failed: %s", tmp, strerror(errno));
    if (status == 0 && rename(tmp, path) != 0)
        status = error_set(err, "%s: cannot replace with %s: %s", path, tmp, strerror(errno));
    if (status != 0) remove(tmp);
    return status;
}

int csvlog_open(CsvLog *log, const char *path, const char *header, long resume_step, Error *err) {
    memset(log, 0, sizeof *log);
    log->n_cols = count_columns(header);
    snprintf(log->path, sizeof log->path, "%s", path);
    if (log->n_cols > CSVLOG_MAX_COLS)
        return error_set(err, "%s: at most %d columns, got %d", path, CSVLOG_MAX_COLS, log->n_cols);
    int append = 0;
    if (resume_step >= 0) {
        FILE *probe = fopen(path, "r");
        if (probe) {
            fclose(probe);
            if (trim_log(path, header, resume_step, err) != 0) return -1;
            append = 1;
        }
    }
    log->f = fopen(path, append ? "a" : "w");
    if (!log->f) return error_set(err, "%s: cannot open the log: %s", path, strerror(errno));
    if (!append && (fprintf(log->f, "%s\n", header) < 0 || fflush(log->f) != 0)) {
        csvlog_close(log);
        return error_set(err, "%s: cannot write the header: %s", path, strerror(errno));
    }
    return 0;
}

int csvlog_write(CsvLog *log, const double *values, Error *err) {
    if (!log->f) return error_set(err, "csvlog_write: the log is not open");
    for (int i = 0; i < log->n_cols; i++) {
        double v = values[i];
        if (i) fputc(',', log->f);
        if (v == nearbyint(v) && fabs(v) < 1e15)
            fprintf(log->f, "%.0f", v);
        else
            fprintf(log->f, "%.7g", v);
    }
    fputc('\n', log->f);
    if (fflush(log->f) != 0 || ferror(log->f))
        return error_set(err, "%s: write failed: %s", log->path, strerror(errno));
    return 0;
}

void csvlog_add(CsvLog *log, const double *values) {
    for (int i = 1; i < log->n_cols; i++) log->sums[i] += values[i - 1];
    log->n_added++;
}

int csvlog_write_means(CsvLog *log, long step, Error *err) {
    if (log->n_added == 0) return 0;
    double row[CSVLOG_MAX_COLS];
    row[0] = (double)step;
    for (int i = 1; i < log->n_cols; i++) row[i] = log->sums[i] / log->n_added;
    memset(log->sums, 0, sizeof log->sums);
    log->n_added = 0;
    return csvlog_write(log, row, err);
}

void csvlog_close(CsvLog *log) {
    if (log->f) fclose(log->f);
    log->f = NULL;
}
