/*
** repl_cmd.h: the REPL's commands (everything typed that is not a declaration or an
** expression), and the state they share.
**
**   pulse D +100 [-50 ...]      fire pulses on D's scratch copy, print the new weight
**   set D w = 0.3               set the scratch copy's weight
**   show D                      parameters, granularity, states, symmetric point, q+ q- F G
**   plot D [-> "out/d.png"]     q+(w) and q-(w) over the weight range
**   trace D [+200, -400, +200] [-> "file"]   weight against pulse number
**   sp D                        symmetric point: analytic and by alternating pulses
**   compare D1 D2               two devices side by side
**   run NAME                    run a declared train, measure or experiment
**   fit NAME : FAMILY from "data.csv"        fit a device to measured data
**   help [TOPIC], :load FILE, :save FILE, :list, :quit (or quit, exit, Ctrl-D)
** Errors are reported like script errors, at <stdin>:LINE:COL with a caret.
*/
#ifndef AIMCI_REPL_CMD_H
#define AIMCI_REPL_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "repl_device.h"
#include "repl_session.h"

typedef struct Repl {
    ReplSession *ses;
    ReplDevs devs;
    FILE *out, *err;
    size_t threads;    /* for `run` (0: the default) */
    bool quit;         /* `quit`, `exit` or `:quit` was typed */
    const char *pending; /* the lines of a block still open (for completion), or NULL */
    char **cost_name, **cost_text; /* the cost of the last `run` of each train (`cost`) */
    size_t ncost;
} Repl;

/* Forget the costs `run` kept (repl_exec.c; at the end of a session). */
void repl_costs_free(Repl *r);

/* Is text a command (its first word is one, and not followed by '=' or '.')? */
bool repl_is_command(const char *text);

/* Run the command typed at `line`: 0, or 1 if an error was reported. */
int repl_command(Repl *r, const char *text, uint32_t line);

/* The command words, the meta commands and the help topics (for completion). */
extern const char *const repl_command_words[];
extern const char *const repl_help_topics[];

/* Print help on topic (NULL: the overview) to out; false if there is no such topic. */
bool repl_help(FILE *out, const char *topic);

#endif
