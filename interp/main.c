/*
** main.c: the aimci command line.
**
**   aimci                    the interactive prompt (REPL, interp/repl/repl.h)
**   aimci -i FILE            the prompt, FILE's declarations loaded first
**   aimci FILE               run every train, measure and experiment of FILE, in order
**   aimci --check FILE       check FILE, run nothing
**   aimci --dump FILE        print the resolved program
**   aimci --only NAME FILE   run only the train, measure or experiment NAME
**   aimci --threads N FILE   update analog tiles on N threads (default: AIMCI_THREADS, else
**                            every online CPU); results do not depend on N
**   aimci --fit FAMILY DATA [--name N]   fit a device family to measured data; print the
**                            report and the `device` declaration (fit_cmd.h)
**
** Exit status: 0 ok, 1 a run failed, 2 errors in the script or on the command line.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "dump.h"
#include "eval.h"
#include "fit_cmd.h"
#include "repl.h"

#ifndef AIMCI_STDLIB
#define AIMCI_STDLIB "stdlib"
#endif
#define AIMCI_VERSION "0.1.0"

enum { EXIT_RUN_FAILED = 1, EXIT_SCRIPT_ERROR = 2 };

typedef struct Args {
    const char *file;
    const char *only;
    bool check, dump;
    bool interactive;    /* -i FILE, or no script at all: the REPL */
    const char *set[64]; /* --set DECL.PARAM=VALUE, in order */
    int nset;
    size_t threads;      /* --threads N; 0: the default */
    const char *fit;     /* --fit FAMILY: FILE is measured data */
    const char *name;    /* --name N: the fitted device's name */
} Args;

static void usage(FILE *out)
{
    fputs("usage: aimci [--check | --dump] [--only NAME] FILE\n"
          "  aimci                    the interactive prompt (REPL): declarations, expressions,\n"
          "                           device exploration (`help` there; docs/repl.md)\n"
          "  aimci -i FILE            the prompt with FILE's declarations loaded\n"
          "  aimci FILE               run every train, measure and experiment of FILE, in order\n"
          "  aimci --check FILE       check FILE, run nothing\n"
          "  aimci --dump FILE        print the resolved program (a valid script)\n"
          "  aimci --only NAME FILE   run only the train, measure or experiment NAME\n"
          "  aimci --set D.P=V FILE   set parameter P of declaration D to V (repeatable)\n"
          "  aimci --threads N FILE   N threads for the tiles' updates (default: AIMCI_THREADS,\n"
          "                           else all CPUs); the results are the same for any N\n"
          "  aimci --fit FAMILY DATA.csv [--name N]   fit a device family to measured data\n"
          "                           and print its `device` declaration (docs/fitting.md)\n"
          "  aimci --help, --version\n"
          "Docs: docs/language.md. Exit status: 0 ok, 1 a run failed, 2 script errors.\n",
          out);
}

