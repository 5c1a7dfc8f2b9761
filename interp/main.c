/*
** main.c: the aimci command line.
**
**   aimci                    the interactive prompt (REPL, interp/repl/repl.h)
**   aimci -i FILE            the prompt, FILE's declarations loaded first
**   aimci FILE               run every train, measure and experiment of FILE, in order
**   aimci -                  the same with the script read from standard input
**   aimci --check FILE       check FILE, its data files and outputs, run nothing
**   aimci --dump FILE        print the resolved program
**   aimci --only NAME FILE   run only the train, measure or experiment NAME
**   aimci --threads N FILE   update analog tiles on N threads (default: AIMCI_THREADS, else
**                            every online CPU); results do not depend on N
**   aimci --checkpoint-every K FILE   checkpoint every train every K epochs (steps)
**   aimci --fresh FILE       start over: run every experiment job again (reuse no saved job
**                            result) and ignore (and remove) the trains' checkpoints
**   aimci --shard K/N FILE   run only the experiment jobs j with j mod N = K (eval_experiment.c)
**   aimci --fit FAMILY DATA [--name N]   fit a device family to measured data; print the
**                            report and the `device` declaration (fit_cmd.h)
**
** GNU conventions: `--opt=VALUE` or `--opt VALUE`, `--` ends the options, a usage error is
** one line and a hint to `--help`. The help text (usage()) is also the source of the man
** page's OPTIONS, and a test keeps the two in step (tests/scripts/install.sh).
**
** The same file is the main of aimci-mpi (eval_ranks.h): there every rank but the lead checks
** the script quietly and runs the experiment jobs the lead deals out (serve()).
**
** Exit status: 0 ok, 1 a run failed (or standard output could not be written), 2 errors in
** the script or on the command line, 130 / 143 stopped by SIGINT / SIGTERM (eval_signal.c).
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "dump.h"
#include "eval.h"
#include "eval_ranks.h"
#include "fit_cmd.h"
#include "repl.h"
#include "rt_file.h"
#include "rt_mem.h"
#include "rt_pool.h"
#include "rt_stop.h"

#ifndef AIMCI_STDLIB
#define AIMCI_STDLIB "stdlib"
#endif
#define AIMCI_VERSION "0.1.0"

enum { EXIT_RUN_FAILED = 1, EXIT_SCRIPT_ERROR = 2 };

typedef struct Args {
    const char *file;    /* the script; "-": standard input */
    const char *only;
    bool check, dump;
    bool interactive;    /* -i FILE, or no script at all: the REPL */
    const char *set[64]; /* --set DECL.PARAM=VALUE, in order */
    int nset;
    size_t threads;      /* --threads N; 0: the default */
    const char *fit;     /* --fit FAMILY: FILE is measured data */
    const char *name;    /* --name N: the fitted device's name */
    bool fresh;          /* --fresh */
    size_t shard, shards; /* --shard K/N; shards 0: none */
    size_t ckpt_every;   /* --checkpoint-every K; 0: as the script says */
} Args;

