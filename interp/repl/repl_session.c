/*
** repl_session.c: the REPL's declarations as one script, checked whole after every chunk.
**
** A new declaration is checked after the ones accepted before, with the same checker
** (chk_source_more), so a session of n declarations checks in time linear in n; one that
** redeclares a name, or a session with an experiment, re-checks the whole script, which
** keeps the REPL exactly as strict as a script file. The checked program, its arena and
** the texts it points into stay alive until the whole script is checked again.
*/
#include "repl_session.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "ps.h"
#include "rt_mem.h"

/* One accepted chunk: its text (without the final newline) and first input line. */
typedef struct Chunk {
    char *text;
    uint32_t line, nlines;
} Chunk;

/* A checked script: what a program's IR borrows from. */
typedef struct Checked {
    Arena *ar;
    Diag *diag;
    Checker *chk;
    char *script;
    const IrProgram *prog;
} Checked;

struct ReplSession {
    const char *stdlib;
    FILE *err;
    Chunk *chunks;
    size_t n, cap;
    Checked cur;
    char *replaced; /* the name the last accepted chunk redeclared, or NULL */
    char *last;     /* the last value printed, as `_` of the next expressions, or NULL */
};

static void checked_free(Checked *k)
{
    diag_free(k->diag);
    arena_free(k->ar);
    free(k->script);
    *k = (Checked){0};
}

static uint32_t count_lines(const char *s)
{
    uint32_t n = 1;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The session script with `extra` (if any) at input line `line`: every chunk at its line. */
static char *build_script(const ReplSession *s, const char *extra, uint32_t line, size_t *len)
{
    Buf b = {0};
    uint32_t at = 1;
    buf_printf(&b, "%s", "");
    for (size_t i = 0; i <= s->n; i++) {
        const char *text = i < s->n ? s->chunks[i].text : extra;
        uint32_t from = i < s->n ? s->chunks[i].line : line;
        if (!text)
            break;
        for (; at < from; at++)
            buf_printf(&b, "\n");
        buf_printf(&b, "%s\n", text);
        at += count_lines(text);
    }
    *len = b.n;
    return b.s;
}

/* Check script (owned by the result) as <stdin>; prog is NULL if errors were reported. */
static Checked check_script(const ReplSession *s, char *script, size_t len)
{
    Checked k = {.ar = arena_new(), .diag = diag_new(s->err), .script = script};
    k.chk = chk_new(k.ar, k.diag, s->stdlib);
    chk_source(k.chk, REPL_FILE, script, len);
    k.prog = chk_program(k.chk);
    diag_flush(k.diag);
    return k;
}

ReplSession *repl_session_new(const char *stdlib, FILE *err)
{
    ReplSession *s = rt_xcalloc(1, sizeof *s);
    s->stdlib = stdlib;
    s->err = err;
    size_t len;
    char *script = build_script(s, NULL, 1, &len);
    s->cur = check_script(s, script, len);
    if (!s->cur.prog) { /* an empty script always checks */
        repl_session_free(s);
        return NULL;
    }
    return s;
}

void repl_session_free(ReplSession *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->chunks[i].text);
    free(s->chunks);
    free(s->replaced);
    free(s->last);
    checked_free(&s->cur);
    free(s);
}

size_t repl_session_inputs(const ReplSession *s, const char *const **paths)
{
    return chk_input_files(s->cur.chk, paths);
}

const IrProgram *repl_session_program(const ReplSession *s)
{
    if (!s->cur.prog) /* built when asked for, not after every declaration (repl_session_declare) */
        ((ReplSession *)s)->cur.prog = chk_program(s->cur.chk);
    return s->cur.prog;
}

/* A copy of text without trailing newlines. */
static char *trimmed_copy(const char *text)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    char *t = rt_xmalloc(n + 1);
    memcpy(t, text, n);
    t[n] = '\0';
    return t;
}

static void push_chunk(ReplSession *s, char *text, uint32_t line)
{
    RT_XGROW(s->chunks, s->cap, s->n + 1);
    s->chunks[s->n++] = (Chunk){text, line, count_lines(text)};
}

/* The first line a new chunk may take: after the last accepted one. */
static uint32_t next_free_line(const ReplSession *s)
{
    return s->n ? s->chunks[s->n - 1].line + s->chunks[s->n - 1].nlines : 1;
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

/* Past a name at p (p itself if none). */
static const char *skip_name(const char *p)
{
    if (!isalpha((unsigned char)*p) && *p != '_')
        return p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    return p;
}

/*
** The name a chunk declares (a copy): NAME of `KIND NAME ...` or of `NAME = ...`; NULL for
** anything else (`use`, several statements are read by their first one only).
*/
static char *declared_name(const char *text)
{
    const char *p = skip_space(text), *e = skip_name(p);
    if (e == p || ((size_t)(e - p) == 3 && strncmp(p, "use", 3) == 0))
        return NULL;
    const char *q = skip_space(e);
    if (*q == '=')
        return strndup(p, (size_t)(e - p));
    const char *n = skip_name(q);
    return n != q ? strndup(q, (size_t)(n - q)) : NULL;
}

/* The index of the accepted chunk that declares `name`, or s->n if none. */
static size_t chunk_declaring(const ReplSession *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        char *d = declared_name(s->chunks[i].text);
        bool same = d && strcmp(d, name) == 0;
        free(d);
        if (same)
            return i;
    }
    return s->n;
}

