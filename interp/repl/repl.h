/*
** repl.h: the interactive prompt (`aimci` with no script, `aimci -i FILE`). See repl_cmd.h
** for the commands and docs/repl.md for a tour.
*/
#ifndef AIMCI_REPL_H
#define AIMCI_REPL_H

#include <stddef.h>

typedef struct ReplOptions {
    const char *stdlib;  /* the folder of the standard libraries */
    const char *load;    /* -i FILE: read this script first (line 1 of the session), or NULL */
    size_t threads;      /* for `run` (0: the default) */
    const char *version; /* for the greeting */
} ReplOptions;

/*
** Read and run input until Ctrl-D, `quit` or the end of piped input. Returns the exit
** status: 0; with piped input, 2 if any input line was reported as an error.
*/
int repl_run(const ReplOptions *o);

#endif