static int bad_usage(const char *fmt, const char *arg)
{
    fputs("aimci: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    return EXIT_SCRIPT_ERROR;
}

/* Parse argv into *a; returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, Args *a)
{
    static const char *const options[] = {"--check", "--dump", "--only", "--set", "--threads",
                                          "--help", "--version", "-i", "--fit", "--name"};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(s, "--version") == 0) {
            printf("aimci %s\n", AIMCI_VERSION);
            return 0;
        } else if (strcmp(s, "-i") == 0) {
            if (++i == argc)
                return bad_usage("-i needs the script to load into the prompt%s", "");
            if (a->file)
                return bad_usage("one script at a time (got a second: '%s')", argv[i]);
            a->file = argv[i];
            a->interactive = true;
        } else if (strcmp(s, "--check") == 0) {
            a->check = true;
        } else if (strcmp(s, "--dump") == 0) {
            a->dump = true;
        } else if (strcmp(s, "--set") == 0) {
            if (++i == argc)
                return bad_usage("--set needs DECLARATION.PARAMETER=VALUE%s", "");
            if (a->nset == 64)
                return bad_usage("at most 64 --set options%s", "");
            a->set[a->nset++] = argv[i];
        } else if (strcmp(s, "--threads") == 0) {
            char *end = NULL;
            long n = ++i < argc ? strtol(argv[i], &end, 10) : 0;
            if (n < 1 || n > 1024 || !end || *end)
                return bad_usage("--threads needs a number of threads from 1 to 1024%s", "");
            a->threads = (size_t)n;
        } else if (strcmp(s, "--fit") == 0 || strcmp(s, "--name") == 0) {
            if (++i == argc)
                return bad_usage("%s needs an argument", s);
            *(s[2] == 'f' ? &a->fit : &a->name) = argv[i];
        } else if (strcmp(s, "--only") == 0) {
            if (++i == argc)
                return bad_usage("--only needs the name of a train, measure or experiment", "");
            a->only = argv[i];
        } else if (s[0] == '-' && s[1]) {
            const char *best = diag_nearest(s, options, sizeof options / sizeof *options);
            fprintf(stderr, "aimci: error: unknown option '%s'%s%s%s\n", s,
                    best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
            usage(stderr);
            return EXIT_SCRIPT_ERROR;
        } else if (a->file) {
            return bad_usage("one script at a time (got a second: '%s')", s);
        } else {
            a->file = s;
        }
    }
    if (!a->file && (a->check || a->dump || a->only || a->nset))
        return bad_usage("--check, --dump, --only and --set need a script%s", "");
    a->interactive |= !a->file;
    if (a->interactive && (a->check || a->dump || a->only || a->nset))
        return bad_usage("-i opens the prompt: --check, --dump, --only and --set need a plain "
                         "script%s", "");
    return -1;
}

/* --only NAME must name a train, measure or experiment: returns 0, else 1 (reported). */
static int check_only(Checker *c, Diag *d, const char *only)
{
    const char **names;
    size_t n = chk_run_names(c, &names);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], only) == 0)
            return 0;
    diag_plain(d, "--only: no train, measure or experiment named '%s'", only);
    const char *best = diag_nearest(only, names, n);
    if (best)
        diag_hint(d, "did you mean '%s'?", best);
    return 1;
}

static int finish(Diag *d, Arena *ar, int status)
{
    diag_flush(d);
    if (status == EXIT_SCRIPT_ERROR && diag_count(d))
        fprintf(stderr, "aimci: %d error%s%s\n", diag_count(d), diag_count(d) == 1 ? "" : "s",
                diag_full(d) ? " (the limit: checking stopped there)" : "");
    diag_free(d);
    arena_free(ar);
    return status;
}

/* --fit: the report, then the declaration, on stdout (together a valid script). */
static int fit(const Args *a)
{
    char name[64];
    fit_default_name(name, a->file);
    Buf decl = {0}, report = {0};
    int rc = fit_command(a->name ? a->name : name, a->fit, a->file, "--fit", 0, 0, &decl, &report);
    if (rc == 0)
        printf("%s%s", report.s, decl.s);
    buf_free(&decl);
    buf_free(&report);
    return rc ? EXIT_SCRIPT_ERROR : 0;
}

int main(int argc, char **argv)
{
    Args a = {0};
    int status = parse_args(argc, argv, &a);
    if (status >= 0)
        return status;
    if (a.fit)
        return fit(&a);
    const char *stdlib = getenv("AIMCI_STDLIB");
    if (a.interactive) {
        ReplOptions ro = {.stdlib = stdlib ? stdlib : AIMCI_STDLIB, .load = a.file,
                          .threads = a.threads, .version = AIMCI_VERSION};
        return repl_run(&ro);
    }
    Arena *ar = arena_new();
    Diag *d = diag_new(stderr);
    Checker *c = chk_new(ar, d, stdlib ? stdlib : AIMCI_STDLIB);
    for (int i = 0; i < a.nset; i++)
        chk_set(c, a.set[i]);
    chk_file(c, a.file);
    const IrProgram *p = chk_program(c);
    if (!p || (a.only && check_only(c, d, a.only)))
        return finish(d, ar, EXIT_SCRIPT_ERROR);
    Buf resolved = {0};
    dump_program(&resolved, p, a.file);
    if (a.dump)
        fputs(resolved.s, stdout);
    else if (a.check)
        printf("%s: ok\n", a.file);
    else {
        EvOptions o = {.only = a.only, .resolved = resolved.s, .out = stdout,
                       .threads = a.threads};
        status = ev_run(p, d, &o) ? EXIT_RUN_FAILED : 0;
    }
    buf_free(&resolved);
    return finish(d, ar, status < 0 ? 0 : status);
}
