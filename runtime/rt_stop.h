/*
** rt_stop.h: a request to stop, polled by the runtime's long loops (no syntax, no handlers).
**
** The interpreter installs the signal handlers (interp/run/ev_signal.c); a handler calls
** rt_stop_request, and a training run polls rt_stop_requested after every step: it stops
** there, writes its checkpoint when it has one (rt_ckpt.h) and returns. The runtime never
** exits by itself.
**
** Temporary files: rt_file.c registers every temporary output file it creates until it is
** renamed or removed, so that a handler that must end the process at once (a second Ctrl-C)
** can remove them with rt_stop_remove_temps, which is async-signal-safe.
*/
#ifndef AIMCI_RT_STOP_H
#define AIMCI_RT_STOP_H

#include <signal.h>

/* The signal that asked to stop (SIGINT, SIGTERM), or 0. */
int rt_stop_requested(void);

/* Ask to stop (async-signal-safe); sig is what rt_stop_requested reports. */
void rt_stop_request(int sig);

/* Forget the request (tests, the REPL). */
void rt_stop_clear(void);

/*
** Register a temporary file (its name is copied; at most RT_STOP_MAX_TEMPS at a time, longer
** names than RT_STOP_PATH are not registered) and forget it once renamed or removed.
*/
#define RT_STOP_MAX_TEMPS 16
#define RT_STOP_PATH 4096
void rt_stop_track(const char *path);
void rt_stop_untrack(const char *path);

/* Remove every registered temporary file; async-signal-safe (unlink only). */
void rt_stop_remove_temps(void);

#endif
