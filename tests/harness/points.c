// points.c - reads points.tsv; see points.h.
#include "points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int visibility_valid(const char *v) {
    return strcmp(v, "visible") == 0 || strcmp(v, "hidden") == 0 ||
           strcmp(v, "after_due_date") == 0 || strcmp(v, "after_published") == 0;
}

// Splits line at TABs into at most max fields; returns the count.
static int split_tabs(char *line, char **field, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        field[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

int points_read(const char *path, PointsFile *pf, char *err, int errcap) {
    pf->tests = NULL;
    pf->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, (size_t)errcap, "%s: cannot open", path);
        return -1;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#') continue;
        char *field[5] = {0};
        int nf = split_tabs(line, field, 5);
        GradedTest t;
        memset(&t, 0, sizeof t);
        char *slash = strchr(field[0], '/');
        char *stop = NULL;
        if (nf >= 3) t.points = strtod(field[2], &stop);
        const char *why = NULL;
        if (nf < 3 || nf > 4) why = "expected suite/test<TAB>exercise<TAB>points[<TAB>visibility]";
        else if (!slash || slash == field[0] || slash[1] == '\0') why = "the test is not written suite/test";
        else if (strlen(field[0]) >= sizeof t.suite || strlen(field[1]) >= sizeof t.exercise)
            why = "a name is too long";
        else if (field[1][0] == '\0') why = "the exercise is empty";
        else if (*stop != '\0' || stop == field[2] || !(t.points > 0)) why = "points must be a positive number";
        else if (nf == 4 && !visibility_valid(field[3]))
            why = "visibility must be visible, hidden, after_due_date or after_published";
        if (why) {
            snprintf(err, (size_t)errcap, "%s:%d: %s", path, lineno, why);
            fclose(f);
            points_free(pf);
            return -1;
        }
        *slash = '\0';
        snprintf(t.suite, sizeof t.suite, "%s", field[0]);
        snprintf(t.name, sizeof t.name, "%s", slash + 1);
        snprintf(t.exercise, sizeof t.exercise, "%s", field[1]);
        if (nf == 4) snprintf(t.visibility, sizeof t.visibility, "%s", field[3]);
        t.line = lineno;
        for (int i = 0; i < pf->n; i++)
            if (strcmp(pf->tests[i].suite, t.suite) == 0 && strcmp(pf->tests[i].name, t.name) == 0) {
                snprintf(err, (size_t)errcap, "%s:%d: %s/%s is already graded on line %d (its "
                         "points would count twice)", path, lineno, t.suite, t.name,
                         pf->tests[i].line);
                fclose(f);
                points_free(pf);
                return -1;
            }
        pf->tests = realloc(pf->tests, sizeof(GradedTest) * (size_t)(pf->n + 1));
        pf->tests[pf->n++] = t;
    }
    fclose(f);
    return 0;
}

void points_free(PointsFile *pf) {
    free(pf->tests);
    pf->tests = NULL;
    pf->n = 0;
}