static void usage(FILE *out)
{
    fputs("usage: aimci [OPTION]... [FILE | -]\n"
          "Run, check or explore an .aimc experiment script (analog in-memory training).\n"
          "  aimci                    the interactive prompt (REPL): declarations, expressions,\n"
          "                           device exploration (`help` there; docs/repl.md)\n"
          "  aimci -i FILE            the prompt with FILE's declarations loaded\n"
          "  aimci FILE               run every train, measure and experiment of FILE, in order\n"
          "  aimci -                  the same, the script read from standard input\n"
          "  aimci --check FILE       check FILE and its data files, run nothing\n"
          "  aimci --dump FILE        print the resolved program (a valid script)\n"
          "  aimci --only NAME FILE   run only the train, measure or experiment NAME\n"
          "  aimci --set D.P=V FILE   set parameter P of declaration D to V (repeatable;\n"
          "                           strings need quotes: --set 'fit.log=\"out/x.csv\"')\n"
          "  aimci --threads N FILE   N threads for the tiles' updates, or an experiment's jobs\n"
          "                           (default: AIMCI_THREADS, else all CPUs); the results\n"
          "                           are the same for any N\n"
          "  aimci --checkpoint-every K FILE   checkpoint every train every K epochs (steps\n"
          "                           by steps) beside its log; a stopped run continues\n"
          "  aimci --fresh FILE       start over: run every experiment job again (reuse no\n"
          "                           result saved in REPORT.jobs/) and ignore and remove\n"
          "                           the trains' checkpoints\n"
          "  aimci --shard K/N FILE   run only the experiment jobs j with j mod N = K\n"
          "                           (0 <= K < N) and keep their results; the run that\n"
          "                           finds every result there writes the report\n"
          "  aimci --fit FAMILY DATA.csv [--name N]   fit a device family to measured data\n"
          "                           and print its `device` declaration (docs/fitting.md)\n"
          "  aimci --help, --version\n"
          "  mpirun -n N aimci-mpi [OPTION]... FILE   the same, experiments' jobs dealt out\n"
          "                           to N MPI ranks (docs/cluster.md)\n"
          "Options take their value as --opt VALUE or --opt=VALUE; -- ends the options.\n"
          "Environment: AIMCI_THREADS (default thread count), AIMCI_PATH (':'-separated\n"
          "folders searched by `use`), AIMCI_STDLIB (the standard library's folder).\n"
          "Ctrl-C (SIGINT) or SIGTERM stops after the current step, checkpointing; a second\n"
          "one stops at once. Docs: docs/language.md. Exit status: 0 ok, 1 a run failed,\n"
          "2 script errors, 130 stopped by SIGINT, 143 by SIGTERM.\n",
          out);
}

/* A usage error: one line, and where to find the help. */
static int bad_usage(const char *fmt, const char *arg)
{
    fputs("aimci: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'aimci --help' for more information.\n", stderr);
    return EXIT_SCRIPT_ERROR;
}

/* The options that take a value, and those that do not. */
static const char *const with_value[] = {"--only", "--set",   "--threads", "--fit",
                                         "--name", "--shard", "-i",        "--checkpoint-every"};
static const char *const options[] = {"--check", "--dump",    "--only", "--set",  "--threads",
                                      "--help",  "--version", "-i",     "--fit",  "--name",
                                      "--fresh", "--shard",   "--checkpoint-every"};

/* A number of threads from 1 to 1024, or 0. */
static size_t thread_count(const char *s)
{
    char *end = NULL;
    errno = 0;
    long n = s && *s ? strtol(s, &end, 10) : 0;
    return errno == 0 && end && !*end && n >= 1 && n <= 1024 ? (size_t)n : 0;
}

/* --shard K/N: 0 <= K < N, N from 1 to 1000000; false if s is not that. */
static bool shard_of(const char *s, size_t *k, size_t *n)
{
    char *end = NULL;
    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return false;
    unsigned long a = strtoul(s, &end, 10);
    if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
        return false;
    unsigned long b = strtoul(end + 1, &end, 10);
    if (errno || *end || b < 1 || b > 1000000 || a >= b)
        return false;
    *k = a, *n = b;
    return true;
}

