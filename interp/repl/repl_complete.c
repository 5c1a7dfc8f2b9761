/*
** repl_complete.c: what TAB offers, by context: commands and declaration keywords first on
** a line, device names after a device command, families after `KIND NAME :`, parameter
** names inside a block or after `NAME.`, declared names (and functions) in values.
*/
#include "repl_complete.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

typedef struct Cands {
    const char *prefix;
    size_t plen;
    const char **v;
    size_t n, cap;
} Cands;

static void add(Cands *c, const char *s)
{
    if (!s || strncmp(s, c->prefix, c->plen) != 0 || c->n == c->cap)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i], s) == 0)
            return;
    c->v[c->n++] = s;
}

static void add_names(Cands *c, const ReplSession *s, int kind)
{
    const char *names[512];
    size_t n = repl_session_names(s, kind, names, 512);
    for (size_t i = 0; i < n; i++)
        add(c, names[i]);
}

/* The parameters of a kind that a family accepts (family < 0: all). */
static void add_params(Cands *c, int kind, int family)
{
    const SchKind *k = &sch_kinds[kind];
    for (size_t i = 0; i < k->nparams; i++)
        if (family < 0 || sch_accepts(&k->params[i], family))
            add(c, k->params[i].name);
    if (kind == SCH_MODEL)
        for (size_t i = 0; i < sch_nlayers; i++)
            add(c, sch_layers[i].name);
}

static void add_values(Cands *c, const ReplSession *s)
{
    add_names(c, s, -1);
    for (size_t i = 0; i < sch_nfuncs; i++)
        add(c, sch_funcs[i].name);
    add(c, "true");
    add(c, "false");
}

/* The words of text[0..n) before the cursor's word, as offsets (at most 8). */
static size_t words(const char *text, size_t n, size_t *at, size_t *len)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < 8;) {
        if (isalpha((unsigned char)text[i]) || text[i] == '_') {
            at[k] = i;
            while (i < n && (isalnum((unsigned char)text[i]) || text[i] == '_'))
                i++;
            len[k] = i - at[k];
            k++;
        } else {
            i++;
        }
    }
    return k;
}

static bool word_is(const char *text, size_t at, size_t len, const char *w)
{
    return len == strlen(w) && strncmp(text + at, w, len) == 0;
}

/*
** The kind and family of the innermost unclosed `{` in text[0..n), or -1: its declaration
** header `KIND NAME [: PARENT] {` is the text before it.
*/
static int open_block(const ReplSession *s, const char *text, size_t n, int *family)
{
    size_t open = n;
    int depth = 0;
    bool str = false, comment = false;
    for (size_t i = 0; i < n; i++) {
        char ch = text[i];
        if (comment || str) {
            comment &= ch != '\n';
            str &= ch != '"' && ch != '\n';
            continue;
        }
        comment = ch == '#';
        str = ch == '"';
        if (ch == '{' && depth++ == 0)
            open = i;
        else if (ch == '}' && depth > 0)
            depth--;
    }
    if (depth == 0)
        return -1;
    size_t bol = open;
    while (bol > 0 && text[bol - 1] != '\n')
        bol--;
    size_t at[8], len[8], k = words(text + bol, open - bol, at, len);
    char kw[64] = "", parent[160] = "";
    if (k >= 1)
        snprintf(kw, sizeof kw, "%.*s", (int)len[0], text + bol + at[0]);
    if (k >= 3)
        snprintf(parent, sizeof parent, "%.*s", (int)len[2], text + bol + at[2]);
    int kind = sch_kind_find(kw);
    *family = -1;
    if (kind >= 0 && parent[0] && sch_kinds[kind].has_family) {
        *family = sch_family_find(&sch_kinds[kind], parent);
        if (*family < 0)
            *family = repl_session_family(s, parent, NULL); /* `device b : a` */
    }
    return kind;
}

/* The last character before `end` that is not a space (0 if none on the line). */
static char prev_char(const char *line, size_t end)
{
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
    return end ? line[end - 1] : 0;
}

/* Inside a block: parameter names at the start of an entry, values after `=` or operators. */
static void in_block(Cands *c, const ReplSession *s, int kind, int family, char before)
{
    if (before == 0 || before == '{' || before == ',')
        add_params(c, kind, family);
    else
        add_values(c, s);
}

static const char *const device_commands[] = {"pulse", "set", "show", "plot", "trace", "sp",
                                              "compare", NULL};

