/*
** fe_fixtures.h: the fixture of the front-end tests (test_lexer.c, test_parser.c,
** test_check.c). Each test runs in its own process (Criterion), so one static fixture per
** process is enough: an arena, a Diag that renders into a memory stream (the exact text a
** user would see on stderr) and a checker whose stdlib is an empty temporary folder unless
** a test makes its own.
**
**   fe_check(src)                   check a script text named "t.aimc"; the error count
**   fe_text()                       everything the Diag printed so far
**   assert_error_at(src, l, c, m)   src has an error at l:c whose header contains m
**   assert_ok(src)                  src checks without errors
*/
#ifndef AIMCI_FE_FIXTURES_H
#define AIMCI_FE_FIXTURES_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "ir.h"

/*
** Tests of front-end bugs that were reported but are not fixed yet are disabled; build the
** tests with -DFE_RUN_KNOWN_BUGS to run them (each says what it expects once fixed).
*/
#ifdef FE_RUN_KNOWN_BUGS
#define FE_KNOWN_BUG .disabled = false
#else
#define FE_KNOWN_BUG .disabled = true
#endif

typedef struct FeFixture {
    Arena *ar;
    Diag *d;
    FILE *out;   /* the memory stream the Diag writes to */
    char *buf;   /* its text (open_memstream) */
    size_t len;
    Checker *c;
    char tmp[64]; /* a fresh temporary folder, removed by fe_teardown */
} FeFixture;

static FeFixture fe;

/* Remove the temporary folder of the fixture and everything in it (one level of folders). */
static inline void fe_rmtree(const char *dir)
{
    char cmd[160];
    if (!dir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fe_fixtures: could not remove %s\n", dir);
}

static inline void fe_setup(void)
{
    memset(&fe, 0, sizeof fe);
    strcpy(fe.tmp, "/tmp/aimci_fe_XXXXXX");
    cr_assert_not_null(mkdtemp(fe.tmp), "mkdtemp failed");
    fe.ar = arena_new();
    fe.out = open_memstream(&fe.buf, &fe.len);
    cr_assert_not_null(fe.out);
    fe.d = diag_new(fe.out);
    fe.c = chk_new(fe.ar, fe.d, fe.tmp);
}

static inline void fe_teardown(void)
{
    diag_free(fe.d); /* first: it may still write to its stream */
    if (fe.out)
        fclose(fe.out);
    free(fe.buf);
    arena_free(fe.ar);
    fe_rmtree(fe.tmp);
    memset(&fe, 0, sizeof fe);
}

/* Everything the Diag printed so far ("" if nothing). */
static inline const char *fe_text(void)
{
    fflush(fe.out);
    return fe.buf ? fe.buf : "";
}

/* A NUL-terminated copy of src[0..len) in the arena (the Diag borrows the text). */
static inline const char *fe_copy(const char *src, size_t len)
{
    return arena_strndup(fe.ar, src, len);
}

/* Check len bytes of src (which may hold NUL bytes) as the file "t.aimc"; the error count. */
static inline int fe_checkn(const char *src, size_t len)
{
    return chk_source(fe.c, "t.aimc", fe_copy(src, len), len);
}

static inline int fe_check(const char *src)
{
    return fe_checkn(src, strlen(src));
}

/* Write a file under the fixture's temporary folder; returns its path (arena). */
static inline const char *fe_write(const char *name, const char *text)
{
    const char *path = arena_printf(fe.ar, "%s/%s", fe.tmp, name);
    const char *slash = strrchr(name, '/');
    if (slash) { /* one level of sub-folder is enough for the tests */
        const char *dir = arena_printf(fe.ar, "%s/%.*s", fe.tmp, (int)(slash - name), name);
        char cmd[256];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
        cr_assert_eq(system(cmd), 0);
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

/*
** The header line "t.aimc:LINE:COL: error: ..." of the first error at line:col, copied into
** out (without the newline); false if there is none.
*/
static inline bool fe_error_line(int line, int col, char *out, size_t n)
{
    char head[64];
    snprintf(head, sizeof head, "t.aimc:%d:%d: error: ", line, col);
    const char *text = fe_text();
    for (const char *p = text; (p = strstr(p, head)) != NULL; p++) {
        if (p != text && p[-1] != '\n')
            continue;
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(out, n, "%.*s", (int)len, p);
        return true;
    }
    return false;
}

/* src has an error at line:col, and that error's header line contains msg. */
#define assert_error_at(src, line, col, msg)                                                  \
    do {                                                                                      \
        int nerr_ = fe_check(src);                                                            \
        char got_[512];                                                                       \
        cr_assert_gt(nerr_, 0, "no error for:\n%s", (const char *)(src));                     \
        cr_assert(fe_error_line((line), (col), got_, sizeof got_),                           \
                  "no error at %d:%d; got:\n%s", (line), (col), fe_text());                  \
        cr_assert(strstr(got_, (msg)) != NULL, "expected '%s' in:\n%s\nfull output:\n%s",    \
                  (const char *)(msg), got_, fe_text());                                      \
    } while (0)

/* The Diag output contains text (an expected line, a hint, a caret line). */
#define assert_output_has(text)                                                               \
    cr_assert(strstr(fe_text(), (text)) != NULL, "expected '%s' in:\n%s", (const char *)(text), \
              fe_text())

#define assert_output_lacks(text)                                                             \
    cr_assert(strstr(fe_text(), (text)) == NULL, "did not expect '%s' in:\n%s",              \
              (const char *)(text), fe_text())

/* src checks cleanly and chk_program gives a program. */
#define assert_ok(src)                                                                        \
    do {                                                                                      \
        int nerr_ = fe_check(src);                                                            \
        cr_assert_eq(nerr_, 0, "unexpected errors:\n%s", fe_text());                         \
        cr_assert_not_null(chk_program(fe.c));                                                \
    } while (0)

/* The number of lines "...: error: " in the output. */
static inline int fe_error_headers(void)
{
    int n = 0;
    for (const char *p = fe_text(); (p = strstr(p, ": error: ")) != NULL; p++)
        n++;
    return n;
}

#endif
