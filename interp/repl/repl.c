/*
** repl.c: the read-eval-print loop. Each chunk of input (one line, or the lines of a block
** until its brackets balance) is a command, a statement (declarations, constants, `use`)
** or an expression; errors are reported like script errors and the loop goes on.
*/
#include "repl.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_cmd.h"
#include "repl_complete.h"
#include "repl_line.h"
#include "repl_signal.h"
#include "rt_mem.h"

#define PROMPT "aimci> "
#define PROMPT_MORE "  ...> "

/* Open ( [ { in text, outside strings and comments (< 0: more closed than opened). */
static int open_brackets(const char *text)
{
    int depth = 0;
    bool str = false, comment = false;
    for (const char *p = text; *p; p++) {
        if (comment || str) {
            comment &= *p != '\n';
            str &= *p != '"' && *p != '\n';
            continue;
        }
        comment = *p == '#';
        str = *p == '"';
        depth += (*p == '(' || *p == '[' || *p == '{') - (*p == ')' || *p == ']' || *p == '}');
    }
    return depth;
}

static size_t complete(void *ctx, const char *line, size_t cursor, size_t *start,
                       const char **cands, size_t cap)
{
    const Repl *r = ctx;
    return repl_complete_words(r->ses, r->pending, line, cursor, start, cands, cap);
}

/* A chunk is one history entry: a block typed over several lines comes back whole. */
static void remember_chunk(ReplInput *in, const Buf *b)
{
    if (!b->n)
        return;
    char *s = rt_xstrdup(b->s);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '\n')
        s[--n] = '\0';
    repl_input_remember(in, s);
    free(s);
}

/*
** A line with a NUL byte, or longer than REPL_MAX_LINE: reported as a script reports it
** (the line, a caret, what was expected); its chunk is dropped, and after a line too long
** the session ends. Whether it was one.
*/
static bool bad_line(Repl *r, ReplInput *in, uint32_t line)
{
    size_t col = repl_input_nul_col(in), len;
    bool too_long = repl_input_too_long(in);
    if (!col && !too_long)
        return false;
    const char *raw = repl_input_raw(in, &len);
    Diag *d = diag_new(r->err);
    uint32_t file = diag_add_file(d, REPL_FILE, raw, len, (SrcLoc){0});
    diag_file_set_first_line(d, file, line);
    if (col) {
        diag_error(d, (SrcLoc){file, line, (uint32_t)col, 1}, "NUL byte in input");
        diag_expected(d, "text (is this a binary file?)");
    } else {
        diag_error(d, (SrcLoc){file, line, 1, 1}, "line longer than %zu bytes", REPL_MAX_LINE);
        diag_expected(d, "a line of at most %zu bytes", REPL_MAX_LINE);
    }
    if (too_long) { /* /dev/zero would go on for ever: the session ends here */
        diag_hint(d, "the rest of the input is not read");
        r->quit = true;
    }
    diag_flush(d);
    diag_free(d);
    return true;
}

/*
** Read one chunk into b: a line, and more lines while its brackets are open (a command is
** always one line). *line: the next input line's number. REPL_READ_EOF only when nothing
** was read; a block cut off by the end of input is returned for the checker to report.
*/
static ReplRead read_chunk(Repl *r, ReplInput *in, Buf *b, uint32_t *line)
{
    for (;;) {
        const char *l;
        ReplRead st = repl_input_read(in, b->n ? PROMPT_MORE : PROMPT, &l);
        if (st == REPL_READ_INTERRUPTED)
            return st;
        if (st == REPL_READ_EOF) {
            remember_chunk(in, b);
            return b->n ? REPL_READ_LINE : REPL_READ_EOF;
        }
        /* A block recalled from the history comes back whole, newlines included. */
        (*line)++;
        for (const char *p = l; (p = strchr(p, '\n')) != NULL; p++)
            (*line)++;
        if (bad_line(r, in, *line)) {
            b->n = 0; /* the chunk it belongs to is dropped */
            return REPL_READ_BAD;
        }
        buf_printf(b, "%s\n", l);
        r->pending = b->s;
        if (repl_is_command(b->s) || open_brackets(b->s) <= 0) {
            remember_chunk(in, b);
            return REPL_READ_LINE;
        }
    }
}

