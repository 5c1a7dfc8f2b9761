/*
** repl_help.c: `help` and `help TOPIC`. Commands have written help with examples; the
** declaration kinds, families and parameters are described from the schema tables, so the
** help cannot fall out of step with what the checker accepts.
*/
#include <stdlib.h>
#include <string.h>

#include "repl_args.h"
#include "schema.h"

typedef struct Topic {
    const char *name;
    const char *text;
} Topic;

static const char overview[] =
    "Type declarations (as in a script), expressions (printed), or commands:\n"
    "  pulse D +100 -50          fire pulses on a scratch copy of device D; prints w\n"
    "  set D w = 0.3             set the scratch copy's weight\n"
    "  show D                    parameters, granularity, states, symmetric point, q+ q- F G\n"
    "  plot D [-> \"d.png\"]       q+(w) and q-(w) over the weight range\n"
    "  trace D [+200, -400]      weight against pulse number\n"
    "  sp D                      symmetric point: analytic and by alternating pulses\n"
    "  compare D1 D2 [-> \"c.png\"] two devices side by side, their curves in one plot\n"
    "  run NAME                  run a train, measure or experiment (Ctrl-C stops it)\n"
    "  cost NAME                 what the last run of train NAME cost the hardware\n"
    "  fit NAME : FAMILY from \"data.csv\"   fit a device to measured pulse responses\n"
    "  :load FILE, :save FILE    read a script in, write the declarations out as a script\n"
    "  :list                     the declarations so far;  :quit (or Ctrl-D) leaves\n"
    "help TOPIC: a command, a declaration kind (device, train, ...), a family (soft_bounds),\n"
    "a parameter (dw_min), expressions or keys. Docs: docs/repl.md, docs/language.md.\n";

static const Topic topics[] = {
    {"pulse", "pulse D +N | -N ...: fire N up (+) or down (-) pulses, in order, on the scratch\n"
              "copy of device D (the cross-point a measure with the session's seed sees), and\n"
              "print its weight. Devices with device-to-device spread also pulse 8 other\n"
              "cross-points and show their mean, min and max.\n"
              "  pulse rram +100\n  pulse rram -50 +20\n"},
    {"set", "set D w = VALUE: set the scratch copy's weight (clipped to its bounds, with write\n"
            "noise as any programmed weight). Parameters belong in declarations.\n"
            "  set rram w = 0.3\n"},
    {"show", "show D: the declaration with every parameter's value and origin (as --dump), the\n"
             "granularity, number of states and symmetric point of the mean device, then the\n"
             "scratch copy's weight and q+ q- F G there (F = (q- + q+)/2, G = (q- - q+)/2).\n"
             "  show rram\n"},
    {"plot", "plot D [-> \"FILE\"]: q+(w) and q-(w) of D's cross-point, noise-free, over its\n"
             "weight range; in the terminal, or to a PNG or SVG file (with its data and gnuplot\n"
             "script next to it).\n  plot rram\n  plot rram -> \"out/rram.png\"\n"},
    {"trace", "trace D [N, ...] [-> \"FILE\"]: fire the pulse program on D's scratch copy and\n"
              "plot the weight against pulse number; the summary matches a measure's.\n"
              "  trace rram [+200, -400, +200]\n"},
    {"sp", "sp D: the symmetric point (where an up and a down pulse are equal) of the mean\n"
           "device (closed form or numerical), of the scratch cross-point (bisection), and where\n"
           "alternating up/down pulses leave its weight (aihwkit's plot_device_symmetry).\n"
           "  sp rram\n"},
    {"compare", "compare D1 D2: granularity, states, bounds, symmetric points, the parameters\n"
                "that differ, and both devices' response curves in one plot (on the terminal, or\n"
                "in a file as with plot).\n"
                "  compare rram pcm\n  compare rram pcm -> \"out/rram_pcm.png\"\n"},
    {"run", "run NAME: run a declared train, measure or experiment as the script would (its\n"
            "summary, its files). Ctrl-C stops it and returns to the prompt.\n  run fit\n"},
    {"cost", "cost NAME: after `run NAME`, what that train cost the hardware (docs/cost.md):\n"
             "time and energy in total, per epoch and by part, pulses, wear.\n  cost fit\n"},
    {"fit", "fit NAME : FAMILY from \"FILE\": fit a device family to measured pulse responses\n"
            "(pulse number and conductance per branch, or a direction column), print the fit\n"
            "and define device NAME.\n  fit mine : soft_bounds from \"measured.csv\"\n"},
    {"load", ":load FILE: read a script's declarations into the session (as `use \"FILE\"`).\n"
             "  :load examples/quickstart.aimc\n"},
    {"save", ":save FILE: write the declarations made so far as a script aimci accepts\n"
             "(atomically; `use` paths are made relative to the new file).\n"
             "  :save session.aimc\n"},
    {"expressions", "An expression typed alone is evaluated with the session's names and printed;\n"
                    "the next expressions call the last value printed `_`:\n"
                    "  2 * 0.6\n  rram.dw_min\n  [1, 2] \n  repeat([+10, -10], 2)\n  _ * 2\n"},
    {"keys", "Editing: the emacs keys of libedit (arrows, ^A ^E ^K ^W ...); up/down walk the\n"
             "history, kept in $XDG_STATE_HOME/aimci/history (~/.local/state/aimci/history);\n"
             "TAB completes keywords, names, families and parameters; a block continues until\n"
             "its braces balance; Ctrl-C drops the line or stops a command; Ctrl-D leaves.\n"},
};

