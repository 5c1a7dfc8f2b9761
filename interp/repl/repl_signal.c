/*
** repl_signal.c: the SIGINT flag of the REPL.
*/
#include "repl_signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupted; /* set by the handler only */

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

void repl_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a read at the prompt returns with EINTR */
    sigaction(SIGINT, &sa, NULL);
}

bool repl_signal_pending(void)
{
    return interrupted != 0;
}

void repl_signal_clear(void)
{
    interrupted = 0;
}