/* Only blank lines and comments? */
static bool is_blank(const char *text)
{
    for (const char *p = text; *p;) {
        p += strspn(p, " \t\r");
        if (*p == '#')
            p += strcspn(p, "\n");
        if (*p && *p != '\n')
            return false;
        p += *p == '\n';
    }
    return true;
}

/* One chunk typed from `line` on: 0, or 1 if errors were reported. */
static int dispatch(Repl *r, const char *text, uint32_t line)
{
    if (repl_is_command(text))
        return repl_command(r, text, line);
    if (!repl_is_statement(text))
        return repl_session_eval(r->ses, text, line, r->out);
    int rc = repl_session_declare(r->ses, text, line);
    if (rc == 0) {
        if (r->devs.n) /* the program is built only when needed */
            repl_devs_rebind(&r->devs, repl_session_program(r->ses));
        if (repl_session_replaced(r->ses))
            repl_devs_forget(&r->devs, repl_session_replaced(r->ses));
    }
    return rc;
}

/* `-i FILE`: the script as `use` at line 1. */
static int load_first(Repl *r, const char *path)
{
    Buf cmd = {0};
    buf_printf(&cmd, ":load %s", path);
    int rc = repl_command(r, cmd.s, 1);
    buf_free(&cmd);
    return rc;
}

/*
** The history file: $XDG_STATE_HOME/aimci/history ($XDG_STATE_HOME defaults to
** ~/.local/state); an older ~/.aimci_history goes on being used while the new file does
** not exist.
*/
static const char *history_path(Buf *b)
{
    const char *home = getenv("HOME"), *state = getenv("XDG_STATE_HOME");
    bool has_home = home && home[0];
    if (has_home) {
        buf_printf(b, "%s/.aimci_history", home);
        bool old = access(b->s, F_OK) == 0;
        b->n = 0;
        if (state && state[0] == '/')
            buf_printf(b, "%s/aimci/history", state);
        else
            buf_printf(b, "%s/.local/state/aimci/history", home);
        if (old && access(b->s, F_OK) != 0) {
            b->n = 0;
            buf_printf(b, "%s/.aimci_history", home);
        }
        return b->s;
    }
    if (state && state[0] == '/') {
        buf_printf(b, "%s/aimci/history", state);
        return b->s;
    }
    return NULL;
}

int repl_run(const ReplOptions *o)
{
    Repl r = {.out = stdout, .err = stderr, .threads = o->threads};
    r.ses = repl_session_new(o->stdlib, stderr);
    bool interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    Buf hist = {0};
    ReplInput *in = r.ses ? repl_input_new(stdin, stdout, stderr, interactive,
                                           interactive ? history_path(&hist) : NULL, complete, &r)
                          : NULL;
    if (!in) {
        fputs("aimci: error: out of memory\n", stderr);
        repl_session_free(r.ses);
        return 1;
    }
    repl_signal_install();
    uint32_t line = 0;
    int errors = o->load ? load_first(&r, o->load) : 0;
    line += o->load != NULL;
    if (interactive)
        printf("aimci %s: declarations, expressions and commands; `help` for help, Ctrl-D "
               "to leave.\n", o->version ? o->version : "");
    Buf chunk = {0};
    while (!r.quit) {
        uint32_t first = line + 1;
        chunk.n = 0;
        ReplRead st = read_chunk(&r, in, &chunk, &line);
        r.pending = NULL;
        repl_signal_clear();
        if (st == REPL_READ_EOF)
            break;
        if (st == REPL_READ_LINE && !is_blank(chunk.s))
            errors += dispatch(&r, chunk.s, first);
        errors += st == REPL_READ_BAD;
        repl_signal_clear();
        fflush(stdout);
    }
    buf_free(&chunk);
    repl_input_free(in);
    buf_free(&hist);
    repl_devs_free(&r.devs);
    repl_costs_free(&r);
    repl_session_free(r.ses);
    return !interactive && errors ? 2 : 0;
}