/*
** The chunks of s into tmp (capacity s->cap) with chunk `old` replaced by text: the new text
** takes the old one's place and first line, and the chunks after it follow it, their lines
** renumbered so that the script's lines stay in order.
*/
static void chunks_replacing(const ReplSession *s, size_t old, char *text, Chunk *tmp)
{
    memcpy(tmp, s->chunks, s->n * sizeof *tmp);
    tmp[old].text = text;
    tmp[old].nlines = count_lines(text);
    uint32_t next = tmp[old].line + tmp[old].nlines;
    for (size_t i = old + 1; i < s->n; i++) {
        if (tmp[i].line < next)
            tmp[i].line = next;
        next = tmp[i].line + tmp[i].nlines;
    }
}

/*
** A chunk that declares no name declared before is checked alone, after the declarations
** checked so far (chk_source_more), in time that does not grow with the session; with
** errors it is taken back (chk_rollback). A session with an experiment is checked whole:
** an experiment's cells re-check the script. 0 accepted, 1 errors, -1 check it whole.
*/
static int declare_more(ReplSession *s, char *chunk, uint32_t line)
{
    if (chk_has_experiment(s->cur.chk))
        return -1;
    Checker *c = s->cur.chk;
    ChkMark m = chk_mark(c);
    if (line < next_free_line(s))
        line = next_free_line(s);
    size_t len = strlen(chunk);
    char *text = arena_strndup(s->cur.ar, chunk, len); /* the IR and messages point into it */
    if (chk_source_more(c, REPL_FILE, text, len, line) != 0) {
        chk_rollback(c, &m);
        return 1;
    }
    if (chk_has_experiment(c)) {
        chk_rollback(c, &m);
        return -1;
    }
    push_chunk(s, chunk, line);
    s->cur.prog = NULL; /* built again when asked for */
    return 0;
}

/*
** A chunk that declares a name declared before (`device d : ...` again) replaces that
** declaration in place: the declarations after it, which may use the name, then take the
** new one, as if the script had been edited. (Its errors are reported at the old
** declaration's lines.) Nothing changes if the session does not check.
*/
int repl_session_declare(ReplSession *s, const char *text, uint32_t line)
{
    free(s->replaced);
    s->replaced = NULL;
    char *chunk = trimmed_copy(text);
    char *name = declared_name(chunk);
    if (!name || !chk_name_info(s->cur.chk, name, NULL, NULL)) {
        int rc = declare_more(s, chunk, line);
        if (rc >= 0) {
            if (rc)
                free(chunk);
            free(name);
            return rc;
        }
    }
    size_t old = name ? chunk_declaring(s, name) : s->n;
    Chunk *tmp = old < s->n ? rt_xmalloc(s->cap * sizeof *tmp) : NULL;
    ReplSession view = *s; /* the session as it will be */
    if (tmp) {
        chunks_replacing(s, old, chunk, tmp);
        view.chunks = tmp;
    }
    if (line < next_free_line(&view))
        line = next_free_line(&view); /* input lines only grow; this keeps the script ordered */
    size_t len;
    char *script = build_script(&view, tmp ? NULL : chunk, line, &len);
    Checked k = check_script(s, script, len);
    if (!k.prog && tmp)
        fprintf(s->err, "  note: this redefines '%s' (line %u), and every declaration after that "
                        "one is checked with the new definition\n", name, s->chunks[old].line);
    if (!k.prog) {
        checked_free(&k);
        free(chunk), free(name), free(tmp);
        return 1;
    }
    if (!tmp)
        push_chunk(s, chunk, line);
    if (tmp) {
        free(s->chunks[old].text);
        free(s->chunks);
        s->chunks = tmp;
        s->replaced = name;
    } else {
        free(name);
    }
    checked_free(&s->cur);
    s->cur = k;
    return 0;
}

const char *repl_session_replaced(const ReplSession *s)
{
    return s->replaced;
}

/*
** {======================================================================
** Statements and expressions
** =======================================================================
*/

bool repl_is_statement(const char *text)
{
    const char *p = skip_space(text), *e = skip_name(p);
    if (e == p)
        return false;
    if ((size_t)(e - p) == 3 && strncmp(p, "use", 3) == 0)
        return true;
    const char *q = skip_space(e);
    if (*q == '=' || (*q != '\0' && skip_name(q) != q))
        return true; /* NAME = ..., KIND NAME ... */
    if (*q != '.')
        return false;
    q = skip_space(skip_name(skip_space(q + 1)));
    return *q == '='; /* D.P = ... (the checker explains why that is not allowed) */
}