const char *const repl_help_topics[] = {
    "pulse", "set",  "show", "plot",        "trace", "sp", "compare", "run",
    "cost",  "fit",  "load", "save", "expressions", "keys",  NULL,
};

/*
** One parameter of kind k with the default a declaration of that family really gets
** (sch_default: the family's override, else the parameter's own; family -1: the kind's,
** with a note when some family has another).
*/
static void param_line(FILE *out, const SchKind *k, int param, int family)
{
    const SchParam *p = &k->params[param];
    IrOrigin origin;
    double def = sch_default(k, param, family, &origin);
    fprintf(out, "    %-24s %s", p->name, p->desc ? p->desc : "");
    if (p->required)
        fprintf(out, " (required)");
    else if (p->type == SCH_NUM || p->type == SCH_SIZE || p->type == SCH_INT)
        fprintf(out, " (default %.10g", def);
    else if (p->type == SCH_BOOL)
        fprintf(out, " (default %s", def != 0.0 ? "true" : "false");
    else if (p->type == SCH_ENUM && p->enums)
        fprintf(out, " (default %s", p->enums[(int)def]);
    else {
        fputc('\n', out);
        return;
    }
    if (!p->required) {
        bool differs = false;
        for (size_t i = 0; family < 0 && i < k->noverrides; i++)
            differs |= strcmp(k->overrides[i].param, p->name) == 0;
        fputs(origin == IR_ORIGIN_FAMILY ? ", this family's)"
              : differs                  ? "; some families differ: help FAMILY)"
                                         : ")",
              out);
    }
    fputc('\n', out);
}

/* A declaration kind: its syntax, families and parameters. */
static void help_kind(FILE *out, const SchKind *k)
{
    fprintf(out, "%s NAME%s { PARAMETER = VALUE, ... }\n", k->keyword,
            k->has_family ? " : FAMILY" : "");
    if (k->has_family) {
        fprintf(out, "  families:\n");
        for (size_t f = 0; f < k->nfamilies; f++)
            fprintf(out, "    %-24s %s\n", k->families[f].name,
                    k->families[f].desc ? k->families[f].desc : "");
    }
    fprintf(out, "  parameters%s:\n", k->has_family ? " (help FAMILY: those of one family)" : "");
    for (size_t i = 0; i < k->nparams; i++)
        param_line(out, k, (int)i, -1);
}

/* A family: its description and the parameters it accepts, with its defaults. */
static void help_family(FILE *out, const SchKind *k, int f)
{
    fprintf(out, "%s %s: %s\n  %s NAME : %s { ... } takes:\n", k->keyword, k->families[f].name,
            k->families[f].desc ? k->families[f].desc : "", k->keyword, k->families[f].name);
    for (size_t i = 0; i < k->nparams; i++)
        if (sch_accepts(&k->params[i], f))
            param_line(out, k, (int)i, f);
}

/* Every kind that has a parameter of that name; false if none does. */
static bool help_param(FILE *out, const char *name)
{
    bool found = false;
    for (int k = 0; k < SCH__NKINDS; k++) {
        int i = sch_param_find(sch_kinds[k].params, sch_kinds[k].nparams, name);
        if (i < 0)
            continue;
        fprintf(out, "%s parameter:\n", sch_kinds[k].keyword);
        param_line(out, &sch_kinds[k], i, -1);
        found = true;
    }
    return found;
}

bool repl_help(FILE *out, const char *topic)
{
    if (!topic) {
        fputs(overview, out);
        return true;
    }
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++)
        if (strcmp(topic, topics[i].name) == 0) {
            fputs(topics[i].text, out);
            return true;
        }
    int k = sch_kind_find(topic);
    if (k >= 0) {
        help_kind(out, &sch_kinds[k]);
        return true;
    }
    for (k = 0; k < SCH__NKINDS; k++) {
        int f = sch_kinds[k].has_family ? sch_family_find(&sch_kinds[k], topic) : -1;
        if (f >= 0) {
            help_family(out, &sch_kinds[k], f);
            return true;
        }
    }
    return help_param(out, topic);
}

/* Every topic name, for "did you mean": the written ones, kinds, families, parameters. */
static size_t all_topics(const char **v, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; repl_help_topics[i] && n < cap; i++)
        v[n++] = repl_help_topics[i];
    for (int k = 0; k < SCH__NKINDS; k++) {
        const SchKind *s = &sch_kinds[k];
        if (n < cap)
            v[n++] = s->keyword;
        for (size_t f = 0; s->has_family && f < s->nfamilies && n < cap; f++)
            v[n++] = s->families[f].name;
        for (size_t i = 0; i < s->nparams && n < cap; i++)
            v[n++] = s->params[i].name;
    }
    return n;
}

/* help [TOPIC] */
int cmd_help(Cmd *c)
{
    const CmdTok *t = cmd_peek(c);
    char *topic = NULL;
    if (t->kind == CT_WORD || cmd_punct(c, ":")) {
        t = cmd_peek(c); /* `help :load` is `help load` */
        topic = t->kind == CT_WORD ? strndup(t->s, t->len) : NULL;
        cmd_next(c);
    }
    if (cmd_end(c, "nothing, or one topic: help pulse") || repl_help(c->r->out, topic)) {
        free(topic);
        return c->failed;
    }
    const char *names[1024];
    size_t n = all_topics(names, 1024);
    cmd_error(c, t, "no help on '%s'", topic ? topic : "?");
    cmd_expected(c, "a command, a declaration kind, a family, a parameter, expressions or keys");
    const char *best = topic ? diag_nearest(topic, names, n) : NULL;
    if (best)
        cmd_hint(c, "did you mean '%s'?", best);
    free(topic);
    return 1;
}
