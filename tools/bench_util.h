/*
** bench_util.h: a clock and a busy core for the benchmarks (tools/bench_util.c).
*/
#ifndef AIMCI_BENCH_UTIL_H
#define AIMCI_BENCH_UTIL_H

#include <sys/types.h>

/* Seconds on the monotonic clock. */
double now(void);

/*
** Start a CPU-bound process on the last CPU, as another user's job would be: in its own
** session and killed with the bench if the bench dies first. Its pid, or -1 if fork failed.
*/
pid_t busy_start(void);

/* Kill and reap the busy process (pid <= 0: nothing). */
void busy_stop(pid_t pid);

#endif
