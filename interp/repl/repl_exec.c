/*
** repl_exec.c: `run NAME`, and `cost NAME` (what the train's last run cost the hardware: the
** child writes it into a temporary file shared across the fork). The run goes in a child
** process: Ctrl-C stops it at once (the child takes the default action of SIGINT) without
** any hook in the runtime's loops, a crash cannot take the session down, and outputs are
** written atomically, so an interrupted run leaves no half-written file.
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump.h"
#include "eval.h"
#include "repl_args.h"
#include "repl_signal.h"
#include "rt_mem.h"

/* In the child: run it and leave with ev_run's outcome; trains write their cost to cost. */
static void child(const Repl *r, const IrProgram *p, const char *name, FILE *cost)
{
    signal(SIGINT, SIG_DFL);
    Diag *d = diag_new(r->err);
    Buf resolved = {0};
    dump_program(&resolved, p, REPL_FILE);
    EvOptions o = {.only = name, .resolved = resolved.s, .out = r->out, .threads = r->threads,
                   .cost_report = cost};
    o.ninputs = repl_session_inputs(r->ses, &o.inputs);
    int rc = d ? ev_check_program(d, p, &o) || ev_run(p, d, &o) : 1;
    if (d)
        diag_flush(d);
    fflush(NULL);
    _exit(rc ? 1 : 0);
}

/* Wait for the child; on Ctrl-C make sure it stops too. Its wait status. */
static int wait_child(pid_t pid)
{
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, 0);
        if (w == pid)
            return st;
        if (w < 0 && errno != EINTR)
            return 0;
        if (repl_signal_pending())
            kill(pid, SIGINT); /* also when the SIGINT reached only this process */
    }
}

/* The run named by the current token, or NULL (reported). */
static const IrRun *find_run(Cmd *c, const IrProgram *p)
{
    const CmdTok *t = cmd_peek(c);
    for (size_t i = 0; t->kind == CT_WORD && i < p->nruns; i++)
        if (cmd_is_word(t, p->runs[i].name)) {
            cmd_next(c);
            return &p->runs[i];
        }
    const char **names = rt_xmalloc((p->nruns + 1) * sizeof *names);
    Buf list = {0};
    for (size_t i = 0; i < p->nruns; i++) {
        names[i] = p->runs[i].name;
        buf_printf(&list, "%s%s", i == 0 ? "" : i + 1 == p->nruns ? " or " : ", ", names[i]);
    }
    char what[96];
    if (t->kind == CT_WORD)
        cmd_error(c, t, "no train, measure or experiment '%.*s'", (int)t->len, t->s);
    else
        cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
    if (p->nruns)
        cmd_expected(c, "the name of a train, measure or experiment: %s", list.s);
    else
        cmd_hint(c, "declare one first, e.g. measure m { device = d, pulses = [+100, -100] }");
    if (t->kind == CT_WORD) {
        char *name = strndup(t->s, t->len);
        const char *best = name ? diag_nearest(name, names, p->nruns) : NULL;
        if (best)
            cmd_hint(c, "did you mean '%s'?", best);
        free(name);
    }
    buf_free(&list);
    free(names);
    return NULL;
}

/* Keep text as the cost of the run `name` (replacing an earlier one); takes text. */
static void keep_cost(Repl *r, const char *name, char *text)
{
    size_t i = 0;
    while (i < r->ncost && strcmp(r->cost_name[i], name) != 0)
        i++;
    if (i == r->ncost) {
        r->cost_name = rt_xrealloc(r->cost_name, (r->ncost + 1) * sizeof *r->cost_name);
        r->cost_text = rt_xrealloc(r->cost_text, (r->ncost + 1) * sizeof *r->cost_text);
        r->cost_name[i] = rt_xstrdup(name);
        r->cost_text[i] = NULL;
        r->ncost++;
    }
    free(r->cost_text[i]);
    r->cost_text[i] = text;
}

void repl_costs_free(Repl *r)
{
    for (size_t i = 0; i < r->ncost; i++)
        free(r->cost_name[i]), free(r->cost_text[i]);
    free(r->cost_name), free(r->cost_text);
    r->cost_name = r->cost_text = NULL;
    r->ncost = 0;
}

/* What the child wrote to the cost file, as a string (NULL when nothing or unreadable). */
static char *read_cost(FILE *f)
{
    if (!f || fflush(f) != 0 || fseek(f, 0, SEEK_END) != 0)
        return NULL;
    long n = ftell(f);
    if (n <= 0 || fseek(f, 0, SEEK_SET) != 0)
        return NULL;
    char *s = rt_xmalloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    return s;
}

/* run NAME */
int cmd_run(Cmd *c)
{
    const IrProgram *p = repl_session_program(c->r->ses);
    const IrRun *run = find_run(c, p);
    if (!run || cmd_end(c, "nothing after the name"))
        return 1;
    fflush(NULL);
    FILE *cost = run->kind == IR_RUN_TRAIN ? tmpfile() : NULL; /* shared with the child */
    pid_t pid = fork();
    if (pid < 0) {
        cmd_error(c, &c->tok[0], "cannot start the run: %s", strerror(errno));
        if (cost)
            fclose(cost);
        return 1;
    }
    if (pid == 0)
        child(c->r, p, run->name, cost);
    int st = wait_child(pid);
    char *text = WIFEXITED(st) ? read_cost(cost) : NULL;
    if (text)
        keep_cost(c->r, run->name, text);
    if (cost)
        fclose(cost);
    if (WIFSIGNALED(st)) {
        fprintf(c->r->out, "interrupted: %s stopped (its files are written whole or not at all)\n",
                run->name);
        if (WTERMSIG(st) != SIGINT)
            fprintf(c->r->err, "aimci: error: the run of '%s' ended by signal %d\n", run->name,
                    WTERMSIG(st));
        return WTERMSIG(st) != SIGINT;
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* cost NAME: what the last `run NAME` of a train cost the hardware. */
int cmd_cost(Cmd *c)
{
    const CmdTok *t = cmd_peek(c);
    Repl *r = c->r;
    for (size_t i = 0; t->kind == CT_WORD && i < r->ncost; i++)
        if (cmd_is_word(t, r->cost_name[i])) {
            cmd_next(c);
            if (cmd_end(c, "nothing after the name"))
                return 1;
            fputs(r->cost_text[i], r->out);
            return 0;
        }
    char what[96];
    if (t->kind == CT_WORD) {
        cmd_error(c, t, "no cost of '%.*s' yet", (int)t->len, t->s);
        cmd_hint(c, "run a train first, then ask: run %.*s, then cost %.*s", (int)t->len, t->s,
                 (int)t->len, t->s);
    } else {
        cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
        cmd_expected(c, "cost NAME, after run NAME of a train");
    }
    return 1;
}
