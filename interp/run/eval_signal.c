/*
** eval_signal.c: SIGINT and SIGTERM while a script runs (not at the REPL: its runs are child
** processes that stop at once, interp/repl/repl_exec.c).
**
** The first signal asks the runtime to stop at its next safe point (rt_stop.h): a train after
** its current step, writing its checkpoint when checkpointing is on; the interpreter then
** skips what has not started and exits 128 + the signal. A second one ends the process at
** once, after removing the temporary files of writes in progress (rt_stop_remove_temps):
** outputs are renamed into place whole, so none is left half-written.
*/
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "rt_stop.h"

static void on_stop(int sig)
{
    if (rt_stop_requested()) {
        rt_stop_remove_temps();
        _exit(128 + sig);
    }
    rt_stop_request(sig);
    static const char msg[] = "\naimci: stopping after the current step (again to stop at "
                              "once)\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
}

void ev_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* writes and reads go on; the loops poll the request */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
