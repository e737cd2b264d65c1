// jsoncheck.c - proves a results.json is what Gradescope reads.
//
//   jsoncheck results.json
//
// Parses the whole file as strict JSON (RFC 8259: escapes, UTF-8, numbers),
// then checks the autograder fields: a numeric "score" and "execution_time",
// and "tests", an array of objects each with string "name", "number",
// "output", numeric "score" and "max_score", "status" passed|failed and a
// Gradescope "visibility". Prints "score S of M" and one line per test,
// "<status> <score>/<max_score> <visibility> <name>", for the self-tests to
// read; exits 1 with the reason if anything is wrong.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "points.h"

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JType;

typedef struct JVal {
    JType type;
    double num;
    char *str;            // J_STR (decoded)
    struct JVal **items;  // J_ARR values, J_OBJ values
    char **keys;          // J_OBJ
    int n;
} JVal;

static const char *src, *p;

static _Noreturn void fail(const char *why) {
    fprintf(stderr, "jsoncheck: invalid at byte %ld: %s\n", (long)(p - src), why);
    exit(1);
}

static void ws(void) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
}

static void put_utf8(char **o, unsigned c) {
    if (c < 0x80) *(*o)++ = (char)c;
    else if (c < 0x800) { *(*o)++ = (char)(0xC0 | c >> 6); *(*o)++ = (char)(0x80 | (c & 0x3F)); }
    else { *(*o)++ = (char)(0xE0 | c >> 12); *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3F)); *(*o)++ = (char)(0x80 | (c & 0x3F)); }
}

static char *parse_string(void) {
    if (*p != '"') fail("expected a string");
    p++;
    char *out = malloc(strlen(p) + 1), *o = out;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '\0') fail("unterminated string");
        if (c == '"') { p++; break; }
        if (c < 0x20) fail("raw control character in a string");
        if (c == '\\') {
            p++;
            switch (*p++) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '/': *o++ = '/'; break;
            case 'b': *o++ = '\b'; break;
            case 'f': *o++ = '\f'; break;
            case 'n': *o++ = '\n'; break;
            case 'r': *o++ = '\r'; break;
            case 't': *o++ = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int i = 0; i < 4; i++, p++) {
                    char h = *p;
                    int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                          : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0) fail("bad \\u escape");
                    v = v * 16 + (unsigned)d;
                }
                if (v >= 0xD800 && v <= 0xDFFF) fail("surrogate escapes are not expected here");
                put_utf8(&o, v);
                break;
            }
            default: fail("bad escape");
            }
            continue;
        }
        int n = utf8_len((const unsigned char *)p);
        if (n == 0) fail("invalid UTF-8");
        memcpy(o, p, (size_t)n);
        o += n;
        p += n;
    }
    *o = '\0';
    return out;
}

static JVal *parse_value(int depth);

static JVal *new_val(JType t) {
    JVal *v = calloc(1, sizeof *v);
    v->type = t;
    return v;
}

static JVal *parse_value(int depth) {
    if (depth > 64) fail("nested too deeply");
    ws();
    if (*p == '{' || *p == '[') {
        int obj = *p == '{';
        char close = obj ? '}' : ']';
        JVal *v = new_val(obj ? J_OBJ : J_ARR);
        p++;
        ws();
        if (*p == close) { p++; return v; }
        for (;;) {
            v->items = realloc(v->items, sizeof(JVal *) * (size_t)(v->n + 1));
            if (obj) {
                ws();
                v->keys = realloc(v->keys, sizeof(char *) * (size_t)(v->n + 1));
                v->keys[v->n] = parse_string();
                ws();
                if (*p++ != ':') fail("expected ':'");
            }
            v->items[v->n++] = parse_value(depth + 1);
            ws();
            if (*p == ',') { p++; continue; }
            if (*p == close) { p++; return v; }
            fail(obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    if (*p == '"') {
        JVal *v = new_val(J_STR);
        v->str = parse_string();
        return v;
    }
    if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
        JVal *v = new_val(J_BOOL);
        p += *p == 't' ? 4 : 5;
        return v;
    }
    if (!strncmp(p, "null", 4)) { p += 4; return new_val(J_NULL); }
    // number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    const char *start = p;
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else fail("expected a value");
    if (*p == '.') { p++; if (!(*p >= '0' && *p <= '9')) fail("bad number"); while (*p >= '0' && *p <= '9') p++; }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) fail("bad number");
        while (*p >= '0' && *p <= '9') p++;
    }
    JVal *v = new_val(J_NUM);
    v->num = strtod(start, NULL);
    return v;
}

static const JVal *get(const JVal *obj, const char *key, JType type, const char *where) {
    for (int i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key)) {
            if (obj->items[i]->type != type) {
                fprintf(stderr, "jsoncheck: %s: \"%s\" has the wrong type\n", where, key);
                exit(1);
            }
            return obj->items[i];
        }
    fprintf(stderr, "jsoncheck: %s: \"%s\" is missing\n", where, key);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: jsoncheck results.json\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "jsoncheck: cannot open %s\n", argv[1]);
        return 1;
    }
    size_t cap = 1 << 16, len = 0, got;
    char *text = malloc(cap);
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) text = realloc(text, cap *= 2);
    }
    fclose(f);
    text[len] = '\0';
    if (strlen(text) != len) { p = src = text; fail("NUL byte in the file"); }
    src = p = text;
    JVal *root = parse_value(0);
    ws();
    if (*p) fail("text after the top-level value");
    if (root->type != J_OBJ) fail("the top level is not an object");
    double score = get(root, "score", J_NUM, "top level")->num;
    get(root, "execution_time", J_NUM, "top level");
    const JVal *tests = get(root, "tests", J_ARR, "top level");
    double sum = 0, max = 0;
    printf("score %g of ", score);
    char *lines = NULL;
    size_t lines_len = 0;
    FILE *mem = open_memstream(&lines, &lines_len);
    for (int i = 0; i < tests->n; i++) {
        const JVal *t = tests->items[i];
        char where[32];
        snprintf(where, sizeof where, "tests[%d]", i);
        if (t->type != J_OBJ) { fprintf(stderr, "jsoncheck: %s is not an object\n", where); return 1; }
        const char *name = get(t, "name", J_STR, where)->str;
        get(t, "number", J_STR, where);
        get(t, "output", J_STR, where);
        double s = get(t, "score", J_NUM, where)->num, m = get(t, "max_score", J_NUM, where)->num;
        const char *status = get(t, "status", J_STR, where)->str;
        const char *vis = get(t, "visibility", J_STR, where)->str;
        if (strcmp(status, "passed") && strcmp(status, "failed")) {
            fprintf(stderr, "jsoncheck: %s: status \"%s\" is not passed or failed\n", where, status);
            return 1;
        }
        if (!visibility_valid(vis)) {
            fprintf(stderr, "jsoncheck: %s: visibility \"%s\" is not one Gradescope knows\n", where, vis);
            return 1;
        }
        if (s < 0 || s > m) {
            fprintf(stderr, "jsoncheck: %s: score %g outside 0..%g\n", where, s, m);
            return 1;
        }
        sum += s;
        max += m;
        fprintf(mem, "%s %g/%g %s %s\n", status, s, m, vis, name);
    }
    fclose(mem);
    printf("%g\n%s", max, lines);
    if (sum != score) {
        fprintf(stderr, "jsoncheck: score %g is not the sum of the tests' scores %g\n", score, sum);
        return 1;
    }
    return 0;
}