/* One option with its value (NULL for a flag); returns -1 to go on, or an exit status. */
static int take_option(Args *a, const char *s, const char *v)
{
    if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
        usage(stdout);
        return 0;
    } else if (strcmp(s, "--version") == 0) {
        printf("aimci %s\n", AIMCI_VERSION);
        return 0;
    } else if (strcmp(s, "-i") == 0) {
        if (a->file)
            return bad_usage("one script at a time (got a second: '%s')", v);
        if (strcmp(v, "-") == 0)
            return bad_usage("-i reads the prompt's input from standard input: give it a "
                             "script file, not '%s'", v);
        a->file = v;
        a->interactive = true;
    } else if (strcmp(s, "--check") == 0) {
        a->check = true;
    } else if (strcmp(s, "--dump") == 0) {
        a->dump = true;
    } else if (strcmp(s, "--fresh") == 0) {
        a->fresh = true;
    } else if (strcmp(s, "--shard") == 0) {
        if (a->shards)
            return bad_usage("--shard given twice (a second time: '%s')", v);
        if (!shard_of(v, &a->shard, &a->shards))
            return bad_usage("--shard needs K/N, this process's part K of N parts with "
                             "0 <= K < N (as 0/4 .. 3/4), not '%s'", v);
    } else if (strcmp(s, "--set") == 0) {
        if (a->nset == 64)
            return bad_usage("at most 64 --set options%s", "");
        a->set[a->nset++] = v;
    } else if (strcmp(s, "--threads") == 0) {
        if (!(a->threads = thread_count(v)))
            return bad_usage("--threads needs a number of threads from 1 to 1024, not '%s'", v);
    } else if (strcmp(s, "--checkpoint-every") == 0) {
        char *end = NULL;
        errno = 0;
        long n = *v ? strtol(v, &end, 10) : 0;
        if (errno || !end || *end || n < 1 || n > 1000000000)
            return bad_usage("--checkpoint-every needs a number of epochs (or steps) from 1, "
                             "not '%s'", v);
        a->ckpt_every = (size_t)n;
    } else if (strcmp(s, "--fit") == 0) {
        if (a->fit)
            return bad_usage("--fit given twice (a second time: '%s')", v);
        a->fit = v;
    } else if (strcmp(s, "--name") == 0) {
        if (a->name)
            return bad_usage("--name given twice (a second time: '%s')", v);
        a->name = v;
    } else if (strcmp(s, "--only") == 0) {
        if (a->only)
            return bad_usage("--only runs one block: given twice (a second time: '%s')", v);
        a->only = v;
    }
    return -1;
}

/* Options that cannot go together; returns -1 to go on, or an exit status. */
static int check_combination(Args *a)
{
    bool runs = a->check || a->dump || a->only || a->nset || a->fresh || a->shards ||
                a->ckpt_every;
    if (a->check && a->dump)
        return bad_usage("--check and --dump contradict each other: --dump checks too%s", "");
    if (a->fit && (runs || a->interactive || a->threads))
        return bad_usage("--fit takes only DATA.csv and --name; not --check, --dump, --only, "
                         "--set, --threads, --checkpoint-every, --fresh, --shard or -i%s", "");
    if (a->fit && !a->file)
        return bad_usage("--fit %s needs the measured data (a CSV file)", a->fit);
    if (a->name && !a->fit)
        return bad_usage("--name names the device of --fit; there is no --fit%s", "");
    if (!a->file && runs)
        return bad_usage("--check, --dump, --only, --set, --fresh, --shard and "
                         "--checkpoint-every need a script%s", "");
    a->interactive |= !a->file && !a->fit;
    if (a->interactive && runs)
        return bad_usage("-i opens the prompt: --check, --dump, --only, --set, --fresh, --shard "
                         "and --checkpoint-every need a plain script%s", "");
    return -1;
}

/* Parse argv into *a; returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, Args *a)
{
    bool options_end = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (options_end || s[0] != '-' || strcmp(s, "-") == 0) {
            if (a->file)
                return bad_usage("one script at a time (got a second: '%s')", s);
            a->file = s;
            continue;
        }
        if (strcmp(s, "--") == 0) {
            options_end = true;
            continue;
        }
        /* --opt=VALUE */
        char opt[32];
        const char *eq = strncmp(s, "--", 2) == 0 ? strchr(s, '=') : NULL;
        size_t olen = eq ? (size_t)(eq - s) : strlen(s);
        snprintf(opt, sizeof opt, "%.*s", (int)(olen < sizeof opt ? olen : sizeof opt - 1), s);
        bool known = false, valued = false;
        for (size_t k = 0; k < sizeof options / sizeof *options; k++)
            known |= strcmp(opt, options[k]) == 0;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
            valued |= strcmp(opt, with_value[k]) == 0;
        if (!known && strcmp(opt, "-h") != 0) {
            const char *best = diag_nearest(opt, options, sizeof options / sizeof *options);
            fprintf(stderr, "aimci: error: unknown option '%s'%s%s%s\n", opt,
                    best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
            fputs("Try 'aimci --help' for more information.\n", stderr);
            return EXIT_SCRIPT_ERROR;
        }
        const char *v = NULL;
        if (valued) {
            if (eq)
                v = eq + 1;
            else if (i + 1 < argc)
                v = argv[++i];
            else if (strcmp(opt, "-i") == 0)
                return bad_usage("-i needs the script to load into the prompt%s", "");
            else if (strcmp(opt, "--set") == 0)
                return bad_usage("--set needs DECLARATION.PARAMETER=VALUE%s", "");
            else if (strcmp(opt, "--only") == 0)
                return bad_usage("--only needs the name of a train, measure or experiment%s",
                                 "");
            else
                return bad_usage("%s needs an argument", opt);
        } else if (eq) {
            return bad_usage("%s takes no value", opt);
        }
        int rc = take_option(a, opt, v);
        if (rc >= 0)
            return rc;
    }
    return check_combination(a);
}

