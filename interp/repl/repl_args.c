/*
** repl_args.c: a command line split into tokens, and the readers of the arguments every
** command uses. The handlers (repl_cmd*.c, repl_exec.c, repl_fit.c, repl_help.c) and the
** dispatch (repl_cmd.c) call these; these call none of them.
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "repl_args.h"
#include "rt_mem.h"
#include "schema.h"

/*
** {======================================================================
** Tokens
** =======================================================================
*/

static bool is_number_start(const char *p)
{
    if (*p == '+' || *p == '-')
        p++;
    return isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]));
}

/* One token at p (col: its column); returns the position after it. */
static const char *scan(const char *p, const char *bol, CmdTok *t)
{
    *t = (CmdTok){.kind = CT_BAD, .s = p, .len = 1, .col = (uint32_t)(p - bol) + 1};
    if (isalpha((unsigned char)*p) || *p == '_') {
        while (isalnum((unsigned char)p[t->len]) || p[t->len] == '_')
            t->len++;
        t->kind = CT_WORD;
    } else if (is_number_start(p)) {
        char *end;
        t->num = strtod(p, &end);
        t->len = (size_t)(end - p);
        t->kind = CT_NUM;
    } else if (*p == '"') {
        const char *q = strchr(p + 1, '"');
        if (q) {
            t->kind = CT_STR;
            t->s = p + 1;
            t->len = (size_t)(q - p - 1);
            return q + 1;
        }
        t->len = strlen(p); /* unterminated: CT_BAD over the rest */
    } else if (p[0] == '-' && p[1] == '>') {
        t->kind = CT_PUNCT;
        t->len = 2;
    } else if (strchr("[],=:.", *p)) {
        t->kind = CT_PUNCT;
    }
    return p + t->len;
}

void cmd_tokenize(Cmd *c, const char *text)
{
    const char *p = text;
    c->n = 0;
    c->pos = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p || *p == '\n' || *p == '#' || c->n == CMD_MAX_TOKENS)
            break;
        p = scan(p, text, &c->tok[c->n++]);
    }
    c->tok[c->n] = (CmdTok){.kind = CT_END, .s = p, .len = 1, .col = (uint32_t)(p - text) + 1};
}

const CmdTok *cmd_peek(const Cmd *c)
{
    return &c->tok[c->pos < c->n ? c->pos : c->n];
}

const CmdTok *cmd_next(Cmd *c)
{
    const CmdTok *t = cmd_peek(c);
    if (c->pos < c->n)
        c->pos++;
    return t;
}

bool cmd_is_word(const CmdTok *t, const char *w)
{
    return t->kind == CT_WORD && t->len == strlen(w) && strncmp(t->s, w, t->len) == 0;
}

bool cmd_punct(Cmd *c, const char *p)
{
    const CmdTok *t = cmd_peek(c);
    if (t->kind != CT_PUNCT || t->len != strlen(p) || strncmp(t->s, p, t->len) != 0)
        return false;
    cmd_next(c);
    return true;
}

