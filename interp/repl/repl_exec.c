/*
** repl_exec.c: `run NAME`. The run goes in a child process: Ctrl-C stops it at once (the
** child takes the default action of SIGINT) without any hook in the runtime's loops, a
** crash cannot take the session down, and outputs are written atomically, so an interrupted
** run leaves no half-written file.
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

/* In the child: run it and leave with ev_run's outcome. */
static void child(const Repl *r, const IrProgram *p, const char *name)
{
    signal(SIGINT, SIG_DFL);
    Diag *d = diag_new(r->err);
    Buf resolved = {0};
    dump_program(&resolved, p, REPL_FILE);
    EvOptions o = {.only = name, .resolved = resolved.s, .out = r->out, .threads = r->threads};
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

/* run NAME */
int cmd_run(Cmd *c)
{
    const IrProgram *p = repl_session_program(c->r->ses);
    const IrRun *run = find_run(c, p);
    if (!run || cmd_end(c, "nothing after the name"))
        return 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        cmd_error(c, &c->tok[0], "cannot start the run: %s", strerror(errno));
        return 1;
    }
    if (pid == 0)
        child(c->r, p, run->name);
    int st = wait_child(pid);
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
