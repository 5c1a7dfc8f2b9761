/*
** repl_line.c: REPL input through libedit (BSD licence) on a terminal, plain lines otherwise.
*/
#include "repl_line.h"

#include <errno.h>
#include <histedit.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_signal.h"
#include "rt_file.h"
#include "rt_mem.h"

#define HISTORY_SIZE 1000
#define MAX_CANDS 512

struct ReplInput {
    FILE *in, *out, *err;
    EditLine *el;        /* NULL: plain lines */
    History *hist;
    const char *history; /* the history file, or NULL */
    bool warned;         /* a failure to save the history was reported once */
    const char *prompt;
    ReplCompleter complete;
    void *ctx;
    char *line;          /* the last line read (plain input, or a copy of libedit's) */
    size_t cap;
    size_t len;          /* its length (plain input: NUL bytes included) */
    size_t nul_col;      /* the 1-based column of its first NUL byte, or 0 */
    bool too_long;       /* it was longer than REPL_MAX_LINE (the rest was skipped) */
};

/*
** {======================================================================
** Completion
** =======================================================================
*/

size_t repl_common_prefix(const char *const *cands, size_t n)
{
    if (n == 0)
        return 0;
    size_t k = strlen(cands[0]);
    for (size_t i = 1; i < n; i++) {
        size_t j = 0;
        while (j < k && cands[i][j] == cands[0][j])
            j++;
        k = j;
    }
    return k;
}

void repl_list_candidates(FILE *out, const char *const *cands, size_t n, size_t columns)
{
    size_t width = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(cands[i]) > width)
            width = strlen(cands[i]);
    size_t cols = (columns > 2 ? columns - 2 : 78) / (width + 2);
    cols = cols ? cols : 1;
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        bool last = i % cols == cols - 1 || i == n - 1;
        fprintf(out, "%-*s%s", last ? 0 : (int)(width + 2), cands[i], last ? "\n" : "");
    }
    fflush(out);
}

/* The terminal's width in columns (80 when unknown). */
static size_t term_columns(EditLine *el)
{
    int cols = 0;
    if (el_get(el, EL_GETTC, "co", &cols) != 0 || cols <= 0)
        return 80;
    return (size_t)cols;
}

/* libedit's TAB: complete the word before the cursor, or list the choices. */
static unsigned char on_tab(EditLine *el, int ch)
{
    (void)ch;
    ReplInput *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    const LineInfo *li = el_line(el);
    size_t len = (size_t)(li->lastchar - li->buffer), cursor = (size_t)(li->cursor - li->buffer);
    if (!r || !r->complete)
        return CC_REFRESH_BEEP;
    char *text = rt_xmalloc(len + 1);
    memcpy(text, li->buffer, len);
    text[len] = '\0';
    const char *cands[MAX_CANDS];
    size_t start = cursor;
    size_t n = r->complete(r->ctx, text, cursor, &start, cands, MAX_CANDS);
    free(text);
    if (n == 0)
        return CC_REFRESH_BEEP;
    size_t have = cursor - start, common = repl_common_prefix(cands, n);
    if (common > have || n == 1) {
        char add[256];
        size_t k = common > have ? common - have : 0;
        if (k >= sizeof add - 1)
            k = sizeof add - 2;
        memcpy(add, cands[0] + have, k);
        add[k] = '\0';
        if (n == 1)
            strcat(add, " ");
        el_insertstr(el, add);
        return CC_REFRESH;
    }
    /* The list ends on a line of its own: libedit redraws the prompt and the line there,
    ** below the list, instead of over its last row. */
    repl_list_candidates(r->out, cands, n, term_columns(el));
    return CC_REDISPLAY;
}

/* }====================================================================== */

static char *prompt_of(EditLine *el)
{
    ReplInput *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    return (char *)(r && r->prompt ? r->prompt : "");
}

static void start_libedit(ReplInput *r)
{
    r->hist = history_init();
    r->el = el_init("aimci", r->in, r->out, r->err);
    if (!r->hist || !r->el) {
        if (r->el)
            el_end(r->el);
        if (r->hist)
            history_end(r->hist);
        r->el = NULL;
        r->hist = NULL;
        return; /* no terminal support: plain lines still work */
    }
    HistEvent ev;
    history(r->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    history(r->hist, &ev, H_SETUNIQUE, 1);
    if (r->history)
        history(r->hist, &ev, H_LOAD, r->history); /* none yet: a first session */
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_EDITOR, "emacs");
    el_set(r->el, EL_SIGNAL, 1); /* restore the terminal on signals; follow resizes */
    el_set(r->el, EL_PROMPT, prompt_of);
    el_set(r->el, EL_HIST, history, r->hist);
    el_set(r->el, EL_ADDFN, "aimci-complete", "complete the word before the cursor", on_tab);
    el_set(r->el, EL_BIND, "^I", "aimci-complete", NULL);
}