const char *cmd_describe(const CmdTok *t, char *buf, size_t n)
{
    switch (t->kind) {
    case CT_END: snprintf(buf, n, "end of line"); break;
    case CT_WORD: snprintf(buf, n, "name '%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s); break;
    case CT_NUM: snprintf(buf, n, "number '%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s); break;
    case CT_STR: snprintf(buf, n, "a string"); break;
    case CT_PUNCT: snprintf(buf, n, "'%.*s'", (int)t->len, t->s); break;
    case CT_BAD:
        snprintf(buf, n, *t->s == '"' ? "an unterminated string" : "unexpected character '%c'",
                 isprint((unsigned char)*t->s) ? *t->s : '?');
        break;
    }
    return buf;
}

/* }====================================================================== */

/*
** {======================================================================
** Errors and argument readers
** =======================================================================
*/

void cmd_error(Cmd *c, const CmdTok *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    SrcLoc loc = {c->rd.file, c->line, at->col, at->kind == CT_STR ? (uint32_t)at->len + 2
                                                                   : (uint32_t)at->len};
    diag_verror(c->rd.d, loc, fmt, ap);
    va_end(ap);
    c->failed = 1;
}

void cmd_expected(Cmd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vfollow(c->rd.d, "expected", fmt, ap);
    va_end(ap);
}

void cmd_hint(Cmd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vfollow(c->rd.d, "hint", fmt, ap);
    va_end(ap);
}

/* "unexpected X" at the current token, then `expected`. */
static void unexpected(Cmd *c, const char *expected)
{
    char what[96];
    const CmdTok *t = cmd_peek(c);
    cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
    cmd_expected(c, "%s", expected);
}

/* "a, b or c" of the names of the devices declared so far. */
static void device_list(const Repl *r, Buf *b, const char **names, size_t *n)
{
    *n = repl_session_names(r->ses, SCH_DEVICE, names, 256);
    for (size_t i = 0; i < *n; i++)
        buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == *n ? " or " : ", ", names[i]);
}

const IrDevice *cmd_device(Cmd *c)
{
    const IrProgram *p = repl_session_program(c->r->ses);
    const CmdTok *t = cmd_peek(c);
    if (t->kind == CT_WORD)
        for (size_t i = 0; i < p->ndevices; i++)
            if (cmd_is_word(t, p->devices[i]->name)) {
                cmd_next(c);
                return p->devices[i];
            }
    const char *names[256];
    size_t n;
    Buf list = {0};
    device_list(c->r, &list, names, &n);
    char what[96];
    if (t->kind == CT_WORD) {
        char *name = rt_xstrndup(t->s, t->len);
        int kind = -1;
        repl_session_family(c->r->ses, name, &kind);
        if (kind >= 0)
            cmd_error(c, t, "'%s' is %s, not a device", name,
                      kind < SCH__NKINDS ? sch_kinds[kind].article : "a constant");
        else
            cmd_error(c, t, "no device '%s'", name ? name : "?");
        const char *best = name ? diag_nearest(name, names, n) : NULL;
        free(name);
        if (n)
            cmd_expected(c, "a device declared so far: %s", list.s);
        if (best)
            cmd_hint(c, "did you mean '%s'?", best);
    } else {
        cmd_error(c, t, "unexpected %s", cmd_describe(t, what, sizeof what));
        if (n)
            cmd_expected(c, "the name of a device: %s", list.s);
    }
    if (!n)
        cmd_hint(c, "declare one first, e.g. device d : soft_bounds { dw_min = 0.01 }");
    buf_free(&list);
    return NULL;
}

ReplDev *cmd_scratch(Cmd *c, const IrDevice *ir)
{
    ReplDev *d = repl_dev_get(&c->r->devs, ir, repl_session_program(c->r->ses)->seed);
    if (!d)
        cmd_error(c, &c->tok[1 < c->n ? 1 : 0], "out of memory for a scratch copy of '%s'",
                  ir->name);
    return d;
}

int cmd_long(Cmd *c, long lo, long hi, const char *what, long *out)
{
    const CmdTok *t = cmd_peek(c);
    if (t->kind != CT_NUM || t->num != (double)(long)t->num || t->num < (double)lo ||
        t->num > (double)hi) {
        char buf[96];
        if (t->kind == CT_NUM)
            cmd_error(c, t, "%.*s is not %s", (int)t->len, t->s, what);
        else
            cmd_error(c, t, "unexpected %s", cmd_describe(t, buf, sizeof buf));
        cmd_expected(c, "%s (a whole number from %ld to %ld)", what, lo, hi);
        return 1;
    }
    *out = (long)t->num;
    cmd_next(c);
    return 0;
}

int cmd_target(Cmd *c, const char **path)
{
    *path = NULL;
    if (!cmd_punct(c, "->"))
        return 0;
    const CmdTok *t = cmd_peek(c);
    if (t->kind != CT_STR || t->len == 0) {
        unexpected(c, "a file name in quotes after '->', e.g. -> \"out/plot.png\"");
        return 1;
    }
    char *p = rt_xstrndup(t->s, t->len);
    *path = p; /* the caller frees it */
    cmd_next(c);
    return 0;
}

int cmd_end(Cmd *c, const char *usage)
{
    if (cmd_peek(c)->kind == CT_END)
        return 0;
    unexpected(c, usage);
    return 1;
}

/* }====================================================================== */