/* AIMCI_THREADS, when set and --threads is not, must be a thread count: -1 (go on), else 2. */
static int check_env(const Args *a)
{
    const char *env = getenv("AIMCI_THREADS");
    if (a->threads || !env || thread_count(env))
        return -1;
    fprintf(stderr, "aimci: error: AIMCI_THREADS must be a number of threads from 1 to 1024, "
                    "not '%s'\n", env);
    return EXIT_SCRIPT_ERROR;
}

/* Whether path is a directory. */
static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
** The folder of the standard library: $AIMCI_STDLIB; else, beside the running binary,
** ../share/aimci/stdlib (an installed aimci: make install) or stdlib (the build tree);
** else the build tree's folder compiled in.
*/
static const char *stdlib_dir(void)
{
    const char *env = getenv("AIMCI_STDLIB");
    if (env && *env)
        return env;
    static char found[4096 + 64];
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(found, sizeof found, "%s/../share/aimci/stdlib", exe);
            if (is_dir(found))
                return found;
            snprintf(found, sizeof found, "%s/stdlib", exe);
            if (is_dir(found))
                return found;
        }
    }
    return AIMCI_STDLIB;
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

/* Standard input, whole ("aimci -"); NULL (reported) if it cannot be read. */
static char *read_stdin(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *s = rt_xmalloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, stdin)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            s = rt_xrealloc(s, cap *= 2);
    }
    if (ferror(stdin)) {
        fprintf(stderr, "aimci: error: cannot read the script from standard input: %s\n",
                strerror(errno));
        free(s);
        return NULL;
    }
    s[n] = '\0';
    *len = n;
    return s;
}

