/*
** repl_fit.c: `fit NAME : FAMILY from "measured.csv"`: the fit itself is interp/fit/fit_cmd.h's
** (fit_command); the REPL reads the command, prints the report, and defines the fitted
** device as if its declaration had been typed (on one line, so that the input's line
** numbers stay those of the session).
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "repl_args.h"

#include "fit_cmd.h"

/* Append line (trimmed, its comment dropped) to out; the open ( and [ in *depth. */
static void join_line(Buf *out, const char *line, size_t len, int *depth)
{
    size_t end = 0;
    for (bool str = false; end < len && (str || line[end] != '#'); end++)
        str ^= line[end] == '"';
    while (end > 0 && isspace((unsigned char)line[end - 1]))
        end--;
    size_t start = strspn(line, " \t");
    if (start >= end)
        return;
    char last = out->n ? out->s[out->n - 1] : '{';
    const char *sep = strchr("{[(,", last) || strchr("}])", line[start]) || *depth > 0 ? " "
                                                                                     : ", ";
    buf_printf(out, "%s%.*s", out->n ? sep : "", (int)(end - start), line + start);
    for (size_t i = start; i < end; i++)
        *depth += (line[i] == '(' || line[i] == '[') - (line[i] == ')' || line[i] == ']');
}

void repl_one_line(Buf *out, const char *decl)
{
    int depth = 0;
    for (const char *p = decl; *p;) {
        size_t n = strcspn(p, "\n");
        join_line(out, p, n, &depth);
        p += n + (p[n] == '\n');
    }
}

/* A word of the command, or NULL (reported). */
static char *word(Cmd *c, const char *expected)
{
    const CmdTok *t = cmd_peek(c);
    if (t->kind != CT_WORD) {
        char what[96];
        cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
        cmd_expected(c, "%s", expected);
        return NULL;
    }
    cmd_next(c);
    return strndup(t->s, t->len);
}

static const char *const usage = "fit NAME : FAMILY from \"measured.csv\"";

/* Fit, print the report, define the device. */
static int fit_and_define(Cmd *c, const char *name, const char *family, const char *path,
                          const CmdTok *at)
{
    Buf decl = {0}, report = {0}, line = {0};
    int rc = fit_command(name, family, path, REPL_FILE, (int)c->line, (int)at->col, &decl,
                         &report);
    if (rc == 0) {
        fputs(report.s ? report.s : "", c->r->out);
        fputs(decl.s ? decl.s : "", c->r->out);
        repl_one_line(&line, decl.s ? decl.s : "");
        rc = repl_session_declare(c->r->ses, line.s ? line.s : "", c->line);
        if (rc == 0) {
            repl_devs_rebind(&c->r->devs, repl_session_program(c->r->ses));
            if (repl_session_replaced(c->r->ses))
                repl_devs_forget(&c->r->devs, repl_session_replaced(c->r->ses));
        }
    }
    buf_free(&decl);
    buf_free(&report);
    buf_free(&line);
    return rc != 0;
}

/* fit NAME : FAMILY from "measured.csv" */
int cmd_fit(Cmd *c)
{
    char *name = word(c, "the name of the new device: fit NAME : FAMILY from \"data.csv\"");
    char *family = NULL;
    if (name && !cmd_punct(c, ":")) {
        char what[96];
        cmd_error(c, cmd_peek(c), "unexpected %s", cmd_describe(cmd_peek(c), what, sizeof what));
        cmd_expected(c, "%s", usage);
    } else if (name) {
        family = word(c, "a device family (or response, piecewise_step) after ':'");
    }
    const CmdTok *at = cmd_peek(c);
    bool ok = family && cmd_is_word(at, "from") && cmd_next(c) && cmd_peek(c)->kind == CT_STR;
    if (family && !ok) {
        char what[96];
        at = cmd_peek(c);
        cmd_error(c, at, "unexpected %s", cmd_describe(at, what, sizeof what));
        cmd_expected(c, "%s", usage);
    }
    at = cmd_peek(c);
    char *path = ok ? strndup(at->s, at->len) : NULL;
    int rc = 1;
    if (path && cmd_next(c) && cmd_end(c, "nothing after the file name") == 0) {
        rc = fit_and_define(c, name, family, path, at);
    }
    free(name);
    free(family);
    free(path);
    return rc;
}