ReplInput *repl_input_new(FILE *in, FILE *out, FILE *err, bool interactive,
                          const char *history, ReplCompleter complete, void *ctx)
{
    ReplInput *r = rt_xcalloc(1, sizeof *r);
    *r = (ReplInput){.in = in, .out = out, .err = err, .history = history,
                     .complete = complete, .ctx = ctx};
    if (interactive)
        start_libedit(r);
    return r;
}

/*
** Write the history to a temporary file next to it, then rename it over the old one, so a
** crash leaves the old history or the new one. (libedit saves only to a real file: it sets
** the file's mode through its descriptor.) Returns 0, or -1 with a message in err.
*/
static int write_history(ReplInput *r, char *err, size_t errlen)
{
    size_t n = strlen(r->history);
    char why[400];
    if (rt_file_mkparents(r->history, why, sizeof why) != 0) {
        snprintf(err, errlen, "cannot save the history: %s", why);
        return -1;
    }
    char *tmp = rt_xmalloc(n + 16);
    memcpy(tmp, r->history, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    errno = 0;
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    HistEvent ev;
    bool ok = f && history(r->hist, &ev, H_SAVE_FP, f) >= 0;
    ok = f && fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    if (f)
        ok &= fclose(f) == 0;
    else if (fd >= 0)
        close(fd);
    ok = ok && rename(tmp, r->history) == 0;
    if (!ok) {
        snprintf(err, errlen, "cannot save the history to '%s': %s", r->history,
                 errno ? strerror(errno) : "write failed");
        if (fd >= 0)
            unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

/* Save the history; warn once if that fails (the session goes on). */
static void save_history(ReplInput *r)
{
    char err[512];
    if (!r->hist || !r->history || write_history(r, err, sizeof err) == 0 || r->warned)
        return;
    fprintf(r->err, "aimci: warning: %s (the session goes on without it)\n", err);
    r->warned = true;
}

void repl_input_free(ReplInput *r)
{
    if (!r)
        return;
    save_history(r);
    if (r->el)
        el_end(r->el);
    if (r->hist)
        history_end(r->hist);
    free(r->line);
    free(r);
}

void repl_input_remember(ReplInput *r, const char *line)
{
    if (!r->hist || !line[strspn(line, " \t")])
        return;
    HistEvent ev;
    history(r->hist, &ev, H_ENTER, line);
    save_history(r);
}

/* Keep a copy of s[0..n) without its line ending as the current line. */
static const char *keep(ReplInput *r, const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    RT_XGROW(r->line, r->cap, n + 1);
    memmove(r->line, s, n);
    r->line[n] = '\0';
    return r->line;
}

/*
** A line of plain input, at most REPL_MAX_LINE bytes kept (a longer one is skipped to its
** end: r->too_long); its first NUL byte is noted (r->nul_col), not silently cut at.
*/
static ReplRead read_plain(ReplInput *r, const char **line)
{
    errno = 0;
    size_t n = 0;
    int c = getc(r->in);
    if (c == EOF) {
        if (errno == EINTR || repl_signal_pending()) {
            clearerr(r->in);
            return REPL_READ_INTERRUPTED;
        }
        return REPL_READ_EOF;
    }
    r->nul_col = 0;
    r->too_long = false;
    for (; c != EOF && c != '\n'; c = getc(r->in)) {
        if (n >= REPL_MAX_LINE) {
            r->too_long = true;
            if (r->nul_col)
                break; /* reported at the NUL: the rest need not be read */
            continue;
        }
        if (c == '\0' && !r->nul_col)
            r->nul_col = n + 1;
        RT_XGROW(r->line, r->cap, n + 2);
        r->line[n++] = (char)c;
    }
    while (n > 0 && r->line[n - 1] == '\r')
        n--;
    RT_XGROW(r->line, r->cap, n + 1);
    r->line[n] = '\0';
    r->len = n;
    *line = r->line;
    return REPL_READ_LINE;
}

size_t repl_input_nul_col(const ReplInput *r)
{
    return r->nul_col;
}

bool repl_input_too_long(const ReplInput *r)
{
    return r->too_long;
}

const char *repl_input_raw(const ReplInput *r, size_t *len)
{
    *len = r->len;
    return r->line;
}

ReplRead repl_input_read(ReplInput *r, const char *prompt, const char **line)
{
    if (!r->el)
        return read_plain(r, line);
    r->prompt = prompt;
    int count = 0;
    errno = 0;
    const char *s = el_gets(r->el, &count);
    if (repl_signal_pending() || (!s && errno == EINTR)) {
        el_reset(r->el);
        fputc('\n', r->out);
        return REPL_READ_INTERRUPTED;
    }
    if (!s || count <= 0) {
        fputc('\n', r->out); /* leave the terminal on a fresh line after ^D */
        return REPL_READ_EOF;
    }
    *line = keep(r, s, (size_t)count);
    return *line ? REPL_READ_LINE : REPL_READ_EOF;
}