/* Check, then dump, check or run the script: the exit status. */
static int run_script(const Args *a)
{
    Arena *ar = arena_new();
    Diag *d = diag_new(stderr);
    Checker *c = chk_new(ar, d, stdlib_dir());
    for (int i = 0; i < a->nset; i++)
        chk_set(c, a->set[i]);
    const char *file = a->file;
    if (strcmp(file, "-") == 0) {
        size_t len = 0;
        char *text = read_stdin(&len);
        if (!text) {
            diag_free(d);
            arena_free(ar);
            return EXIT_SCRIPT_ERROR;
        }
        file = "<stdin>";
        chk_source(c, file, arena_strndup(ar, text, len), len);
        free(text);
    } else {
        chk_file(c, file);
    }
    const IrProgram *p = chk_program(c);
    if (!p || (a->only && check_only(c, d, a->only)))
        return finish(d, ar, EXIT_SCRIPT_ERROR);
    Buf resolved = {0};
    dump_program(&resolved, p, file);
    int status = 0;
    EvOptions o = {.only = a->only, .resolved = resolved.s, .out = stdout, .threads = a->threads,
                   .no_bar = !ev_ranks_own_terminal(), .fresh = a->fresh, .shard = a->shard,
                   .shards = a->shards, .checkpoint_every = a->ckpt_every};
    o.ninputs = chk_input_files(c, &o.inputs);
    if (a->dump)
        fputs(resolved.s, stdout);
    else if (ev_check_program(d, p, &o)) /* the output policy: before anything runs */
        status = EXIT_SCRIPT_ERROR;
    else if (a->check)
        printf("%s: ok\n", file);
    else {
        ev_signal_install();
        status = ev_run(p, d, &o) ? EXIT_RUN_FAILED : 0;
        int sig = rt_stop_requested();
        if (sig) {
            fflush(stdout);
            diag_flush(d);
            fprintf(stderr, "aimci: stopped by %s: the outputs written above are kept, and no "
                            "temporary file\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
            status = 128 + sig;
        }
    }
    buf_free(&resolved);
    return finish(d, ar, status);
}

/*
** A rank of aimci-mpi other than the lead: the command line and the script checked as the
** lead checks them, quietly (the lead reports their errors), then the experiment jobs the
** lead deals out, until it ends. A rank that cannot check the script takes no job and says
** why to the lead (the first line of its diagnostics).
*/
static void serve(int argc, char **argv)
{
    ev_signal_install(); /* a signal here stops the whole run (eval_mpi.c) */
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    if (null >= 0)
        dup2(null, 2); /* parse_args' usage errors: the lead prints them */
    Args a = {0};
    int status = parse_args(argc, argv, &a);
    if (status < 0)
        status = check_env(&a);
    fflush(stderr);
    if (saved >= 0)
        dup2(saved, 2);
    if (null >= 0)
        close(null);
    if (saved >= 0)
        close(saved);
    const char *why = NULL;
    if (status >= 0 || a.fit || !a.file)
        why = "the command line runs no script";
    else if (a.interactive) /* the prompt's declarations are the lead's alone */
        why = "the lead runs the prompt, and its experiments";
    else if (strcmp(a.file, "-") == 0)
        why = "only the lead reads standard input: give aimci-mpi a script file";
    char *text = NULL;
    size_t len = 0;
    FILE *msgs = why ? NULL : open_memstream(&text, &len);
    Arena *ar = arena_new();
    Diag *d = diag_new(msgs ? msgs : stderr);
    const IrProgram *p = NULL;
    if (msgs) {
        Checker *c = chk_new(ar, d, stdlib_dir());
        for (int i = 0; i < a.nset; i++)
            chk_set(c, a.set[i]);
        chk_file(c, a.file);
        p = chk_program(c);
        diag_flush(d);
        fclose(msgs);
        if (!p) /* the first line of the diagnostics */
            why = text && *text ? strtok(text, "\n") : "the script does not check";
    }
    ev_ranks_serve(p, a.threads ? a.threads : rt_pool_default_threads(), why);
    diag_free(d);
    arena_free(ar);
    free(text);
}

/*
** Standard output is flushed and closed before exiting, so that a write error (a full disk,
** >/dev/full) is reported and fails the command instead of being lost.
*/
static int close_stdout(int status)
{
    bool bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        err = errno;
    }
    if (!bad)
        return status;
    fprintf(stderr, "aimci: error: cannot write standard output: %s\n",
            err ? strerror(err) : "write error");
    return status ? status : EXIT_RUN_FAILED;
}

/* Tests: AIMCI_TEST_WRITE_DELAY_MS holds every file set between staging and renaming. */
static void test_hooks(void)
{
    const char *ms = getenv("AIMCI_TEST_WRITE_DELAY_MS");
    if (ms && *ms)
        rt_file_test_delay_ms = (unsigned)strtoul(ms, NULL, 10);
}

int main(int argc, char **argv)
{
    test_hooks();
    if (ev_ranks_init(&argc, &argv) != 0)
        return EXIT_RUN_FAILED;
    if (!ev_ranks_lead()) {
        serve(argc, argv);
        return ev_ranks_end(rt_stop_requested() ? 128 + rt_stop_requested() : 0);
    }
    Args a = {0};
    int status = parse_args(argc, argv, &a);
    if (status < 0)
        status = check_env(&a);
    if (status < 0) {
        if (a.fit)
            status = fit(&a);
        else if (a.interactive) {
            ReplOptions ro = {.stdlib = stdlib_dir(), .load = a.file, .threads = a.threads,
                              .version = AIMCI_VERSION};
            status = repl_run(&ro);
        } else
            status = run_script(&a);
    }
    return ev_ranks_end(close_stdout(status));
}
