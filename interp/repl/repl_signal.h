/*
** repl_signal.h: Ctrl-C at the REPL. A SIGINT sets a flag (the one piece of global state a
** signal handler needs); long commands poll it and stop, and the prompt comes back. The
** handler is installed without SA_RESTART, so a blocking read returns early on Ctrl-C.
*/
#ifndef AIMCI_REPL_SIGNAL_H
#define AIMCI_REPL_SIGNAL_H

#include <stdbool.h>

/* Catch SIGINT (set the flag) from now on. */
void repl_signal_install(void);

/* Was Ctrl-C pressed since the last repl_signal_clear? */
bool repl_signal_pending(void);
void repl_signal_clear(void);

#endif