/* Arguments of a command: device names, runs, help topics. */
static bool command_args(Cands *c, const ReplSession *s, const char *line, size_t nwords,
                         const size_t *at, const size_t *len)
{
    for (size_t i = 0; device_commands[i]; i++)
        if (word_is(line, at[0], len[0], device_commands[i])) {
            if (nwords == 1 || (nwords == 2 && i == 6))
                add_names(c, s, SCH_DEVICE);
            else if (nwords == 2 && i == 1)
                add(c, "w");
            return true;
        }
    if (word_is(line, at[0], len[0], "cost")) {
        add_names(c, s, SCH_TRAIN);
        return true;
    }
    if (word_is(line, at[0], len[0], "run")) {
        add_names(c, s, SCH_TRAIN);
        add_names(c, s, SCH_MEASURE);
        add_names(c, s, SCH_EXPERIMENT);
        add_names(c, s, SCH_EVALUATE);
        return true;
    }
    if (word_is(line, at[0], len[0], "help")) {
        for (size_t i = 0; repl_help_topics[i]; i++)
            add(c, repl_help_topics[i]);
        for (int k = 0; k < SCH__NKINDS; k++) {
            add(c, sch_kinds[k].keyword);
            add_params(c, k, -1);
            for (size_t f = 0; sch_kinds[k].has_family && f < sch_kinds[k].nfamilies; f++)
                add(c, sch_kinds[k].families[f].name);
        }
        return true;
    }
    if (word_is(line, at[0], len[0], "fit")) {
        const SchKind *k = &sch_kinds[SCH_DEVICE];
        for (size_t f = 0; nwords == 2 && f < k->nfamilies; f++)
            add(c, k->families[f].name);
        if (nwords == 3)
            add(c, "from");
        return true;
    }
    return false;
}

/* The first word of a statement or command. */
static void first_word(Cands *c, const ReplSession *s)
{
    for (size_t i = 0; repl_command_words[i]; i++)
        add(c, repl_command_words[i]);
    for (int k = 0; k < SCH__NKINDS; k++)
        add(c, sch_kinds[k].keyword);
    add(c, "use");
    add(c, "seed");
    add_values(c, s);
}

/* After `NAME.`: the parameters of that declaration's kind and family. */
static bool field_of(Cands *c, const ReplSession *s, const char *line, size_t start)
{
    if (start == 0 || line[start - 1] != '.')
        return false;
    size_t b = start - 1;
    while (b > 0 && (isalnum((unsigned char)line[b - 1]) || line[b - 1] == '_'))
        b--;
    char name[160];
    snprintf(name, sizeof name, "%.*s", (int)(start - 1 - b), line + b);
    int kind = -1, family = repl_session_family(s, name, &kind);
    if (kind >= 0 && kind < SCH__NKINDS)
        add_params(c, kind, family);
    return true;
}

/* Families (and same-kind declarations to inherit from) after `KIND NAME :`. */
static void parent_of(Cands *c, const ReplSession *s, const char *line, size_t at, size_t len)
{
    char kw[64];
    snprintf(kw, sizeof kw, "%.*s", (int)len, line + at);
    int k = sch_kind_find(kw);
    if (k < 0)
        return;
    for (size_t f = 0; sch_kinds[k].has_family && f < sch_kinds[k].nfamilies; f++)
        add(c, sch_kinds[k].families[f].name);
    add_names(c, s, k);
}

/* The candidates for the word at line[b..] given the text typed before it. */
static void collect(Cands *c, const ReplSession *s, const char *pending, const char *line,
                    size_t b)
{
    size_t at[8], len[8], nw = words(line, b, at, len);
    Buf all = {0};
    buf_printf(&all, "%s%.*s", pending ? pending : "", (int)b, line);
    int family, kind = open_block(s, all.s, all.n, &family);
    buf_free(&all);
    if (field_of(c, s, line, b))
        return;
    if (kind >= 0)
        in_block(c, s, kind, family, prev_char(line, b));
    else if (nw == 0 && !pending)
        first_word(c, s);
    else if (nw > 0 && command_args(c, s, line, nw, at, len))
        return;
    else if (nw == 2 && prev_char(line, b) == ':')
        parent_of(c, s, line, at[0], len[0]);
    else
        add_values(c, s);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t repl_complete_words(const ReplSession *s, const char *pending, const char *line,
                           size_t cursor, size_t *start, const char **cands, size_t cap)
{
    size_t b = cursor;
    while (b > 0 && (isalnum((unsigned char)line[b - 1]) || line[b - 1] == '_'))
        b--;
    if (b == 1 && line[0] == ':')
        b = 0; /* :load, :save ... */
    *start = b;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%.*s", (int)(cursor - b), line + b);
    Cands c = {prefix, strlen(prefix), cands, 0, cap};
    collect(&c, s, pending, line, b);
    qsort(cands, c.n, sizeof *cands, by_name);
    return c.n;
}
