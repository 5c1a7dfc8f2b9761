/*
** repl_meta.c: the session commands `:load FILE`, `:save FILE`, `:list`, `:help`, `:quit`,
** and writing the session as a script.
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "repl_args.h"
#include "rt_file.h"
#include "rt_mem.h"

/* The argument of a meta command: the rest of the line, trimmed, quotes dropped. */
static char *argument(const char *p, uint32_t *col, const char *text)
{
    p += strspn(p, " \t");
    *col = (uint32_t)(p - text) + 1;
    size_t n = strcspn(p, "\r\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"')
        p++, n -= 2;
    return strndup(p, n);
}

static void meta_error(Repl *r, const char *text, uint32_t line, uint32_t col, uint32_t len,
                       const char *msg, const char *expected)
{
    ReplDiag rd;
    repl_diag_open(&rd, r->err, text, line);
    diag_error(rd.d, (SrcLoc){rd.file, line, col, len ? len : 1}, "%s", msg);
    if (expected)
        diag_expected(rd.d, "%s", expected);
    repl_diag_close(&rd);
}

/*
** :load FILE: the script becomes part of the session through `use`, so its errors name its
** own lines; a name without '/' or ".aimc" gets "./" so that it is a file, not a library.
*/
static int load(Repl *r, const char *path, const char *text, uint32_t line, uint32_t col)
{
    struct stat st;
    char why[PATH_MAX + 96];
    if (strchr(path, '"'))
        snprintf(why, sizeof why, "a file name with '\"' cannot be loaded");
    else if (stat(path, &st) != 0)
        snprintf(why, sizeof why, "cannot open '%s': %s", path,
                 errno == ENOENT ? "no such file" : strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(why, sizeof why, "'%s' is %s, not a script file", path,
                 rt_file_kind(st.st_mode));
    else
        why[0] = '\0';
    if (why[0]) {
        meta_error(r, text, line, col, (uint32_t)strlen(path), why,
                   "a script file, e.g. :load examples/quickstart.aimc");
        return 1;
    }
    size_t n = strlen(path);
    bool named = strchr(path, '/') || (n > 5 && strcmp(path + n - 5, ".aimc") == 0);
    const char *dot = named ? "" : "./"; /* else `use` would look for a library */
    Buf use = {0};
    buf_printf(&use, "use \"%s%s\"", dot, path);
    int rc = repl_session_declare(r->ses, use.s, line);
    buf_free(&use);
    if (rc == 0)
        repl_devs_rebind(&r->devs, repl_session_program(r->ses));
    return rc;
}

int repl_meta(Repl *r, const char *text, uint32_t line)
{
    const char *p = text + strspn(text, " \t") + 1;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
    uint32_t col;
    char *arg = argument(p + n, &col, text);
    uint32_t wcol = (uint32_t)(p - text);
    int rc = 0;
    if (!arg)
        return 1;
    bool needs = (n == 4 && strncmp(p, "load", 4) == 0) || (n == 4 && strncmp(p, "save", 4) == 0);
    if (needs && !arg[0]) {
        meta_error(r, text, line, col, 1, "a file name is missing", ":load FILE or :save FILE");
        rc = 1;
    } else if (!needs && arg[0] && n) {
        meta_error(r, text, line, col, (uint32_t)strlen(arg), "unexpected argument",
                   "nothing after the command");
        rc = 1;
    } else if (n == 4 && strncmp(p, "load", 4) == 0) {
        rc = load(r, arg, text, line, col);
    } else if (n == 4 && strncmp(p, "save", 4) == 0) {
        char err[512];
        rc = repl_session_save(r->ses, arg, err, sizeof err) != 0;
        if (rc)
            meta_error(r, text, line, col, (uint32_t)strlen(arg), err, NULL);
        else
            fprintf(r->out, "wrote %s\n", arg);
    } else if (n == 4 && strncmp(p, "list", 4) == 0) {
        Buf b = {0};
        repl_session_text(r->ses, &b);
        fputs(b.s ? b.s : "(no declarations yet)\n", r->out);
        buf_free(&b);
    } else if ((n == 4 && strncmp(p, "quit", 4) == 0) || (n == 1 && *p == 'q')) {
        r->quit = true;
    } else if (n == 4 && strncmp(p, "help", 4) == 0) {
        repl_help(r->out, NULL);
    } else {
        meta_error(r, text, line, wcol, (uint32_t)n + 1, "unknown command",
                   ":load FILE, :save FILE, :list, :help or :quit");
        rc = 1;
    }
    free(arg);
    return rc;
}

/*
** {======================================================================
** :save
** =======================================================================
*/

/* target relative to the folder dir (both absolute, canonical) into out. */
static void relative_path(Buf *out, const char *dir, const char *target)
{
    size_t common = 0, i = 0;
    for (; dir[i] && dir[i] == target[i]; i++)
        if (dir[i] == '/')
            common = i;
    if (!dir[i] && (target[i] == '/' || (i == 1 && dir[0] == '/')))
        common = i; /* dir is an ancestor of target */
    for (const char *p = dir + common; *p; p++)
        if (*p == '/' && p[1])
            buf_printf(out, "../");
    buf_printf(out, "%s", target + common + (target[common] == '/'));
}

/* The path of a `use` as seen from the folder of the saved file (or as written). */
static void rebase(Buf *out, const char *use, size_t len, const char *save_dir)
{
    char *p = strndup(use, len), abs[PATH_MAX];
    bool is_path = p && (strchr(p, '/') || (len > 5 && strcmp(p + len - 5, ".aimc") == 0));
    if (is_path && save_dir && realpath(p, abs))
        relative_path(out, save_dir, abs);
    else
        buf_printf(out, "%.*s", (int)len, use);
    free(p);
}

/* One line of the session, with a `use "PATH"` made relative to save_dir. */
static void save_line(Buf *out, const char *line, size_t len, const char *save_dir)
{
    size_t lead = strspn(line, " \t");
    const char *q = line + lead;
    if (len > lead + 5 && strncmp(q, "use", 3) == 0 && (q[3] == ' ' || q[3] == '\t')) {
        const char *open = strchr(q, '"'), *close = open ? strchr(open + 1, '"') : NULL;
        if (open && close && close < line + len) {
            buf_printf(out, "%.*s", (int)(open + 1 - line), line);
            rebase(out, open + 1, (size_t)(close - open - 1), save_dir);
            buf_printf(out, "%.*s\n", (int)(line + len - close), close);
            return;
        }
    }
    buf_printf(out, "%.*s\n", (int)len, line);
}

/* The output policy of :save (docs/language.md "Outputs"): never over a file the session uses. */
static int save_allowed(const ReplSession *s, const char *path, char *err, size_t errlen)
{
    char *target = NULL;
    int rc = rt_file_target(path, &target, err, errlen);
    free(target);
    const char *const *in;
    size_t n = repl_session_inputs(s, &in);
    RtFileId out, id;
    for (size_t k = 0; rc == 0 && k < n && rt_file_id(path, &out); k++)
        if (rt_file_id(in[k], &id) && id.dev == out.dev && id.ino == out.ino) {
            snprintf(err, errlen, "cannot write '%s': it is '%s', which the session uses", path,
                     in[k]);
            rc = -1;
        }
    return rc;
}

int repl_session_save(const ReplSession *s, const char *path, char *err, size_t errlen)
{
    if (save_allowed(s, path, err, errlen) != 0 || rt_file_mkparents(path, err, errlen) != 0)
        return -1;
    char *copy = rt_xstrdup(path), *slash = strrchr(copy, '/'), dir[PATH_MAX];
    if (slash)
        *(slash == copy ? slash + 1 : slash) = '\0';
    const char *save_dir = realpath(slash ? copy : ".", dir) ? dir : NULL;
    Buf text = {0}, out = {0};
    repl_session_text(s, &text);
    buf_printf(&out, "# aimci: the declarations of a REPL session (:save)\n");
    for (const char *p = text.s; p && *p;) {
        size_t n = strcspn(p, "\n");
        save_line(&out, p, n, save_dir);
        p += n + (p[n] == '\n');
    }
    int rc = rt_file_write(path, out.s, out.n, err, errlen);
    buf_free(&text);
    buf_free(&out);
    free(copy);
    return rc;
}

/* }====================================================================== */
