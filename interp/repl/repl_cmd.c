/*
** repl_cmd.c: telling a command from other input, and the dispatch by the first word (its
** tokens and argument readers are repl_args.c's).
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "repl_args.h"
#include "rt_mem.h"

const char *const repl_command_words[] = {
    "pulse", "set", "show", "plot", "trace", "sp", "compare", "run", "cost", "fit", "help", "quit",
    "exit", ":load", ":save", ":list", ":help", ":quit", NULL,
};

typedef int (*CmdFn)(Cmd *c);

static const struct {
    const char *word;
    CmdFn fn;
} handlers[] = {
    {"pulse", cmd_pulse}, {"set", cmd_set},     {"show", cmd_show},       {"plot", cmd_plot},
    {"trace", cmd_trace}, {"sp", cmd_sp},       {"compare", cmd_compare}, {"run", cmd_run},
    {"fit", cmd_fit},     {"help", cmd_help},   {"cost", cmd_cost},
};

bool repl_is_command(const char *text)
{
    const char *p = text + strspn(text, " \t");
    if (*p == ':')
        return true;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
    const char *q = p + n + strspn(p + n, " \t");
    if (n == 0 || *q == '=' || *q == '.' || isalnum((unsigned char)p[n]))
        return false;
    for (size_t i = 0; repl_command_words[i]; i++)
        if (strlen(repl_command_words[i]) == n && strncmp(repl_command_words[i], p, n) == 0)
            return true;
    return false;
}

int repl_command(Repl *r, const char *text, uint32_t line)
{
    const char *p = text + strspn(text, " \t");
    if (*p == ':')
        return repl_meta(r, text, line);
    Cmd *c = rt_xcalloc(1, sizeof *c);
    c->r = r;
    c->line = line;
    repl_diag_open(&c->rd, r->err, text, line);
    cmd_tokenize(c, text);
    const CmdTok *w = cmd_next(c);
    int rc = -1;
    if (cmd_is_word(w, "quit") || cmd_is_word(w, "exit")) {
        rc = cmd_end(c, "nothing after quit");
        r->quit = rc == 0;
    }
    for (size_t i = 0; rc < 0 && i < sizeof handlers / sizeof *handlers; i++)
        if (cmd_is_word(w, handlers[i].word))
            rc = handlers[i].fn(c);
    if (rc < 0) { /* repl_is_command said it was one */
        cmd_error(c, w, "unknown command");
        rc = 1;
    }
    rc |= c->failed;
    repl_diag_close(&c->rd);
    free(c);
    fflush(r->out);
    return rc;
}