/* Whether a printed value reads back as a value (a number, a bool, a string, a list). */
static bool is_literal(const char *v)
{
    return strchr("0123456789+-.\"[", v[0]) || strcmp(v, "true") == 0 ||
           strcmp(v, "false") == 0;
}

/* The value printed becomes `_` of the next expressions when it reads back as one. */
static void remember_value(ReplSession *s, const char *value)
{
    if (is_literal(value)) {
        free(s->last);
        s->last = rt_xstrdup(value);
    }
}

/*
** An expression evaluated with the checker of the session as it stands (no whole check of
** the script: the time does not grow with the session), `_` declared for it as the last
** value unless the session declared a `_` of its own; what it leaves (`_`, errors) is taken
** back. -1 when the session has an experiment: then the whole script is checked again.
*/
static int eval_more(ReplSession *s, const char *text, uint32_t line, FILE *out)
{
    Checker *c = s->cur.chk;
    if (chk_has_experiment(c))
        return -1;
    ChkMark m = chk_mark(c);
    if (s->last && !chk_name_info(c, "_", NULL, NULL)) {
        Buf last = {0};
        buf_printf(&last, "_ = %s", s->last);
        char *src = arena_strndup(s->cur.ar, last.s, last.n);
        int bad = chk_source_more(c, REPL_FILE, src, last.n, line) != 0;
        buf_free(&last);
        if (bad) {
            chk_rollback(c, &m);
            return -1;
        }
    }
    size_t len = strlen(text);
    char *src = arena_strndup(s->cur.ar, text, len);
    uint32_t file = diag_add_file(s->cur.diag, REPL_FILE, src, len, (SrcLoc){0});
    diag_file_set_first_line(s->cur.diag, file, line);
    const AstNode *e = ps_parse_expr(s->cur.ar, s->cur.diag, file, src, len, 0);
    const char *value = e && diag_count(s->cur.diag) == m.nerr ? chk_eval_text(c, e) : NULL;
    diag_flush(s->cur.diag);
    if (value) {
        fprintf(out, "%s\n", value);
        remember_value(s, value); /* value lives in the arena: copied before the rollback */
    }
    chk_rollback(c, &m);
    return value ? 0 : 1;
}

int repl_session_eval(ReplSession *s, const char *text, uint32_t line, FILE *out)
{
    int fast = eval_more(s, text, line, out);
    if (fast >= 0)
        return fast;
    size_t len;
    /* `_`: the last value, unless the session declared a `_` of its own. */
    Buf last = {0};
    if (s->last && !chk_name_info(s->cur.chk, "_", NULL, NULL))
        buf_printf(&last, "_ = %s", s->last);
    char *script = build_script(s, last.s, line, &len);
    buf_free(&last);
    Checked k = check_script(s, script, len); /* a fresh checker: its own error count */
    int rc = 1;
    if (k.prog) {
        Buf at = {0};
        for (uint32_t l = 1; l < line; l++)
            buf_printf(&at, "\n");
        size_t off = at.n;
        buf_printf(&at, "%s", text);
        char *src = arena_strndup(k.ar, at.s, at.n);
        uint32_t file = diag_add_file(k.diag, REPL_FILE, src, at.n, (SrcLoc){0});
        const AstNode *e = ps_parse_expr(k.ar, k.diag, file, src, at.n, off);
        const char *value = e ? chk_eval_text(k.chk, e) : NULL;
        if (value) {
            fprintf(out, "%s\n", value);
            rc = 0;
            remember_value(s, value);
        }
        diag_flush(k.diag);
        buf_free(&at);
    }
    checked_free(&k);
    return rc;
}

/* }====================================================================== */

void repl_session_text(const ReplSession *s, Buf *out)
{
    for (size_t i = 0; i < s->n; i++)
        buf_printf(out, "%s%s\n", i && s->chunks[i].nlines + s->chunks[i - 1].nlines > 2 ? "\n" : "",
                   s->chunks[i].text);
}

void repl_diag_open(ReplDiag *rd, FILE *err, const char *text, uint32_t line)
{
    *rd = (ReplDiag){.d = diag_new(err)};
    buf_printf(&rd->text, "%s", text);
    rd->file = diag_add_file(rd->d, REPL_FILE, rd->text.s, rd->text.n, (SrcLoc){0});
    diag_file_set_first_line(rd->d, rd->file, line); /* no blank lines before it to build */
}

void repl_diag_close(ReplDiag *rd)
{
    diag_flush(rd->d);
    diag_free(rd->d);
    buf_free(&rd->text);
}

size_t repl_session_names(const ReplSession *s, int kind, const char **out, size_t cap)
{
    return chk_names(s->cur.chk, kind, out, cap);
}

int repl_session_family(const ReplSession *s, const char *name, int *kind)
{
    int family;
    chk_name_info(s->cur.chk, name, kind, &family);
    return family;
}
